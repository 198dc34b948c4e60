"""`auditor schedule`: stay running and audit on the configured schedule."""
from __future__ import annotations

import argparse
import logging
import threading
from functools import partial

from .. import delivery, logs, pipeline, scheduler
from .common import EXIT_OK, load_config
from ..config import Config
from ..lock import AlreadyRunning
from ..shutdown import graceful_stop
from .audit import summary_line

log = logging.getLogger(__name__)


def add_commands(sub, common) -> None:
    sch = sub.add_parser(
        "schedule", parents=[common], help="stay running and audit on the configured schedule",
        description="Stay running and audit at every time [schedule] cron gives, in its time zone "
                    "(quarterly by default). An audit missed while the machine was off runs once at start. "
                    "SIGTERM or Ctrl-C stops it after the current step.")
    sch.add_argument("--next", metavar="N", type=_positive, help="print the next N scheduled times and exit")
    sch.set_defaults(func=cmd_schedule)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return int(text)


def cmd_schedule(args) -> int:
    config = load_config(args)
    if args.next:
        for moment in scheduler.next_runs(config, args.next):
            print(scheduler.format_time(moment))
        return EXIT_OK
    logs.add_file(config.storage, args.verbose)
    with graceful_stop() as stop:
        scheduler.serve(config, partial(scheduled_audit, config, stop), stop, daily=partial(send_waiting, config))
    return EXIT_OK


def scheduled_audit(config: Config, stop: threading.Event) -> None:
    """One scheduled (or catch-up) audit, if one is due. Never raises: the scheduler keeps going."""
    if stop.is_set():
        return
    send_waiting(config)
    try:
        result = pipeline.run(config, pipeline.Options(stop=stop, when=partial(scheduler.is_due, config)))
    except AlreadyRunning as exc:
        log.warning("Skipped this scheduled audit: %s", exc)
        return
    except Exception:
        log.exception("The scheduled audit failed")
        return
    if result is None:
        log.info("No audit is due; the next is at %s", scheduler.next_run_text(config))
        return
    if result.ok:
        log.info("%s", summary_line(result))
    else:
        log.error("%s", summary_line(result))
        for failure in result.failures:
            log.error("The %s check failed: %s", failure.module, failure.error)
        if result.delivery_error:
            log.error("The report was not delivered: %s", result.delivery_error)


def send_waiting(config: Config) -> None:
    """Deliver reports left in the outbox. Never raises: the scheduler keeps going."""
    try:
        delivery.flush_outbox(config)
    except OSError as exc:
        log.error("The outbox could not be sent: %s", exc)
