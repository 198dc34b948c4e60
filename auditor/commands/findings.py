"""`auditor findings`, `auditor dismiss` and `auditor undismiss`: the last audit's findings, and
marking some as fine (a false alarm or an accepted risk) with a reason, or taking that back."""
from __future__ import annotations

import getpass
import sys
from datetime import date, datetime, timezone

from .. import dismissals
from .common import EXIT_OK, EXIT_USAGE, load_config
from ..findings import Finding
from ..history import History, Run, open_history
from ..humanise import clip, human_date, oneline
from ..problems import finding_ref, fold, needs_action, resolve
from ..report_model import harm_order


def add_commands(sub, common) -> None:
    ls = sub.add_parser("findings", parents=[common], help="list the last audit's findings with their references",
                        description="List the findings of the last audit, each with the reference the report shows.")
    which = ls.add_mutually_exclusive_group()
    which.add_argument("--open", action="store_true", help="only those that need action")
    which.add_argument("--dismissed", action="store_true", help="only those marked as fine, with why")
    ls.set_defaults(func=cmd_findings)
    dis = sub.add_parser("dismiss", parents=[common], help="mark findings as fine (a false alarm or an accepted risk)",
                         description="Mark findings of the last audit as fine, by the references the report shows "
                                     "(a problem's reference covers every place it was seen). They leave \"needs "
                                     "action\" and come back by themselves when their page, image or post changes, "
                                     "or after --until.")
    dis.add_argument("refs", nargs="+", metavar="REF", help="a reference from the report, such as K7Q2-9XWM")
    dis.add_argument("--reason", required=True, help="why it is fine; shown in the report")
    dis.add_argument("--until", metavar="YYYY-MM-DD", type=_day, help="bring it back after this day")
    dis.add_argument("--by", metavar="NAME", help="who decided (default: your login name)")
    dis.set_defaults(func=cmd_dismiss)
    un = sub.add_parser("undismiss", parents=[common], help="take back a dismissal: the findings need action again")
    un.add_argument("refs", nargs="+", metavar="REF", help="a reference from the report or `auditor findings`")
    un.add_argument("--by", metavar="NAME", help="who decided (default: your login name)")
    un.set_defaults(func=cmd_undismiss)


def _day(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None


_day.__name__ = "date (YYYY-MM-DD)"      # argparse names the type in its error


def cmd_findings(args) -> int:
    config = load_config(args)
    with open_history(config.storage) as history:
        run, found, held = _latest(history)
    if run is None:
        print("No audits yet.")
        return EXIT_OK
    actions = len(needs_action(found, held))
    print(f"Audit {run.id} ({human_date(run.started_at)}, {run.status}): {actions} "
          f"{'thing needs' if actions == 1 else 'things need'} action (a problem seen in several places counts once); "
          f"{len(found)} findings, {len(held)} marked as fine")
    for problem in sorted(fold(found), key=harm_order):
        for f in problem.findings:
            d = held.get(f.fingerprint)
            if (args.open and d) or (args.dismissed and not d):
                continue
            print(f"{finding_ref(f)}  {'dismissed' if d else 'open':<9}  {f.severity:<6}  {f.check:<22}  {f.url}"
                  + (f"  (problem {problem.ref})" if problem.ref != finding_ref(f) else ""))
            print(f"    {clip(oneline(f.message), 160)}")
            if d:
                until = f", until {d.until}" if d.until else ""
                print(f"    dismissed by {oneline(d.who)} on {d.at[:10]}{until}: {oneline(d.reason)}")
    return EXIT_OK


def cmd_dismiss(args) -> int:
    config = load_config(args)
    reason = oneline(args.reason)
    if not reason:
        print("Error: --reason must say why the finding is fine", file=sys.stderr)
        return EXIT_USAGE
    if args.until and args.until < _today().isoformat():
        print(f"Error: --until {args.until} has already passed", file=sys.stderr)
        return EXIT_USAGE
    with open_history(config.storage) as history:
        run, found, _ = _latest(history)
        chosen = _chosen(run, found, args.refs)
        if chosen is None or run is None:
            return EXIT_USAGE
        states = history.finding_states(run.id)
        rows = [(f, finding_ref(f), states.get(f.fingerprint, "")) for f in chosen]
        count = history.dismiss(rows, reason, _who(args), _now(), args.until)
    back = f"after {human_date(args.until)}, or " if args.until else ""
    print(f"Marked {count} finding{'s' if count != 1 else ''} as fine. "
          f"{'It comes' if count == 1 else 'They come'} back {back}when {'its' if count == 1 else 'their'} "
          "page, image or post changes.")
    return EXIT_OK


def cmd_undismiss(args) -> int:
    config = load_config(args)
    with open_history(config.storage) as history:
        run, found, _ = _latest(history)
        chosen = _chosen(run, found, args.refs)
        if chosen is None:
            return EXIT_USAGE
        count = history.end_dismissals([f.fingerprint for f in chosen], _now(), f"undismissed by {_who(args)}")
    print(f"{count} finding{'s' if count != 1 else ''} need{'s' if count == 1 else ''} action again.")
    return EXIT_OK


def _latest(history: History) -> tuple[Run | None, list[Finding], dict]:
    run = history.latest_run_with_findings()
    if run is None:
        return None, [], {}
    found = history.findings(run.id)
    held, _ = dismissals.holding(history.open_dismissals(), found, history.finding_states(run.id), _today())
    return run, found, held


def _chosen(run: Run | None, found: list[Finding], refs: list[str]) -> list[Finding] | None:
    if run is None:
        print("Error: there are no audits yet, so nothing to dismiss", file=sys.stderr)
        return None
    named, unknown = resolve(refs, found)
    if unknown:
        print(f"Error: audit {run.id} has no finding {', '.join(unknown)}; `auditor findings` lists them",
              file=sys.stderr)
        return None
    return list({f.fingerprint: f for group in named.values() for f in group}.values())


def _who(args) -> str:
    if args.by:
        return oneline(args.by)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
