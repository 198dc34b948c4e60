"""Sitemap parsing, crawl scope and caps, HTML decoding and extraction, the cache, the crawl check."""
from __future__ import annotations

import gzip
from datetime import datetime, timezone

from auditor.checks import Resources
from auditor.checks import crawl as crawl_check
from auditor.config import load
from auditor.crawl import sitemap
from auditor.crawl.cache import FORMAT, Cache
from auditor.crawl.extract import decode_html, extract, keep_headers, normalise_url
from auditor.crawl.frontier import Frontier, Scope, path_pattern, site_key
from auditor.snapshot import CrawlError, ImageInfo, ImageUse, Link, LinkStatus, Page, Snapshot

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


# --- sitemaps --------------------------------------------------------------------
def test_sitemap_urlset_index_and_gzip():
    urlset = (f'<?xml version="1.0" encoding="UTF-8"?><urlset {NS}><url><loc> https://e.org/a </loc>'
              "<lastmod>2024-01-02</lastmod></url><url><loc>https://e.org/b</loc></url><url></url></urlset>").encode()
    assert sitemap.parse(urlset).urls == [("https://e.org/a", "2024-01-02"), ("https://e.org/b", None)]
    assert sitemap.parse(gzip.compress(urlset)).urls[1] == ("https://e.org/b", None)
    index = f"<sitemapindex {NS}><sitemap><loc>https://e.org/s1.xml</loc></sitemap></sitemapindex>".encode()
    parsed = sitemap.parse(index)
    assert parsed.children == ["https://e.org/s1.xml"] and parsed.urls == []
    assert sitemap.parse(b"<urlset><url><loc>https://e.org/plain</loc></url></urlset>").urls == [("https://e.org/plain", None)]


def test_sitemap_is_untrusted_xml():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<urlset><url><loc>https://e.org/&x;</loc></url></urlset>")
    assert all("root:" not in loc for loc, _ in sitemap.parse(xxe).urls)
    for junk in (b"", b"not xml at all", b"\x1f\x8b broken gzip", b"<html><body>Not found</body></html>"):
        assert sitemap.parse(junk).urls == []


def test_sitemap_collect_follows_indexes_within_bounds(serve, tmp_path):
    from auditor.crawl.http import Fetcher
    from conftest import Response
    server = serve(routes={
        "/index.xml": lambda req, _h: _xml(f"<sitemapindex {NS}>" + "".join(
            f"<sitemap><loc>{server.url(f'/s{i}.xml')}</loc></sitemap>" for i in range(80)) + "</sitemapindex>"),
        **{f"/s{i}.xml": (lambda i: lambda req, _h: _xml(
            f"<urlset {NS}><url><loc>{server.url(f'/p{i}')}</loc></url>"
            f"<url><loc>http://other.invalid/p{i}</loc></url></urlset>"))(i) for i in range(80)}})
    fetcher = Fetcher(user_agent="t", delay=0)
    found = sitemap.collect(fetcher, [server.url("/index.xml")], Scope(server.url("/")).same_site)
    assert len(found) == sitemap.MAX_SITEMAPS - 1 and all(url.startswith(server.url("/p")) for url, _ in found)
    fetcher.close()


def _xml(text: str):
    from conftest import Response
    return Response(200, text.encode(), {"Content-Type": "application/xml"})


# --- scope and caps ----------------------------------------------------------------
def test_www_and_bare_host_are_one_site():
    scope = Scope("https://www.example.org.uk/")
    assert scope.same_site("https://example.org.uk/about") and scope.same_site("http://WWW.example.org.uk/x")
    assert not scope.same_site("https://shop.example.org.uk/") and not scope.same_site("https://example.org.uk:8443/")
    assert site_key("http://127.0.0.1:8000/a") == "127.0.0.1:8000"


def test_path_patterns_and_exclusions():
    assert path_pattern("https://e.org/calendar/2024/05") == "/calendar/N/N"
    assert path_pattern("https://e.org/events?month=5&year=2024&month=6") == "/events?month&year"
    scope = Scope("https://e.org/", ("/wp-admin/*", "*/print/*", "*?replytocom=*"))
    assert scope.excluded("https://e.org/wp-admin/edit.php") and scope.excluded("https://e.org/news/print/3")
    assert scope.excluded("https://e.org/news/a?replytocom=12") and not scope.excluded("https://e.org/news/a")


def test_frontier_caps_and_explains_them():
    frontier = Frontier(max_pages=5, max_per_pattern=2)
    admitted = [u for u in (f"https://e.org/cal/{i}" for i in range(4)) if frontier.admit(u)]
    assert admitted == ["https://e.org/cal/0", "https://e.org/cal/1"]
    assert frontier.admit("https://e.org/start", forced=True) and not frontier.admit("https://e.org/start")
    assert frontier.admit("https://e.org/a") and frontier.admit("https://e.org/b")
    assert not frontier.admit("https://e.org/c")
    reason = frontier.truncation()
    listed = Frontier(max_pages=5, max_per_pattern=1)
    assert all(listed.admit(f"https://e.org/news/{i}", declared=True) for i in range(5))   # sitemap: no trap
    assert "limit of 5 pages" in reason and "/cal/N" in reason
    assert Frontier(10, 10).truncation() is None


# --- decoding and extraction -----------------------------------------------------------
def test_decode_html_order_bom_header_meta_fallback():
    text = "Caf\u00e9 \u201cok\u201d"
    assert decode_html(b"\xef\xbb\xbf" + text.encode(), "iso-8859-1") == text
    assert decode_html(text.encode("cp1252"), "windows-1252") == text
    assert decode_html(text.encode("cp1252"), "iso-8859-1") == text                 # latin-1 read as browsers do
    assert decode_html(b"<meta charset='windows-1252'>" + text.encode("cp1252")).endswith(text)
    assert decode_html(text.encode("cp1252"), "no-such-charset") == text           # fallback
    assert decode_html(text.encode("utf-8")) == text


def test_normalise_url():
    assert normalise_url("HTTP://Example.ORG:80/a b#frag") == "http://example.org/a%20b"
    assert normalise_url("../x?y=1#z", "https://e.org/a/b/") == "https://e.org/a/x?y=1"
    assert normalise_url("https://e.org") == "https://e.org/"
    for skipped in ("mailto:a@b.c", "javascript:void(0)", "#top", "tel:123", "ftp://e.org/f", "http://[bad"):
        assert normalise_url(skipped, "https://e.org/") is None


def test_extract_regions_links_images_and_metadata():
    html = """<html lang="en-GB"><head><title> Hello </title><meta property="og:image" content="/og.png">
      <link rel="icon" href="/favicon.ico"><script type="application/ld+json">{"@graph":[{"@type":"Organization","name":"HS"}]}</script>
      </head><body><header><a href="/"><img src="/logo.png" alt="Home-Start"></a></header>
      <nav><a href="/about#team">About us</a></nav><main><h1>Welcome</h1><p>Support for families.</p>
      <figure><img src="data:image/gif;base64,xx" data-src="/photo.jpg"><figcaption>Our volunteers</figcaption></figure>
      </main><footer><a href="mailto:x@y.z">Mail</a> Charity 123</footer></body></html>"""
    page = extract(Page(url="https://e.org/"), html)
    assert page.title == "Hello" and page.lang == "en-GB"
    assert page.regions["footer"].startswith("Mail") and "Support for families." in page.regions["main"]
    assert [(l.url, l.region) for l in page.links] == [("https://e.org/", "header"), ("https://e.org/about", "nav")]
    kinds = {(i.src, i.kind, i.region) for i in page.images}
    assert ("https://e.org/logo.png", "img", "header") in kinds and ("https://e.org/og.png", "og:image", "header") in kinds
    assert ("https://e.org/favicon.ico", "icon", "header") in kinds
    photo = next(i for i in page.images if i.src.endswith("photo.jpg"))
    assert photo.alt is None and "Our volunteers" in photo.context
    assert page.jsonld == [{"@type": "Organization", "name": "HS"}]
    assert extract(Page(url="https://e.org/"), "   ").title == ""


def test_keep_headers_keeps_only_useful_ones():
    kept = keep_headers({"content-type": "text/html", "set-cookie": "secret", "etag": '"x"'})
    assert kept == {"content-type": "text/html", "etag": '"x"'}


# --- cache ---------------------------------------------------------------------------------
def test_cache_round_trip_and_format_bump(tmp_path):
    cache = Cache(tmp_path / "c.sqlite3")
    cache.store("https://e.org/", '"a"', None, "page", {"title": "T"})
    cache.store("https://e.org/none", None, None, "page", {"title": "no validators"})
    cache.close()
    again = Cache(tmp_path / "c.sqlite3")
    v = again.validators("https://e.org/")
    assert (v.etag, v.last_modified, v.kind, v.data) == ('"a"', None, "page", {"title": "T"})
    assert again.validators("https://e.org/none") is None
    again.close()
    assert Cache(tmp_path / "c.sqlite3", fmt=FORMAT + 1).validators("https://e.org/") is None


# --- the crawl check ---------------------------------------------------------------------
def _ctx(write_config):
    return Resources(config=load(write_config("https://e.org/")), now=datetime(2026, 1, 1, tzinfo=timezone.utc))


def test_crawl_check_reports_broken_but_not_unknowns(write_config):
    page = Page(url="https://e.org/", links=[Link("https://e.org/gone", "Our team", "nav"),
                                             Link("https://x.org/forbidden"), Link("https://e.org/refused"),
                                             Link("https://e.org/gone", "again")],
                images=[ImageUse("https://e.org/a.png"), ImageUse("https://e.org/big.png"),
                        ImageUse("https://e.org/blocked.png", kind="icon")])
    snapshot = Snapshot("https://e.org/", "2026-01-01", pages=[page], links={
        "https://e.org/gone": LinkStatus("https://e.org/gone", status=404),
        "https://x.org/forbidden": LinkStatus("https://x.org/forbidden", status=403, external=True),
        "https://e.org/refused": LinkStatus("https://e.org/refused", status=403, blocked=True)},
        images={"https://e.org/a.png": ImageInfo("https://e.org/a.png", status=500),
                "https://e.org/big.png": ImageInfo("https://e.org/big.png", oversized=True, error="too large"),
                "https://e.org/blocked.png": ImageInfo("https://e.org/blocked.png", status=403, facts={"blocked": True})},
        errors=[CrawlError("https://e.org/", "The site blocks the auditor.", kind="blocked")])
    found = list(crawl_check.check(snapshot, _ctx(write_config)))
    assert [(f.check, f.subject) for f in found] == [("link.broken", "https://e.org/gone"),
                                                     ("image.broken", "https://e.org/a.png"),
                                                     ("crawl.error", None)]
    assert found[0].message == "The link \u201cOur team\u201d in the nav does not work: the server answered 404."
    assert found[2].severity == "high"

