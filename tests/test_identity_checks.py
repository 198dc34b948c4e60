"""Logo and name checks on fixture pages: each finding, and each trap that must stay quiet."""
from __future__ import annotations

import pytest

import identity_support as S  # noqa: E402
from auditor import config, imaging
from auditor.checks import Resources, logo, name
from auditor.crawl.extract import decode_html, extract
from auditor.snapshot import Page, Post, Snapshot
from auditor.svg import rasterise

SITE = "https://www.homestartbbh.org.uk"
APPROVED, DEPRECATED = f"{SITE}/img/logo.png", f"{SITE}/img/old-logo.jpg"
SVG_LOGO, FAVICON, FUNDER = f"{SITE}/img/logo.svg", f"{SITE}/favicon.ico", f"{SITE}/img/fund.png"
STRANGER, MARK = f"{SITE}/img/header-logo.png", f"{SITE}/img/mark.png"
HEAD = '<html><head><title>{title}</title>{head}</head><body><header>{header}</header><main>{main}</main>' \
       '<footer>{footer}</footer></body></html>'
NAME = "Home-Start Barnet, Brent and Harrow"


@pytest.fixture(scope="module")
def images():
    from PIL import Image
    mark = imaging.open_image(S.MARK_SVG.read_bytes()).resize((32, 32), Image.Resampling.LANCZOS)
    files = {APPROVED: (S.REFERENCES / "approved" / "home-start-bbh-logo.png").read_bytes(),
             DEPRECATED: S.encode(imaging.open_image(S.DEPRECATED_SVG.read_bytes()), "JPEG", quality=70),
             SVG_LOGO: S.APPROVED_SVG.read_bytes(), FAVICON: S.encode(mark, "ICO", sizes=[(32, 32)]),
             FUNDER: S.others()["funder"], STRANGER: S.others()["housing-charity"],
             MARK: S.encode(mark, "PNG")}
    return {url: imaging.analyse(url, data) for url, data in files.items()}


@pytest.fixture
def ctx(tmp_path):
    return Resources(config.load(S.write_config(tmp_path, forbidden='"HSBBH"')))


def page(path="/", title=f"About us | {NAME}", head="", header="", main="<h1>About</h1><p>Hello.</p>",
         footer=f"<p>&copy; {NAME}</p>", raw: bytes | None = None) -> Page:
    html = decode_html(raw, None) if raw is not None else HEAD.format(title=title, head=head, header=header,
                                                                      main=main, footer=footer)
    return extract(Page(url=SITE + path, status=200, content_type="text/html"), html)


def logo_img(src=APPROVED, alt=NAME, extra=""):
    return f'<a href="/"><img src="{src}" alt="{alt}" {extra}></a>'


def run_logo(pages, images, ctx):
    snap = Snapshot(website=SITE + "/", started_at="", pages=pages, images=images)
    return [(f.check, f.url.removeprefix(SITE), f.subject) for f in logo.check(snap, ctx)]


def test_approved_logo_svg_logo_and_funder_logo_are_quiet(images, ctx):
    pages = [page("/", header=logo_img()),
             page("/svg", header=logo_img(SVG_LOGO)),
             page("/funders", header=logo_img(), main='<h2>Supported by</h2><img src="%s" alt="Community Fund">' % FUNDER),
             page("/lottery", header=logo_img(), main='<p>Thank you.</p><img src="%s" alt="National Lottery logo">' % FUNDER)]
    assert run_logo(pages, images, ctx) == []


def test_deprecated_unrecognised_and_missing_logos_are_found(images, ctx):
    pages = [page("/old", header=logo_img(DEPRECATED)),
             page("/stranger", header=logo_img(STRANGER, alt="Home-Start logo") + logo_img()),
             page("/bare", main="<h1>News</h1><p>No logo here.</p>")]
    found = run_logo(pages, images, ctx)
    assert ("logo.deprecated", "/old", DEPRECATED) in found
    assert ("logo.missing", "/old", None) in found
    assert ("logo.unrecognised", "/stranger", STRANGER) in found
    assert ("logo.missing", "/bare", None) in found
    assert len(found) == 4


def test_stretched_logo_is_distorted_but_proportional_sizing_is_not(images, ctx):
    pages = [page("/stretched", header=logo_img(extra='width="400" height="60"')),
             page("/styled", header=logo_img(extra='style="width: 300px; height: 200px"')),
             page("/fine", header=logo_img(extra='width="330" height="100"')),
             page("/auto", header=logo_img(extra='width="400" style="height:auto"')),
             page("/contain", header=logo_img(extra='width="400" height="60" style="object-fit: contain"'))]
    found = run_logo(pages, images, ctx)
    assert found == [("logo.distorted", "/stretched", APPROVED), ("logo.distorted", "/styled", APPROVED)]


def test_favicon_only_page_is_not_missing_but_a_wrong_favicon_is_unrecognised(images, ctx):
    icon = f'<link rel="icon" href="{FAVICON}">'
    assert run_logo([page("/plain", head=icon)], images, ctx) == []
    wrong = f'<link rel="icon" href="{FUNDER}">'
    found = run_logo([page("/x", head=wrong, header=logo_img())], images, ctx)
    assert found == [("logo.unrecognised", "/x", FUNDER)]


def test_small_home_button_is_not_taken_for_a_logo(images, ctx):
    button = f"{SITE}/img/home-button.png"
    icon = S.encode(rasterise(S.others()["council"], 32), "PNG")
    nav = f'<nav><a href="/"><img src="{button}" alt="Home"></a></nav>'
    assert run_logo([page("/n", header=logo_img() + nav)], {**images, button: imaging.analyse(button, icon)}, ctx) == []
    big = S.encode(rasterise(S.others()["council"], 200), "PNG")
    found = run_logo([page("/n", header=logo_img() + nav)], {**images, button: imaging.analyse(button, big)}, ctx)
    assert found == [("logo.unrecognised", "/n", button)]


def test_unreadable_logo_image_is_not_reported_missing(images, ctx):
    broken = {**images, STRANGER: imaging.analyse(STRANGER, b"not an image")}
    assert run_logo([page("/b", header=logo_img(STRANGER, alt="logo"))], broken, ctx) == []


def test_without_reference_folders_logo_checks_are_silent(images, tmp_path):
    quiet = Resources(config.load(S.write_config(tmp_path, logos=False)))
    assert run_logo([page("/old", header=logo_img(DEPRECATED)), page("/bare")], images, quiet) == []


def run_name(p, ctx):
    return [(f.check, f.evidence.get("snippets")) for f in name.check_page(p, ctx)]


def test_page_naming_the_scheme_with_traps_is_quiet(ctx):
    main = ("<h1>Home-Start UK</h1><p>We are part of Home-Start UK. Write to info@homestartbbh.org.uk, "
            "visit homestartbbh.org.uk or www.home-start.org.uk, follow @homestartbbh and #HomeStart.</p>"
            "<p>HOME-START BARNET, BRENT AND HARROW</p><p>Come home start the day.</p>")
    assert run_name(page(main=main), ctx) == []


def test_wrong_forms_are_quoted(ctx):
    main = ("<p>Homestart helps families.</p><p>Home&nbsp;Start volunteers.</p><p>Home<br>Start</p>"
            "<p>Home-start Barnet, Brent and Harrow</p><p>HSBBH</p>")
    found = run_name(page(main=main), ctx)
    assert found == [("name.variant", ["Homestart", "Home Start", "Home-start Barnet, Brent and Harrow", "HSBBH"])]


def test_page_without_the_name_is_missing(ctx):
    found = run_name(page(title="Contact", footer="<p>Registered charity 1234567</p>"), ctx)
    assert found == [("name.missing", None)]


def test_windows_1252_page_is_read_right(ctx):
    raw = HEAD.format(title="Caf\xe9 \u2013 Home-Start BBH", head='<meta charset="windows-1252">', header="",
                      main="<h1>Caf\xe9 mornings</h1><p>Home\xa0Start caf\xe9 \u2013 open</p>",
                      footer="").encode("windows-1252")
    found = run_name(page(raw=raw), ctx)
    assert found == [("name.variant", ["Home Start"])]


def test_posts_are_checked_for_variants(ctx):
    posts = [Post(platform="mastodon", url="https://social.example/@homestartbbh/1", text="Homestart coffee morning!"),
             Post(platform="bluesky", url="https://bsky.example/post/2", text="Thanks to Home-Start UK and @homestartbbh")]
    snap = Snapshot(website=SITE + "/", started_at="", posts=posts)
    found = list(name.check(snap, ctx))
    assert [(f.url, f.evidence["channel"], f.evidence["snippets"]) for f in found] == [
        ("https://social.example/@homestartbbh/1", "mastodon", ["Homestart"])]
    assert "\u201cHomestart\u201d" in found[0].message and "Home-Start" in found[0].message
