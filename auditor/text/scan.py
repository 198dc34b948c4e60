"""Running costly patterns only where they can match, with exactly the results of a full scan.

Pages are long and the patterns that read them are elaborate; most of a page cannot hold what
they look for. `finditer_at` tries a pattern only at the places where its match must begin (found
with plain substring search), and `lines_at` lets a pattern that never matches across a line break
look only at the lines holding a character it needs.
"""
from __future__ import annotations

import re
from functools import lru_cache, wraps
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

# The only non-ASCII characters a case-blind pattern matches for an ASCII letter
# (tests/test_checkspeed_scan.py checks this against every code point).
CASE_BLIND_EXTRA = "\u0130\u0131\u017f\u212a"
CASE_BLIND_TABLE = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def fold(text: str) -> str | None:
    """`text` lower-cased position for position, every character a case-blind pattern takes for
    an ASCII letter turned into that letter; None in the rare case positions would shift."""
    if not text.isascii() and any(c in text for c in CASE_BLIND_EXTRA):
        text = text.translate(CASE_BLIND_TABLE)
    folded = text.lower()
    return folded if len(folded) == len(text) else None


def positions(text: str, needles: Iterable[str], shift: int = 0) -> list[int]:
    """Every place one of `needles` occurs in `text`, moved back by `shift`, in order."""
    found = set()
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            found.add(at - shift)
            at = text.find(needle, at + 1)
    return sorted(p for p in found if p >= 0)


def finditer_at(pattern: re.Pattern, text: str, starts: Iterable[int]) -> Iterator[re.Match]:
    """The matches `pattern.finditer(text)` gives, trying only at `starts` (ascending), which must
    hold every position where a match can begin. For patterns that never match empty."""
    end = 0
    for start in starts:
        if start < end:
            continue
        match = pattern.match(text, start)
        if match:
            end = match.end()
            yield match


def first_word(words: list[str]) -> str | None:
    """The lower-cased first word a case-blind pattern must begin with, when `fold` can find it
    (plain ASCII); None otherwise, and the pattern must scan the whole text."""
    word = words[0] if words else ""
    return word.lower() if word and word.isascii() else None


def lines_at(text: str, starts: Iterable[int]) -> Iterator[tuple[int, str]]:
    """(offset, line) of each line of `text` holding one of the positions `starts` (ascending), once."""
    end = -1
    for start in starts:
        if start <= end:
            continue
        begin = text.rfind("\n", 0, start) + 1
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield begin, text[begin:end]


def replace_lines(text: str, lines: Iterable[tuple[int, str]], change) -> str:
    """`text` with each of `lines` (from `lines_at`) replaced by `change(line)`."""
    pieces, done = [], 0
    for offset, line in lines:
        pieces += [text[done:offset], change(line)]
        done = offset + len(line)
    return "".join(pieces) + text[done:] if pieces else text


def line_cache(maxsize: int = 512, longest: int = 2000) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """`lru_cache` for a function of one line of text, kept for lines up to `longest` characters:
    a footer line repeated on every page is read once, and no page-long text is held."""
    def wrap(func: Callable[[str], T]) -> Callable[[str], T]:
        cached = lru_cache(maxsize=maxsize)(func)

        @wraps(func)
        def call(text: str) -> T:
            return cached(text) if text is not None and len(text) <= longest else func(text)

        call.cache_clear, call.cache_info = cached.cache_clear, cached.cache_info   # type: ignore[attr-defined]
        return call
    return wrap
