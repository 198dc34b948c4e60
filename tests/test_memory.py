"""Memory of a large audit: findings written as a stream, compared in SQL, caches that stay bounded."""
from __future__ import annotations

import json
import os

from auditor import findings as findings_mod
from auditor import pipeline
from auditor.checks import logo
from auditor.config import load
from auditor.findings import Finding
from auditor.history import History
from crawl_support import page_html, write_site
from test_identity_checks import (APPROVED, STRANGER, ctx, images, logo_img, page,  # noqa: F401 - fixtures
                                        run_logo)


def finding(subject, message="Broken.", url="https://x.org/a", **evidence):
    return Finding("link.broken", url=url, subject=subject, message=message, evidence=evidence)


def test_streamed_findings_document_is_exactly_what_json_dump_writes(tmp_path):
    found = [finding("https://x.org/1", "Un lien cass\u00e9 \u201cici\u201d\n", status=404, where={"a": [1, {}]}),
             finding("https://x.org/2", evidence_free="", empty=[]), finding(None, "\u05e9\u05dc\u05d5\u05dd")]
    for items in (found, []):
        doc = findings_mod.document("Home-Start \u00c9x", "2026-01-01T07:00:00+00:00", "2026-01-01T07:05:00+00:00",
                                    {"pages": 3}, items, run_id=4, notes=["a\tb"])
        findings_mod.write_document(tmp_path / "whole.json", doc)
        findings_mod.write_document(tmp_path / "streamed.json", {**doc, "findings": []},
                                    sorted(items, key=findings_mod.sort_key))
        assert (tmp_path / "streamed.json").read_bytes() == (tmp_path / "whole.json").read_bytes()
        assert json.loads((tmp_path / "streamed.json").read_text(encoding="utf-8"))["run_id"] == 4


def run_with(history: History, found, pages=()):
    run_id = history.start_run("2026-01-01T07:00:00+00:00", os.getpid())
    history.save_findings(run_id, found)
    history.save_pages(run_id, pages)
    history.finish_run(run_id, "complete", "2026-01-01T07:05:00+00:00", {})
    return run_id


def test_compare_with_the_findings_in_hand_matches_the_saved_ones(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        run_with(h, [finding("https://x.org/1"), finding("https://x.org/2")])
        current = [finding("https://x.org/3"), finding("https://x.org/1", "first"), finding("https://x.org/1", "last")]
        second = run_with(h, current)
        saved, held = h.compare(second), h.compare(second, current)
        for cmp in (saved, held):
            assert [(f.subject, f.message) for f in cmp.new] == [("https://x.org/3", "Broken.")]
            assert [(f.subject, f.message) for f in cmp.still_open] == [("https://x.org/1", "last")]
            assert [f.subject for f in cmp.resolved] == ["https://x.org/2"]
        assert held.new[0] is current[0]        # the findings in hand, not copies read back
        # A repeated fingerprint keeps its first place and its last wording, as the report shows it.
        assert [(f.subject, f.message) for f in h.findings(second)] == [("https://x.org/3", "Broken."),
                                                                        ("https://x.org/1", "last")]


def test_changes_are_sorted_by_address_and_empty_on_a_first_audit(tmp_path):
    with History(tmp_path / "h.sqlite3") as h:
        first = run_with(h, [], [("https://x.org/b", "d", "B"), ("https://x.org/a", "d", "A"), ("https://x.org/\u00e9", "d", "E")])
        assert h.changes(first).previous_run is None and h.changes(first).new_pages == []
        second = run_with(h, [], [("https://x.org/z", "d", "Z"), ("https://x.org/c", "d", "C"),
                                  ("https://x.org/\u00e9", "d2", "E"), ("https://x.org/b", "d", "B")])
        ch = h.changes(second)
        assert ch.new_pages == [("https://x.org/c", "C"), ("https://x.org/z", "Z")]
        assert ch.changed_pages == [("https://x.org/\u00e9", "E")]
        assert ch.removed_pages == [("https://x.org/a", "A")]


def test_pages_reach_the_history_in_batches_during_the_crawl(serve, write_config, tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline._PageDigests, "BATCH", 2)
    paths = [f"/p{i}/" for i in range(5)]
    site = {"/": page_html("Home", links=paths), **{p: page_html(p.strip("/")) for p in paths}}
    config = load(write_config(serve(write_site(tmp_path / "site", site, {})).url("/")))
    first = pipeline.run(config, pipeline.Options(send_email=False))
    with History(config.storage / "history.sqlite3") as h:
        assert h.db.execute("SELECT count(*) FROM pages WHERE run_id=?", (first.run_id,)).fetchone()[0] == 6
    second = pipeline.run(config, pipeline.Options(send_email=False))
    assert second.changes.previous_run.id == first.run_id
    assert second.changes.new_pages == second.changes.changed_pages == second.changes.removed_pages == []


def test_logo_claims_remembered_are_bounded_without_changing_findings(images, ctx, monkeypatch):  # noqa: F811
    pages = [page(f"/p{i}", header=logo_img(), main=f"<h2>Story {i}</h2>" + logo_img(STRANGER, alt="Home-Start logo"))
             for i in range(6)] + [page("/bare", main="<p>No logo.</p>")]
    whole = run_logo(pages, images, ctx)
    monkeypatch.setattr(logo, "CLAIMS_KEPT", 2)
    assert run_logo(pages, images, ctx) == whole
    assert ("logo.unrecognised", "/p5", STRANGER) in whole and ("logo.missing", "/bare", None) in whole
    assert APPROVED not in {subject for _, _, subject in whole}


def test_a_hosts_images_wait_ahead_of_its_pages_in_their_own_order():
    from auditor.crawl.tasks import Task
    from auditor.crawl.website import HostQueue

    queue = HostQueue()
    for task in (Task("page", "https://x.org/1"), Task("image", "https://x.org/a.jpg"), Task("link", "https://x.org/2"),
                 Task("image", "https://x.org/b.jpg")):
        queue.append(task)
    assert len(queue) == 4
    order = [queue.popleft().url for _ in range(4)]
    assert order == ["https://x.org/a.jpg", "https://x.org/b.jpg", "https://x.org/1", "https://x.org/2"]
    assert not queue
    # while the decoding workers are all busy, pages go on and images wait
    queue.append(Task("image", "https://x.org/c.jpg"))
    queue.append(Task("page", "https://x.org/3"))
    assert queue.popleft(images=False).url == "https://x.org/3"
    assert queue.popleft(images=False) is None and len(queue) == 1


def _rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def test_trim_hands_freed_heap_back_to_the_system():
    import ctypes
    import sys

    import pytest

    from auditor import heap

    libc = ctypes.CDLL(None)
    if not sys.platform.startswith("linux") or not hasattr(libc, "malloc_trim"):
        pytest.skip("needs glibc")
    libc.malloc.restype, libc.malloc.argtypes, libc.free.argtypes = ctypes.c_void_p, [ctypes.c_size_t], [ctypes.c_void_p]
    blocks = [libc.malloc(1000) for _ in range(30_000)]
    for block in blocks:
        ctypes.memset(block, 1, 1000)       # touched, so resident
    for block in blocks[:-1]:               # the last one keeps the heap's top where it is
        libc.free(block)
    before = _rss_kb()
    heap.trim()
    assert before - _rss_kb() > 10_000      # most of the ~30 MB freed goes back
    libc.free(blocks[-1])
