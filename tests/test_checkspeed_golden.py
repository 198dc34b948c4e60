"""What the checks find is pinned: making them faster must not change a single finding.

The golden file was written by the checks before any speed work; `pytest --update-golden`
rewrites it (review the diff: it should only change when a check is meant to find something new).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor import config as config_mod
from auditor.checks import Resources, Runner
from auditor.checks import stale
from auditor.identity.names import NameMatcher
from auditor.snapshot import Snapshot
from auditor.text import contacts, dates
from checkspeed_support import (AWKWARD, BENCH_SITE, DEMO_SITE, GOLDEN, NOW, ROOT, awkward_page, bench_pages,
                                plain, site_pages)

LOGOS = ROOT / "reference_assets" / "logos"
SCHEMES = {
    "bench": ('name = "Home-Start Example Vale"', BENCH_SITE, '["020 8000 0000"]'),
    "demo": ('name = "Home-Start Barnet, Brent and Harrow"\naccepted_names = ["Home-Start BBH"]\n'
             'forbidden_names = ["Homestart BBH", "Home Start UK"]', DEMO_SITE,
             '["020 8000 0000", "@homestartbbh.example"]'),
    "kirklees": ('name = "Home-Start Kirklees"', "https://www.homestartkirklees.example", "[]"),
}


def _context(tmp_path: Path, key: str) -> Resources:
    scheme, website, allowed = SCHEMES[key]
    path = tmp_path / f"{key}.toml"
    path.write_text(
        f'[scheme]\n{scheme}\nwebsite = "{website}/"\n\n[crawl]\ndelay_seconds = 0\n\n'
        f'[identity]\napproved_logos = "{LOGOS / "approved"}"\ndeprecated_logos = "{LOGOS / "deprecated"}"\n\n'
        f'[privacy]\nallowed_contacts = {allowed}\n\n[storage]\ndirectory = "{tmp_path / "var"}"\n',
        encoding="utf-8")
    return Resources(config=config_mod.load(path), now=NOW)


def _pages(key: str) -> list:
    if key == "bench":
        return [*bench_pages(), awkward_page(BENCH_SITE)]
    if key == "demo":
        return [*site_pages(ROOT / "auditor" / "demo" / "site", DEMO_SITE),
                *site_pages(ROOT / "tests" / "sites" / "content", DEMO_SITE + "/content"), awkward_page(DEMO_SITE)]
    return [awkward_page(SCHEMES[key][1])]


def _findings(ctx: Resources, pages: list) -> list:
    runner = Runner(ctx)
    for page in pages:
        runner.page(page)
    runner.site(Snapshot(website=ctx.config.scheme.website, started_at=NOW.isoformat(), pages=pages))
    assert not runner.failures, runner.failures
    return plain(runner.findings)


def _helpers(ctx: Resources, pages: list) -> dict:
    """Each text helper on each awkward line, the whole awkward text and every page's text."""
    names = NameMatcher(ctx.config.scheme)
    today = NOW.date()
    texts = [*AWKWARD.splitlines(), AWKWARD, *(p.text for p in pages)]
    out = {"names": [], "mentions": [], "emails": [], "phones": [], "contacts": [], "dates": [], "events": [],
           "leading": [], "copyright": []}
    host = ctx.config.site_host
    for text in texts:
        out["names"].append(plain(names.find(text)))
        out["mentions"].append([names.identifies(text), names.mentions(text)])
        out["emails"].append(plain(contacts.find_emails(text)))
        out["phones"].append(plain(contacts.find_phones(text)))
        out["contacts"].append(plain(contacts.find_contacts(text, host, ctx.config.privacy.allowed_contacts)))
        out["dates"].append(plain(dates.find_dates(text, today)))
        out["events"].append(plain(dates.find_event_dates(text, today)))
        out["copyright"].append(plain(dates.find_copyright_notices(text)))
    for line in AWKWARD.splitlines():
        for start in range(0, len(line), 7):
            out["leading"].append(plain(dates.leading_date(line[start:], today)))
    out["evidence"] = [plain(stale.evidence(p, today)) for p in pages]
    return out


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("golden")
    out = {}
    for key in SCHEMES:
        ctx = _context(tmp, key)
        pages = _pages(key)
        out[key] = {"findings": _findings(ctx, pages), "helpers": _helpers(ctx, pages)}
    return out


def test_findings_match_the_golden_file(results, request):
    if request.config.getoption("--update-golden"):
        GOLDEN.write_text(json.dumps(results, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    assert GOLDEN.is_file(), "no golden file yet: run pytest with --update-golden and review it"
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for key in SCHEMES:
        assert results[key]["findings"] == golden[key]["findings"], f"{key}: the findings changed"
        for helper, values in golden[key]["helpers"].items():
            assert results[key]["helpers"][helper] == values, f"{key}: {helper} results changed"


def test_the_golden_pages_exercise_every_content_check(results):
    codes = {f["check"] for group in results.values() for f in group["findings"]}
    assert {"content.stale", "event.past", "copyright.stale", "privacy.personal_data", "name.variant",
            "name.missing", "image.alt_missing"} <= codes
    helpers = results["bench"]["helpers"]
    assert sum(map(bool, helpers["names"])) > 5 and sum(map(bool, helpers["emails"])) > 3
    assert sum(map(bool, helpers["phones"])) > 3 and sum(map(bool, helpers["dates"])) > 5
