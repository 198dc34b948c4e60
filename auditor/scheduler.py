"""When audits run: the cron trigger, the catch-up decision, and `auditor schedule`.

The history decides whether an audit is due, so a daily crontab line (`auditor run --if-due`)
and the long-running scheduler agree, and a quarter missed while the machine was off is
audited once when it comes back, however many quarters were missed.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from . import cron
from .config import Config, Schedule
from .history import History, Run

log = logging.getLogger(__name__)

def trigger(schedule: Schedule) -> cron.LocalCronTrigger:
    """The schedule's trigger. Raises ValueError for a bad expression or time zone."""
    return cron.trigger(schedule.cron, schedule.timezone)


def next_runs(config: Config, count: int, after: datetime | None = None) -> list[datetime]:
    """The next `count` scheduled times strictly after `after` (default now), in the schedule's zone."""
    cron = trigger(config.schedule)
    moment = after or datetime.now(timezone.utc)
    times: list[datetime] = []
    fire = cron.get_next_fire_time(None, moment + timedelta(microseconds=1))
    while fire is not None and len(times) < count:
        times.append(fire)
        fire = cron.get_next_fire_time(fire, fire)
    return times


def counts_for_schedule(run: Run) -> bool:
    """A run that went to its end fulfils its slot even if the site was partly unreadable;
    a run that was stopped, killed or crashed does not, so it is tried again."""
    return run.status == "complete" or (run.status == "incomplete" and not run.interrupted)


# A run dated later than this ahead of now was stamped by a clock that was wrong.
CLOCK_SLACK = timedelta(hours=1)


def last_fulfilling_run(history: History, now: datetime | None = None) -> Run | None:
    """The latest run that fulfils its slot, leaving out any dated in the future: one audit run while
    the clock was ahead must not stand for every quarter until that date comes round."""
    now = now or datetime.now(timezone.utc)
    for run in history.runs(limit=200):
        if not counts_for_schedule(run):
            continue
        if started_at(run) > now + CLOCK_SLACK:
            log.warning("Audit %d is dated %s, later than now (%s): the clock was probably wrong when it ran, "
                        "so it does not count as the last audit", run.id, run.started_at,
                        now.isoformat(timespec="seconds"))
            continue
        return run
    return None


def started_at(run: Run) -> datetime:
    started = datetime.fromisoformat(run.started_at)
    return started if started.tzinfo else started.replace(tzinfo=timezone.utc)


def is_due(config: Config, history: History, now: datetime | None = None) -> bool:
    """Due when no run has fulfilled the most recent scheduled time at or before `now`."""
    now = now or datetime.now(timezone.utc)
    last = last_fulfilling_run(history, now)
    if last is None:
        return True
    fire = trigger(config.schedule).get_next_fire_time(None, started_at(last) + timedelta(seconds=1))
    return fire is not None and fire <= now


def serve(config: Config, audit: Callable[[], None], stop: threading.Event,
          daily: Callable[[], None] | None = None) -> None:
    """Run `audit` now (the catch-up), then at every scheduled time, until `stop` is set;
    `daily` (sending what waits in the outbox) once a day in between.

    `audit` decides under the run lock whether an audit is due, so the catch-up runs only
    when a scheduled time passed unaudited, and once however many did. A time missed while
    the process was suspended runs once when it wakes (coalesced, no grace limit).
    """
    audit()
    if not stop.is_set():            # stopped during the catch-up: nothing to wait for
        _wait_and_audit(config, audit, stop, daily)
    log.info("Scheduler stopped")


def _wait_and_audit(config: Config, audit: Callable[[], None], stop: threading.Event,
                    daily: Callable[[], None] | None) -> None:
    scheduler = BlockingScheduler(
        timezone=ZoneInfo(config.schedule.timezone),
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    scheduler.add_job(audit, trigger(config.schedule), id="audit", name="scheduled audit")
    if daily is not None:
        scheduler.add_job(daily, IntervalTrigger(days=1), id="daily", name="outbox")
    watcher = threading.Thread(target=_shutdown_on, args=(stop, scheduler), daemon=True)
    watcher.start()
    log.info("Waiting; the next scheduled audit is at %s", next_run_text(config))
    scheduler.start()                    # returns once _shutdown_on has shut it down
    watcher.join()                       # and the audit in progress has wound up


def _shutdown_on(stop: threading.Event, scheduler: BlockingScheduler) -> None:
    stop.wait()
    while not scheduler.running:         # a signal just before start(): shutting down now would fail
        time.sleep(0.02)
    scheduler.shutdown(wait=True)        # lets a running audit finish its stop first


def next_run_text(config: Config) -> str:
    times = next_runs(config, 1)
    return format_time(times[0]) if times else "never"


def format_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M %Z} ({moment:%A})"
