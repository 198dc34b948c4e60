"""Past events still promoted: JSON-LD events and "Upcoming events" listings (policy 1.5)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterator

from ..findings import Finding
from ..snapshot import Page, Section, Snapshot
from ..text.dates import find_event_dates, parse_iso, spoken
from ._common import group, page_exempt
from .base import Check
from .resources import Resources

CODES = ("event.past",)

PROMOTING = re.compile(r"\b(?:upcoming|what['\u2019]?s\s+on|coming\s+(?:up|soon)|forthcoming|future\s+events?"
                       r"|dates?\s+for\s+(?:your|the)\s+diary|diary\s+dates|next\s+(?:events?|sessions?|meetings?)"
                       r"|events?(?:\s+calendar)?)\b", re.I)
# Words too common in event names to tie a listing line to a structured event.
COMMON_WORDS = {"the", "and", "for", "with", "our", "your", "event", "events", "day", "pm", "am",
                "january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday"}
LOOKING_BACK = re.compile(r"\b(?:past|previous|recent|earlier|archive[ds]?|report|review|gallery|photos"
                          r"|last\s+year|took\s+place|highlights|news)\b", re.I)

# A page's own date stamp ("Last updated 14 July 2024") is not an event, even under "Events".
STAMP = re.compile(r"\b(?:updated|posted|published|reviewed|modified|edited|copyright)\b|\u00a9", re.I)


@dataclass(frozen=True)
class PastEvent:
    subject: str       # what it is and when: stable across runs
    what: str          # how the message names it
    day: date
    where: str         # "under “Upcoming events”" or ""
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    days: frozenset = field(default=frozenset(), compare=False, hash=False)   # every date it names
    line: str = field(default="", compare=False, hash=False)                   # its words, for matching


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    """One finding per event, however many pages (a sidebar on every page) still show it."""
    today, exempt = ctx.now.date(), ctx.config.freshness.exempt
    seen = group((event.subject, page.url, event) for page in snapshot.pages
                 if not page_exempt(page, exempt) and (page.status or 200) < 400
                 for event in past_events(page, today))
    for found in seen.values():
        event = found.first
        place = found.where()
        yield Finding("event.past", url=found.url, subject=event.subject,
                      message=f"{event.what} is still listed {event.where + ' ' if event.where else ''}{place} "
                              f"although {spoken(event.day)} has passed.",
                      evidence={**event.evidence, "date": event.day.isoformat(), **found.evidence()})


def past_events(page: Page, today: date) -> list[PastEvent]:
    """One event per real event: a structured-data event and the listing line showing it merge."""
    found: dict[str, PastEvent] = {}
    structured = list(_jsonld_events(page, today))
    listed = list(_listed_events(page, today))
    for event in structured:
        twins = _twins(event, listed, structured)
        found.setdefault(event.subject, _merged(event, twins) if twins else event)
        listed = [line for line in listed if line not in twins]
    for event in listed:
        found.setdefault(event.subject, event)
    return list(found.values())


def _twins(event: PastEvent, listed: list[PastEvent], structured: list[PastEvent]) -> list[PastEvent]:
    """Listing lines showing this structured event: same date and a shared name word, or the
    only event of that date on the page either way."""
    same_day = [line for line in listed if line.day in event.days]
    named = [line for line in same_day if _words(event.line) & _words(line.line)]
    if named:
        return named
    others = [other for other in structured if other is not event and other.days & event.days]
    return same_day if len(same_day) == 1 and not others else []


def _merged(event: PastEvent, lines: list[PastEvent]) -> PastEvent:
    """The structured event's name and subject (stable), the listing's visible place and words."""
    shown = lines[0]
    evidence = {**event.evidence, **{k: v for k, v in shown.evidence.items() if k != "event"},
                "listed_as": shown.evidence["event"],
                "source": f"{shown.evidence['source']} and {event.evidence['source']}"}
    return PastEvent(event.subject, event.what, event.day, shown.where, evidence, event.days, event.line)


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z]{3,}", text.lower()) if word not in COMMON_WORDS}


def _jsonld_events(page: Page, today: date) -> Iterator[PastEvent]:
    for item in page.jsonld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith("Event") for k in kinds) or item.get("eventSchedule"):
            continue   # a repeating event's start is its first time, not its last
        start = _first_date(item.get("startDate"))
        end = _first_date(item.get("endDate")) or start
        if end is None or end >= today:
            continue
        name = " ".join(str(item.get("name") or "An event").split())[:120]
        yield PastEvent(f"{name} ({end.isoformat()})", f"The event \u201c{name}\u201d", end, "",
                        {"event": name, "source": "structured data (schema.org Event)", "type": kinds[0]},
                        frozenset(d for d in (start, end) if d), name if item.get("name") else "")


def _listed_events(page: Page, today: date) -> Iterator[PastEvent]:
    for section in page.sections:
        if not PROMOTING.search(section.heading) or LOOKING_BACK.search(section.heading):
            continue
        for match in find_event_dates(_own_text(section, page.sections), today):
            if match.date >= today or STAMP.search(match.line):
                continue
            line = match.line[:160]
            yield PastEvent(f"{line} ({match.date.isoformat()})", f"\u201c{line}\u201d", match.date,
                            f"under \u201c{section.heading[:80]}\u201d",
                            {"event": line, "written": match.text, "year_given": match.has_year,
                             "heading": section.heading[:200], "source": "page text"},
                            frozenset({match.date}), match.line.replace(match.text, " "))


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


CHECK = Check("events", __doc__, CODES, site=check)
