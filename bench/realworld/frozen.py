"""`auditor` as if today were a fixed date: `python -m bench.realworld.frozen YYYY-MM-DD ARGS…`.

Judged findings that depend on the date (stale pages, past events, copyright years) stay valid
when the evaluation is run again later. The clock starts at 09:00 UTC that day and runs on.
"""
from __future__ import annotations

import sys
from datetime import date, datetime, time, timezone

import time_machine

from auditor.cli import main


def run(argv: list[str]) -> int:
    day = date.fromisoformat(argv[0])
    with time_machine.travel(datetime.combine(day, time(9, 0), tzinfo=timezone.utc), tick=True):
        return main(argv[1:])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
