"""Faster scans of long text with a regular expression, with exactly the same results.

A page's text is tens of kilobytes and most patterns match nothing in nearly all of it.
When every match of a pattern stays within one line (or one run of non-space characters)
and must contain a cheaply found anchor, only the lines (runs) holding an anchor need the
full pattern. The caller vouches for those two properties; lookarounds at the edges of a
line or run must read a line break or space the same as the text's start or end.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, Iterator


def lines_with(anchor: re.Pattern, text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each line of `text` holding a match of `anchor`, in order, each once."""
    end = -1
    for match in anchor.finditer(text):
        if match.start() < end:
            continue
        start = text.rfind("\n", 0, match.start()) + 1
        end = text.find("\n", match.start())
        end = len(text) if end < 0 else end
        yield start, end


def finditer_lines(pattern: re.Pattern, anchor: re.Pattern, text: str) -> Iterator[re.Match]:
    """`pattern.finditer(text)` for a pattern whose matches never cross a line and always hold
    a match of `anchor`; match positions are positions in `text`."""
    for start, end in lines_with(anchor, text):
        yield from pattern.finditer(text, start, end)


def sub_runs(pattern: re.Pattern, repl: Callable[[re.Match], str], text: str, anchor: re.Pattern) -> str:
    """`pattern.sub(repl, text)` for a pattern whose matches hold no whitespace and always hold
    a match of `anchor`: only the runs of non-space characters around an anchor are read."""
    parts, done = [], 0
    for found in anchor.finditer(text):
        if found.start() < done:
            continue
        start = end = found.start()
        while start > done and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        parts += [text[done:start], pattern.sub(repl, text[start:end])]
        done = end
    parts.append(text[done:])
    return "".join(parts)


# Besides A-Z, the only characters that case-insensitive matching takes for ASCII letters.
ODD_CASES = ("\u0130", "\u0131", "\u017f", "\u212a")


class Words:
    """A text made ready for finding where words occur, case ignored as re.IGNORECASE ignores it
    (lower-cased once, however many patterns are then tried on it)."""

    def __init__(self, text: str):
        self.text = text
        # lower() moves or misreads positions for these characters: such texts take the slow road
        self.low = None if any(c in text for c in ODD_CASES) else text.lower()

    def starts(self, words: Iterable[str]) -> list[int]:
        """Sorted positions where one of `words` (lower-case ASCII) occurs."""
        found: set[int] = set()
        for word in words:
            at = self.low.find(word)
            while at >= 0:
                found.add(at)
                at = self.low.find(word, at + 1)
        return sorted(found)

    def finditer(self, pattern: re.Pattern, words: Iterable[str]) -> Iterator[re.Match]:
        """`pattern.finditer(text)` for a pattern that never matches empty and whose every match
        starts with one of `words` (lower-case ASCII; the pattern may ignore case)."""
        if self.low is None:
            yield from pattern.finditer(self.text)
            return
        end = 0
        for start in self.starts(words):
            if start >= end:
                match = pattern.match(self.text, start)
                if match:
                    yield match
                    end = match.end()
