"""The website collector: crawl the scheme's site into the snapshot.

Starts at `scheme.website` and `extra_pages`, seeds from the sitemaps, follows same-site
links (www. and the bare host are one site) within the caps in `frontier`. Threads fetch;
this thread schedules, records, and hands each page to `on_page` as soon as it is ready,
so checks run in one thread. Each host gets one request at a time when a delay applies.

Decisions: robots.txt is obeyed for every page, file and same-site image and for external
link checks (a link check is a robot's request too); images the site embeds from other hosts
are fetched without their robots.txt, as a browser showing the page would.
"""
from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from dataclasses import replace
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Callable

from .. import heap
from ..isolation import Decoders
from ..snapshot import CrawlError, Page, Snapshot
from . import caps, inline_svg, outside, render, sitemap, tasks
from .extract import normalise_url
from .frontier import Frontier, Scope
from .http import REDIRECTS, Fetcher
from .tasks import Outcome, Task
from .verdict import Verdict

log = logging.getLogger(__name__)

TRIM_EVERY = 100      # tasks done


def collect(config, fetcher: Fetcher, cache, snapshot: Snapshot, *, on_page: Callable[[Page], None] | None = None,
            stop: threading.Event | None = None, progress: Callable[[int, int], None] | None = None,
            decoders: Decoders | None = None) -> None:
    """Crawl `config.scheme.website` into `snapshot` (pages, images, links, errors, stats).
    Images are analysed by `decoders` (worker processes), or by workers of the crawl's own."""
    stop = stop or fetcher.stop
    if decoders is not None:
        Crawl(config, fetcher, snapshot, on_page, stop, progress, decoders).run()
        return
    with Decoders.for_config(config, stop) as own:
        Crawl(config, fetcher, snapshot, on_page, stop, progress, own).run()


class HostQueue:
    """One host's waiting tasks, images ahead of the rest: they are analysed while the crawl's own
    records are still few, not all at the end of a large crawl on top of them. But only as many
    images at a time as the decoding workers can take: more would hold the crawl's threads waiting
    for a worker while pages wait to be fetched and read."""

    def __init__(self):
        self.images: deque[Task] = deque()
        self.rest: deque[Task] = deque()

    def append(self, task: Task) -> None:
        (self.images if task.kind == "image" else self.rest).append(task)

    def popleft(self, images: bool = True) -> Task | None:
        if self.images and images:
            return self.images.popleft()
        return self.rest.popleft() if self.rest else None

    def __len__(self) -> int:
        return len(self.images) + len(self.rest)


class Crawl:
    def __init__(self, config, fetcher: Fetcher, snapshot: Snapshot, on_page, stop: threading.Event, progress,
                 decoders: Decoders):
        c = config.crawl
        self.config, self.fetcher, self.snapshot = config, fetcher, snapshot
        self.on_page, self.stop, self.progress = on_page, stop, progress
        self.scope = Scope(config.scheme.website, c.exclude)
        self.frontier = Frontier(c.max_pages, c.max_per_pattern)
        self.link_cap, self.image_cap = caps.page_caps(c)
        self.verdict = Verdict(snapshot)
        self.workers = c.workers
        self.per_host = c.workers if c.delay_seconds <= 0 else 1
        self.decoders = decoders
        # one image fetched while each worker decodes another
        self.image_slots, self.images_inflight = decoders.workers + 1, 0
        self.page_bytes, self.image_bytes = int(c.max_page_mb * 2**20), int(c.max_image_mb * 2**20)
        self.queues: OrderedDict[str, HostQueue] = OrderedDict()
        self.busy: dict[str, int] = {}
        self.inflight: dict[Future, Task] = {}
        self.linked: set[str] = set()        # link targets already queued or checked
        self.images_seen: set[str] = set()   # image sources: fetched once, even if also linked
        self.pages_done: set[str] = set()    # final URLs of pages recorded
        self.lastmod: dict[str, str | None] = {}
        self.claimed: set[str] = set()       # page URLs some task fetches: redirects to them stop there
        self.claim_lock = threading.Lock()
        self.files = 0
        self.done = 0
        self.unrendered: list[Page] = []     # built by script and could not be rendered
        self.renderer = render.Renderer(fetcher, self.scope.same_site, timeout=c.timeout_seconds,
                                        max_bytes=self.page_bytes, executable=c.chromium) if c.render else None
        self.reused = {"page": 0, "image": 0}

    # --- the loop ------------------------------------------------------------
    def run(self) -> None:
        clock, before = time.monotonic(), dict(self.fetcher.counts)
        self._seed()
        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="crawl") as pool:
                while (self.inflight or self.queues) and not self.stop.is_set():
                    self._fill(pool)
                    if not self.inflight:
                        break
                    finished, _ = wait(list(self.inflight), timeout=0.25, return_when=FIRST_COMPLETED)
                    for future in finished:
                        self._absorb(future)
                for future in self.inflight:
                    future.cancel()
        finally:
            if self.renderer is not None:
                self.renderer.close()
        if self.stop.is_set():
            self.snapshot.complete = False
        offline = outside.unreachable(self.snapshot, self.scope.same_site, self.config.scheme.website)
        if offline is not None:
            self.snapshot.errors.append(offline)
        self._unrendered()
        self._resolve_redirects()
        self.verdict.finish(self.frontier.truncation())
        caps.record(self.snapshot, self.link_cap.errors() + self.image_cap.errors())
        self._stats(time.monotonic() - clock, before)

    def _seed(self) -> None:
        start = normalise_url(self.config.scheme.website)
        assert start is not None           # the config checked the website's address
        self.verdict.start = start
        self._add_page(start, 0, seed="start")
        for url in self.config.scheme.extra_pages:
            url = normalise_url(url)
            if url:
                self._add_page(url, 0, seed="extra")
        self._queue(Task("sitemap", start, same_site=True))

    def _fill(self, pool: ThreadPoolExecutor) -> None:
        # A little ahead of the pool, so that checks running in this thread do not leave it idle.
        while len(self.inflight) < self.workers * 3:
            task = self._next()
            if task is None:
                return
            self.busy[task.host] = self.busy.get(task.host, 0) + 1
            self.images_inflight += task.kind == "image"
            self.inflight[pool.submit(self._work, task)] = task

    def _next(self) -> Task | None:
        for host in list(self.queues):
            queue = self.queues[host]
            if not queue:
                del self.queues[host]
            elif self.busy.get(host, 0) < self.per_host:
                task = queue.popleft(images=self.images_inflight < self.image_slots)
                if task is not None:
                    self.queues.move_to_end(host)    # round robin across hosts
                    return task
        return None

    def _queue(self, task: Task) -> None:
        self.queues.setdefault(task.host, HostQueue()).append(task)

    def _work(self, task: Task) -> Outcome:
        try:
            if task.kind == "page":
                return tasks.fetch_page(self.fetcher, task, self.page_bytes, self._claim, self.renderer)
            if task.kind == "image":
                return tasks.fetch_image(self.fetcher, task, self.image_bytes, self.decoders)
            if task.kind == "sitemap":
                return Outcome(task, urls=self._sitemap_urls(task.url))
            return tasks.check_link(self.fetcher, task)
        except Exception:  # noqa: BLE001 - one bad resource must not end the crawl
            log.exception("crawling %s failed", task.url)
            return Outcome(task)

    def _claim(self, url: str) -> bool:
        with self.claim_lock:
            if url in self.claimed:
                return False
            self.claimed.add(url)
            return True

    def _sitemap_urls(self, start: str) -> list[tuple[str, str | None]]:
        origin = start.split("/", 3)
        default = "/".join(origin[:3]) + "/sitemap.xml"
        starts = list(dict.fromkeys(self.fetcher.sitemaps(start) + [default]))
        return sitemap.collect(self.fetcher, starts, self.scope.same_site)

    # --- results (this thread only) ------------------------------------------
    def _absorb(self, future: Future) -> None:
        task = self.inflight.pop(future)
        self.busy[task.host] -= 1
        self.images_inflight -= task.kind == "image"
        self.done += 1
        if self.done % TRIM_EVERY == 0:
            heap.trim()     # what parsing and image analysis freed would otherwise stay resident
        out = future.result()
        if out.link is not None:
            self.snapshot.links[task.url] = out.link
            final = out.link.final_url
            if final and final != task.url and out.link.status not in REDIRECTS:
                # The redirect's target was fetched here: links straight to it share the outcome.
                self.snapshot.links.setdefault(final, replace(out.link, url=final))
        if out.reused:
            self.reused[task.kind] += 1
        if task.kind == "page":
            self._page_done(out)
        elif task.kind == "image" and out.image is not None:
            self.snapshot.images[task.url] = out.image
            self.verdict.resource(out)
        elif task.kind == "sitemap":
            self._sitemap_done(out)
        else:
            self.verdict.resource(out)
            if task.kind == "file" and out.html:
                # Judged by its answer, not its address: a gallery page at /gallery/2019/fete/image1.jpg.
                self._add_page(task.url, task.depth)
        if self.progress:
            self.progress(self.done, self.done + len(self.inflight) + sum(map(len, self.queues.values())))

    def _page_done(self, out: Outcome) -> None:
        self.verdict.page(out)
        page = out.page
        if page is None:
            return
        final = page.final_url or page.url
        if out.task.seed == "start" and not self.scope.same_site(final):
            log.info("the website moved to %s; crawling that site", final)
            self.scope.adopt(final)
        if final in self.pages_done or not (self.scope.same_site(final) or out.task.seed == "extra"):
            return      # reached twice through redirects, or a link that leads off the site
        self.pages_done.add(final)
        self.frontier.mark(final)
        if page.render_error:
            self.unrendered.append(page)
        # Each page is recorded once: its sitemap date is not needed again.
        page.sitemap_lastmod = self.lastmod.pop(page.url, None) or self.lastmod.pop(final, None)
        self._inline_images(page)
        self.snapshot.pages.append(page)
        if self.on_page:
            self.on_page(page)
        self._follow(page)

    def _sitemap_done(self, out: Outcome) -> None:
        for loc, lastmod in out.urls:
            url = normalise_url(loc)
            if url and self.scope.same_site(url):
                self.lastmod.setdefault(url, lastmod)
                if not self.scope.excluded(url):
                    self._add_link(url, 1, declared=True)

    def _follow(self, page: Page) -> None:
        external = 0
        for link in page.links:
            if link.url in self.linked or self.scope.excluded(link.url):
                continue
            if link.tag == "script" and not self.scope.same_site(link.url):
                continue      # a string in a script handler: followed only when it names this site's page
            if self.config.crawl.check_external_links and not self.scope.same_site(link.url):
                if not self.link_cap.take(page.url, external):
                    continue
                external += 1
            self._add_link(link.url, page.depth + 1)
        fetched = 0
        for use in page.images:
            if use.src not in self.images_seen:
                if not self.image_cap.take(page.url, fetched):
                    continue
                fetched += 1
                self.images_seen.add(use.src)
                self._queue(Task("image", use.src, same_site=self.scope.same_site(use.src)))

    def _inline_images(self, page: Page) -> None:
        """Inline SVG logos go to image analysis with their markup, which the page then drops."""
        for use in page.images:
            if use.kind != inline_svg.KIND:
                continue
            markup = use.attrs.pop(inline_svg.MARKUP, "")
            if use.src not in self.images_seen:      # its key is no address: never fetched
                self.images_seen.add(use.src)
                if markup:
                    self._queue(Task("image", use.src, data=markup.encode("utf-8")))

    def _add_link(self, url: str, depth: int, declared: bool = False) -> None:
        if url in self.linked:
            return
        if not self.scope.same_site(url):
            if self.config.crawl.check_external_links:
                self.linked.add(url)
                self._queue(Task("link", url, same_site=False))
        elif tasks.is_file_url(url):
            if self.files < self.config.crawl.max_pages:
                self.linked.add(url)
                self.files += 1
                self._queue(Task("file", url, depth))
        else:
            self._add_page(url, depth, declared=declared)

    def _add_page(self, url: str, depth: int, seed: str = "", declared: bool = False) -> None:
        with self.claim_lock:
            taken = url in self.claimed
        if taken and not seed:
            self.linked.add(url)     # a redirect led a task there already
            return
        if self.frontier.admit(url, forced=bool(seed), declared=declared):
            self.linked.add(url)
            self._claim(url)
            self._queue(Task("page", url, depth, same_site=self.scope.same_site(url), seed=seed))

    def _unrendered(self) -> None:
        """Pages built by script that a browser could not read: the audit saw less than a visitor does."""
        if not self.unrendered:
            return
        self.snapshot.complete = False
        pages = [p.url for p in self.unrendered]
        reasons = list(dict.fromkeys(p.render_error for p in self.unrendered))
        count = f"{len(pages)} page{'s' if len(pages) != 1 else ''}"
        self.snapshot.errors.append(CrawlError(
            pages[0], f"{count} of the site {'are' if len(pages) != 1 else 'is'} built by script and could not be "
                      f"read as a visitor sees {'them' if len(pages) != 1 else 'it'}: {reasons[0]}.",
            kind="unrendered", evidence={"pages": pages[:20], "reasons": reasons[:5],
                                         "why_script": self.unrendered[0].script_built}))

    def _resolve_redirects(self) -> None:
        """A link that redirects to a page fetched by another task works as well as that page does."""
        links = self.snapshot.links
        for status in links.values():
            target = links.get(status.final_url or "")
            if status.status in REDIRECTS and target is not None and target is not status:
                status.status, status.error, status.blocked = target.status, target.error, target.blocked

    def _stats(self, seconds: float, before: dict[str, int]) -> None:
        counts = {k: self.fetcher.counts[k] - before.get(k, 0) for k in self.fetcher.counts}
        pages = len(self.snapshot.pages)
        self.snapshot.stats.update({
            "pages": pages, "images": len(self.snapshot.images),
            "external_links_checked": sum(1 for s in self.snapshot.links.values() if s.external),
            **counts, "pages_reused": self.reused["page"], "images_reused": self.reused["image"],
            "seconds": round(seconds, 2), "pages_per_second": round(pages / seconds, 1) if seconds > 0 else None,
        })
        reason = self.frontier.truncation()
        if reason:
            self.snapshot.stats["truncated"] = reason
            self.snapshot.stats["pages_left_out"] = self.frontier.left_out
        if self.renderer is not None and self.renderer.pages:
            self.snapshot.stats["pages_rendered"] = self.renderer.pages
            self.snapshot.stats["render_seconds"] = round(self.renderer.seconds, 2)
