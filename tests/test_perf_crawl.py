"""Resource bounds of a crawl: images decoded one per core at a time, pages kept on disk."""
from __future__ import annotations

import threading
import time

from auditor import imaging, pipeline
from auditor.config import load
from auditor.pagestore import PageStore
from crawl_support import crawl, link_farm


def test_no_more_images_are_decoded_at_once_than_there_are_cores(serve, write_config, tmp_path, monkeypatch):
    server = serve(link_farm(tmp_path / "site", 6, links_per_page=3, images=8))
    original, lock, now, most = imaging.analyse, threading.Lock(), [0], [0]

    def watched(*args, **kwargs):
        with lock:
            now[0] += 1
            most[0] = max(most[0], now[0])
        time.sleep(0.05)       # long enough for other workers to arrive if nothing held them back
        try:
            return original(*args, **kwargs)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(imaging, "analyse", watched)
    monkeypatch.setattr("auditor.crawl.website.os.cpu_count", lambda: 1)
    snapshot, _ = crawl(write_config(server.url("/")), workers=4)
    assert sum(1 for info in snapshot.images.values() if info.ok) == len(snapshot.images) == 7
    assert most[0] == 1


def test_an_audit_checks_pages_from_the_page_store(serve, write_config, tmp_path, monkeypatch):
    server = serve(link_farm(tmp_path / "site", 12, links_per_page=3))
    stores: list[PageStore] = []
    monkeypatch.setattr(pipeline, "PageStore", lambda folder: stores.append(PageStore(folder)) or stores[-1])
    result = pipeline.run(load(write_config(server.url("/"))), pipeline.Options(send_email=False))
    assert result.counts["pages"] == 13
    assert len(stores) == 1 and len(stores[0]) == 0      # emptied and closed once the audit ended
    assert stores[0]._file.closed
