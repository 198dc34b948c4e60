"""Small thumbnails of flagged photos for the report, kept in the storage folder.

They are written from the analyser's re-encoded thumbnail (at most 160 px, JPEG, no metadata),
and re-encoded once more on the way to disk so nothing but pixels is ever stored.
"""
from __future__ import annotations

import base64
import hashlib
import io
import logging
from pathlib import Path
from typing import Iterable

from PIL import Image

from ..findings import Finding
from ..snapshot import Snapshot

log = logging.getLogger(__name__)

FLAGGED = ("photo.", "privacy.photo_metadata")
MAX_SIDE = 160


def save_thumbnails(findings: Iterable[Finding], snapshot: Snapshot, storage_dir: Path) -> dict[str, Path]:
    """{photo URL -> thumbnail file} for every photo with a photo.* or privacy.photo_metadata finding."""
    folder = Path(storage_dir) / "thumbnails"
    out: dict[str, Path] = {}
    for finding in findings:
        src = finding.subject
        if not src or src in out or not finding.check.startswith(FLAGGED):
            continue
        info = snapshot.images.get(src)
        encoded = info.facts.get("thumb") if info else None
        if info is None or not encoded:
            continue
        try:
            out[src] = _write(folder, src, base64.b64decode(encoded))
        except (OSError, ValueError) as exc:
            log.warning("could not store a thumbnail of %s: %s", src, exc)
            continue
        info.thumbnail = out[src].name
    return out


def _write(folder: Path, src: str, data: bytes) -> Path:
    opened = Image.open(io.BytesIO(data))
    opened.draft("RGB", (MAX_SIDE, MAX_SIDE))
    img = opened.convert("RGB")
    img.thumbnail((MAX_SIDE, MAX_SIDE))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (hashlib.sha256(src.encode("utf-8")).hexdigest()[:20] + ".jpg")
    img.save(path, "JPEG", quality=75)   # saved without exif/icc: pixels only
    return path
