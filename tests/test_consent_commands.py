"""`auditor consent add|check|list` through the real command line entry point."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from consent_support import encode, photo

from auditor import cli

HEADER = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


@pytest.fixture
def main():
    return cli.main


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "photos").mkdir()
    for name in ("astronaut", "coffee", "chelsea"):
        (tmp_path / "photos" / f"{name}.jpg").write_bytes(encode(photo(name)))
    (tmp_path / "copy.jpg").write_bytes(encode(photo("coffee").resize((300, 200)), quality=60))
    soon = (date.today() + timedelta(days=20)).isoformat()
    (tmp_path / "register.csv").write_text(
        HEADER + "photos/astronaut.jpg,Pat Example,CF-1,2025-01-10,,website,\n"
        f"photos/coffee.jpg,Sam Example,CF-2,2025-01-10,{soon},all,\n"
        "photos/chelsea.jpg,Lee Example,CF-3,2020-01-10,2021-01-10,all,\n", encoding="utf-8")
    return tmp_path


def consent(main, folder, *args):
    return main(["consent", "--register", str(folder / "register.csv"), *args])


def test_add_appends_a_validated_row_with_a_path_relative_to_the_register(main, folder, tmp_path_factory, capsys):
    new = tmp_path_factory.mktemp("elsewhere") / "rocket.jpg"
    new.write_bytes(encode(photo("rocket")))
    code = consent(main, folder, "add", str(new), "--subjects", "Ann Example", "--ref", "CF-4",
                   "--given", "2025-05-01", "--channels", "website;facebook")
    assert code == 0
    assert capsys.readouterr().out == ("Added line 5 (consent CF-4) for rocket.jpg: given 2025-05-01, no expiry, "
                                       "channels facebook;website.\n")
    last = (folder / "register.csv").read_text().splitlines()[-1]
    assert last == f"../{new.parent.name}/rocket.jpg,Ann Example,CF-4,2025-05-01,,website;facebook,"


def test_add_refuses_a_photo_already_covered_and_says_which_row(main, folder, capsys):
    before = (folder / "register.csv").read_text()
    code = consent(main, folder, "add", str(folder / "copy.jpg"), "--subjects", "X", "--ref", "CF-9", "--given", "2025-05-01")
    assert code == 1
    assert "duplicate photo: the same picture as line 3" in capsys.readouterr().err
    assert (folder / "register.csv").read_text() == before


@pytest.mark.parametrize("args, message", [
    (["--given", "2025-02-30"], "column given: bad date '2025-02-30'"),
    (["--given", "2025-01-01", "--channels", "website;fax"], "column channels: unknown channel 'fax'"),
    (["--given", "2025-01-01", "--expires", "2024-01-01"], "column expires: 2024-01-01 is before"),
])
def test_add_rejects_bad_input_with_exit_2(main, folder, capsys, args, message):
    (folder / "new.jpg").write_bytes(encode(photo("rocket")))
    assert consent(main, folder, "add", str(folder / "new.jpg"), "--subjects", "X", "--ref", "CF-7", *args) == 2
    assert message in capsys.readouterr().err


def test_add_rejects_a_missing_photo_file(main, folder, capsys):
    assert consent(main, folder, "add", str(folder / "nope.jpg"), "--subjects", "X", "--ref", "CF-7",
                   "--given", "2025-01-01") == 2
    assert "no such photo file" in capsys.readouterr().err


def test_check_says_covered_by_which_row(main, folder, capsys):
    assert consent(main, folder, "check", str(folder / "copy.jpg")) == 0
    assert capsys.readouterr().out.startswith("Covered: line 3 (consent CF-2), given 2025-01-10, expires ")


def test_check_not_covered_expired_wrong_channel_and_no_record(main, folder, capsys):
    (folder / "cat.png").write_bytes(encode(photo("chelsea").resize((200, 150)), "PNG"))
    assert consent(main, folder, "check", str(folder / "cat.png")) == 1
    assert capsys.readouterr().out.startswith("Not covered (consent expired): line 4 (consent CF-3)")
    assert consent(main, folder, "check", str(folder / "photos/astronaut.jpg"), "--channel", "instagram") == 1
    assert "consent does not cover that channel" in capsys.readouterr().out
    (folder / "bike.jpg").write_bytes(encode(photo("motorcycle_left")))
    assert consent(main, folder, "check", str(folder / "bike.jpg")) == 1
    assert capsys.readouterr().out == "Not covered: no row of the consent register matches this photo.\n"


def test_check_a_url_fetches_it(main, folder, serve, capsys):
    (folder / "site").mkdir()
    (folder / "site" / "pic.jpg").write_bytes(encode(photo("astronaut").resize((256, 256))))
    server = serve(root=folder / "site")
    assert consent(main, folder, "check", server.url("/pic.jpg")) == 0
    assert "line 2 (consent CF-1)" in capsys.readouterr().out
    assert consent(main, folder, "check", server.url("/missing.jpg")) == 2
    assert "could not fetch it" in capsys.readouterr().err


def test_list_expiring_shows_refs_and_dates_never_names(main, folder, capsys):
    assert consent(main, folder, "list", "--expiring", "30") == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("expired 2021-01-10  CF-3  line 4  chelsea.jpg")
    assert "  CF-2  line 3  coffee.jpg  all" in lines[1] and lines[1].startswith("expires ")
    assert lines[-1] == "2 consent(s) running out within 30 days."
    assert "Example" not in out


def test_register_comes_from_the_config(main, folder, write_config, capsys):
    config = write_config("http://site.test/", extra="[consent]\nregister = 'register.csv'\n")
    assert main(["consent", "--config", str(config), "list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    bare = write_config("http://site.test/", name="bare.toml")
    assert main(["consent", "--config", str(bare), "list"]) == 2
    assert "no [consent] register is configured" in capsys.readouterr().err
