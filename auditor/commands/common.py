"""What every subcommand shares: exit codes, the common options, loading the config."""
from __future__ import annotations

import argparse
from typing import Any

from .. import config as config_mod

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

EPILOG = """exit codes:
  0  the audit completed (findings are the product, not a failure), or with --if-due none was due
  1  the audit could not complete, a check crashed, the report was not delivered, or another
     audit was already running
  2  bad usage or a bad config; nothing was fetched

config: --config PATH, else $AUDITOR_CONFIG, else config/auditor.toml"""


def common_options(nested: bool = False) -> argparse.ArgumentParser:
    """--config, -v and -q. `nested` parsers (sub-subcommands) leave unset options alone, so
    `auditor consent --config X list` and `auditor consent list --config X` both work."""
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if nested else {}
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help="config file (default: $AUDITOR_CONFIG or config/auditor.toml)",
                        **unset)
    common.add_argument("-v", "--verbose", action="count", help="more detail (-vv for debugging)",
                        **(unset or {"default": 0}))
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors", **unset)
    return common


def load_config(args: argparse.Namespace) -> config_mod.Config:
    return config_mod.load(config_mod.resolve_path(getattr(args, "config", None)))
