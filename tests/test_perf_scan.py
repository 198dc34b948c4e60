"""Fast paths kept exact: whitespace collapsing in extracts and the consent hashes' median."""
from __future__ import annotations

import re

import numpy as np
from hypothesis import given, settings, strategies as st

from auditor.consent.hashing import _median
from auditor.crawl import extract

PIECES = [" ", "  ", "\t", "\n", "\r", "\u00a0", "\u2028", "\u3000", "\x00", "\x1c", "\x85", "-", ".", "a", "Home",
          "Start", "word", "\u200b", "\ufeff"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
OLD_WS = re.compile(r"\s+")


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_whitespace_is_collapsed_as_before(text):
    assert extract.clean(text) == OLD_WS.sub(" ", text).strip()
    parts = re.split(r"(\n)", text)
    old = "\n".join(filter(None, (OLD_WS.sub(" ", line).strip() for line in "".join(parts).split("\n"))))
    assert extract._join(parts) == old


@given(st.lists(st.floats(allow_nan=True, width=32), min_size=1, max_size=300))
def test_the_consent_hash_median_is_numpys(values):
    arr = np.array(values, dtype=np.float32)
    expected, got = np.median(arr), _median(arr)
    assert (np.isnan(expected) and np.isnan(got)) or (expected == got and expected.dtype == got.dtype)
