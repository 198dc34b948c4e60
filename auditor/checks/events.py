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

CODES = ("event.past",)

PROMOTING = re.compile(r"\b(?:upcoming|what['\u2019]?s\s+on|coming\s+(?:up|soon)|forthcoming|future\s+events?"
                       r"|dates?\s+for\s+(?:your|the)\s+diary|diary\s+dates|next\s+(?:events?|sessions?|meetings?)"
                       r"|events?(?:\s+calendar)?)\b", re.I)
LOOKING_BACK = re.compile(r"\b(?:past|previous|recent|earlier|archive[ds]?|report|review|gallery|photos"
                          r"|last\s+year|took\s+place|highlights|news)\b", re.I)


@dataclass(frozen=True)
class PastEvent:
    subject: str       # what it is and when: stable across runs
    what: str          # how the message names it
    day: date
    where: str         # "under “Upcoming events”" or ""
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def check(snapshot: Snapshot, ctx) -> Iterator[Finding]:
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
    found: dict[str, PastEvent] = {}
    for event in (*_jsonld_events(page, today), *_listed_events(page, today)):
        found.setdefault(event.subject, event)
    return list(found.values())


def _jsonld_events(page: Page, today: date) -> Iterator[PastEvent]:
    for item in page.jsonld:
        kind = item.get("@type")
        kinds = kind if isinstance(kind, list) else [kind]
        if not any(isinstance(k, str) and k.endswith("Event") for k in kinds) or item.get("eventSchedule"):
            continue   # a repeating event's start is its first time, not its last
        end = _first_date(item.get("endDate")) or _first_date(item.get("startDate"))
        if end is None or end >= today:
            continue
        name = " ".join(str(item.get("name") or "An event").split())[:120]
        yield PastEvent(f"{name} ({end.isoformat()})", f"The event \u201c{name}\u201d", end, "",
                        {"event": name, "source": "structured data (schema.org Event)", "type": kinds[0]})


def _listed_events(page: Page, today: date) -> Iterator[PastEvent]:
    for section in page.sections:
        if not PROMOTING.search(section.heading) or LOOKING_BACK.search(section.heading):
            continue
        for match in find_event_dates(_own_text(section, page.sections), today):
            if match.date >= today:
                continue
            line = match.line[:160]
            yield PastEvent(f"{line} ({match.date.isoformat()})", f"\u201c{line}\u201d", match.date,
                            f"under \u201c{section.heading[:80]}\u201d",
                            {"event": line, "written": match.text, "year_given": match.has_year,
                             "heading": section.heading[:200], "source": "page text"})


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
