import pytest

from auditor.checks import alt_text
from auditor.snapshot import ImageInfo
from content_support import SITE, body, context, fixture_page, html_page, site_findings


@pytest.fixture
def ctx(write_config):
    return context(write_config)


def by_image(findings):
    return {f.subject.rsplit("/", 1)[-1]: f for f in findings}


def test_gallery_fixture(ctx):
    found = by_image(site_findings(alt_text, [fixture_page("gallery.html")], ctx))
    assert set(found) == {"picnic.jpg", "IMG_1234.jpg", "funder.png"}
    assert found["picnic.jpg"].evidence["problem"] == "missing"
    assert found["picnic.jpg"].severity == "low"
    assert found["IMG_1234.jpg"].evidence["problem"] == "useless"
    assert "\u201cIMG_1234.jpg\u201d" in found["IMG_1234.jpg"].message
    funder = found["funder.png"]
    assert funder.severity == "medium" and "link has no text" in funder.message


def test_header_logo_missing_alt_is_one_finding_for_all_pages(ctx):
    html = body('<p>x</p>').replace("<main>", '<header><img src="/logo.png"></header><main>')
    pages = [html_page(html, SITE + p) for p in ("", "about", "contact")]
    [finding] = site_findings(alt_text, pages, ctx)
    assert finding.url == SITE and finding.evidence["page_count"] == 3
    assert "in the header" in finding.message


@pytest.mark.parametrize("img", [
    '<img src="/a.jpg" alt="">',                                  # decorative on purpose
    '<img src="/a.jpg" role="presentation">',
    '<img src="/a.jpg" aria-hidden="true">',
    '<img src="/a.gif" width="1" height="1">',                    # spacer
    '<img src="/pixel.gif" style="display: none">',               # tracking pixel
    '<img src="/a.jpg" aria-label="Families at our picnic">',
    '<img src="/a.jpg" alt="Families at our picnic">',
    '<a href="/donate"><img src="/a.jpg" alt="Donate"></a>',
])
def test_fine_images(ctx, img):
    assert site_findings(alt_text, [html_page(body(img))], ctx) == []


def test_link_with_text_and_no_alt_is_low(ctx):
    [finding] = site_findings(alt_text, [html_page(body('<a href="/donate"><img src="/a.jpg"> Donate</a>'))], ctx)
    assert finding.severity == "low"


def test_decorative_image_alone_in_a_link_leaves_the_link_unnamed(ctx):
    [finding] = site_findings(alt_text, [html_page(body('<a href="/donate"><img src="/a.jpg" alt=""></a>'))], ctx)
    assert finding.evidence["problem"] == "unnamed link" and finding.severity == "medium"


def test_spacer_known_from_image_analysis(ctx):
    page = html_page(body('<img src="/pixel.gif">'))
    images = {SITE + "pixel.gif": ImageInfo(url=SITE + "pixel.gif", status=200, width=1, height=1)}
    assert site_findings(alt_text, [page], ctx, images=images) == []
    assert len(site_findings(alt_text, [page], ctx)) == 1       # no analysis: judged by the markup


def test_icons_and_sharing_images_need_no_alt(ctx):
    head = '<link rel="icon" href="/favicon.ico"><meta property="og:image" content="/share.jpg">'
    html = body('<div style="background-image: url(/hero.jpg)">Welcome</div>', head)
    assert site_findings(alt_text, [html_page(html)], ctx) == []


@pytest.mark.parametrize("alt", ["image", "Photo", "IMG_1234.jpg", "DSC01234", "family-day-2.jpg", "logo"])
def test_useless_alt_texts(ctx, alt):
    [finding] = site_findings(alt_text, [html_page(body(f'<img src="/x/family-day-2.jpg" alt="{alt}">'))], ctx)
    assert finding.evidence["problem"] == "useless"


def test_logo_link_beside_a_text_link_to_the_same_page(ctx):
    html = ('<html><body><header><a href="/"><img src="/logo.png"></a><nav><a href="/">Home</a></nav></header>'
            '<main><p>x</p></main></body></html>')
    [finding] = site_findings(alt_text, [html_page(html)], ctx)
    assert finding.severity == "medium" and "link has no text" in finding.message
