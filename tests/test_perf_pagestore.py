"""The disk-backed page store behind an audit's `snapshot.pages`."""
from __future__ import annotations

import os
import tracemalloc

from auditor.crawl.extract import extract
from auditor.pagestore import PageStore
from auditor.snapshot import ImageUse, Page
from crawl_support import page_html


def _page(i: int, words: int = 50) -> Page:
    html = page_html(f"Page {i}", "Family support in Testshire. " * words, links=(f"/p/{i + 1}.html", "/"),
                     images=(f"/img/{i}.png",))
    page = extract(Page(url=f"https://example.org/p/{i}.html", status=200), html)
    page.images.append(ImageUse(src="https://example.org/og.png", kind="og:image", alt=None))
    page.headers = {"etag": f'"{i}"'}
    return page


def test_pages_come_back_whole_in_order_as_often_as_asked(tmp_path):
    originals = [_page(i) for i in range(30)]
    with PageStore(tmp_path) as store:
        assert not store and len(store) == 0
        for page in originals:
            store.append(page)
        assert store and len(store) == 30
        first = [p.to_dict() for p in store]
        assert first == [p.to_dict() for p in originals]
        # two passes at once (one check's generator inside another's) see every page
        pairs = [(a.url, b.url) for a in store for b in store if b.url == a.url]
        assert [a for a, _ in pairs] == [p.url for p in originals]
        assert store[3].title == "Page 3" and store[-1].url == originals[-1].url
        assert store[0].images[-1].alt is None and store[0].links[0].url == "https://example.org/p/1.html"


def test_the_file_is_anonymous_and_gone_once_closed(tmp_path):
    store = PageStore(tmp_path / "storage")
    store.append(_page(1))
    fd = store._file.fileno()
    assert os.listdir(tmp_path / "storage") == []       # nothing to leave behind if the process dies
    assert os.fstat(fd).st_nlink == 0
    store.close()
    assert len(store) == 0 and list(store) == []
    try:
        os.fstat(fd)
        still_open = True
    except OSError:
        still_open = False
    assert not still_open


def test_memory_stays_flat_however_many_pages(tmp_path):
    """Neither storing nor reading keeps more than a page or so in memory."""
    big = "Family support in Testshire, week after week. " * 4000     # ~180 KB of text a page
    with PageStore(tmp_path) as store:
        tracemalloc.start()
        try:
            for i in range(120):                                       # ~40 MB of text in all
                store.append(Page(url=f"https://example.org/{i}", text=big + str(i), regions={"main": big}))
            _, stored_peak = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            seen = sum(1 for page in store if page.text.endswith(str(page.url.rsplit("/", 1)[1])))
            _, read_peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert seen == 120
        assert stored_peak < 5 * 2**20 and read_peak < 5 * 2**20
