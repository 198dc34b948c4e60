"""Pages not updated for longer than freshness.stale_after_days (policy 1.5)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from ..findings import Finding
from ..snapshot import Page
from ..text.dates import find_copyright_notices, leading_date, parse_iso, parse_moment, spoken
from ..text.scan import finditer_at, fold, positions
from ._common import page_exempt
from .base import Check
from .resources import Resources

CODES = ("content.stale",)

MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                 "dc.date.modified", "last-modified", "revised", "modified")
PUBLISHED_META = ("article:published_time", "datepublished", "dcterms.created", "dcterms.issued",
                  "dc.date.issued", "dc.date", "dcterms.date", "date", "publish-date", "pubdate")
UPDATED_LABEL = re.compile(r"\b(?:last\s+)?(?:updated|reviewed|modified|revised)\b(?:\s+on)?\s*[:\-–]?", re.I)
POSTED_LABEL = re.compile(r"\b(?:posted|published|first\s+published)\b(?:\s+on)?\s*[:\-–]?", re.I)
# The words each label starts with: the labels are tried only where one is written.
LABEL_WORDS = {UPDATED_LABEL: ("last", "updated", "reviewed", "modified", "revised"),
               POSTED_LABEL: ("posted", "published", "first")}
DYNAMIC_SECONDS = 120
# The page's own dates (visible lines, metadata) are the strongest evidence, then the
# sitemap, then the HTTP header. A published date only says the page is at least that old,
# so later evidence from the weaker sources may move it forward.
PAGE_OWN = ("modified", "published")


@dataclass(frozen=True)
class Evidence:
    day: date
    tier: str
    source: str        # said to the CEO: where the date comes from


def check_page(page: Page, ctx: Resources) -> Iterator[Finding]:
    fresh = ctx.config.freshness
    if not _is_html(page) or page_exempt(page, fresh.exempt):
        return
    today = ctx.now.date()
    # Finding the page's dates is the costly part, and needs no date: kept between audits. Only
    # reading the "Last updated …" lines needs today's date, so that is done afresh.
    kept = ctx.per_page(page, "stale.dates", lambda p: {
        "labelled": [list(found) for found in _labelled(p.text)],
        "other": [[e.day.isoformat(), e.tier, e.source] for e in _undated_evidence(p)]})
    found = [*_visible_from(kept["labelled"], today),
             *(Evidence(date.fromisoformat(day), tier, source) for day, tier, source in kept["other"]),
             *http_evidence(page)]
    best = last_update(page, today, found)
    if best is None or (ctx.now.date() - best.day).days <= fresh.stale_after_days:
        return
    age = _age(ctx.now.date() - best.day)
    yield Finding("content.stale", url=page.url,
                  message=f"This page was last updated on {spoken(best.day)} ({best.source}), {age} ago.",
                  evidence={"last_updated": best.day.isoformat(), "source": best.source, "tier": best.tier,
                            "age_days": (ctx.now.date() - best.day).days,
                            "stale_after_days": fresh.stale_after_days})


def last_update(page: Page, today: date, found: list[Evidence] | None = None) -> Evidence | None:
    """The page's last update from the strongest evidence it carries (`found`, else read from
    the page); None without any."""
    found = [e for e in (evidence(page, today) if found is None else found) if e.day <= today]
    own = [e for e in found if e.tier in PAGE_OWN]
    if own:
        # the latest of the page's own dates: a "Posted on" yesterday means the page changed yesterday
        best = max(own, key=lambda e: (e.day, e.tier == "modified"))
        if best.tier == "published":
            best = max([best, *(e for e in found if e.tier not in PAGE_OWN)], key=lambda e: e.day)
        return best
    for tier in ("sitemap", "http"):
        candidates = [e for e in found if e.tier == tier]
        if candidates:
            return max(candidates, key=lambda e: e.day)
    return None


def evidence(page: Page, today: date) -> list[Evidence]:
    return [*_visible(page.text, today), *_undated_evidence(page), *http_evidence(page)]


def _undated_evidence(page: Page) -> list[Evidence]:
    """Metadata, structured data, htmldate and the sitemap: read without today's date."""
    out = [*_meta(page), *_jsonld(page), *_htmldate(page)]
    sitemap = parse_iso(page.sitemap_lastmod)
    if sitemap:
        out.append(Evidence(sitemap, "sitemap", "the sitemap's lastmod date"))
    return out


def http_evidence(page: Page) -> list[Evidence]:
    """The Last-Modified header, judged against when the page was fetched: read afresh every audit."""
    http = _http_last_modified(page)
    return [Evidence(http, "http", "the server's Last-Modified header")] if http else []


def _is_html(page: Page) -> bool:
    html = not page.content_type or "html" in page.content_type.lower()
    return html and (page.status or 200) < 400


def _visible(text: str, today: date) -> Iterator[Evidence]:
    return _visible_from(_labelled(text), today)


def _labelled(text: str) -> Iterator[tuple[str, str, str]]:
    """(tier, label as written, the text after it) for each "Last updated" or "Posted on" label."""
    text = text or ""
    folded = fold(text)
    for label, tier in ((UPDATED_LABEL, "modified"), (POSTED_LABEL, "published")):
        found = (label.finditer(text) if folded is None
                 else finditer_at(label, text, positions(folded, LABEL_WORDS[label])))
        for match in found:
            words = " ".join(match.group().split()).rstrip(":-– ")
            yield tier, words, text[match.end():match.end() + 60]


def _visible_from(labelled, today: date) -> Iterator[Evidence]:
    for tier, words, after in labelled:
        found = leading_date(after, today)
        if found:
            yield Evidence(found.date, tier, f"the \u201c{words} {found.text}\u201d line on the page")


def _meta(page: Page) -> Iterator[Evidence]:
    for names, tier in ((MODIFIED_META, "modified"), (PUBLISHED_META, "published")):
        for name in names:
            day = parse_iso(page.meta.get(name))
            if day:
                yield Evidence(day, tier, f"the page's {name} metadata")


def _jsonld(page: Page) -> Iterator[Evidence]:
    for item in page.jsonld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.endswith("Event") for k in kinds):
            continue
        for key, tier in (("dateModified", "modified"), ("datePublished", "published")):
            value = item.get(key)
            day = parse_iso(value) if isinstance(value, str) else None
            if day:
                yield Evidence(day, tier, f"the page's structured data ({key})")


def _htmldate(page: Page) -> Iterator[Evidence]:
    # htmldate reads "© 2019" as 1 January 2019 in some layouts: never take that for an update.
    published = page.dates.get("published")
    for key in ("modified", "published"):
        day = parse_iso(page.dates.get(key))
        if day is None or (day.month == 1 and day.day == 1
                           and day.year in {n.year for n in find_copyright_notices(page.text)}):
            continue
        tier = "modified" if key == "modified" and page.dates.get(key) != published else "published"
        yield Evidence(day, tier, f"the page's {'update' if tier == 'modified' else 'publication'} date")


def _http_last_modified(page: Page) -> date | None:
    """Many servers send Last-Modified = now for every page: that says nothing."""
    stamp = parse_moment(page.headers.get("last-modified"))
    if stamp is None:
        return None
    for other in (parse_moment(page.headers.get("date")), parse_moment(page.fetched_at)):
        if other and abs((other - stamp).total_seconds()) <= DYNAMIC_SECONDS:
            return None
    return stamp.date()



def _age(delta: timedelta) -> str:
    years, months = delta.days // 365, delta.days // 30
    if years >= 2:
        return f"over {years} years"
    return "over a year" if years == 1 else f"about {months} months"


CHECK = Check("stale", __doc__, CODES, page=check_page)
