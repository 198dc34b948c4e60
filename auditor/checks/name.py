"""Scheme name: pages that do not name the scheme, and wrong forms of the name (policy 1.6)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..identity.names import NameMatcher
from ..snapshot import Page, Snapshot
from .logo import is_html_page
from .base import Check
from .resources import Resources

CODES = ("name.missing", "name.variant")
CONTEXT_CHARS = 60


def check_page(page: Page, ctx: Resources) -> Iterator[Finding]:
    if not is_html_page(page):
        return
    names = ctx.names
    if not any(names.identifies(text) for text in identifying_places(page)):
        yield Finding("name.missing", url=page.url,
                      message=f"This page does not name the scheme as \u201c{ctx.config.scheme.name}\u201d "
                              f"in its title, header, footer or main heading.",
                      evidence={"title": page.title[:200]})
    text = "\n".join(filter(None, (page.title, page.meta.get("og:site_name"), page.meta.get("og:title"),
                                   page.meta.get("description"), page.text)))
    yield from variant_findings(names, text, page.url, "website", ctx.config.scheme.name)


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    """Our own social posts (not replies) must spell the name right too."""
    names = ctx.names
    for post in snapshot.posts:
        yield from variant_findings(names, post.text, post.url, post.platform, ctx.config.scheme.name)


def identifying_places(page: Page) -> list[str]:
    headings = [text for level, text in page.headings if level == 1][:3]
    header_alts = [u.alt or "" for u in page.images if u.region == "header" and u.kind in ("img", "source")]
    return [page.title, page.meta.get("og:site_name", ""), page.regions.get("header", ""),
            page.regions.get("footer", ""), *headings, *header_alts]


def variant_findings(names: NameMatcher, text: str, url: str, channel: str, canonical: str) -> Iterator[Finding]:
    found = names.find(text or "")
    if not found:
        return
    snippets = list(dict.fromkeys(v.snippet for v in found))
    quoted = ", ".join(f"\u201c{s}\u201d" for s in snippets[:3]) + (" and others" if len(snippets) > 3 else "")
    corrections = list(dict.fromkeys(v.correct for v in found))
    where = "page" if channel == "website" else "post"
    yield Finding("name.variant", url=url,
                  message=f"The {where} writes the name as {quoted}; the correct form is \u201c{corrections[0]}\u201d.",
                  evidence={"snippets": snippets, "correct": corrections, "channel": channel,
                            "context": [_context(text, v.start, v.end) for v in found[:5]]})


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    return " ".join(f"\u2026{before}{text[start:end]}{after}\u2026".split())


CHECK = Check("name", __doc__, CODES, page=check_page, site=check, page_local=True)
