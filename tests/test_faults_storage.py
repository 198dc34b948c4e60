"""Time and storage faults: a clock that was wrong once, a damaged or emptied history, a damaged cache."""
from __future__ import annotations

import json
from contextlib import closing
import sqlite3
from datetime import datetime, timedelta, timezone

from auditor import cli
from auditor import config as config_mod
from auditor.history import open_history

from ops_support import page

HOME = "<h1>Home-Start Testshire</h1><p>Supporting families.</p>"


def _setup(tmp_path, serve, write_config):
    site = serve(routes={"/": lambda req, h: page(HOME)})
    return write_config(site.url("/"), crawl="check_external_links = false")


def _runs(tmp_path):
    with closing(sqlite3.connect(tmp_path / "var" / "history.sqlite3")) as db:
        return db.execute("SELECT id, status FROM runs ORDER BY id").fetchall()


def test_an_audit_dated_in_the_future_does_not_block_the_schedule(tmp_path, serve, write_config, capsys):
    path = _setup(tmp_path, serve, write_config)
    config = config_mod.load(path)
    ahead = (datetime.now(timezone.utc) + timedelta(days=365)).isoformat(timespec="seconds")
    with open_history(config.storage) as history:      # the clock was a year ahead for this one
        run_id = history.start_run(ahead, 1)
        history.finish_run(run_id, "complete", ahead, {"pages": 1})
    assert cli.main(["run", "--if-due", "--no-email", "--config", str(path)]) == 0
    assert "No audit is due" not in capsys.readouterr().out
    assert _runs(tmp_path) == [(1, "complete"), (2, "complete")]
    assert "the clock was probably wrong" in (tmp_path / "var" / "auditor.log").read_text(encoding="utf-8")
    assert cli.main(["run", "--if-due", "--no-email", "--config", str(path)]) == 0   # this quarter is done now
    assert "No audit is due" in capsys.readouterr().out


def test_an_emptied_history_is_kept_aside_reported_and_never_overwrites_a_run_folder(tmp_path, serve, write_config):
    path = _setup(tmp_path, serve, write_config)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    first = (tmp_path / "var" / "runs" / "00001" / "findings.json").read_bytes()
    (tmp_path / "var" / "history.sqlite3").write_bytes(b"")            # truncated to 0 bytes
    for extra in ("history.sqlite3-wal", "history.sqlite3-shm"):
        (tmp_path / "var" / extra).unlink(missing_ok=True)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    assert (tmp_path / "var" / "runs" / "00001" / "findings.json").read_bytes() == first
    assert _runs(tmp_path) == [(2, "complete")]
    assert list((tmp_path / "var").glob("history.sqlite3.damaged-*"))
    doc = json.loads((tmp_path / "var" / "runs" / "00002" / "findings.json").read_text(encoding="utf-8"))
    assert any("The audit history is empty, although 1 earlier audits are archived" in n for n in doc["notes"])
    report = (tmp_path / "var" / "runs" / "00002" / "report.html").read_text(encoding="utf-8")
    assert "kept aside as history.sqlite3.damaged-" in report


def test_a_history_that_is_not_a_database_is_kept_aside_and_a_new_one_started(tmp_path, serve, write_config):
    path = _setup(tmp_path, serve, write_config)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    for extra in ("history.sqlite3-wal", "history.sqlite3-shm"):
        (tmp_path / "var" / extra).unlink(missing_ok=True)
    (tmp_path / "var" / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    assert _runs(tmp_path) == [(2, "complete")]
    [aside] = (tmp_path / "var").glob("history.sqlite3.damaged-*")
    assert aside.read_bytes().startswith(b"this is not a database")


def test_a_damaged_request_cache_is_discarded_and_rebuilt_with_a_warning(tmp_path, serve, write_config):
    path = _setup(tmp_path, serve, write_config)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    cache = tmp_path / "var" / "cache.sqlite3"
    for extra in ("cache.sqlite3-wal", "cache.sqlite3-shm"):
        (tmp_path / "var" / extra).unlink(missing_ok=True)
    cache.write_bytes(b"\x00garbage" * 512)
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
    assert "request cache" in (tmp_path / "var" / "auditor.log").read_text(encoding="utf-8")
    with closing(sqlite3.connect(cache)) as db:        # rebuilt: a database again
        assert db.execute("SELECT COUNT(*) FROM entries").fetchone() is not None
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0
