"""Decode and analyse an image once: format, size, perceptual hashes, analyser facts.

Decoding is guarded: Pillow's decompression-bomb limit is on, oversized images are
recorded without being decoded, and any decoding error becomes `ImageInfo.error`.
Analysers (identity, photo, metadata…) are listed in ANALYSER_MODULES and add hashes or facts.
"""
from __future__ import annotations

import enum
import importlib
import logging
from typing import Callable

import imagehash
from PIL import Image

# Decoding and the pixel helpers live in decoding; their names here are for callers of imaging.
from .decoding import MAX_PIXELS, decode, flatten, grey, is_svg, open_image, upright  # noqa: F401
from .limits import Refused, TooLarge
from .perceptual import phash
from .snapshot import ImageInfo

log = logging.getLogger(__name__)

# Analysers need no more than this many pixels on the longer side (people are looked for at 320,
# logos hashed at 256, thumbnails 160), so large JPEGs are decoded reduced for them.
ANALYSIS_SIDE = 800

# Modules exposing `analyse(img, data, info)`: given the decoded Pillow image and the raw
# bytes, each fills info.hashes / info.facts. Run in this order, once per image.
ANALYSER_MODULES: list[str] = [
    "auditor.identity.hashing",
    "auditor.photos",
]
Analyser = Callable[[Image.Image, bytes, ImageInfo], None]
# ImageInfo.facts keys for an image that could not be analysed: why, in plain words, and the kind.
NOT_CHECKED, NOT_CHECKED_KIND = "not_checked", "not_checked_kind"


class Unchecked(str, enum.Enum):
    """Why an image has no analysis, though it may well display."""

    REFUSED = "refused"               # its structure would make the decoder crash or run away
    CRASHED = "crashed"               # the decoder died (segmentation fault, abort)
    MEMORY = "memory"                 # it needed more memory than the limit allows
    CPU = "cpu"                       # it used up its processor time
    DEADLINE = "deadline"             # no answer in time
    STOPPED = "stopped"               # the audit was stopped while it worked
    UNAVAILABLE = "unavailable"       # no worker could be started
    CAPPED = "capped"                 # not fetched: a cap on images was reached


def mark_unchecked(info: ImageInfo, kind: Unchecked, reason: str) -> ImageInfo:
    info.facts[NOT_CHECKED], info.facts[NOT_CHECKED_KIND] = reason, kind.value
    return info


def analysers() -> list[Analyser]:
    return [importlib.import_module(name).analyse for name in ANALYSER_MODULES]


def basic_hashes(img: Image.Image) -> dict[str, str]:
    # an opaque RGB image flattened is itself, so its grey is the shared one
    flat = grey(img) if img.mode == "RGB" else flatten(upright(img))
    return {"phash": str(phash(flat)), "dhash": str(imagehash.dhash(flat))}


def analyse(url: str, data: bytes, content_type: str = "", status: int | None = 200) -> ImageInfo:
    """Decode and analyse; a photograph is also searched for people. Run in this process only for
    trusted files: the crawl analyses what it fetches in `isolation.Decoders`' workers. An image that
    is refused before decoding is marked unchecked; MemoryError is raised, never taken for an
    unreadable image."""
    info = ImageInfo(url=url, status=status, content_type=content_type, bytes=len(data))
    try:
        img, (info.width, info.height) = decode(data, content_type, reduce_to=ANALYSIS_SIDE)
    except Refused as exc:
        info.width = info.height = 0
        return mark_unchecked(info, Unchecked.REFUSED, str(exc))
    except ValueError as exc:
        info.error = str(exc)
        info.oversized = isinstance(exc, TooLarge)
        return info
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure is the image's problem
        info.error = f"not a readable image ({type(exc).__name__})"
        return info
    info.format = "SVG" if is_svg(data, content_type) else (img.format or "")
    info.hashes.update(basic_hashes(img))
    for analyser in analysers():
        try:
            analyser(img, data, info)
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - a failing analyser loses its facts, not the image
            log.exception("image analysis %s failed for %s", analyser.__module__, url)
    if info.facts.get("photo"):
        from .people import look    # the detectors' networks, loaded when a photograph needs them
        try:
            info.facts.update(look(img).to_facts())
        except MemoryError:
            raise
        except Exception:  # noqa: BLE001 - as for the analysers
            log.exception("looking for people failed for %s", url)
    return info
