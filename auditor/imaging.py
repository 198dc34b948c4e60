"""Decode and analyse an image once: format, size, perceptual hashes, analyser facts.

Decoding is guarded: Pillow's decompression-bomb limit is on, oversized images are
recorded without being decoded, and any decoding error becomes `ImageInfo.error`.
Analysers (identity, photo, metadata…) are listed in ANALYSER_MODULES and add hashes or facts.
"""
from __future__ import annotations

import enum
import importlib
import io
import logging
import warnings
from typing import Callable

import imagehash
from PIL import Image, ImageOps

from .perceptual import phash
from .snapshot import ImageInfo

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000          # ~ 6300 x 6300; larger is refused, not decoded
# Analysers need no more than this many pixels on the longer side (people are looked for at 320,
# logos hashed at 256, thumbnails 160), so large JPEGs are decoded reduced for them.
ANALYSIS_SIDE = 800
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

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


class Refused(ValueError):
    """Not decoded: drawing it would crash the decoder or cost far more than an image should."""


def mark_unchecked(info: ImageInfo, kind: Unchecked, reason: str) -> ImageInfo:
    info.facts[NOT_CHECKED], info.facts[NOT_CHECKED_KIND] = reason, kind.value
    return info


def analysers() -> list[Analyser]:
    return [importlib.import_module(name).analyse for name in ANALYSER_MODULES]


def is_svg(data: bytes, content_type: str = "") -> bool:
    head = data[:512].lstrip().lower()
    return "svg" in content_type.lower() or head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower())


def open_image(data: bytes, content_type: str = "") -> Image.Image:
    """Decode bytes (raster or SVG) into a loaded Pillow image; raises ValueError if impossible."""
    return decode(data, content_type)[0]


def decode(data: bytes, content_type: str = "", reduce_to: int | None = None) -> tuple[Image.Image, tuple[int, int]]:
    """(loaded image, its full size). With `reduce_to`, a large JPEG is decoded at 1/2, 1/4 or 1/8
    scale by libjpeg itself (several times faster), its longer side staying at least `reduce_to`."""
    if is_svg(data, content_type):
        from .svg import rasterise  # optional heavy dependency, only for SVG
        img = rasterise(data)
        return img, img.size
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise ValueError(f"image too large to decode safely ({img.width}x{img.height} pixels)")
            if img.format == "ICO":
                sizes = img.info.get("sizes") or set()
                if sizes:
                    img.size = max(sizes)  # type: ignore[misc]  # how Pillow's ICO plugin picks a size
            size = img.size
            if reduce_to and img.format == "JPEG":
                _draft(img, reduce_to)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"image too large to decode safely ({exc})") from None
        except (OSError, SyntaxError, Image.UnidentifiedImageError, EOFError) as exc:
            raise ValueError(f"not a readable image ({type(exc).__name__}: {exc})") from None
    return img, size


def _draft(img: Image.Image, side: int) -> None:
    scale = 1
    while scale < 8 and max(img.size) // (scale * 2) >= side:
        scale *= 2
    if scale > 1:
        img.draft(img.mode, (img.width // scale, img.height // scale))


def flatten(img: Image.Image, background=(255, 255, 255)) -> Image.Image:
    """RGB image with any transparency composited on `background`."""
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        base = Image.new("RGBA", rgba.size, background + (255,))
        base.alpha_composite(rgba)
        return base.convert("RGB")
    return img.convert("RGB")


def upright(img: Image.Image) -> Image.Image:
    """`img` turned by its EXIF orientation (a new image)."""
    return ImageOps.exif_transpose(img) if hasattr(img, "getexif") else img


def grey(img: Image.Image) -> Image.Image:
    """The upright image in grey (transparency ignored), made once per image and shared by the
    analysers: read-only, copy before changing it."""
    found = getattr(img, "_grey", None)
    if found is None:
        found = upright(img).convert("L")
        setattr(img, "_grey", found)
    return found


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
        info.oversized = "too large" in str(exc)
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
