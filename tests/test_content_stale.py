from datetime import date

import pytest

from auditor.checks import stale
from auditor.checks._common import is_exempt
from content_support import NOW, body, context, fixture_page, html_page, page_findings


@pytest.fixture
def ctx(write_config):
    return context(write_config, freshness='stale_after_days = 365\nexempt = ["/news/archive/*"]')


def test_visible_updated_date_is_the_evidence(ctx):
    [finding] = page_findings(stale, fixture_page("stale.html"), ctx)
    assert finding.check == "content.stale"
    assert finding.evidence["last_updated"] == "2021-03-03"
    assert finding.evidence["source"] == "the \u201cLast updated 3 March 2021\u201d line on the page"
    assert "3 March 2021" in finding.message and "over 5 years" in finding.message


def test_recent_page_is_not_stale(ctx):
    assert page_findings(stale, fixture_page("index.html"), ctx) == []


def test_modified_metadata_beats_published_and_is_named(ctx):
    head = ('<meta property="article:published_time" content="2018-01-10">'
            '<meta property="article:modified_time" content="2022-02-01T10:00:00Z">')
    [finding] = page_findings(stale, html_page(body("<p>Hello</p>", head)), ctx)
    assert finding.evidence["last_updated"] == "2022-02-01"
    assert finding.evidence["source"] == "the page's article:modified_time metadata"


def test_recent_modified_date_clears_an_old_published_date(ctx):
    head = ('<meta property="article:published_time" content="2018-01-10">'
            '<script type="application/ld+json">{"@type": "WebPage", "dateModified": "2026-09-01"}</script>')
    assert page_findings(stale, html_page(body("<p>Hello</p>", head)), ctx) == []


def test_page_metadata_comes_before_a_newer_sitemap_date(ctx):
    """A sitemap's date is often the time the site was last built: the page's own date comes first."""
    head = '<script type="application/ld+json">{"@type": "Article", "datePublished": "2019-04-01"}</script>'
    page = html_page(body("<p>Hello</p>", head), sitemap_lastmod="2026-08-01")
    [finding] = page_findings(stale, page, ctx)
    assert finding.evidence["source"] == "the page's structured data (datePublished)"
    page.jsonld, page.dates = [], {}
    assert page_findings(stale, page, ctx) == []


def test_build_stamp_in_a_comment_is_not_a_date(ctx):
    html = body("<p>Hello</p>", "<!-- Site rendered at: 2012-02-14T10:22:01+00:00 -->")
    page = html_page(html)
    assert page.dates == {} and page_findings(stale, page, ctx) == []


def test_sitemap_lastmod_alone(ctx):
    [finding] = page_findings(stale, html_page(body("<p>Hi</p>"), sitemap_lastmod="2023-05-02T08:00:00+00:00"), ctx)
    assert finding.evidence["source"] == "the sitemap's lastmod date"
    assert finding.evidence["last_updated"] == "2023-05-02"


def test_http_last_modified_is_weakest_and_ignored_when_it_is_the_fetch_time(ctx):
    old = {"last-modified": "Tue, 02 May 2023 08:00:00 GMT", "date": "Tue, 24 Nov 2026 09:00:00 GMT"}
    [finding] = page_findings(stale, html_page(body("<p>Hi</p>"), headers=old), ctx)
    assert finding.evidence["source"] == "the server's Last-Modified header"
    now = {"last-modified": "Tue, 24 Nov 2026 08:59:30 GMT", "date": "Tue, 24 Nov 2026 09:00:00 GMT"}
    assert page_findings(stale, html_page(body("<p>Hi</p>"), headers=now), ctx) == []
    assert page_findings(stale, html_page(body("<p>Last updated 1 June 2026</p>"), headers=old), ctx) == []


def test_no_date_evidence_means_no_finding(ctx):
    assert page_findings(stale, html_page(body("<p>Families first.</p><footer>© 2015</footer>")), ctx) == []


def test_dates_inside_urls_are_not_update_dates(ctx):
    assert page_findings(stale, fixture_page("dates-in-urls.html"), ctx) == []


def test_copyright_year_is_not_an_update_date(ctx):
    page = html_page(body("<p>Hi</p><p class='date'>© 2019 Home-Start</p>"))
    page.dates = {"modified": "2019-01-01", "published": "2019-01-01"}   # what htmldate can make of it
    assert page_findings(stale, page, ctx) == []


def test_exempted_archive_page(ctx):
    page = fixture_page("news/archive/old-post.html")
    assert page_findings(stale, page, ctx) == []
    assert [f.evidence["last_updated"] for f in page_findings(stale, page, context_without_exempt(ctx))] == \
        ["2019-05-05"]


def context_without_exempt(ctx):
    from dataclasses import replace
    config = replace(ctx.config, freshness=replace(ctx.config.freshness, exempt=()))
    return type(ctx)(config=config, now=ctx.now)


@pytest.mark.parametrize("url,patterns,expected", [
    ("https://x.org/news/2019/a", ["/news/*"], True),
    ("https://x.org/news", ["/news/*"], False),
    ("https://x.org/news/", ["/news/*"], True),
    ("https://x.org/about", ["/news/*"], False),
    ("https://x.org/events?past=1", ["/events?past=*"], True),
    ("https://x.org/blog/a", ["https://x.org/blog/*"], True),
    ("https://y.org/blog/a", ["https://x.org/blog/*"], False),
])
def test_exempt_patterns(url, patterns, expected):
    assert is_exempt(url, patterns) is expected


def test_last_update_picks_latest_within_strongest_tier():
    page = html_page(body("<p>Posted on 2 May 2020</p><p>Posted on 9 July 2021</p>"))
    best = stale.last_update(page, NOW.date())
    assert (best.day, best.tier) == (date(2021, 7, 9), "published")


def test_a_newer_posted_date_on_the_page_counts(ctx):
    head = '<meta property="article:modified_time" content="2020-01-10">'
    page = html_page(body("<h2>Latest news</h2><p>Posted on 2 November 2026</p>", head))
    assert page_findings(stale, page, ctx) == []


def test_sitemap_and_header_only_when_the_page_has_no_dates_of_its_own(ctx):
    page = html_page(body("<p>Last reviewed: 5 January 2022</p>"), sitemap_lastmod="2026-10-01",
                     headers={"last-modified": "Thu, 01 Oct 2026 08:00:00 GMT"})
    [finding] = page_findings(stale, page, ctx)
    assert finding.evidence["source"] == "the \u201cLast reviewed 5 January 2022\u201d line on the page"


def test_files_that_are_not_pages_are_skipped(ctx):
    page = html_page(body("<p>x</p>"), content_type="application/pdf",
                     headers={"last-modified": "Tue, 02 May 2018 08:00:00 GMT"})
    assert page_findings(stale, page, ctx) == []
    page.content_type = "text/html; charset=utf-8"
    assert len(page_findings(stale, page, ctx)) == 1


@pytest.mark.parametrize("line,expected", [
    ("Last reviewed: June 2022", "2022-06-30"),
    ("Page updated February 2024. Next review due 2025", "2024-02-29"),
    ("Last updated on 03/03/2021 at 10:15", "2021-03-03"),
    ("Updated: Tuesday 3rd March 2021", "2021-03-03"),
    ("Dated 23 March 2024", "2024-03-23"),
    ("Issue 10 is out: as we write this, in March 2011, we are ready to distribute it.", "2011-03-31"),
    ("Welcome to our new site (Jun 12, 2018)", "2018-06-12"),
    ("This policy was updated on the 10th September 2019", "2019-09-10"),
    ("Date: 1300 GMT, Wednesday 30 January 2019", "2019-01-30"),
])
def test_visible_date_forms(ctx, line, expected):
    [finding] = page_findings(stale, html_page(body(f"<p>{line}</p>")), ctx)
    assert finding.evidence["last_updated"] == expected


@pytest.mark.parametrize("line", ["We updated our privacy policy after the 2019 review.", "Updated guidance",
                                  "Last updated: see www.example.org/2019/03/03/"])
def test_labels_without_a_date_after_them(ctx, line):
    assert page_findings(stale, html_page(body(f"<p>{line}</p>")), ctx) == []


def test_a_problem_seen_on_several_pages_keeps_the_evidence_of_the_page_it_names():
    """Pages arrive in whatever order the crawl threads finish: the finding must not depend on it."""
    from auditor.checks._common import group
    items = [("logo", "https://x.test/news/item-2/", "from item 2"), ("logo", "https://x.test/about/", "from about"),
             ("logo", "https://x.test/news/item-1/", "from item 1")]
    for order in (items, items[::-1], items[1:] + items[:1]):
        seen = group(order)["logo"]
        assert (seen.url, seen.first) == ("https://x.test/about/", "from about")


def test_a_problem_on_thousands_of_pages_keeps_its_count_and_first_addresses_only():
    from auditor.checks._common import SAMPLE_PAGES, group
    urls = [f"https://x.test/p{i}/" for i in range(3000, 0, -1)]
    items = [("footer", url, url) for url in urls for _ in range(2)]     # twice on each page
    seen = group(items)["footer"]
    expected = sorted(urls, key=lambda u: (len(u), u))
    assert seen.evidence() == {"pages": expected[:SAMPLE_PAGES], "page_count": 3000}
    assert (seen.url, seen.first, seen.where()) == (expected[0], expected[0], "on 3000 pages")
    assert len(seen.sample) == SAMPLE_PAGES


def test_self_dating_text_is_quoted_as_written(ctx):
    [finding] = page_findings(stale, html_page(body("<p>As we write this, in March 2011, we are ready.</p>")), ctx)
    assert finding.evidence["source"] == "the \u201cAs we write this, in March 2011\u201d line on the page"


def test_a_date_in_brackets_mid_line_or_on_a_long_line_is_not_an_item_date(ctx):
    lines = ["<p>The hall (opened 22 January 1907) is available to hire.</p>",
             "<p>" + "word " * 20 + "(12 June 2018)</p>"]
    assert page_findings(stale, html_page(body("".join(lines))), ctx) == []
