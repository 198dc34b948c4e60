"""The website collector against real sites served on 127.0.0.1."""
from __future__ import annotations

import gzip
import threading
import time

from auditor import imaging
from auditor.checks import Resources
from auditor.checks import crawl as crawl_check
from auditor.config import load
from conftest import Response, free_port
from crawl_support import crawl, link_farm, page_html, png, write_site


def findings(snapshot, config_path):
    return list(crawl_check.check(snapshot, Resources(config=load(config_path))))


def codes(found, code):
    return [f for f in found if f.check == code]


def html(body: str, status: int = 200, **headers) -> Response:
    return Response(status, body.encode(), {"Content-Type": "text/html; charset=utf-8", **headers})


# --- robots, sitemaps, scope -------------------------------------------------
def test_robots_disallowed_paths_are_never_requested(serve, write_config, tmp_path):
    root = write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/private/secret.html", "/about/"), images=("/private/pic.png",)),
        "/about/": page_html("About", links=("/private/other.html",)),
        "/private/secret.html": page_html("Secret"),
    }, {"/robots.txt": b"User-agent: *\nDisallow: /private/\n", "/private/pic.png": png()})
    server = serve(root)
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert not [p for p in server.paths() if p.startswith("/private/")]
    assert {p.title for p in snapshot.pages} == {"Home", "About"}
    assert not snapshot.links[server.url("/private/secret.html")].broken
    found = findings(snapshot, config)
    assert not codes(found, "link.broken") and not codes(found, "image.broken")
    [kept_out] = codes(found, "crawl.error")
    assert kept_out.severity == "low" and "2 pages the site links to" in kept_out.message


def test_robots_forbidding_the_start_page_is_said_plainly(serve, write_config, tmp_path):
    root = write_site(tmp_path / "site", {"/": page_html("Home")}, {"/robots.txt": b"User-agent: *\nDisallow: /\n"})
    server = serve(root)
    snapshot, _ = crawl(write_config(server.url("/")))
    assert server.paths("GET") == ["/robots.txt"]
    assert [e.kind for e in snapshot.errors] == ["robots"]
    assert "robots.txt forbids" in snapshot.errors[0].message


def test_sitemaps_seed_the_crawl_with_indexes_gzip_and_lastmod(serve, write_config, tmp_path):
    def sitemap(*locs, tag="url", lastmod=""):
        items = "".join(f"<{tag}><loc>{loc}</loc>{lastmod}</{tag}>" for loc in locs)
        root_tag = "urlset" if tag == "url" else "sitemapindex"
        return f'<?xml version="1.0"?><{root_tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</{root_tag}>'

    server = serve(tmp_path / "site")
    write_site(tmp_path / "site", {"/": page_html("Home"), "/orphan/": page_html("Orphan"),
                                   "/deep/": page_html("Deep")}, {
        "/robots.txt": f"User-agent: *\nSitemap: {server.url('/index.xml')}\n".encode(),
        "/index.xml": sitemap(server.url("/pages.xml.gz"), "http://elsewhere.invalid/s.xml", tag="sitemap").encode(),
        "/pages.xml.gz": gzip.compress(sitemap(server.url("/orphan/"), "http://elsewhere.invalid/x",
                                               lastmod="<lastmod>2024-05-01</lastmod>").encode()),
        "/sitemap.xml": sitemap(server.url("/deep/")).encode(),
    })
    snapshot, _ = crawl(write_config(server.url("/")))
    pages = {p.title: p for p in snapshot.pages}
    assert set(pages) == {"Home", "Orphan", "Deep"}
    assert pages["Orphan"].sitemap_lastmod == "2024-05-01"
    assert pages["Orphan"].depth == 1


def test_extra_pages_on_other_hosts_are_audited_but_not_crawled(serve, write_config, tmp_path):
    other = serve(write_site(tmp_path / "other", {
        "/list.html": page_html("Directory"), "/more.html": page_html("More")}))
    (tmp_path / "other" / "list.html").write_text(page_html("Directory", links=(other.url("/more.html"),)))
    site = serve(write_site(tmp_path / "site", {"/": page_html("Home")}))
    config = write_config(site.url("/"), scheme=f'extra_pages = ["{other.url("/list.html")}"]')
    snapshot, _ = crawl(config)
    assert {p.title for p in snapshot.pages} == {"Home", "Directory"}
    assert "/more.html" not in other.paths("GET")            # only status-checked
    assert snapshot.links[other.url("/more.html")].external


def test_exclude_patterns_keep_urls_out(serve, write_config, tmp_path):
    server = serve(write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/news/print/1.html", "/news/a.html?replytocom=5", "/news/a.html")),
        "/news/a.html": page_html("A"), "/news/print/1.html": page_html("Print")}))
    snapshot, _ = crawl(write_config(server.url("/"), crawl='exclude = ["*/print/*", "*?replytocom=*"]'))
    assert {p.title for p in snapshot.pages} == {"Home", "A"}
    assert not [p for p in server.paths() if "print" in p or "replytocom" in p]


# --- caps and traps ------------------------------------------------------------
def test_max_pages_bounds_a_link_farm_and_says_so(serve, write_config, tmp_path):
    server = serve(link_farm(tmp_path / "site", 60))
    snapshot, _ = crawl(write_config(server.url("/"), crawl="max_pages = 10"))
    assert len(snapshot.pages) == 10
    assert len([p for p in server.paths("GET") if p.endswith(".html") or p == "/"]) == 10
    truncated = [e for e in snapshot.errors if e.kind == "truncated"]
    assert len(truncated) == 1 and "10 pages" in truncated[0].message
    assert snapshot.complete and "max_pages" in snapshot.stats["truncated"]


def test_per_pattern_cap_bounds_a_calendar_trap(serve, write_config, tmp_path):
    def month(req, _h):
        n = int(req.path.split("month=")[1])
        return html(page_html(f"Month {n}", links=(f"/calendar?month={n + 1}", f"/calendar?month={n + 2}")))

    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/calendar?month=1", "/about/")),
                                                  "/about/": page_html("About")}), routes={"/calendar": month})
    snapshot, _ = crawl(write_config(server.url("/"), crawl="max_per_pattern = 4"))
    assert len([p for p in server.paths("GET") if p.startswith("/calendar")]) == 4
    assert "About" in {p.title for p in snapshot.pages}
    assert "/calendar?month" in snapshot.stats["truncated"]


def test_redirects_are_followed_once_and_loops_reported(serve, write_config, tmp_path):
    moved = lambda req, _h: Response(301, b"", {"Location": "/about/"})  # noqa: E731
    to_gone = lambda req, _h: Response(302, b"", {"Location": "/gone.html"})  # noqa: E731
    loop_a = lambda req, _h: Response(302, b"", {"Location": "/loop-b"})  # noqa: E731
    loop_b = lambda req, _h: Response(302, b"", {"Location": "/loop-a"})  # noqa: E731
    server = serve(write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/old", "/about/", "/loop-a", "/moved-away")),
        "/about/": page_html("About", links=("/gone.html",))}),
        routes={"/old": moved, "/loop-a": loop_a, "/loop-b": loop_b, "/moved-away": to_gone})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert [p.title for p in snapshot.pages].count("About") == 1
    assert server.paths("GET").count("/about/") == 1
    broken = {f.subject: f.message for f in codes(findings(snapshot, config), "link.broken")}
    assert set(broken) == {server.url("/loop-a"), server.url("/moved-away"), server.url("/gone.html")}
    assert "redirect loop" in broken[server.url("/loop-a")] and "404" in broken[server.url("/moved-away")]
    assert server.paths("GET").count("/gone.html") == 1


# --- failures --------------------------------------------------------------------
def test_404_500_timeout_and_refused_links_are_broken(serve, write_config, tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/gone"

    def slow(req, _h):
        time.sleep(1.5)
        return html(page_html("Slow"))

    server = serve(write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/missing.html", "/error", "/slow", dead))}),
        routes={"/error": lambda req, _h: html("oops", 500), "/slow": slow})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config, timeout_seconds=0.5)
    broken = {f.subject: f.message for f in codes(findings(snapshot, config), "link.broken")}
    assert set(broken) == {server.url("/missing.html"), server.url("/error"), server.url("/slow"), dead}
    assert "404" in broken[server.url("/missing.html")] and "500" in broken[server.url("/error")]
    assert "timed out" in broken[server.url("/slow")] and "refused" in broken[dead]
    assert server.paths("GET").count("/error") == 3          # retried twice with backoff


def test_429_with_retry_after_is_honoured(serve, write_config, tmp_path):
    seen: list[float] = []

    def busy(req, _h):
        seen.append(time.monotonic())
        if len(seen) == 1:
            return html("slow down", 429, **{"Retry-After": "1"})
        return html(page_html("Busy page"))

    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/busy",))}), routes={"/busy": busy})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert "Busy page" in {p.title for p in snapshot.pages}
    assert len(seen) == 2 and seen[1] - seen[0] >= 0.9
    assert not codes(findings(snapshot, config), "link.broken")


def test_start_page_down_is_a_crawl_error(write_config):
    snapshot, _ = crawl(write_config(f"http://127.0.0.1:{free_port()}/"))
    assert [e.kind for e in snapshot.errors] == ["down"]
    assert "connection refused" in snapshot.errors[0].message
    assert snapshot.pages == []


def test_start_page_server_error_is_down(serve, write_config):
    server = serve(routes={"/": lambda req, _h: html("broken", 503)})
    snapshot, _ = crawl(write_config(server.url("/")))
    assert [e.kind for e in snapshot.errors] == ["down"] and "503" in snapshot.errors[0].message


# --- a site that blocks the auditor --------------------------------------------------
def test_start_page_403_is_blocked_not_broken(serve, write_config):
    server = serve(routes={"/": lambda req, _h: html("<title>Forbidden</title>", 403)})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert [e.kind for e in snapshot.errors] == ["blocked"]
    assert snapshot.errors[0].message.startswith("The site blocks the auditor")
    found = findings(snapshot, config)
    assert not codes(found, "link.broken") and len(codes(found, "crawl.error")) == 1


def test_bot_challenge_page_is_blocked(serve, write_config):
    challenge = "<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>"
    server = serve(routes={"/": lambda req, _h: html(challenge, 503, **{"cf-mitigated": "challenge"})})
    snapshot, _ = crawl(write_config(server.url("/")))
    assert [e.kind for e in snapshot.errors] == ["blocked"]
    assert snapshot.pages == []


def test_most_pages_refusing_means_blocked_and_no_broken_links(serve, write_config, tmp_path):
    paths = [f"/p{i}" for i in range(5)]
    routes = {p: (lambda req, _h: html("denied", 403)) for p in paths}
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=tuple(paths))}), routes=routes)
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    found = findings(snapshot, config)
    assert not codes(found, "link.broken")
    assert [e.kind for e in snapshot.errors] == ["blocked"] and "5 of 6 pages" in snapshot.errors[0].message


def test_a_single_forbidden_page_is_still_a_broken_link(serve, write_config, tmp_path):
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/a/", "/b/", "/secret"))} |
                              {"/a/": page_html("A"), "/b/": page_html("B")}),
                   routes={"/secret": lambda req, _h: html("denied", 403)})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert [f.subject for f in codes(findings(snapshot, config), "link.broken")] == [server.url("/secret")]
    assert not snapshot.errors


# --- encodings -------------------------------------------------------------------------
def test_encodings_from_header_bom_meta_and_fallback(serve, write_config, tmp_path):
    cp1252 = "<html><head><title>Cp</title></head><body><p>Caf\u00e9 \u201cquoted\u201d</p></body></html>"
    meta = "<html><head><meta charset=windows-1252><title>Meta</title></head><body><p>Caf\u00e9</p></body></html>"
    bom = "<html><head><title>Bom</title></head><body><p>Caf\u00e9 \u2013 na\u00efve</p></body></html>"
    root = write_site(tmp_path / "site", {"/": page_html("Home", links=("/w.cp1252.html", "/bom", "/meta"))},
                      {"/w.cp1252.html": cp1252.encode("cp1252")})
    server = serve(root, routes={
        "/bom": lambda req, _h: Response(200, b"\xef\xbb\xbf" + bom.encode(), {"Content-Type": "text/html; charset=iso-8859-1"}),
        "/meta": lambda req, _h: Response(200, meta.encode("cp1252"), {"Content-Type": "text/html"})})
    snapshot, _ = crawl(write_config(server.url("/")))
    text = {p.title: p.text for p in snapshot.pages}
    assert "Caf\u00e9 \u201cquoted\u201d" in text["Cp"]
    assert "Caf\u00e9 \u2013 na\u00efve" in text["Bom"]
    assert "Caf\u00e9" in text["Meta"]


# --- size caps, files, images ----------------------------------------------------------
def test_oversized_page_is_not_read_and_not_broken(serve, write_config, tmp_path):
    big = page_html("Big", "x" * 40_000)
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/big.html",)), "/big.html": big}))
    config = write_config(server.url("/"), crawl="max_page_mb = 0.01")
    snapshot, _ = crawl(config)
    assert {p.title for p in snapshot.pages} == {"Home"}
    assert not codes(findings(snapshot, config), "link.broken")
    assert [(e.kind, e.url) for e in snapshot.errors] == [("error", server.url("/big.html"))]
    assert "too large" in snapshot.errors[0].message


def test_documents_are_status_checked_never_downloaded(serve, write_config, tmp_path):
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=("/files/report.pdf", "/files/gone.pdf",
                                                                              "/download"))},
                              {"/files/report.pdf": b"%PDF-1.4" + b"0" * 200_000, "/dl.pdf": b"%PDF-1.4"}),
                   routes={"/download": lambda req, _h: Response(200, b"%PDF-1.4" + b"0" * 500_000,
                                                               {"Content-Type": "application/pdf"})})
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert "/files/report.pdf" not in server.paths("GET") and "/files/report.pdf" in server.paths("HEAD")
    assert snapshot.links[server.url("/files/report.pdf")].status == 200
    assert snapshot.links[server.url("/download")].status == 200 and not snapshot.links[server.url("/download")].broken
    assert [f.subject for f in codes(findings(snapshot, config), "link.broken")] == [server.url("/files/gone.pdf")]


def test_each_image_is_fetched_once_and_broken_ones_reported(serve, write_config, tmp_path):
    root = link_farm(tmp_path / "site", 12, links_per_page=3, images=1)
    (root / "p" / "5.html").write_text(page_html("Five", links=("/img/0.png",),
                                                 images=("/img/0.png", "/img/missing.png", "/img/bad.png")))
    (root / "img" / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    server = serve(root)
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert server.paths("GET").count("/img/0.png") == 1        # shown on many pages, linked from one
    assert snapshot.links[server.url("/img/0.png")].status == 200
    info = snapshot.images[server.url("/img/0.png")]
    assert info.format == "PNG" and info.width == 16 and set(info.hashes) >= {"phash", "dhash"}
    broken = {f.subject: f.message for f in codes(findings(snapshot, config), "image.broken")}
    assert set(broken) == {server.url("/img/missing.png"), server.url("/img/bad.png")}
    assert "404" in broken[server.url("/img/missing.png")] and "not a readable image" in broken[server.url("/img/bad.png")]


def test_decompression_bomb_and_oversized_images_are_recorded_not_decoded(serve, write_config, tmp_path):
    import io

    from PIL import Image
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, "PNG")
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", images=("/bomb.png", "/huge.png"))},
                              {"/bomb.png": bomb.getvalue(), "/huge.png": png(300, 300) + b"\0" * 30_000}))
    config = write_config(server.url("/"), crawl="max_image_mb = 0.02")
    snapshot, _ = crawl(config)
    bomb_info, huge = snapshot.images[server.url("/bomb.png")], snapshot.images[server.url("/huge.png")]
    assert bomb_info.oversized and "too large" in bomb_info.error and bomb_info.width == 0
    assert huge.oversized and "MB limit" in huge.error and not huge.hashes
    assert not codes(findings(snapshot, config), "image.broken")


# --- external links ---------------------------------------------------------------------
def test_external_links_checked_once_with_head_then_get(serve, write_config, tmp_path):
    def head_refused(req, _h):
        return Response(405 if req.method == "HEAD" else 200, b"ok", {"Content-Type": "text/plain"})

    ext = serve(routes={"/ok": lambda req, _h: Response(200, b"fine", {"Content-Type": "text/html"}),
                        "/picky": head_refused, "/gone": lambda req, _h: Response(404, b"no"),
                        "/down": lambda req, _h: Response(503, b"down")})
    links = (ext.url("/ok"), ext.url("/picky"), ext.url("/gone"), ext.url("/down"))
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=links + ("/a/",)),
                                                  "/a/": page_html("A", links=links)}))
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert [p for p in ext.paths() if p != "/robots.txt"].count("/ok") == 1
    assert [r.method for r in ext.requests if r.path == "/picky"] == ["HEAD", "GET"]
    assert snapshot.links[ext.url("/picky")].status == 200 and snapshot.links[ext.url("/ok")].external
    assert [r.method for r in ext.requests if r.path == "/down"] == ["HEAD", "HEAD"]   # one retry, no GET
    broken = codes(findings(snapshot, config), "link.broken")
    assert {f.subject for f in broken} == {ext.url("/gone"), ext.url("/down")} and {f.url for f in broken} == {server.url("/"),
                                                                                            server.url("/a/")}


def test_external_links_unchecked_when_switched_off(serve, write_config, tmp_path):
    ext = serve(routes={"/ok": lambda req, _h: Response(200, b"fine")})
    server = serve(write_site(tmp_path / "site", {"/": page_html("Home", links=(ext.url("/ok"),))}))
    crawl(write_config(server.url("/"), crawl="check_external_links = false"))
    assert ext.requests == []


# --- re-runs, progress, stopping -----------------------------------------------------------
def test_unchanged_rerun_is_conditional_and_reuses_extracts(serve, write_config, tmp_path, monkeypatch):
    root = link_farm(tmp_path / "site", 40, links_per_page=4, images=6)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /nothing/\n")
    server = serve(root)
    config = write_config(server.url("/"))
    first, _ = crawl(config)
    analysed: list[str] = []
    real = imaging.analyse
    monkeypatch.setattr(imaging, "analyse", lambda url, *a, **k: analysed.append(url) or real(url, *a, **k))
    before = len(server.requests)
    second, _ = crawl(config)
    requests = server.requests[before:]
    answered_304 = second.stats["not_modified"]
    assert len(requests) == second.stats["requests"]
    assert second.stats["conditional"] >= 0.9 * len(requests) and answered_304 >= 0.9 * len(requests)
    assert analysed == [] and second.stats["images_reused"] == len(second.images) == 6
    assert {p.url for p in second.pages} == {p.url for p in first.pages}
    assert all(not p.changed for p in second.pages)
    page = next(p for p in second.pages if p.title == "Page 3")
    assert page.links and page.images and page.text == next(p for p in first.pages if p.title == "Page 3").text
    assert second.images[server.url("/img/1.png")].hashes == first.images[server.url("/img/1.png")].hashes


def test_changed_page_is_reparsed_on_rerun(serve, write_config, tmp_path):
    root = link_farm(tmp_path / "site", 5, links_per_page=2)
    server = serve(root)
    config = write_config(server.url("/"))
    crawl(config)
    (root / "p" / "1.html").write_text(page_html("Page 1 renamed"))
    second, _ = crawl(config)
    changed = {p.title: p.changed for p in second.pages}
    assert changed["Page 1 renamed"] is True and changed["Page 2"] is False


def test_pages_stream_to_on_page_in_the_calling_thread(serve, write_config, tmp_path):
    server = serve(link_farm(tmp_path / "site", 10, links_per_page=3))
    threads, titles = set(), []

    def on_page(page):
        threads.add(threading.get_ident())
        titles.append(page.title)

    snapshot, _ = crawl(write_config(server.url("/")), on_page=on_page)
    assert threads == {threading.get_ident()}
    assert titles == [p.title for p in snapshot.pages] and len(titles) == 11
    assert snapshot.stats["pages"] == 11 and snapshot.stats["pages_per_second"] > 0


def test_stop_ends_the_crawl_promptly_and_marks_it_incomplete(serve, write_config, tmp_path):
    server = serve(link_farm(tmp_path / "site", 80, links_per_page=5))
    stop = threading.Event()
    snapshot, _ = crawl(write_config(server.url("/"), crawl="workers = 2"), stop=stop,
                        on_page=lambda page: stop.set() if page.title == "Home" else None)
    assert not snapshot.complete
    assert len(snapshot.pages) < 10
