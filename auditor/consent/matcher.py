"""The matching index: every register original's hashes in two numpy matrices.

Lookup is a vectorised Hamming scan: the 64-bit hashes of a published photo's 81 windows
against every original (both orientations) pick the few plausible originals, and the 256-bit
hashes decide. The nearest original wins, so two shots of one scene are not confused.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .hashing import HashSet

RETRIEVE_BITS = 14      # of 64: generous, only narrows the field
MATCH_BITS = 64         # of 256: copies measure 0-52 (crops, borders); different photos 90+
SAME_PHOTO_MARGIN = 12  # rows this close to the best are records of the same photo


@dataclass
class Match:
    key: int            # the caller's key for the original (a register row index)
    distance: int       # of 256 bits


class Index:
    def __init__(self) -> None:
        self._keys: list[int] = []
        self._h64: list[np.ndarray] = []
        self._h256: list[np.ndarray] = []
        self._built: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(set(self._keys))

    def add(self, key: int, hashes: HashSet) -> None:
        self._keys.extend([key] * len(hashes.h64))
        self._h64.append(hashes.h64)
        self._h256.append(hashes.h256)
        self._built = None

    def _matrices(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._built is None:
            self._built = (np.array(self._keys, dtype=np.int64),
                           np.concatenate(self._h64) if self._h64 else np.zeros(0, np.uint64),
                           np.concatenate(self._h256) if self._h256 else np.zeros((0, 4), np.uint64))
        return self._built

    def lookup(self, candidate: HashSet) -> list[Match]:
        """Originals the candidate is a copy of, nearest first (records of one photo only)."""
        keys, h64, h256 = self._matrices()
        if not len(keys):
            return []
        near = np.bitwise_count(candidate.h64[:, None] ^ h64[None, :]).min(axis=0)
        rows = np.flatnonzero(near <= RETRIEVE_BITS)
        if not rows.size:
            return []
        diff = candidate.h256[:, None, :] ^ h256[rows][None, :, :]
        dist = np.bitwise_count(diff).sum(axis=2, dtype=np.int64).min(axis=0)
        best: dict[int, int] = {}
        for key, d in zip(keys[rows].tolist(), dist.tolist()):
            if d <= MATCH_BITS and d < best.get(key, 257):
                best[key] = d
        if not best:
            return []
        top = min(best.values())
        return sorted((Match(k, d) for k, d in best.items() if d <= top + SAME_PHOTO_MARGIN),
                      key=lambda m: (m.distance, m.key))
