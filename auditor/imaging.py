"""Decode and analyse an image once: format, size, perceptual hashes, analyser facts.

Decoding is guarded: Pillow's decompression-bomb limit is on, oversized images are
recorded without being decoded, and any decoding error becomes `ImageInfo.error`.
Analysers (identity, photo, metadata…) are listed in ANALYSER_MODULES and add hashes or facts.
"""
from __future__ import annotations

import importlib
import io
import logging
import warnings
from typing import Callable

import imagehash
from PIL import Image, ImageOps

from .snapshot import ImageInfo

log = logging.getLogger(__name__)

MAX_PIXELS = 40_000_000          # ~ 6300 x 6300; larger is refused, not decoded
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Modules exposing `analyse(img, data, info)`: given the decoded Pillow image and the raw
# bytes, each fills info.hashes / info.facts. Run in this order, once per image.
ANALYSER_MODULES: list[str] = [
    "auditor.identity.hashing",
    "auditor.photos",
]
Analyser = Callable[[Image.Image, bytes, ImageInfo], None]


def analysers() -> list[Analyser]:
    return [importlib.import_module(name).analyse for name in ANALYSER_MODULES]


def is_svg(data: bytes, content_type: str = "") -> bool:
    head = data[:512].lstrip().lower()
    return "svg" in content_type.lower() or head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in data[:2048].lower())


def open_image(data: bytes, content_type: str = "") -> Image.Image:
    """Decode bytes (raster or SVG) into a loaded Pillow image; raises ValueError if impossible."""
    if is_svg(data, content_type):
        from .svg import rasterise  # optional heavy dependency, only for SVG
        return rasterise(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(io.BytesIO(data))
            if img.width * img.height > MAX_PIXELS:
                raise ValueError(f"image too large to decode safely ({img.width}x{img.height} pixels)")
            if img.format == "ICO":
                sizes = img.info.get("sizes") or set()
                if sizes:
                    img.size = max(sizes)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ValueError(f"image too large to decode safely ({exc})") from None
        except (OSError, SyntaxError, Image.UnidentifiedImageError, EOFError) as exc:
            raise ValueError(f"not a readable image ({type(exc).__name__}: {exc})") from None
    return img


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
        found = img._grey = upright(img).convert("L")
    return found


def basic_hashes(img: Image.Image) -> dict[str, str]:
    # an opaque RGB image flattened is itself, so its grey is the shared one
    flat = grey(img) if img.mode == "RGB" else flatten(upright(img))
    return {"phash": str(imagehash.phash(flat)), "dhash": str(imagehash.dhash(flat))}


def analyse(url: str, data: bytes, content_type: str = "", status: int | None = 200) -> ImageInfo:
    info = ImageInfo(url=url, status=status, content_type=content_type, bytes=len(data))
    try:
        img = open_image(data, content_type)
    except ValueError as exc:
        info.error = str(exc)
        info.oversized = "too large" in str(exc)
        return info
    except Exception as exc:  # noqa: BLE001 - any decoder failure is the image's problem
        info.error = f"not a readable image ({type(exc).__name__})"
        return info
    info.format = "SVG" if is_svg(data, content_type) else (img.format or "")
    info.width, info.height = img.size
    info.hashes.update(basic_hashes(img))
    for analyser in analysers():
        try:
            analyser(img, data, info)
        except Exception:  # noqa: BLE001 - a failing analyser loses its facts, not the image
            log.exception("image analysis %s failed for %s", analyser.__module__, url)
    return info
