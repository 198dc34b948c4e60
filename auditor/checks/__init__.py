"""Checks: one module per concern, each reading the snapshot and yielding Findings.

A check module exposes `CODES` (the finding codes it may emit) and one or both of
  `check_page(page, ctx)`  -> findings for one page, called as pages arrive;
  `check(snapshot, ctx)`   -> findings that need the whole snapshot (the site-wide checks run
                              in turn over one shared read of the pages: see `onepass`).
Its docstring's first line is what `auditor checks` prints. Checks never fetch,
write or mail.
"""
from __future__ import annotations

import importlib
import json
import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterable

from ..config import Config
from ..findings import Finding
from ..snapshot import Page, Snapshot
from . import onepass

if TYPE_CHECKING:
    from .pagecache import PageCache

log = logging.getLogger(__name__)

SHARED_EVIDENCE_CHARS = 300
# Order is the order they run and are listed in.
MODULES = [
    "crawl",
    "stale",
    "events",
    "copyright",
    "personal_data",
    "alt_text",
    "logo",
    "name",
    "social",
    "social_identity",
    "complaints",
    "photo_consent",
    "photo_metadata",
]


@dataclass
class Context:
    """What checks may read besides the snapshot: config, the time, reference data."""

    config: Config
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    previous_run_at: datetime | None = None
    page_cache: PageCache | None = None     # during an audit: per-page results kept between audits
    _memo: dict[str, Any] = field(default_factory=dict)

    def memo(self, key: str, loader: Callable[[], Any]) -> Any:
        """Load reference data (logos, consent register…) once per run."""
        if key not in self._memo:
            self._memo[key] = loader()
        return self._memo[key]

    def per_page(self, page: Page, name: str, compute: Callable[[Page], Any], depends: str = "") -> Any:
        """`compute(page)`: JSON data that depends only on the page, the config and what `depends`
        describes (digests of other inputs), never on today's date. Kept between audits, so an
        unchanged page is not worked on again."""
        if self.page_cache is None:
            return compute(page)
        return self.page_cache.get(page, name, compute, depends)


class CheckProblem(Exception):
    """A check could not do all its work for a reason the user can fix (bad reference data):
    recorded and reported like any failure, but said in one line, without a traceback."""


@dataclass
class CheckFailure:
    module: str
    error: str
    traceback: str


def load_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{__name__}.{name}") for name in MODULES]


def describe() -> list[tuple[str, str, tuple[str, ...]]]:
    """(module name, first docstring line, codes) for `auditor checks`."""
    out = []
    for mod in load_modules():
        doc = (mod.__doc__ or "").strip().splitlines()
        out.append((mod.__name__.rsplit(".", 1)[-1], doc[0] if doc else "", tuple(mod.CODES)))
    return out


class Runner:
    """Runs every check, isolating failures: one crashing check never stops the others."""

    def __init__(self, ctx: Context, only: Iterable[str] | None = None):
        self.ctx = ctx
        self.ignore = set(ctx.config.checks.ignore)
        self.only = set(only or ())
        self.modules = [m for m in load_modules() if self._wanted(m)]
        self.findings: list[Finding] = []
        self.failures: list[CheckFailure] = []
        self._texts: dict[str, str] = {}
        self._evidence: dict[str, dict] = {}

    def _wanted(self, mod: ModuleType) -> bool:
        if not self.only:
            return True
        short = mod.__name__.rsplit(".", 1)[-1]
        return short in self.only or bool(self.only & set(mod.CODES))

    def page(self, page: Page) -> None:
        for mod in self.modules:
            if hasattr(mod, "check_page"):
                self._collect(mod, _page_check(mod), page)

    def site(self, snapshot: Snapshot) -> None:
        """The site-wide checks, in order, sharing one read of the pages (see `onepass`)."""
        mods = [mod for mod in self.modules if hasattr(mod, "check")]
        gathered = onepass.run(snapshot, [partial(self._gather, mod) for mod in mods])
        for findings, failure in gathered:
            self.findings.extend(findings)
            self._failed(failure)

    def _collect(self, mod: ModuleType, fn: Callable, arg: Any) -> None:
        findings, failure = self._gather(mod, arg, fn)
        self.findings.extend(findings)
        self._failed(failure)

    def _gather(self, mod: ModuleType, arg: Any, fn: Callable | None = None) -> tuple[list[Finding], CheckFailure | None]:
        name = mod.__name__.rsplit(".", 1)[-1]
        out: list[Finding] = []
        try:
            for finding in (fn or mod.check)(arg, self.ctx) or ():
                if finding.check in self.ignore:
                    continue
                if self.only and name not in self.only and finding.check not in self.only:
                    continue
                out.append(self._shared(finding))
        except CheckProblem as exc:
            log.warning("check %s could not do all its work: %s", name, exc)
            return out, CheckFailure(name, str(exc), "")
        except Exception as exc:  # noqa: BLE001 - a broken check must not stop the run
            log.exception("check %s failed", name)
            return out, CheckFailure(name, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return out, None

    def _shared(self, finding: Finding) -> Finding:
        """Equal messages and evidence held once: a large site repeats some thousands of times
        (an out-of-date notice, photos without a record). Nothing changes a finding once made."""
        finding.message = self._texts.setdefault(finding.message, finding.message)
        if finding.evidence:
            key = json.dumps(finding.evidence, sort_keys=True, default=str)
            if len(key) <= SHARED_EVIDENCE_CHARS:   # long evidence (lists of pages) is seldom repeated
                finding.evidence = self._evidence.setdefault(key, finding.evidence)
        return finding

    def _failed(self, failure: CheckFailure | None) -> None:
        if failure is not None and not any(f.module == failure.module for f in self.failures):
            self.failures.append(failure)


def _page_check(mod: ModuleType) -> Callable:
    """`check_page`, through the page cache when the module says its findings depend only on
    the page and the config (`PAGE_LOCAL = True`)."""
    if not getattr(mod, "PAGE_LOCAL", False):
        return mod.check_page
    name = mod.__name__.rsplit(".", 1)[-1] + ".check_page"

    def cached(page: Page, ctx: Context) -> list[Finding]:
        found = ctx.per_page(page, name, lambda p: [f.to_dict() for f in mod.check_page(p, ctx)])
        return [Finding.from_dict(data) for data in found]
    return cached
