"""The shortcuts the checks take give exactly what the full scans give."""
from __future__ import annotations

import random
import re
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import Leniency, PhoneNumberMatcher

from auditor.checks import stale
from auditor.identity import hashing, logos
from auditor.identity.names import ADDRESS, MASKED, PUNCTUATION_TO_SPACE, UNPUNCTUATED_WORD, mask_addresses
from auditor.text import contacts, dates
from auditor.text.scan import CASE_BLIND_EXTRA, finditer_at, fold, line_cache, positions

# Pieces that make up awkward texts: near-misses of every pattern the checks use.
PIECES = ["Home", "home", "HOME", "Start", "-", "\u2011", " ", "  ", "\n", "\t", "\u00a0", "\u017f", "\u212a",
          "\u0130", "\u0131", "@", "#", ".", "dot", " dot ", "at", " at ", "[at]", "(dot)", "<at>", "gmail", "com",
          "co", "uk", "org", "www", "://", "http", "https", "/", "x", "07911", "123456", "+44", "020", "8000",
          "0000", "(", ")", "ext", "12:30", ":", "2024", "15", "06", "31", "13", "June", "Jan", "-", "\u00a9",
          "&copy;", "(c)", "(C)", "Copyright", "COPYRIGHT", "copyright", "Last", "updated", "Updated", "posted",
          "first", "published", "reviewed", "on", "\u2013", ",", "and", "&", "\u0660\u0661", "Vale", "Example"]
PHRASES = ["first published", "Last updated on", "last\n updated:", "Home-Start", "Home Start", "jane@gmail.com",
           "jane [at] gmail [dot] com", "jane at gmail dot com", "07911 123456", "+44 7911 123456", "\u00a9 2019",
           "Copyright 2016\u20132019", "(c) Home-Start 2019", "www.example.org/x", "@handle", "example.org.uk",
           "15 June 2024", "2024-06-15", "Posted on", "Reviewed \u2013", "#homestart", "x #tag"]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(PHRASES)), max_size=60).map("".join)


def test_fold_keeps_positions_and_every_letter_a_case_blind_pattern_takes():
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    letters = set(re.findall(r"[a-z]", everything, re.I))
    assert letters - set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == set(CASE_BLIND_EXTRA)
    for char in letters:
        assert fold(char).isascii() and re.fullmatch(fold(char), char, re.I)
    text = "Home-\u0130nfo K\u212a \u00a9 \u017ftart"
    assert len(fold(text)) == len(text) and fold(text) == "home-info kk \u00a9 start"


@settings(max_examples=300, deadline=None)
@given(texts)
def test_patterns_tried_only_where_they_start_find_what_a_full_scan_finds(text):
    folded = fold(text)
    for label, words in stale.LABEL_WORDS.items():
        full = [m.span() for m in label.finditer(text)]
        assert [m.span() for m in finditer_at(label, text, positions(folded, words))] == full
    starts = positions(text, dates.COPYRIGHT_STARTS)
    assert [m.span() for m in finditer_at(dates.COPYRIGHT, text, starts)] == \
        [m.span() for m in dates.COPYRIGHT.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(PHRASES),
                          st.sampled_from(["\u2019", "\u201c", "\u2026", "\u00a3", "caf\u00e9", "\x1c", "\u2028",
                                           "\x85", "\u3000", "_", "'"])), max_size=60).map("".join))
def test_words_of_a_text_by_pattern_are_the_words_left_once_punctuation_is_blanked(text):
    # the name check reads words by pattern where the text is not plain ASCII
    assert UNPUNCTUATED_WORD.findall(text) == text.translate(PUNCTUATION_TO_SPACE).split()


@settings(max_examples=300, deadline=None)
@given(texts)
def test_addresses_masked_line_by_line_as_in_one_pass(text):
    assert mask_addresses(text) == ADDRESS.sub(lambda m: MASKED * len(m.group()), text)


def _emails_in_one_pass(text: str) -> list:
    out, taken = [], []
    for pattern in contacts.EMAILS:
        for match in pattern.finditer(text):
            if match.group("tld").lower() in contacts.FILE_ENDINGS:
                continue
            if not any(a < match.end() and match.start() < b for a, b in taken):
                taken.append(match.span())
                out.append(contacts._email(match))
    return out


def _phones_in_one_pass(text: str, tries: int = contacts.MAX_TRIES) -> list:
    return [m.raw_string for m in PhoneNumberMatcher(text, "GB", leniency=Leniency.VALID, max_tries=tries)
            if contacts.phonenumbers.number_type(m.number) in contacts.PERSONAL_TYPES]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_contacts_found_line_by_line_as_in_one_pass(text):
    assert contacts.find_emails(text) == _emails_in_one_pass(text)
    assert [c.written for c in contacts.find_phones(text)] == _phones_in_one_pass(text)


def test_phone_matcher_that_runs_out_of_tries_is_followed(monkeypatch):
    """Past the matcher's allowance of invalid candidates the whole text is read as it would be."""
    text = "\n".join(["12 34 56"] * 6 + ["Call 07911 123456"])
    monkeypatch.setattr(contacts, "MAX_TRIES", 4)
    contacts._line_phones.cache_clear()
    try:
        assert _phones_in_one_pass(text, 4) == []
        assert contacts.find_phones(text) == []
        assert [c.written for c in contacts.find_phones(text.split("\n")[-1])] == ["07911 123456"]
    finally:
        contacts._line_phones.cache_clear()


def test_numeric_dates_are_read_as_dateparser_reads_them():
    rng, today = random.Random(7), date(2026, 11, 24)
    days = [date(1900, 1, 1) + timedelta(days=rng.randrange(73_000)) for _ in range(200)]
    for day in days:
        for written in (day.isoformat(), f"{day.day}/{day.month}/{day.year}", f"{day.day:02d}/{day.month:02d}/{day.year}"):
            assert dates.numeric_date(written) == dates._dateparser_date(written, today) == day
    for written in ("2023-02-29", "31/04/2024", "15/13/2024", "2024-6-15", "15/06/24", "1.2.2020"):
        assert dates.numeric_date(written) is None


@pytest.mark.parametrize("size", [64, 16])
def test_hash_bit_distance_is_the_hashing_distance(size):
    rng = random.Random(size)
    for _ in range(50):
        a, b = (tuple(f"{rng.getrandbits(size * 4):0{size}x}" for _ in range(2)) for _ in range(2))
        assert logos.bit_distance(a, b) == hashing.distance(a, b)


def test_line_cache_keeps_lines_but_never_a_page_long_text():
    calls = []

    @line_cache(maxsize=4, longest=100)
    def shout(text):
        calls.append(text)
        return text.upper()

    footer, page = "Call 020 8000 0000", "word " * 1000
    assert [shout(footer), shout(footer)] == [footer.upper()] * 2 and calls == [footer]
    assert shout(page) == shout(page) == page.upper() and calls == [footer, page, page]
    assert shout.cache_info().currsize == 1
