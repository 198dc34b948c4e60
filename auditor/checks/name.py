"""Scheme name: pages that do not name the scheme, and wrong forms of the name (policy 1.6)."""
from __future__ import annotations

from typing import Iterator

from ..findings import Finding
from ..identity.names import NameMatcher
from ..snapshot import Page, Snapshot
from ._common import photo_captions
from .logo import is_html_page
from .base import Check
from .resources import Resources

CODES = ("name.missing", "name.variant")
CONTEXT_CHARS = 60
# Where on a page a wrong form was written, in the report's words.
PLACES = {"title": "the page title", "description": "the page description", "text": "the page text",
          "alt text": "an image's alt text", "title attribute": "a tooltip (title attribute)",
          "aria-label": "a label read out by screen readers (aria-label)", "figure caption": "a figure caption"}


def check_page(page: Page, ctx: Resources) -> Iterator[Finding]:
    if not is_html_page(page):
        return
    names = ctx.names
    if not any(names.identifies(text) for text in identifying_places(page)):
        yield Finding("name.missing", url=page.url,
                      message=f"This page does not name the scheme as \u201c{ctx.config.scheme.name}\u201d "
                              f"in its title, header, footer or main heading.",
                      evidence={"title": page.title[:200]})
    yield from variant_findings(names, page_places(page), page.url, "website", ctx.config.scheme.name)


def page_places(page: Page) -> list[tuple[str, str]]:
    """(place, text) for every text of the page a visitor meets, the words outside the body included."""
    described = (page.meta.get("og:site_name"), page.meta.get("og:title"), page.meta.get("description"))
    return [("title", page.title), ("description", "\n".join(filter(None, described))), ("text", page.text),
            *((place, "\n".join(texts)) for place, texts in page.texts_outside.items())]


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    """Our own social posts (not replies) must spell the name right too."""
    names = ctx.names
    for post in snapshot.posts:
        yield from variant_findings(names, [("text", post.text)], post.url, post.platform, ctx.config.scheme.name)
    for where, src, captions in photo_captions(snapshot):
        yield from caption_findings(names, captions, where, src)


def caption_findings(names: NameMatcher, captions: list[str], where: str, src: str) -> Iterator[Finding]:
    """A wrong form in a photo's embedded caption. No context is quoted: the caption may name a family."""
    found = [v for text in captions for v in names.find(text)]
    if not found:
        return
    snippets = list(dict.fromkeys(v.snippet for v in found))
    correct = list(dict.fromkeys(v.correct for v in found))
    quoted = ", ".join(f"\u201c{s}\u201d" for s in snippets[:3])
    yield Finding("name.variant", url=where, subject=src,
                  message=f"A photo's hidden caption (in its metadata) writes the name as {quoted}; the correct "
                          f"form is \u201c{correct[0]}\u201d.",
                  evidence={"snippets": snippets, "correct": correct, "channel": "website", "places": ["photo caption"]})


def identifying_places(page: Page) -> list[str]:
    headings = [text for level, text in page.headings if level == 1][:3]
    header_alts = [u.alt or "" for u in page.images if u.region == "header" and u.kind in ("img", "source")]
    return [page.title, page.meta.get("og:site_name", ""), page.regions.get("header", ""),
            page.regions.get("footer", ""), *headings, *header_alts]


def variant_findings(names: NameMatcher, places: list[tuple[str, str]], url: str, channel: str,
                     canonical: str) -> Iterator[Finding]:
    """One finding for the page or post, saying where each wrong form was written."""
    found = [(place, text, v) for place, text in places if text for v in names.find(text)]
    if not found:
        return
    snippets = list(dict.fromkeys(v.snippet for _, _, v in found))
    quoted = ", ".join(f"\u201c{s}\u201d" for s in snippets[:3]) + (" and others" if len(snippets) > 3 else "")
    corrections = list(dict.fromkeys(v.correct for _, _, v in found))
    where = "page" if channel == "website" else "post"
    seen_in = list(dict.fromkeys(place for place, _, _ in found))
    # Outside the body text it is said where, or the CEO could not find it.
    hidden = [PLACES.get(p, p) for p in seen_in if p != "text"]
    also = f" (in {_and(hidden)})" if hidden else ""
    yield Finding("name.variant", url=url,
                  message=f"The {where} writes the name as {quoted}{also}; the correct form is "
                          f"\u201c{corrections[0]}\u201d.",
                  evidence={"snippets": snippets, "correct": corrections, "channel": channel, "places": seen_in,
                            "context": [_context(text, v.start, v.end) for _, text, v in found[:5]]})


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _context(text: str, start: int, end: int) -> str:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    return " ".join(f"\u2026{before}{text[start:end]}{after}\u2026".split())


CHECK = Check("name", __doc__, CODES, page=check_page, site=check, page_local=True)
