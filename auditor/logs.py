"""Logging: stderr for whoever started the command, a rotating file in the storage folder.

stderr: `-q` errors only (cron mails any output, so a good run stays silent), default
warnings, `-v` progress, `-vv` debugging. The file always keeps progress (`-vv`: debugging
too), so an unattended run can be followed up afterwards.
"""
from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_NAME = "auditor.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
FILE_FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
# Libraries that narrate every request or job at INFO.
CHATTY = ("urllib3", "apscheduler", "PIL", "pyvips")


def stderr_level(verbose: int, quiet: bool) -> int:
    return logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def setup(verbose: int = 0, quiet: bool = False) -> None:
    """Log to stderr only: used before the config (and so the storage folder) is known."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(stderr_level(verbose, quiet))
    handler.setFormatter(logging.Formatter(STDERR_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    for name in CHATTY:
        logging.getLogger(name).setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)


def add_file(storage: Path, verbose: int = 0) -> Path:
    """Also log to `<storage>/auditor.log`, rotated at about 1 MB, five old files kept."""
    path = Path(storage) / LOG_NAME
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename) == path.resolve():
            return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                   encoding="utf-8")
    handler.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    handler.setFormatter(logging.Formatter(FILE_FORMAT))
    root.addHandler(handler)
    return path
