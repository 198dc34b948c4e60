"""The consent register: loading, validation with line and column, expiring consents, appending."""
from __future__ import annotations

from datetime import date

import pytest
from consent_support import encode, photo

from auditor.consent import register as reg

HEADER = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "photos").mkdir()
    for name in ("astronaut", "coffee", "chelsea"):
        (tmp_path / "photos" / f"{name}.jpg").write_bytes(encode(photo(name)))
    (tmp_path / "photos" / "notes.txt").write_text("not a photo")
    return tmp_path


def write(folder, *rows):
    path = folder / "register.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_valid_register_loads_with_dates_channels_and_hashes(folder):
    path = write(folder, "photos/astronaut.jpg,Pat Example,CF-1,2025-01-10,2027-01-10,website;facebook,",
                 "https://site.test/a.jpg,Sam Example,CF-2,2025-02-01,,all,2025-06-01")
    register = reg.load(path)
    assert not register.errors
    a, b = register.records
    assert (a.line, a.given, a.expires, a.channels) == (2, date(2025, 1, 10), date(2027, 1, 10),
                                                        frozenset({"website", "facebook"}))
    assert a.file == (folder / "photos/astronaut.jpg").resolve() and not a.is_url
    assert b.is_url and b.withdrawn == date(2025, 6, 1) and b.expires is None
    assert len(register.index) == 1          # URL rows are never fetched by the loader
    assert register.by_url("https://site.test/a.jpg") == [b]


@pytest.mark.parametrize("row, column, problem", [
    ("photos/astronaut.jpg,P,CF-1,2025-13-01,,all,", "given", "bad date '2025-13-01'"),
    ("photos/astronaut.jpg,P,CF-1,10/01/2025,,all,", "given", "bad date '10/01/2025'"),
    ("photos/astronaut.jpg,P,CF-1,2025-01-10,2024-01-01,all,", "expires", "before the date consent was given"),
    ("photos/astronaut.jpg,P,CF-1,2025-01-10,,all,yesterday", "withdrawn", "bad date 'yesterday'"),
    ("photos/astronaut.jpg,P,CF-1,2025-01-10,,website;myspace,", "channels", "unknown channel 'myspace'"),
    ("photos/missing.jpg,P,CF-1,2025-01-10,,all,", "photo", "cannot read photo file 'missing.jpg'"),
    ("photos/notes.txt,P,CF-1,2025-01-10,,all,", "photo", "'notes.txt' is not a readable image"),
    ("ftp://site.test/a.jpg,P,CF-1,2025-01-10,,all,", "photo", "only file paths and http(s) URLs"),
    ("photos/astronaut.jpg,,CF-1,2025-01-10,,all,", "subjects", "empty"),
    ("photos/astronaut.jpg,P,,2025-01-10,,all,", "consent_ref", "empty"),
])
def test_each_bad_row_is_reported_with_line_column_and_problem(folder, row, column, problem):
    path = write(folder, "photos/coffee.jpg,Q,CF-0,2025-01-10,,all,", row)
    register = reg.load(path)
    assert [r.consent_ref for r in register.records] == ["CF-0"]
    [error] = register.errors
    assert (error.line, error.column) == (3, column)
    assert problem in error.problem
    assert str(error).startswith(f"register.csv line 3, column {column}: ")
    with pytest.raises(reg.RegisterError):
        reg.load(path, strict=True)


def test_duplicate_photo_by_path_by_content_and_duplicate_ref(folder):
    (folder / "photos" / "copy-of-astronaut.jpg").write_bytes(encode(photo("astronaut").resize((256, 256)), quality=60))
    path = write(folder, "photos/astronaut.jpg,P,CF-1,2025-01-10,,all,",
                 "photos/../photos/astronaut.jpg,P,CF-2,2025-01-10,,all,",
                 "photos/copy-of-astronaut.jpg,P,CF-3,2025-01-10,,all,",
                 "photos/coffee.jpg,P,CF-1,2025-01-10,,all,")
    errors = reg.load(path).errors
    assert [(e.line, e.column) for e in errors] == [(3, "photo"), (4, "photo"), (5, "consent_ref")]
    assert "already on line 2" in errors[0].problem
    assert "same picture as line 2" in errors[1].problem
    assert "also on line 2" in errors[2].problem


def test_missing_column_is_refused(folder):
    path = folder / "register.csv"
    path.write_text("photo,subjects,consent_ref,given,expires\nphotos/coffee.jpg,P,CF-1,2025-01-10,\n")
    with pytest.raises(reg.RegisterError, match="line 1, column channels: missing column"):
        reg.load(path)


def test_status_of_a_record_for_a_channel():
    rec = reg.Record(line=2, photo="a.jpg", subjects="P", consent_ref="CF", given=date(2025, 1, 1),
                     expires=date(2026, 1, 1), channels=frozenset({"social"}))
    assert rec.status(date(2025, 6, 1), "facebook") == "ok"
    assert rec.status(date(2025, 6, 1), "website") == "scope"
    assert rec.status(date(2026, 1, 2), "facebook") == "expired"
    assert rec.status(date(2024, 6, 1), "facebook") == "not_yet"
    rec.withdrawn = date(2025, 3, 1)
    assert rec.status(date(2025, 3, 1), "facebook") == "withdrawn"


def test_expiring_lists_refs_dates_and_file_names_only(folder):
    path = write(folder, "photos/astronaut.jpg,Pat Example,CF-1,2025-01-10,2026-07-01,website,",
                 "photos/coffee.jpg,Sam Example,CF-2,2025-01-10,2026-05-01,all,",
                 "photos/chelsea.jpg,Lee Example,CF-3,2025-01-10,2027-05-01,all,",
                 "https://site.test/x/group.jpg,Kim Example,CF-4,2025-01-10,2026-06-15,all,2025-02-01")
    register = reg.load(path)
    rows = reg.expiring(register, before=date(2026, 9, 1), after=date(2026, 6, 1))
    assert rows == [{"consent_ref": "CF-1", "expires": "2026-07-01", "photo": "astronaut.jpg",
                     "channels": ["website"], "line": 2}]
    assert [r["consent_ref"] for r in reg.expiring(register, before=date(2026, 9, 1))] == ["CF-2", "CF-1"]
    assert "Example" not in repr(rows)


def test_append_validates_and_writes_a_row_that_loads_back(folder):
    path = write(folder, "photos/astronaut.jpg,P,CF-1,2025-01-10,,all,")
    record = reg.append(path, "photos/coffee.jpg", "Ann Example, Bo Example", "CF-2", "2025-03-01",
                        "2027-03-01", "website;instagram")
    assert record.line == 3
    again = reg.load(path)
    assert [r.consent_ref for r in again.records] == ["CF-1", "CF-2"] and not again.errors
    assert again.records[1].subjects == "Ann Example, Bo Example"
    with pytest.raises(reg.RegisterError, match="bad date"):
        reg.append(path, "photos/chelsea.jpg", "P", "CF-3", "2025-3-1")
    with pytest.raises(reg.RegisterError, match="already on line 2"):
        reg.append(path, "photos/astronaut.jpg", "P", "CF-4", "2025-03-01")
    assert len(reg.load(path).records) == 2


def test_relative_photo_paths_are_relative_to_the_register(folder):
    assert reg.relative_photo(folder / "register.csv", folder / "photos" / "coffee.jpg") == "photos/coffee.jpg"


def test_example_and_demo_registers_are_valid():
    from pathlib import Path

    from auditor.demo import data_dir

    example = reg.load(Path(__file__).parent.parent / "config" / "consent_register.csv", strict=True)
    assert [r.consent_ref for r in example.records] == ["CF-2025-001", "CF-2025-002"]
    demo = reg.load(data_dir() / "consent_register.csv", strict=True)
    assert len(demo.records) == 6 and len(demo.index) == 6


def test_dates_only_load_skips_reading_photos(folder):
    path = write(folder, "photos/missing.jpg,P,CF-1,2025-01-10,2026-02-01,all,")
    register = reg.load(path, photos=False)
    assert not register.errors and len(register.index) == 0
    assert reg.expiring(register, before=date(2026, 3, 1))[0]["consent_ref"] == "CF-1"


def test_a_register_saved_by_a_spreadsheet_in_windows_1252_loads_and_appends(folder):
    path = folder / "register.csv"
    path.write_bytes((HEADER + "photos/astronaut.jpg,Zoë Example,CF-1,2025-01-10,,all,\r\n").encode("cp1252"))
    assert reg.load(path).records[0].subjects == "Zoë Example"
    reg.append(path, "photos/coffee.jpg", "Renée Example", "CF-2", "2025-02-01")
    assert [r.subjects for r in reg.load(path, strict=True).records] == ["Zoë Example", "Renée Example"]
