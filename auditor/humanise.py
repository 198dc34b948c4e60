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


def short_date(value: Any) -> str:
    d = as_date(value)
    return f"{d.day} {d:%b %Y}" if d else oneline(str(value or ""))


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
