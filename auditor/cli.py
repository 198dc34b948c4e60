"""The `auditor` command line. The only module that prints and chooses exit codes.

Exit codes: 0 the audit completed (findings are the product, not a failure);
1 it could not complete, a check crashed, or the report could not be delivered;
2 bad usage or a bad config (nothing was fetched).
"""
from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys

from . import __version__
from . import config as config_mod
from . import logs
from .config import ConfigError
from .lock import AlreadyRunning

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Modules exposing add_commands(subparsers): each subcommand sets func=handler(args) -> exit code.
COMMAND_MODULES = [
    "auditor.commands.audit",
    "auditor.commands.demo",
    "auditor.commands.report",
    "auditor.commands.findings",
    "auditor.commands.consent",
    "auditor.commands.schedule",
]

EPILOG = """exit codes:
  0  the audit completed (findings are the product, not a failure), or with --if-due none was due
  1  the audit could not complete, a check crashed, the report was not delivered, or another
     audit was already running
  2  bad usage or a bad config; nothing was fetched

config: --config PATH, else $AUDITOR_CONFIG, else config/auditor.toml"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditor", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Audit a Home-Start scheme's website and social accounts against its "
                    "social networking policy, and report to the CEO.")
    parser.add_argument("--version", action="version", version=f"auditor {__version__}")
    common = common_options()
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(sub, common)
    return parser


def common_options(nested: bool = False) -> argparse.ArgumentParser:
    """--config, -v and -q. `nested` parsers (sub-subcommands) leave unset options alone, so
    `auditor consent --config X list` and `auditor consent list --config X` both work."""
    unset = {"default": argparse.SUPPRESS} if nested else {}
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="config file (default: $AUDITOR_CONFIG or config/auditor.toml)",
                        **unset)
    common.add_argument("-v", "--verbose", action="count", help="more detail (-vv for debugging)",
                        **(unset or {"default": 0}))
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors", **unset)
    return common


def load_config(args: argparse.Namespace) -> config_mod.Config:
    return config_mod.load(config_mod.resolve_path(getattr(args, "config", None)))


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
