"""The consent register's hash cache: reused while photos are unchanged, redone when one is edited."""
from __future__ import annotations

import json
import os

import numpy as np
import pytest
from consent_support import encode, photo

from auditor.consent import hashcache, hashing
from auditor.consent import register as reg

HEADER = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "photos").mkdir()
    for name in ("astronaut", "coffee"):
        (tmp_path / "photos" / f"{name}.jpg").write_bytes(encode(photo(name)))
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "photos/astronaut.jpg,Pat,CF-1,2025-01-10,,all,\n"
                    "photos/coffee.jpg,Sam,CF-2,2025-01-10,,all,\n", encoding="utf-8")
    return tmp_path


def counting(monkeypatch) -> list[int]:
    """Count how many photos are decoded for hashing."""
    calls: list[int] = []
    real = hashing.grey_array
    monkeypatch.setattr(hashing, "grey_array", lambda data: calls.append(1) or real(data))
    return calls


def matches(register, name, folder):
    data = (folder / "photos" / f"{name}.jpg").read_bytes()
    return [(r.consent_ref, d) for r, d in register.match(hashing.candidate_hashes(hashing.grey_array(data)))]


def test_second_load_reuses_hashes_and_matches_the_same(folder, tmp_path, monkeypatch):
    storage = tmp_path / "storage"
    plain = reg.load(folder / "register.csv")
    calls = counting(monkeypatch)
    first = reg.load(folder / "register.csv", cache_dir=storage)
    assert len(calls) == 2 and (storage / hashcache.FILE_NAME).is_file()
    second = reg.load(folder / "register.csv", cache_dir=storage)
    assert len(calls) == 2                       # nothing decoded again
    monkeypatch.undo()
    for loaded in (first, second):
        assert len(loaded.index) == 2 and not loaded.errors
        assert matches(loaded, "coffee", folder) == matches(plain, "coffee", folder)
        assert matches(loaded, "astronaut", folder)[0][0] == "CF-1"


def test_edited_photo_is_hashed_again(folder, tmp_path, monkeypatch):
    storage = tmp_path / "storage"
    reg.load(folder / "register.csv", cache_dir=storage)
    target = folder / "photos" / "astronaut.jpg"
    target.write_bytes(encode(photo("chelsea")))            # same name, a different picture
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    calls = counting(monkeypatch)
    register = reg.load(folder / "register.csv", cache_dir=storage)
    assert len(calls) == 1                       # only the edited photo
    monkeypatch.undo()
    data = encode(photo("chelsea"))
    found = register.match(hashing.candidate_hashes(hashing.grey_array(data)))
    assert found and found[0][0].consent_ref == "CF-1" and found[0][1] == 0


def test_removed_rows_leave_the_cache_and_bad_files_are_ignored(folder, tmp_path):
    storage = tmp_path / "storage"
    reg.load(folder / "register.csv", cache_dir=storage)
    (folder / "register.csv").write_text(HEADER + "photos/coffee.jpg,Sam,CF-2,2025-01-10,,all,\n", encoding="utf-8")
    reg.load(folder / "register.csv", cache_dir=storage)
    saved = json.loads((storage / hashcache.FILE_NAME).read_text())["photos"]
    assert len(saved) == 1 and "coffee.jpg" in next(iter(saved))
    (storage / hashcache.FILE_NAME).write_text("{not json")
    register = reg.load(folder / "register.csv", cache_dir=storage)
    assert len(register.index) == 1 and not register.errors


def test_cached_hashes_equal_fresh_ones(folder, tmp_path):
    storage = tmp_path / "storage"
    reg.load(folder / "register.csv", cache_dir=storage)
    cache = hashcache.HashCache(storage)
    file = (folder / "photos" / "coffee.jpg").resolve()
    reference, candidate = cache.get(cache.key(file, file.stat()))
    arr = hashing.grey_array(file.read_bytes())
    assert np.array_equal(reference.h256, hashing.reference_hashes(arr).h256)
    assert np.array_equal(candidate.h64, hashing.candidate_hashes(arr).h64)
    assert np.array_equal(candidate.h256, hashing.candidate_hashes(arr).h256)
