"""Fast compression for what an audit keeps on disk (page store, cached extracts): Zstandard."""
from __future__ import annotations

try:                       # in the standard library from Python 3.14
    from compression import zstd
except ImportError:        # pragma: no cover - depends on the Python version
    from backports import zstd

LEVEL = 1                  # fast; page text still shrinks about tenfold
CompressionError = zstd.ZstdError


def compress(data: bytes) -> bytes:
    return zstd.compress(data, LEVEL)


def decompress(blob: bytes) -> bytes:
    return zstd.decompress(blob)
