"""The demo site's planted consent cases, checked on a snapshot built from the demo's own files."""
from __future__ import annotations

from pathlib import Path

import pytest
from consent_support import context, snapshot_of

from auditor.checks import photo_consent, photo_metadata
from auditor.demo import data_dir, write_config

BASE = "http://demo.test"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    site = data_dir() / "site"
    pages = {"/" + p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    images = {"/" + p.relative_to(site).as_posix(): p.read_bytes()
              for p in site.rglob("*") if p.suffix in (".jpg", ".png")}
    snap = snapshot_of(pages, images, BASE)
    ctx = context(write_config(tmp_path_factory.mktemp("demo"), BASE))
    found = photo_consent.check(snap, ctx)
    return snap, list(found) + list(photo_metadata.check(snap, ctx))


def codes(findings, page, photo):
    return {f.check for f in findings if f.url == BASE + page and f.subject.endswith(photo)}


def test_each_planted_consent_case_is_found(demo):
    _, findings = demo
    assert codes(findings, "/about.html", "volunteers-training.jpg") == {"photo.no_consent"}
    assert codes(findings, "/news/summer-fun-day-2021.html", "summer-fun-day.jpg") == {"photo.consent_expired"}
    assert codes(findings, "/events.html", "family-outing.jpg") == {"photo.consent_withdrawn"}
    assert codes(findings, "/index.html", "coffee-morning.jpg") == {"photo.consent_scope"}
    assert codes(findings, "/events.html", "toy-library.jpg") == {"privacy.photo_metadata"}
    assert codes(findings, "/volunteer.html", "volunteer-mentors.jpg") == {"photo.consent_incomplete"}


def test_no_consent_photo_shows_a_face_and_is_high(demo):
    _, findings = demo
    [f] = [f for f in findings if f.check == "photo.no_consent"]
    assert f.severity == "high" and f.evidence["faces"] >= 1


def test_consented_resized_copy_is_not_flagged(demo):
    _, findings = demo
    assert not [f for f in findings if f.subject.endswith("volunteer-of-the-year.jpg")]


def test_logos_and_icons_are_not_photos(demo):
    snap, _ = demo
    photos = {url for url in snap.images if "/photos/" in url or url.endswith("/coffee-morning.jpg")}
    assert len(photos) >= 6
    for url, info in snap.images.items():
        assert info.facts["photo"] == (url in photos), url


def test_evidence_names_consent_refs_never_people(demo):
    _, findings = demo
    text = repr([f.to_dict() for f in findings])
    assert "CF-2021-007" in text and "CF-2024-003" in text and "CF-2025-011" in text
    assert "Demo Family" not in text and "Demo Volunteer" not in text
