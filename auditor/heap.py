"""Handing memory the audit no longer uses back to the operating system, between its phases.

glibc keeps freed heap memory for reuse: after the crawl (its threads, parsed pages, decoded
images) tens of megabytes stay resident although nothing holds them. `release()` collects
garbage and asks glibc to return its free pages; `trim()` only does the latter, cheaply enough to
be done every hundred fetches of a crawl. Where there is no glibc they only collect.
"""
from __future__ import annotations

import ctypes
import gc
import logging
import sys
from functools import cache

log = logging.getLogger(__name__)


def release() -> None:
    """Between phases: collect garbage, then trim."""
    gc.collect()
    trim()


def trim() -> None:
    """Cheap (milliseconds): return the heap's free pages to the operating system."""
    malloc_trim = _malloc_trim()
    if malloc_trim is not None:
        malloc_trim(0)


@cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)     # absent from musl
    except OSError as exc:
        log.debug("no C library to trim: %s", exc)
        return None
