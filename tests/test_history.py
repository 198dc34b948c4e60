"""History: runs, fingerprints across runs, changes between runs, recovery, the run lock."""
from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from auditor.findings import CODES, Finding, document
from auditor.history import KILLED, MIGRATIONS, STOPPED, Ending, History
from auditor.lock import AlreadyRunning, RunLock


def finding(check="link.broken", url="https://x.org/a", subject="https://x.org/gone", message="Broken."):
    return Finding(check, url=url, subject=subject, message=message)


@pytest.fixture
def history(tmp_path):
    with History(tmp_path / "history.sqlite3") as h:
        yield h


def complete_run(history: History, findings, pages=()):
    run_id = history.start_run("2026-01-01T07:00:00+00:00", os.getpid())
    history.save_findings(run_id, findings)
    history.save_pages(run_id, pages)
    history.finish_run(run_id, "complete", "2026-01-01T07:05:00+00:00", {"findings": len(findings)})
    return run_id


def test_new_still_open_and_resolved_across_runs(history):
    kept, fixed, fresh = finding(subject="https://x.org/1"), finding(subject="https://x.org/2"), finding(subject="https://x.org/3")
    complete_run(history, [kept, fixed])
    second = complete_run(history, [kept, fresh])
    cmp = history.compare(second)
    assert [f.subject for f in cmp.new] == ["https://x.org/3"]
    assert [f.subject for f in cmp.still_open] == ["https://x.org/1"]
    assert [f.subject for f in cmp.resolved] == ["https://x.org/2"]


def test_fingerprint_ignores_message_wording_but_not_place():
    a = finding(message="one wording")
    b = finding(message="another wording")
    c = finding(url="https://x.org/b")
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_changes_lists_new_changed_and_removed_pages(history):
    complete_run(history, [], [("https://x.org/", "d1", "Home"), ("https://x.org/old", "d2", "Old")])
    second = complete_run(history, [], [("https://x.org/", "d1-changed", "Home"), ("https://x.org/new", "d3", "New")])
    changes = history.changes(second)
    assert changes.new_pages == [("https://x.org/new", "New")]
    assert changes.changed_pages == [("https://x.org/", "Home")]
    assert changes.removed_pages == [("https://x.org/old", "Old")]


def test_a_killed_run_is_marked_incomplete_and_ignored_for_comparison(history):
    first = complete_run(history, [finding()])
    killed = history.start_run("2026-04-01T07:00:00+00:00", 999999)
    assert history.recover_interrupted("2026-04-01T08:00:00+00:00") == [killed]
    assert history.run(killed).status == "incomplete"
    assert history.last_complete_run().id == first


def test_a_run_records_how_it_ended_as_a_value(history):
    finished = complete_run(history, [])
    stopped = history.start_run("2026-02-01T07:00:00+00:00", os.getpid())
    history.finish_run(stopped, "incomplete", "2026-02-01T07:01:00+00:00", {}, error="stopped by the user",
                       ending=Ending.STOPPED)
    killed = history.start_run("2026-03-01T07:00:00+00:00", 999999)
    history.recover_interrupted("2026-03-01T08:00:00+00:00")
    assert [(r.ending, r.interrupted) for r in map(history.run, (finished, stopped, killed))] == [
        (Ending.FINISHED, False), (Ending.STOPPED, True), (Ending.KILLED, True)]


def test_runs_recorded_before_endings_were_kept_get_theirs_from_what_they_said(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        version = next(n for n, sql in enumerate(MIGRATIONS, start=1) if "ADD COLUMN ending" in sql)
        h.db.execute("DELETE FROM schema_migrations WHERE version = ?", (version,))
        h.db.execute("ALTER TABLE runs DROP COLUMN ending")
        for status, error in (("complete", None), ("incomplete", f"{STOPPED}; what it had collected was checked"),
                              ("incomplete", KILLED), ("failed", "the audit stopped: OSError: disk full"),
                              ("incomplete", "the crawl reached crawl.max_pages")):
            h.db.execute("INSERT INTO runs (started_at, status, error) VALUES ('2026-01-01', ?, ?)", (status, error))
        h.db.execute("INSERT INTO runs (started_at) VALUES ('2026-01-02')")
    with History(path) as h:
        assert [r.ending for r in reversed(h.runs())] == [Ending.FINISHED, Ending.STOPPED, Ending.KILLED,
                                                          Ending.FAILED, Ending.FINISHED, None]


def test_migrations_are_recorded_and_reopening_keeps_data(tmp_path):
    path = tmp_path / "h.sqlite3"
    with History(path) as h:
        complete_run(h, [finding()])
    with History(path) as h:
        versions = [r[0] for r in h.db.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert len(h.runs()) == 1 and h.findings(h.runs()[0].id)[0].check == "link.broken"


def test_findings_document_matches_the_contract():
    doc = document("Home-Start X", "2026-01-01T07:00:00+00:00", "2026-01-01T07:05:00+00:00",
                   {"pages": 3, "images": 2, "posts": 1}, [finding()])
    assert list(doc)[:7] == ["scheme", "started_at", "finished_at", "pages_crawled", "images_checked",
                             "posts_checked", "findings"]
    f = doc["findings"][0]
    assert f == {"check": "link.broken", "severity": "medium", "policy": "1.5", "url": "https://x.org/a",
                 "subject": "https://x.org/gone", "message": "Broken.", "evidence": {}}
    json.dumps(doc)


def test_every_design_code_is_known_and_unknown_codes_are_refused():
    assert len(CODES) == 25
    with pytest.raises(ValueError):
        Finding("logo.wrong", url="u", message="m")


def _hold_lock(storage, ready, release):
    with RunLock(storage):
        ready.set()
        release.wait(10)


def test_lock_excludes_another_process_and_is_freed_when_it_ends(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(tmp_path, ready, release))
    proc.start()
    try:
        assert ready.wait(10)
        with pytest.raises(AlreadyRunning, match=f"process {proc.pid}"):
            RunLock(tmp_path).acquire()
    finally:
        proc.kill()
        proc.join(10)
    with RunLock(tmp_path):   # the kernel released the dead process's lock
        pass


def _open_history(path, times):
    for _ in range(times):
        History(path).close()


def test_processes_opening_a_new_history_at_once_migrate_it_once(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    path = tmp_path / "h.sqlite3"
    procs = [ctx.Process(target=_open_history, args=(path, 3)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(30)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    with History(path) as h:
        assert [r[0] for r in h.db.execute("SELECT version FROM schema_migrations")] == list(range(1, len(MIGRATIONS) + 1))
