"""Caps on what one page, and one audit, can make the auditor do.

A page with 20,000 external links or 20,000 images, a site answering every request with a
long Retry-After, or simply a huge site would otherwise keep an audit going for days.
Each cap that cuts the audit short makes it incomplete and says which cap and where.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from ..snapshot import CrawlError, Snapshot

KIND = "capped"


class Cutoff(threading.Event):
    """The run's stop signal and the audit-wide deadline as one event: set once either is."""

    def __init__(self, stop: threading.Event, seconds: float, hours: float | None = None):
        super().__init__()
        self.stop, self.at = stop, time.monotonic() + seconds
        self.hours = hours if hours is not None else seconds / 3600

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def is_set(self) -> bool:
        return self.stop.is_set() or self.expired()

    def set(self) -> None:
        self.stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        left = self.at - time.monotonic()
        self.stop.wait(max(0.0, left if timeout is None else min(timeout, left)))
        return self.is_set()

    def error(self, website: str) -> CrawlError | None:
        """What the deadline cut, when it did (and not a stop signal)."""
        if self.stop.is_set() or not self.expired():
            return None
        return CrawlError(website, f"The audit reached its time limit of {self.hours:g} hours (crawl.max_hours) "
                                   "before it had read everything, so what was still waiting was not checked.",
                          kind=KIND, evidence={"cap": "crawl.max_hours"})


@dataclass
class PageCap:
    """At most `per_page` new requests of one kind for one page, `per_audit` in all."""

    what: str                       # "external links" | "images"
    key_page: str                   # its config keys
    key_audit: str
    per_page: int
    per_audit: int
    used: int = 0
    page_skips: Counter[str] = field(default_factory=Counter)    # page -> requests left out
    audit_skips: int = 0
    audit_first: str = ""          # the first page whose requests the audit-wide cap left out

    def take(self, page: str, used_here: int) -> bool:
        """May the page make one more request, having made `used_here` already?"""
        if used_here >= self.per_page:
            self.page_skips[page] += 1
            return False
        if self.used >= self.per_audit:
            self.audit_skips += 1
            self.audit_first = self.audit_first or page
            return False
        self.used += 1
        return True

    def errors(self) -> list[CrawlError]:
        out = []
        if self.page_skips:
            first, skipped = self.page_skips.most_common(1)[0]
            pages = len(self.page_skips)
            where = f"the page {first}" if pages == 1 else f"{pages} pages, such as {first}"
            out.append(CrawlError(first, f"Only the first {self.per_page} {self.what} on {where} were checked "
                                         f"({self.key_page}); {sum(self.page_skips.values())} more were not.",
                                  kind=KIND, evidence={"cap": self.key_page, "pages": list(self.page_skips)[:20],
                                                       "skipped": sum(self.page_skips.values()), "most": skipped}))
        if self.audit_skips:
            out.append(CrawlError(self.audit_first, f"The audit checked its limit of {self.per_audit} {self.what} "
                                                    f"({self.key_audit}); {self.audit_skips} more, from "
                                                    f"{self.audit_first} on, were not checked.",
                                  kind=KIND, evidence={"cap": self.key_audit, "skipped": self.audit_skips}))
        return out


def page_caps(crawl) -> tuple[PageCap, PageCap]:
    """(external links, images) caps from the [crawl] config."""
    return (PageCap("external links", "crawl.max_external_links_per_page", "crawl.max_external_links",
                    crawl.max_external_links_per_page, crawl.max_external_links),
            PageCap("images", "crawl.max_images_per_page", "crawl.max_images",
                    crawl.max_images_per_page, crawl.max_images))


def record(snapshot: Snapshot, errors: list[CrawlError]) -> None:
    """Cut short by a cap: the audit is incomplete, and says why."""
    if errors:
        snapshot.errors.extend(errors)
        snapshot.complete = False


def retry_errors(retry_capped: dict[str, list[str]], allowance: float) -> list[CrawlError]:
    """Hosts whose Retry-After answers used up their allowance of waiting: what was not retried."""
    return [CrawlError(urls[0], f"The server {host} asked the auditor to wait (Retry-After) more than the "
                                f"{allowance:g} s it allows a server (crawl.max_retry_wait_seconds), so "
                                f"{len(urls)} request{'s' if len(urls) > 1 else ''}, such as {urls[0]}, "
                                "were not retried.",
                       kind=KIND, evidence={"cap": "crawl.max_retry_wait_seconds", "host": host,
                                            "urls": urls[:20], "count": len(urls)})
            for host, urls in retry_capped.items()]
