"""Crawl speed on a generated site: `python -m tests.bench_crawl [pages] [images]`.

The site is served by the test server in a separate process (so it does not share this
process's interpreter lock), crawled with delay 0, then crawled again unchanged.
Prints pages per second, the second run's share of conditional requests answered 304,
and peak memory. Not part of the test suite: timings are not asserted anywhere.
"""
from __future__ import annotations

import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

from tests.conftest import SiteServer
from tests.crawl_support import crawl, link_farm


def _serve(root: str, port_out, pages: int = 0, images: int = 0) -> None:
    if pages:       # built here so that the crawler's process measures only itself
        link_farm(Path(root), pages, links_per_page=35, images=images, filler=6_000, padding=14_000)
    server = SiteServer(Path(root))
    port_out.put(server.port)
    while True:
        time.sleep(3600)


def main(pages: int = 500, images: int = 100) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ports = multiprocessing.Queue()
        proc = multiprocessing.Process(target=_serve, args=(str(Path(tmp) / "site"), ports, pages, images),
                                       daemon=True)
        proc.start()
        try:
            port = ports.get(timeout=120)
            config = Path(tmp) / "auditor.toml"
            config.write_text(f'[scheme]\nname = "Home-Start Bench"\nwebsite = "http://127.0.0.1:{port}/"\n'
                              f'[crawl]\ndelay_seconds = 0\nmax_pages = {pages + 10}\nmax_per_pattern = {pages + 10}\n'
                              '[storage]\ndirectory = "var"\n', encoding="utf-8")
            s1, cpu1 = _timed(config)
            s2, cpu2 = _timed(config)
        finally:
            proc.terminate()
    print(f"first run: {s1['pages']} pages, {s1['images']} images, {s1['requests']} requests in {s1['seconds']} s "
          f"= {s1['pages_per_second']} pages/s, crawler CPU {cpu1:.2f} s")
    print(f"re-run: {s2['requests']} requests, {s2['conditional']} conditional, {s2['not_modified']} answered 304 "
          f"({100 * s2['not_modified'] / max(1, s2['requests']):.1f}%) in {s2['seconds']} s, crawler CPU {cpu2:.2f} s")
    print(f"peak RSS of the crawling process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


def _timed(config: Path) -> tuple[dict, float]:
    """One crawl's stats and the CPU seconds this process spent on it (the server runs elsewhere)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    snapshot, _ = crawl(config)
    after = resource.getrusage(resource.RUSAGE_SELF)
    del snapshot.pages[:]
    return snapshot.stats, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
