"""What presents itself as the logo, small and cut-out icons, and names as a browser shows them.

Each case is one met on real small-organisation websites, rebuilt here as a fixture page: photos
whose alt text names the organisation, a map captioned "branch area", fundraising platforms' and
partners' marks linking elsewhere, "Home" button images in the menu, a favicon made from the
approved mark, a site icon cut from the wordmark, a brand set as two stacked spans.
"""
from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

import consent_support as C
import identity_support as S
from auditor import config, imaging, pipeline
from auditor.checks import Resources, logo
from auditor.crawl.extract import extract
from auditor.identity import logos
from auditor.identity.names import NameMatcher
from auditor.snapshot import Page, Snapshot
from auditor.svg import rasterise

NAME = "Anytown and District Branch"
S_NAME = "Home-Start Barnet, Brent and Harrow"
HOUSE_BOX = (20, 20, 180, 180)        # where identity_support draws the house in a 660x200 wordmark


def ico(img: Image.Image, sizes=((16, 16), (32, 32), (48, 48))) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "ICO", sizes=list(sizes))
    return buf.getvalue()


def button(text: str, size=(90, 30)) -> bytes:
    img = Image.new("RGB", size, (40, 90, 160))
    ImageDraw.Draw(img).text((12, 8), text, fill=(255, 255, 255))
    return C.encode(img, "GIF")


def site_files(root):
    """A branch's site: two pages, written as real sites write them."""
    mark = imaging.open_image(S.MARK_SVG.read_bytes())
    files = {
        "favicon.ico": ico(mark),
        "img/logo.png": (S.REFERENCES / "approved" / "home-start-bbh-logo.png").read_bytes(),
        "img/new-logo.png": S.others()["housing-charity"],
        "img/home.gif": button("Home"),
        "img/house.png": S.encode(rasterise(S.others()["mark-only-green"], 64), "PNG"),
        "img/hall.jpg": C.encode(C.photo("coffee")),
        "img/course.jpg": C.encode(C.photo("astronaut")),
        "img/branch-area-map.png": C.encode(C.street_map(), "PNG"),
        "img/donate-button.png": C.encode(C.button(), "PNG"),
        "img/gayl-logo.png": S.others()["funder"],
    }
    header = ('<header><a href="/"><img src="/img/{logo}" alt="{alt}"></a>'
              '<a class="brand" href="/"><span class="brand__name">Anytown and District</span>'
              '<span class="brand__sub">Branch</span></a>'
              '<nav><ul><li><a href="/"><img src="/img/home.gif" alt="Home" width="90" height="30"></a></li>'
              '<li><a href="/about.html">About</a></li>'
              '<li><a href="/index.html"><img src="/img/house.png" alt=""> Home</a></li></ul></nav></header>')
    footer = ('<footer><p>Anytown<br>and District Branch, registered charity 1234567</p>'
              '<a href="https://fundraise.example/anytown"><img src="/img/donate-button.png" alt="Donate"></a>'
              '<a href="https://giveasyoulive.example/join"><img src="/img/gayl-logo.png" alt="Give as you Live"></a>'
              '</footer>')
    home = ('<main><h1>Welcome</h1>'
            f'<img src="/img/hall.jpg" alt="{NAME} building">'
            f'<img src="/img/course.jpg" alt="Parenting course at {NAME}">'
            '<figure><img src="/img/branch-area-map.png" alt="Branch area">'
            '<figcaption>The branch area: Anytown, Oldbury and the villages between.</figcaption></figure>'
            '<p>The Branch meets on Tuesdays.</p></main>')
    about = ('<main><h1>About us</h1><p>The Anytown and Distrcit Branch AGM is in May.</p></main>')
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    page = ('<!DOCTYPE html><html><head><title>{title}</title><link rel="icon" href="/favicon.ico"></head>'
            '<body>{header}{main}{footer}</body></html>')
    (root / "index.html").write_text(page.format(title=NAME, main=home, footer=footer,
                                                 header=header.format(logo="logo.png", alt=NAME)), encoding="utf-8")
    (root / "about.html").write_text(page.format(title="About", main=about, footer=footer,
                                                 header=header.format(logo="new-logo.png", alt=f"{NAME} logo")),
                                     encoding="utf-8")


def test_only_what_presents_itself_as_the_logo_is_judged_and_names_are_read_as_shown(tmp_path, serve):
    root = tmp_path / "site"
    site_files(root)
    server = serve(root)
    path = tmp_path / "auditor.toml"
    path.write_text(f'[scheme]\nname = "{NAME}"\naccepted_names = ["Anytown Branch", "the Branch"]\n'
                    f'website = "{server.url("/")}"\n\n[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\n'
                    f'check_external_links = false\n\n'
                    f'[identity]\napproved_logos = "{(S.REFERENCES / "approved").as_posix()}"\n'
                    f'deprecated_logos = "{(S.REFERENCES / "deprecated").as_posix()}"\n\n'
                    f'[storage]\ndirectory = "var"\n', encoding="utf-8")
    result = pipeline.run(config.load(path), pipeline.Options(send_email=False))
    found = sorted((f.check, f.url.removeprefix(server.url("")), (f.subject or "").removeprefix(server.url("")),
                    tuple(f.evidence.get("snippets", ())))
                   for f in result.findings if f.check.startswith(("logo.", "name.")))
    # the home-made logo is still found, and the mistyped name; nothing else presents itself as the logo
    assert found == [("logo.unrecognised", "/about.html", "/img/new-logo.png", ()),
                     ("name.variant", "/about.html", "", ("Anytown and Distrcit Branch",))]


def test_the_header_brand_in_two_spans_and_a_name_across_lines_are_the_name(tmp_path):
    html = ('<html><head><title>News</title></head><body><header><span class="brand__name">Anytown Baptist</span>'
            '<span class="brand__sub">Church</span></header><main><p><b>W</b>elcome to <i>our</i> <a href="/x">news</a>'
            '</p><p>Anytown<br>Baptist Church</p></main></body></html>')
    page = extract(Page(url="https://example.org/news", status=200, content_type="text/html"), html)
    assert page.regions["header"] == "Anytown Baptist Church"
    assert "Welcome to our news" in page.text
    scheme = type("Scheme", (), {"name": "Anytown Baptist Church", "accepted_names": [], "forbidden_names": []})
    names = NameMatcher(scheme)
    assert names.find(page.text) == [] and names.identifies(page.regions["header"])
    assert names.identifies(page.text.split("\n", 1)[1])     # "Anytown\nBaptist Church"


def test_an_image_tag_is_read_as_browsers_read_it():
    html = '<html><body><header><image src="/assets/logo.png"/ class="img"></header></body></html>'
    page = extract(Page(url="https://example.org/", status=200, content_type="text/html"), html)
    assert [(u.src, u.region) for u in page.images] == [("https://example.org/assets/logo.png", "header")]


@pytest.fixture(scope="module")
def green_mark(tmp_path_factory):
    """A retired square mark, as a deprecated reference file."""
    folder = tmp_path_factory.mktemp("deprecated")
    rasterise(S.others()["mark-only-green"], 400).save(folder / "old-mark.png")
    return folder


def test_small_icons_are_compared_with_references_reduced_to_their_size(green_mark):
    matcher = logos.LogoMatcher(logos.load_folder(S.REFERENCES / "approved", "approved")
                                + logos.load_folder(green_mark, "deprecated"))
    approved = imaging.open_image(S.MARK_SVG.read_bytes())
    retired = rasterise(S.others()["mark-only-green"], 400)
    foreign = rasterise(S.others()["council"], 400)
    for sizes in (((16, 16), (32, 32), (48, 48)), ((32, 32),), ((48, 48),)):
        assert matcher.match(S.analyse(ico(approved, sizes))).kind == "approved", sizes
        assert matcher.match(S.analyse(ico(retired, sizes))).kind == "deprecated", sizes
        assert matcher.match(S.analyse(ico(foreign, sizes))).kind is None, sizes
    small = approved.resize((48, 48), Image.Resampling.BILINEAR)       # another program's reduction
    assert matcher.match(S.analyse(C.encode(small, "PNG"))).kind == "approved"


def test_a_site_icon_cut_from_the_wordmark_is_that_logo_and_a_stranger_is_not():
    matcher = logos.LogoMatcher(logos.load_folder(S.REFERENCES / "approved", "approved")[:1]     # the wordmark only
                                + logos.load_folder(S.REFERENCES / "deprecated", "deprecated")[:1])
    assert [r.name for r in matcher.references] == ["home-start-bbh-logo.png", "home-start-bbh-logo-2012.jpg"]
    wordmark = rasterise(S.APPROVED_SVG.read_bytes(), 660)
    cut = wordmark.crop(HOUSE_BOX).resize((180, 180), Image.Resampling.LANCZOS)
    icon = S.analyse(S.encode(cut, "JPEG", quality=80))
    assert matcher.match(icon).kind is None          # as a whole it is not the wordmark…
    part = matcher.match_part(icon)
    assert (part.kind, part.reference) == ("approved", "home-start-bbh-logo.png")   # …but cut from it
    for other in ("council", "funder", "mark-only-green"):
        stranger = rasterise(S.others()[other], 400)
        assert matcher.match_part(S.analyse(S.encode(stranger.resize((180, 180)), "PNG"))) is None, other
    photo = C.photo("coffee").resize((180, 180))
    assert matcher.match_part(S.analyse(C.encode(photo))) is None


def wordmark_only_config(tmp_path):
    """The sample scheme's config with only the wordmark as its approved logo."""
    approved = tmp_path / "approved"
    approved.mkdir()
    (approved / "logo.png").write_bytes((S.REFERENCES / "approved" / "home-start-bbh-logo.png").read_bytes())
    path = S.write_config(tmp_path)
    path.write_text(path.read_text().replace((S.REFERENCES / "approved").as_posix(), approved.as_posix()))
    return config.load(path)


def test_the_logo_check_takes_a_cut_out_site_icon_for_the_logo(tmp_path):
    cfg = wordmark_only_config(tmp_path)
    site = "https://www.homestartbbh.org.uk"
    cut = rasterise(S.APPROVED_SVG.read_bytes(), 660).crop(HOUSE_BOX).resize((180, 180))
    images = {f"{site}/icon.jpg": imaging.analyse(f"{site}/icon.jpg", S.encode(cut, "JPEG", quality=80)),
              f"{site}/other.png": imaging.analyse(f"{site}/other.png", S.others()["council"])}
    pages = [extract(Page(url=f"{site}/{name}", status=200, content_type="text/html"),
                     f'<html><head><link rel="icon" href="/{name}"></head><body><p>Hi</p></body></html>')
             for name in ("icon.jpg", "other.png")]
    found = [(f.check, f.url.removeprefix(site), f.subject, f.severity) for f in
             logo.check(Snapshot(website=site + "/", started_at="", pages=pages, images=images),
                        Resources(cfg))]
    assert found == [("logo.unrecognised", "/other.png", f"{site}/other.png", "low"),
                     ("logo.missing", "/other.png", None, "medium")]


def test_an_avatar_cut_from_the_wordmark_is_the_approved_logo(tmp_path):
    from auditor.checks import social_identity
    from auditor.snapshot import Account
    cfg = wordmark_only_config(tmp_path)
    cut = rasterise(S.APPROVED_SVG.read_bytes(), 660).crop(HOUSE_BOX).resize((400, 400))
    avatars = {"https://cdn.example/cut.png": S.encode(cut, "PNG"), "https://cdn.example/other.png": S.others()["council"]}
    accounts = [Account(platform="mastodon", profile_url=f"https://social.example/@{name}", display_name=S_NAME,
                        avatar_url=f"https://cdn.example/{name}.png") for name in ("cut", "other")]
    snapshot = Snapshot(website=cfg.scheme.website, started_at="", accounts=accounts,
                        images={url: imaging.analyse(url, data) for url, data in avatars.items()})
    found = [(f.check, f.url) for f in social_identity.check(snapshot, Resources(cfg))]
    assert found == [("social.avatar", "https://social.example/@other")]


@pytest.mark.parametrize("name, accepted, text, wrong", [
    ("Heath End Village Hall", ["the Hall"], "The Hall is fully accessible. Book the hall today.", []),
    ("St Mary the Virgin, Henbury", ["St Mary's Henbury"], "Easter at St Mary's, Henbury.", []),
    ("5th Anytown Brownies", ["Brownies"], "Our brownies love camp. Brownies meet on Mondays.", []),
    ("UK Research Software Engineers Association", ["UK RSE Association"],
     "I am a Research Software Engineerm at a university. Join the UK RSE association today.",
     ["UK RSE association"]),
    ("UK Research Software Engineers Association", [],
     "Welcome to the UK Research Software Engineer Association.", ["UK Research Software Engineer Association"]),
    ("1st and 7th Anytown \u2018Jubilee\u2019 Scouts", ["1st and 7th Scout Group"],
     "We are 1st and 7th Jubliee Scouts. The Scout Troup meets on Fridays. Our jubilee party.",
     ["1st and 7th Jubliee Scouts"]),
    ("Westminster Philharmonic Orchestra", ["WPO"],
     "The Westminster Philharmonc Orchestra plays; see wpo-flyer.jpg. Westminster Abbey.",
     ["Westminster Philharmonc Orchestra"]),
    ("Home-Start Barnet, Brent and Harrow", ["Home-Start BBH"],
     "home-start helps. Home-Start Barnet Brent and Harrow. Home-Start Barnet, Brent and harrow.",
     ["home-start", "Home-Start Barnet Brent and Harrow", "Home-Start Barnet, Brent and harrow"]),
])
def test_wrong_forms_of_a_name_and_the_forms_that_are_only_style(name, accepted, text, wrong):
    scheme = type("Scheme", (), {"name": name, "accepted_names": accepted, "forbidden_names": []})
    assert NameMatcher(scheme).variants(text) == wrong


def test_a_scheme_name_with_curly_quotes_does_not_stop_the_crawl(tmp_path, serve, write_config):
    from conftest import one_page_site
    server = serve(one_page_site(tmp_path / "site", "1st Anytown \u2018Jubilee\u2019 Scouts"))
    path = write_config(server.url("/"))
    path.write_text(path.read_text(encoding="utf-8").replace("Home-Start Testshire", "1st Anytown \u2018Jubilee\u2019 Scouts"),
                    encoding="utf-8")
    result = pipeline.run(config.load(path), pipeline.Options(send_email=False))
    assert result.counts["pages"] == 1
    agent = next(r.headers.get("user-agent", "") for r in server.requests if r.path == "/")
    assert "1st Anytown 'Jubilee' Scouts" in agent


def test_a_wordmark_a_few_pixels_high_is_not_judged_unless_it_matches():
    matcher = logos.LogoMatcher(logos.load_folder(S.REFERENCES / "approved", "approved"))
    tiny = rasterise(S.others()["housing-charity"], 660)
    tiny.thumbnail((60, 60), Image.Resampling.LANCZOS)          # 60x18: its lettering is two pixels high
    assert matcher.match(S.analyse(S.encode(tiny, "PNG"))).judged is False
    readable = rasterise(S.others()["housing-charity"], 200)    # 200x61
    assert matcher.match(S.analyse(S.encode(readable, "PNG"))) == logos.LogoMatch(
        None, None, matcher.match(S.analyse(S.encode(readable, "PNG"))).distance)


def test_a_logo_fitted_into_a_round_box_by_a_utility_class_is_not_distorted():
    from auditor.snapshot import ImageUse
    fitted = ImageUse(src="x", attrs={"width": "48", "height": "48", "class": "h-11 w-11 rounded-full object-cover"})
    stretched = ImageUse(src="x", attrs={"width": "48", "height": "48", "class": "h-11 w-11 rounded-full"})
    assert logo.displayed_size(fitted) is None
    assert logo.displayed_size(stretched) == (48.0, 48.0)


def test_a_foreign_logo_linking_home_presents_itself_whatever_its_name_says(tmp_path):
    cfg = config.load(S.write_config(tmp_path))
    site = "https://www.homestartbbh.org.uk"
    images = {f"{site}/img/{name}": imaging.analyse(f"{site}/img/{name}", S.others()["housing-charity"])
              for name in ("site-logo.png", "beavers-logo.png")}
    images[f"{site}/img/approved.png"] = imaging.analyse(
        f"{site}/img/approved.png", (S.REFERENCES / "approved" / "home-start-bbh-logo.png").read_bytes())
    html = ('<html><head><title>Home-Start BBH</title></head><body><header>{header}</header>'
            f'<main><img src="/img/approved.png" alt="{S_NAME}"></main></body></html>')
    cases = {"/a": '<a href="/"><img class="site-logo" src="/img/site-logo.png" alt="Anytown Family Support"></a>',
             "/b": '<a href="/"><img src="/img/beavers-logo.png"></a>',
             "/c": '<a href="/beavers"><img src="/img/beavers-logo.png"></a>',
             "/d": '<img class="footer-logo" src="/img/site-logo.png" alt="Making Music">',
             "/e": f'<img class="logo" src="/img/site-logo.png" alt="{S_NAME}: supporting families">'}
    pages = [extract(Page(url=site + path, status=200, content_type="text/html"), html.format(header=header))
             for path, header in cases.items()]
    found = [(f.check, f.url.removeprefix(site)) for f in
             logo.check(Snapshot(website=site + "/", started_at="", pages=pages, images=images), Resources(cfg))]
    assert found == [("logo.unrecognised", "/a"), ("logo.unrecognised", "/b"), ("logo.unrecognised", "/e")]
