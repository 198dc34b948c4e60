"""Published photos that still carry GPS location or people's names in their metadata (policy 1.1)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..metadata import CREDIT_FIELDS
from ..snapshot import Snapshot
from .base import Check
from .resources import Resources

CODES = ("privacy.photo_metadata",)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    for page in snapshot.pages:
        yield from _uses(page.url, page.images, snapshot)
    for post in [*snapshot.posts, *snapshot.older_posts]:
        yield from _uses(post.url, post.images, snapshot)


def _uses(where: str, uses, snapshot: Snapshot) -> Iterator[Finding]:
    seen = set()
    for use in uses:
        info = snapshot.images.get(use.src)
        if info is None or use.src in seen:
            continue
        seen.add(use.src)
        gps = bool(info.facts.get("gps"))
        names = list(info.facts.get("metadata_names") or []) if info.facts.get("photo") else []
        if gps or names:
            credits = [n for n in names if n in CREDIT_FIELDS]
            captions = [n for n in names if n not in CREDIT_FIELDS]
            yield Finding("privacy.photo_metadata", url=where, subject=use.src, severity=_severity(gps, captions),
                          message=_message(gps, captions, credits),
                          evidence={"gps": gps, "name_fields": names, "caption_fields": captions,
                                    "credit_fields": credits})


def _severity(gps: bool, captions: list[str]) -> str:
    """A location, or a caption or keyword naming someone (maybe a family pictured), is urgent;
    a photographer's by-line or copyright line only is not."""
    return "high" if gps or captions else "low"


def _message(gps: bool, captions: list[str], credits: list[str]) -> str:
    parts = []
    if gps:
        parts.append("still gives the GPS location where it was taken")
    if captions:
        parts.append(f"names a person in its caption or keywords ({', '.join(captions)}), who may be someone "
                     "pictured: check it does not name a family")
    if credits:
        parts.append(f"{'also ' if parts else ''}names its photographer or copyright holder "
                     f"({', '.join(credits)})")
    text = "This photo's hidden metadata " + "; it ".join(parts) + "."
    return text if gps or captions else text[:-1] + ": usually harmless, remove it if that person wants privacy."


CHECK = Check("photo_metadata", __doc__, CODES, site=check)
