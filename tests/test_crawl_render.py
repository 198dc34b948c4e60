"""Pages built by script, read in a real headless Chromium, against real servers on 127.0.0.1."""
from __future__ import annotations

import shutil

import pytest

from auditor.checks import Resources
from auditor.checks import crawl as crawl_check
from auditor.config import load
from auditor.crawl.extract import extract_tree, parse_html
from auditor.crawl.render import find_chromium, needed
from auditor.snapshot import Page
from conftest import SITES
from crawl_support import crawl, page_html, write_site

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
SCRIPTED = SITES / "scripted"
SCRIPTED_TITLES = {f"{t} | Home-Start Testshire" for t in
                   ("Welcome", "About us", "Get support", "Volunteer with us", "Gallery", "Contact", "Privacy notice")}


def why(html: str) -> str:
    doc = parse_html(html)
    return needed(doc, extract_tree(Page(url="https://example.org/"), doc))


# --- which pages need a browser (no browser involved) ------------------------
@pytest.mark.parametrize("html, reason", [
    ("<html><body><div id=header></div><p>Text</p><script>$('#header').load('header.html')</script></body></html>",
     "loads parts of itself"),
    ("<html><body><div id=root></div><script src=bundle.js></script></body></html>", "app whose page is empty"),
    ("<html ng-app=app><body><div ng-view></div><script src=app.js></script></body></html>", "AngularJS"),
    ("<html><body><nav><ul><li onclick=go(1)>About</li></ul></nav><a href=/x>x</a><script>go()</script></body></html>",
     "menu has no links"),
    ("<html><body><noscript>You need to enable JavaScript to run this app.</noscript><script src=a.js></script>"
     "</body></html>", "needs JavaScript"),
    ("<html><body><div class=site-footer></div><main><p>Words</p><a href=/a>a</a></main>"
     "<script src=/js/include.js></script></body></html>", "footer is empty"),
    ("<html><body><p>Hi</p><script>" + "var x = 1;" * 500 + "</script></body></html>", "much script"),
])
def test_pages_built_by_script_are_noticed(html, reason):
    assert reason in why(html)


@pytest.mark.parametrize("html", [
    "<html><body><header><nav><a href=/a>A</a><a href=/b>B</a></nav></header><p>Text</p></body></html>",
    # script present, but the page's own links and text are all there
    "<html><body><nav><a href=/a>A</a><a href=/b>B</a><a href=/c>C</a></nav><main><p>" + "Words. " * 200 +
    "</p></main><noscript><img src=/pixel.gif></noscript><div class=clear></div>"
    "<script src=/wp-includes/jquery.js></script><script>jQuery('.x').hide()</script></body></html>",
])
def test_ordinary_pages_need_no_browser(html):
    assert why(html) == ""


# --- rendering ----------------------------------------------------------------
@needs_chromium
def test_a_site_whose_menu_and_footer_are_loaded_by_script_is_read_whole(serve, write_config):
    server = serve(SCRIPTED)
    config = write_config(server.url("/"))
    before, _ = crawl(config, render=False)
    assert [p.title for p in before.pages] == ["Welcome | Home-Start Testshire"]
    snapshot, _ = crawl(config)
    assert SCRIPTED_TITLES <= {p.title for p in snapshot.pages}
    home = next(p for p in snapshot.pages if p.url == server.url("/"))
    assert home.rendered and "loads parts of itself" in home.script_built
    assert "\u00a9 2019 Home-Start Testshire" in home.regions["footer"]
    assert {link.region for link in home.links if link.url.endswith("/about.html")} == {"nav"}
    # jQuery named on a CDN was answered from the shipped copy; images, styles and fragments of
    # other sites are never asked for
    assert not [e for e in snapshot.errors if e.kind == "unrendered"] and snapshot.complete
    assert snapshot.stats["pages_rendered"] >= len(SCRIPTED_TITLES)


@needs_chromium
def test_rendering_asks_only_the_site_within_robots_txt(serve, write_config, tmp_path):
    elsewhere = serve(routes={})
    script = (f"<script src='{elsewhere.url('/tracker.js')}'></script>"
              "<script>fetch('/private/part.html').then(r => r.text()).then(t => document.body.innerHTML += t);"
              "fetch('/menu.html').then(r => r.text()).then(t => document.getElementById('menu').innerHTML = t);"
              f"var i = new Image(); i.src = '{elsewhere.url('/pixel.gif')}';</script>")
    root = write_site(tmp_path / "site", {
        "/": f"<html><head><title>Home</title></head><body><nav id=menu></nav>{script}</body></html>",
        "/menu.html": "<ul><li><a href='/about.html'>About</a></li></ul>",
        "/about.html": page_html("About"),
        "/private/part.html": "<a href='/secret.html'>secret</a>",
    }, {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"})
    server = serve(root)
    snapshot, _ = crawl(write_config(server.url("/")))
    assert "About" in {p.title for p in snapshot.pages}
    assert elsewhere.paths() == []
    assert not [p for p in server.paths() if p.startswith("/private/") or p == "/secret.html"]


@needs_chromium
def test_views_of_a_hash_routed_app_are_pages_of_their_own(serve, write_config, tmp_path):
    app = ("<script>var views = {'/': 'Welcome to the app', '/about': 'About our families', '/contact': 'Write to us'};"
           "function show() { var v = location.hash.replace(/^#!?/, '') || '/';"
           " document.getElementById('app').innerHTML = '<nav><a href=\"#/\">Home</a> <a href=\"#/about\">About</a> "
           "<a href=\"#/contact\">Contact</a></nav><main><p>' + views[v] + '</p></main>'; }"
           "window.onhashchange = show; show();</script>")
    root = write_site(tmp_path / "site", {"/": f"<html><head><title>App</title></head><body><div id=app></div>{app}"
                                               "</body></html>"})
    server = serve(root)
    snapshot, _ = crawl(write_config(server.url("/")))
    texts = {p.url: p.text for p in snapshot.pages}
    assert "About our families" in texts[server.url("/#/about")]
    assert "Write to us" in texts[server.url("/#/contact")]
    assert "Welcome to the app" in texts[server.url("/")]


def test_without_chromium_the_audit_runs_and_says_which_pages_and_how_to_install(serve, write_config, tmp_path):
    server = serve(SCRIPTED)
    config = write_config(server.url("/"), crawl=f'chromium = "{tmp_path / "no-such-browser"}"')
    snapshot, _ = crawl(config)
    assert [p.title for p in snapshot.pages] == ["Welcome | Home-Start Testshire"]
    assert not snapshot.complete
    [error] = [e for e in snapshot.errors if e.kind == "unrendered"]
    assert error.evidence["pages"] == [server.url("/")]
    found = [f for f in crawl_check.check(snapshot, Resources(config=load(config))) if f.check == "crawl.error"]
    assert len(found) == 1 and "built by script" in found[0].message
    assert "apt-get install chromium" in found[0].message


def test_rendering_can_be_turned_off(serve, write_config):
    server = serve(SCRIPTED)
    snapshot, _ = crawl(write_config(server.url("/"), crawl="render = false"))
    assert [p.title for p in snapshot.pages] == ["Welcome | Home-Start Testshire"]
    assert not snapshot.errors and not any(p.script_built for p in snapshot.pages)


@needs_chromium
def test_a_script_built_page_is_rendered_again_on_a_re_audit(serve, write_config, tmp_path):
    root = write_site(tmp_path / "site", {
        "/": "<html><head><title>Home</title></head><body><div id=header></div>"
             "<script>fetch('/header.html').then(r => r.text()).then(t => "
             "document.getElementById('header').innerHTML = t)</script></body></html>",
        "/header.html": "<a href='/one.html'>One</a>", "/one.html": page_html("One"), "/two.html": page_html("Two"),
    })
    server = serve(root)
    config = write_config(server.url("/"))
    first, _ = crawl(config)
    (root / "header.html").write_text("<a href='/two.html'>Two</a>", encoding="utf-8")
    second, _ = crawl(config)
    assert "One" in {p.title for p in first.pages}
    assert "Two" in {p.title for p in second.pages}


def test_the_chromium_finder_uses_the_path(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() == str(fake)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_chromium() is None and shutil.which("chromium") is None
