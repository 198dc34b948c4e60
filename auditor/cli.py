"""The `auditor` command line. The only module that prints and chooses exit codes.

Exit codes: 0 the audit completed (findings are the product, not a failure);
1 it could not complete, a check crashed, or the report could not be delivered;
2 bad usage or a bad config (nothing was fetched).
"""
from __future__ import annotations

import argparse
import sqlite3
import sys

from . import __version__, logs
from .commands import audit, consent, demo, findings, report, schedule
from .commands.common import EPILOG, EXIT_FAILED, EXIT_OK, EXIT_USAGE, common_options
from .config import ConfigError
from .lock import AlreadyRunning

# Each module's add_commands(subparsers, common) adds its subcommands; each sets func=handler(args) -> exit code.
COMMANDS = (audit, demo, report, findings, consent, schedule)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Audit a Home-Start scheme's website and social accounts against its "
                    "social networking policy, and report to the CEO.")
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    common = common_options()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS:
        module.add_commands(sub, common)
    return parser


def setup_logging(args: argparse.Namespace) -> None:
    """stderr only; commands that run audits add the log file once the config names the storage folder."""
    logs.setup(getattr(args, "verbose", 0), getattr(args, "quiet", False))


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AlreadyRunning as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into `head` and the like
        return EXIT_OK
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"Error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.Error as exc:             # the storage folder full, unwritable or damaged
        print(f"Error: a database in the storage folder could not be used ({exc}); "
              "check that its disk has space and that it can be written.", file=sys.stderr)
        return EXIT_FAILED
