"""The site-wide checks share one read of the pages.

Each site-wide check iterates `snapshot.pages`, and on the disk-backed page store every iteration
decodes every page again: on a re-audit that costs more than the checks themselves. Here each check
runs in a thread of its own, but never two at once: pages are read once, a batch at a time, each
check in turn is handed the batch and runs until it asks for the next one (or ends), then the next
check runs. So the checks see exactly what they would see one after the other, and at most one batch
of pages is held in memory. A check that iterates the pages a second time, or two at once, reads
the store itself.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from itertools import islice
from typing import Any, Callable, Iterator, Sequence

from ..snapshot import Page, Pages, Snapshot

BATCH = 16


class _Turn:
    """One check's thread, and the hand-over between it and the reader."""

    def __init__(self, work: Callable[[Snapshot], Any], snapshot: Snapshot):
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None
        self.view = replace(snapshot, pages=_Feed(snapshot.pages, self))
        self.run = threading.Semaphore(0)       # the check may run
        self.paused = threading.Semaphore(0)    # the check asked for pages, or ended
        self.batch: list | None = None          # None: no more pages
        self.asking = self.done = self.closed = False
        self.thread = threading.Thread(target=self._main, name="check", daemon=True)

    def _main(self) -> None:
        self.run.acquire()
        try:
            self.result = self.work(self.view)
        except BaseException as exc:  # noqa: BLE001 - raised again in the reader's thread
            self.error = exc
        finally:
            self.done = True
            self.paused.release()

    def ask(self) -> list | None:
        """In the check's thread: hand control back to the reader until the next batch arrives."""
        if self.closed:
            return None
        self.asking = True
        self.paused.release()
        self.run.acquire()
        return self.batch

    def resume(self, batch: list | None) -> None:
        """In the reader's thread: let the check run with `batch` until it pauses again."""
        self.batch, self.asking = batch, False
        self.run.release()
        self.paused.acquire()


class _Feed:
    """A check's `snapshot.pages`: its first iteration is fed by the shared read."""

    def __init__(self, store: Pages, turn: _Turn):
        self.store, self.turn, self.fed = store, turn, False

    def __iter__(self) -> Iterator[Page]:
        if self.fed:
            yield from self.store
            return
        self.fed = True
        while (batch := self.turn.ask()) is not None:
            yield from batch

    def __len__(self) -> int:
        return len(self.store)

    def __bool__(self) -> bool:
        return bool(self.store)

    def __getitem__(self, index: int) -> Page:
        return self.store[index]

    def append(self, page: Page) -> None:
        self.store.append(page)


def run(snapshot: Snapshot, works: Sequence[Callable[[Snapshot], Any]]) -> list[Any]:
    """Each `work(snapshot)`, as if one after the other; their results in order. An error in one
    does not stop the others: the first is raised once they have all ended."""
    turns = [_Turn(work, snapshot) for work in works]
    for turn in turns:
        turn.thread.start()
    try:
        for turn in turns:
            turn.resume(None)     # runs until it first asks for pages (or ends)
        pages = iter(snapshot.pages)
        while batch := list(islice(pages, BATCH)):
            for turn in turns:
                if turn.asking:
                    turn.resume(batch)
        for turn in turns:
            while not turn.done:
                turn.resume(None)
    finally:
        for turn in turns:        # stopped part-way (Ctrl-C): let the threads run out, without pages
            if not turn.done:
                turn.batch, turn.closed = None, True
                turn.run.release()
    for turn in turns:
        if turn.error is not None:
            raise turn.error
    return [turn.result for turn in turns]
