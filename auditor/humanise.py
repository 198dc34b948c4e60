"""Small formatting helpers for people: UK dates, durations, plurals, safe one-line text."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

# C0/C1 controls and bidi overrides/embeddings (isolates are kept: they are harmless).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u200e\u200f]")


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


def human_date(value: Any) -> str:
    """'1 April 2027'; the value unchanged (as text) when it is not a date."""
    d = as_date(value)
    return f"{d.day} {d:%B %Y}" if d else oneline(str(value or ""))


def human_duration(seconds: float) -> str:
    seconds = int(round(seconds or 0))
    if seconds < 60:
        return plural(seconds, "second", "seconds")
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def oneline(text: str) -> str:
    """Untrusted text made safe to show on one line: no controls, no line breaks, no bidi overrides."""
    text = unicodedata.normalize("NFC", str(text))
    return " ".join(_CONTROL.sub(" ", text).split())


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Technical words that checks may write, in the CEO's words. Longest first.
_PLAIN_WORDS = (
    ("robots.txt forbids", "rules for automated visitors forbid"),
    ("robots.txt", "rules for automated visitors"),
    (" (alt text)", ""),
    ("text alternative", "description"),
    ("alt text", "description"),
    ("screen-reader users", "blind visitors using screen readers"),
    ("og:image", "sharing image"),
    ("the auditor", "the audit"),
)
_ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:T[\d:.+\-Z]*)?\b")
_PARENS = re.compile(r"\s*\(([^()]{1,120})\)")
_CODE_TOKEN = re.compile(r"[._:/=]|[a-z][A-Z]|^[A-Z]{2,}[a-z]|^(?:EXIF|IPTC|XMP)$")
_STATUS = re.compile(r"the server answered (\d{3})")
_BACKTICKS = re.compile(r"`([^`]*)`")


def http_problem(status: int) -> str:
    """What an HTTP status means to someone who never heard of one."""
    if status in (404, 410):
        return "there is nothing at that address any more"
    if status in (401, 403):
        return "the site refuses to show it"
    if status == 429:
        return "the site asked for fewer visits"
    if status >= 500:
        return "the site that holds it had an error"
    return "the site would not show it"


_QUOTED = re.compile("(\u201c[^\u201d]*\u201d)")


def plain(text: str) -> str:
    """A check's sentence without config keys, file or field names, codes or ISO dates. What it
    quotes from the web (in curly quotes) is left as it was written."""
    parts = _QUOTED.split(oneline(text))
    return "".join(part if i % 2 else _plain_words(part) for i, part in enumerate(parts))


def _plain_words(text: str) -> str:
    text = _PARENS.sub(_drop_technical, _BACKTICKS.sub(r"\1", text))
    for word, instead in _PLAIN_WORDS:
        text = text.replace(word, instead)
    text = _STATUS.sub(lambda m: http_problem(int(m.group(1))), text)
    return _ISO_DAY.sub(lambda m: human_date(m.group(1)), text)


def _drop_technical(match: re.Match) -> str:
    inner = match.group(1).strip()
    inner = inner[3:] if inner.startswith("in ") else inner
    parts = [p.split() for p in inner.split(",")]
    if "@" in inner or "*" in inner or not all(parts):
        return match.group(0)           # a masked address or number is what the CEO needs to see
    if all(len(p) == 1 for p in parts) and any(_CODE_TOKEN.search(p[0]) for p in parts):
        return ""                       # (crawl.max_pages), (logo-2019.png), (in Artist, XPComment)
    if all(any(_CODE_TOKEN.search(t) for t in p) for p in parts):
        return ""                       # (in EXIF Artist, IPTC By-line, XMP dc:creator)
    return match.group(0)
