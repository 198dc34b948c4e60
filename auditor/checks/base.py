"""What a check is: a name, the finding codes it may emit, and its steps.

A check module ends with one `CHECK = Check(...)`; `checks.REGISTRY` lists them in the order
they run. The steps receive the run's `Resources` (checks/resources.py):
  page(page, resources)      findings for one page, as pages arrive during the crawl;
  site(snapshot, resources)  findings that need the whole snapshot, after the crawl.
`page_local` says the page step reads only the page and the configuration, so its findings
are kept between audits (the check cache) and an unchanged page is not checked again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable

from ..findings import CODES, Finding
from ..snapshot import Page, Snapshot

if TYPE_CHECKING:
    from .resources import Resources

PageStep = Callable[[Page, "Resources"], Iterable[Finding]]
SiteStep = Callable[[Snapshot, "Resources"], Iterable[Finding]]


class CheckProblem(Exception):
    """A check could not do all its work for a reason the user can fix (bad reference data, such
    as a consent register row): a failure like any other, but said in one line, without a traceback."""


@dataclass(frozen=True)
class Check:
    name: str
    doc: str                     # the module's docstring: its first line is what `auditor checks` prints
    codes: tuple[str, ...]       # every code it may emit, each in findings.CODES
    page: PageStep | None = None
    site: SiteStep | None = None
    page_local: bool = False

    def __post_init__(self) -> None:
        unknown = [code for code in self.codes if code not in CODES]
        if unknown:
            raise ValueError(f"check {self.name}: unknown codes {unknown}")
        if self.page is None and self.site is None:
            raise ValueError(f"check {self.name} has no step")
        if self.page_local and self.page is None:
            raise ValueError(f"check {self.name} is page_local without a page step")

    @property
    def summary(self) -> str:
        lines = self.doc.strip().splitlines()
        return lines[0] if lines else ""

    def clause(self, code: str) -> str:
        """The policy clause a code of this check reports against."""
        return CODES[code][0]
