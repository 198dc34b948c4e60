"""Crontab expressions as APScheduler triggers, read as crontab reads them."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

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


def trigger(expression: str, timezone: str) -> LocalCronTrigger:
    """The trigger of a five-field crontab expression. Raises ValueError for a bad expression or time zone."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"wrong number of fields; got {len(fields)}, expected 5")
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        # crontab runs on either day, APScheduler only when both match: refuse rather than guess
        raise ValueError("give a day of the month or a day of the week, not both (use * for the other)")
    return LocalCronTrigger(minute=minute, hour=hour, day=day, month=month,
                            day_of_week=crontab_weekdays(weekday), timezone=ZoneInfo(timezone))


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
