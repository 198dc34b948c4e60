"""The scheme's name: does a text carry it, and which wrong forms of it does a text use.

Wrong forms are derived from the configured names, so any scheme can use this: each
hyphenated word of a name ("Home-Start") must keep its hyphen and capitals; the whole
name must keep its words and punctuation; `scheme.forbidden_names` adds forms to refuse.
Web addresses, e-mail addresses, domain names, handles and hashtags are never variants.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from ..text.scan import finditer_at, first_word, fold, line_cache, lines_at, positions, replace_lines

SPACES = "\u00a0\u2007\u202f\u2009\u200a"
HYPHENS = "\u2010\u2011"                       # render as a hyphen
SEPARATOR = rf"[\s{SPACES}]*[-{HYPHENS}\u2012\u2013\u2014_]?[\s{SPACES}]*"
MASKED = "\x00"
ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+"                                      # web addresses
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"                                # e-mail addresses
    r"|(?<![\w@])[@#][\w.]*\w"                                      # handles, hashtags
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:[a-z]{2,}|[A-Z]{2,})\b(?:/\S*)?",  # domain names
)
# Every address holds one of these; a line without any is left as it is. (Each branch starts
# with a plain character, which lets the engine skip quickly to the next candidate.)
ADDRESS_HINT = re.compile(r"@|#|://|www\.|\.[A-Za-z]")
WORD = re.compile(r"[^\s,\-" + HYPHENS + "]+")


@dataclass(frozen=True)
class Variant:
    snippet: str        # as written, whitespace collapsed
    start: int
    end: int
    correct: str        # the correct form it stands for


@line_cache()      # a header or footer is the same on every page
def normalise(text: str) -> str:
    """Whitespace, non-breaking spaces and hyphen characters unified; line-break after a hyphen joined."""
    text = re.sub(f"[{SPACES}]", " ", text or "")
    text = re.sub(f"[{HYPHENS}]", "-", text)
    text = re.sub(r"-\s+", "-", text)
    return " ".join(text.split())


class NameMatcher:
    def __init__(self, scheme):
        self.names = tuple(dict.fromkeys(n for n in (scheme.name, *scheme.accepted_names) if n.strip()))
        self.correct = {normalise(n) for n in self.names}
        self._exact = [re.compile(rf"(?<!\w){re.escape(normalise(n))}(?!\w)", re.I) for n in self.names]
        self._fuzzy = [(re.compile(_fuzzy(n), re.I), n) for n in self.names]
        compounds = {c for n in self.names for c in re.findall(rf"\w+(?:[-{HYPHENS}]\w+)+", n)}
        self._compounds = [(re.compile(_fuzzy(c), re.I), normalise(c)) for c in sorted(compounds)]
        self._forbidden = [re.compile(rf"(?<!\w){_spaced(f)}(?!\w)", re.I) for f in scheme.forbidden_names if f.strip()]
        # the word each pattern starts with, to try it only where that word is written
        self._first = {p: first_word(_fuzzy_words(n)) for p, n in self._fuzzy + self._compounds}
        forbidden = [f for f in scheme.forbidden_names if f.strip()]
        self._first.update((p, first_word(f.split())) for p, f in zip(self._forbidden, forbidden))

    def identifies(self, text: str) -> bool:
        """True when text carries the canonical or an accepted name (case and spacing aside)."""
        text = normalise(text)
        return any(p.search(text) for p in self._exact)

    def mentions(self, text: str) -> bool:
        """True when text names the scheme or its brand in any form, right or wrong (file names too)."""
        text = re.sub(r"[_.]+", " ", text or "")
        return self.identifies(text) or any(p.search(text) for p, _ in self._compounds)

    def variants(self, text: str) -> list[str]:
        """Wrong forms of the name in text, quoted as written."""
        return list(dict.fromkeys(v.snippet for v in self.find(text)))

    def find(self, text: str) -> list[Variant]:
        text = text or ""
        scan = _Scan(text, self._first)
        found: list[Variant] = []
        for pattern, correct in self._fuzzy + self._compounds:
            for m in scan.matches(pattern):
                if not self._is_correct(m.group(), correct) and not _plain_words(m.group()):
                    _add(found, Variant(_quote(text, m), m.start(), m.end(), correct))
        for pattern in self._forbidden:
            for m in scan.matches(pattern):
                _add(found, Variant(_quote(text, m), m.start(), m.end(), self.names[0]))
        return sorted(found, key=lambda v: v.start)

    def _is_correct(self, snippet: str, correct: str) -> bool:
        snippet = normalise(snippet)
        if snippet in self.correct or snippet == normalise(correct):
            return True
        # capitals throughout are a typographic style, not a misspelling
        return snippet.isupper() and snippet in {c.upper() for c in self.correct | {normalise(correct)}}


class _Scan:
    """One text, its addresses masked only if some pattern's first word is in it at all."""

    def __init__(self, text: str, first: dict[re.Pattern, str | None]):
        self.text, self.first, self.folded = text, first, fold(text)
        self._masked: str | None = None
        self._starts: dict[str, list[int]] = {}

    def matches(self, pattern: re.Pattern):
        word = self.first.get(pattern)
        starts = None
        if word and self.folded is not None:
            starts = self._starts.setdefault(word, positions(self.folded, [word]))
        if starts == []:
            return ()
        if self._masked is None:
            self._masked = mask_addresses(self.text)
        return pattern.finditer(self._masked) if starts is None else finditer_at(pattern, self._masked, starts)


def mask_addresses(text: str) -> str:
    """Web and e-mail addresses, domain names, handles and hashtags blanked out. No address
    spans a line, so lines without a hint of one are kept as they are."""
    hints = (m.start() for m in ADDRESS_HINT.finditer(text))
    return replace_lines(text, lines_at(text, hints), _mask_line)


@line_cache()
def _mask_line(line: str) -> str:
    return ADDRESS.sub(lambda m: MASKED * len(m.group()), line)


def _fuzzy_words(name: str) -> list[str]:
    words = WORD.findall(name.replace(",", " "))
    return [] if words and words[0].lower() in ("and", "&") else words


def _fuzzy(name: str) -> str:
    words = WORD.findall(name.replace(",", " "))
    parts = ["(?:and|&|\\+)" if w.lower() in ("and", "&") else re.escape(w) for w in words]
    return rf"(?<![\w{MASKED}])" + (SEPARATOR.replace("]?", ",]?")).join(parts) + rf"(?![\w{MASKED}])"


def _spaced(name: str) -> str:
    return rf"[\s{SPACES}]+".join(re.escape(w) for w in name.split())


def _plain_words(snippet: str) -> bool:
    """'home start' in running text is ordinary English, not the brand."""
    return bool(re.fullmatch(rf"[a-z]+[\s{SPACES}]+[a-z]+", snippet.strip()))


def _quote(text: str, m: re.Match) -> str:
    return " ".join(text[m.start():m.end()].split())


def _add(found: list[Variant], new: Variant) -> None:
    if not any(v.start <= new.start and new.end <= v.end for v in found):
        found[:] = [v for v in found if not (new.start <= v.start and v.end <= new.end)] + [new]
