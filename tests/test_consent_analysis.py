"""The photo analyser: photograph or graphic, faces, telling metadata, thumbnail."""
from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from consent_support import encode, labelled_set, logo, photo, two_people
from PIL import Image, ImageOps

from auditor import imaging, metadata, photos
from auditor.people import Sighting


def analysed(data: bytes, url: str = "http://site.test/x.jpg"):
    info = imaging.analyse(url, data, "image/jpeg")
    assert info.error is None
    return info


def is_photo(data: bytes) -> bool:
    """As the crawl judges it: large JPEGs are analysed decoded at reduced size."""
    return imaging.analyse("http://site.test/x", data).facts["photo_score"] >= photos.PHOTO_THRESHOLD


def test_photo_classifier_accuracy_on_the_labelled_set():
    rows = labelled_set()
    right = [label for label, data, truth in rows if is_photo(data) == truth]
    assert len(right) / len(rows) >= 0.95, sorted(set(label for label, _, _ in rows) - set(right))
    wrong = {label for label, _, _ in rows} - set(right)
    # every drawn logo, icon, button, chart and map is recognised as not a photograph
    assert not {w for w in wrong if w.startswith(("logo", "icon", "button", "chart", "map"))}
    assert not {w for w in wrong if not w.startswith("skimage-")}


def test_only_photographs_get_consent_hashes_faces_and_thumbnails():
    logo = analysed(encode(Image.new("RGB", (300, 100), (255, 255, 255)), "PNG"))
    assert logo.facts["photo"] is False and "consent64" not in logo.hashes and "thumb" not in logo.facts
    pic = analysed(encode(photo("coffee")))
    assert pic.facts["photo"] is True and pic.facts["faces"] == 0
    assert len(pic.hashes["consent64"]) == 81 * 16 and len(pic.hashes["consent256"]) == 81 * 64


def test_faces_are_counted_in_a_photo_of_a_person_and_not_in_a_landscape():
    astronaut = analysed(encode(photo("astronaut"))).facts
    assert (astronaut["people"], astronaut["faces"], astronaut["unclear_faces"]) == (True, 1, 0)
    rocket = analysed(encode(photo("rocket"))).facts
    assert (rocket["people"], rocket["faces"]) == (False, 0)
    assert analysed(encode(photo("chelsea"))).facts["people"] is False      # a cat's face is not a person


def test_each_face_of_a_group_is_counted_at_any_size_the_site_publishes():
    for width in (1024, 480):
        group = two_people().resize((width, width // 2), Image.Resampling.LANCZOS)
        assert analysed(encode(group)).facts["faces"] == 2, width


def test_faces_too_small_for_a_first_look_are_counted_after_a_closer_one():
    # two people small in a wide scene, as in a photo of a hall or a playground: at the first
    # look their faces are too small to tell
    scene = photo("brick").convert("RGB").resize((1200, 900))
    scene.paste(two_people().resize((480, 240), Image.Resampling.LANCZOS), (450, 400))
    facts = analysed(encode(scene)).facts
    assert facts["people"] is True and facts["faces"] >= 1


def test_the_detectors_send_and_store_nothing_and_print_nothing(tmp_path):
    # ONNX Runtime keeps a device identifier and a queue of usage events in the home folder
    home = tmp_path / "home"
    home.mkdir()
    script = ("import sys; sys.path.insert(0, 'tests'); from consent_support import photo; "
              "from auditor import people; print(people.look(photo('astronaut')).faces)")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "HOME": str(home)},
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert (done.returncode, done.stdout, done.stderr) == (0, "1\n", "")
    assert list(home.rglob("*")) == []


def test_the_audits_own_process_does_not_load_the_detectors_runtime():
    # it only reads what the decoding workers saw: ONNX Runtime would cost it some 30 MB
    script = ("import sys; from auditor import cli, pipeline, checks, people, isolation; "
              "print('onnxruntime' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout == "False\n", done.stderr


def test_an_unsure_image_counts_as_a_photograph_when_someone_is_clearly_pictured_in_it():
    # a wide black frame makes a photo read as half a graphic
    framed = analysed(encode(ImageOps.expand(photo("astronaut"), border=128, fill=(0, 0, 0)))).facts
    assert photos.UNSURE_FROM <= framed["photo_score"] < photos.PHOTO_THRESHOLD
    assert framed["photo"] is True and framed["faces"] == 1
    nobody = analysed(encode(ImageOps.expand(photo("coffee"), border=128, fill=(0, 0, 0)))).facts
    assert photos.UNSURE_FROM <= nobody["photo_score"] < photos.PHOTO_THRESHOLD
    assert nobody["photo"] is False


def test_graphics_are_not_searched_for_people():
    facts = analysed(encode(logo(), "PNG")).facts
    assert facts["photo"] is False and "people" not in facts and "faces" not in facts


def test_what_was_seen_is_said_in_plain_words():
    assert Sighting(faces=3, people=True).describe() == "3 faces"
    assert Sighting(faces=1, unclear=2, people=True).describe() == "1 face and 2 more too small to recognise"
    assert Sighting(unclear=1, people=True).describe() == "1 face too small or blurred to recognise"
    assert Sighting(people=True).describe() == "people seen from behind, far away or in part"
    assert Sighting.from_facts(Sighting(2, 1, True).to_facts()) == Sighting(2, 1, True)


def test_thumbnail_is_small_and_carries_no_metadata():
    data = encode(photo("astronaut"), exif=_exif(gps=True, artist="Jane Example"))
    thumb = Image.open(io.BytesIO(base64.b64decode(analysed(data).facts["thumb"])))
    assert max(thumb.size) <= 160 and thumb.format == "JPEG"
    assert not thumb.getexif() and "exif" not in thumb.info


def _exif(gps=False, artist=None, description=None):
    exif = Image.Exif()
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 35.0, 21.6), 3: "W", 4: (0.0, 13.0, 44.4)})
    if artist:
        exif[315] = artist
    if description:
        exif[270] = description
    return exif


def _iptc_caption(jpeg: bytes, caption: str) -> bytes:
    record = b"\x1c\x02\x78" + len(caption.encode()).to_bytes(2, "big") + caption.encode()
    record += b"\x00" * (len(record) % 2)
    irb = b"8BIM\x04\x04\x00\x00" + len(record).to_bytes(4, "big") + record
    app13 = b"Photoshop 3.0\x00" + irb
    return jpeg[:2] + b"\xff\xed" + (len(app13) + 2).to_bytes(2, "big") + app13 + jpeg[2:]


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/"><Iptc4xmpExt:PersonInImage><rdf:Bag><rdf:li>Amira</rdf:li>'
       b'</rdf:Bag></Iptc4xmpExt:PersonInImage><dc:creator><rdf:Seq><rdf:li>Chris Example</rdf:li></rdf:Seq>'
       b'</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("data, gps, names", [
    (lambda img: encode(img, exif=_exif(gps=True)), True, []),
    (lambda img: encode(img, exif=_exif(artist="Jane Example")), False, ["EXIF Artist"]),
    (lambda img: encode(img, exif=_exif(description="Story time with Bola Example")), False, ["EXIF ImageDescription"]),
    (lambda img: encode(img, exif=_exif(artist="OLYMPUS DIGITAL CAMERA", description="Home-Start Family Day")), False, []),
    (lambda img: _iptc_caption(encode(img), "Leo Example at the toy library"), False, ["IPTC Caption"]),
    (lambda img: encode(img, xmp=XMP), False, ["XMP PersonInImage", "XMP dc:creator"]),
    (lambda img: encode(img), False, []),
])
def test_metadata_reports_gps_and_the_fields_that_name_people(data, gps, names):
    info = analysed(data(photo("coffee")))
    assert info.facts["gps"] is gps and info.facts["metadata_names"] == names
    # field names only, never the names themselves; caption texts (published in the photo) are kept
    # apart for the name and personal-data checks
    assert "Example" not in repr({k: v for k, v in info.facts.items() if k != "metadata_captions"})
    assert "Jane" not in repr(info.facts) and "Chris" not in repr(info.facts)      # by-lines are not captions


def test_zero_gps_coordinates_are_not_a_location():
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({2: (0.0, 0.0, 0.0), 4: (0.0, 0.0, 0.0)})
    assert metadata.inspect(Image.open(io.BytesIO(encode(photo("coffee"), exif=exif)))) == (False, [])


def test_tiny_transparent_and_vector_images_are_never_photos():
    assert photos.photo_score(photo("coffee").resize((48, 32)), "JPEG") == 0.0
    assert photos.photo_score(photo("coffee").convert("RGBA").resize((200, 100)).crop((0, 0, 220, 100)), "PNG") == 0.0
    assert photos.photo_score(photo("coffee"), "SVG") == 0.0


def test_facts_and_hashes_survive_the_json_cache():
    import json

    from auditor.snapshot import ImageInfo

    info = analysed(encode(photo("astronaut"), exif=_exif(gps=True, artist="Jane Example")))
    back = ImageInfo.from_dict(json.loads(json.dumps(info.to_dict())))
    assert back.facts == info.facts and back.hashes == info.hashes
    assert back.facts["photo"] is True and back.facts["gps"] is True and back.facts["faces"] == 1
