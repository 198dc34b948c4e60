"""Reference logos and the matcher that tells approved, deprecated and unknown logos apart.

References are image files (PNG, JPEG, WebP, GIF, ICO, SVG) in the configured
`identity.approved_logos` and `identity.deprecated_logos` folders, loaded and hashed once
per run. Without those folders the matcher knows no logos and logo checks stay silent.
"""
from __future__ import annotations

import hashlib
import itertools
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import cv2
import numpy as np
from PIL import Image

from ..decoding import open_image
from ..snapshot import ImageInfo
from . import hashing

log = logging.getLogger(__name__)

EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico", ".svg"}
# Two images are the same logo when both distances are within these; set from the
# calibration test (tests/test_identity_calibration.py), which prints the margins.
HASH_THRESHOLD = 0.24
THUMB_THRESHOLD = 0.155
MIN_JUDGED_SIDE = 20  # a wordmark whose content is thinner than this and matches nothing is not judged
SMALL_SIDE = 128     # candidates this small are compared with references reduced to their size
# A site icon cut from a reference: its thumbnail must correlate this well with a region covering
# at least PART_MIN_SHARE of the reference's height, and that region's fingerprints be this close.
PART_CORRELATION = 0.88
PART_MIN_SHARE = 0.35
PART_HASH = 0.32
PART_MIN_CONTRAST = 8.0
MAX_BOOST = 2.0      # at most this much, so compression noise on dark colours is not magnified
MAX_REFERENCE_BYTES = 20 * 1024 * 1024
HASH_HEX = re.compile(rf"[0-9a-fA-F]{{{hashing.HASH_SIZE * hashing.HASH_SIZE // 4}}}")


@dataclass(frozen=True)
class LogoMatch:
    kind: str | None              # "approved" | "deprecated" | None
    reference: str | None         # file name of the nearest matching reference
    distance: float               # to the nearest reference, in units of the thresholds (<= 1 matches)
    judged: bool = True           # False when the image carries no logo hashes
    aspect_change: float = 0.0    # content aspect ratio relative to the reference's, minus 1


@dataclass
class Reference:
    name: str
    kind: str
    content: Image.Image          # trimmed RGBA, scaled to hashing.WORK_SIZE
    hashes: dict[str, str]

    @property
    def aspect(self) -> float:
        return self.content.width / self.content.height


class LogoMatcher:
    def __init__(self, references: list[Reference], hash_threshold: float = HASH_THRESHOLD,
                 thumb_threshold: float = THUMB_THRESHOLD):
        self.references = references
        self.hash_threshold, self.thumb_threshold = hash_threshold, thumb_threshold
        self._prints: dict[tuple, dict[str, str]] = {}

    @classmethod
    def from_config(cls, config) -> "LogoMatcher":
        refs: list[Reference] = []
        for kind, folder in (("approved", config.identity.approved_logos),
                             ("deprecated", config.identity.deprecated_logos)):
            if folder is not None:
                refs.extend(load_folder(Path(folder), kind))
        return cls(refs)

    @property
    def has_approved(self) -> bool:
        return any(r.kind == "approved" for r in self.references)

    def match(self, info: ImageInfo) -> LogoMatch:
        if not info.ok or not all(k in info.hashes for k in hashing.HASH_KEYS):
            return LogoMatch(None, None, 1.0, judged=False)
        scored = [(self.score(info, ref), ref) for ref in self.references]
        if not scored:
            return LogoMatch(None, None, 1.0)
        score, ref = min(scored, key=lambda pair: pair[0])
        if score > 1.0:
            size = info.facts.get("logo_size") or ()
            # a few pixels high, a logo's lettering is gone: a match is believable, a mismatch is not
            thin = bool(size) and min(size) < MIN_JUDGED_SIDE <= max(size)
            return LogoMatch(None, None, round(score, 3), judged=not thin)
        return LogoMatch(ref.kind, ref.name, round(score, 3), aspect_change=_aspect_change(info, ref))

    def match_part(self, info: ImageInfo) -> LogoMatch | None:
        """A site icon cut from a reference (the mark of a wordmark logo, say): the nearest reference
        it is part of, or None."""
        if not info.ok or "logo_thumb" not in info.hashes:
            return None
        scored = [(d, ref) for ref in self.references if (d := self._part_distance(info, ref)) is not None]
        if not scored:
            return None
        distance, ref = min(scored, key=lambda pair: pair[0])
        return LogoMatch(ref.kind, ref.name, round(distance, 3))

    def _part_distance(self, info: ImageInfo, ref: Reference) -> float | None:
        """Where in the reference the candidate's thumbnail correlates best (over the share of the
        reference's height it may cover), then that region fingerprinted and compared, nudged a
        little to make up for the thumbnail's coarse position. None when no region is close."""
        thumb = hashing.thumb_image(info.hashes["logo_thumb"])
        template = np.asarray(thumb.convert("L"), dtype=np.float32)
        if template.std() < PART_MIN_CONTRAST:
            return None      # a plain tile correlates with any plain region
        colour = tuple(info.facts.get("logo_bg") or hashing.WHITE)
        content = hashing.on(ref.content, colour)
        best, where = PART_CORRELATION, None
        for share in np.linspace(PART_MIN_SHARE, 1.0, 14):
            height = round(thumb.height / share)
            width = round(content.width * height / content.height)
            if width < thumb.width or height < thumb.height:
                continue
            grey = np.asarray(content.resize((width, height), Image.Resampling.BOX).convert("L"), dtype=np.float32)
            _, found, _, (x, y) = cv2.minMaxLoc(cv2.matchTemplate(grey, template, cv2.TM_CCOEFF_NORMED))
            if found > best:
                best, where = found, (x, y, content.width / width)
        if where is None:
            return None
        x, y, scale = where
        background = tuple(info.facts["logo_bg"]) if info.facts.get("logo_bg") else None
        distances = [self._compare(info, ref, prints)
                     for prints in self._regions(ref, background, thumb.size, x, y, scale)]
        score = min((max(shape / PART_HASH, col / self.thumb_threshold) for shape, col in distances), default=None)
        return score if score is not None and score <= 1.0 else None

    @staticmethod
    def _regions(ref: Reference, colour: tuple | None, size: tuple[int, int], x: int, y: int,
                 scale: float) -> Iterator[dict[str, str]]:
        """Fingerprints of the reference's region at (x, y) of a `size` window, shifted and scaled a
        little; on the candidate's background colour if it has one, transparent otherwise."""
        for dx, dy, grow in itertools.product((-1, -0.5, 0, 0.5, 1), (-1, -0.5, 0, 0.5, 1), (0.9, 1.0, 1.1)):
            cx, cy = (x + size[0] / 2 + dx) * scale, (y + size[1] / 2 + dy) * scale
            half_w, half_h = size[0] * scale * grow / 2, size[1] * scale * grow / 2
            box = (max(0, round(cx - half_w)), max(0, round(cy - half_h)),
                   min(ref.content.width, round(cx + half_w)), min(ref.content.height, round(cy + half_h)))
            if box[2] - box[0] < 4 or box[3] - box[1] < 4:
                continue
            region = ref.content.crop(box)
            trimmed, background = hashing.trim(hashing.on(region, colour) if colour else region)
            if trimmed is not None:
                yield hashing.fingerprint(trimmed, background)

    def score(self, info: ImageInfo, ref: Reference) -> float:
        """How far the image is from the reference, in units of the thresholds: 1 or less is a match."""
        shape, colour = self.distances(info, ref)
        return max(shape / self.hash_threshold, colour / self.thumb_threshold)

    def distances(self, info: ImageInfo, ref: Reference) -> tuple[float, float]:
        """(hash distance, thumbnail distance) between an analysed image and a reference."""
        background = info.facts.get("logo_bg")
        colour = tuple(background) if background else None
        size = small_size(info)
        if size is None:
            return self._compare(info, ref, self._reference_as(ref, colour, None) if colour else ref.hashes)
        # a small candidate's edges fall a pixel either way of the reduced reference's
        near = [(size[0] + dx, size[1] + dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if size[0] + dx and size[1] + dy]
        return min((self._compare(info, ref, self._reference_as(ref, colour, s), soft=True) for s in near),
                   key=lambda d: max(d[0] / self.hash_threshold, d[1] / self.thumb_threshold))

    def _compare(self, info: ImageInfo, ref: Reference, r: dict[str, str], soft: bool = False) -> tuple[float, float]:
        """(hash distance, thumbnail distance) to the reference's fingerprints `r`, made the candidate's way."""
        h = info.hashes
        on_white = (h["logo_phash"], h["logo_dhash"])
        on_black = (h["logo_phash_k"], h["logo_dhash_k"])
        background = info.facts.get("logo_bg")
        colour = hashing.thumb_distance(h["logo_thumb"], r["logo_thumb"], soft)
        if background:
            # a colour close to the logo's own hides its details: weigh differences up to make up
            boost = hashing.contrast(ref.hashes["logo_thumb"]) / max(hashing.contrast(r["logo_thumb"], background), 1e-3)
            return bit_distance(on_white, (r["logo_phash"], r["logo_dhash"])), colour * min(max(boost, 1.0), MAX_BOOST)
        ref_white, ref_black = (r["logo_phash"], r["logo_dhash"]), (r["logo_phash_k"], r["logo_dhash_k"])
        if on_white == on_black:      # opaque without a plain border: no background to match
            return min(bit_distance(on_white, ref_white), bit_distance(on_white, ref_black)), colour
        return (bit_distance(on_white, ref_white) + bit_distance(on_black, ref_black)) / 2, colour

    def _reference_as(self, ref: Reference, colour: tuple[int, ...] | None,
                      size: tuple[int, int] | None) -> dict[str, str]:
        """The reference fingerprinted the candidate's way: composited on its background colour, and
        reduced to its size when it is small (a 32-pixel icon is blurrier than any reference)."""
        shade: tuple[int, int, int] | None = None
        if colour:
            red, green, blue = (int(c) // 4 * 4 for c in colour[:3])
            shade = (red, green, blue)
        key = (ref.name, shade, size)
        if key not in self._prints:
            content, background = ref.content, None
            if shade is not None:
                trimmed, on_shade = hashing.trim(hashing.on(ref.content, shade))
                if trimmed is not None:      # else the logo vanishes on that colour
                    content, background = trimmed, on_shade
            if size:
                content = content.resize(size, Image.Resampling.LANCZOS)
            self._prints[key] = hashing.fingerprint(content, background)
        return self._prints[key]


def small_size(info: ImageInfo) -> tuple[int, int] | None:
    """The content size of a small candidate (site icon, avatar, header mark), else None."""
    size = info.facts.get("logo_size")
    if not size or not all(size) or max(size) > SMALL_SIDE:
        return None
    return int(size[0]), int(size[1])


def bit_distance(a: tuple[str, str], b: tuple[str, str]) -> float:
    """`hashing.distance`, counting differing bits on the hex values themselves (every image is
    compared with every reference: decoding hashes into arrays each time is most of the cost)."""
    if not all(HASH_HEX.fullmatch(x) for x in (*a, *b)) or len(a) != len(b):
        return hashing.distance(a, b)
    bits = sum((int(x, 16) ^ int(y, 16)).bit_count() for x, y in zip(a, b))
    return bits / (2 * hashing.HASH_SIZE * hashing.HASH_SIZE)


def _aspect_change(info: ImageInfo, ref: Reference) -> float:
    size = info.facts.get("logo_size")
    if not size or not size[1]:
        return 0.0
    return round((size[0] / size[1]) / ref.aspect - 1, 3)


def files_digest(config) -> str | None:
    """A digest of the reference logo files, read without decoding them; None when there are none."""
    digest, found = hashlib.sha1(), False
    for kind, folder in (("approved", config.identity.approved_logos),
                         ("deprecated", config.identity.deprecated_logos)):
        for path in _files(folder):
            try:
                digest.update(f"{kind}/{path.name}\x1f".encode() + hashlib.sha1(path.read_bytes()).digest())
            except OSError:
                digest.update(f"{kind}/{path.name}\x1funreadable".encode())
            found = True
    return digest.hexdigest() if found else None


def _files(folder: Path | str | None) -> list[Path]:
    if folder is None:
        return []
    return [p for p in sorted(Path(folder).iterdir()) if p.suffix.lower() in EXTENSIONS and p.is_file()]


def load_folder(folder: Path, kind: str) -> list[Reference]:
    refs = []
    for path in _files(folder):
        try:
            refs.append(load_reference(path.name, path.read_bytes(), kind))
        except (OSError, ValueError) as exc:
            log.warning("reference logo %s could not be read: %s", path, exc)
    return refs


def load_reference(name: str, data: bytes, kind: str) -> Reference:
    if len(data) > MAX_REFERENCE_BYTES:
        raise ValueError("file too large")
    content, background = hashing.trim(open_image(data))
    if content is None:
        raise ValueError("the image is blank")
    return Reference(name, kind, hashing.scaled(content), hashing.fingerprint(content, background))
