"""Per-page check results kept between audits, so an unchanged page is not checked again.

A result is keyed by everything it may depend on: the page's content digest (set when the
page is extracted, and kept with the cached extract), the page's addresses and sitemap date,
the whole configuration, and the auditor's own code; results that read today's date also
by the date. A change in any of them is a different key, so a stale result is never served.
Only results that survive a JSON round trip unchanged are kept. After a complete audit,
results it did not use are dropped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any, Callable

from ..snapshot import Page

log = logging.getLogger(__name__)

FILE = "check-cache.sqlite3"
PACKAGE = Path(__file__).resolve().parent.parent


def code_version() -> str:
    """A digest of the auditor's source: any change to the code invalidates every result."""
    digest = hashlib.sha1()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PageCache:
    def __init__(self, folder: Path | str, config: Any):
        self.salt = f"{code_version()}\x1f{config!r}"
        path = Path(folder) / FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self.used: set[str] = set()
        self.fresh: dict[str, str] = {}

    def key(self, page: Page, name: str, day: date | None, depends: str = "") -> str | None:
        if not page.digest:
            return None       # a page made outside a crawl: nothing identifies its content
        parts = (self.salt, name, page.digest, page.url, page.final_url, page.sitemap_lastmod or "",
                 day.isoformat() if day else "", depends)
        return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()

    def get(self, page: Page, name: str, compute: Callable[[Page], Any], day: date | None = None,
            depends: str = "") -> Any:
        """`compute(page)`, or what it gave for this very page, config, code, day and `depends` last time."""
        key = self.key(page, name, day, depends)
        if key is None:
            return compute(page)
        row = self.db.execute("SELECT value FROM results WHERE key=?", (key,)).fetchone()
        self.used.add(key)
        if row is not None:
            return json.loads(row[0])
        value = compute(page)
        text = json.dumps(value, separators=(",", ":"))
        if json.loads(text) == value:     # tuples, sets and other types would not come back the same
            self.fresh[key] = text
        return value

    def save(self, prune: bool) -> None:
        """Keep this audit's new results; `prune` drops those it did not use (after a complete audit)."""
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", self.fresh.items())
                if prune:
                    self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
                    self.db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((k,) for k in self.used))
                    self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM used)")
            self.fresh = {}
        except sqlite3.Error as exc:      # only a speed-up: the next audit checks those pages afresh
            log.warning("could not keep the check results for the next audit: %s", exc)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "PageCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
