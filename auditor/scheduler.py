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


# A run that went to its end but did not see everything (the site down, a limit, pages or images it
# could not read) is redone by the next daily check, this many times for one scheduled time in all:
# a site that stays unreadable is reported each time, not every day until the next quarter.
MAX_ATTEMPTS = 3


def counts_for_schedule(run: Run) -> bool:
    """Only a complete run of every check fulfils its slot: a run that was incomplete, failed,
    stopped, killed or limited to some checks (`--only`) does not, so it is tried again."""
    return run.status == "complete" and not run.partial


def gave_up(run: Run) -> bool:
    """A run that counts as an attempt at its slot: it ran every check to its end but did not see
    everything. Stopped and killed runs are always redone."""
    return run.status in ("incomplete", "failed") and not run.partial and not run.interrupted


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
    """Due when no run has fulfilled the most recent scheduled time at or before `now`, unless
    MAX_ATTEMPTS runs since that time ran to their end without seeing everything."""
    now = now or datetime.now(timezone.utc)
    last = last_fulfilling_run(history, now)
    cron = trigger(config.schedule)
    if last is not None:
        fire = cron.get_next_fire_time(None, started_at(last) + timedelta(seconds=1))
        if fire is None or fire > now:
            return False
    slot = _latest_fire(cron, now)
    attempts = [r for r in history.runs(limit=200) if gave_up(r) and (slot is None or started_at(r) >= slot)]
    return len(attempts) < MAX_ATTEMPTS


def _latest_fire(cron, now: datetime) -> datetime | None:
    """The latest scheduled time at or before `now` within the last year and a day (None if none)."""
    fire = cron.get_next_fire_time(None, now - timedelta(days=366))
    latest = None
    for _ in range(10_000):           # a schedule every minute stops here, long before a year
        if fire is None or fire > now:
            break
        latest, fire = fire, cron.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


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
    # An audit that could not read the whole site is due again the next day (see is_due).
    scheduler.add_job(audit, IntervalTrigger(days=1), id="retry", name="audit, if still due")
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
