"""The benchmark's synthetic site is deterministic and is what the benchmark says it is."""
from __future__ import annotations

import hashlib
from pathlib import Path

import imagehash
import pytest
import requests
from lxml import html
from PIL import Image

from bench import generate
from bench.server import Server, Site

PAGES, PHOTOS = 20, 5


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return generate.ensure_site(tmp_path_factory.mktemp("cache"), PAGES, PHOTOS)


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _pages(root: Path) -> list[Path]:
    layout = generate.Layout(PAGES, PHOTOS)
    return [generate.file_for(root, layout.page_path(i)) for i in range(PAGES)]


def test_generation_is_deterministic(site, tmp_path):
    again = tmp_path / "again"
    generate.generate(again, PAGES, PHOTOS)
    assert _digests(again) == {k: v for k, v in _digests(site).items() if k != "manifest.json"}


def test_cached_site_is_reused_and_rebuilt_when_the_version_changes(site, monkeypatch):
    marker = site / "marker"
    marker.write_text("kept")
    assert generate.ensure_site(site.parent, PAGES, PHOTOS) == site and marker.exists()
    monkeypatch.setattr(generate, "VERSION", generate.VERSION + 1)
    assert generate.ensure_site(site.parent, PAGES, PHOTOS) == site and not marker.exists()


def test_pages_have_the_promised_size_regions_and_links(site):
    counts = []
    for path in _pages(site):
        assert 15_000 <= path.stat().st_size <= 40_000, path
        doc = html.fromstring(path.read_bytes())
        assert doc.xpath("//header//img") and doc.xpath("//nav") and doc.xpath("//footer")
        counts.append(len(doc.xpath("//a[starts-with(@href, '/') or starts-with(@href, 'http') "
                                    "or starts-with(@href, '@@')]")))
    assert 30 <= sum(counts) / len(counts) <= 40 and min(counts) >= 25


def test_links_and_images_resolve_within_the_site(site):
    layout = generate.Layout(PAGES, PHOTOS)
    used = set()
    for path in _pages(site):
        doc = html.fromstring(path.read_bytes())
        for href in doc.xpath("//a/@href"):
            if href.startswith("/") and "withdrawn" not in href:
                assert generate.file_for(site, href).exists(), href
        used.update(doc.xpath("//img/@src"))
    assert {layout.photo_path(k) for k in range(PHOTOS)} <= used


def test_photos_are_distinct_800x600_jpegs(site):
    layout = generate.Layout(PAGES, PHOTOS)
    hashes = []
    for k in range(PHOTOS):
        with Image.open(generate.file_for(site, layout.photo_path(k))) as img:
            assert (img.format, img.size) == ("JPEG", (800, 600))
            hashes.append(imagehash.phash(img))
    assert min(a - b for i, a in enumerate(hashes) for b in hashes[i + 1:]) >= 10


def test_sitemap_and_robots(site):
    sitemap = (site / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == PAGES
    assert "Sitemap: @@SITE@@/sitemap.xml" in (site / "robots.txt").read_text()


def test_server_fills_origins_and_answers_conditional_requests(site):
    answer = Site(site, "http://127.0.0.1:1", "http://127.0.0.1:2").answer
    status, meta, body = answer("/robots.txt", {})
    assert status == 200 and b"Sitemap: http://127.0.0.1:1/sitemap.xml" in body
    etag = dict(meta)["ETag"]
    assert answer("/robots.txt", {"if-none-match": etag})[0] == 304
    assert answer("/", {})[0] == 200 and b"@@" not in answer("/", {})[2]
    assert answer("/../etc/passwd", {})[0] == 404 and answer("/nothing.html", {})[0] == 404


def test_server_keeps_connections_alive_and_answers_304_over_http(site):
    server = Server(site)
    try:
        with requests.Session() as session:
            first = session.get(server.origin + "/")
            assert first.status_code == 200 and server.origin.encode() in first.content
            again = session.get(server.origin + "/", headers={"If-None-Match": first.headers["ETag"]})
            assert again.status_code == 304 and again.content == b""
            assert session.head(server.external + "/partners/1.html").status_code == 200
            assert session.get(server.origin + "/missing.html").status_code == 404
        assert first.headers["Connection"] == "keep-alive" and "LinkChecker" in first.headers
    finally:
        server.close()
