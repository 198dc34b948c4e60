"""A run's result, its plain-text summary and its findings document.

The pipeline fills a `RunResult`; the report, delivery and the commands read it. `rebuilt`
makes one again from the history, for a past audit's report.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from . import dismissals
from . import findings as findings_mod
from .config import Config
from .coverage import Coverage
from .findings import SEVERITIES, Finding
from .history import Changes, Comparison, Dismissal, Ending, History, Run, run_path


@dataclass
class CheckFailure:
    module: str          # the check's name
    error: str
    traceback: str


@dataclass
class RunResult:
    run_id: int
    config: Config
    started_at: str
    finished_at: str = ""
    status: str = "running"                 # complete | incomplete | failed
    ending: Ending = Ending.FINISHED        # how the run ended: went to its end, stopped, failed
    counts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    failures: list[CheckFailure] = field(default_factory=list)
    comparison: Comparison | None = None
    changes: Changes | None = None
    stats: dict[str, Any] = field(default_factory=dict)   # crawl figures: requests, 304s, errors…
    notes: list[str] = field(default_factory=list)        # why a run is incomplete, plainly
    run_dir: Path | None = None
    json_path: Path | None = None
    summary_path: Path | None = None
    report_html: Path | None = None
    report_eml: Path | None = None
    delivered: bool | None = None           # None: no e-mail was attempted
    delivery_error: str | None = None
    delivery_notes: list[str] = field(default_factory=list)    # earlier reports long stuck in the outbox
    thumbnails: dict[str, Path] = field(default_factory=dict)   # photo URL -> stored thumbnail
    expiring_consents: list[dict[str, Any]] = field(default_factory=list)
    trend: list[tuple[str, int]] = field(default_factory=list)   # (run start, things needing action) oldest first
    page_titles: dict[str, str] = field(default_factory=dict)     # address -> title, for the pages findings name
    dismissed: dict[str, Dismissal] = field(default_factory=dict)  # fingerprint -> why it is marked as fine
    next_run: datetime | None = None
    duration_seconds: float = 0.0
    sample: bool = False                    # a test e-mail's made-up findings, not an audit
    coverage: Coverage | None = None        # what it saw against what it could have seen

    @property
    def ok(self) -> bool:
        """Completed (or, with `--only`, every check asked for ran over everything), no check failed,
        and the report went where it should."""
        as_asked = self.status == "complete" or (self.coverage is not None and self.coverage.as_asked)
        return as_asked and not self.failures and self.delivered is not False

    @property
    def folder(self) -> Path:
        """Where this run's files are kept (created on first use)."""
        return run_folder(self.config, self.run_id)


def run_folder(config: Config, run_id: int) -> Path:
    """A run's folder in the storage folder: its findings, summary and reports."""
    folder = run_path(config.storage, run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def rebuilt(config: Config, history: History, run: Run) -> RunResult:
    """A past audit's result as the report needs it, from what the history holds (no thumbnails);
    with the dismissals that hold now."""
    found = history.findings(run.id)
    held, _ = dismissals.holding(history.open_dismissals(), found, history.finding_states(run.id),
                                 datetime.now(timezone.utc).date())
    facts = history.page_facts(run.id, (f.url for f in found))
    previous_runs = [(r.started_at, n) for r, n in history.open_counts(limit=50) if r.id < run.id][-7:]
    return RunResult(run_id=run.id, config=config, started_at=run.started_at,
                     finished_at=run.finished_at or "", status=run.status, ending=run.ending or Ending.FINISHED,
                     coverage=Coverage.from_dict(run.coverage) if run.coverage else None,
                     counts=run.counts or {"pages": run.pages, "images": run.images, "posts": run.posts},
                     findings=found, comparison=history.compare(run.id), changes=history.changes(run.id),
                     notes=[run.error] if run.error else [],
                     trend=previous_runs + [(run.started_at, 0)], dismissed=held,    # the report counts this one
                     page_titles={url: title for url, (title, _) in facts.items() if title})


def findings_document(result: RunResult, with_findings: bool = True) -> dict[str, Any]:
    """The findings document; without its findings (an empty list) for `write_document` to stream them."""
    return findings_mod.document(
        result.config.scheme.name, result.started_at, result.finished_at, result.counts,
        result.findings if with_findings else (),
        run_id=result.run_id, complete=result.status == "complete", state=result.status,
        notes=result.notes, failed_checks=[f.module for f in result.failures],
        coverage=result.coverage.to_dict() if result.coverage else None)


def summary_text(result: RunResult) -> str:
    return "".join(summary_lines(result))


def summary_lines(result: RunResult) -> Iterator[str]:
    """The plain-text summary, line by line (each ends with a newline), so it can be written as a stream."""
    c = result.counts
    yield f"Audit of {result.config.scheme.name} ({result.config.scheme.website})\n"
    yield f"Run {result.run_id}: {result.status}, {result.started_at} to {result.finished_at}\n"
    yield f"{c.get('pages', 0)} pages, {c.get('images', 0)} images, {c.get('posts', 0)} posts checked\n"
    if result.coverage and result.coverage.pages_known > result.coverage.pages_read:
        cov = result.coverage
        yield f"Read {cov.pages_read} of the {cov.pages_known} pages the site links to or lists\n"
    yield "Findings: " + ", ".join(f"{c.get(s, 0)} {s}" for s in SEVERITIES) + "\n"
    yield from (f"Note: {n}\n" for n in result.notes)
    yield from (f"Check failed: {f.module}: {f.error}\n" for f in result.failures)
    yield "\n"
    for f in result.findings:
        yield f"[{f.severity}] {f.policy} {f.check}: {f.message}\n"
        yield f"    at {f.url}" + (f"  ({f.subject})" if f.subject else "") + "\n"
