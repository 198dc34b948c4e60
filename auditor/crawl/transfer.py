"""Moving bytes: response bodies under a size cap and a deadline, connections kept alive,
Retry-After read. Used by `http.Fetcher`.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.request import getproxies

import requests
import urllib3

from .failure import Failure, Kind


def settle_environment(session: requests.Session) -> None:
    """Read proxy and CA settings from the environment once, not on every request (it is slow)."""
    if any(os.environ.get(k) for k in ("no_proxy", "NO_PROXY")):
        return                            # per-host proxy exceptions: leave requests to decide each time
    session.proxies.update({k: v for k, v in getproxies().items() if k in ("http", "https")})
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False


@dataclass
class BodyRule:
    max_bytes: int
    read: bool
    types: tuple[str, ...] | None

    def wants(self, content_type: str) -> bool:
        if not self.read:
            return False
        return self.types is None or not content_type or content_type in self.types


def release(resp: requests.Response) -> None:
    """Give the connection back to the pool when what is left to read is small; else drop it."""
    declared = resp.headers.get("content-length", "")
    if resp.request.method == "HEAD" or resp.status_code == 304 or (declared.isdigit() and int(declared) <= 65536):
        resp.raw.drain_conn()
        resp.raw.release_conn()
def read_body(resp: requests.Response, max_bytes: int, deadline: float,
              stop: threading.Event) -> tuple[bytes, bool, Failure | None]:
    """(body, cut short, why it failed)."""
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return b"", True, Failure(Kind.TOO_LARGE, f"larger than the {max_bytes // 1024} KB limit "
                                                  f"({int(declared) // 1024} KB)")
    chunks: list[bytes] = []
    size = 0
    raw = resp.raw
    read = getattr(raw, "read1", None)
    try:
        while True:
            if time.monotonic() > deadline:
                return b"".join(chunks), True, Failure(Kind.DEADLINE, "took too long to download")
            if stop.is_set():
                return b"".join(chunks), True, Failure(Kind.STOPPED, "the audit was stopped")
            chunk = read(65536, decode_content=True) if read else raw.read(65536, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                return b"".join(chunks), True, Failure(Kind.TOO_LARGE, f"larger than the {max_bytes // 1024} KB limit")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        return b"".join(chunks), True, Failure(Kind.DOWNLOAD, f"download failed ({type(exc).__name__})")
    except (TimeoutError, urllib3.exceptions.TimeoutError):
        return b"".join(chunks), True, Failure(Kind.TIMEOUT, "timed out")
    except Exception as exc:  # noqa: BLE001 - urllib3 read errors, bad gzip, resets
        return b"".join(chunks), True, Failure(Kind.DOWNLOAD, f"download failed ({type(exc).__name__})")
    return b"".join(chunks), False, None


def retry_after(value: str | None, default: float) -> float:
    if not value:
        return default
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return default
