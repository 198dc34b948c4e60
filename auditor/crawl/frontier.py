"""What the crawl may visit: the site's scope, exclusions, and the caps that bound crawl traps.

`crawl.exclude` patterns are fnmatch-style (`*`, `?`, `[...]`) and match the URL's path,
or its path with the query string: `/wp-admin/*`, `*/print/*`, `*?replytocom=*`.
"""
from __future__ import annotations

import re
from collections import Counter
from fnmatch import fnmatchcase
from urllib.parse import parse_qsl, urlsplit

DIGITS = re.compile(r"\d+")


def site_key(url: str) -> str:
    """Host and port, lower-case, without a leading `www.`: www.example.org and example.org are one site."""
    netloc = urlsplit(url).netloc.lower().rsplit("@", 1)[-1]
    return netloc[4:] if netloc.startswith("www.") else netloc


def path_pattern(url: str) -> str:
    """/calendar/2024/05?month=5 -> /calendar/N/N?month: pages that differ only by numbers or values."""
    parts = urlsplit(url)
    keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return DIGITS.sub("N", parts.path or "/") + ("?" + "&".join(keys) if keys else "")


class Scope:
    def __init__(self, website: str, exclude: tuple[str, ...] = ()):
        self.sites = {site_key(website)}
        self.exclude = tuple(exclude)

    def same_site(self, url: str) -> bool:
        return site_key(url) in self.sites

    def adopt(self, url: str) -> None:
        """The start page moved to another host (a new domain): that host is the site too."""
        self.sites.add(site_key(url))

    def excluded(self, url: str) -> bool:
        if not self.exclude:
            return False
        parts = urlsplit(url)
        candidates = (parts.path or "/", f"{parts.path or '/'}?{parts.query}" if parts.query else None)
        return any(fnmatchcase(c, p) for p in self.exclude for c in candidates if c)


class Frontier:
    """Admits each page URL once, within `max_pages` overall and `max_per_pattern` per path pattern."""

    def __init__(self, max_pages: int, max_per_pattern: int):
        self.max_pages, self.max_per_pattern = max_pages, max_per_pattern
        self.seen: set[str] = set()
        self.admitted = 0
        self.patterns: Counter[str] = Counter()
        self.hit_max = False
        self.capped: Counter[str] = Counter()     # pattern -> URLs left out
        self.over: set[str] = set()               # URLs left out by either limit

    def admit(self, url: str, forced: bool = False, declared: bool = False) -> bool:
        """`forced`: a page the config names. `declared`: listed in a sitemap, so not a trap
        (only `max_pages` bounds it)."""
        if url in self.seen:
            return False
        pattern = path_pattern(url)
        if not forced:
            if self.admitted >= self.max_pages:
                self.hit_max = True
                self.over.add(url)
                return False
            if not declared and self.patterns[pattern] >= self.max_per_pattern:
                self.capped[pattern] += 1
                self.over.add(url)
                return False
        self.seen.add(url)
        self.admitted += 1
        self.patterns[pattern] += 1
        return True

    def mark(self, url: str) -> None:
        """A URL reached another way (a redirect's target): never fetch it again."""
        self.seen.add(url)

    @property
    def left_out(self) -> int:
        """Pages linked or listed that a limit kept the crawl from reading."""
        return len(self.over)

    def truncation(self) -> str | None:
        """Why the crawl was cut short, plainly, or None."""
        reasons = []
        if self.hit_max:
            reasons.append(f"the crawl stopped at its limit of {self.max_pages} pages (crawl.max_pages)")
        if self.capped:
            top = ", ".join(p for p, _ in self.capped.most_common(3))
            reasons.append(f"only the first {self.max_per_pattern} pages shaped like {top} were read "
                           "(crawl.max_per_pattern)")
        return "; ".join(reasons) or None
