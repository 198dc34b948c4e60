"""Past events and stale pages as real sites write them, served over HTTP with and without
Last-Modified and read as the crawler reads them. Audit date: 3 December 2026."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from auditor.checks import events, stale
from conftest import Response
from content_support import context, site_findings
from test_content_http import fetch_page

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
PAGES = Path(__file__).parent / "sites" / "dates"
BUILT = datetime(2012, 2, 14, 10, 22, tzinfo=timezone.utc).timestamp()     # the generator's build time


def _without_last_modified(root: Path):
    def route(req, handler):
        path = root / req.path.lstrip("/").split("?")[0]
        return Response(200, path.read_bytes(), {"Content-Type": "text/html; charset=utf-8"})
    return {f"/{p.name}": route for p in root.glob("*.html")}


@pytest.fixture(params=["with Last-Modified", "without Last-Modified"])
def site(request, serve, tmp_path):
    """The fixture pages, their files dated as a static generator built them in 2012."""
    root = tmp_path / "dates"
    root.mkdir()
    for page in PAGES.glob("*.html"):
        (root / page.name).write_bytes(page.read_bytes())
        os.utime(root / page.name, (BUILT, BUILT))
    if request.param == "with Last-Modified":
        return serve(root=root)
    return serve(routes=_without_last_modified(root))


@pytest.fixture
def ctx(write_config):
    return context(write_config, now=NOW)


def _events(site, ctx, *names):
    pages = [fetch_page(site.url(f"/{name}")) for name in names]
    return site_findings(events, pages, ctx)


def _stale(site, ctx, name):
    return list(stale.check_page(fetch_page(site.url(f"/{name}")), ctx))


def test_home_page_banner_in_december(site, ctx):
    found = {f.evidence["date"]: f for f in _events(site, ctx, "index.html")}
    assert set(found) == {"2026-06-14", "2026-06-21"}
    today = found["2026-06-14"]
    assert "we are meeting in the park today" in today.message
    assert "Sunday 14 June (read as 14 June 2026)" in today.message
    assert found["2026-06-21"].evidence["written"] == "Sunday 21 June"
    assert found["2026-06-21"].evidence["year_given"] is False


def test_course_starts_in_running_text_on_two_pages(site, ctx):
    [course] = _events(site, ctx, "course.html")
    assert course.evidence["date"] == "2026-09-09" and "Wednesday 9 September" in course.message
    [courses] = _events(site, ctx, "courses.html")
    assert courses.evidence["date"] == "2026-09-09" and "read as 9 September 2026" in courses.message


def test_news_events_page_items_under_their_own_headings(site, ctx):
    found = {f.evidence["date"]: f for f in _events(site, ctx, "news-events.html")}
    # the weekday decides the year: Thursday 21 March and Sunday 24 March are 2024
    assert set(found) == {"2023-11-24", "2024-03-21", "2024-03-24"}
    assert found["2023-11-24"].evidence["heading"] == "Christmas fair"
    assert "Cream Tea" in found["2024-03-24"].message
    text = " ".join(f.message for f in found.values())
    for quiet in ("summer fete", "carols", "Toy swap"):   # a report, a future event, a recap
        assert quiet not in text


def test_lapsed_appeals_are_reported_as_appeals(site, ctx):
    [walk] = _events(site, ctx, "appeal.html")
    assert walk.evidence["kind"] == "appeal" and walk.evidence["date"] == "2023-09-30"
    assert walk.message.startswith("The appeal \u201cOur volunteer Sarah is walking")
    assert "in September (read as September 2023)" in walk.message
    [coats] = _events(site, ctx, "coat-appeal.html")
    assert coats.evidence["kind"] == "appeal" and coats.evidence["date"] == "2024-03-31"


def test_fresh_page_with_future_recurring_and_past_events_is_quiet(site, ctx):
    assert _events(site, ctx, "fresh.html") == []
    assert _stale(site, ctx, "fresh.html") == []


def test_dated_news_line_makes_the_page_stale_whatever_the_server_says(site, ctx):
    [finding] = _stale(site, ctx, "opening-hours.html")
    assert finding.evidence["last_updated"] == "2021-01-31"
    assert finding.evidence["quote"] == "JANUARY 2021: changes to our opening hours during the lockdown"
    assert "JANUARY 2021: changes to our opening hours" in finding.message


def test_events_page_is_as_old_as_its_newest_item(site, ctx):
    [finding] = _stale(site, ctx, "events-2024.html")
    assert finding.evidence["last_updated"] == "2024-05-18"
    assert "Plant sale" in finding.message
    assert {f.evidence["date"] for f in _events(site, ctx, "events-2024.html")} == {"2024-04-13", "2024-05-18"}


def test_build_stamp_and_deploy_time_are_not_content_dates(site, ctx):
    [finding] = _stale(site, ctx, "old-news.html")
    assert finding.evidence["last_updated"] == "2002-03-12"
    assert "2012" not in finding.message
    assert finding.evidence["quote"].startswith("12 March 2002")


def test_page_without_any_date_is_stale_only_by_its_header(site, ctx):
    page = fetch_page(site.url("/courses.html"))
    found = list(stale.check_page(page, ctx))
    if "last-modified" in page.headers:
        assert [f.evidence["source"] for f in found] == ["the server's Last-Modified header"]
    else:
        assert found == []
