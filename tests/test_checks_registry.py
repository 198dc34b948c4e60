"""The registry of checks: every finding code belongs to exactly one check, and each declares itself."""
from __future__ import annotations

import pytest

from auditor import checks
from auditor.checks import Check
from auditor.findings import CODES


def test_every_code_is_emitted_by_exactly_one_check():
    declared = [code for check in checks.REGISTRY for code in check.codes]
    assert sorted(declared) == sorted(CODES)


def test_checks_have_distinct_names_a_summary_and_a_step():
    names = [check.name for check in checks.REGISTRY]
    assert len(names) == len(set(names))
    for check in checks.REGISTRY:
        assert check.summary and (check.page or check.site)
        assert all(check.clause(code) == CODES[code][0] for code in check.codes)


def test_owner_names_the_check_of_a_code():
    assert checks.owner("logo.deprecated").name == "logo"
    assert checks.owner("content.stale").name == "stale"


def test_a_check_declaring_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="unknown codes"):
        Check("typo", "Typo.", ("link.brokn",), site=lambda snapshot, resources: ())


def test_a_page_local_check_needs_a_page_step():
    with pytest.raises(ValueError, match="page_local"):
        Check("odd", "Odd.", ("link.broken",), site=lambda snapshot, resources: (), page_local=True)
