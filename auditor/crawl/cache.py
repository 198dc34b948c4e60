"""Validators (ETag / Last-Modified) and extracts kept between runs.

A re-audit sends conditional requests; on 304 the page extract or image analysis
stored here is reused, so unchanged pages are not re-parsed and images not re-hashed.
Extracts are kept as compressed JSON: a page's is about a tenth of its size in text.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..compression import CompressionError, compress, decompress

log = logging.getLogger(__name__)

# Bump when the shape of cached extracts changes: older entries are then ignored.
FORMAT = 5


@dataclass
class Validators:
    etag: str | None
    last_modified: str | None
    kind: str                 # page | image
    data: dict[str, Any]


class Cache:
    """Only a speed-up: a damaged file is discarded with a warning and the cache starts afresh."""

    def __init__(self, path: Path, fmt: int = FORMAT):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self.lock = threading.Lock()
        self.pending = 0
        try:
            self.db: sqlite3.Connection | None = self._open()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):     # unwritable or full: not damage
                raise
            log.warning("The request cache %s is damaged (%s); it is discarded and rebuilt", self.path, exc)
            self._discard()
            self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        try:
            # One run at a time holds the storage folder (RunLock): an exclusive lock spares
            # SQLite a file check on every lookup.
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS entries (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,"
                       " kind TEXT NOT NULL, format INTEGER NOT NULL, data TEXT NOT NULL)")
            db.execute("SELECT 1 FROM entries LIMIT 1").fetchall()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _damaged(self, exc: sqlite3.DatabaseError) -> None:
        """Damage found while in use: the rest of this run does without, the next starts afresh."""
        if isinstance(exc, sqlite3.OperationalError):
            raise exc
        if self.db is not None:
            log.warning("The request cache %s is damaged (%s); it is discarded and rebuilt", self.path, exc)
            self.db.close()
            self.db = None
            self._discard()

    def validators(self, url: str) -> Validators | None:
        with self.lock:
            if self.db is None:
                return None
            try:
                row = self.db.execute("SELECT etag, last_modified, kind, format, data FROM entries WHERE url=?",
                                      (url,)).fetchone()
            except sqlite3.DatabaseError as exc:
                self._damaged(exc)
                return None
        if row is None or row[3] != self.fmt or not (row[0] or row[1]):
            return None
        try:
            return Validators(row[0], row[1], row[2], json.loads(decompress(row[4])))
        except (ValueError, TypeError, CompressionError):
            return None

    def store(self, url: str, etag: str | None, last_modified: str | None, kind: str, data: dict[str, Any]) -> None:
        if not (etag or last_modified):
            return
        payload = compress(json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))
        with self.lock:
            if self.db is None:
                return
            try:
                self.db.execute("INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?)",
                                (url, etag, last_modified, kind, self.fmt, payload))
                self.pending += 1
                if self.pending >= 200:
                    self.db.commit()
                    self.pending = 0
            except sqlite3.DatabaseError as exc:
                self._damaged(exc)

    def close(self) -> None:
        with self.lock:
            if self.db is None:
                return
            try:
                self.db.commit()
            except sqlite3.DatabaseError as exc:
                self._damaged(exc)
                return
            self.db.close()
            self.db = None
