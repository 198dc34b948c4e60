"""What an audit saw against what it could have seen, and so what its verdict may promise.

A run is complete when everything the audit could reach was read and checked; incomplete when
part was not (a limit, a stop, pages built by script that could not be rendered, images that
could not be analysed, a site that often failed to answer, only some checks run); failed when
the site could not be read at all. Only what a run read again can be called resolved.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from .findings import CODES
from .snapshot import CrawlError, Snapshot

COMPLETE, INCOMPLETE, FAILED = "complete", "incomplete", "failed"
# Crawl errors that mean part of the site was not read. What robots.txt keeps out is the site's own
# choice, said as a finding: it makes the audit partial only when it keeps out the whole site.
PARTIAL_KINDS = ("down", "blocked", "truncated", "unrendered", "unchecked", "error", "capped", "offline")
UNREADABLE_KINDS = ("down", "blocked", "robots", "error")
FAILED_SHARE = 0.2          # of the site's requests: more failing than this is a site that did not answer
MIN_FAILED = 3
MAX_LISTED = 20


HEADLINE_REASONS = {
    "stopped": "it was stopped before it finished",
    "truncated": "the website is larger than the audit's page limit",
    "unrendered": "pages built by script could not be read",
    "unchecked": "some images could not be checked",
    "failing": "the website often did not answer",
    "blocked": "the website refused the auditor",
    "only": "only some checks ran",
    "capped": "the audit reached one of its limits",
    "offline": "links to other websites could not be checked from this computer",
}


@dataclass
class Reason:
    kind: str                # a CrawlError kind, or: stopped | only | failing
    text: str                # one plain sentence for the CEO


@dataclass
class Coverage:
    state: str = COMPLETE
    reasons: list[Reason] = field(default_factory=list)
    pages_read: int = 0
    pages_known: int = 0     # read, or linked or listed in a sitemap and not read
    requests: int = 0        # to the site itself
    failed_requests: int = 0
    checks: tuple[str, ...] = ()   # the checks that ran, when not all did (--only, or one failed)
    codes: tuple[str, ...] = ()    # and the finding codes they check: only those can be resolved
    unreached: tuple[str, ...] = ()   # other websites (host:port) this computer could not reach: not checked
    read_urls: set[str] = field(default_factory=set)    # pages, posts and accounts read in this run

    @property
    def as_asked(self) -> bool:
        """Everything was read and every check asked for ran: partial only by `--only`."""
        return self.state == INCOMPLETE and {r.kind for r in self.reasons} == {"only"}

    @property
    def headline(self) -> str | None:
        """The report's headline for a run that did not see everything (None for a complete run)."""
        if self.state == FAILED:
            return "The audit could not read the website"
        if self.state != INCOMPLETE:
            return None
        kinds = list(dict.fromkeys(r.kind for r in self.reasons))
        if kinds == ["only"]:
            return f"Partial audit: only these checks ran: {', '.join(self.checks)}"
        if not kinds:
            return "Incomplete audit"
        others = len(kinds) - 1
        more = f" (and {others} other reason{'s' if others > 1 else ''})" if others else ""
        return f"Incomplete audit: {HEADLINE_REASONS.get(kinds[0], 'part of the website was not read')}{more}"

    @property
    def advice(self) -> str:
        """What to do, for a run that did not see everything."""
        if self.state == FAILED:
            return ("Nothing was checked, so nothing in this report is resolved. Check that the website opens in "
                    "a browser and that the address in the auditor's settings (scheme.website) is right; the "
                    "next daily check tries again.")
        if self.state == INCOMPLETE:
            return ("Findings on what was not read are not resolved: they are kept as not checked this time. "
                    "The next daily check runs the audit again.")
        return ""

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("read_urls")
        data["checks"], data["codes"], data["unreached"] = list(self.checks), list(self.codes), list(self.unreached)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Coverage":
        return cls(state=data.get("state", COMPLETE), reasons=[Reason(**r) for r in data.get("reasons", [])],
                   pages_read=data.get("pages_read", 0), pages_known=data.get("pages_known", 0),
                   requests=data.get("requests", 0), failed_requests=data.get("failed_requests", 0),
                   checks=tuple(data.get("checks", ())), codes=tuple(data.get("codes", ())),
                   unreached=tuple(data.get("unreached", ())))


def assess(snapshot: Snapshot, only: Iterable[tuple[str, Iterable[str]]] | None = None,
           failed: Iterable[str] = (), stopped: bool = False) -> Coverage:
    """The coverage of an audit that went to its end (or was stopped), from what it collected.
    `only`: (name, codes) of the checks that ran, when not every check was asked for;
    `failed`: codes of checks that crashed (what they found before is not resolved either)."""
    pages = snapshot.pages
    ran = list(only) if only is not None else []
    codes = {code for _, codes in ran for code in codes} if only is not None else set(CODES)
    restricted = only is not None or bool(set(failed))
    cov = Coverage(pages_read=len(pages), checks=tuple(name for name, _ in ran),
                   codes=tuple(sorted(codes - set(failed))) if restricted else ())
    cov.requests, cov.failed_requests = _site_requests(snapshot)
    cov.pages_known = cov.pages_read + int(snapshot.stats.get("pages_left_out", 0)) + _pages_unread(snapshot)
    cov.read_urls = {p.url for p in pages} | {p.final_url for p in pages if p.final_url} \
        | {p.url for p in snapshot.posts} | {a.profile_url for a in snapshot.accounts if a.error is None}
    if stopped:
        cov.reasons.append(Reason("stopped", "The audit was stopped before it finished."))
    for error in _partial(snapshot.errors):
        cov.reasons.append(Reason(error.kind, error.message))
        if error.kind == "offline":
            cov.unreached = tuple(error.evidence.get("hosts", ()))
    if cov.failed_requests >= MIN_FAILED and cov.failed_requests > FAILED_SHARE * cov.requests:
        cov.reasons.append(Reason("failing", f"The website did not answer {cov.failed_requests} of the audit\u2019s "
                                             f"{cov.requests} requests (timeouts or server errors), so part of it "
                                             "was not read."))
    if only is not None:
        cov.reasons.append(Reason("only", f"Only these checks ran: {', '.join(cov.checks) or 'none'}."))
    if cov.pages_read == 0 and not stopped:
        why = [Reason(e.kind, e.message) for e in snapshot.errors if e.kind in UNREADABLE_KINDS]
        if snapshot.posts:    # the social accounts were read: an audit of part
            why.append(Reason("down", "No page of the website could be read; only the social accounts were."))
        why = why or [Reason("down", "No page of the website could be read.")]
        cov.reasons = why + [r for r in cov.reasons if r not in why]
    if cov.pages_read == 0 and not snapshot.posts and not stopped:
        cov.state = FAILED
    elif cov.reasons or not snapshot.complete:
        cov.state = INCOMPLETE
    return cov


def _partial(errors: list[CrawlError]) -> list[CrawlError]:
    return [e for e in errors if e.kind in PARTIAL_KINDS and not e.evidence.get("linked")]


def _site_requests(snapshot: Snapshot) -> tuple[int, int]:
    """(requests to the site, those that got no usable answer: timeouts, refusals, server errors)."""
    total = failed = 0
    for status in snapshot.links.values():
        if status.external or status.blocked:
            continue
        total += 1
        failed += status.error is not None and status.status is None or (status.status or 0) >= 500
    return total, failed


def _pages_unread(snapshot: Snapshot) -> int:
    """Same-site addresses the crawl tried and could not read as pages (errors, refusals)."""
    read = {p.url for p in snapshot.pages}
    return sum(1 for url, s in snapshot.links.items()
               if not s.external and url not in read and (s.error is not None or (s.status or 0) >= 500))
