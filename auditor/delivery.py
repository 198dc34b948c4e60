"""Publish a run's report: render it, archive it, then e-mail it (or leave it in the outbox).

The report is archived before any mail is sent, so a failed send loses nothing.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from . import mailer
from .config import Config
from .humanise import human_date
from .history import write_end_state
from .report import render

if TYPE_CHECKING:
    from .result import RunResult

log = logging.getLogger(__name__)

OVERDUE = timedelta(days=1)


def publish(result: "RunResult", send_email: bool) -> None:
    """Render, archive as report.html and report.eml in the run folder, flush the outbox, send.

    Sets result.report_html, result.report_eml, result.delivered and result.delivery_error.
    Without [report.smtp] (or with send_email False) nothing is sent and delivered stays None.
    """
    config = result.config
    if send_email and config.report.smtp is not None:
        result.delivery_notes = [
            f"An earlier report, saved on {human_date(since.isoformat())}, has waited more than a day to be "
            "e-mailed (the mail server could not be reached or refused it); it is sent again with this one."
            for _path, since in overdue(config)]
    rendered = render(result)
    data = mailer.build_message(rendered, config.report).as_bytes()
    run_dir = result.run_dir or result.folder
    run_dir.mkdir(parents=True, exist_ok=True)
    result.report_html = mailer.write_atomic(run_dir / "report.html", rendered.standalone_html().encode("utf-8"))
    result.report_eml = mailer.write_atomic(run_dir / "report.eml", data)
    for item in rendered.attachments:
        mailer.write_atomic(run_dir / f"all-findings.{item.filename.rpartition('.')[2]}", item.data)
    write_end_state(run_dir, result.status, result.finished_at, result.counts, str(result.report_html),
                    "; ".join(result.notes) or None, result.ending)
    smtp = config.report.smtp
    if not send_email or smtp is None:
        log.info("report saved to %s", result.report_html)
        return
    if not config.report.recipients:
        result.delivered = False
        result.delivery_error = "report.recipients is empty, so there is nobody to send the report to"
        log.error("the report was not delivered: %s", result.delivery_error)
        return
    # Queued first and sent from the outbox: whatever happens next, it is sent once.
    queued = mailer.to_outbox(config, data, f"run-{result.run_id:05d}.eml")
    flushed = mailer.send_outbox(config)
    earlier = [name for name in flushed.sent if name != queued.name]
    if earlier:
        log.info("sent %d earlier report(s) from the outbox", len(earlier))
    result.delivered = queued.name in flushed.sent
    if not result.delivered:
        result.delivery_error = f"{flushed.error}; the report is kept in {queued} and will be sent on the next run"
        log.error("the report was not delivered: %s", result.delivery_error)
    elif flushed.waiting:
        log.warning("%d earlier report(s) are still in the outbox", len(flushed.waiting))


def flush_outbox(config: Config) -> mailer.Flushed | None:
    """Send what waits in the outbox, before anything else a scheduled start does, and say every
    day that a report has waited for more than a day. None when nothing waits or there is no SMTP."""
    if config.report.smtp is None or not mailer.pending(config):
        return None
    flushed = mailer.send_outbox(config)
    if flushed.sent:
        log.info("Sent %d report(s) that were waiting in the outbox", len(flushed.sent))
    for path, since in overdue(config):
        log.warning("The report %s has waited in the outbox since %s: %s", path.name,
                    since.isoformat(timespec="minutes"), flushed.error or "not sent yet")
    return flushed


def overdue(config: Config, now: datetime | None = None) -> list[tuple[Path, datetime]]:
    """Reports in the outbox for longer than OVERDUE, oldest first."""
    now = now or datetime.now(timezone.utc)
    waiting = [(path, mailer.waiting_since(path)) for path in mailer.pending(config)]
    return [(path, since) for path, since in waiting if now - since > OVERDUE]
