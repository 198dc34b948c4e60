"""Image analyser for policy 1.4 and the photo half of 1.1: is it a photograph, does it show
people, what does its metadata give away, its consent hashes and a small thumbnail.

Facts added (JSON-safe, cached between runs): `photo` (bool), `photo_score` (0-1), and for
photographs `thumb` (base64 JPEG, at most 160 px, no metadata) — `faces` (int) is added by
`imaging.analyse`, where the count can matter; for every image
`gps` (bool), `metadata_names` (names of metadata fields that carry a person's name) and
`metadata_captions` (the texts of its caption fields, for the name and personal-data checks). Hashes added for photographs: `consent64`, `consent256` (see consent.hashing).
"""
from __future__ import annotations

import base64
import io
import logging

import numpy as np
from PIL import Image

from . import metadata, people
from .consent import hashing
from .decoding import flatten
from .snapshot import ImageInfo

log = logging.getLogger(__name__)

MIN_SIDE = 64            # smaller is an icon, a bullet or a button
PHOTO_THRESHOLD = 0.55
# Between these, an image is taken for a photograph only when someone is clearly pictured in it (a
# black-and-white stage photo on black reads as half a graphic; a person in it does not).
UNSURE_FROM = 0.25
THUMB_SIDE = 160


def analyse(img: Image.Image, data: bytes, info: ImageInfo) -> None:
    info.facts["gps"], info.facts["metadata_names"], captions = metadata.read(img)
    if captions:
        info.facts["metadata_captions"] = captions
    score = photo_score(img, info.format, (info.width, info.height))
    info.facts["photo_score"] = round(score, 3)
    info.facts["photo"] = False
    if score < PHOTO_THRESHOLD and not (score >= UNSURE_FROM and people.clearly_pictured(img)):
        return
    arr = hashing.grey_array(data)
    info.hashes["consent64"], info.hashes["consent256"] = hashing.candidate_hashes(arr).to_hex()
    info.facts["photo"] = True      # only once it can be matched with the register
    info.facts["thumb"] = thumbnail(img)


def features(img: Image.Image) -> dict[str, float]:
    """Statistics of a small grey copy. Photographs have a wide spread of tones (high entropy),
    no few dominant tones, and texture; drawn graphics are flat, and gradients are smooth."""
    small = img.copy()
    small.thumbnail((96, 96), Image.Resampling.BILINEAR)
    alpha = np.asarray(small.convert("RGBA"))[:, :, 3]
    grey = np.asarray(flatten(small).convert("L"), dtype=np.float32)
    hist = np.bincount(grey.astype(np.uint8).ravel(), minlength=256) / grey.size
    nonzero = hist[hist > 0]
    lap = np.abs(4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:])
    step = np.abs(np.diff(grey, axis=1))[1:-1, 1:] >= 1.5
    return {
        "transparent": float((alpha < 250).mean()),
        "entropy": float(-(nonzero * np.log2(nonzero)).sum()),
        "top4": float(np.sort(np.bincount((grey.astype(np.uint8) >> 2).ravel(), minlength=64))[-4:].sum() / grey.size),
        "texture": float((lap > 6).mean()),
        "gradient": float(((lap <= 6) & step).mean()),
    }


def photo_score(img: Image.Image, fmt: str, size: tuple[int, int] | None = None) -> float:
    """0-1: how much this looks like a photograph rather than a logo, icon, chart, button or map.
    `size`: the image's own size, when `img` was decoded reduced."""
    width, height = size or img.size
    if fmt in ("SVG", "ICO") or min(width, height) < MIN_SIDE or max(width, height) > 12 * min(width, height):
        return 0.0
    f = features(img)
    if f["transparent"] > 0.02:
        return 0.0
    score = 0.6 * min(max((f["entropy"] - 3.5) / 3, 0.0), 1.0) + 0.4 * (1 - f["top4"])
    if f["gradient"] > 0.45 or (f["texture"] < 0.1 and f["gradient"] < 0.05):
        score *= 0.5        # smooth synthetic gradients: buttons, banners, colour wheels
    if fmt in ("PNG", "GIF"):
        score -= 0.05       # photographs are mostly JPEG or WebP; graphics mostly PNG or GIF
    return max(0.0, min(1.0, score))


def thumbnail(img: Image.Image) -> str:
    """A small re-encoded JPEG (no metadata carried over), base64."""
    small = flatten(img)
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=75, optimize=True)
    return base64.b64encode(buf.getvalue()).decode("ascii")
