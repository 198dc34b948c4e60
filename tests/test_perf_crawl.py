"""Resource bounds of a crawl: images decoded by one worker process per core but one, pages kept on disk."""
from __future__ import annotations

from auditor import pipeline
from auditor.config import load
from auditor.pagestore import PageStore
from crawl_support import link_farm


def test_images_are_decoded_by_one_worker_per_core_but_one(serve, write_config, tmp_path, monkeypatch):
    """A worker decodes one image at a time and holds its own copy of the imaging libraries:
    on two cores one worker decodes every image while the audit's own thread parses and checks."""
    server = serve(link_farm(tmp_path / "site", 6, links_per_page=3, images=8))
    monkeypatch.setattr("auditor.isolation.os.cpu_count", lambda: 2)
    result = pipeline.run(load(write_config(server.url("/"), crawl="workers = 4")), pipeline.Options(send_email=False))
    assert result.counts["images"] == 7
    assert result.stats["workers_started"] == 1 and result.stats["workers_lost"] == 0


def test_an_audit_checks_pages_from_the_page_store(serve, write_config, tmp_path, monkeypatch):
    server = serve(link_farm(tmp_path / "site", 12, links_per_page=3))
    stores: list[PageStore] = []
    monkeypatch.setattr(pipeline, "PageStore", lambda folder: stores.append(PageStore(folder)) or stores[-1])
    result = pipeline.run(load(write_config(server.url("/"))), pipeline.Options(send_email=False))
    assert result.counts["pages"] == 13
    assert len(stores) == 1 and len(stores[0]) == 0      # emptied and closed once the audit ended
    assert stores[0]._file.closed
