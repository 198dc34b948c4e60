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
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from .config import Config, Schedule
from .history import History, Run

log = logging.getLogger(__name__)

CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")   # crontab: 0 and 7 are Sunday


class LocalCronTrigger(CronTrigger):
    """A crontab trigger in local time whose wall-clock time, repeated when clocks go back, fires once."""

    def get_next_fire_time(self, previous_fire_time, now):
        fire = super().get_next_fire_time(previous_fire_time, now)
        if fire is not None and _second_occurrence(fire):
            return super().get_next_fire_time(fire, fire)
        return fire


def _second_occurrence(moment: datetime) -> bool:
    first, second = moment.replace(fold=0), moment.replace(fold=1)
    return first.utcoffset() != second.utcoffset() and moment.utcoffset() == second.utcoffset()


def trigger(schedule: Schedule) -> LocalCronTrigger:
    """The schedule's trigger. Raises ValueError for a bad expression or time zone."""
    fields = schedule.cron.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        # crontab runs on either day, APScheduler only when both match: refuse rather than guess
        raise ValueError("give a day of the month or a day of the week, not both (use * for the other)")
    return LocalCronTrigger(minute=minute, hour=hour, day=day, month=month,
                            day_of_week=crontab_weekdays(weekday), timezone=ZoneInfo(schedule.timezone))


def crontab_weekdays(field: str) -> str:
    """Crontab day-of-week numbers (0 = Sunday) as day names, which APScheduler 3 reads unambiguously."""
    return ",".join(_weekday_part(part) for part in field.split(","))


def _weekday_part(part: str) -> str:
    span, slash, step = part.partition("/")
    first, dash, last = span.partition("-")
    if part == "*" or not (span == "*" or (first.isdigit() and (not dash or last.isdigit()))):
        return part                      # names (mon-fri) already mean what crontab means
    start, end = (0, 6) if span == "*" else (int(first), int(last if dash else first))
    every = int(step) if step.isdigit() else 0
    if (slash and (every < 1 or not (dash or span == "*"))) or not 0 <= start <= end <= 7:
        return part                      # malformed: APScheduler says what is wrong
    return ",".join(dict.fromkeys(CRON_DAYS[d] for d in range(start, end + 1, every or 1)))


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
    if stop.is_set():
        return
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
    log.info("Scheduler stopped")


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
