"""imagehash's perceptual hash without SciPy: its DCT is a small matrix product here, which saves
importing SciPy (~17 MB resident) for the one function that needs it. Same bits as imagehash."""
from __future__ import annotations

from functools import lru_cache

import imagehash
import numpy as np
from PIL import Image


@lru_cache(maxsize=8)
def _dct_rows(n: int, keep: int) -> np.ndarray:
    """The first `keep` rows of the unnormalised DCT-II matrix SciPy uses (2·cos(πk(2i+1)/2n))."""
    k, i = np.arange(keep)[:, None], np.arange(n)[None, :]
    return 2 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))


def phash(image: Image.Image, hash_size: int = 8, highfreq_factor: int = 4) -> imagehash.ImageHash:
    """`imagehash.phash`: low frequencies of the DCT of a grey resample, above or below their median."""
    size = hash_size * highfreq_factor
    pixels = np.asarray(image.convert("L").resize((size, size), Image.Resampling.LANCZOS), dtype=np.float64)
    rows = _dct_rows(size, hash_size)
    # rounded so that a flat image (all AC terms 0 but for float noise) always hashes the same
    low = np.round(rows @ pixels @ rows.T, 6)
    return imagehash.ImageHash(low > np.median(low))
