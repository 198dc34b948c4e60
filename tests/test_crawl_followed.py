"""Following by what a response is, not by how its address looks, and links in script handlers."""
from __future__ import annotations

from auditor.checks import Resources
from auditor.checks import crawl as crawl_check
from auditor.config import load
from auditor.crawl.extract import extract
from auditor.snapshot import Page
from conftest import Response
from crawl_support import crawl, page_html, png, write_site


def test_gallery_pages_with_image_addresses_are_read_as_pages(serve, write_config, tmp_path):
    gallery = {f"/gallery/2019/fete/image{i}.jpg": page_html(f"Fete photo {i}", f"Photo {i} of the summer fete")
               for i in range(1, 4)}

    def html_answer(path):
        body = gallery[path].encode()
        return lambda req, h: Response(200, body, {"Content-Type": "text/html; charset=utf-8"})

    root = write_site(tmp_path / "site", {
        "/": page_html("Home", links=("/gallery/",)),
        "/gallery/": page_html("Gallery", links=tuple(gallery) + ("/photos/real.jpg",)),
    }, {"/photos/real.jpg": png()})
    server = serve(root, routes={path: html_answer(path) for path in gallery})
    snapshot, _ = crawl(write_config(server.url("/")))
    titles = {p.title for p in snapshot.pages}
    assert {"Fete photo 1", "Fete photo 2", "Fete photo 3"} <= titles
    # the real image behind a .jpg link is only status-checked, never read as a page or downloaded
    assert server.paths("GET").count("/photos/real.jpg") == 0
    assert not any(p.url.endswith("/photos/real.jpg") for p in snapshot.pages)


def test_gallery_pages_are_found_again_on_a_re_audit(serve, write_config, tmp_path):
    def answer(req, h):
        return Response(200, page_html("Fete photo", "At the fete").encode(),
                        {"Content-Type": "text/html; charset=utf-8", "ETag": '"g1"'})

    root = write_site(tmp_path / "site", {"/": page_html("Home", links=("/gallery/a/image1.jpg",))})
    server = serve(root, routes={"/gallery/a/image1.jpg": answer})
    config = write_config(server.url("/"))
    first, _ = crawl(config)
    second, _ = crawl(config)
    assert "Fete photo" in {p.title for p in first.pages}
    assert "Fete photo" in {p.title for p in second.pages}


def test_javascript_handlers_naming_a_same_site_page_are_followed(serve, write_config, tmp_path):
    home = page_html("Home", body=(
        '<a href="javascript:popup(\'/print/leaflet.html\')">Print the leaflet</a> '
        '<a href="javascript:void(0)" onclick="window.location=\'contact.html\'">Contact us</a> '
        '<a href="javascript:openWin(\'https://elsewhere.example/x\')">Elsewhere</a> '
        '<button onclick="ga(\'send\', \'/not-a-page\')">Track</button>'))
    root = write_site(tmp_path / "site", {
        "/": home, "/print/leaflet.html": page_html("Printable leaflet"), "/contact.html": page_html("Contact"),
    })
    server = serve(root)
    config = write_config(server.url("/"))
    snapshot, _ = crawl(config)
    assert {"Printable leaflet", "Contact"} <= {p.title for p in snapshot.pages}
    # another site's address in a handler is not followed, not even checked
    assert "https://elsewhere.example/x" not in snapshot.links
    # a string that only looks like a path was tried, and is not blamed as a broken link
    assert "/not-a-page" in server.paths()
    found = list(crawl_check.check(snapshot, Resources(config=load(config))))
    assert not [f for f in found if f.check == "link.broken"]


def test_script_handlers_yield_links_tagged_as_script():
    page = extract(Page(url="https://example.org/a/"), '<html><body>'
                   '<a href="javascript:popup(\'../print/12\')">Print</a>'
                   '<a href="javascript:void(0)">Nothing</a>'
                   '<li onclick="location.href=\'/about.php?x=1\'">About</li></body></html>')
    assert [(link.url, link.tag, link.text) for link in page.links] == [
        ("https://example.org/print/12", "script", "Print"),
        ("https://example.org/about.php?x=1", "script", "About")]
