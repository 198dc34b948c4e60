"""Moving bytes: response bodies under a size cap and a deadline, connections kept alive,
network errors said in plain words, Retry-After read. Used by `http.Fetcher`.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.request import getproxies

import requests

from .addresses import refusal_in


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
def read_body(resp: requests.Response, max_bytes: int, deadline: float, stop: threading.Event):
    declared = resp.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        return b"", True, f"larger than the {max_bytes // 1024} KB limit ({int(declared) // 1024} KB)"
    chunks, size = [], 0
    raw = resp.raw
    read = getattr(raw, "read1", None)
    try:
        while True:
            if time.monotonic() > deadline:
                return b"".join(chunks), True, "took too long to download"
            if stop.is_set():
                return b"".join(chunks), True, "the audit was stopped"
            chunk = read(65536, decode_content=True) if read else raw.read(65536, decode_content=True)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                return b"".join(chunks), True, f"larger than the {max_bytes // 1024} KB limit"
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        return b"".join(chunks), True, f"download failed ({type(exc).__name__})"
    except Exception as exc:  # noqa: BLE001 - urllib3 read errors, bad gzip, resets
        name = type(exc).__name__
        return b"".join(chunks), True, "timed out" if "Timeout" in name else f"download failed ({name})"
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


def request_problem(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _connection_problem(exc)
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema)):
        return "the address is not valid"
    return f"request failed ({type(exc).__name__})"


def _connection_problem(exc: Exception) -> str:
    text = str(exc).lower()
    refused = refusal_in(str(exc))
    if refused:
        return refused
    if "refused" in text:
        return "connection refused"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text \
            or "name resolution" in text:
        return "the domain name does not exist"
    if "ssl" in text or "certificate" in text:
        return "secure connection failed (certificate problem)"
    if "reset" in text or "aborted" in text or "remote end closed" in text:
        return "the connection was dropped"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    return "could not connect"
