"""Checks: one module per concern, each declaring itself as a `Check` (see `base`).

`REGISTRY` is the one list of checks, in the order they run and are listed; the command line,
config validation, `auditor checks` and the findings all read it. Checks never fetch, write
or mail: they read the snapshot and the run's `Resources`.
"""
from __future__ import annotations

import json
import logging
import traceback
from functools import partial
from typing import Any, Callable, Iterable

from ..findings import Finding
from ..result import CheckFailure
from ..snapshot import Page, Snapshot
from . import (alt_text, complaints, copyright, crawl, events, logo, name, onepass, personal_data, photo_consent,
               photo_metadata, social, social_identity, stale)
from .base import Check, CheckProblem
from .resources import Resources

__all__ = ["REGISTRY", "Check", "CheckFailure", "Resources", "Runner", "by_name", "owner"]

log = logging.getLogger(__name__)

SHARED_EVIDENCE_CHARS = 300

REGISTRY: tuple[Check, ...] = (
    crawl.CHECK,
    stale.CHECK,
    events.CHECK,
    copyright.CHECK,
    personal_data.CHECK,
    alt_text.CHECK,
    logo.CHECK,
    name.CHECK,
    social.CHECK,
    social_identity.CHECK,
    complaints.CHECK,
    photo_consent.CHECK,
    photo_metadata.CHECK,
)


def by_name() -> dict[str, Check]:
    return {check.name: check for check in REGISTRY}


def owner(code: str) -> Check:
    """The check that emits `code`."""
    return next(check for check in REGISTRY if code in check.codes)


class Runner:
    """Runs every check, isolating failures: one crashing check never stops the others."""

    def __init__(self, resources: Resources, only: Iterable[str] | None = None):
        self.resources = resources
        self.ignore = set(resources.config.checks.ignore)
        self.only = set(only or ())
        self.checks = [check for check in REGISTRY if self._wanted(check)]
        self.findings: list[Finding] = []
        self.failures: list[CheckFailure] = []
        self._texts: dict[str, str] = {}
        self._evidence: dict[str, dict] = {}

    def _wanted(self, check: Check) -> bool:
        return not self.only or check.name in self.only or bool(self.only & set(check.codes))

    def page(self, page: Page) -> None:
        for check in self.checks:
            if check.page is not None:
                self._collect(check, _page_step(check), page)

    def site(self, snapshot: Snapshot) -> None:
        """The site-wide checks, in order, sharing one read of the pages (see `onepass`)."""
        works = [partial(self._gather, check, check.site) for check in self.checks if check.site is not None]
        for findings, failure in onepass.run(snapshot, works):
            self.findings.extend(findings)
            self._failed(failure)

    def _collect(self, check: Check, step: Callable, arg: Any) -> None:
        findings, failure = self._gather(check, step, arg)
        self.findings.extend(findings)
        self._failed(failure)

    def _gather(self, check: Check, step: Callable, arg: Any) -> tuple[list[Finding], CheckFailure | None]:
        out: list[Finding] = []
        try:
            for finding in step(arg, self.resources) or ():
                if finding.check in self.ignore:
                    continue
                if self.only and check.name not in self.only and finding.check not in self.only:
                    continue
                out.append(self._shared(finding))
        except CheckProblem as exc:
            log.warning("check %s could not do all its work: %s", check.name, exc)
            return out, CheckFailure(check.name, str(exc), "")
        except Exception as exc:  # noqa: BLE001 - a broken check must not stop the run
            log.exception("check %s failed", check.name)
            return out, CheckFailure(check.name, f"{type(exc).__name__}: {exc}", traceback.format_exc())
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


def _page_step(check: Check) -> Callable:
    """The check's page step, through the check cache when it reads only the page and the config."""
    step = check.page
    assert step is not None
    if not check.page_local:
        return step
    key = check.name + ".check_page"

    def cached(page: Page, resources: Resources) -> list[Finding]:
        found = resources.per_page(page, key, lambda p: [f.to_dict() for f in step(p, resources)])
        return [Finding.from_dict(data) for data in found]
    return cached
