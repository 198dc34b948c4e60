"""Real `auditor` processes: one run at a time, SIGTERM and SIGKILL mid-crawl, cron's --if-due, schedule."""
from __future__ import annotations

import signal
import threading

import pytest
from conftest import wait_for
from ops_support import HELD, PAGES, auditor, finish, held_site

from auditor.history import KILLED, STOPPED, open_history


@pytest.fixture
def gate():
    gate = threading.Event()
    yield gate
    gate.set()                        # never leave a server thread (or an audit) waiting


@pytest.fixture
def setup(serve, write_config, gate, tmp_path):
    server = held_site(serve, gate)
    return server, write_config(server.url("/")), tmp_path / "var"


def runs(storage):
    with open_history(storage) as history:
        return list(reversed(history.runs()))


def pages_seen(storage, run_id):
    with open_history(storage) as history:
        return [r[0] for r in history.db.execute("SELECT url FROM pages WHERE run_id=?", (run_id,))]


def held(server) -> bool:
    return HELD in server.paths("GET")


def terminated_mid_crawl(server, config, storage, *args):
    """Start `auditor *args`, and once the crawl is held mid-way send SIGTERM and see it received."""
    proc = auditor(config, *args)
    assert wait_for(lambda: held(server), timeout=120)
    proc.send_signal(signal.SIGTERM)
    log = storage / "auditor.log"
    assert wait_for(lambda: log.exists() and "Received SIGTERM" in log.read_text(), timeout=60)
    return proc


def test_two_simultaneous_runs_make_one_audit(setup, gate):
    server, config, storage = setup
    procs = [auditor(config, "run", "--no-email", "-q") for _ in range(2)]
    assert wait_for(lambda: any(p.poll() is not None for p in procs), timeout=120)
    loser = next(p for p in procs if p.poll() is not None)
    code, out, err = finish(loser)
    assert code == 1
    assert "another audit is already running with this storage folder" in err
    assert wait_for(lambda: held(server), timeout=120)
    gate.set()
    winner = next(p for p in procs if p is not loser)
    assert finish(winner)[0] == 0
    assert [r.status for r in runs(storage)] == ["complete"]


def test_sigterm_mid_crawl_keeps_what_was_collected_and_the_next_run_is_normal(setup, gate):
    server, config, storage = setup
    proc = terminated_mid_crawl(server, config, storage, "run", "--no-email", "-q")
    gate.set()
    code, out, err = finish(proc)
    assert code == 1
    assert "incomplete" in out                   # -q still prints the summary of a run that went wrong
    [stopped] = runs(storage)
    assert stopped.status == "incomplete" and STOPPED in stopped.error and stopped.interrupted
    assert 1 <= len(pages_seen(storage, stopped.id)) < PAGES + 1

    code, out, err = finish(auditor(config, "run", "--no-email", "-q"))
    assert (code, out, err) == (0, "", "")       # a good run is silent under -q
    first, second = runs(storage)
    assert (first.status, second.status) == ("incomplete", "complete")
    assert len(pages_seen(storage, second.id)) == PAGES + 1


def test_sigkill_mid_crawl_then_the_daily_cron_line_catches_up(setup, gate):
    server, config, storage = setup
    proc = auditor(config, "run", "--no-email", "-q")
    assert wait_for(lambda: held(server), timeout=120)
    proc.send_signal(signal.SIGKILL)
    assert finish(proc)[0] == -signal.SIGKILL
    gate.set()
    assert [r.status for r in runs(storage)] == ["running"]     # as the killed process left it

    code, out, err = finish(auditor(config, "run", "--if-due", "--no-email", "-q"))
    assert (code, err) == (0, "")
    killed, caught_up = runs(storage)
    assert (killed.status, killed.error) == ("incomplete", KILLED)
    assert caught_up.status == "complete"
    assert "Audit 1 was killed before it finished" in (storage / "auditor.log").read_text()
    assert len(pages_seen(storage, caught_up.id)) == PAGES + 1

    code, out, err = finish(auditor(config, "run", "--if-due", "--no-email", "-q"))
    assert (code, out, err) == (0, "", "")
    assert len(runs(storage)) == 2                              # nothing was due


def test_schedule_catches_up_at_start_and_stops_on_sigterm(setup, gate):
    server, config, storage = setup
    gate.set()
    proc = auditor(config, "schedule", "-q")
    assert wait_for(lambda: storage.joinpath("history.sqlite3").exists()
                    and [r.status for r in runs(storage)] == ["complete"], timeout=120)
    proc.send_signal(signal.SIGTERM)
    code, out, err = finish(proc, timeout=120)
    assert (code, out, err) == (0, "", "")
    log = (storage / "auditor.log").read_text()
    assert "Audit 1 complete" in log and "Scheduler stopped" in log


def test_sigterm_while_the_schedule_audits_records_it_stopped_and_exits(setup, gate):
    server, config, storage = setup
    proc = terminated_mid_crawl(server, config, storage, "schedule", "-q")
    gate.set()
    code, out, err = finish(proc, timeout=120)
    assert code == 0 and out == ""
    [stopped] = runs(storage)
    assert stopped.status == "incomplete" and stopped.interrupted


def test_a_second_signal_stops_at_once_and_the_next_run_recovers(setup, gate):
    server, config, storage = setup
    proc = terminated_mid_crawl(server, config, storage, "run", "--no-email", "-q")
    proc.send_signal(signal.SIGINT)
    # Had it waited for the held page, it would have wound up and exited 0 with the run recorded.
    code, out, err = finish(proc, timeout=120)
    assert code == 1 and "stopping at once" in err
    assert [r.status for r in runs(storage)] == ["running"]      # as if killed
    gate.set()
    assert finish(auditor(config, "run", "--if-due", "--no-email", "-q"))[0] == 0
    assert [(r.status, r.interrupted) for r in runs(storage)] == [("incomplete", True), ("complete", False)]
