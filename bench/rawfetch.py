"""The fetch ceiling: one keep-alive requests.Session reading every sitemap page and photo in turn.

Run as `python -m bench.rawfetch ORIGIN PHOTOS SUMMARY_JSON`. It parses nothing, so its time is what
fetching alone costs against the bench server: a crawler can get near it, never below it.
"""
from __future__ import annotations

import json
import re
import sys

import requests

from .generate import Layout


def main(argv: list[str]) -> None:
    origin, photos, summary = argv[0], int(argv[1]), argv[2]
    counts = {"pages": 0, "photos": 0, "bytes": 0}
    with requests.Session() as session:
        sitemap = session.get(f"{origin}/sitemap.xml", timeout=30).content
        for loc in re.findall(rb"<loc>(.*?)</loc>", sitemap):
            counts["bytes"] += len(session.get(loc.decode(), timeout=30).content)
            counts["pages"] += 1
        layout = Layout(pages=0, photos=photos)
        for k in range(photos):
            counts["bytes"] += len(session.get(origin + layout.photo_path(k), timeout=30).content)
            counts["photos"] += 1
    with open(summary, "w", encoding="utf-8") as out:
        json.dump(counts, out)


if __name__ == "__main__":
    main(sys.argv[1:])
