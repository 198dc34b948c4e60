"""Trigger times, the catch-up decision and the scheduler loop, without waiting on any clock."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import wait_for

from auditor import cli, config as config_mod, scheduler
from auditor.history import Ending, open_history

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def make_config(write_config):
    def make(cron: str | None = None, tz: str | None = None):
        lines = ["[schedule]"] + ([f'cron = "{cron}"'] if cron else []) + ([f'timezone = "{tz}"'] if tz else [])
        return config_mod.load(write_config("http://127.0.0.1:9/", extra="\n".join(lines)))
    return make


def in_utc(times):
    return [t.astimezone(UTC) for t in times]


def test_quarter_starts_follow_london_summer_time(make_config):
    times = scheduler.next_runs(make_config(), 5, after=utc(2026, 12, 31, 23))
    assert in_utc(times) == [utc(2027, 1, 1, 7), utc(2027, 4, 1, 6), utc(2027, 7, 1, 6),
                             utc(2027, 10, 1, 6), utc(2028, 1, 1, 7)]
    assert [t.astimezone(LONDON).strftime("%d %b %H:%M %Z") for t in times[:2]] == ["01 Jan 07:00 GMT",
                                                                                   "01 Apr 07:00 BST"]


def test_a_fire_time_itself_is_not_the_next_one(make_config):
    times = scheduler.next_runs(make_config(), 2, after=utc(2027, 4, 1, 6))
    assert in_utc(times) == [utc(2027, 7, 1, 6), utc(2027, 10, 1, 6)]


@pytest.mark.parametrize("tz, expected", [
    ("America/New_York", [utc(2027, 1, 1, 12), utc(2027, 4, 1, 11), utc(2027, 7, 1, 11), utc(2027, 10, 1, 11)]),
    # Sydney's summer time runs October to April: 1 April is still summer time, 1 October not yet.
    ("Australia/Sydney", [utc(2026, 12, 31, 20), utc(2027, 3, 31, 20), utc(2027, 6, 30, 21), utc(2027, 9, 30, 21)]),
])
def test_quarter_starts_in_other_time_zones(make_config, tz, expected):
    assert in_utc(scheduler.next_runs(make_config(tz=tz), 4, after=utc(2026, 12, 1))) == expected


def test_daily_time_across_the_spring_change(make_config):
    times = scheduler.next_runs(make_config("0 7 * * *"), 3, after=utc(2027, 3, 27))
    assert in_utc(times) == [utc(2027, 3, 27, 7), utc(2027, 3, 28, 6), utc(2027, 3, 29, 6)]


def test_a_time_skipped_by_the_spring_change_runs_once_that_day(make_config):
    # 01:30 does not exist in London on 28 March 2027 (01:00 GMT becomes 02:00 BST).
    times = in_utc(scheduler.next_runs(make_config("30 1 * * *"), 3, after=utc(2027, 3, 27, 2)))
    assert [t.date() for t in times] == [datetime(2027, 3, d).date() for d in (28, 29, 30)]
    assert times[1:] == [utc(2027, 3, 29, 0, 30), utc(2027, 3, 30, 0, 30)]


def test_a_time_repeated_by_the_autumn_change_runs_once(make_config):
    # 01:30 happens twice in London on 31 October 2027; crontab runs it once.
    times = in_utc(scheduler.next_runs(make_config("30 1 * * *"), 3, after=utc(2027, 10, 30, 2)))
    assert times == [utc(2027, 10, 31, 0, 30), utc(2027, 11, 1, 1, 30), utc(2027, 11, 2, 1, 30)]


@pytest.mark.parametrize("weekday, names", [
    ("1", {"Monday"}), ("0", {"Sunday"}), ("7", {"Sunday"}), ("mon", {"Monday"}),
    ("1-5", {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}),
    ("*/3", {"Sunday", "Wednesday", "Saturday"}), ("0,6", {"Saturday", "Sunday"}),
])
def test_day_of_week_numbers_mean_what_crontab_means(make_config, weekday, names):
    times = scheduler.next_runs(make_config(f"0 9 * * {weekday}"), 14, after=utc(2027, 2, 1))
    assert {t.strftime("%A") for t in times} == names


def test_bad_expressions_are_config_errors(write_config):
    for cron in ("0 7 1 1,4,7,10 * *", "0 25 * * *", "0 7 * * 1/x", "0 7 1 * 1"):
        with pytest.raises(config_mod.ConfigError, match="schedule.cron"):
            config_mod.load(write_config("http://127.0.0.1:9/", extra=f'[schedule]\ncron = "{cron}"'))


def test_next_prints_the_coming_quarter_starts(write_config, capsys):
    path = write_config("http://127.0.0.1:9/")
    assert cli.main(["schedule", "--next", "4", "--config", str(path)]) == 0
    now = datetime.now(UTC)
    starts = [datetime(y, m, 1, 7, tzinfo=LONDON) for y in (now.year, now.year + 1, now.year + 2)
              for m in (1, 4, 7, 10)]
    expected = [s.strftime("%Y-%m-%d 07:00 %Z (%A)") for s in starts if s > now][:4]
    assert capsys.readouterr().out.splitlines() == expected
    assert {line[5:10] for line in expected} <= {"01-01", "04-01", "07-01", "10-01"}


def test_next_needs_a_positive_number(write_config, capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["schedule", "--next", "0", "--config", str(write_config("http://127.0.0.1:9/"))])
    assert exc.value.code == 2
    assert "expected a whole number of 1 or more" in capsys.readouterr().err


# --- the catch-up decision ---------------------------------------------------------------

@pytest.fixture
def history(tmp_path):
    with open_history(tmp_path / "store") as h:
        yield h


def add_run(history, started: datetime, status: str, error: str | None = None,
            ending: Ending = Ending.FINISHED) -> int:
    run_id = history.start_run(started.isoformat(timespec="seconds"), 1)
    if status != "running":
        history.finish_run(run_id, status, (started + timedelta(hours=1)).isoformat(), {}, error=error, ending=ending)
    return run_id


def test_due_when_there_has_never_been_an_audit(make_config, history):
    assert scheduler.is_due(make_config(), history, utc(2027, 2, 1))


def test_not_due_after_this_quarters_audit(make_config, history):
    add_run(history, utc(2027, 1, 1, 7, 0, 0), "complete")   # started on the second it was due
    assert not scheduler.is_due(make_config(), history, utc(2027, 3, 31, 23))
    assert scheduler.is_due(make_config(), history, utc(2027, 4, 1, 6))


def test_missed_quarters_are_caught_up_once(make_config, history):
    config = make_config()
    add_run(history, utc(2026, 1, 1, 7), "complete")
    now = utc(2026, 11, 20)                       # April, July and October were missed
    assert scheduler.is_due(config, history, now)
    add_run(history, now, "complete")
    assert not scheduler.is_due(config, history, now + timedelta(days=1))


def test_an_audit_before_the_due_time_does_not_count(make_config, history):
    add_run(history, utc(2027, 3, 31, 12), "complete")
    assert scheduler.is_due(make_config(), history, utc(2027, 4, 2))


def test_stopped_killed_and_failed_runs_are_retried(make_config, history):
    config = make_config()
    add_run(history, utc(2027, 1, 1, 7), "complete")
    add_run(history, utc(2027, 4, 1, 6), "incomplete", error="the audit was stopped before it finished; what it had collected was checked",
            ending=Ending.STOPPED)
    assert scheduler.is_due(config, history, utc(2027, 4, 2))
    history.recover_interrupted(utc(2027, 4, 2).isoformat())   # no effect: nothing was left running
    add_run(history, utc(2027, 4, 2), "running")                 # then killed
    history.recover_interrupted(utc(2027, 4, 3).isoformat())
    assert history.runs(1)[0].interrupted
    assert scheduler.is_due(config, history, utc(2027, 4, 3))
    add_run(history, utc(2027, 4, 3), "failed", error="the audit stopped: RuntimeError: boom", ending=Ending.FAILED)
    assert scheduler.is_due(config, history, utc(2027, 4, 4))


def test_an_audit_that_ran_to_its_end_counts_even_if_the_site_was_partly_unreadable(make_config, history):
    add_run(history, utc(2027, 4, 1, 6), "incomplete", error="the crawl reached max_pages (1000)")
    assert not scheduler.is_due(make_config(), history, utc(2027, 4, 5))


# --- the scheduler loop --------------------------------------------------------------------

def test_serve_catches_up_once_at_start_then_stops_on_request(make_config):
    stop, calls = threading.Event(), []

    def audit():
        calls.append(datetime.now(UTC))
        stop.set()                                   # as SIGTERM would

    done = threading.Thread(target=scheduler.serve, args=(make_config(), audit, stop))
    done.start()
    done.join(timeout=20)
    assert not done.is_alive()
    assert len(calls) == 1


def test_stop_during_the_catch_up_returns_once_the_audit_has_wound_up_and_says_so(make_config, caplog):
    caplog.set_level(logging.INFO, logger="auditor.scheduler")
    stop, started, finished = threading.Event(), threading.Event(), threading.Event()

    def audit():
        started.set()
        stop.wait(10)
        finished.set()

    runner = threading.Thread(target=scheduler.serve, args=(make_config(), audit, stop))
    runner.start()
    assert started.wait(10)
    stop.set()
    runner.join(timeout=20)
    assert finished.is_set() and not runner.is_alive()
    assert "Scheduler stopped" in caplog.text


def test_a_stop_just_before_the_scheduler_starts_still_ends_it(make_config, monkeypatch):
    stop = threading.Event()
    start = scheduler.BlockingScheduler.start

    def signalled_then_start(self, *args, **kwargs):
        stop.set()                                   # SIGTERM between the catch-up and start()
        time.sleep(0.2)                              # the watcher acts on it before start()
        return start(self, *args, **kwargs)

    monkeypatch.setattr(scheduler.BlockingScheduler, "start", signalled_then_start)
    runner = threading.Thread(target=scheduler.serve, args=(make_config(), lambda: None, stop))
    runner.start()
    runner.join(timeout=20)
    assert not runner.is_alive()


def test_serve_waits_for_the_next_time_until_stopped(make_config, caplog):
    caplog.set_level(logging.INFO, logger="auditor.scheduler")
    stop, calls = threading.Event(), []
    runner = threading.Thread(target=scheduler.serve, args=(make_config(), lambda: calls.append(1), stop))
    runner.start()
    assert wait_for(lambda: "the next scheduled audit is at" in caplog.text, timeout=10)
    assert runner.is_alive()
    stop.set()
    runner.join(timeout=20)
    assert not runner.is_alive() and "Scheduler stopped" in caplog.text
    assert calls == [1]                            # the catch-up only; no scheduled time came


def test_run_if_due_says_when_the_next_audit_is_and_fetches_nothing(write_config, capsys):
    path = write_config("http://127.0.0.1:9/")          # nothing listens there
    config = config_mod.load(path)
    with open_history(config.storage) as history:
        add_run(history, datetime.now(UTC), "complete")
    assert cli.main(["run", "--if-due", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    expected = scheduler.format_time(scheduler.next_runs(config, 1)[0])
    assert out == f"No audit is due; the next is at {expected}.\n"
    assert cli.main(["run", "--if-due", "-q", "--config", str(path)]) == 0
    assert capsys.readouterr() == ("", "")
    with open_history(config.storage) as history:
        assert len(history.runs()) == 1
