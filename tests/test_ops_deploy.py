"""The deployment files say what the program accepts, and the guide covers every finding code."""
from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from auditor import cli, findings

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def auditor_args(command: str) -> list[str]:
    words = shlex.split(command.split(";")[-1])
    return words[words.index(next(w for w in words if w.endswith("/auditor"))) + 1:]


def cron_command() -> str:
    lines = [line for line in (DEPLOY / "crontab.example").read_text().splitlines()
             if line.strip() and not line.startswith("#") and "=" not in line.split()[0]]
    [line] = lines
    fields = line.split(None, 6)
    assert len(fields) == 7 and fields[5] == "auditor"            # /etc/cron.d form: a user field
    return fields[6]


@pytest.mark.parametrize("source, command", [
    ("crontab.example", lambda: cron_command()),
    ("auditor.service", lambda: unit("auditor.service")["Service"]["ExecStart"]),
    ("auditor-schedule.service", lambda: unit("auditor-schedule.service")["Service"]["ExecStart"]),
])
def test_deployed_command_lines_are_accepted(source, command):
    args = cli.build_parser().parse_args(auditor_args(command()))
    assert args.quiet                                              # a good run stays silent
    assert args.command == ("schedule" if "schedule" in source else "run")
    if args.command == "run":
        assert args.if_due


def test_the_timer_checks_daily_and_catches_up_after_downtime():
    timer = unit("auditor.timer")["Timer"]
    assert timer["Persistent"] == "true"
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"])
    service = unit("auditor.service")["Service"]
    assert service["Type"] == "oneshot" and service["EnvironmentFile"].endswith("auditor.env")


def test_the_environment_example_names_the_example_configs_secrets():
    env = (DEPLOY / "auditor.env.example").read_text()
    config = (ROOT / "config" / "auditor.toml").read_text()
    for name in re.findall(r'^\s*#?\s*\w+_env\s*=\s*"(\w+)"', config, flags=re.M):
        assert re.search(rf"^#? ?{name}=", env, flags=re.M), name


def test_the_guide_says_what_to_do_for_every_finding_code():
    guide = (DEPLOY / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z_.]+)` \| (.+) \|$", guide, flags=re.M))
    assert sorted(rows) == sorted(findings.CODES)
