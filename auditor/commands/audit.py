"""`auditor run`, `auditor check-config` and `auditor checks`."""
from __future__ import annotations

import argparse
import logging
import sys
from functools import partial
from pathlib import Path

from .. import checks, delivery, logs, pipeline, scheduler
from ..config import resolve_path
from ..consent import register as consent_register
from ..findings import CODES, SEVERITIES, unknown
from ..lock import AlreadyRunning
from ..shutdown import graceful_stop
from .common import EPILOG, EXIT_FAILED, EXIT_OK, EXIT_USAGE, load_config
from .progress import progress_bar

log = logging.getLogger(__name__)


def add_commands(sub, common) -> None:
    run = sub.add_parser("run", parents=[common], help="run one audit now", epilog=EPILOG,
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         description="Collect, check, store, report and deliver one audit now.")
    run.add_argument("--json", metavar="PATH", type=Path, help="also write the findings document here")
    run.add_argument("--no-email", action="store_true", help="save the report but do not e-mail it")
    run.add_argument("--only", metavar="CHECK", action="append", default=[], type=_check_or_code,
                     help="run only this check or finding code (repeatable; `auditor checks` lists them)")
    run.add_argument("--if-due", action="store_true",
                     help="audit only if a scheduled time has passed since the last audit (for a daily crontab line)")
    run.set_defaults(func=cmd_run)
    cc = sub.add_parser("check-config", parents=[common], help="validate the config and the consent register; exit 0 (valid) or 2")
    cc.set_defaults(func=cmd_check_config)
    ls = sub.add_parser("checks", parents=[common], help="list the checks and the finding codes they emit")
    ls.set_defaults(func=cmd_checks)


def _check_or_code(name: str) -> str:
    valid = {check.name for check in checks.REGISTRY} | set(CODES)
    if name not in valid:
        raise argparse.ArgumentTypeError(unknown("check or code", name, valid))
    return name


def cmd_run(args) -> int:
    config = load_config(args)
    if args.json and (problem := _unwritable(args.json)):
        print(f"Error: --json {args.json}: {problem}; nothing was fetched", file=sys.stderr)
        return EXIT_USAGE
    logs.add_file(config.storage, args.verbose)
    # A scheduled start delivers what an earlier run could not, whether or not an audit is due.
    flushed = delivery.flush_outbox(config) if args.if_due and not args.no_email else None
    if flushed is not None:
        _tell_outbox(config, flushed, args.quiet)
    try:
        result = _audit_now(config, args)
    except AlreadyRunning as exc:
        if not args.if_due:
            raise
        log.info("Not due here: %s", exc)        # the audit in progress is the one that was due
        return EXIT_OK
    if result is None:
        message = f"No audit is due; the next is at {scheduler.next_run_text(config)}."
        log.info("%s", message)
        if not args.quiet:
            print(message)
        return EXIT_FAILED if flushed is not None and flushed.waiting else EXIT_OK
    return _tell(result, args.quiet)


def _tell_outbox(config, flushed, quiet: bool) -> None:
    if flushed.sent and not quiet:
        print(f"Sent {len(flushed.sent)} report(s) that were waiting in the outbox.")
    if flushed.waiting:
        late = delivery.overdue(config)
        print(f"Error: {len(flushed.waiting)} report(s) still wait in the outbox"
              + (f", the oldest since {late[0][1]:%Y-%m-%d %H:%M} UTC" if late else "")
              + f": {flushed.error}", file=sys.stderr)


def _unwritable(path: Path) -> str | None:
    """Why the findings document could not be written at `path`, found before the crawl, not after it."""
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        return f"cannot be written ({exc.strerror or exc})"
    if not existed:
        path.unlink()
    return None


def _audit_now(config, args) -> pipeline.RunResult | None:
    with graceful_stop() as stop, progress_bar(enabled=not args.quiet) as progress:
        options = pipeline.Options(json_path=args.json, send_email=not args.no_email, only=tuple(args.only),
                                   progress=progress, stop=stop,
                                   when=partial(scheduler.is_due, config) if args.if_due else None)
        return pipeline.run(config, options)


def _tell(result: pipeline.RunResult, quiet: bool) -> int:
    log.info("%s", summary_line(result))          # for the log file
    if not quiet or not result.ok:
        print(summary_line(result))
    for failure in result.failures:
        print(f"Error: the {failure.module} check failed: {failure.error}", file=sys.stderr)
    if result.delivery_error:
        print(f"Error: the report was not delivered: {result.delivery_error}", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_FAILED


def summary_line(result: pipeline.RunResult) -> str:
    c = result.counts
    severities = ", ".join(f"{c.get(s, 0)} {s}" for s in SEVERITIES if c.get(s))
    new = len(result.comparison.new) if result.comparison and result.comparison.previous_run else None
    parts = [f"Audit {result.run_id} {result.status}: {c.get('pages', 0)} pages, {c.get('images', 0)} images, "
             f"{c.get('posts', 0)} posts; {c.get('findings', 0)} findings" + (f" ({severities})" if severities else "")]
    if new is not None:
        parts.append(f"{new} new since the last audit")
    where = result.report_html or result.summary_path
    parts.append(f"report: {where}")
    if result.json_path:
        parts.append(f"findings: {result.json_path}")
    return "; ".join(parts)


def cmd_check_config(args) -> int:
    config = load_config(args)
    problems = register_problems(config)
    for problem in problems:
        print(f"Error: {problem}", file=sys.stderr)
    if problems:
        return EXIT_USAGE
    if not args.quiet:
        print(f"{resolve_path(args.config)}: OK ({config.scheme.name}, {config.scheme.website}, "
              f"{len(config.social)} social account(s))")
    return EXIT_OK


def register_problems(config) -> list[str]:
    """Every bad row of the consent register (dates, channels, photo present and readable,
    duplicates), each naming the file, line, column and problem."""
    path = config.consent.register
    if path is None:
        return []
    try:
        register = consent_register.load(path)
    except consent_register.RegisterError as exc:
        return [_register_error(exc)]
    except OSError as exc:
        return [f"{path}: cannot be read ({exc.strerror or exc})"]
    return [_register_error(e) for e in register.errors]


def _register_error(exc: consent_register.RegisterError) -> str:
    where = f"line {exc.line}" + (f", column {exc.column}" if exc.column else "")
    return f"{Path(exc.path).resolve()}: {where}: {exc.problem}"


def cmd_checks(args) -> int:
    for check in checks.REGISTRY:
        print(f"{check.name:<16} {check.summary}")
        print(f"{'':<16} codes: {', '.join(check.codes)}")
    return EXIT_OK
