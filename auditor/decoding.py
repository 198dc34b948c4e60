"""Decoding images safely, and the pixel helpers the analysers share (flattened, upright, grey).

Pillow's decompression-bomb limit is on and images over MAX_PIXELS are refused before decoding.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from .limits import TooLarge

MAX_PIXELS = 40_000_000          # ~ 6300 x 6300; larger is refused, not decoded
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


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
                raise TooLarge(f"image too large to decode safely ({img.width}x{img.height} pixels)")
            if img.format == "ICO":
                sizes = img.info.get("sizes") or set()
                if sizes:
                    img.size = max(sizes)  # type: ignore[misc]  # how Pillow's ICO plugin picks a size
            size = img.size
            if reduce_to and img.format == "JPEG":
                _draft(img, reduce_to)
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooLarge(f"image too large to decode safely ({exc})") from None
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
