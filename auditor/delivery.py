"""Publish a run's report: render it, archive it, then e-mail it (or leave it in the outbox).

The report is archived before any mail is sent, so a failed send loses nothing.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import mailer
from .report import render

if TYPE_CHECKING:
    from .result import RunResult

log = logging.getLogger(__name__)


def publish(result: "RunResult", send_email: bool) -> None:
    """Render, archive as report.html and report.eml in the run folder, flush the outbox, send.

    Sets result.report_html, result.report_eml, result.delivered and result.delivery_error.
    Without [report.smtp] (or with send_email False) nothing is sent and delivered stays None.
    """
    config = result.config
    rendered = render(result)
    data = mailer.build_message(rendered, config.report).as_bytes()
    run_dir = result.run_dir or result.folder
    run_dir.mkdir(parents=True, exist_ok=True)
    result.report_html = mailer.write_atomic(run_dir / "report.html", rendered.standalone_html().encode("utf-8"))
    result.report_eml = mailer.write_atomic(run_dir / "report.eml", data)
    for item in rendered.attachments:
        mailer.write_atomic(run_dir / f"all-findings.{item.filename.rpartition('.')[2]}", item.data)
    smtp = config.report.smtp
    if not send_email or smtp is None:
        log.info("report saved to %s", result.report_html)
        return
    sent, waiting = mailer.send_outbox(config)
    if sent:
        log.info("sent %d earlier report(s) from the outbox", sent)
    try:
        if not config.report.recipients:
            raise mailer.MailError("report.recipients is empty, so there is nobody to send the report to")
        mailer.send(data, smtp)
        result.delivered = True
    except mailer.MailError as exc:
        result.delivered = False
        kept = mailer.to_outbox(config, data, f"run-{result.run_id:05d}.eml")
        result.delivery_error = f"{exc}; the report is kept in {kept} and will be sent on the next run"
        log.error("the report was not delivered: %s", result.delivery_error)
    if waiting and result.delivered:
        log.warning("%d earlier report(s) are still in the outbox", waiting)
