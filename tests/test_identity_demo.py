"""The demo site's planted identity problems are found and its traps stay quiet.

The pages are fetched from the served demo and analysed as the audit does; the checks
then run on that snapshot. A second test runs the whole demo when the crawler is present.
"""
from __future__ import annotations

import json
import re

import pytest
import requests

from auditor import config, imaging
from auditor.checks import Resources, logo, name
from auditor.crawl.extract import decode_html, extract
from auditor.demo import DemoSites, write_config
from auditor.snapshot import Page, Snapshot

PLANTED = {
    ("logo.deprecated", "/news/summer-fun-day-2021.html"), ("logo.unrecognised", "/events.html"),
    ("logo.distorted", "/volunteer.html"), ("logo.missing", "/policies.html"),
    ("name.variant", "/news.html"), ("name.missing", "/referral.html"),
}


def identity_findings(findings, base: str) -> set[tuple[str, str]]:
    return {(f["check"], f["url"].removeprefix(base)) for f in findings if f["check"].startswith(("logo.", "name."))}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    with DemoSites() as sites:
        base = sites.site.url
        sitemap = requests.get(f"{base}/sitemap.xml", timeout=5).text
        pages, images = [], {}
        for url in re.findall(r"<loc>(.*?)</loc>", sitemap):
            response = requests.get(url, timeout=5)
            page = extract(Page(url=url, status=200, content_type="text/html"),
                           decode_html(response.content, response.encoding))
            pages.append(page)
            for use in page.images:
                if use.src.startswith(base) and use.src not in images:
                    got = requests.get(use.src, timeout=5)
                    images[use.src] = imaging.analyse(use.src, got.content, got.headers.get("content-type", ""), got.status_code)
        cfg = config.load(write_config(tmp_path_factory.mktemp("demo-identity"), base))
        yield base, Snapshot(website=base + "/", started_at="", pages=pages, images=images), cfg


def test_demo_identity_problems_are_found_and_traps_are_quiet(served):
    base, snap, cfg = served
    ctx = Resources(cfg)
    findings = list(logo.check(snap, ctx)) + [f for p in snap.pages for f in name.check_page(p, ctx)]
    assert identity_findings([f.to_dict() for f in findings], base) == PLANTED
    variant = next(f for f in findings if f.check == "name.variant")
    assert variant.evidence["snippets"] == ["Homestart"]


def test_whole_demo_run_reports_the_identity_problems(tmp_path):
    pytest.importorskip("auditor.crawl.website")
    from auditor import cli
    assert cli.main(["demo", "--output", str(tmp_path / "demo"), "-q"]) == 0
    doc = json.loads((tmp_path / "demo" / "findings.json").read_text(encoding="utf-8"))
    base = re.match(r"https?://[^/]+", doc["findings"][0]["url"]).group(0) if doc["findings"] else ""
    assert identity_findings(doc["findings"], base) == PLANTED
