"""Past events, appeals and notices still promoted: invitations in the text, listings, JSON-LD (policy 1.5)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterator

from ..findings import Finding
from ..snapshot import Page, Snapshot
from ..text.dates import find_dates, find_months, month_end, parse_iso, read_year, spoken, years_named
from ..text.scan import lines_at, positions
from ._common import group, page_exempt
from .base import Check
from .resources import Resources
from .stale import written_dates

CODES = ("event.past",)

PROMOTING = re.compile(r"\b(?:upcoming|what['\u2019]?s\s+on|coming\s+(?:up|soon)|forthcoming|future\s+events?"
                       r"|dates?\s+for\s+(?:your|the)\s+diary|diary\s+dates|next\s+(?:events?|sessions?|meetings?)"
                       r"|(?:key|important|conference|event)\s+dates|events?(?:\s+calendar)?)\b", re.I)
# Words too common in event names to tie a listing line to a structured event.
COMMON_WORDS = {"the", "and", "for", "with", "our", "your", "event", "events", "day", "pm", "am",
                "january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
                "saturday", "sunday"}
# Headings of what is looked back on: a listing under them is a record, not a promotion.
RECAP = r"past|previous|recent|earlier|archive[ds]?|reports?|review|gallery|photos|last\s+year|took\s+place|highlights"
LOOKING_BACK = re.compile(rf"\b(?:{RECAP}|news)\b", re.I)
RECAP_HEADING = re.compile(rf"\b(?:{RECAP})\b", re.I)

# A page's own date stamp ("Last updated 14 July 2024") is not an event, even under "Events".
STAMP = re.compile(r"\b(?:updated|posted|published|reviewed|modified|edited|copyright)\b|\u00a9", re.I)

# What invites people to something in running text, and what asks for money or sets a deadline.
INVITE = re.compile(
    r"\b(?:come\s+(?:along|and\s+(?:join|see|meet|try))|join\s+us|please\s+(?:come|join|book)|book(?:ings?)?\s+"
    r"(?:now|your|a|early|online|here|essential|required|via|at|through|is\s+open)|to\s+book|sign\s*-?\s*up"
    r"|tickets?|starts?|starting|begins?|will\s+(?:be\s+(?:held|meeting|holding|running|hosting|open)|take\s+place"
    r"|start|begin|run|reunite|hold|host|open)|takes?\s+place|taking\s+place"
    r"|next\s+(?:\w+\s+)?(?:sessions?|meetings?|course|events?|concerts?|services?|class|club|fair|sale|walk|date)"
    r"|we\s+are\s+(?:holding|meeting|hosting|running|having|organising|planning)"
    r"|we['\u2019]re\s+(?:holding|meeting|hosting|running|having|organising)|we\s+will\s+be\s+\w+ing"
    r"|save\s+the\s+date|don['\u2019]?t\s+miss|(?:all|everyone)\s+(?:are\s+|is\s+)?welcome|register\b"
    r"|registration\s+(?:is\s+)?(?:now\s+)?open|invite\s+you|you\s+are\s+invited|rsvp|see\s+you\s+there"
    r"|hope\s+to\s+see\s+you|reserve\s+(?:your|a)|coming\s+up|upcoming|we\s+will|we['\u2019]ll|there\s+will\s+be"
    r"|we\s+(?:want|plan|aim)\s+to)\b|^\s*(?:date|when)\s*:", re.I)
APPEAL = re.compile(
    r"\b(?:to\s+raise\s+(?:money|funds)|raising\s+(?:money|funds)|sponsor\s+(?:me|us|him|her|them)|appeal"
    r"|please\s+(?:give|donate|support)|donate\s+(?:now|here|online|by|before)|justgiving"
    r"|(?:is|are|will\s+be)\s+(?:walking|running|cycling|swimming|climbing|taking\s+part))\b", re.I)
NOTICE = re.compile(
    r"\b(?:deadline|closing\s+date|apply\s+(?:by|before)|applications?\s+(?:close|must)|submitted\s+(?:by|before)"
    r"|no\s+later\s+than|will\s+(?:finish|end|close|conclude|reopen|re-open|be\s+closed|be\s+released|begin\s+to)"
    r"|closed\s+(?:from|until)|(?:reserved|booked|received|returned|paid)\s+(?:by|before)"
    r"|(?:registration|nominations|voting)\s+(?:will\s+)?(?:close|conclude)s?)\b", re.I)
# What happened, said after the event: a report, not a promotion.
REPORT = re.compile(
    r"\b(?:raised|was\s+held|were\s+held|took\s+place|has\s+taken\s+place|happened|we\s+(?:had|held|enjoyed"
    r"|welcomed|celebrated)|thank(?:s|\s+you)\s+(?:to\s+)?(?:everyone|all|for)|(?:was|were)\s+(?:a\s+)?"
    r"(?:great\s+|huge\s+|fantastic\s+|wonderful\s+|big\s+)?success|came\s+along|joined\s+us|attended|enjoyed"
    r"|featured|photos?\s+(?:from|of)|pictures\s+(?:from|of))\b", re.I)
# A sentence that tells what was: not taken for an invitation by the sentence next to it.
PAST_TENSE = re.compile(r"\b(?:was|were|had|did|founded|began|opened|started|became|took)\b", re.I)
RECURRING = re.compile(r"\b(?:every|each)\s+(?:\w+day|week|month|morning|afternoon|evening|term)|\b(?:weekly"
                       r"|fortnightly|monthly)\b", re.I)
TIME_OF_DAY = re.compile(r"\b\d{1,2}(?:[.:]\d\d)?\s*(?:am|pm)\b|\b(?:[01]?\d|2[0-3])[:.][0-5]\d\b", re.I)
DIGIT = re.compile(r"\d")
NAME_WORD = re.compile(r"[^\W\d_][\w'\u2019&-]*")
DATE_LEFTOVERS = {"am", "pm", "date", "when", "st", "nd", "rd", "th", "monday", "tuesday", "wednesday", "thursday", "friday",
                  "saturday", "sunday", "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
CONNECTORS = {"on", "to", "at", "from", "and", "until", "till", "the", "of", "in", "for", "by"}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"(])")
ITEM_WORDS = 15          # a listing's item is short; prose around it is not an item
LABEL_WORDS = 6          # a line this short, without a date, labels what follows ("Next Concert")
# Dates are found without today's date (so they can be kept between audits): a year-less one is
# read against today only when judged.
REFERENCE = date(2000, 1, 1)
KINDS = {"event": "The event", "appeal": "The appeal", "notice": "The notice"}


@dataclass(frozen=True)
class PastEvent:
    subject: str       # what it is and when: stable across runs
    what: str          # how the message names it
    day: date
    where: str         # "under “Upcoming events”" or ""
    evidence: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    days: frozenset = field(default=frozenset(), compare=False, hash=False)   # every date it names
    line: str = field(default="", compare=False, hash=False)                   # its words, for matching
    shown: str = field(default="", compare=False, hash=False)                  # its date, as the message says it
    verb: str = field(default="listed", compare=False, hash=False)             # "listed", or "shown" in running text


def check(snapshot: Snapshot, ctx: Resources) -> Iterator[Finding]:
    """One finding per event, however many pages (a sidebar on every page) still show it."""
    today, exempt = ctx.now.date(), ctx.config.freshness.exempt
    seen = group((event.subject, page.url, event) for page in snapshot.pages
                 if not page_exempt(page, exempt) and (page.status or 200) < 400
                 for event in past_events(page, today, ctx.per_page(page, "events.dated", dated_lines)))
    for found in seen.values():
        event = found.first
        place = found.where()
        yield Finding("event.past", url=found.url, subject=event.subject,
                      message=f"{event.what} is still {event.verb} {event.where + ' ' if event.where else ''}{place} "
                              f"although {_when(event)} has passed.",
                      evidence={**event.evidence, "date": event.day.isoformat(), **found.evidence()})


def _when(event: PastEvent) -> str:
    written = event.evidence.get("written")
    shown = event.shown or spoken(event.day)
    if written and not event.evidence.get("year_given", True):
        return f"{written} (read as {shown})"
    return shown


def past_events(page: Page, today: date, lines: dict | None = None) -> list[PastEvent]:
    """One event per real event: a structured-data event and the listing line showing it merge."""
    found: dict[str, PastEvent] = {}
    structured = list(_jsonld_events(page, today))
    listed = list(_resolved(dated_lines(page) if lines is None else lines, today))
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
    evidence = {**event.evidence, **{k: v for k, v in shown.evidence.items() if k not in ("event", "kind")},
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
                        {"event": name, "source": "structured data (schema.org Event)", "type": kinds[0],
                         "kind": "event"},
                        frozenset(d for d in (start, end) if d), name if item.get("name") else "")


# --- dated lines: found once per page content (kept between audits), judged against today ---------

def dated_lines(page: Page) -> dict:
    """Every dated line the page promotes, with the date as written (year or not), and the years
    the page names: what does not depend on today's date. Lines of a listing are read in order
    (a year-less date follows the one before it)."""
    title_years = sorted(years_named(page.title))
    text = page.text or ""
    # Every date has a digit, but an appeal's month ("in September") need not: only lines naming a
    # month are read for one (found by plain search: most of a page's prose has neither).
    months = {line for _, line in lines_at(text, positions(text, MONTH_NAMES))}
    digits: list[str] = []
    out: list[dict] = []
    for number, block in enumerate(_blocks(page)):
        listing = _listing(block) if not block.recap else []
        for at, line in enumerate(block.lines):
            if _has_digit(line):
                digits.append(line)
            elif not (line in months and (APPEAL.search(line) or NOTICE.search(line))):
                continue
            if block.recap or STAMP.search(line):
                continue
            entry = listing[at] if listing else None
            if entry and (not entry[0] or _event_like(line)):
                item = _dated(line, _kind(line) or "event", entry[1], title_years, chain=number)
                if item:
                    item["where"] = f"under \u201c{entry[1][:80]}\u201d" if entry[1] else ""
                    item["listed"] = True
                    name = _name_after(block, at)
                    if name and not _name_words(line, item["written"]):
                        item["line"] = f"{item['line']} {name}"    # "Sun, 8 Mar 2026 | 10.00am" then its name
                    out.append(item)
                    continue
            label = block.lines[at - 1] if at and _is_label(block.lines[at - 1]) else ""
            out += _invitations(line, label or block.heading, label, title_years, _name_after(block, at))
    written = [day for day in written_dates(page) if day.year > 1900]
    return {"lines": out, "years": sorted(years_named("\n".join(digits))),
            "written": max(written).isoformat() if written else None}


def _name_after(block: Block, at: int) -> str:
    """What names a bare date ("Sun, 8 Mar 2026 | 10.00am"): the short line or heading after it."""
    following = block.lines[at + 1] if at + 1 < len(block.lines) else block.following
    if following and len(following.split()) <= LABEL_WORDS + 2 and not find_dates(following, REFERENCE):
        return following
    return ""


def _invitations(line: str, heading: str, label: str, title_years: list[int], name: str = "") -> list[dict]:
    """Dated sentences of `line` that invite, appeal or give notice: by their own words, by the label
    above a date ("Next concert"), or by a sentence beside them in the same paragraph ("Registration
    is now open … dinner on Thursday 7th September")."""
    out = []
    sentences = SENTENCE_END.split(line)
    kinds = [_kind(sentence) for sentence in sentences]
    for at, sentence in enumerate(sentences):
        kind = kinds[at] or (_kind(label) if label and _led_by_date(sentence) else None)
        if kind is None and not PAST_TENSE.search(sentence):
            kind = next((kinds[n] for n in (at - 1, at + 1, at - 2, at + 2)
                         if 0 <= n < len(sentences) and kinds[n] == "event"
                         and not REPORT.search(sentences[n])), None)
        if kind and not REPORT.search(sentence) and not RECURRING.search(sentence):
            item = _dated(sentence, kind, heading, title_years) or \
                (_month_dated(sentence, kind, heading, title_years, sentence) if kind != "event" else None)
            if item:
                if kinds[at] is None and label and _led_by_date(sentence):
                    item["line"] = f"{label.rstrip(' :')}: {item['line']}"    # "Next Concert: Saturday 17 October"
                elif name and not _name_words(item["line"], item["written"]):
                    item["line"] = f"{item['line']} {name}"                   # an event's own page: its title
                out.append(item)
    return out


def _name_words(line: str, written: str) -> list[str]:
    """The words naming an event in its line, as written: without its dates, times and punctuation."""
    rest = TIME_OF_DAY.sub(" ", line.replace(written, " "))
    for other in find_dates(rest, REFERENCE):
        rest = rest.replace(other.text, " ")
    # what is left of a date the reader did not take as one ("1st &", "Tuesday 17th to …")
    words = [w for w in NAME_WORD.findall(rest) if w.lower() not in DATE_LEFTOVERS]
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
    while words and words[0].lower() in CONNECTORS:
        words.pop(0)
    return words


def _month_dated(text: str, kind: str, heading: str, title_years: list[int], line: str) -> dict | None:
    """An appeal or notice dated by a month alone ("walking … in September"): it ends with the month."""
    found = find_months(text)
    if not found:
        return None
    last = found[-1]
    line = " ".join(line.split())[:300]
    return {"line": line, "written": last.text, "year": last.year, "month": last.month, "day": None,
            "weekday": None, "kind": kind, "heading": heading[:200], "where": "", "chain": None,
            "hints": sorted({*title_years, *years_named(heading), *years_named(line)})}


@dataclass
class Block:
    heading: str             # the nearest heading above, "" before the first
    promoting: str           # the heading above it that announces events ("Upcoming events"), if any
    recap: bool              # under "Past events", "Gallery"…
    lines: list[str] = field(default_factory=list)
    following: str = ""      # the heading after it: a listed event's name may be the next heading


def _blocks(page: Page) -> list[Block]:
    """The page's text cut at its headings, each part knowing the headings it sits under. Read from
    the text, not the sections, so that a heading's region does not hide the lines under it."""
    headings = {text: level for level, text in page.headings if text}
    stack: list[tuple[int, str]] = []
    blocks = [Block("", "", False)]
    for line in page.text.splitlines():
        level = headings.get(line)
        if level is None:
            blocks[-1].lines.append(line)
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, line))
        promoting = next((h for _, h in reversed(stack) if PROMOTING.search(h) and not LOOKING_BACK.search(h)), "")
        recap = any(RECAP_HEADING.search(h) for _, h in stack)
        blocks[-1].following = line
        blocks.append(Block(line, promoting, recap))
    return blocks


def _is_label(line: str) -> bool:
    """A short line that names what follows ("Next Concert", "Upcoming services:")."""
    return len(line.split()) <= LABEL_WORDS // 2 + 1 and not _has_digit(line) and not line.rstrip().endswith(".")


def _listing(block: Block) -> list[tuple[bool, str] | None]:
    """For each line of a block that lists coming events, whether it must read as an appointment to
    count, and the heading or label it is listed under: every line under a heading such as
    "Upcoming events" or after a label such as "Upcoming services:" that dates follow, and
    appointments before a link such as "Full events calendar". Empty for other blocks."""
    lines = block.lines
    if block.promoting and not LOOKING_BACK.search(block.heading):
        return [(False, block.promoting)] * len(lines)
    out: list[tuple[bool, str] | None] = [None] * len(lines)
    done = 0
    for at, line in enumerate(lines):
        if not (len(line.split()) <= LABEL_WORDS and PROMOTING.search(line) and not _has_digit(line)
                and not LOOKING_BACK.search(line)):
            continue
        if _is_label(line) and any(find_dates(after, REFERENCE) for after in lines[at + 1:at + 4]):
            ends = next((n for n in range(at + 1, len(lines)) if _is_label(lines[n])
                         and PROMOTING.search(lines[n])), len(lines))
            out[at + 1:ends] = [(False, line.rstrip(" :"))] * (ends - at - 1)
            done = ends
        else:
            out[done:at] = [(True, "")] * (at - done)
            done = at + 1
    return out if any(out) else []


def _event_like(line: str) -> bool:
    """A listing line that reads as an appointment: short, with a time of day or a weekday beside its date."""
    return len(line.split()) <= ITEM_WORDS and (
        bool(TIME_OF_DAY.search(line)) or any(d.weekday is not None for d in find_dates(line, REFERENCE)))


def _led_by_date(text: str) -> bool:
    """A line that is a date, or starts with one ("Saturday 17 October 2026 · 7:30pm"): the label
    above it ("Next concert") says what it is."""
    found = find_dates(text, REFERENCE)
    return bool(found) and text.lstrip().startswith(found[0].text[:3])


def _kind(text: str) -> str | None:
    if APPEAL.search(text):
        return "appeal"
    if NOTICE.search(text):
        return "notice"
    if INVITE.search(text) or _appointment(text):
        return "event"
    return None


def _appointment(text: str) -> bool:
    """A weekday, a date and a time of day, not said of the past: "Registration: from 08:30 on
    Monday 3rd September"."""
    return bool(TIME_OF_DAY.search(text)) and not PAST_TENSE.search(text) \
        and any(d.weekday is not None for d in find_dates(text, REFERENCE))


def _dated(text: str, kind: str, heading: str, title_years: list[int], chain: int | None = None,
           context: str = "") -> dict | None:
    """The latest date written in `text` (a range counts by its last day) as plain data."""
    found = find_dates(text, REFERENCE)
    if not found:
        return None
    with_year = [m for m in found if m.has_year]
    latest = max(with_year or found, key=lambda m: (m.date.month, m.date.day) if not with_year else m.date)
    line = " ".join((context or text).split())[:300]
    return {"line": line, "written": latest.text, "year": latest.date.year if latest.has_year else None,
            "month": latest.date.month, "day": latest.date.day, "weekday": latest.weekday, "kind": kind,
            "heading": heading[:200], "where": "", "chain": chain,
            "hints": sorted({*title_years, *years_named(heading), *years_named(line)})}


def _resolved(found: dict, today: date) -> Iterator[PastEvent]:
    """Each dated line read against `today`; those whose date has passed."""
    previous: dict[int, date] = {}
    context = (frozenset(found["years"]), parse_iso(found.get("written")))
    for item in found["lines"]:
        chain = item["chain"]
        day = _day(item, today, previous.get(chain) if chain is not None else None, *context)
        if day is None:
            continue
        if chain is not None:
            previous[chain] = day
        if day >= today:
            continue
        line = item["line"][:160]
        kind = item["kind"]
        what = f"\u201c{line}\u201d" if kind == "event" else f"{KINDS[kind]} \u201c{line}\u201d"
        evidence = {"event": line, "written": item["written"], "year_given": item["year"] is not None,
                    "kind": kind, "source": "page text"}
        if item["heading"]:
            evidence["heading"] = item["heading"]
        shown = spoken(day) if item["day"] else f"{day:%B %Y}"
        # the same event listed with its date written differently on other pages is one event
        name = " ".join(_name_words(item["line"], item["written"]))[:160] or line
        yield PastEvent(f"{name} ({day.isoformat()})", what, day, item["where"], evidence,
                        frozenset({day}), line.replace(item["written"], " "), shown,
                        "listed" if item.get("listed") else "shown")


def _day(item: dict, today: date, after: date | None, page_years: frozenset[int],
         written: date | None) -> date | None:
    """The date an item stands for: as written, or for a year-less one the year its weekday, the
    years named around it, the item before it, or when the page was written say."""
    year, month, day = item["year"], item["month"], item["day"]
    if year is not None:
        try:
            return date(year, month, day) if day else month_end(year, month)
        except ValueError:
            return None
    # 2000 is a leap year: any day and month written is a real date in it
    plain = date(2000, month, day) if day else month_end(2000, month)
    hints = frozenset(item["hints"])
    if after is None and written is not None and not hints:
        after = written - timedelta(days=7)      # an invitation is written before its date
    found = read_year(plain, today, item["weekday"], hints, after)
    if found is not None and found < today and not hints and written is None and page_years:
        # already past: the years the page names only say which past date it was
        named = read_year(plain, today, item["weekday"], page_years)
        found = named if named is not None and named < today else found
    if found is not None and not day:
        found = month_end(found.year, month)
    return found


def _has_digit(text: str) -> bool:
    return DIGIT.search(text) is not None


def _first_date(value) -> date | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    return parse_iso(value) if isinstance(value, str) else None


CHECK = Check("events", __doc__, CODES, site=check)
