"""Helpers for the content checks' tests: fixture pages as Page extracts, a fixed clock."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from auditor import config as config_mod
from auditor.checks import Resources
from auditor.crawl.extract import extract
from auditor.snapshot import Page, Snapshot

SITE = "https://www.homestart-test.org.uk/"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
PAGES = Path(__file__).parent / "sites" / "content"
ALLOWED = '["020 8952 1234", "07911 123456"]'


def fixture_page(name: str, **fields) -> Page:
    """A fixture file of tests/sites/content as the crawler would extract it."""
    return html_page((PAGES / name).read_text(encoding="utf-8"), SITE + name, **fields)


def html_page(html: str, url: str = SITE, **fields) -> Page:
    page = extract(Page(url=url, final_url=url, status=200), html)
    for key, value in fields.items():
        setattr(page, key, value)
    return page


def body(inner: str, head: str = "") -> str:
    return f"<html><head><title>t</title>{head}</head><body><main>{inner}</main></body></html>"


def context(write_config, freshness: str = "", privacy: str = f"allowed_contacts = {ALLOWED}",
            now: datetime = NOW) -> Resources:
    path = write_config(SITE, extra=f"[freshness]\n{freshness}\n\n[privacy]\n{privacy}\n")
    return Resources(config=config_mod.load(path), now=now)


def page_findings(module, page: Page, ctx: Resources) -> list:
    return list(module.check_page(page, ctx))


def site_findings(module, pages, ctx: Resources, **snapshot_fields) -> list:
    snapshot = Snapshot(website=SITE, started_at=NOW.isoformat(), pages=list(pages), **snapshot_fields)
    return list(module.check(snapshot, ctx))
