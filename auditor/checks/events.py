"""Past events still promoted: JSON-LD events and "Upcoming events" listings (policy 1.5)."""
from __future__ import annotations

import re
from datetime import date
from typing import Iterator

from ..findings import Finding
from ..snapshot import Page, Section
from ..text.dates import spoken, find_event_dates, parse_iso
from ._common import page_exempt

CODES = ("event.past",)

PROMOTING = re.compile(r"\b(?:upcoming|what['\u2019]?s\s+on|coming\s+(?:up|soon)|forthcoming|future\s+events?"
                       r"|dates?\s+for\s+(?:your|the)\s+diary|diary\s+dates|next\s+(?:events?|sessions?|meetings?)"
                       r"|events?(?:\s+calendar)?)\b", re.I)
LOOKING_BACK = re.compile(r"\b(?:past|previous|recent|earlier|archive[ds]?|report|review|gallery|photos"
                          r"|last\s+year|took\s+place|highlights|news)\b", re.I)


def check_page(page: Page, ctx) -> Iterator[Finding]:
    if page_exempt(page, ctx.config.freshness.exempt) or (page.status or 200) >= 400:
        return
    today = ctx.now.date()
    seen: set[str] = set()
    for finding in (*_jsonld_events(page, today), *_listed_events(page, today)):
        if finding.subject not in seen:
            seen.add(finding.subject)
            yield finding


def _jsonld_events(page: Page, today: date) -> Iterator[Finding]:
    for item in page.jsonld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith("Event") for k in kinds) or item.get("eventSchedule"):
            continue   # a repeating event's start is its first time, not its last
        end = _first_date(item.get("endDate")) or _first_date(item.get("startDate"))
        if end is None or end >= today:
            continue
        name = " ".join(str(item.get("name") or "An event").split())[:120]
        yield Finding("event.past", url=page.url, subject=f"{name} ({end.isoformat()})",
                      message=f"The event \u201c{name}\u201d is still on this page although it ended on {spoken(end)}.",
                      evidence={"event": name, "date": end.isoformat(), "source": "structured data (schema.org Event)",
                                "type": kinds[0]})


def _listed_events(page: Page, today: date) -> Iterator[Finding]:
    for section in page.sections:
        if not PROMOTING.search(section.heading) or LOOKING_BACK.search(section.heading):
            continue
        for match in find_event_dates(_own_text(section, page.sections), today):
            if match.date >= today:
                continue
            where = f"under \u201c{section.heading[:80]}\u201d"
            line = match.line[:160]
            yield Finding("event.past", url=page.url, subject=f"{line} ({match.date.isoformat()})",
                          message=f"\u201c{line}\u201d is still listed {where} although {spoken(match.date)} has passed.",
                          evidence={"event": line, "date": match.date.isoformat(), "written": match.text,
                                    "year_given": match.has_year, "heading": section.heading[:200],
                                    "source": "page text"})


def _own_text(section: Section, sections: list[Section]) -> str:
    """The section's text without any "Past events" sub-section inside it."""
    text = section.text
    for other in sections:
        if other is not section and other.level > section.level and LOOKING_BACK.search(other.heading) \
                and other.text and other.text in text:
            text = text.replace(other.text, "")
    return text


def _first_date(value) -> date | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    return parse_iso(value) if isinstance(value, str) else None

