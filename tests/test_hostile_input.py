"""Hostile input against real local servers: files that crash, abort or hang native decoders,
nesting that breaks parsers, pages that ask for floods of requests, servers that stall with
Retry-After, and links into internal networks. Hostile files are generated here, never stored.
"""
from __future__ import annotations

import base64
import io
import json
import os
import signal
import threading

import pyvips
from PIL import Image

from auditor import imaging, pipeline
from auditor.config import load
from auditor.isolation import Decoders, Limits
from conftest import Response, wait_for
from crawl_support import crawl
from ops_support import auditor, finish

# --- generated hostile files ------------------------------------------------------------------


def svg(body: str, width: int = 100, height: int = 100) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">{body}</svg>').encode()


def nested_groups(levels: int) -> bytes:
    """1.8 kB at 250 levels: enough to overflow resvg's stack."""
    return svg("<g>" * levels + '<rect width="10" height="10"/>' + "</g>" * levels)


def use_chain(links: int) -> bytes:
    """Shallow markup, deep drawing: each group draws the next through <use>."""
    defs = "".join(f'<g id="g{i}"><use href="#g{i + 1}"/></g>' for i in range(links))
    return svg(f'<defs>{defs}<g id="g{links}"><rect width="9" height="9"/></g></defs><use href="#g0"/>')


def embedded_giant() -> bytes:
    """A 30000 x 30000 PNG (compresses to about 110 kB) drawn inside a small SVG."""
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, "PNG", optimize=True)
    data = base64.b64encode(out.getvalue()).decode()
    return svg(f'<image width="100" height="100" href="data:image/png;base64,{data}"/>')


def costly_filters() -> bytes:
    filters = "".join(f'<filter id="f{i}"><feTurbulence baseFrequency="0.9" numOctaves="10"/>'
                      f'<feGaussianBlur stdDeviation="50"/></filter>' for i in range(20))
    shapes = "".join(f'<rect filter="url(#f{i})" width="100000" height="100000"/>' for i in range(20))
    return svg(filters + shapes, 10000, 10000)


def png(width: int = 120, height: int = 90, colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def html(body: str) -> Response:
    page = f"<!doctype html><html lang='en'><head><title>Home-Start Testshire</title></head><body>{body}</body></html>"
    return Response(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})


def image(data: bytes, ctype: str = "image/svg+xml") -> Response:
    return Response(200, data, {"Content-Type": ctype})


def audit(config_path) -> pipeline.RunResult:
    return pipeline.run(load(config_path), pipeline.Options(send_email=False))


def notes(result: pipeline.RunResult) -> str:
    return " ".join(result.notes)


# --- native decoders ---------------------------------------------------------------------------

def test_svgs_that_crashed_aborted_or_hung_the_audit_cost_only_themselves(serve, write_config):
    """Before: 250 nested groups killed `auditor run` with SIGSEGV (and every later run), an embedded
    30000 x 30000 PNG with SIGABRT, costly filters ran for more than 400 s."""
    files = {"/nested.svg": nested_groups(250), "/chain.svg": use_chain(300), "/giant.svg": embedded_giant(),
             "/filters.svg": costly_filters(), "/fine.png": png()}
    body = "<main><h1>Home-Start Testshire</h1>" + "".join(f"<img src='{p}' alt='x'>" for p in files) + "</main>"
    routes = {"/": lambda req, h: html(body)}
    routes.update({p: (lambda req, h, d=d, p=p: image(d, "image/png" if p.endswith("png") else "image/svg+xml"))
                   for p, d in files.items()})
    server = serve(routes=routes)
    config = write_config(server.url("/"), crawl="decode_seconds = 1")
    for _ in range(2):      # the next audit is not killed either
        code, out, err = finish(auditor(config, "run", "--no-email", "--json", "findings.json"), timeout=240)
        assert code == 1 and "incomplete" in out, err      # it ends, and says images were not checked
        doc = json.loads((config.parent / "findings.json").read_text(encoding="utf-8"))
        assert doc["state"] == "incomplete"
        reasons = {}
        for f in doc["findings"]:
            if f["check"] == "crawl.error" and f["evidence"].get("kind") == "unchecked":
                reasons.update({i["url"].rsplit("/", 1)[-1]: i["reason"] for i in f["evidence"]["images"]})
        assert set(reasons) == {"nested.svg", "chain.svg", "giant.svg", "filters.svg"}
        assert "more than 64 levels deep" in reasons["nested.svg"] and "more than 64 levels" in reasons["chain.svg"]
        assert "embeds images too large" in reasons["giant.svg"]
        assert "processor time" in reasons["filters.svg"] or "took longer" in reasons["filters.svg"]
        assert doc["images_checked"] >= 1      # the ordinary image was analysed


def test_a_worker_that_dies_costs_only_its_image_and_the_next_gets_a_new_worker():
    with Decoders(1, Limits(memory_mb=512, cpu_seconds=60)) as decoders:
        got: list = []
        busy = threading.Thread(target=lambda: got.append(decoders.analyse("https://x.test/f.svg", costly_filters(),
                                                                           "image/svg+xml")))
        busy.start()
        assert wait_for(lambda: bool(decoders._all), timeout=30)
        os.kill(decoders._all[0].proc.pid, signal.SIGSEGV)
        busy.join(60)
        info = got[0]
        assert info.facts[imaging.NOT_CHECKED_KIND] == "crashed" and "SIGSEGV" in info.facts[imaging.NOT_CHECKED]
        after = decoders.analyse("https://x.test/fine.png", png(), "image/png")
        assert after.width == 120 and after.hashes and imaging.NOT_CHECKED not in after.facts
        assert decoders.counts == {"workers_started": 2, "workers_lost": 1}


def test_an_image_needing_more_memory_than_allowed_is_not_checked_and_the_worker_recovers():
    # an interlaced PNG cannot be decoded a strip at a time: 6000x6000 needs some 100 MB at once
    huge = pyvips.Image.black(6000, 6000, bands=3).pngsave_buffer(interlace=True)
    with Decoders(1, Limits(memory_mb=64, cpu_seconds=30)) as decoders:
        info = decoders.analyse("https://x.test/huge.png", huge, "image/png")
        assert info.facts[imaging.NOT_CHECKED_KIND] == "memory"
        assert "64 MB" in info.facts[imaging.NOT_CHECKED] and info.error is None
        assert decoders.analyse("https://x.test/fine.png", png(), "image/png").hashes


def test_deeply_nested_html_is_read_up_to_the_limit_and_said_to_be_read_in_part(serve, write_config):
    """Before (with a parser that recurses): 100k <div>, 1M <b> or an inline SVG logo of 100k <g> crashed the audit."""
    pages = {
        "/divs": "<div>" * 100_000 + "deep" + "</div>" * 100_000,
        "/bold": "<b>" * 1_000_000 + "deep" + "</b>" * 1_000_000,
        "/logo": "<header><svg class='logo' viewBox='0 0 10 10'>" + "<g>" * 100_000 + "</g>" * 100_000 + "</svg></header>",
    }
    links = "".join(f"<a href='{p}'>{p}</a>" for p in pages)
    routes = {"/": lambda req, h: html(f"<main><h1>Home-Start Testshire</h1>{links}</main>")}
    routes.update({p: (lambda req, h, b=b: html(f"<main><p>Opening words</p>{b}</main>")) for p, b in pages.items()})
    server = serve(routes=routes)
    snapshot, _ = crawl(write_config(server.url("/")))
    texts = {p.url: p.text for p in snapshot.pages}
    assert all("Opening words" in texts[server.url(p)] for p in pages)
    partial = [e for e in snapshot.errors if "read only in" in e.message]
    assert len(partial) == 1 and set(partial[0].evidence["pages"]) == set(map(server.url, pages))
    assert "nested more than 256 levels" in partial[0].message


# --- caps ----------------------------------------------------------------------------------------

def counting_server(serve, host: str = "127.0.0.1", ctype: str = "text/plain", body: bytes = b"ok"):
    """A server answering anything with `body`, listing every path it is asked for."""
    seen: list[str] = []

    class Everything(dict):
        def get(self, path, default=None):
            return answer

    def answer(req, h):
        seen.append(req.path)
        return Response(200, body, {"Content-Type": ctype})

    server = serve(host=host)
    server.routes = Everything()
    return server, seen


def fetched(seen: list[str]) -> list[str]:
    return [p for p in seen if p != "/robots.txt"]


def test_external_links_are_capped_per_page_and_per_audit(serve, write_config):
    """Before: a page with 20,000 distinct external links made 20,000 requests (2.8 hours at 0.5 s each)."""
    other, asked = counting_server(serve)
    flood = "".join(f"<a href='{other.url(f'/x/{i}')}'>{i}</a>" for i in range(20_000))
    few = [f"<a href='{other.url(f'/p{p}/{i}')}'>{i}</a>" for p in (1, 2) for i in range(40)]
    routes = {"/": lambda req, h: html("<main><h1>Home-Start Testshire</h1><a href='/flood'>f</a>"
                                       "<a href='/one'>1</a><a href='/two'>2</a></main>"),
              "/flood": lambda req, h: html(f"<main>{flood}</main>"),
              "/one": lambda req, h: html("<main>" + "".join(few[:40]) + "</main>"),
              "/two": lambda req, h: html("<main>" + "".join(few[40:]) + "</main>")}
    site = serve(routes=routes)
    result = audit(write_config(site.url("/"), crawl="max_external_links_per_page = 30\nmax_external_links = 70"))
    assert len(fetched(asked)) == 70
    flood_checked = [p for p in asked if p.startswith("/x/")]
    assert len(flood_checked) <= 30
    assert result.status == "incomplete"
    assert "crawl.max_external_links_per_page" in notes(result) and site.url("/flood") in notes(result)
    assert "crawl.max_external_links)" in notes(result)


def test_images_are_capped_per_page_and_per_audit(serve, write_config):
    """Before: a page with 20,000 distinct <img> sources was still fetching after 240 s."""
    other, asked = counting_server(serve, ctype="image/png", body=png(40, 30))
    flood = "".join(f"<img src='{other.url(f'/i/{i}.png')}' alt='{i}'>" for i in range(20_000))
    few = "".join(f"<img src='{other.url(f'/j/{i}.png')}' alt='{i}'>" for i in range(20))
    routes = {"/": lambda req, h: html(f"<main><h1>Home-Start Testshire</h1><a href='/flood'>f</a>{few}</main>"),
              "/flood": lambda req, h: html(f"<main>{flood}</main>")}
    site = serve(routes=routes)
    result = audit(write_config(site.url("/"), crawl="max_images_per_page = 25"))
    assert len(fetched(asked)) == 45 and sum(p.startswith("/j/") for p in asked) == 20
    assert result.status == "incomplete"
    assert f"Only the first 25 images on the page {site.url('/flood')} were checked" in notes(result)
    assert "(crawl.max_images_per_page); 19975 more were not" in notes(result)
    asked.clear()
    second = audit(write_config(site.url("/"), crawl="max_images = 30", name="audit-cap.toml", storage="var2"))
    assert len(fetched(asked)) == 30 and second.status == "incomplete"
    assert "The audit checked its limit of 30 images (crawl.max_images)" in notes(second)


def retrying_site(serve, pages: int, retry_after: str):
    asked: list[str] = []

    def busy(req, h):
        asked.append(req.path)
        return Response(503, b"busy", {"Content-Type": "text/html", "Retry-After": retry_after})

    links = "".join(f"<a href='/p{i}'>{i}</a>" for i in range(pages))
    routes = {"/": lambda req, h: html(f"<main><h1>Home-Start Testshire</h1>{links}</main>")}
    routes.update({f"/p{i}": busy for i in range(pages)})
    return serve(routes=routes), asked


def test_the_audit_stops_at_its_time_limit_and_says_so(serve, write_config):
    """Before: 20 pages answering 503 with Retry-After: 59 took 600 s; 1,000 would take 33 hours."""
    site, _ = retrying_site(serve, 1000, "59")
    result = audit(write_config(site.url("/"), crawl="max_hours = 0.0005"))
    assert result.status == "incomplete"
    assert "time limit of 0.0005 hours (crawl.max_hours)" in notes(result)


def test_retry_after_waiting_is_capped_per_host(serve, write_config):
    site, asked = retrying_site(serve, 20, "1")
    result = audit(write_config(site.url("/"), crawl="max_retry_wait_seconds = 1\nworkers = 1"))
    assert len(asked) <= 20 + 1          # one retry fits in the allowance, no more
    assert result.status == "incomplete"
    assert f"The server 127.0.0.1:{site.port} asked the auditor to wait" in notes(result)
    assert "crawl.max_retry_wait_seconds" in notes(result)


# --- addresses -----------------------------------------------------------------------------------

def broken(result: pipeline.RunResult) -> dict[str, str]:
    return {f.subject: f.message for f in result.findings if f.check in ("link.broken", "image.broken")}


def test_redirects_links_and_images_into_internal_addresses_are_refused(serve, write_config):
    """Before: a redirect from the site to another service on the host, and a link to a cloud metadata
    address, were requested. The site lives on 127.0.0.1, so only that address is let through."""
    internal, reached = counting_server(serve, "127.0.0.2")
    body = ("<main><h1>Home-Start Testshire</h1><a href='/go'>redirected</a>"
            f"<a href='http://169.254.169.254/latest/meta-data/'>metadata</a>"
            f"<a href='{internal.url('/direct')}'>direct</a>"
            f"<a href='http://[::ffff:127.0.0.2]:{internal.port}/mapped'>mapped</a>"
            f"<img src='{internal.url('/photo.png')}' alt='photo'></main>")
    routes = {"/": lambda req, h: html(body),
              "/go": lambda req, h: Response(302, b"", {"Location": internal.url("/admin")})}
    site = serve(routes=routes)
    result = audit(write_config(site.url("/")))
    assert reached == []
    found = broken(result)
    for url in (site.url("/go"), "http://169.254.169.254/latest/meta-data/", internal.url("/direct"),
                internal.url("/photo.png")):
        assert "internal network address" in found[url], url
    assert "(169.254.169.254)" in found["http://169.254.169.254/latest/meta-data/"]


def test_the_rule_follows_resolved_addresses_and_the_configured_hosts(serve, write_config):
    """A site on 127.0.0.2: `localhost` resolves to 127.0.0.1, which is not the site's address, so a link
    there is refused; a link to another port of the site's own address is checked."""
    elsewhere, reached = counting_server(serve, "127.0.0.1")
    neighbour, checked = counting_server(serve, "127.0.0.2")
    body = (f"<main><h1>Home-Start Testshire</h1><a href='http://localhost:{elsewhere.port}/x'>named</a>"
            f"<a href='{neighbour.url('/y')}'>neighbour</a></main>")
    site = serve(routes={"/": lambda req, h: html(body)}, host="127.0.0.2")
    result = audit(write_config(site.url("/")))
    assert reached == [] and "/y" in checked
    assert "internal network address (127.0.0.1)" in broken(result)[f"http://localhost:{elsewhere.port}/x"]


def test_social_endpoints_are_let_through_and_what_they_point_to_is_checked(serve, write_config):
    internal, reached = counting_server(serve, "127.0.0.2")
    profile = ("<html><head><meta property='og:title' content='Home-Start Testshire'>"
               f"<meta property='og:image' content='{internal.url('/avatar.png')}'></head><body></body></html>")
    social = serve(routes={"/profile": lambda req, h: Response(200, profile.encode(), {"Content-Type": "text/html"})})
    site = serve(routes={"/": lambda req, h: html("<main><h1>Home-Start Testshire</h1></main>")})
    extra = f'[[social]]\nplatform = "page"\nurl = "{social.url("/profile")}"\n'
    result = audit(write_config(site.url("/"), extra=extra))
    assert reached == []
    assert result.run_id and not any(f.check == "social.unreachable" for f in result.findings)
