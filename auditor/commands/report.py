"""`auditor history`, `auditor report`, `auditor send-outbox` and `auditor send-test-email`."""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .. import mailer, sample
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, load_config
from ..coverage import Coverage
from ..history import open_history
from ..report import render
from ..result import rebuilt


def add_commands(sub, common) -> None:
    hist = sub.add_parser("history", parents=[common],
                          help="list past audits with their counts, and why one did not see everything")
    hist.add_argument("--limit", type=_positive, default=20, metavar="N", help="show the last N audits (default 20)")
    hist.set_defaults(func=cmd_history)
    rep = sub.add_parser("report", parents=[common], help="print the path of an audit's saved report",
                         description="Print the path of the saved HTML report of the last audit, or of --run ID.")
    rep.add_argument("--run", type=int, metavar="ID", help="the audit's number, as `auditor history` shows it")
    rep.add_argument("--render", action="store_true",
                     help="render the report again from the history (into report-rendered.html)")
    rep.set_defaults(func=cmd_report)
    out = sub.add_parser("send-outbox", parents=[common], help="send reports waiting in the outbox")
    out.set_defaults(func=cmd_send_outbox)
    test = sub.add_parser("send-test-email", parents=[common],
                          help="send a sample report, with every kind of finding, through the configured SMTP")
    test.set_defaults(func=cmd_send_test_email)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return number


def cmd_history(args) -> int:
    config = load_config(args)
    with open_history(config.storage) as history:
        runs = history.runs(limit=args.limit)
    if not runs:
        print("No audits yet.")
        return EXIT_OK
    print(f"{'run':>5}  {'started':<17} {'status':<10} {'pages':>6} {'images':>6} {'posts':>5} {'findings':>8}  report")
    for run in runs:
        started = (run.started_at or "")[:16].replace("T", " ")
        print(f"{run.id:>5}  {started:<17} {run.status:<10} {run.pages:>6} {run.images:>6} {run.posts:>5} "
              f"{run.findings:>8}  {run.report_path or '-'}")
        if run.status != "complete":                # why it did not see everything, under its row
            why = (Coverage.from_dict(run.coverage).headline if run.coverage else None) or run.error
            if why:
                print(f"{'':>7}{why}")
    return EXIT_OK


def cmd_report(args) -> int:
    config = load_config(args)
    with open_history(config.storage) as history:
        run = history.run(args.run) if args.run else (history.runs(limit=1) or [None])[0]
        if run is None:
            print(f"Error: no audit {args.run} in the history" if args.run else "Error: no audits yet",
                  file=sys.stderr)
            return EXIT_FAILED
        if args.render:
            path = rerender(config, history, run)
            print(path)
            return EXIT_OK
    if not run.report_path or not Path(run.report_path).is_file():
        print(f"Error: audit {run.id} has no saved report; try --render", file=sys.stderr)
        return EXIT_FAILED
    print(run.report_path)
    return EXIT_OK


def rerender(config, history, run) -> Path:
    """Render a past audit's report again from what the history holds (without thumbnails)."""
    result = rebuilt(config, history, run)
    return mailer.write_atomic(result.folder / "report-rendered.html", render(result).standalone_html().encode("utf-8"))


def cmd_send_outbox(args) -> int:
    config = load_config(args)
    if config.report.smtp is None:
        print("Error: no [report.smtp] in the config, so nothing can be sent", file=sys.stderr)
        return EXIT_USAGE
    flushed = mailer.send_outbox(config)
    if not args.quiet or flushed.waiting:
        print(f"Sent {len(flushed.sent)} report(s) from the outbox; {len(flushed.waiting)} still waiting.")
    if flushed.error:
        print(f"Error: {flushed.error}", file=sys.stderr)
    return EXIT_FAILED if flushed.waiting else EXIT_OK


def cmd_send_test_email(args) -> int:
    config = load_config(args)
    if config.report.smtp is None:
        print("Error: no [report.smtp] in the config, so nothing can be sent", file=sys.stderr)
        return EXIT_USAGE
    if not config.report.recipients:
        print("Error: report.recipients is empty", file=sys.stderr)
        return EXIT_USAGE
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render(sample.sample_result(config, Path(tmp), test_email=True))
        rendered.subject = f"Test e-mail: a sample audit report for {config.scheme.name}"
        data = mailer.build_message(rendered, config.report).as_bytes()
    try:
        mailer.send(data, config.report.smtp)
    except mailer.MailError as exc:
        print(f"Error: the test e-mail was not sent: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        print(f"Sent a test e-mail with a sample report to {', '.join(config.report.recipients)}.")
    return EXIT_OK
