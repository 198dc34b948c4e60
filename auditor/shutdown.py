"""Graceful stop on SIGTERM and SIGINT.

The first signal sets an Event that the crawler and the scheduler watch: the current step ends,
the run is recorded as incomplete with what it collected, and the process exits. A second
signal raises KeyboardInterrupt at once (the run is still recorded as stopped).
"""
from __future__ import annotations

import logging
import signal
import threading
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


@contextmanager
def graceful_stop(stop: threading.Event | None = None) -> Iterator[threading.Event]:
    """Install the handlers for the duration of the block (main thread only) and yield the Event."""
    stop = stop or threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(signum, frame) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.warning("Received %s: finishing the current step, then stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
