"""Inputs that are not what they seem: register photos that are devices, pipes or huge; header fields
that could add headers; files anyone can edit; two people adding the same consent at once."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from auditor import cli
from auditor.consent import register as reg

from consent_support import encode, photo
from ops_support import ROOT

HEADER = "photo,subjects,consent_ref,given,expires,channels,withdrawn\n"


def _load_within(path: Path, seconds: float = 30):
    """load() in a thread, so a register that would hang fails the test instead of stopping it."""
    out: list = []
    worker = threading.Thread(target=lambda: out.append(reg.load(path)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert out, "loading the register did not finish"
    return out[0]


@pytest.mark.parametrize("kind", ["device", "pipe", "huge"])
def test_a_register_photo_that_is_not_a_regular_file_of_sensible_size_is_a_row_error(tmp_path, kind):
    if kind == "device":
        target = "/dev/zero"
    elif kind == "pipe":
        os.mkfifo(tmp_path / "photo.jpg")
        target = "photo.jpg"
    else:
        with open(tmp_path / "photo.jpg", "wb") as out:       # sparse: takes no disk
            out.truncate(reg.MAX_PHOTO_BYTES + 1)
        target = "photo.jpg"
    (tmp_path / "good.jpg").write_bytes(encode(photo("coffee")))
    path = tmp_path / "register.csv"
    path.write_text(HEADER + f"{target},A,CF-1,2025-01-01,,all,\ngood.jpg,B,CF-2,2025-01-01,,all,\n", encoding="utf-8")
    register = _load_within(path)
    assert [r.consent_ref for r in register.records] == ["CF-2"]
    [error] = register.errors
    assert error.line == 2 and error.column == "photo"
    assert ("not a regular file" if kind != "huge" else "larger than 50 MB") in error.problem


def _config(tmp_path: Path, report: str = "", consent: str = "") -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "https://www.example.org.uk/"\n\n'
                    f"{consent}\n[report]\n{report}\n[storage]\ndirectory = \"var\"\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("line, key", [
    ('sender = "auditor@example.org.uk\\r\\nBcc: all@example.org"', "report.sender"),
    ('recipients = ["ceo@example.org.uk, other@example.org"]', "report.recipients"),
    ('recipients = ["\\"Smith, Jane\\" <jane@example.org.uk>"]', "report.recipients"),
    ('sender = "Auditor <auditor@example.org.uk>\\r\\nBcc: x@example.org"', "report.sender"),
    ('recipients = ["ceo@example.org.uk\\n"]', "report.recipients"),
])
def test_header_fields_are_validated_by_check_config(tmp_path, capsys, line, key):
    path = _config(tmp_path, report=line)
    assert cli.main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: {key}:" in err and "not one plain e-mail address" in err


def test_an_address_with_a_plain_name_is_accepted(tmp_path):
    path = _config(tmp_path, report='recipients = ["CEO <ceo@example.org.uk>", "chair@example.org.uk"]')
    assert cli.main(["check-config", "--config", str(path)]) == 0


def test_a_config_or_register_anyone_can_edit_is_refused_saying_why(tmp_path, capsys):
    (tmp_path / "register.csv").write_text(HEADER, encoding="utf-8")
    path = _config(tmp_path, consent='[consent]\nregister = "register.csv"\n')
    assert cli.main(["check-config", "--config", str(path)]) == 0
    path.chmod(0o666)
    assert cli.main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "can be changed by any user of this computer" in err and f"chmod o-w {path}" in err
    path.chmod(0o640)
    (tmp_path / "register.csv").chmod(0o646)
    assert cli.main(["check-config", "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "consent.register" in err and "chmod o-w" in err and "register.csv" in err
    (tmp_path / "register.csv").chmod(0o640)
    assert cli.main(["check-config", "--config", str(path)]) == 0


def test_two_additions_of_the_same_photo_at_once_leave_one_row(tmp_path):
    (tmp_path / "family.jpg").write_bytes(encode(photo("chelsea")))
    register = tmp_path / "register.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "auditor", "consent", "--register", str(register), "add",
                               str(tmp_path / "family.jpg"), "--subjects", "Parent A", "--ref", f"CF-{n}",
                               "--given", "2025-01-01"], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    codes = sorted(p.wait(120) for p in procs)
    assert codes == [0, 1, 1, 1]
    rows = register.read_text(encoding="utf-8").splitlines()
    assert rows[0] == HEADER.strip() and len(rows) == 2
    assert (register.stat().st_mode & 0o777) == 0o600        # a new register is private
