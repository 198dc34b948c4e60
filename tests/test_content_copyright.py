import pytest

from auditor.checks import copyright
from auditor.text.dates import find_copyright_notices
from content_support import SITE, body, context, fixture_page, html_page, site_findings


@pytest.fixture
def ctx(write_config):
    return context(write_config)


def test_one_finding_per_distinct_notice(ctx):
    pages = [fixture_page(name) for name in ("index.html", "stale.html", "contact.html")]
    [finding] = site_findings(copyright, pages, ctx)
    assert finding.subject == "© 2019"
    assert finding.url == SITE + "index.html"
    assert finding.evidence["page_count"] == 3 and finding.evidence["year"] == 2019
    assert "on 3 pages" in finding.message and "2026" in finding.message


def test_grace_year(ctx):
    last_year = html_page(body("<p>x</p>") + "<footer>Copyright 2020–2025 Home-Start</footer>")
    assert site_findings(copyright, [last_year], ctx) == []
    two_years = html_page(body("<p>x</p><footer>(c) Home-Start Testshire 2024</footer>"))
    [finding] = site_findings(copyright, [two_years], ctx)
    assert finding.evidence["year"] == 2024


def test_grace_is_configurable(write_config):
    ctx = context(write_config, freshness="copyright_grace_years = 0")
    page = html_page(body("<footer>© 2025</footer>"))
    assert len(site_findings(copyright, [page], ctx)) == 1


def test_two_different_notices_are_two_findings(ctx):
    pages = [html_page(body("<footer>© 2018 Home-Start</footer>"), SITE + "a"),
             html_page(body("<footer>Copyright 2016-2019</footer>"), SITE + "b")]
    found = sorted(site_findings(copyright, pages, ctx), key=lambda f: f.url)
    assert [(f.url, f.evidence["year"]) for f in found] == [(SITE + "a", 2018), (SITE + "b", 2019)]


@pytest.mark.parametrize("text,year", [
    ("© 2018", 2018), ("Copyright 2016–2019", 2019), ("Copyright © 2016 - 19 Home-Start", 2019),
    ("© Home-Start Testshire 2017. All rights reserved.", 2017), ("&copy; 2015", 2015),
])
def test_notice_forms(text, year):
    assert [n.year for n in find_copyright_notices(text)] == [year]


def test_footer_notice_preferred_over_photo_credits(ctx):
    page = html_page("<html><body><main><p>Photo © 2015 J. Smith</p></main><footer>© 2026 Home-Start</footer>"
                     "</body></html>")
    assert site_findings(copyright, [page], ctx) == []


@pytest.mark.parametrize("text", [
    "The copyright law changed in 2019.", "We have 2019 families", "copyright 1850",
    "Opening hours 2019-2020 (c) see below",
])
def test_not_notices(ctx, text):
    page = html_page(f"<html><body><p>{text}</p></body></html>")
    assert site_findings(copyright, [page], ctx) == []


def test_long_scheme_name_in_notice():
    [notice] = find_copyright_notices("Copyright © Home-Start Barnet, Brent and Harrow 2016–2019. All rights reserved.")
    assert notice.year == 2019
