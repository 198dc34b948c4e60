"""The scheme's name: does a text carry it, and which wrong forms of it does a text use.

Wrong forms are derived from the configured names, so any scheme can use this: each
hyphenated word of a name ("Home-Start") must keep its hyphen and capitals; the whole
name must keep its words and punctuation; `scheme.forbidden_names` adds forms to refuse.
Web addresses, e-mail addresses, domain names, handles and hashtags are never variants.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Iterator
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
TOKEN = re.compile(r"[^\W_]+")
TYPO_MIN_LETTERS = 5       # shorter words have too many real words one letter away
RUN_CHARS = 120
JOINER = re.compile(r"[\s'\u2018\u2019\"\u201c\u201d,()&]+|-")     # a hyphen only inside a word: "Home-Start"
_PUNCTUATION = string.punctuation + "\u2018\u2019\u201c\u201d\u2013\u2014\u2026"
PUNCTUATION_TO_SPACE = str.maketrans({c: " " for c in _PUNCTUATION})
# the same words, found by a pattern: str.translate is fast only on plain ASCII text, and one curly
# apostrophe on a page made it eight times slower than this
UNPUNCTUATED_WORD = re.compile(rf"[^\s{re.escape(_PUNCTUATION)}]+")
SEPARATORS = re.compile(r"([\s,\-]+)")
SMALL_WORDS = {"and", "of", "the", "for", "in", "at", "on"}
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
        # "wpo" in a file name stands for Westminster Philharmonic Orchestra
        self._initials = {i for n in self.names for i in _initials(n) if len(i) >= 3}
        self._after_comma = {w.lower() for n in self.names for w in re.findall(r",\s*(\w+)", n)}
        self._all_words = {n: {w.lower() for w in TOKEN.findall(n)} for n in self.names}
        self._words = {n: words - SMALL_WORDS for n, words in self._all_words.items()}
        self._typos: dict[str, tuple[str, str]] = {}
        for n in reversed(self.names):      # the canonical name wins
            for word in TOKEN.findall(n):
                if len(word) >= TYPO_MIN_LETTERS and word.lower() not in SMALL_WORDS:
                    self._typos.update((t, (word, n)) for t in _typos(word.lower()))
        known = {w for words in self._words.values() for w in words}
        self._typos = {t: v for t, v in self._typos.items() if t not in known}
        self._typo_hints = sorted(known)

    def identifies(self, text: str) -> bool:
        """True when text carries the canonical or an accepted name (case and spacing aside)."""
        text = normalise(text)
        return any(p.search(text) for p in self._exact)

    def mentions(self, text: str) -> bool:
        """True when text names the scheme or its brand in any form, right or wrong, or by its
        initials (file names too)."""
        text = re.sub(r"[_.]+", " ", text or "")
        return (self.identifies(text) or any(p.search(text) for p, _ in self._compounds)
                or any(w.lower() in self._initials for w in re.split(r"[\W_]+", text)))

    def without(self, text: str) -> str:
        """The words of text left once every form of the scheme's names, right or wrong, and its
        initials are taken out (file names too: "home-start_logo.png" leaves "logo png")."""
        text = re.sub(r"[_.]+", " ", text or "")
        for pattern in [p for p, _ in self._fuzzy + self._compounds] + self._forbidden:
            text = pattern.sub(" ", text)
        return " ".join(w for w in re.split(r"[\W_]+", text) if w and w.lower() not in self._initials)

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
        for variant in self._misspelt(text, scan.folded):
            _add(found, variant)
        return sorted(found, key=lambda v: v.start)

    def _misspelt(self, text: str, folded: str | None) -> Iterator[Variant]:
        """A word of the name mistyped ("1st and 7th Jubliee Scouts"): one letter wrong, missing,
        added or two swapped, among the name's other words so that, read right, the run is the
        name with at most one word left out."""
        if not self._typos:
            return
        for m in self._mistyped_words(text, folded):
            typo = self._typos.get(m.group().lower())
            if typo is None or m.group()[0].isupper() != typo[0][0].isupper():
                continue
            word, name = typo
            words = self._words[name]
            run = _run(text, m, word, self._all_words[name])
            said = {t.group().lower() for t in run if t is not m} | {word.lower()}
            if len(words - said) <= 1 and len(said - SMALL_WORDS) >= 3:
                start, end = run[0].start(), run[-1].end()
                yield Variant(" ".join(text[start:end].split()), start, end, name)

    def _mistyped_words(self, text: str, folded: str | None) -> Iterator[re.Match]:
        """Each word of text that is one of the name's words mistyped; most texts have none, which a
        set intersection over the lower-cased words tells at once."""
        lowered = folded if folded is not None else text.lower()
        words = lowered.translate(PUNCTUATION_TO_SPACE).split() if lowered.isascii() else UNPUNCTUATED_WORD.findall(lowered)
        found = set(words) & self._typos.keys()
        if found:
            yield from (m for m in TOKEN.finditer(text) if m.group().lower() in found)

    def _is_correct(self, snippet: str, correct: str) -> bool:
        snippet = normalise(snippet)
        forms = self.correct | {normalise(correct)}
        if snippet in forms:
            return True
        # capitals throughout are a typographic style, not a misspelling
        if snippet.isupper() and snippet in {c.upper() for c in forms}:
            return True
        if any(_same_words(snippet, form) for form in forms):
            return True
        # "St Mary's, Henbury" where the scheme itself writes "St Mary the Virgin, Henbury"
        commas = re.findall(r",\s*(\w+)", snippet)
        return bool(commas) and all(w.lower() in self._after_comma for w in commas) and any(
            _same_words(" ".join(snippet.replace(",", " ").split()), form) for form in forms)


def _same_words(snippet: str, form: str) -> bool:
    """The same words and separators as a correct form, capitals aside where they are only style:
    a word the name writes in small letters ("the", "and") may take a capital ("The Hall" opening
    a sentence), and a name of ordinary words may be written all in small letters in running text
    ("the village hall"); a hyphenated brand keeps its capitals ("home-start" is wrong)."""
    got, want = SEPARATORS.split(snippet), SEPARATORS.split(form)
    if len(got) != len(want) or got == want:
        return got == want
    running = snippet[:1].lower() + snippet[1:]        # its first letter may open a sentence
    plain = running.islower() and "-" not in form and all(w.islower() or w.istitle() for w in want[::2])
    return all(g == w or (g.lower() == w.lower() and (plain or w.islower()))
               for g, w in zip(got, want))


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


def _run(text: str, m: re.Match, meant: str, words: set[str]) -> list[re.Match]:
    """The tokens around `m` (which stands for the word `meant`) that are among `words`, each once,
    joined only by spaces, quotes, commas or brackets; without small words at either end."""
    run, seen = [m], {meant.lower()}

    def takes(t: re.Match, gap: str) -> bool:
        word = t.group().lower()
        if word not in words or not JOINER.fullmatch(gap) or (word in seen and word not in SMALL_WORDS):
            return False
        seen.add(word)
        return True
    for t in reversed(list(TOKEN.finditer(text, max(0, m.start() - RUN_CHARS), m.start()))):
        if not takes(t, text[t.end():run[0].start()]):
            break
        run.insert(0, t)
    for t in TOKEN.finditer(text, m.end(), m.end() + RUN_CHARS):
        if not takes(t, text[run[-1].end():t.start()]):
            break
        run.append(t)
    while run[0] is not m and run[0].group().lower() in SMALL_WORDS:
        run.pop(0)
    while run[-1] is not m and run[-1].group().lower() in SMALL_WORDS:
        run.pop()
    return run


def _typos(word: str) -> set[str]:
    """The word with one letter wrong, missing or added, or two neighbours swapped."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = set()
    for i in range(len(word) + 1):
        out.add(word[:i] + word[i + 1:])
        out.add(word[:i] + word[i + 1:i + 2] + word[i:i + 1] + word[i + 2:])
        out.update(word[:i] + c + word[i + 1:] for c in letters)
        out.update(word[:i] + c + word[i:] for c in letters)
    out.discard(word)
    return out


def _initials(name: str) -> set[str]:
    """A name's initials, with and without its small words: "hsbbah", "hsbbh"."""
    words = re.findall(r"[^\W_]+", name.lower())
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in SMALL_WORDS)}


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
