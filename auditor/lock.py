"""One run at a time per storage folder, across processes.

An advisory `flock` on a file in the storage folder: the kernel releases it when the
holding process dies, however it dies, so a stale lock never needs cleaning up.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(Exception):
    def __init__(self, path: Path, pid: str):
        self.path, self.pid = path, pid
        who = f" (process {pid})" if pid else ""
        super().__init__(f"another audit is already running with this storage folder{who}; this one did not start")


class RunLock:
    def __init__(self, storage: Path):
        self.path = Path(storage) / "auditor.lock"
        self.fd: int | None = None

    def acquire(self) -> "RunLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "ignore").strip()
            os.close(fd)
            raise AlreadyRunning(self.path, holder) from None
        self.fd = fd
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            self.release()               # a full disk must not leave the lock held
            raise
        return self

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
