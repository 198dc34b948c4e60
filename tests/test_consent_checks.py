"""The photo_consent and photo_metadata checks on a snapshot of pages and posts, and the thumbnails."""
from __future__ import annotations

import io
from datetime import date

import pytest
from consent_support import context, encode, logo, photo, snapshot_of, two_people
from PIL import Image, ImageOps

from auditor.checks import Resources, Runner, photo_consent, photo_metadata
from auditor.consent.register import load as load_register
from auditor.consent.thumbnails import save_thumbnails
from auditor.findings import Finding
from auditor.imaging import analyse
from auditor.snapshot import ImageInfo, ImageUse, Post

BASE = "http://site.test"
REGISTER = """photo,subjects,consent_ref,given,expires,channels,withdrawn
originals/astronaut.jpg,Pat Example,CF-1,2025-01-01,,all,
originals/coffee.jpg,Sam Example,CF-2,2025-01-01,2030-01-01,social,
originals/chelsea.jpg,Lee Example,CF-3,2023-01-01,2025-01-01,all,
originals/rocket.jpg,Kim Example,CF-4,2025-01-01,,all,2026-02-01
http://site.test/img/camera.jpg,Max Example,CF-5,2025-01-01,,website,
"""


def small(name, width=300, **kw):
    img = photo(name)
    return encode(img.resize((width, img.height * width // img.width)), quality=75, **kw)


IMAGES = {
    "/img/astronaut.jpg": small("astronaut"),
    "/img/astronaut-wide.jpg": small("astronaut", 500),
    "/img/coffee.jpg": small("coffee"),
    "/img/chelsea.jpg": small("chelsea"),
    "/img/rocket.jpg": encode(ImageOps.mirror(photo("rocket"))),
    "/img/motorcycle.jpg": small("motorcycle_left"),
    "/img/camera.jpg": small("camera"),
    "/img/camera-copy.jpg": small("camera", 200),
    "/img/logo.png": encode(logo(), "PNG"),
}
PAGES = {
    "/a.html": """<html><body><header><img src="/img/logo.png" alt="Home-Start Testshire"></header><main>
      <picture><source srcset="/img/astronaut-wide.jpg"><img src="/img/astronaut.jpg" alt="A volunteer"></picture>
      <img src="/img/coffee.jpg" alt="Coffee"><img src="/img/chelsea.jpg" alt="Cat">
      <img src="/img/chelsea.jpg" alt="Cat again"><img src="/img/rocket.jpg" alt="Launch">
      <img src="/img/motorcycle.jpg" alt="Bike"></main></body></html>""",
    "/b.html": '<html><body><main><img src="/img/chelsea.jpg" alt="Cat"></main></body></html>',
    "/c.html": """<html><body><main><img src="/img/camera.jpg" alt="Camera">
      <img src="/img/camera-copy.jpg" alt="Camera small"></main></body></html>""",
}


@pytest.fixture
def setup(tmp_path, write_config):
    (tmp_path / "originals").mkdir()
    for name in ("astronaut", "coffee", "chelsea", "rocket"):
        (tmp_path / "originals" / f"{name}.jpg").write_bytes(encode(photo(name)))
    (tmp_path / "register.csv").write_text(REGISTER, encoding="utf-8")
    config = write_config(BASE + "/", extra="[consent]\nregister = 'register.csv'\n")
    snap = snapshot_of(PAGES, IMAGES, BASE)
    snap.posts = [Post("facebook", BASE + "/fb/1", images=[ImageUse(BASE + "/img/coffee.jpg")]),
                  Post("mastodon", BASE + "/m/2", images=[ImageUse(BASE + "/img/chelsea.jpg")]),
                  Post("instagram", BASE + "/ig/3", images=[ImageUse(BASE + "/img/camera.jpg")])]
    return tmp_path, snap, context(config)


def table(findings):
    return sorted((f.check, f.url.removeprefix(BASE), f.subject.removeprefix(BASE + "/img/")) for f in findings)


def test_consent_findings_for_pages_and_posts(setup):
    _, snap, ctx = setup
    assert table(photo_consent.check(snap, ctx)) == [
        ("photo.consent_expired", "/a.html", "chelsea.jpg"),
        ("photo.consent_expired", "/b.html", "chelsea.jpg"),
        ("photo.consent_expired", "/m/2", "chelsea.jpg"),
        ("photo.consent_scope", "/a.html", "coffee.jpg"),
        ("photo.consent_scope", "/ig/3", "camera.jpg"),
        ("photo.consent_withdrawn", "/a.html", "rocket.jpg"),
    ]   # the motorcycle has no record, but nobody is pictured in it: no consent needed


def test_messages_and_evidence_name_the_consent_ref_never_the_people(setup):
    _, snap, ctx = setup
    found = {f.check + f.url: f for f in photo_consent.check(snap, ctx)}
    scope = found["photo.consent_scope" + BASE + "/a.html"]
    assert scope.message == "Consent for this photo (consent CF-2) covers social only, not this website."
    assert scope.evidence["consent_ref"] == "CF-2" and scope.evidence["register_line"] == 3
    assert "withdrawn on 2026-02-01" in found["photo.consent_withdrawn" + BASE + "/a.html"].message
    assert "Instagram" in found["photo.consent_scope" + BASE + "/ig/3"].message
    assert "Example" not in repr([f.to_dict() for f in found.values()])


def test_a_photo_of_people_without_consent_is_high(setup, tmp_path):
    _, snap, ctx = setup
    (tmp_path / "register.csv").write_text(REGISTER.replace("originals/astronaut.jpg", "originals/coffee2.jpg")
                                           .replace("CF-1,", "CF-9,"), encoding="utf-8")
    (tmp_path / "originals" / "coffee2.jpg").write_bytes(encode(photo("clock")))
    [f] = [f for f in photo_consent.check(snap, ctx) if "astronaut" in f.subject]  # one per page: srcset sizes fold
    assert (f.check, f.severity, f.evidence["faces"]) == ("photo.no_consent", "high", 1)
    assert f.message == "This photo shows people (1 face) but has no record in the consent register."


def _judged(facts: dict, register_text: str, tmp_path) -> Finding | None:
    """The verdict on one published photo whose detector facts are given."""
    (tmp_path / "register.csv").write_text(register_text, encoding="utf-8")
    register = load_register(tmp_path / "register.csv")
    info = ImageInfo(BASE + "/img/x.jpg", facts={"photo": True, **facts},
                     hashes=analyse("x", small("motorcycle_left")).hashes)
    return photo_consent.judge(register, photo_consent.PhotoUse(BASE + "/a.html", "website", ImageUse(info.url), info),
                               date(2026, 1, 1))


HEAD = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


def test_people_without_a_recognisable_face_are_medium_and_said_in_plain_words(tmp_path):
    behind = _judged({"people": True, "faces": 0, "unclear_faces": 0}, HEAD, tmp_path)
    assert (behind.check, behind.severity) == ("photo.no_consent", "medium")
    assert "people seen from behind, far away or in part" in behind.message
    far = _judged({"people": True, "faces": 0, "unclear_faces": 3}, HEAD, tmp_path)
    assert far.severity == "medium" and "3 faces too small or blurred to recognise" in far.message
    group = _judged({"people": True, "faces": 3, "unclear_faces": 1}, HEAD, tmp_path)
    assert group.severity == "high" and "(3 faces and 1 more too small to recognise)" in group.message
    assert _judged({"people": False, "faces": 0, "unclear_faces": 0}, HEAD, tmp_path) is None
    unsearched = _judged({}, HEAD, tmp_path)      # the detector failed: said so, not taken for "nobody"
    assert unsearched.severity == "medium" and "could not be searched for people" in unsearched.message


def test_a_record_naming_fewer_people_than_the_faces_shown_is_incomplete(tmp_path):
    (tmp_path / "pair.jpg").write_bytes(encode(two_people()))
    published = {"/img/pair.jpg": encode(two_people().resize((400, 200)), quality=70)}
    snap = snapshot_of({"/a.html": '<main><img src="/img/pair.jpg" alt="Two volunteers"></main>'}, published, BASE)
    assert snap.images[BASE + "/img/pair.jpg"].facts["faces"] == 2

    def found(subjects: str):
        (tmp_path / "register.csv").write_text(HEAD + f"pair.jpg,{subjects},CF-7,2025-01-01,,all,\n", encoding="utf-8")
        register = load_register(tmp_path / "register.csv")
        return [photo_consent.judge(register, use, date(2026, 1, 1)) for use in photo_consent.photo_uses(snap)]

    [f] = found("Pat Example")
    assert (f.check, f.severity, f.evidence["consent_ref"], f.evidence["people_named"]) == \
        ("photo.consent_incomplete", "high", "CF-7", 1)
    assert f.message == ("This photo shows 2 faces but its consent record (CF-7) names 1 person: "
                         "everyone pictured needs to have consented.")
    assert "Example" not in repr(f.to_dict())
    assert found("Pat Example; Sam Example") == [None]
    assert found("the Example family (2)") == [None]


def test_without_a_register_one_finding_sums_up_the_photos(write_config):
    snap = snapshot_of(PAGES, IMAGES, BASE)
    ctx = context(write_config(BASE + "/", name="noreg.toml"))
    [f] = photo_consent.check(snap, ctx)
    assert (f.check, f.url, f.subject, f.severity) == ("photo.no_consent", BASE + "/", None, "high")
    # the astronaut (two sizes on one page count once) and the camera man; the rest show nobody
    assert f.evidence["photos"] == 2 and f.evidence["with_faces"] == 2
    assert f.message.startswith("2 photos of people are published (2 showing faces)")
    assert "no consent register is configured" in f.message


def test_bad_register_rows_are_left_out_reported_and_the_rest_still_checked(setup, tmp_path):
    _, snap, ctx = setup
    (tmp_path / "register.csv").write_text(REGISTER + "originals/gone.jpg,X,CF-8,2025-01-01,,all,\n")
    runner = Runner(ctx, only=["photo_consent"])
    runner.site(snap)
    assert len(runner.findings) == 6
    [failure] = runner.failures
    assert "register.csv line 7, column photo: cannot read photo file 'gone.jpg'" in failure.error


def test_photo_metadata_gps_and_names(tmp_path, write_config):
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 1.0, 2.0), 3: "W", 4: (0.0, 1.0, 2.0)})
    named = Image.Exif()
    named[315] = "Jane Example"
    captioned = Image.Exif()
    captioned[270] = "Sarah Miller and her volunteer Anne Jones at the coffee morning"
    captioned[315] = "Jane Example"
    images = {"/gps.jpg": small("coffee", exif=exif), "/named.jpg": small("rocket", exif=named),
              "/caption.jpg": small("astronaut", exif=captioned),
              "/clean.jpg": small("chelsea"), "/logo.jpg": encode(logo(), exif=named)}
    html = "".join(f'<img src="{p}" alt="x">' for p in images) + '<img src="/gps.jpg" alt="again">'
    snap = snapshot_of({"/p.html": f"<html><body><main>{html}</main></body></html>"}, images, BASE)
    found = list(photo_metadata.check(snap, context(write_config(BASE + "/"))))
    assert [(f.subject.removeprefix(BASE), f.severity, f.evidence["caption_fields"], f.evidence["credit_fields"])
            for f in found] == [
        ("/gps.jpg", "high", [], []),
        ("/named.jpg", "low", [], ["EXIF Artist"]),            # a photographer's by-line
        ("/caption.jpg", "high", ["EXIF ImageDescription"], ["EXIF Artist"]),   # a caption naming people
    ]
    gps, byline, caption = (f.message for f in found)
    assert gps == "This photo's hidden metadata still gives the GPS location where it was taken."
    assert "photographer or copyright holder (EXIF Artist)" in byline and "usually harmless" in byline
    assert "caption or keywords (EXIF ImageDescription)" in caption and "family" in caption
    assert not any(n in repr([f.to_dict() for f in found]) for n in ("Jane", "Sarah", "Anne"))


def test_thumbnails_of_flagged_photos_are_small_and_stripped(setup, tmp_path):
    _, snap, ctx = setup
    findings = list(photo_consent.check(snap, ctx))
    thumbs = save_thumbnails(findings, snap, tmp_path / "var")
    assert set(thumbs) == {f.subject for f in findings}
    for src, path in thumbs.items():
        assert path.parent == tmp_path / "var" / "thumbnails" and path.suffix == ".jpg"
        img = Image.open(io.BytesIO(path.read_bytes()))
        assert max(img.size) <= 160 and not img.getexif()
        assert snap.images[src].thumbnail == path.name
    assert BASE + "/img/astronaut.jpg" not in thumbs


def test_url_rows_match_their_exact_url_and_copies_of_the_crawled_image(setup):
    _, snap, ctx = setup
    page = snapshot_of({"/d.html": '<html><body><main><img src="/img/camera-copy.jpg" alt="c"></main></body></html>'},
                       {}, BASE).pages[0]
    snap.pages = [page]
    snap.posts = []
    assert list(photo_consent.check(snap, ctx)) == []          # learnt from the crawled /img/camera.jpg
    del snap.images[BASE + "/img/camera.jpg"]
    ctx = Resources(config=ctx.config, now=ctx.now)
    assert table(photo_consent.check(snap, ctx)) == [("photo.no_consent", "/d.html", "camera-copy.jpg")]
