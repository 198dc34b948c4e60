"""Date evidence read over real HTTP: a fixture site served locally, fetched with the auditor's Fetcher."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime

from auditor.checks import stale
from auditor.crawl.extract import decode_html, extract, keep_headers
from auditor.crawl.http import Fetcher
from auditor.snapshot import Page
from conftest import Response
from content_support import PAGES, body, context

HTML = body("<h1>About</h1><p>We support families.</p>").encode()


def fetch_page(url: str) -> Page:
    result = Fetcher(user_agent="auditor-test", delay=0, timeout=5).fetch(url)
    page = Page(url=url, final_url=result.final_url or url, status=result.status,
                headers=keep_headers({k.lower(): v for k, v in result.headers.items()}),
                fetched_at=datetime.now(timezone.utc).isoformat())
    return extract(page, decode_html(result.body, None))


def test_http_last_modified_from_a_real_server(serve, write_config):
    now = datetime.now(timezone.utc)
    routes = {
        "/dynamic": lambda req, h: Response(200, HTML, {"Content-Type": "text/html",
                                                       "Last-Modified": format_datetime(now, usegmt=True)}),
        "/static": lambda req, h: Response(200, HTML, {"Content-Type": "text/html",
                                                      "Last-Modified": "Tue, 02 May 2023 08:00:00 GMT"}),
    }
    server = serve(routes=routes)
    ctx = context(write_config, now=now)
    assert list(stale.check_page(fetch_page(server.url("/dynamic")), ctx)) == []
    [finding] = stale.check_page(fetch_page(server.url("/static")), ctx)
    assert finding.evidence["source"] == "the server's Last-Modified header"
    assert finding.evidence["last_updated"] == "2023-05-02"


def test_fixture_site_over_http(serve, write_config):
    server = serve(root=PAGES)
    ctx = context(write_config)
    [finding] = stale.check_page(fetch_page(server.url("/stale.html")), ctx)
    assert finding.evidence["last_updated"] == "2021-03-03"
    assert list(stale.check_page(fetch_page(server.url("/dates-in-urls.html")), ctx)) == []
