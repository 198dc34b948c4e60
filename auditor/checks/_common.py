"""Helpers shared by the content checks: URL exemptions and site-wide grouping."""
from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Iterable, Iterator
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
    """One problem seen on several pages (a footer, a header logo): reported once. Keeps what the
    finding shows (how many pages, the first few addresses), not every page: a footer problem is
    on every page of a 20,000-page site."""

    first: Any
    count: int = 0                                   # distinct pages
    sample: list[tuple[int, str]] = field(default_factory=list)   # (len, URL): the first pages, sorted
    last: str | None = None                          # the page whose items are being read

    def add(self, url: str) -> None:
        if url == self.last:
            return
        self.last = url
        key = (len(url), url)
        if key in self.sample:
            return
        self.count += 1
        if len(self.sample) < SAMPLE_PAGES or key < self.sample[-1]:
            bisect.insort(self.sample, key)
            del self.sample[SAMPLE_PAGES:]

    @property
    def url(self) -> str:
        """The shortest page URL, so the finding keeps one address from run to run."""
        return self.sample[0][1]

    def evidence(self) -> dict[str, Any]:
        return {"pages": [url for _, url in self.sample], "page_count": self.count}

    def where(self) -> str:
        return "on this page" if self.count == 1 else f"on {self.count} pages"


def group(items: Iterable[tuple[str, str, Any]]) -> dict[str, Seen]:
    """(key, page URL, payload) triples -> key -> Seen, keeping the payload of the page the finding
    will name (`Seen.url`), so its evidence describes that page whatever order pages came in.
    A page's items come together, as iterating the pages gives them: a page is counted once."""
    out: dict[str, Seen] = {}
    for key, url, payload in items:
        seen = out.get(key)
        if seen is None:
            seen = out[key] = Seen(payload)
        elif (len(url), url) < seen.sample[0]:
            seen.first = payload
        seen.add(url)
    return out


def photo_captions(snapshot) -> Iterator[tuple[str, str, list[str]]]:
    """(page or post URL, image URL, caption texts) for each published image whose metadata carries
    a caption, at the first place it is shown."""
    captioned = {url: info.facts["metadata_captions"] for url, info in snapshot.images.items()
                 if info.facts.get("metadata_captions")}
    if not captioned:
        return
    places = ((page.url, page.images) for page in snapshot.pages)
    posts = ((post.url, post.images) for post in [*snapshot.posts, *snapshot.older_posts])
    for where, uses in itertools.chain(places, posts):
        for use in uses:
            if use.src in captioned:
                yield where, use.src, captioned.pop(use.src)
