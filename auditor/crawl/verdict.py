"""What the crawl could not read, said plainly: the site down, robots.txt, a site blocking
the auditor, a crawl cut short. Pages a blocking site refused are not broken links.
"""
from __future__ import annotations

from ..imaging import NOT_CHECKED, NOT_CHECKED_KIND
from ..snapshot import CrawlError, Snapshot
from .failure import Kind
from .tasks import Outcome

MIN_BLOCKED = 3               # a few refusals are the site's own 403s; many mean it refuses the auditor
ADVICE = "ask whoever runs the website to allow the auditor (its User-Agent starts with \u201cauditor/\u201d)"


class Verdict:
    def __init__(self, snapshot: Snapshot):
        self.snapshot = snapshot
        self.start: str | None = None
        self.site_pages = 0
        self.refused: list[str] = []        # same-site URLs answered as to an unwelcome robot
        self.refused_pages = 0
        self.start_blocked = False
        self.too_large: list[str] = []
        self.robots_kept_out: list[str] = []    # linked same-site pages robots.txt forbids
        self.unread: list[tuple[str, str]] = []      # pages read only in part, and why
        self.unchecked: list[tuple[str, str]] = []   # images that could not be analysed, and why

    def page(self, out: Outcome) -> None:
        if out.task.same_site:
            self.site_pages += 1
            if out.blocked:
                self.refused.append(out.task.url)
                self.refused_pages += 1
        if out.too_large:
            self.too_large.append(out.task.url)
        if out.page is not None and out.page.unread:
            self.unread.append((out.task.url, out.page.unread))
        if out.task.seed:
            self._seed(out)
        elif out.robots and out.task.same_site and out.robots.kind is Kind.ROBOTS:
            self.robots_kept_out.append(out.task.url)

    def resource(self, out: Outcome) -> None:
        if out.task.same_site and out.blocked:
            self.refused.append(out.task.url)
        if out.image is not None and NOT_CHECKED_KIND in out.image.facts:
            self.unchecked.append((out.task.url, str(out.image.facts[NOT_CHECKED])))

    def _seed(self, out: Outcome) -> None:
        url, start = out.task.url, out.task.seed == "start"
        what = f"The website\u2019s start page {url}" if start else f"The extra page {url}"
        link = out.link
        if out.robots:
            if out.robots.kind is Kind.ROBOTS_UNREADABLE:
                self._add(url, "down" if start else "error", f"{what} was not read: {out.robots.message}.")
            else:
                self._add(url, "robots", f"The site\u2019s robots.txt forbids the auditor from reading the {what[4:]}, "
                                         "so it was not audited.")
        elif out.blocked:
            self.start_blocked = self.start_blocked or start
            self._add(url, "blocked", f"The site blocks the auditor: the {what[4:]} refused it "
                                      f"({_problem(link)}), so {'the site' if start else 'it'} could not be "
                                      f"audited; {ADVICE}.", status=link.status if link else None)
        elif link is None or link.broken:
            problem = _problem(link)
            severe = start and (link is None or link.error is not None or (link.status or 0) >= 500)
            self._add(url, "down" if severe else "error", f"{what} could not be read ({problem})"
                      + (", so the site was not audited." if start else "."),
                      status=link.status if link else None)

    def finish(self, truncation: str | None) -> None:
        site_blocks = self.start_blocked or (
            self.refused_pages >= MIN_BLOCKED and self.refused_pages * 2 >= self.site_pages)
        if site_blocks:
            self._mark_refused()
            if not self.start_blocked:
                self._add(self.start or "", "blocked",
                          f"The site blocks the auditor: {self.refused_pages} of {self.site_pages} pages refused it, "
                          f"so they could not be audited (they are not reported as broken links); {ADVICE}.",
                          refused=self.refused_pages)
        if self.robots_kept_out:
            first, count = self.robots_kept_out[0], len(self.robots_kept_out)
            which = f"{first}" if count == 1 else f"{count} pages the site links to, such as {first}"
            self._add(first, "robots", f"The site\u2019s robots.txt forbids the auditor from reading {which}, "
                                       f"so {'it was' if count == 1 else 'they were'} not audited.",
                      linked=True, pages=self.robots_kept_out[:20])
        if self.too_large:
            first = self.too_large[0]
            more = f" and {len(self.too_large) - 1} more" if len(self.too_large) > 1 else ""
            self._add(first, "error", f"The page {first}{more} was too large to read (crawl.max_page_mb), "
                                      "so it was not audited.", pages=self.too_large[:20])
        self._partly_read()
        if truncation:
            self._add(self.start or "", "truncated", f"The audit was cut short: {truncation}.")

    def _partly_read(self) -> None:
        if self.unread:
            (first, why), more = self.unread[0], len(self.unread) - 1
            self._add(first, "error", f"The page {first}{f' and {more} more' if more else ''} could be read only in "
                                      f"part: {why}.", pages=[u for u, _ in self.unread[:20]])
        if self.unchecked:
            (first, why), more = self.unchecked[0], len(self.unchecked) - 1
            self._add(first, "unchecked", f"The image {first}{f' and {more} more' if more else ''} could not be "
                                          f"checked: {why}.", images=[{"url": u, "reason": r} for u, r in self.unchecked[:20]])

    def _mark_refused(self) -> None:
        for url in self.refused:
            if url in self.snapshot.links:
                self.snapshot.links[url].blocked = True
            if url in self.snapshot.images:
                self.snapshot.images[url].facts["blocked"] = True

    def _add(self, url: str, kind: str, message: str, **evidence) -> None:
        self.snapshot.errors.append(CrawlError(url=url, message=message, kind=kind, evidence=evidence))


def _problem(link) -> str:
    if link is None:
        return "an unexpected error"
    if link.error:
        return link.error
    return f"the server answered {link.status}" if link.status else "no answer"
