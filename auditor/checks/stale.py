"""Pages not updated for longer than freshness.stale_after_days (policy 1.5).

A page's age comes from the dates it shows about itself first ("Last updated …", "Posted on …",
the newest dated item it lists), then from its metadata, then the sitemap, then the server's
Last-Modified header: a build or deploy time says when a copy was made, not when the words were.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from ..findings import Finding
from ..snapshot import Page
from ..text.dates import DateMatch, find_copyright_notices, find_dates, leading_date, parse_iso, parse_moment, spoken
from ..text.scan import finditer_at, fold, positions
from ._common import page_exempt
from .base import Check
from .resources import Resources

CODES = ("content.stale",)

MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified",
                 "dc.date.modified", "last-modified", "revised", "modified")
PUBLISHED_META = ("article:published_time", "datepublished", "dcterms.created", "dcterms.issued",
                  "dc.date.issued", "dc.date", "dcterms.date", "date", "publish-date", "pubdate")
UPDATED_LABEL = re.compile(r"\b(?:last\s+)?(?:updated|reviewed|modified|revised|dated)\b(?:\s+on)?\s*[:\-–]?", re.I)
# Text that dates itself: "as we write this, in March 2011", "at the time of writing (May 2019)".
WRITING_LABEL = re.compile(r"(?:(?<=as we )|(?<=as i )|(?<=time of ))writ(?:e|ing)\b(?:\s+this)?[\s,:(]*(?:in\s+|on\s+)?",
                           re.I)
POSTED_LABEL = re.compile(r"\b(?:posted|published|first\s+published)\b(?:\s+(?:on|date))?\s*[:\-–]?", re.I)
# The words each label starts with: the labels are tried only where one is written.
STAMP_WORDS = re.compile(r"\b(?:updated|reviewed|modified|revised|dated|posted|published|copyright)\b|\u00a9", re.I)
DIGITS_AHEAD = re.compile(r"\d")
TITLE_WORDS = 16
ITEM_LABEL = re.compile(r"(?:date|when)s?\s*:", re.I)
ISO_DATE = re.compile(r"\s*(?:19|20)\d\d-\d\d-\d\d")
LABEL_WORDS = {UPDATED_LABEL: ("last", "updated", "reviewed", "modified", "revised", "dated"),
               POSTED_LABEL: ("posted", "published", "first"), WRITING_LABEL: ("writ",)}
DYNAMIC_SECONDS = 120
# Strongest first: what the page shows ("modified"/"published" labels, "listed" items), its
# metadata, the sitemap, the HTTP header. Only the strongest kind present is used.
SHOWN = ("modified", "published", "listed")
ORDER = (SHOWN, ("metadata",), ("sitemap",), ("http",))
# A page listing coming dates this far ahead is kept up to date.
AHEAD_DAYS = 730
# Dates on these pages are what the page is about, not when it was written.
HISTORY = re.compile(r"(?:history|historic|heritage|timeline|archives?|past\s+events|previous)", re.I)
REFERENCE = date(2000, 1, 1)     # items carry their year: nothing read from the page depends on today


@dataclass(frozen=True)
class Evidence:
    day: date
    tier: str
    source: str        # said to the CEO: where the date comes from
    quote: str = ""    # the text it was read from


def check_page(page: Page, ctx: Resources) -> Iterator[Finding]:
    fresh = ctx.config.freshness
    if not _is_html(page) or page_exempt(page, fresh.exempt):
        return
    today = ctx.now.date()
    # Finding the page's dates is the costly part, and needs no date: kept between audits. Only
    # reading the "Last updated …" lines needs today's date, so that is done afresh.
    kept = ctx.per_page(page, "stale.dates", lambda p: {
        "labelled": [list(found) for found in _labelled(p.text)],
        "other": [[e.day.isoformat(), e.tier, e.source, e.quote] for e in _undated_evidence(p)]})
    found = [*_visible_from(kept["labelled"], today),
             *(Evidence(date.fromisoformat(day), tier, source, quote) for day, tier, source, quote in kept["other"]),
             *http_evidence(page)]
    best = last_update(page, today, found)
    if best is None or (today - best.day).days <= fresh.stale_after_days:
        return
    age = _age(today - best.day)
    evidence = {"last_updated": best.day.isoformat(), "source": best.source, "tier": best.tier,
                "age_days": (today - best.day).days, "stale_after_days": fresh.stale_after_days}
    if best.quote:
        evidence["quote"] = best.quote
    yield Finding("content.stale", url=page.url,
                  message=f"This page was last updated on {spoken(best.day)} ({best.source}), {age} ago.",
                  evidence=evidence)


def last_update(page: Page, today: date, found: list[Evidence] | None = None) -> Evidence | None:
    """The page's last update from the strongest kind of evidence it carries (`found`, else read
    from the page); None without any. A coming date it lists means it is kept up to date."""
    found = evidence(page, today) if found is None else found
    ahead = [e for e in found if e.tier == "listed" and today < e.day <= today + timedelta(days=AHEAD_DAYS)]
    if ahead:
        return min(ahead, key=lambda e: e.day)
    found = [e for e in found if e.day <= today]
    for tiers in ORDER:
        candidates = [e for e in found if e.tier in tiers]
        if candidates:
            # the latest: a "Posted on" yesterday means the page changed yesterday
            return max(candidates, key=lambda e: (e.day, e.tier == "modified"))
    return None


def evidence(page: Page, today: date) -> list[Evidence]:
    return [*_visible(page.text, today), *_undated_evidence(page), *http_evidence(page)]


def written_dates(page: Page) -> list[date]:
    """When the page says it was written or last updated: its labels and metadata, not its items."""
    return [e.day for e in (*_visible(page.text, REFERENCE), *_meta(page), *_jsonld(page))]


def _undated_evidence(page: Page) -> list[Evidence]:
    """Dated items, metadata, structured data, htmldate and the sitemap: read without today's date."""
    out = [*_listed(page), *_meta(page), *_jsonld(page), *_htmldate(page)]
    sitemap = parse_iso(page.sitemap_lastmod)
    if sitemap:
        out.append(Evidence(sitemap, "sitemap", "the sitemap's lastmod date"))
    return out


def _listed(page: Page) -> Iterator[Evidence]:
    """Lines that start with a full date ("JANUARY 2021: changes to our opening hours", a news
    item's "24 June 2026", an event's "Sat 18 May 2024 – plant sale") and dated <time> elements:
    the newest says when the page last had something new. Not on history pages."""
    if HISTORY.search(page.title) or any(HISTORY.search(h) for level, h in page.headings if level <= 1):
        return
    for line in (page.text or "").splitlines():
        # a date leads with its digits: "3 May 2024", "Saturday 3 May", "JANUARY 2021:"
        if not line[:1].isalnum() or STAMP_WORDS.search(line, 0, 40) or not (
                DIGITS_AHEAD.search(line, 0, 20) or line.endswith(")") or ITEM_LABEL.match(line)):
            continue
        found = leading_date(line, REFERENCE) or _trailing_date(line) or _labelled_item(line)
        if found:
            yield Evidence(found.date, "listed", f"the date shown on the page: \u201c{_quote(line)}\u201d",
                           _quote(line))
    for item in page.times:
        # what the reader sees comes first; the machine-readable value when the text is no full date
        shown = leading_date(item.get("text") or "", REFERENCE)
        day = shown.date if shown else \
            parse_iso(item.get("datetime")) if ISO_DATE.match(item.get("datetime") or "") else None
        if day and item.get("text"):
            yield Evidence(day, "listed", f"the date shown on the page: \u201c{_quote(item['text'])}\u201d",
                           _quote(item["text"]))


def _labelled_item(line: str) -> DateMatch | None:
    """An item's "Date: 1300 GMT, Wednesday 30 January 2019" line."""
    if not ITEM_LABEL.match(line):
        return None
    found = [d for d in find_dates(line, REFERENCE) if d.has_year]
    return max(found, key=lambda d: d.date) if found else None


def _trailing_date(line: str) -> DateMatch | None:
    """A listing line ending with its item's date in brackets: "Welcome to our new site (Jun 12, 2018)"."""
    if len(line.split()) > TITLE_WORDS:
        return None
    found = [d for d in find_dates(line[line.rfind("(") + 1:], REFERENCE) if d.has_year] if "(" in line else []
    return found[-1] if found and line.rstrip(") ").endswith(found[-1].text) else None


def http_evidence(page: Page) -> list[Evidence]:
    """The Last-Modified header, judged against when the page was fetched: read afresh every audit."""
    http = _http_last_modified(page)
    return [Evidence(http, "http", "the server's Last-Modified header")] if http else []


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 100 else text[:99].rstrip() + "\u2026"


def _is_html(page: Page) -> bool:
    html = not page.content_type or "html" in page.content_type.lower()
    return html and (page.status or 200) < 400


def _visible(text: str, today: date) -> Iterator[Evidence]:
    return _visible_from(_labelled(text), today)


def _labelled(text: str) -> Iterator[tuple[str, str, str]]:
    """(tier, label as written, the text after it) for each "Last updated" or "Posted on" label,
    and each "as we write this, in …"."""
    text = text or ""
    folded = fold(text)
    for label, tier in ((UPDATED_LABEL, "modified"), (POSTED_LABEL, "published"), (WRITING_LABEL, "modified")):
        found = (label.finditer(text) if folded is None
                 else finditer_at(label, text, positions(folded, LABEL_WORDS[label])))
        for match in found:
            start = match.start()
            if label is WRITING_LABEL:      # say it as written: "as we write this, in"
                start = text.rfind(" ", 0, text.rfind(" ", 0, start - 1)) + 1
            words = " ".join(text[start:match.end()].split()).rstrip(":-–,( ")
            yield tier, words, text[match.end():match.end() + 60]


def _visible_from(labelled, today: date) -> Iterator[Evidence]:
    for tier, words, after in labelled:
        found = leading_date(after, today)
        if found is None and after[:4].lower() == "the ":       # "updated on the 10th September 2019"
            found = leading_date(after[4:], today)
            words = f"{words} the" if found else words
        if found:
            yield Evidence(found.date, tier, f"the \u201c{words} {found.text}\u201d line on the page",
                           f"{words} {found.text}")


def _meta(page: Page) -> Iterator[Evidence]:
    for name in (*MODIFIED_META, *PUBLISHED_META):
        day = parse_iso(page.meta.get(name))
        if day:
            yield Evidence(day, "metadata", f"the page's {name} metadata")


def _jsonld(page: Page) -> Iterator[Evidence]:
    for item in page.jsonld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if any(isinstance(k, str) and k.endswith("Event") for k in kinds):
            continue
        for key in ("dateModified", "datePublished"):
            value = item.get(key)
            day = parse_iso(value) if isinstance(value, str) else None
            if day:
                yield Evidence(day, "metadata", f"the page's structured data ({key})")


def _htmldate(page: Page) -> Iterator[Evidence]:
    # htmldate reads "© 2019" as 1 January 2019 in some layouts: never take that for an update.
    published = page.dates.get("published")
    for key in ("modified", "published"):
        day = parse_iso(page.dates.get(key))
        if day is None or (day.month == 1 and day.day == 1
                           and day.year in {n.year for n in find_copyright_notices(page.text)}):
            continue
        modified = key == "modified" and page.dates.get(key) != published
        yield Evidence(day, "metadata", f"the page's {'update' if modified else 'publication'} date")


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
