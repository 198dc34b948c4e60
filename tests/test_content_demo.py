"""The demo site's planted content problems are found and its traps are not.

Pages are served by the demo's own server and read over HTTP, then extracted and checked
as a run would; the crawl itself is the crawler's part.
"""
from __future__ import annotations

import urllib.request
from datetime import datetime, timezone

import pytest

from auditor import config as config_mod, demo
from auditor.checks import Resources, Runner
from auditor.crawl.extract import extract, keep_headers
from auditor.snapshot import Page, Snapshot

PAGES = ("", "about.html", "volunteer.html", "events.html", "news.html", "news/summer-fun-day-2021.html",
         "contact.html", "privacy.html", "policies.html")
MINE = ("stale", "events", "copyright", "personal_data", "alt_text")


@pytest.fixture(scope="module")
def findings(tmp_path_factory):
    with demo.DemoSites() as sites:
        config = config_mod.load(demo.write_config(tmp_path_factory.mktemp("demo"), sites.site.url + "/"))
        runner = Runner(Resources(config=config, now=datetime.now(timezone.utc)), only=MINE)
        snapshot = Snapshot(website=config.scheme.website, started_at="")
        for name in PAGES:
            page = fetch(f"{sites.site.url}/{name}")
            runner.page(page)
            snapshot.pages.append(page)
        runner.site(snapshot)
    assert runner.failures == []
    return runner.findings


def fetch(url: str) -> Page:
    with urllib.request.urlopen(url, timeout=5) as response:
        page = Page(url=url, final_url=url, status=response.status,
                    headers=keep_headers({k.lower(): v for k, v in response.headers.items()}),
                    fetched_at=datetime.now(timezone.utc).isoformat())
        return extract(page, response.read().decode("utf-8"))


def of(findings, check, url_end=""):
    return [f for f in findings if f.check == check and f.url.endswith(url_end)]


def test_stale_page_found_with_its_date_source(findings):
    [finding] = of(findings, "content.stale")
    assert finding.url.endswith("/about.html")
    assert finding.evidence["source"] == "the \u201cLast updated 3 March 2021\u201d line on the page"


def test_past_events_found_future_one_not(findings):
    # the structured event and its "Upcoming events" line are one event: one finding
    [found] = of(findings, "event.past", "/events.html")
    assert found.evidence["source"] == "page text and structured data (schema.org Event)"
    assert "Family Fun Day" in found.message and "under \u201cUpcoming events\u201d" in found.message
    assert not any("Coffee morning" in f.message for f in findings)


def test_old_copyright_notice_found_once(findings):
    [finding] = of(findings, "copyright.stale")
    assert finding.url.endswith("/news/summer-fun-day-2021.html") and finding.evidence["year"] == 2019


def test_personal_email_and_mobile_found_office_and_own_address_not(findings):
    found = of(findings, "privacy.personal_data")
    assert sorted(f.subject for f in found) == ["email:sa**********p@gmail.com", "phone:075** ***987"]
    assert all(f.url.endswith("/contact.html") for f in found)


def test_missing_alt_text_found(findings):
    [finding] = of(findings, "image.alt_missing")
    assert finding.subject.endswith("/images/fun-day-balloons.png")
