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


def _serve(root: str, port_out) -> None:
    server = SiteServer(Path(root))
    port_out.put(server.port)
    while True:
        time.sleep(3600)


def main(pages: int = 500, images: int = 100) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = link_farm(Path(tmp) / "site", pages, links_per_page=35, images=images, filler=20_000)
        ports = multiprocessing.Queue()
        proc = multiprocessing.Process(target=_serve, args=(str(root), ports), daemon=True)
        proc.start()
        try:
            port = ports.get(timeout=10)
            config = Path(tmp) / "auditor.toml"
            config.write_text(f'[scheme]\nname = "Home-Start Bench"\nwebsite = "http://127.0.0.1:{port}/"\n'
                              f'[crawl]\ndelay_seconds = 0\nmax_pages = {pages + 10}\nmax_per_pattern = {pages + 10}\n'
                              '[storage]\ndirectory = "var"\n', encoding="utf-8")
            first, _ = crawl(config)
            second, _ = crawl(config)
        finally:
            proc.terminate()
    s1, s2 = first.stats, second.stats
    print(f"first run: {s1['pages']} pages, {s1['images']} images, {s1['requests']} requests in {s1['seconds']} s "
          f"= {s1['pages_per_second']} pages/s")
    print(f"re-run: {s2['requests']} requests, {s2['conditional']} conditional, {s2['not_modified']} answered 304 "
          f"({100 * s2['not_modified'] / max(1, s2['requests']):.1f}%) in {s2['seconds']} s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
