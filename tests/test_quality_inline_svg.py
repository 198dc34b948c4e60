"""Inline <svg> logos: recorded by the extractor, analysed by the crawl, matched by the logo check."""
from __future__ import annotations

import re
import shutil

import pytest

from auditor import imaging, pipeline
from auditor.config import load
from auditor.crawl.extract import extract
from auditor.identity.logos import LogoMatcher, load_folder
from auditor.snapshot import Page
import identity_support as S
from crawl_support import page_html, write_site


def inline(svg: bytes, **attrs: str) -> str:
    """SVG as a theme writes it into HTML: no namespace, no title, its own attributes."""
    text = re.sub(r"<title>.*?</title>", "", svg.decode())
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return text.replace(' xmlns="http://www.w3.org/2000/svg"', extra, 1)


def page(title: str, header: str) -> str:
    return page_html(title).replace("<header>", f"<header>{header}", 1)


MENU = '<button><svg class="menu-toggle" viewBox="0 0 24 24"><path d="M3 6h18M3 12h18"/></svg></button>'


@pytest.fixture
def logo_findings(serve, write_config, tmp_path):
    approved, deprecated = tmp_path / "approved", tmp_path / "deprecated"
    shutil.copytree(S.REFERENCES / "approved", approved)
    shutil.copytree(S.REFERENCES / "deprecated", deprecated)
    site = write_site(tmp_path / "site", {
        # approved logo drawn in the header, claimed by nothing but its place: found by matching
        "/": page("Home", f'<div>{inline(S.APPROVED_SVG.read_bytes())}</div>{MENU}'),
        "/about/": page("About", f'<a href="/">{inline(S.DEPRECATED_SVG.read_bytes(), class_="logo")}</a>'),
        # a recoloured drawing in the theme's logo box: present, but not verifiable
        "/team/": page("Team", f'<div class="site-logo">{inline(S.others()["recoloured"])}</div>'),
        "/contact/": page("Contact", MENU),
    })
    server = serve(root=site)
    links = "".join(f'<a href="{p}">{p}</a>' for p in ("/about/", "/team/", "/contact/"))
    (site / "index.html").write_text((site / "index.html").read_text().replace("<main>", f"<main>{links}"))
    config = load(write_config(server.url("/"), extra=f'[identity]\napproved_logos = "{approved}"\n'
                                                      f'deprecated_logos = "{deprecated}"\n'))
    result = pipeline.run(config, pipeline.Options(send_email=False))
    assert result.counts["pages"] == 4
    return server, [f for f in result.findings if f.check.startswith(("logo.", "image."))]


def test_inline_svg_logos_are_matched_like_image_files(logo_findings):
    server, found = logo_findings
    by_page = {(f.check, f.url.rstrip("/").rsplit("/", 1)[-1]) for f in found}
    # home: approved drawing matched; team: logo box with a recoloured drawing is not judged
    # about: the old logo, so the approved one is missing there too (as for image files)
    assert by_page == {("logo.deprecated", "about"), ("logo.missing", "about"), ("logo.missing", "contact")}
    [old] = [f for f in found if f.check == "logo.deprecated"]
    assert old.subject.startswith(server.url("/") + "#svg-") and old.evidence["kind"] == "inline-svg"
    assert "inline SVG" in old.message


def test_extract_records_only_svgs_presented_as_logos():
    html = ('<html><body><header><a href="/"><svg viewBox="0 0 10 4"><title>Our logo</title>'
            '<linearGradient id="g"/><rect width="10" height="4"/></svg></a></header>'
            '<main><svg viewBox="0 0 5 5"><circle r="2"/></svg>'
            '<a href="https://facebook.com/x"><svg class="icon"><path d="M0 0"/></svg></a>'
            '<div class="brand-logo"><svg viewBox="0 0 5 5"><rect width="5" height="5"/></svg></div></main>'
            '</body></html>')
    result = extract(Page(url="https://x.example/about/"), html)
    uses = [u for u in result.images if u.kind == "inline-svg"]
    assert [u.attrs.get("container") for u in uses] == ["", "brand-logo"]
    first = uses[0]
    assert first.title == "Our logo" and first.link == "https://x.example/" and first.region == "header"
    assert first.src.startswith("https://x.example/#svg-")
    markup = first.attrs["markup"]
    # the HTML parser's lower-cased names are given back their SVG case, with the SVG namespace
    assert 'viewBox="0 0 10 4"' in markup and "<linearGradient" in markup and 'xmlns="http://www.w3.org/2000/svg"' in markup


def test_same_drawing_on_two_pages_has_one_key():
    svg = '<header><svg class="logo" viewBox="0 0 4 4"><rect width="4" height="4"/></svg></header>'
    keys = {extract(Page(url=f"https://x.example/{p}/"), f"<html><body>{svg}</body></html>").images[0].src
            for p in ("a", "b")}
    assert len(keys) == 1


def test_logo_drawn_from_a_sprite_symbol_carries_the_symbol():
    html = ('<html><body><svg style="display:none"><symbol id="brand" viewBox="0 0 8 4">'
            '<rect width="8" height="4" fill="#6a2c91"/></symbol></svg>'
            '<header><a href="/"><svg class="site-logo" viewBox="0 0 8 4"><use xlink:href="#brand"/></svg></a></header>'
            '</body></html>')
    [use] = [u for u in extract(Page(url="https://x.example/"), html).images if u.kind == "inline-svg"]
    info = imaging.analyse(use.src, use.attrs["markup"].encode(), "image/svg+xml")
    assert '<symbol id="brand" viewBox="0 0 8 4">' in use.attrs["markup"]
    assert info.error is None and info.width == 2 * info.height
    img = imaging.open_image(use.attrs["markup"].encode(), "image/svg+xml")
    assert img.getpixel((img.width // 2, img.height // 2))[:3] == (0x6a, 0x2c, 0x91)    # drawn, not blank


def test_demo_privacy_page_logo_is_drawn_inline_and_approved():
    demo = S.ROOT / "auditor" / "demo"
    html = (demo / "site" / "privacy.html").read_text(encoding="utf-8")
    [use] = [u for u in extract(Page(url="http://demo.example/privacy.html"), html).images if u.kind == "inline-svg"]
    info = imaging.analyse(use.src, use.attrs["markup"].encode(), "image/svg+xml")
    matcher = LogoMatcher(load_folder(demo / "logos" / "approved", "approved")
                          + load_folder(demo / "logos" / "deprecated", "deprecated"))
    assert matcher.match(info).kind == "approved"
