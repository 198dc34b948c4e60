"""The command line: exit codes, exact error lines, and the README naming every subcommand."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor import cli
from auditor.lock import RunLock

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str) -> int:
    return cli.main(list(args))


def test_check_config_accepts_a_valid_config(write_config, capsys):
    path = write_config("http://127.0.0.1:9/")
    assert run_cli("check-config", "--config", str(path)) == 0
    assert capsys.readouterr().out.startswith(f"{path}: OK (Home-Start Testshire")


def test_bad_config_exits_2_with_one_line_naming_file_and_key(write_config, capsys):
    path = write_config("http://127.0.0.1:9/", crawl='max_pages = "many"')
    assert run_cli("check-config", "--config", str(path)) == 2
    err = capsys.readouterr().err
    assert err == f"Error: {path}: crawl.max_pages: must be an integer, not 'many'\n"


def test_run_with_bad_config_exits_2_and_fetches_nothing(write_config, serve, capsys):
    server = serve(routes={})
    path = write_config(server.url("/"), extra='[schedule]\ntimezone = "Nowhere/Special"')
    assert run_cli("run", "--config", str(path)) == 2
    assert "schedule.timezone: unknown time zone 'Nowhere/Special'" in capsys.readouterr().err
    assert server.requests == []


def test_an_unknown_ignored_code_is_refused_with_the_closest_one(write_config, capsys):
    path = write_config("http://127.0.0.1:9/", extra='[checks]\nignore = ["link.brokn"]')
    assert run_cli("check-config", "--config", str(path)) == 2
    assert capsys.readouterr().err == (f"Error: {path}: checks.ignore: unknown finding code 'link.brokn' "
                                       f"(the closest is 'link.broken')\n")


def test_run_only_an_unknown_check_exits_2_naming_the_closest_and_fetches_nothing(write_config, serve, capsys):
    server = serve(routes={})
    path = write_config(server.url("/"))
    for wrong, closest in (("stael", "stale"), ("name.varient", "name.variant")):
        with pytest.raises(SystemExit) as stopped:
            run_cli("run", "--config", str(path), "--no-email", "--only", wrong)
        assert stopped.value.code == 2
        assert f"--only: unknown check or code '{wrong}' (the closest is '{closest}')" in capsys.readouterr().err
    assert server.requests == []


def test_config_from_environment_variable(write_config, capsys, monkeypatch):
    path = write_config("http://127.0.0.1:9/")
    monkeypatch.setenv("AUDITOR_CONFIG", str(path))
    assert run_cli("check-config") == 0
    assert capsys.readouterr().out.startswith(str(path))


def test_missing_config_file(tmp_path, capsys):
    missing = tmp_path / "none.toml"
    assert run_cli("check-config", "--config", str(missing)) == 2
    assert capsys.readouterr().err == f"Error: {missing}: file not found\n"


def test_second_run_while_one_holds_the_lock_exits_1(write_config, serve, tmp_path, capsys):
    server = serve(routes={})
    path = write_config(server.url("/"))
    with RunLock(tmp_path / "var"):
        assert run_cli("run", "--config", str(path), "--no-email") == 1
    assert "another audit is already running" in capsys.readouterr().err
    assert server.requests == []


def test_checks_lists_modules_with_their_codes(capsys):
    assert run_cli("checks") == 0
    out = capsys.readouterr().out
    assert re.search(r"^crawl\s+Broken links and images", out, re.M)
    assert "link.broken" in out and "crawl.error" in out


def test_every_subcommand_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    missing = [name for name in commands if f"auditor {name}" not in readme]
    assert missing == []


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "auditor", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0
    assert out.stdout.startswith("auditor ")


def test_options_are_accepted_after_nested_subcommands(write_config, tmp_path, capsys):
    (tmp_path / "register.csv").write_text("photo,subjects,consent_ref,given,expires,channels,withdrawn\n")
    path = write_config("http://127.0.0.1:9/", extra='[consent]\nregister = "register.csv"')
    assert run_cli("consent", "list", "--config", str(path)) == 0
    assert run_cli("consent", "--config", str(path), "list") == 0
    assert run_cli("consent", "list", "-q", "--config", str(tmp_path / "missing.toml")) == 2
    assert capsys.readouterr().err == f"Error: {tmp_path / 'missing.toml'}: file not found\n"
