"""A progress bar on an interactive terminal; nothing otherwise."""
from __future__ import annotations

import sys
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(enabled: bool = True):
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    bar = tqdm(total=0, unit="page", desc="Crawling", file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if total != bar.total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
