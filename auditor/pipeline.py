"""One audit: collect, check, store, report. `run(config)` returns a RunResult.

The CLI and the scheduler both call `run`. Library code raises; only cli.py turns
exceptions into messages and exit codes.
"""
from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import delivery, dismissals, heap
from . import findings as findings_mod
from . import scheduler
from .checks import Resources, Runner
from .checks.pagecache import PageCache
from .config import Config
from .consent import register as consent_register
from .consent.thumbnails import save_thumbnails
from .crawl import caps, website
from .crawl.cache import Cache
from .crawl.http import Fetcher
from .findings import SEVERITIES, Finding
from .history import STOPPED, Changes, Comparison, Ending, History, open_history
from .humanise import plural
from .isolation import Decoders
from .lock import RunLock
from .pagestore import PageStore
from .problems import needs_action
from .result import RunResult, findings_document, summary_lines
from .snapshot import Page, Snapshot

log = logging.getLogger(__name__)


@dataclass
class Options:
    json_path: Path | None = None
    send_email: bool = True
    only: tuple[str, ...] = ()
    stop: threading.Event | None = None
    progress: Callable[[int, int], None] | None = None
    # Asked under the run lock before anything is fetched; False means no audit is due (run returns None).
    when: Callable[[History], bool] | None = None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def run(config: Config, options: Options | None = None) -> RunResult | None:
    """Run one audit. Raises lock.AlreadyRunning if another audit holds the storage folder.

    Returns None, having done nothing, when `options.when` says no audit is due.
    """
    options = options or Options()
    storage = Path(config.storage)
    storage.mkdir(parents=True, exist_ok=True)
    with RunLock(storage), open_history(storage) as history:
        for run_id in history.recover_interrupted(now_iso()):
            log.warning("Audit %d was killed before it finished; it is recorded as incomplete", run_id)
        if options.when is not None and not options.when(history):
            return None
        result = RunResult(run_id=0, config=config, started_at=now_iso())
        result.run_id = history.start_run(result.started_at, os.getpid())
        if history.problem:
            log.warning("%s", history.problem)
            result.notes.append(history.problem)
        log.info("Audit %d started for %s", result.run_id, config.scheme.website)
        try:
            _audit(config, options, history, result)
        except BaseException as exc:
            stopped = isinstance(exc, KeyboardInterrupt)
            result.status, result.ending = ("incomplete", Ending.STOPPED) if stopped else ("failed", Ending.FAILED)
            result.notes.append(f"{STOPPED}: interrupted" if isinstance(exc, KeyboardInterrupt)
                                else f"the audit stopped: {type(exc).__name__}: {exc}")
            _record_failure(history, result)
            raise
        return result


def _record_failure(history: History, result: RunResult) -> None:
    """Best effort: on a full or read-only disk the history cannot take it, and the original error matters more."""
    try:
        history.finish_run(result.run_id, result.status, now_iso(), result.counts, error=result.notes[-1],
                           ending=result.ending)
    except sqlite3.Error as exc:
        log.warning("could not record the end of audit %s in the history: %s", result.run_id, exc)


def _audit(config: Config, options: Options, history: History, result: RunResult) -> None:
    # Pages go to disk as they arrive: memory stays flat however large the site.
    with PageStore(config.storage) as pages, PageCache(config.storage, config) as page_cache:
        _audit_into(config, options, history, result, pages, page_cache)


def _audit_into(config: Config, options: Options, history: History, result: RunResult, pages: PageStore,
                page_cache: PageCache) -> None:
    clock = time.monotonic()
    stop = options.stop or threading.Event()
    previous = history.last_complete_run()
    resources = Resources(config, now=_parse(result.started_at) or datetime.now(timezone.utc),
                          previous_run_at=_parse(previous.started_at) if previous else None,
                          page_cache=page_cache, register_cache=Path(config.storage))
    runner = Runner(resources, options.only)
    snapshot = Snapshot(website=config.scheme.website, started_at=result.started_at, pages=pages)
    cache = Cache(Path(config.storage) / "cache.sqlite3")
    # Collecting ends at the signal to stop, or at the audit's time limit (crawl.max_hours).
    cutoff = caps.Cutoff(stop, config.crawl.max_hours * 3600, config.crawl.max_hours)
    fetcher = Fetcher.for_config(config, cache=cache, stop=cutoff)
    digests = _PageDigests(history, result.run_id)

    def on_page(page: Page) -> None:
        digests.add(page)
        runner.page(page)

    decoders = Decoders.for_config(config, cutoff)     # images are decoded in worker processes
    try:
        website.collect(config, fetcher, cache, snapshot, on_page=on_page, stop=cutoff, progress=options.progress,
                        decoders=decoders)
        if not cutoff.is_set():
            _collect_social(config, fetcher, snapshot, resources, cutoff, decoders)
    finally:
        decoders.close()
        fetcher.close()
        cache.close()
    caps.record(snapshot, caps.retry_errors(fetcher.retry_capped, config.crawl.max_retry_wait_seconds)
                + [e for e in [cutoff.error(config.scheme.website)] if e])
    digests.flush()
    heap.release()      # the crawl's threads, parsed pages and decoded images are gone
    if stop.is_set():
        snapshot.complete = False
        result.ending = Ending.STOPPED
        result.notes.append(f"{STOPPED}; what it had collected was checked")
    runner.site(snapshot)
    page_cache.save(prune=snapshot.complete and not options.only)
    result.findings = sorted(runner.findings, key=findings_mod.sort_key)
    heap.release()      # what the site-wide checks worked with is gone
    result.failures = runner.failures
    result.thumbnails = save_thumbnails(result.findings, snapshot, config.storage)
    result.next_run = next_run(config)
    result.expiring_consents = _expiring_consents(config, result.next_run)
    result.stats = {**snapshot.stats, **fetcher.counts, **page_cache.counts, **decoders.counts}
    result.counts = _counts(snapshot, result.findings)
    result.status = "complete" if snapshot.complete else "incomplete"
    result.notes.extend(e.message for e in snapshot.errors if e.kind in ("truncated", "unrendered", caps.KIND))
    left_out = snapshot.stats.get("social_items_unreadable", 0)
    if left_out:
        result.notes.append(f"{plural(left_out, 'post, reply or picture', 'posts, replies or pictures')} on the "
                            f"social accounts could not be read (the platform sent malformed data) and "
                            f"{'was' if left_out == 1 else 'were'} left out")
    _save_findings(history, result, snapshot)
    history.save_posts(result.run_id, ((p.platform, p.url, p.created_at) for p in snapshot.posts))
    result.comparison = history.compare(result.run_id, result.findings)
    result.changes = history.changes(result.run_id)
    result.trend = [(r.started_at, n) for r, n in history.open_counts()] + [(result.started_at, result.counts["actions"])]
    result.finished_at = now_iso()
    result.duration_seconds = round(time.monotonic() - clock, 2)
    _write_outputs(options, result)
    # A stopped audit is done again on the next start: its partial report is saved, not mailed.
    delivery.publish(result, options.send_email and not stop.is_set())
    history.finish_run(result.run_id, result.status, result.finished_at, result.counts,
                       report_path=str(result.report_html or result.summary_path),
                       error="; ".join(result.notes) or None,
                       ending=result.ending)


def _save_findings(history: History, result: RunResult, snapshot: Snapshot) -> None:
    """Store the findings with what their pages, images and posts looked like, and take out those
    marked as fine that still are (a change or a passed date brings one back)."""
    facts = history.page_facts(result.run_id, (f.url for f in result.findings))
    states = dismissals.states(result.findings, {url: digest for url, (_, digest) in facts.items()}, snapshot)
    history.save_findings(result.run_id, result.findings, states)
    result.page_titles = {url: title for url, (title, _) in facts.items() if title}
    today = (_parse(result.started_at) or datetime.now(timezone.utc)).date()
    result.dismissed = dismissals.apply(history, result.findings, states, today, now_iso())
    result.counts["actions"] = len(needs_action(result.findings, result.dismissed))


def next_run(config: Config) -> datetime | None:
    return next(iter(scheduler.next_runs(config, 1)), None)


def _expiring_consents(config: Config, before: datetime | None) -> list[dict[str, Any]]:
    """Consents that run out before the next audit, for the report (no names of people)."""
    if config.consent.register is None or before is None:
        return []
    try:
        reg = consent_register.load(config.consent.register, photos=False)
    except (OSError, ValueError) as exc:
        log.warning("could not read the consent register for expiring consents: %s", exc)
        return []
    return consent_register.expiring(reg, before=before.date(), after=datetime.now(timezone.utc).date())


def _collect_social(config: Config, fetcher: Fetcher, snapshot: Snapshot, resources: Resources,
                    stop: threading.Event, decoders: Decoders) -> None:
    if not config.social:
        return
    from . import social  # imported lazily: most of a crawl needs none of it

    social.collect(config, fetcher, snapshot, previous_run_at=resources.previous_run_at, stop=stop,
                   decoders=decoders)


def _counts(snapshot: Snapshot, found: list[Finding]) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "pages": len(snapshot.pages),
        "images": sum(1 for i in snapshot.images.values() if i.error is None),
        "posts": len(snapshot.posts) + len(snapshot.older_posts),
        "findings": len(found),
    }
    for severity in SEVERITIES:
        counts[severity] = sum(1 for f in found if f.severity == severity)
    return counts


def _write_outputs(options: Options, result: RunResult) -> None:
    result.run_dir = result.folder
    doc = findings_document(result, with_findings=False)
    findings_mod.write_document(result.run_dir / "findings.json", doc, result.findings)
    if options.json_path:
        findings_mod.write_document(Path(options.json_path), doc, result.findings)
        result.json_path = Path(options.json_path)
    result.summary_path = result.run_dir / "summary.txt"
    with result.summary_path.open("w", encoding="utf-8") as out:
        out.writelines(summary_lines(result))


class _PageDigests:
    """What each page looked like, for the next audit's "what changed": written to the history in
    batches as pages arrive rather than held for the whole crawl."""

    BATCH = 500

    def __init__(self, history: History, run_id: int):
        self.history, self.run_id = history, run_id
        self.rows: list[tuple[str, str, str]] = []

    def add(self, page: Page) -> None:
        self.rows.append((page.url, _digest(page), page.title[:200]))
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.history.save_pages(self.run_id, self.rows)
            self.rows = []


def _digest(page: Page) -> str:
    return hashlib.sha1(f"{page.status}\x1f{page.title}\x1f{page.text}".encode("utf-8", "replace")).hexdigest()


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
