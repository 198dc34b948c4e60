"""Graceful stop on SIGTERM and SIGINT.

The first signal sets an Event that the crawler and the scheduler watch: the current step ends,
the run is recorded as incomplete with what it collected, and the process exits. A second
signal exits at once, as if killed: fetches in other threads are not waited for, the kernel
drops the run lock, and the next run records the abandoned one as incomplete.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_ABANDONED = 1


@contextmanager
def graceful_stop(stop: threading.Event | None = None) -> Iterator[threading.Event]:
    """Install the handlers for the duration of the block (main thread only) and yield the Event."""
    stop = stop or threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum, frame) -> None:
        if stop.is_set():
            log.error("Received %s again: stopping at once; the audit in progress is abandoned",
                      signal.Signals(signum).name)
            logging.shutdown()
            os._exit(EXIT_ABANDONED)
        log.warning("Received %s: finishing the current step, then stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
