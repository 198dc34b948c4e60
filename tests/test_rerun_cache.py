"""A re-audit reuses each unchanged page's check results, and finds exactly what a full check finds.

The page cache keys a result by the page's content digest, addresses and sitemap date, the whole
config and the code; the logo check adds its images' analyses and the reference logo files. Checks
keep what they find in a page (the dates written on it) and compare it with today on every audit,
so a result is never out of date on a later day.
"""
from __future__ import annotations

import json
import shutil
import threading
import time

import pytest
from dataclasses import replace
from datetime import timedelta

from auditor import config as config_mod
from auditor import demo, pipeline
from auditor.checks import Check, Resources, Runner, onepass
from auditor.checks import crawl as crawl_check, name as name_check
from auditor.checks.pagecache import FILE, PageCache
from auditor.crawl import watchdog
from auditor.crawl.tasks import content_digest
from auditor.snapshot import ImageInfo, Snapshot
from auditor.identity.logos import load_folder
from checkspeed_support import BENCH_SITE, GOLDEN, NOW, ROOT, awkward_page, bench_pages, plain

LOGOS = ROOT / "reference_assets" / "logos"


def _config(tmp_path, name: str = "Home-Start Example Vale", extra: str = ""):
    path = tmp_path / f"{abs(hash((name, extra)))}.toml"
    path.write_text(
        f'[scheme]\nname = "{name}"\nwebsite = "{BENCH_SITE}/"\n\n[crawl]\ndelay_seconds = 0\n\n'
        f'[identity]\napproved_logos = "{LOGOS / "approved"}"\ndeprecated_logos = "{LOGOS / "deprecated"}"\n\n'
        f'[privacy]\nallowed_contacts = ["020 8000 0000"]\n\n[storage]\ndirectory = "{tmp_path / "var"}"\n{extra}',
        encoding="utf-8")
    return config_mod.load(path)


def _pages() -> list:
    """The bench slice and the awkward page of the golden file, digested as the crawl does."""
    pages = [*bench_pages(), awkward_page(BENCH_SITE)]
    for page in pages:
        page.digest = content_digest(page)
    return pages


def _check(config, pages, now=NOW, cache: PageCache | None = None, images=None) -> list:
    ctx = Resources(config=config, now=now, page_cache=cache)
    runner = Runner(ctx)
    for page in pages:
        runner.page(page)
    runner.site(Snapshot(website=BENCH_SITE, started_at=now.isoformat(), pages=pages, images=images or {}))
    assert not runner.failures, runner.failures
    return plain(runner.findings)


def _cached(tmp_path, config, pages, **kwargs) -> tuple[list, dict]:
    with PageCache(tmp_path / "var", config) as cache:
        found = _check(config, pages, cache=cache, **kwargs)
        cache.save(prune=True)
        return found, dict(cache.counts)


def test_a_rerun_served_from_the_cache_finds_what_the_golden_file_pins(tmp_path):
    config, pages = _config(tmp_path), _pages()
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))["bench"]["findings"]
    first, made = _cached(tmp_path, config, pages)
    again, reused = _cached(tmp_path, config, pages)
    assert first == again == golden
    assert made["page_results_made"] > 3 * len(pages) and made["page_results_reused"] == 0
    assert reused["page_results_made"] == 0 and reused["page_results_reused"] == made["page_results_made"]


def test_results_kept_on_one_day_are_judged_against_the_next_days_date(tmp_path):
    config, pages = _config(tmp_path), _pages()
    _cached(tmp_path, config, pages)
    for later in (timedelta(days=200), timedelta(days=800)):
        found, counts = _cached(tmp_path, config, pages, now=NOW + later)
        assert counts["page_results_made"] == 0
        assert found == _check(config, pages, now=NOW + later)
    assert _check(config, pages, now=NOW + timedelta(days=800)) != _check(config, pages)   # dates matter here


def test_a_changed_config_is_not_served_results_made_for_the_old_one(tmp_path):
    pages = _pages()
    _cached(tmp_path, _config(tmp_path), pages)
    renamed = _config(tmp_path, name="Home-Start Testshire", extra="\n[freshness]\nstale_after_days = 2000\n")
    found, counts = _cached(tmp_path, renamed, pages)
    assert counts["page_results_reused"] == 0
    assert found == _check(renamed, pages) != _check(_config(tmp_path), pages)


def test_a_changed_page_or_image_analysis_is_checked_afresh(tmp_path):
    config, pages = _config(tmp_path), _pages()
    logo = next(u.src for p in pages for u in p.images if u.region == "header")
    approved = ImageInfo(logo, status=200, format="PNG", width=240, height=80,
                         hashes=_reference_hashes(LOGOS / "approved"))
    _cached(tmp_path, config, pages, images={logo: approved})
    # The header logo is replaced by a retired one, and one page gains a mobile number.
    unknown = replace(approved, hashes=_reference_hashes(LOGOS / "deprecated"))
    changed = pages[0]
    changed.text += " Call Jo on 07534 201987."
    changed.digest = content_digest(changed)
    found, counts = _cached(tmp_path, config, pages, images={logo: unknown})
    assert found == _check(config, pages, images={logo: unknown})
    assert found != _check(config, pages, images={logo: approved})
    assert any(f["check"] == "logo.deprecated" for f in found)
    assert any(f["check"] == "privacy.personal_data" and changed.url in f["evidence"]["pages"] for f in found)
    assert counts["page_results_made"] > 0 and counts["page_results_reused"] > 0


def _reference_hashes(folder) -> dict[str, str]:
    return dict(load_folder(folder, folder.name)[0].hashes)


def test_only_results_that_survive_json_are_kept_and_unused_ones_are_dropped(tmp_path):
    config, page = _config(tmp_path), _pages()[0]

    def audit(name: str, prune: bool):
        with PageCache(tmp_path, config) as cache:
            value = cache.get(page, name, lambda p: "made again") if name else None
            cache.save(prune=prune)
            return value

    with PageCache(tmp_path, config) as cache:
        assert cache.get(page, "tuple", lambda p: (1, 2)) == (1, 2)
        assert cache.get(page, "list", lambda p: [1, {"a": None}]) == [1, {"a": None}]
        cache.save(prune=True)
    assert audit("tuple", prune=False) == "made again"           # a tuple would come back a list
    assert audit("", prune=False) is None and audit("list", prune=False) == [1, {"a": None}]
    assert audit("", prune=True) is None                          # a complete audit that did not use it
    assert audit("list", prune=True) == "made again"
    page.digest = ""                                              # nothing identifies the content
    with PageCache(tmp_path, config) as cache:
        assert cache.get(page, "list", lambda p: "fresh") == "fresh" and cache.counts["page_results_made"] == 1


def test_an_unreadable_cache_file_only_costs_speed(tmp_path):
    config, pages = _config(tmp_path), _pages()
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / FILE).write_bytes(b"this is not a database" * 100)
    found, counts = _cached(tmp_path, config, pages)
    assert found == _check(config, pages) and counts["page_results_reused"] == 0


def test_whole_audits_of_the_demo_site_agree_with_a_fresh_audit_after_a_page_changes(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(demo.data_dir() / "site", site)
    server, partner = demo.StaticServer(site), demo.StaticServer(demo.data_dir() / "partner")
    for s in (server, partner):
        s.tokens.update(site=server.url, partner=partner.url)
        s.start()
    try:
        config = config_mod.load(demo.write_config(_folder(tmp_path, "a"), server.url + "/", partner.url))
        first = pipeline.run(config, pipeline.Options(send_email=False))
        second = pipeline.run(config, pipeline.Options(send_email=False))
        assert second.stats["page_results_reused"] > 0 and second.stats["page_results_made"] == 0
        assert _plain(second) == _plain(first)
        about = site / "about.html"
        about.write_text(about.read_text(encoding="utf-8").replace(
            "</main>", "<p>Text Sam on 07534 201987 or sam.volunteer@gmail.com.</p></main>"), encoding="utf-8")
        third = pipeline.run(config, pipeline.Options(send_email=False))
        fresh = pipeline.run(config_mod.load(demo.write_config(_folder(tmp_path, "b"), server.url + "/",
                                                               partner.url)), pipeline.Options(send_email=False))
    finally:
        server.stop()
        partner.stop()
    assert third.stats["page_results_made"] > 0
    assert _plain(third) == _plain(fresh) != _plain(first)
    assert {f.subject for f in third.findings if f.check == "privacy.personal_data"} \
        > {f.subject for f in first.findings if f.check == "privacy.personal_data"}


def _folder(tmp_path, name: str):
    folder = tmp_path / name
    folder.mkdir()
    return folder


def _plain(result) -> list:
    return sorted(json.dumps(f.to_dict(), sort_keys=True) for f in result.findings)


def test_the_watchdog_cuts_only_requests_past_their_deadline_and_then_stops(monkeypatch):
    monkeypatch.setattr(watchdog, "IDLE_SECONDS", 0.2)
    dog, cut = watchdog.Watchdog(), []
    before = set(threading.enumerate())
    released = dog.watch(time.monotonic() + 0.05, lambda: cut.append("released"))
    [thread] = set(threading.enumerate()) - before
    dog.release(released)
    dog.watch(time.monotonic() + 0.15, lambda: cut.append("due second"))
    dog.watch(time.monotonic() + 0.05, lambda: cut.append("due first"))
    thread.join(timeout=5)
    assert not thread.is_alive()          # ended once idle
    assert cut == ["due first", "due second"]


class CountingStore(list):
    """A page list that counts how many pages are read from it, as from the disk-backed store."""

    reads = 0

    def __iter__(self):
        for page in list.__iter__(self):
            self.reads += 1
            yield page


def test_site_checks_share_one_read_of_the_pages_and_see_what_they_would_alone():
    store = CountingStore(range(100))

    def twice(snapshot):
        return [sum(snapshot.pages), sum(snapshot.pages), len(snapshot.pages), snapshot.pages[7]]

    def abandons(snapshot):
        first = next(p for p in snapshot.pages if p > 2)
        return [first, sum(1 for _ in snapshot.pages)]

    def fails(snapshot):
        for page in snapshot.pages:
            if page == 40:
                raise ValueError("broken check")

    def zipped(snapshot):
        return [a + b for a, b in zip(snapshot.pages, snapshot.pages)][-1]

    works = [lambda s: list(s.pages), twice, abandons, lambda s: "no pages", zipped]
    snapshot = Snapshot(website="https://e.org/", started_at="", pages=store)
    results = onepass.run(snapshot, works)
    assert results == [list(range(100)), [4950, 4950, 100, 7], [3, 100], "no pages", 198]
    assert store.reads == 100 + 100 + 100 + 100       # the shared read, and each second or parallel one
    seen: list = []
    with pytest.raises(ValueError, match="broken check"):
        onepass.run(snapshot, [fails, lambda s: seen.extend(s.pages)])
    assert seen == list(range(100))          # the other check still saw every page


def test_a_check_that_fails_part_way_through_the_shared_read_is_recorded_and_the_rest_run(tmp_path):
    def check(snapshot, ctx):
        for page in snapshot.pages:
            if page is pages[3]:
                raise RuntimeError("a bug")
        yield from ()

    broken = Check("broken", "A check with a bug.", (), site=check)
    config, pages = _config(tmp_path), _pages()
    runner = Runner(Resources(config=config, now=NOW))
    runner.checks = [crawl_check.CHECK, broken, name_check.CHECK]
    snapshot = Snapshot(website=BENCH_SITE, started_at=NOW.isoformat(), pages=pages, images={})
    runner.site(snapshot)
    alone = Runner(Resources(config=config, now=NOW))
    alone.checks = [crawl_check.CHECK, name_check.CHECK]
    alone.site(snapshot)
    assert [f.module for f in runner.failures] == ["broken"] and "a bug" in runner.failures[0].error
    assert plain(runner.findings) == plain(alone.findings)
