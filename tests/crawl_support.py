"""Helpers for the crawler tests: generated fixture sites, images, and one-call crawls."""
from __future__ import annotations

import io
import threading
from dataclasses import replace
from pathlib import Path

from PIL import Image

from auditor.config import load
from auditor.crawl import website
from auditor.crawl.cache import Cache
from auditor.crawl.http import Fetcher
from auditor.snapshot import Snapshot


def png(width: int = 8, height: int = 8, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def page_html(title: str, body: str = "", links: tuple[str, ...] = (), images: tuple[str, ...] = (),
              head: str = "") -> str:
    items = "".join(f'<li><a href="{href}">link {i}</a></li>' for i, href in enumerate(links))
    imgs = "".join(f'<img src="{src}" alt="picture {i}">' for i, src in enumerate(images))
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>{head}</head>"
            f"<body><header><nav><ul>{items}</ul></nav></header><main><h1>{title}</h1><p>{body}</p>{imgs}</main>"
            "<footer>Home-Start Testshire</footer></body></html>")


def write_site(root: Path, pages: dict[str, str], files: dict[str, bytes] | None = None) -> Path:
    """pages: path (e.g. "/about/") -> HTML; files: path -> bytes. Folders get index.html."""
    for path, html in pages.items():
        target = root / path.lstrip("/")
        if path.endswith("/"):
            target = target / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
    for path, data in (files or {}).items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def link_farm(root: Path, count: int, links_per_page: int = 8, images: int = 0, filler: int = 0,
              padding: int = 0) -> Path:
    """`count` pages /p/N.html linking in a ring (and to the home page), with shared images.

    `filler`: characters of visible text per page; `padding`: bytes of inline CSS, as real sites carry.
    """
    pics = tuple(f"/img/{i}.png" for i in range(images))
    pages = {"/": page_html("Home", links=tuple(f"/p/{i}.html" for i in range(min(count, links_per_page))),
                            images=pics[:2])}
    text = "Family support in Testshire. " * (filler // 30 + 1)
    style = f"<style>{'.wp-block-group{{margin:0 auto;padding:1em}}' * (padding // 40 + 1)}</style>" if padding else ""
    for i in range(count):
        links = tuple(f"/p/{(i + k) % count}.html" for k in range(1, links_per_page + 1)) + ("/",)
        pages[f"/p/{i}.html"] = page_html(f"Page {i}", text, links, pics[i % max(1, len(pics)):][:2], head=style)
    files = {p: png(16 + i % 40, 16, (i * 37 % 255, 80, 120)) for i, p in enumerate(pics)}
    return write_site(root, pages, files)


def crawl(config_path: Path, *, stop: threading.Event | None = None, backoff: float = 0.05,
          on_page=None, **crawl_settings) -> tuple[Snapshot, dict[str, int]]:
    """Crawl the configured site as the pipeline does; returns the snapshot and the request counts.

    `crawl_settings` override [crawl] keys the config already sets (timeout_seconds…).
    """
    config = load(config_path)
    if crawl_settings:
        config = replace(config, crawl=replace(config.crawl, **crawl_settings))
    stop = stop or threading.Event()
    cache = Cache(Path(config.storage) / "cache.sqlite3")
    fetcher = Fetcher.for_config(config, cache=cache, stop=stop)
    fetcher.backoff = backoff
    snapshot = Snapshot(website=config.scheme.website, started_at="2026-01-01T00:00:00+00:00")
    try:
        website.collect(config, fetcher, cache, snapshot, on_page=on_page, stop=stop)
    finally:
        fetcher.close()
        cache.close()
    return snapshot, dict(fetcher.counts)
