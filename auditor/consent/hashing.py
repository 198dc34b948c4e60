"""Crop-, mirror- and border-tolerant perceptual hashes for matching photos with the consent register.

A register original is hashed on its *core* (the centre 80% each way, after trimming any uniform
border), normally and mirrored. A published copy is hashed on a grid of 81 windows where that core
would lie if up to ~10% had been cropped from each side. Each hash is a DCT hash of a 32x32 grey
resample: 64 bits (fast retrieval) and 256 bits (verification, tells similar shots apart).
Both sides decode the same way (JPEG draft mode, EXIF orientation applied), as the hashes demand.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps

from ..decoding import STREAM_PIXELS, decode, flatten, open_image

cv2.setNumThreads(1)                  # as in people.py: callers run in parallel threads already
WORK_SIZE = 128                       # decode/resample photos to at most this size first
CORE = (0.1, 0.9)                     # the register original's core, in each axis
STARTS, ENDS = (0.0, 0.05, 0.1), (0.9, 0.95, 1.0)   # where that core may lie in a cropped copy
BORDER_TOLERANCE = 14                 # grey levels; JPEG ringing stays within this on a flat border


@dataclass
class HashSet:
    """Rows of 64-bit and 256-bit hashes (uint64 words): one row per window or orientation."""

    h64: np.ndarray    # (n,) uint64
    h256: np.ndarray   # (n, 4) uint64

    @classmethod
    def of(cls, hashes: dict[str, str]) -> "HashSet | None":
        """A published image's window hashes from `ImageInfo.hashes`, if it was hashed as a photo."""
        if "consent64" not in hashes or "consent256" not in hashes:
            return None
        return cls.from_hex(hashes["consent64"], hashes["consent256"])

    def to_hex(self) -> tuple[str, str]:
        return self.h64.byteswap().tobytes().hex(), self.h256.byteswap().tobytes().hex()

    @classmethod
    def from_hex(cls, h64: str, h256: str) -> "HashSet":
        a = np.frombuffer(bytes.fromhex(h64), dtype=np.uint64).byteswap()
        b = np.frombuffer(bytes.fromhex(h256), dtype=np.uint64).byteswap().reshape(-1, 4)
        return cls(a, b)


def grey_array(data: bytes) -> np.ndarray:
    """The photo as a float32 grey array of at most WORK_SIZE pixels a side, border trimmed."""
    img: Image.Image
    try:
        opened = Image.open(io.BytesIO(data))
        if opened.format != "JPEG" and opened.width * opened.height > STREAM_PIXELS:
            img = decode(data, reduce_to=WORK_SIZE)[0]      # read a strip at a time, not held whole
        else:
            opened.draft("L", (WORK_SIZE, WORK_SIZE))
            opened.load()
            img = opened
    except Exception:  # noqa: BLE001 - let the guarded decoder explain what is wrong
        img = open_image(data)
    img = flatten(ImageOps.exif_transpose(img)).convert("L")
    img.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.BILINEAR)
    return trim_border(np.asarray(img, dtype=np.float32))


def trim_border(arr: np.ndarray) -> np.ndarray:
    """Remove a uniform frame (added borders, letterboxing), keeping at least half of each side."""
    h, w = arr.shape
    if h < 16 or w < 16:
        return arr
    colour = np.median(np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]]))
    flat = np.abs(arr - colour) <= BORDER_TOLERANCE
    rows, cols = flat.mean(axis=1) > 0.97, flat.mean(axis=0) > 0.97
    top, bottom = _run(rows), _run(rows[::-1])
    left, right = _run(cols), _run(cols[::-1])
    if top + bottom > h // 2 or left + right > w // 2:
        return arr
    return arr[top:h - bottom, left:w - right]


def _run(flags: np.ndarray) -> int:
    """Length of the leading run of True."""
    off = np.flatnonzero(~flags)
    return int(off[0]) if off.size else len(flags)


def dct_hashes(window: np.ndarray) -> tuple[int, np.ndarray]:
    small = cv2.resize(window, (32, 32), interpolation=cv2.INTER_AREA)
    dct = cv2.dct(small)
    low8, low16 = dct[:8, :8].ravel(), dct[:16, :16].ravel()
    bits8 = np.packbits(low8 > _median(low8))
    bits16 = np.packbits(low16 > _median(low16))
    return int.from_bytes(bits8.tobytes(), "big"), np.frombuffer(bits16.tobytes(), dtype=">u8").astype(np.uint64)


def _median(values: np.ndarray) -> np.floating:
    """np.median of a 1-D array, the same value computed the same way, without its overhead
    (it runs 162 times a photo)."""
    ordered = np.sort(values)
    n = ordered.size
    if np.isnan(ordered[-1]):
        return ordered[-1]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2 if n % 2 == 0 else ordered[n // 2]


def _crop(arr: np.ndarray, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    h, w = arr.shape
    return arr[int(round(y0 * h)):max(int(round(y1 * h)), int(round(y0 * h)) + 1),
               int(round(x0 * w)):max(int(round(x1 * w)), int(round(x0 * w)) + 1)]


def _stack(windows: list[np.ndarray]) -> HashSet:
    pairs = [dct_hashes(w) for w in windows]
    return HashSet(np.array([p[0] for p in pairs], dtype=np.uint64), np.stack([p[1] for p in pairs]))


def reference_hashes(arr: np.ndarray) -> HashSet:
    """A register original: its core, as shown and mirrored (2 rows)."""
    core = _crop(arr, CORE[0], CORE[1], CORE[0], CORE[1])
    return _stack([core, core[:, ::-1]])


def core_of(candidate: HashSet) -> HashSet:
    """The reference hashes (unmirrored only) of an image known by its candidate hashes."""
    i = ((STARTS.index(CORE[0]) * 3 + ENDS.index(CORE[1])) * 3 + STARTS.index(CORE[0])) * 3 + ENDS.index(CORE[1])
    return HashSet(candidate.h64[i:i + 1], candidate.h256[i:i + 1])


def candidate_hashes(arr: np.ndarray) -> HashSet:
    """A published photo: every window where a register core may lie (81 rows)."""
    return _stack([_crop(arr, x0, x1, y0, y1)
                   for y0 in STARTS for y1 in ENDS for x0 in STARTS for x1 in ENDS])
