"""Words outside the body text (alt text, tooltips, aria-labels, figure captions, the document title)
go through the name and personal-data checks, each finding saying where the words were."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from auditor.checks import Resources
from auditor.checks import name, personal_data
from auditor.config import load
from consent_support import encode, photo
from crawl_support import crawl, write_site

PAGE = """<!doctype html><html lang="en"><head><title>{title}</title></head><body>
<header><a href="/"><img src="/logo.png" alt="Home-Start Testshire"></a></header>
<main><h1>Home-Start Testshire</h1><p>We support families with young children.</p>{extra}</main>
<footer>Home-Start Testshire</footer></body></html>"""


@pytest.fixture
def audit(serve, write_config, tmp_path):
    """Crawl one page with `extra` in its body (and `title`) from a real server; the name and
    personal-data findings about it."""
    def run(extra: str, title: str = "Home-Start Testshire", files: dict[str, bytes] | None = None) -> list:
        root = write_site(tmp_path / "site", {"/": PAGE.format(title=title, extra=extra)}, files)
        server = serve(root)
        config = write_config(server.url("/"), crawl="check_external_links = false")
        snapshot, _ = crawl(config)
        ctx = Resources(config=load(config))
        [page] = snapshot.pages
        return [*name.check_page(page, ctx), *name.check(snapshot, ctx), *personal_data.check(snapshot, ctx)]
    return run


@pytest.mark.parametrize("extra, place, words", [
    ('<img src="/office.jpg" alt="Homestart Testshire new offices">', "alt text", "an image's alt text"),
    ('<a href="/give" title="Donate to Home Start Testshire">Donate</a>', "title attribute", "tooltip"),
    ('<button aria-label="Call HomeStart Testshire">Call</button>', "aria-label", "screen readers"),
])
def test_a_wrong_name_outside_the_body_text_is_found_and_placed(audit, extra, place, words):
    [variant] = [f for f in audit(extra) if f.check == "name.variant"]
    assert variant.evidence["places"] == [place]
    assert words in variant.message


def test_a_wrong_name_in_a_figure_caption_says_so(audit):
    [variant] = [f for f in audit('<figure><img src="/a.jpg" alt="Toddlers painting">'
                                  '<figcaption>Fun day with Home start Testshire</figcaption></figure>')
                 if f.check == "name.variant"]
    assert "figure caption" in variant.evidence["places"] and "a figure caption" in variant.message


def test_a_wrong_name_in_the_document_title_says_so(audit):
    [variant] = [f for f in audit("", title="Homestart Testshire | Welcome") if f.check == "name.variant"]
    assert variant.evidence["places"] == ["title"] and "(in the page title)" in variant.message


def test_a_right_name_outside_the_body_is_no_finding(audit):
    found = audit('<img src="/team.jpg" alt="The Home-Start Testshire team" title="Home-Start Testshire">')
    assert not [f for f in found if f.check == "name.variant"]


@pytest.mark.parametrize("extra, place, words", [
    ('<img src="/v.jpg" alt="Volunteer Sam, call 07534 201987">', "alt text", "in an image's alt text"),
    ('<a href="/c" title="Write to sam.jones@gmail.com">Contact</a>', "title attribute", "in a tooltip"),
    ('<figure><img src="/b.jpg" alt=""><figcaption>Ask Jo on 07534 201987</figcaption></figure>', "text", ""),
])
def test_personal_data_outside_the_body_text_is_found_and_placed(audit, extra, place, words):
    [found] = [f for f in audit(extra) if f.check == "privacy.personal_data"]
    assert found.evidence["place"] == place
    assert words in found.message
    assert "07534 201987" not in found.message and "sam.jones@gmail.com" not in found.message


def test_a_photos_embedded_caption_goes_through_the_name_and_personal_data_checks(audit):
    exif = Image.Exif()
    exif[270] = "Homestart Testshire picnic: Sarah Miller, call her on 07534 201987"
    exif[315] = "Jane Example"
    picture = encode(photo("astronaut"), exif=exif)
    found = audit('<img src="/picnic.jpg" alt="Families at the picnic">', files={"/picnic.jpg": picture})
    [variant] = [f for f in found if f.check == "name.variant"]
    assert variant.subject.endswith("/picnic.jpg") and variant.evidence["places"] == ["photo caption"]
    assert "hidden caption" in variant.message and "Homestart" in variant.message
    [contact] = [f for f in found if f.check == "privacy.personal_data"]
    assert contact.evidence["place"] == "photo caption" and "hidden caption" in contact.message
    # the caption itself, which names a family, is quoted nowhere
    assert not any(word in repr([f.to_dict() for f in found]) for word in ("Sarah", "Miller", "201987 ", "Jane"))
    assert Image.open(io.BytesIO(picture)).getexif()[270].startswith("Homestart")
