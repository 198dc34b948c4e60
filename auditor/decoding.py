"""Decoding images safely, and the pixel helpers the analysers share (flattened, upright, grey).

Pillow's decompression-bomb limit is on and images over MAX_PIXELS are refused before decoding.
"""
from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

from .limits import TooLarge

# Beyond any camera's photograph (~12000 x 8000): larger is refused, not decoded. Photographs up to
# this size are decoded reduced, so their size costs time, not memory.
MAX_PIXELS = 100_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Larger images that libjpeg cannot reduce while decoding (PNG, WebP, TIFF…) are reduced by libvips
# as it reads them, a strip at a time: Pillow would hold every pixel (a 30 MP PNG is 90 MB).
STREAM_PIXELS = 12_000_000


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
            elif reduce_to and img.width * img.height > STREAM_PIXELS and img.format not in ("ICO", "GIF"):
                return _streamed(data, reduce_to, img.format), size
            img.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise TooLarge(f"image too large to decode safely (over {MAX_PIXELS // 1_000_000} million pixels, "
                           "the most a photograph has)") from None
        except (OSError, SyntaxError, Image.UnidentifiedImageError, EOFError) as exc:
            raise ValueError(f"not a readable image ({type(exc).__name__}: {exc})") from None
    return img, size


def _streamed(data: bytes, side: int, fmt: str | None) -> Image.Image:
    """The image reduced to `side` pixels on its longer side (turned upright) by libvips, which
    decodes it a strip at a time; raises ValueError when it cannot."""
    import pyvips   # loaded when a very large image needs it

    # each image is decoded once, one at a time per process: libvips' cache of operations and its
    # thread per core would only hold memory (tens of megabytes for a 30-megapixel PNG)
    pyvips.cache_set_max(0)
    pyvips.concurrency_set(1)
    try:
        vimg = pyvips.Image.thumbnail_buffer(data, side, size="down")
        if vimg.format != "uchar":          # 16-bit and float images, as 8-bit sRGB or grey
            vimg = vimg.colourspace("srgb" if vimg.bands >= 3 else "b-w").cast("uchar")
        pixels = vimg.numpy()
    except pyvips.Error as exc:
        if "out of memory" in str(exc):     # libvips' own allocation refused: the image is fine
            raise MemoryError(str(exc).strip()[:200]) from None
        raise ValueError(f"not a readable image ({str(exc).splitlines()[0][:200]})") from None
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}.get(pixels.shape[2] if pixels.ndim == 3 else 1)
    if mode is None:
        raise ValueError(f"not a readable image ({pixels.shape[2]} channels)")
    img = Image.fromarray(pixels.reshape(pixels.shape[:2]) if mode == "L" else pixels, mode)
    img.format = fmt
    return img


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
