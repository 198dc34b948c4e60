"""The fast text scans give exactly what the plain regular-expression scans give."""
from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import imagehash
import numpy as np
import phonenumbers
from hypothesis import given, settings, strategies as st
from phonenumbers import Leniency, PhoneNumberMatcher

from auditor.checks import stale
from auditor.consent.hashing import _median
from auditor.crawl import extract
from auditor.identity import names
from auditor.identity.hashing import differing_bits
from auditor.text import contacts, dates
from auditor.text.scan import Words, finditer_lines, sub_runs

PIECES = [" ", "  ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u3000", "\x00", "-", "\u2011", ".", ",", ":", "/", "@",
          "#", "[", "]", "(", ")", "<", ">", "_", "+", "&", "\u0130", "\u0131", "\u017f", "\u212a", "K", "at", "dot",
          "Home", "home", "HOME", "Start", "start", "homestart", "Barnet", "Brent", "and", "Harrow", "last", "Last",
          "updated", "Updated:", "posted on", "first published", "revised", "x", "gmail", "com", "co.uk",
          "www.", "http://", "07911", "123456", "+44", "020 8", "2024", "15", "June", "3/4/2024", "2021-05-06", "th"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
OLD_WS = re.compile(r"\s+")
SCHEMES = [SimpleNamespace(name="Home-Start Barnet, Brent and Harrow", accepted_names=("Home-Start BBH",),
                           forbidden_names=("Homestart", "Home Start UK", "-Home")),
           SimpleNamespace(name="and Home-Start", accepted_names=(), forbidden_names=())]


class PlainNames(names.NameMatcher):
    def _finditer(self, pattern, words):
        return pattern.finditer(words.text)


def _mask(m: re.Match) -> str:
    return names.MASKED * len(m.group())


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_masking_and_name_variants_match_the_plain_scan(text):
    assert sub_runs(names.ADDRESS, _mask, text, names.ADDRESS_ANCHOR) == names.ADDRESS.sub(_mask, text)
    for scheme in SCHEMES:
        assert names.NameMatcher(scheme).find(text) == PlainNames(scheme).find(text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_labels_found_from_their_words_match_the_plain_scan(text):
    for label, words in ((stale.UPDATED_LABEL, stale.UPDATED_WORDS), (stale.POSTED_LABEL, stale.POSTED_WORDS)):
        assert [m.span() for m in Words(text).finditer(label, words)] == [m.span() for m in label.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_emails_and_urls_read_by_line_or_run_match_the_plain_scan(text):
    plain = [m.span() for pattern in contacts.EMAILS for m in pattern.finditer(text)]
    fast = [m.span() for pattern, anchor in zip(contacts.EMAILS, contacts.ANCHORS)
            for m in finditer_lines(pattern, anchor, text)]
    assert fast == plain

    def blank(m):
        return " " * len(m.group())
    assert sub_runs(dates.URLISH, blank, text, dates.URL_ANCHOR) == dates.URLISH.sub(blank, text)


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_phone_numbers_and_dates_read_only_on_lines_with_digits_match(text):
    plain = [phonenumbers.format_number(m.number, phonenumbers.PhoneNumberFormat.E164)
             for m in PhoneNumberMatcher(text, "GB", leniency=Leniency.VALID)
             if phonenumbers.number_type(m.number) in contacts.PERSONAL_TYPES]
    assert [c.value for c in contacts.find_phones(text)] == plain
    today = date(2026, 11, 24)
    plain_dates = [m.group() for line in text.splitlines()
                   for m in dates.CANDIDATE.finditer(dates.URLISH.sub(lambda u: " " * len(u.group()), line))
                   if dates._read(m, today)]
    assert [d.text for d in dates.find_dates(text, today)] == [d.strip() for d in plain_dates]


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_whitespace_is_collapsed_as_before(text):
    assert extract.clean(text) == OLD_WS.sub(" ", text).strip()
    parts = re.split(r"(\n)", text)
    old = "\n".join(filter(None, (OLD_WS.sub(" ", line).strip() for line in "".join(parts).split("\n"))))
    assert extract._join(parts) == old


@given(st.integers(min_value=0, max_value=2**256 - 1), st.integers(min_value=0, max_value=2**256 - 1))
def test_hash_distance_by_xor_is_imagehash_distance(a, b):
    x, y = f"{a:064x}", f"{b:064X}"
    assert differing_bits(x, y) == imagehash.hex_to_hash(x) - imagehash.hex_to_hash(y)
    assert differing_bits(x[:16], y[:16]) == imagehash.hex_to_hash(x[:16]) - imagehash.hex_to_hash(y[:16])


@given(st.lists(st.floats(allow_nan=True, width=32), min_size=1, max_size=300))
def test_the_consent_hash_median_is_numpys(values):
    arr = np.array(values, dtype=np.float32)
    expected, got = np.median(arr), _median(arr)
    assert (np.isnan(expected) and np.isnan(got)) or (expected == got and expected.dtype == got.dtype)
