"""Read sitemaps (plain or gzipped, sitemap indexes too) into (URL, lastmod) pairs.

Sitemaps are untrusted XML: entities are not resolved, nothing is fetched by the
parser, sizes and nesting are bounded, and a broken sitemap yields what it can.
"""
from __future__ import annotations

import gzip
import io
import logging
import zlib
from dataclasses import dataclass, field

from lxml import etree

from .http import Fetcher

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 2**20        # decompressed, per sitemap (the protocol allows 50 MB)
MAX_SITEMAPS = 50             # sitemap files read per site, indexes included
MAX_URLS = 50_000


@dataclass
class Sitemap:
    urls: list[tuple[str, str | None]] = field(default_factory=list)   # (loc, lastmod)
    children: list[str] = field(default_factory=list)                  # from a sitemap index


def parse(data: bytes) -> Sitemap:
    """Parse one sitemap or sitemap index; unreadable input gives an empty Sitemap."""
    data = _gunzip(data)
    out = Sitemap()
    if not data.strip():
        return out
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return out
    if root is None:
        return out
    for item in root.iter("{*}url", "url"):
        loc = _text(item, "loc")
        if loc and len(out.urls) < MAX_URLS:
            out.urls.append((loc, _text(item, "lastmod") or None))
    for item in root.iter("{*}sitemap", "sitemap"):
        loc = _text(item, "loc")
        if loc:
            out.children.append(loc)
    return out


def _text(item, name: str) -> str:
    for child in item:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return (child.text or "").strip()
    return ""


def _gunzip(data: bytes) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as f:
            out = f.read(MAX_BYTES + 1)     # bounded: a gzip bomb stops here
    except (OSError, EOFError, zlib.error):
        return b""
    return out[:MAX_BYTES]


def collect(fetcher: Fetcher, starts: list[str], same_site) -> list[tuple[str, str | None]]:
    """Every page URL listed by the sitemaps at `starts` (following indexes), on the same site."""
    queue, seen = list(starts), set(starts)
    found: list[tuple[str, str | None]] = []
    read = 0
    while queue and read < MAX_SITEMAPS and len(found) < MAX_URLS and not fetcher.stop.is_set():
        url = queue.pop(0)
        read += 1
        sitemap = _load(fetcher, url)
        found.extend((loc, lastmod) for loc, lastmod in sitemap.urls if same_site(loc))
        for child in sitemap.children:
            if child not in seen and same_site(child):
                seen.add(child)
                queue.append(child)
    return found[:MAX_URLS]


def _load(fetcher: Fetcher, url: str) -> Sitemap:
    result = fetcher.fetch_cached(url, "sitemap", max_bytes=MAX_BYTES)
    if result.not_modified:
        data = result.kept.data
        return Sitemap([tuple(u) for u in data.get("urls", [])], list(data.get("children", [])))
    if not result.ok:
        if result.status != 404:
            log.info("sitemap %s not read: %s", url, result.error or result.status)
        return Sitemap()
    sitemap = parse(result.body)
    fetcher.remember(result, "sitemap", {"urls": sitemap.urls, "children": sitemap.children})
    return sitemap
