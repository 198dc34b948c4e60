"""Helpers shared by the content checks: URL exemptions and site-wide grouping."""
from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Iterable
from urllib.parse import urlsplit

SAMPLE_PAGES = 10


def is_exempt(url: str, patterns: Iterable[str]) -> bool:
    """`freshness.exempt` patterns: "/news/*" matches the path (and query), "https://…/*" the
    whole URL; "*" matches anything, "/" included."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    for pattern in patterns:
        target = path if pattern.startswith("/") else url
        if fnmatchcase(target, pattern) or fnmatchcase(target.rstrip("/"), pattern.rstrip("/")):
            return True
    return False


def page_exempt(page, patterns: Iterable[str]) -> bool:
    """The page, as requested or after redirects, matches one of `patterns`."""
    return any(is_exempt(url, patterns) for url in {page.url, page.final_url or page.url})


@dataclass
class Seen:
    """One problem seen on several pages (a footer, a header logo): reported once."""

    first: Any
    pages: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The shortest page URL, so the finding keeps one address from run to run."""
        return min(self.pages, key=lambda u: (len(u), u))

    def evidence(self) -> dict[str, Any]:
        pages = sorted(set(self.pages), key=lambda u: (len(u), u))
        return {"pages": pages[:SAMPLE_PAGES], "page_count": len(pages)}

    def where(self) -> str:
        count = len(set(self.pages))
        return "on this page" if count == 1 else f"on {count} pages"


def group(items: Iterable[tuple[str, str, Any]]) -> dict[str, Seen]:
    """(key, page URL, payload) triples -> key -> Seen, keeping the payload of the page the finding
    will name (`Seen.url`), so its evidence describes that page whatever order pages came in."""
    out: dict[str, Seen] = {}
    listed: set[tuple[str, str]] = set()     # (key, URL): a footer on 20,000 pages stays linear
    kept: dict[str, tuple[int, str]] = {}
    for key, url, payload in items:
        seen = out.setdefault(key, Seen(payload))
        if (key, url) not in listed:
            listed.add((key, url))
            seen.pages.append(url)
        if key not in kept or (len(url), url) < kept[key]:
            kept[key], seen.first = (len(url), url), payload
    return out
