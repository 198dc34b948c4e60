"""Perceptual matching: a published copy finds its register original whatever was done to it,
and different photos (even of the same scene) are not confused."""
from __future__ import annotations

import functools

import pytest
from consent_support import encode, photo, transformed

from auditor.consent import hashing
from auditor.consent.matcher import Index

ORIGINALS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "motorcycle_left", "motorcycle_right")


@functools.lru_cache(maxsize=None)
def copies(name: str) -> dict[str, bytes]:
    return transformed(photo(name))


@pytest.fixture(scope="module")
def index():
    idx = Index()
    for key, name in enumerate(ORIGINALS):
        idx.add(key, hashing.reference_hashes(hashing.grey_array(encode(photo(name)))))
    return idx


def best(index, data):
    found = index.lookup(hashing.candidate_hashes(hashing.grey_array(data)))
    return ORIGINALS[found[0].key] if found else None


@pytest.mark.parametrize("name", ["astronaut", "coffee", "motorcycle_left"])
@pytest.mark.parametrize("how", list(transformed(photo("chelsea"))))
def test_each_transformation_of_a_copy_matches_its_original(index, name, how):
    assert best(index, copies(name)[how]) == name


def test_two_photos_of_the_same_scene_are_not_confused(index):
    for name in ("motorcycle_left", "motorcycle_right"):
        for how, data in copies(name).items():
            assert best(index, data) == name, how


def test_a_photo_not_in_the_register_matches_nothing(index):
    for name in ("coins", "immunohistochemistry", "clock"):
        assert best(index, encode(photo(name))) is None


def test_a_different_part_of_the_same_photo_is_not_a_copy(index):
    img = photo("astronaut")
    w, h = img.size
    assert best(index, encode(img.crop((w // 2, 0, w, h // 2)))) is None


def test_border_is_trimmed_before_hashing():
    img = photo("coffee")
    from PIL import ImageOps
    plain = hashing.grey_array(encode(img))
    framed = hashing.grey_array(encode(ImageOps.expand(img, border=40, fill=(20, 90, 160))))
    assert abs(framed.shape[0] / framed.shape[1] - plain.shape[0] / plain.shape[1]) < 0.03


def test_hashes_round_trip_through_hex(index):
    hs = hashing.candidate_hashes(hashing.grey_array(encode(photo("rocket"))))
    h64, h256 = hs.to_hex()
    back = hashing.HashSet.of({"consent64": h64, "consent256": h256})
    assert (back.h64 == hs.h64).all() and (back.h256 == hs.h256).all() and len(h64) == 81 * 16


def test_index_stays_correct_with_many_entries(index):
    """Hundreds of other photos (crops of other images) do not pull a copy away from its original."""
    big = Index()
    sources = [photo(n) for n in ("coins", "immunohistochemistry", "clock", "rocket", "camera")]
    key = 0
    for img in sources:
        w, h = img.size
        for fx in range(0, 40, 4):
            for fy in range(0, 40, 8):
                part = img.crop((w * fx // 100, h * fy // 100, w * (fx + 55) // 100, h * (fy + 55) // 100))
                big.add(key, hashing.reference_hashes(hashing.grey_array(encode(part))))
                key += 1
    big.add(10_000, hashing.reference_hashes(hashing.grey_array(encode(photo("chelsea")))))
    found = big.lookup(hashing.candidate_hashes(hashing.grey_array(copies("chelsea")["cropped"])))
    assert found and found[0].key == 10_000
