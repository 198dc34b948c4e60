"""`auditor consent add|check|list`: keep the consent register (policy 1.4).

Exit codes: 0 done (for `check`: the photo is covered); 1 for `check`, the photo is not covered
(no record, expired, withdrawn or not for that channel), and for `add`, the photo is already in
the register; 2 bad input (unreadable photo, bad date or channel, bad register or config).
"""
from __future__ import annotations

import argparse
import difflib
import sys
from datetime import date, timedelta
from pathlib import Path

from .. import __version__
from .common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, common_options, load_config
from ..consent import hashing, register as reg
from ..crawl.http import Fetcher

EPILOG = """exit codes:
  0  done; for check: the photo is covered
  1  check: the photo is not covered; add: the photo is already in the register
  2  bad input: unreadable photo, bad date or channel, bad register or config"""


def add_commands(sub, common) -> None:
    consent = sub.add_parser("consent", parents=[common], help="keep the consent register (add, check, list)",
                             description="Keep the photo consent register (policy 1.4).", epilog=EPILOG,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
    consent.add_argument("--register", metavar="CSV", type=Path,
                         help="the register file (default: [consent] register in the config)")
    actions = consent.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    nested = common_options(nested=True)
    add = actions.add_parser("add", parents=[nested], help="record a consent for a photo (refuses a photo already recorded)")
    add.add_argument("photo", metavar="PHOTO", help="the photo file, or its http(s) URL")
    add.add_argument("--subjects", required=True, help="who is pictured (stays in the register, never in reports)")
    add.add_argument("--ref", required=True, help="the consent form's reference, e.g. CF-2025-014")
    add.add_argument("--given", required=True, metavar="YYYY-MM-DD", help="date consent was given")
    add.add_argument("--expires", default="", metavar="YYYY-MM-DD", help="date consent runs out (default: never)")
    add.add_argument("--channels", default="all", help="all (default), or ;-separated: website;facebook;social…")
    add.set_defaults(func=cmd_add)
    check = actions.add_parser("check", parents=[nested], help="is this photo covered by a consent, and by which row?")
    check.add_argument("photo", metavar="PHOTO_OR_URL")
    check.add_argument("--channel", type=_channel, default="website",
                       help="where it is or will be shown: website (the default), facebook, instagram…")
    check.set_defaults(func=cmd_check)
    ls = actions.add_parser("list", parents=[nested], help="list the consents (without the names of those pictured)")
    ls.add_argument("--expiring", type=int, metavar="DAYS", help="only those running out within DAYS days")
    ls.set_defaults(func=cmd_list)


def _channel(text: str) -> str:
    """A channel name as the register spells it; any capitals. Unknown names are refused (exit 2)."""
    name = text.strip().lower()
    if name not in reg.PLACES:
        close = difflib.get_close_matches(name, reg.PLACES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise argparse.ArgumentTypeError(f"unknown channel {text!r}; {hint}use website or one of: {', '.join(reg.SOCIAL)}")
    return name


def register_path(args) -> Path:
    if args.register:
        return args.register
    path = load_config(args).consent.register
    if path is None:
        raise ValueError("no [consent] register is configured; add one to the config or use --register CSV")
    return path


def _fail(exc: Exception | str, code: int = EXIT_USAGE) -> int:
    print(f"Error: {exc}", file=sys.stderr)
    return code


def cmd_add(args) -> int:
    try:
        path = register_path(args)
        photo = args.photo if _is_url(args.photo) else reg.relative_photo(path, Path(args.photo))
        if not _is_url(photo) and not Path(args.photo).is_file():
            return _fail(f"{args.photo}: no such photo file")
        holder = _already_recorded(path, args)
        if holder:
            return _fail(f"this photo is already in the register on {holder.describe()}; "
                         f"edit that row to renew or change it", EXIT_FAILED)
        record = reg.append(path, photo, args.subjects, args.ref, args.given, args.expires, args.channels)
    except reg.RegisterError as exc:
        code = EXIT_FAILED if "duplicate photo" in exc.problem else EXIT_USAGE
        return _fail(exc, code)
    except ValueError as exc:
        return _fail(exc)
    if not args.quiet:
        print(f"Added {record.describe()} for {record.photo_name}: {_terms(record)}.")
    return EXIT_OK


def _already_recorded(path: Path, args) -> reg.Record | None:
    """For a URL, the register row whose photo the fetched image is (file rows are checked by append)."""
    if not _is_url(args.photo) or not path.exists():
        return None
    register = reg.load(path, strict=True)
    return next(iter(_matches(register, _read(args.photo, args))), None)


def cmd_check(args) -> int:
    try:
        register = reg.load(register_path(args))
        for error in register.errors:
            print(f"Warning: {error} (row left out)", file=sys.stderr)
        records = _matches(register, _read(args.photo, args))
    except (reg.RegisterError, ValueError) as exc:
        return _fail(exc)
    today = date.today()
    if not records:
        print("Not covered: no row of the consent register matches this photo.")
        return EXIT_FAILED
    record = min(records, key=lambda r: ("ok", "scope", "not_yet", "expired", "withdrawn").index(
        r.status(today, args.channel)))
    status = record.status(today, args.channel)
    verdict = "Covered" if status == "ok" else f"Not covered ({_STATUS[status]})"
    print(f"{verdict}: {record.describe()}, {_terms(record)}.")
    return EXIT_OK if status == "ok" else EXIT_FAILED


_STATUS = {"withdrawn": "consent withdrawn", "expired": "consent expired", "not_yet": "consent not yet given",
           "scope": "consent does not cover that channel"}


def cmd_list(args) -> int:
    try:
        register = reg.load(register_path(args))
    except (reg.RegisterError, ValueError) as exc:
        return _fail(exc)
    for error in register.errors:
        print(f"Warning: {error} (row left out)", file=sys.stderr)
    today = date.today()
    if args.expiring is not None:
        rows = reg.expiring(register, today + timedelta(days=args.expiring + 1))
        for row in rows:
            state = "expired" if row["expires"] < today.isoformat() else "expires"
            print(f"{state} {row['expires']}  {row['consent_ref']}  line {row['line']}  {row['photo']}  "
                  f"{';'.join(row['channels'])}")
        if not args.quiet:
            print(f"{len(rows)} consent(s) running out within {args.expiring} days.")
        return EXIT_OK
    for record in register.records:
        print(f"line {record.line}  {record.consent_ref}  {record.photo_name}  {_terms(record)}")
    return EXIT_OK


def _terms(record: reg.Record) -> str:
    parts = [f"given {record.given}", f"expires {record.expires}" if record.expires else "no expiry",
             f"channels {';'.join(sorted(record.channels))}"]
    if record.withdrawn:
        parts.append(f"withdrawn {record.withdrawn}")
    return ", ".join(parts)


def _is_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _read(photo: str, args) -> tuple[str, bytes]:
    """(URL or "", image bytes); a URL is fetched politely, as the audit would."""
    if not _is_url(photo):
        try:
            return "", reg.read_photo(Path(photo))
        except OSError as exc:
            raise ValueError(f"{photo}: {exc.strerror}") from None
    fetcher = Fetcher(user_agent=f"auditor/{__version__} (consent register check)", delay=0, timeout=20)
    try:
        result = fetcher.fetch(photo, max_bytes=50 * 2**20)
    finally:
        fetcher.close()
    if not result.ok:
        raise ValueError(f"{photo}: could not fetch it ({result.error or result.status})")
    return photo, result.body


def _matches(register: reg.Register, source: tuple[str, bytes]) -> list[reg.Record]:
    url, data = source
    if url and register.by_url(url):
        return register.by_url(url)
    try:
        arr = hashing.grey_array(data)
    except Exception as exc:  # noqa: BLE001 - any decoder failure means it is not a usable photo
        raise ValueError(f"{url or 'the photo'} is not a readable image ({type(exc).__name__})") from None
    return [record for record, _ in register.match(hashing.candidate_hashes(arr))]
