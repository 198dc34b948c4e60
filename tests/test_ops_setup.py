"""Setting up as a new user would: the example config copied elsewhere, the consent register checked
before the first audit, `consent check` channels, and command-line input refused before any fetch."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import one_page_site
from consent_support import encode, photo

from auditor import cli, config

ROOT = Path(__file__).resolve().parent.parent
HEADER = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    try:
        code = cli.main(list(args))
    except SystemExit as exc:          # argparse refusing an argument
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_the_example_config_copied_elsewhere_is_valid_and_reaches_nothing_real(tmp_path, capsys):
    copy = tmp_path / "mine" / "auditor.toml"
    copy.parent.mkdir()
    shutil.copy(ROOT / "config" / "auditor.toml", copy)
    cfg = config.load(copy)
    assert cfg.report.smtp is None and cfg.social == ()
    assert cfg.storage == (copy.parent / "var").resolve()
    assert run_cli(capsys, "check-config", "--config", str(copy))[0] == 0


def test_a_missing_folder_is_named_by_its_absolute_path_and_how_relative_paths_resolve(tmp_path, write_config, capsys):
    path = write_config("https://www.example.org.uk/", extra='[identity]\napproved_logos = "logos/approved"\n')
    code, out, err = run_cli(capsys, "check-config", "--config", str(path))
    assert code == 2
    assert f"'{tmp_path / 'logos' / 'approved'}' not found" in err
    assert f"relative paths resolve against the config file's folder, {tmp_path}" in err


@pytest.fixture
def register(tmp_path):
    (tmp_path / "photos").mkdir()
    for name in ("astronaut", "coffee"):
        (tmp_path / "photos" / f"{name}.jpg").write_bytes(encode(photo(name)))
    path = tmp_path / "register.csv"
    path.write_text(HEADER + "photos/astronaut.jpg,Pat Example,CF-1,2025-01-10,,website,\n"
                    "photos/coffee.jpg,Sam Example,CF-2,2025-01-10,,facebook;instagram,\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("row, problem", [
    (",,,,,,\n", "line 4, column photo: empty"),
    ("photos/astronaut.jpg,Lee,CF-3,2025-13-01,,all,\n", "line 4, column given: bad date '2025-13-01'"),
    ("photos/gone.jpg,Lee,CF-3,2025-01-01,,all,\n", "line 4, column photo: cannot read photo file 'gone.jpg'"),
    ("photos/coffee.jpg,Lee,CF-3,2025-01-01,,all,\n", "line 4, column photo: duplicate photo (already on line 3)"),
    ("photos/astronaut.jpg,Lee,CF-1,2025-01-01,,webiste,\n", "line 4, column channels: unknown channel 'webiste'"),
])
def test_check_config_validates_every_row_of_the_consent_register(register, write_config, capsys, row, problem):
    with register.open("a", encoding="utf-8") as fh:
        fh.write(row)
    path = write_config("https://www.example.org.uk/", extra=f'[consent]\nregister = "{register.name}"\n')
    code, out, err = run_cli(capsys, "check-config", "--config", str(path))
    assert (code, out) == (2, "")
    assert err == f"Error: {register}: {problem}\n" or err.startswith(f"Error: {register}: {problem}")


def test_a_bad_register_row_never_prints_a_traceback_from_run(register, write_config, serve, tmp_path, capsys):
    web = serve(root=one_page_site(tmp_path / "site"))
    with register.open("a", encoding="utf-8") as fh:
        fh.write(",,,,,,\n")
    path = write_config(web.url("/"), extra=f'[consent]\nregister = "{register.name}"\n')
    code, out, err = run_cli(capsys, "run", "--no-email", "-q", "--config", str(path))
    assert code == 1
    assert "Traceback" not in err and "Traceback" not in out
    assert err.strip().splitlines() == [
        "Error: the photo_consent check failed: 1 row(s) of the consent register were left out because they "
        "are invalid; the first: register.csv line 4, column photo: empty"]


@pytest.mark.parametrize("args, code, said", [
    ([], 1, "Not covered (consent does not cover that channel)"),         # no channel: the website
    (["--channel", "Website"], 1, "Not covered (consent does not cover that channel)"),
    (["--channel", "WEBSITE"], 1, "Not covered (consent does not cover that channel)"),
    (["--channel", "Facebook"], 0, "Covered: line 3 (consent CF-2)"),
])
def test_consent_check_channels_are_case_insensitive_and_default_to_the_website(register, capsys, args, code, said):
    result = run_cli(capsys, "consent", "--register", str(register), "check",
                     str(register.parent / "photos" / "coffee.jpg"), *args)
    assert result[0] == code and said in result[1]


@pytest.mark.parametrize("name, hint", [("web", "did you mean 'website'?"), ("facebok", "did you mean 'facebook'?"),
                                        ("print", "")])
def test_consent_check_refuses_an_unknown_channel(register, capsys, name, hint):
    code, out, err = run_cli(capsys, "consent", "--register", str(register), "check",
                             str(register.parent / "photos" / "coffee.jpg"), "--channel", name)
    assert code == 2 and out == ""
    assert f"unknown channel '{name}'; {hint}" in err


def test_history_limit_must_be_positive(write_config, capsys):
    path = write_config("https://www.example.org.uk/")
    code, out, err = run_cli(capsys, "history", "--limit", "0", "--config", str(path))
    assert code == 2 and "No audits yet" not in out
    assert "--limit: must be a whole number of 1 or more, not '0'" in err


def test_run_refuses_an_unwritable_json_path_before_fetching_anything(write_config, serve, tmp_path, capsys):
    web = serve(root=tmp_path)
    path = write_config(web.url("/"))
    (tmp_path / "a-file").write_text("x")
    code, out, err = run_cli(capsys, "run", "--no-email", "--json", str(tmp_path / "a-file" / "out.json"),
                             "--config", str(path))
    assert code == 2
    assert err.startswith(f"Error: --json {tmp_path / 'a-file' / 'out.json'}: cannot be written")
    assert web.paths() == []
