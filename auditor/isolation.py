"""Images from the web are decoded and analysed in worker processes, never in the audit itself.

Native decoders (resvg for SVG, Pillow's codecs, OpenCV) can crash, abort, allocate without
bound or loop on hostile input. Each worker runs with a memory limit (RLIMIT_DATA), a
processor-time limit per image (RLIMIT_CPU) and no core dumps, and the audit gives each image a
wall-clock deadline too. A worker that dies or overruns costs only its image, which is recorded
as not checked with the reason; the next image gets a fresh worker.

Workers live for the whole audit (started when the first image needs one), so start-up is paid
once per worker, not per image. They speak JSON over pipes, never pickle: a worker subverted by
a hostile file cannot make the audit run code by what it answers.
"""
from __future__ import annotations

import json
import logging
import math
import os
import queue
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import heap
from .imaging import Unchecked, mark_unchecked
from .snapshot import ImageInfo

log = logging.getLogger(__name__)

HEADER = struct.Struct(">I")
MAX_REPLY = 8 * 2**20         # an analysis is a few kilobytes; more is a worker gone wrong
POLL_SECONDS = 0.5            # how often a wait looks at the audit's stop signal
@dataclass(frozen=True)
class Limits:
    memory_mb: int = 1024
    cpu_seconds: float = 20.0

    @property
    def deadline(self) -> float:
        """Wall-clock time allowed per image: the processor limit with room for a busy machine."""
        return self.cpu_seconds * 3 + 10

    @classmethod
    def for_config(cls, config) -> "Limits":
        return cls(memory_mb=config.crawl.decode_memory_mb, cpu_seconds=config.crawl.decode_seconds)


class WorkerLost(Exception):
    def __init__(self, kind: Unchecked, message: str):
        super().__init__(message)
        self.kind = kind


def describe(kind: Unchecked, limits: Limits, detail: str = "") -> str:
    """The reason in plain words, for the report."""
    return {
        Unchecked.CRASHED: f"its decoder crashed on it{f' ({detail})' if detail else ''}",
        Unchecked.MEMORY: f"decoding it needed more than the {limits.memory_mb} MB allowed (crawl.decode_memory_mb)",
        Unchecked.CPU: f"decoding it took more than {limits.cpu_seconds:g} s of processor time (crawl.decode_seconds)",
        Unchecked.DEADLINE: f"decoding it took longer than {limits.deadline:g} s",
        Unchecked.STOPPED: "the audit was stopped while it was being decoded",
        Unchecked.UNAVAILABLE: f"image analysis could not be started{f' ({detail})' if detail else ''}",
    }.get(kind, kind.value)


def not_checked(url: str, data: bytes, content_type: str, status: int | None, kind: Unchecked,
                limits: Limits, detail: str = "") -> ImageInfo:
    info = ImageInfo(url=url, status=status, content_type=content_type, bytes=len(data))
    return mark_unchecked(info, kind, describe(kind, limits, detail))


class Decoders:
    """Up to `workers` worker processes shared by the audit's threads; `analyse` is thread-safe."""

    def __init__(self, workers: int = 1, limits: Limits | None = None, stop: threading.Event | None = None):
        self.limits = limits or Limits()
        self.stop = stop or threading.Event()
        self.workers = max(1, workers)
        self._slots = threading.Semaphore(self.workers)
        self._idle: queue.SimpleQueue[Worker] = queue.SimpleQueue()
        self._all: list[Worker] = []
        self._lock = threading.Lock()
        self.counts = {"workers_started": 0, "workers_lost": 0}

    @classmethod
    def for_config(cls, config, stop: threading.Event | None = None) -> "Decoders":
        """One worker per core but one: the audit's own thread (parsing, checks) needs a core too,
        and each worker holds its own copy of the imaging libraries (about 60 MB)."""
        workers = max(1, min(config.crawl.workers, (os.cpu_count() or 2) - 1))
        return cls(workers, Limits.for_config(config), stop)

    def __enter__(self) -> "Decoders":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def analyse(self, url: str, data: bytes, content_type: str = "", status: int | None = 200) -> ImageInfo:
        """As `imaging.analyse`, in a worker; an image that costs its worker is recorded as not checked."""
        with self._slots:
            try:
                worker = self._take()
            except WorkerLost as lost:
                return not_checked(url, data, content_type, status, lost.kind, self.limits, str(lost))
            try:
                info = worker.analyse(url, data, content_type, status, self.stop)
            except WorkerLost as lost:
                worker.kill()
                with self._lock:
                    self._all.remove(worker)
                    self.counts["workers_lost"] += 1
                if lost.kind is not Unchecked.STOPPED:
                    log.warning("image %s could not be checked: %s", url, describe(lost.kind, self.limits, str(lost)))
                return not_checked(url, data, content_type, status, lost.kind, self.limits, str(lost))
            self._idle.put(worker)
            return info

    def _take(self) -> "Worker":
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        worker = Worker(self.limits)
        with self._lock:
            self._all.append(worker)
            self.counts["workers_started"] += 1
        return worker

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()


class Worker:
    """One worker process and its pipes; used by one thread at a time."""

    def __init__(self, limits: Limits):
        self.limits = limits
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))}
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "auditor.isolation", json.dumps({"memory_mb": limits.memory_mb})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, close_fds=True)
        except OSError as exc:
            raise WorkerLost(Unchecked.UNAVAILABLE, str(exc)) from None
        assert self.proc.stdin is not None and self.proc.stdout is not None   # both piped above
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout

    def analyse(self, url: str, data: bytes, content_type: str, status: int | None,
                stop: threading.Event) -> ImageInfo:
        self._send({"url": url, "content_type": content_type, "status": status,
                    "cpu_seconds": self.limits.cpu_seconds}, data)
        reply = self._receive(time.monotonic() + self.limits.deadline, stop)
        return ImageInfo.from_dict(reply["info"])

    # --- the pipe protocol: a 4-byte length, a JSON header, then the header's `size` bytes ---
    def _send(self, header: dict[str, Any], data: bytes = b"") -> None:
        text = json.dumps({**header, "size": len(data)}).encode()
        try:
            self.stdin.write(HEADER.pack(len(text)) + text)
            self.stdin.write(data)
            self.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._lost() from None

    def _receive(self, deadline: float, stop: threading.Event) -> dict[str, Any]:
        size = HEADER.unpack(self._read(HEADER.size, deadline, stop))[0]
        if size > MAX_REPLY:
            raise WorkerLost(Unchecked.CRASHED, "an answer that makes no sense")
        try:
            reply = json.loads(self._read(size, deadline, stop))
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or not isinstance(reply.get("info", {}), dict):
            raise WorkerLost(Unchecked.CRASHED, "an answer that makes no sense")
        for level, message in reply.get("logs", [])[:20]:
            log.log(level if level in (logging.WARNING, logging.ERROR) else logging.WARNING, "%s", str(message)[:2000])
        if reply.get("error") == Unchecked.MEMORY.value:
            raise WorkerLost(Unchecked.MEMORY, "")
        return reply

    def _read(self, n: int, deadline: float, stop: threading.Event) -> bytes:
        fd, chunks, got = self.stdout.fileno(), [], 0
        while got < n:
            if stop.is_set():
                raise WorkerLost(Unchecked.STOPPED, "")
            left = deadline - time.monotonic()
            if left <= 0:
                raise WorkerLost(Unchecked.DEADLINE, "")
            ready, _, _ = select.select([fd], [], [], min(left, POLL_SECONDS))
            if not ready:
                continue
            chunk = os.read(fd, n - got)
            if not chunk:
                raise self._lost()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _lost(self) -> WorkerLost:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return WorkerLost(Unchecked.CRASHED, "it stopped answering")
        if code == -signal.SIGXCPU:
            return WorkerLost(Unchecked.CPU, "")
        if code < 0:
            return WorkerLost(Unchecked.CRASHED, signal.Signals(-code).name if -code in signal.valid_signals() else str(code))
        return WorkerLost(Unchecked.CRASHED, f"exit status {code}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for pipe in (self.stdin, self.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def close(self) -> None:
        try:
            self.stdin.close()     # end of input: the worker leaves its loop
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


# --- the worker's side ------------------------------------------------------------------------

def _limit_self(memory_mb: int) -> None:
    """No core dumps, and `memory_mb` of data memory beyond what the loaded code itself takes."""
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    limit = (_data_now() + memory_mb) * 2**20
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit if hard == resource.RLIM_INFINITY else min(hard, limit)))
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # the audit decides when its workers end


def _data_now() -> int:
    """The process's data memory in MB (Linux); 0 where it cannot be read."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError):
        pass
    return 0


def _cpu_budget(seconds: float) -> None:
    """Processor time for the next image: RLIMIT_CPU counts the process's whole life."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _read_exact(stream, n: int) -> bytes | None:
    data = stream.read(n)
    return data if data is not None and len(data) == n else None


def _request(stream) -> tuple[dict[str, Any], bytes] | None:
    head = _read_exact(stream, HEADER.size)
    if head is None:
        return None
    header = json.loads(_read_exact(stream, HEADER.unpack(head)[0]) or b"null")
    data = _read_exact(stream, header["size"]) if header["size"] else b""
    return header, data or b""


class _Kept(logging.Handler):
    """The worker's log records travel back with its answer (its stderr is not read: a crashing
    native library writes its own noise there)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.levelno, self.format(record)))


_KEPT = _Kept()


def _answer(stream, reply: dict[str, Any]) -> None:
    reply["logs"], _KEPT.records = _KEPT.records, []
    text = json.dumps(reply).encode()
    stream.write(HEADER.pack(len(text)) + text)
    stream.flush()


def serve(memory_mb: int) -> None:
    from . import imaging, people, svg   # loaded before the limits, which are for the images
    imaging.analysers()
    svg.font_families()
    people.runtime()
    _limit_self(memory_mb)
    del people
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr     # nothing printed by a library may corrupt the answers
    while True:
        request = _request(inp)
        if request is None:
            return
        header, data = request
        _cpu_budget(float(header["cpu_seconds"]))
        try:
            info = imaging.analyse(header["url"], data, header["content_type"], header["status"])
            _answer(out, {"info": info.to_dict()})
        except MemoryError:
            _answer(out, {"error": Unchecked.MEMORY.value})
            return                  # a fresh worker is cheaper than a fragmented heap
        finally:
            info = None             # type: ignore[assignment]
            heap.trim()             # what decoding and the detectors freed, back before the next image


if __name__ == "__main__":
    _KEPT.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[_KEPT])
    serve(int(json.loads(sys.argv[1])["memory_mb"]))
