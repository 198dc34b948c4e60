"""Reference logos and the matcher that tells approved, deprecated and unknown logos apart.

References are image files (PNG, JPEG, WebP, GIF, ICO, SVG) in the configured
`identity.approved_logos` and `identity.deprecated_logos` folders, loaded and hashed once
per run. Without those folders the matcher knows no logos and logo checks stay silent.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..imaging import open_image
from ..snapshot import ImageInfo
from . import hashing

log = logging.getLogger(__name__)

EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".ico", ".svg"}
# Two images are the same logo when both distances are within these; set from the
# calibration test (tests/test_identity_calibration.py), which prints the margins.
HASH_THRESHOLD = 0.24
THUMB_THRESHOLD = 0.155
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
        self._on_colour: dict[tuple[str, tuple[int, ...]], dict[str, str]] = {}

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
            return LogoMatch(None, None, round(score, 3))
        return LogoMatch(ref.kind, ref.name, round(score, 3), aspect_change=_aspect_change(info, ref))

    def score(self, info: ImageInfo, ref: Reference) -> float:
        """How far the image is from the reference, in units of the thresholds: 1 or less is a match."""
        shape, colour = self.distances(info, ref)
        return max(shape / self.hash_threshold, colour / self.thumb_threshold)

    def distances(self, info: ImageInfo, ref: Reference) -> tuple[float, float]:
        """(hash distance, thumbnail distance) between an analysed image and a reference."""
        h = info.hashes
        on_white = (h["logo_phash"], h["logo_dhash"])
        on_black = (h["logo_phash_k"], h["logo_dhash_k"])
        background = info.facts.get("logo_bg")
        if background:
            prints = self._reference_on(ref, tuple(background))
            # a colour close to the logo's own hides its details: weigh differences up to make up
            boost = hashing.contrast(ref.hashes["logo_thumb"]) / max(hashing.contrast(prints["logo_thumb"], background), 1e-3)
            colour = hashing.thumb_distance(h["logo_thumb"], prints["logo_thumb"]) * min(max(boost, 1.0), MAX_BOOST)
            return bit_distance(on_white, (prints["logo_phash"], prints["logo_dhash"])), colour
        r = ref.hashes
        colour = hashing.thumb_distance(h["logo_thumb"], r["logo_thumb"])
        ref_white, ref_black = (r["logo_phash"], r["logo_dhash"]), (r["logo_phash_k"], r["logo_dhash_k"])
        if on_white == on_black:      # opaque without a plain border: no background to match
            return min(bit_distance(on_white, ref_white), bit_distance(on_white, ref_black)), colour
        return (bit_distance(on_white, ref_white) + bit_distance(on_black, ref_black)) / 2, colour

    def _reference_on(self, ref: Reference, colour: tuple[int, ...]) -> dict[str, str]:
        """The reference composited on the candidate's background, fingerprinted the candidate's way."""
        key = (ref.name, tuple(int(c) // 4 * 4 for c in colour[:3]))
        if key not in self._on_colour:
            content, background = hashing.trim(hashing.on(ref.content, key[1]))
            if content is None:      # the logo vanishes on that colour
                content, background = ref.content, None
            self._on_colour[key] = hashing.fingerprint(content, background)
        return self._on_colour[key]


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
