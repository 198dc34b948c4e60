"""Per-page check results kept between audits, so an unchanged page is not checked again.

A result is keyed by everything it may depend on: the page's content digest (set when the
page is extracted, and kept with the cached extract), the page's addresses and sitemap date,
the whole configuration, the auditor's own code, and whatever else the check names (the
analyses of the page's images…). A change in any of them is a different key, so an out-of-date
result is never served. Results never depend on today's date: checks keep what they found in
the page (the dates written on it) and compare it with today on every audit.
Only results that survive a JSON round trip unchanged are kept. After a complete audit,
results it did not use are dropped.
"""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any, Callable

from .. import __version__
from ..snapshot import Page

log = logging.getLogger(__name__)

FILE = "check-cache.sqlite3"
PACKAGE = Path(__file__).resolve().parent.parent


def code_version() -> str:
    """The version and a digest of the auditor's source: any change to the code invalidates every result."""
    digest = hashlib.sha1(__version__.encode())
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


class PageCache:
    def __init__(self, folder: Path | str, config: Any):
        # hashed once: the config's text is long, and every key of the audit includes it
        self.salt = hashlib.sha1(f"{code_version()}\x1f{config!r}".encode("utf-8", "replace")).hexdigest()
        self.counts = {"page_results_reused": 0, "page_results_made": 0}
        self.db: sqlite3.Connection | None = None
        try:
            Path(folder).mkdir(parents=True, exist_ok=True)
            # Site-wide checks run in threads of their own, one at a time (see onepass).
            self.db = sqlite3.connect(Path(folder) / FILE, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            # The keys this audit used, for pruning: in the database, not memory (40,000 on a large site).
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS used (key TEXT PRIMARY KEY)")
        except (OSError, sqlite3.Error) as exc:     # only a speed-up: without it every page is checked afresh
            self._give_up(exc)

    def key(self, page: Page, name: str, depends: str = "") -> str | None:
        if not page.digest or self.db is None:
            return None       # a page made outside a crawl: nothing identifies its content
        parts = (self.salt, name, page.digest, page.url, page.final_url, page.sitemap_lastmod or "", depends)
        return hashlib.sha1("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()

    def get(self, page: Page, name: str, compute: Callable[[Page], Any], depends: str = "") -> Any:
        """`compute(page)`, or what it gave for this very page, config, code and `depends` last time."""
        key = self.key(page, name, depends)
        row = self._lookup(key) if key else None
        if row is not None:
            self.counts["page_results_reused"] += 1
            return json.loads(row[0])
        value = compute(page)
        self.counts["page_results_made"] += 1
        if key:
            self._keep(key, value)
        return value

    def _lookup(self, key: str) -> tuple | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT value FROM results WHERE key=?", (key,)).fetchone()
            self.db.execute("INSERT OR IGNORE INTO used VALUES (?)", (key,))
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        return row

    def _keep(self, key: str, value: Any) -> None:
        text = json.dumps(value, separators=(",", ":"))
        if json.loads(text) != value or self.db is None:     # tuples, sets… would not come back the same
            return
        try:
            # One transaction, committed by `save`: an audit that fails part-way keeps nothing.
            self.db.execute("INSERT OR REPLACE INTO results VALUES (?, ?)", (key, text))
        except sqlite3.Error as exc:
            self._give_up(exc)

    def save(self, prune: bool) -> None:
        """Keep this audit's new results; `prune` drops those it did not use (after a complete audit)."""
        if self.db is None:
            return
        try:
            with self.db:
                if prune:
                    self.db.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM used)")
        except sqlite3.Error as exc:
            self._give_up(exc)

    def _give_up(self, exc: Exception) -> None:
        log.warning("check results are not kept for the next audit: %s", exc)
        self.close()

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def __enter__(self) -> "PageCache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
