"""Dates written in text the UK way ("Saturday 15 June 2024", "15/06/2024", "15th June").

A regular expression only locates candidate date strings; dateparser reads them
(day-first, English). A date without a year is read by `read_year`: the year whose calendar
agrees with the weekday written beside it, else a year the text around it names, else its
last occurrence, unless it comes within the next two months (a listing of coming weeks).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import dateparser

from .scan import finditer_at, positions

log = logging.getLogger(__name__)

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
         r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DAY_NAME = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
WEEKDAY = rf"(?:(?P<{{}}>{DAY_NAME})\.?,?\s+)?"
ORD = r"(?:st|nd|rd|th)?"
CANDIDATE = re.compile(
    rf"(?<![\w/£$€.-])(?:"
    rf"(?P<dm>{WEEKDAY.format('wd1')}\d{{1,2}}{ORD}(?:\s+of)?\s+{MONTH}\b\.?(?P<dmy>,?\s+(?:19|20)\d\d\b)?)"
    rf"|(?P<md>{WEEKDAY.format('wd2')}{MONTH}\.?\s+\d{{1,2}}{ORD}\b(?P<mdy>,?\s+(?:19|20)\d\d\b)?)"
    rf"|(?P<num>\d{{1,2}}/\d{{1,2}}/(?:\d{{4}}|\d\d)|\d{{1,2}}\.\d{{1,2}}\.(?:19|20)\d\d|(?:19|20)\d\d-\d\d-\d\d)"
    rf")(?![\w/-]|\.\d)",
    re.I)
# Web addresses and paths often hold dates ("/news/2015/06/12/…"): never read those.
URLISH = re.compile(r"(?:https?://|www\.)\S+|(?<!\S)/\S+|\S*[a-z]\S*/\S+|\S+/\S*[a-z]\S*", re.I)
DIGIT = re.compile(r"\d")
ISO_DAY = re.compile(r"((?:19|20)\d\d)-(\d\d)-(\d\d)")
SLASHED_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)")
MONTH_NUMBERS = {name: n for n, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
DAY_NUMBERS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
# A year written in running text ("RSE2019" included), not inside a number, date or price.
YEAR = re.compile(r"(?<![\d£$€./])(?:19|20)\d\d(?![\d%/])")
NEAR_FUTURE_DAYS = 62     # "12 December" read in November is this December
YEARS_BACK = 12
SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["day", "month"],
            "RETURN_AS_TIMEZONE_AWARE": False}


@dataclass(frozen=True)
class DateMatch:
    date: date
    text: str          # the date as written
    has_year: bool
    line: str = ""     # the line of text it sits on
    weekday: int | None = None   # the weekday written with it (0 = Monday), if any


def find_dates(text: str, today: date) -> list[DateMatch]:
    """Every date written in `text` (URLs and paths ignored), in order of appearance."""
    out: list[DateMatch] = []
    for line in (text or "").splitlines():
        if not DIGIT.search(line):
            continue     # every date written has a digit
        clean_line = URLISH.sub(lambda m: " " * len(m.group()), line)
        for match in CANDIDATE.finditer(clean_line):
            found = _read(match, today)
            if found:
                out.append(DateMatch(found[0], match.group().strip(), found[1], line.strip()[:300],
                                     _weekday(match)))
    return out


def _weekday(match: re.Match) -> int | None:
    name = match.group("wd1") or match.group("wd2")
    return DAY_NUMBERS.get(name[:3].lower()) if name else None


MONTH_YEAR = re.compile(rf"^\s*(?P<text>{MONTH}\.?,?\s+(?:19|20)\d\d)\b", re.I)


# A month without a day, as appeals and notices give it: "in September", "will finish mid-March",
# "by the end of March 2024". Only after words that tie it to a time.
MONTH_ONLY = re.compile(
    rf"\b(?:(?:in|by|to|until|till|during|throughout|(?:the\s+)?end\s+of)\s+(?:the\s+end\s+of\s+)?"
    rf"|(?:mid|late|early)(?:\s*-\s*|\s+))(?P<month>{MONTH})\b(?!\s*\d{{1,2}}\b)(?P<year>,?\s+(?:19|20)\d\d\b)?", re.I)


@dataclass(frozen=True)
class MonthMatch:
    text: str          # as written, e.g. "mid-March"
    month: int
    year: int | None


def find_months(text: str) -> list[MonthMatch]:
    """Months named without a day ("in September", "mid-March 2024"), in order."""
    out = []
    for match in MONTH_ONLY.finditer(URLISH.sub(" ", text or "")):
        month = MONTH_NUMBERS.get(match.group("month")[:3].lower())
        if month and match.group("month")[0].isupper():     # "in may be" is not May
            year = match.group("year")
            out.append(MonthMatch(" ".join(match.group().split()), month,
                                  int(year.strip(" ,")) if year else None))
    return out


def month_end(year: int, month: int) -> date:
    return (date(year, month, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def leading_date(text: str, today: date) -> DateMatch | None:
    """The full date that `text` starts with ("3 March 2021: …"), or a month and year, read as
    the month's last day so that a page is never made out older than it says."""
    found = [d for d in find_dates(text.split("\n")[0], today) if d.has_year]
    if found and text.strip().startswith(found[0].text[:3]):
        return found[0]
    match = MONTH_YEAR.match(text)
    if not match:
        return None
    first = parse_text_date("1 " + match.group("text"), today)
    if first is None:
        return None
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return DateMatch(last, match.group("text"), True)


def find_event_dates(text: str, today: date) -> list[DateMatch]:
    """One date per line of `text`: the latest on it, so a range "15–17 June" ends on the 17th."""
    latest: dict[str, DateMatch] = {}
    for match in find_dates(text, today):
        if match.line not in latest or match.date > latest[match.line].date:
            latest[match.line] = match
    return list(latest.values())


def _read(match: re.Match, today: date) -> tuple[date, bool] | None:
    # The weekday is checked here, not by dateparser, which reads "Thurs" as a relative day.
    named = "wd1" if match.group("wd1") else "wd2" if match.group("wd2") else None
    written = match.group()[match.end(named) - match.start():] if named else match.group()
    has_year = bool(match.group("num") or match.group("dmy") or match.group("mdy"))
    parsed = parse_text_date(written.lstrip(" .,"), today)
    if parsed is None:
        return None
    if not has_year:
        parsed = read_year(parsed, today, _weekday(match))
    return (parsed, has_year) if parsed else None


@lru_cache(maxsize=4096)
def parse_text_date(written: str, today: date) -> date | None:
    """Read one date string day-first; None when it is not a real date. Each string is read once
    (a footer or sidebar repeats its dates on every page), numeric ones without dateparser."""
    return numeric_date(written) or _dateparser_date(written, today)


def numeric_date(written: str) -> date | None:
    """A real date written 2024-06-15 or 15/06/2024, as dateparser reads it; None for any other."""
    iso, slashed = ISO_DAY.fullmatch(written), SLASHED_DAY.fullmatch(written)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if slashed:
            return date(int(slashed.group(3)), int(slashed.group(2)), int(slashed.group(1)))
    except ValueError:
        return None       # not a real day: dateparser has the last word
    return None


def _dateparser_date(written: str, today: date) -> date | None:
    base = datetime(today.year, today.month, today.day)
    try:
        parsed = dateparser.parse(written, languages=["en"], settings={**SETTINGS, "RELATIVE_BASE": base})
    except Exception:  # noqa: BLE001 - text from the web must never break a check
        log.debug("could not read date %r", written, exc_info=True)
        return None
    return parsed.date() if parsed else None


def read_year(day: date, today: date, weekday: int | None = None, hints: frozenset[int] = frozenset(),
              after: date | None = None) -> date | None:
    """The date a day and month written without a year stand for, read on `today`: a year in which
    it falls on the `weekday` written with it ("Thursday 21st March" is 2024), among those a year
    named around it (`hints`), the first on or after `after` (the date before it in a listing, or
    when the text was written); then
    the coming one when it is within two months (within a year when the weekday agrees), else the
    last one. None only for 29 February without a leap year in range."""
    options = _in_years(day, range(today.year - YEARS_BACK, today.year + 2))
    agree = [d for d in options if weekday is not None and d.weekday() == weekday]
    options = agree or options
    options = [d for d in options if d.year in hints] or options
    if after is not None:
        following = [d for d in options if d >= after]
        if following:
            return following[0]
    ahead = timedelta(days=366 if agree else NEAR_FUTURE_DAYS)
    coming = [d for d in options if today <= d <= today + ahead]
    if coming:
        return coming[0]
    past = [d for d in options if d < today]
    return past[-1] if past else (options[0] if options else None)


def _in_years(day: date, years) -> list[date]:
    out = []
    for year in years:
        try:
            out.append(day.replace(year=year))
        except ValueError:    # 29 February
            continue
    return out


def years_named(text: str) -> frozenset[int]:
    """The years written in `text` ("RSEConUK 2019", "2026–2027 season"), copyright years aside."""
    text = text or ""
    named = {int(y) for y in YEAR.findall(text)}
    return frozenset(named - {n.year for n in find_copyright_notices(text)}) if named else frozenset()


def nearest_year(day: date, today: date) -> date | None:
    """The same day and month in the year that puts it closest to `today`."""
    options = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(day.replace(year=year))
        except ValueError:    # 29 February
            continue
    return min(options, key=lambda d: abs((d - today).days)) if options else None


def spoken(day: date) -> str:
    """"3 March 2021": how a date reads in a report."""
    return f"{day.day} {day:%B %Y}"


def parse_iso(value: str | None) -> date | None:
    """A machine-readable date (ISO-8601, HTTP date) as a UTC calendar date; None if unreadable."""
    moment = parse_moment(value)
    return moment.date() if moment else None


def parse_moment(value: str | None) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        from email.utils import parsedate_to_datetime
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# "©", "(c)" or "Copyright", then up to six name-like words ("Home-Start Barnet, Brent and Harrow"),
# then a year or a range; prose such as "copyright law changed in 2019" does not qualify.
NAME_WORD = r"(?:[A-Z0-9&][\w&.'\u2019-]*,?|and|of|the|for)"
COPYRIGHT = re.compile(
    r"(?:©|&copy;|\([cC]\)|\b[Cc]opyright\b|\bCOPYRIGHT\b)(?:\s*(?:©|\([cC]\)))?"
    rf"(?:\s+{NAME_WORD}){{0,6}}?\s*"
    r"(?P<first>(?:19|20)\d\d)(?:\s*(?:[-\u2013\u2014/]|to)\s*(?P<last>(?:19|20)\d\d|\d\d)\b)?(?!\d)")

# What a notice starts with: it is looked for only there.
COPYRIGHT_STARTS = ("©", "&copy;", "(c)", "(C)", "Copyright", "copyright", "COPYRIGHT")


@dataclass(frozen=True)
class Notice:
    text: str          # the notice as written, e.g. "© 2016–2019"
    year: int          # its latest year


def find_copyright_notices(text: str) -> list[Notice]:
    """Copyright notices ("© 2018", "Copyright 2016–2019", "(c) Home-Start 2019") with their latest year."""
    out = []
    text = text or ""
    for match in finditer_at(COPYRIGHT, text, positions(text, COPYRIGHT_STARTS)):
        first, last = int(match.group("first")), match.group("last")
        year = first
        if last:
            year = int(last) if len(last) == 4 else (first // 100) * 100 + int(last)
            year = max(year, first)
        out.append(Notice(" ".join(match.group().split()), year))
    return out
