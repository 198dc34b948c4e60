"""`auditor history`, `auditor report`, `auditor send-outbox` and `auditor send-test-email`."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from .. import mailer, sample
from ..cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, load_config
from ..history import open_history
from ..humanise import human_date
from ..report import render


def add_commands(sub, common) -> None:
    hist = sub.add_parser("history", parents=[common], help="list past audits with their counts")
    hist.add_argument("--limit", type=int, default=20, metavar="N", help="show the last N audits (default 20)")
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
    from ..pipeline import RunResult

    found = history.findings(run.id)
    previous_runs = [(r.started_at, n) for r, n in history.open_counts(limit=50) if r.id < run.id][-7:]
    result = RunResult(run_id=run.id, config=config, started_at=run.started_at,
                       finished_at=run.finished_at or "", status=run.status,
                       counts=run.counts or {"pages": run.pages, "images": run.images, "posts": run.posts},
                       findings=found, comparison=history.compare(run.id), changes=history.changes(run.id),
                       notes=[run.error] if run.error else [],
                       trend=previous_runs + [(run.started_at, len(found))])
    run_dir = Path(config.storage) / "runs" / f"{run.id:05d}"
    run_dir.mkdir(parents=True, exist_ok=True)
    return mailer.write_atomic(run_dir / "report-rendered.html", render(result).standalone_html().encode("utf-8"))


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
        rendered = render(sample.sample_result(config, Path(tmp)))
        rendered.subject = f"Test report: {rendered.subject}"
        data = mailer.build_message(rendered, config.report).as_bytes()
    try:
        mailer.send(data, config.report.smtp)
    except mailer.MailError as exc:
        print(f"Error: the test e-mail was not sent: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if not args.quiet:
        print(f"Sent a sample report to {', '.join(config.report.recipients)} "
              f"({human_date(sample.STARTED)} sample data).")
    return EXIT_OK
