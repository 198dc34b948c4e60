"""Logo fingerprints: perceptual hashes of an image trimmed to its content.

A logo may be padded, shown on another background, resized or re-encoded; each copy must
still hash alike. So the image is first trimmed of transparent or uniform borders, scaled
to a common size, and hashed composited on white and on black (a transparent logo hashed
on white and on black differs by more than unrelated photos do). An opaque image with a
uniform border records that background colour, so references can be composited on the
same colour before comparing.
"""
from __future__ import annotations

import imagehash
import numpy as np
from PIL import Image, ImageFilter

from ..perceptual import phash
from ..snapshot import ImageInfo

TRIM_SIZE = 1024         # larger images are scaled down before trimming
WORK_SIZE = 256          # trimmed content is scaled to fit this box before hashing
HASH_SIZE = 16           # 256-bit hashes: fine enough to tell wordmarks apart
ALPHA_FLOOR = 16         # alpha at or below this counts as transparent
BORDER_TOLERANCE = 24    # per-channel difference still counted as "the background"
FLAT_SHARE = 0.005       # fewer differing pixels than this share is compression noise on a flat image
BORDER_SHARE = 0.9       # share of the outer ring that must be one colour to be a background
WHITE, BLACK = (255, 255, 255), (0, 0, 0)
THUMB_HEIGHT = 24       # colour thumbnail, aspect kept: tells colours and wordmarks apart
THUMB_MAX_WIDTH = 96
BLOCK = 4                # thumbnail pixels per compared block
OPAQUE_MODES = ("RGB", "L")
HASH_KEYS = ("logo_phash", "logo_dhash", "logo_phash_k", "logo_dhash_k", "logo_thumb")


def analyse(img: Image.Image, data: bytes, info: ImageInfo) -> None:
    """Image analyser (see imaging.ANALYSER_MODULES): adds logo hashes and facts."""
    content, background = trim(img)
    if content is None:
        return
    info.hashes.update(fingerprint(content, background))
    scale = info.width / img.width if info.width and img.width else 1   # img may be decoded reduced
    info.facts["logo_size"] = [round(content.width * scale), round(content.height * scale)]
    info.facts["logo_bg"] = list(background) if background else None


def trim(img: Image.Image) -> tuple[Image.Image | None, tuple[int, int, int] | None]:
    """(content cropped to what is not transparent or background, background colour or None).
    The content is RGB for an opaque image, RGBA otherwise."""
    if img.mode in OPAQUE_MODES:            # nothing transparent to trim: skip the alpha channel
        return _trim_background(_fit(img if img.mode == "RGB" else img.convert("RGB")))
    rgba = _fit(_rgba(img))
    alpha = np.asarray(rgba.getchannel("A"))
    box = _bbox(alpha > ALPHA_FLOOR)
    if box is None:
        return None, None
    rgba = rgba.crop(box)
    if np.asarray(rgba.getchannel("A")).min() < 255:
        return rgba, None
    return _trim_background(rgba)


def _fit(img: Image.Image) -> Image.Image:
    if max(img.size) > TRIM_SIZE:          # big photos: trim a smaller copy, same for references
        img = img.copy()
        img.thumbnail((TRIM_SIZE, TRIM_SIZE), Image.Resampling.LANCZOS, reducing_gap=2.0)
    return img


def _trim_background(content: Image.Image) -> tuple[Image.Image, tuple[int, int, int] | None]:
    """An opaque image cropped to what differs from a uniform border colour, and that colour."""
    pixels = np.asarray(content if content.mode == "RGB" else content.convert("RGB"))
    background = _border_colour(np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).astype(np.int16))
    if background is None:
        return content, None
    differs = np.abs(pixels.astype(np.int16) - np.array(background, dtype=np.int16)).max(axis=2) > BORDER_TOLERANCE
    box = _bbox(differs)
    if box is None or differs.sum() < max(4, differs.size * FLAT_SHARE):   # one flat colour, or noise
        return content, None
    return content.crop(box), background


def _rgba(img: Image.Image) -> Image.Image:
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):    # 16-bit and float greys: scale to 8 bits first
        img = img.point(lambda v: v / 256).convert("L")
    return img.convert("RGBA")


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not len(rows):
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def _border_colour(ring: np.ndarray) -> tuple[int, int, int] | None:
    median = np.median(ring, axis=0)
    close = np.abs(ring - median).max(axis=1) <= BORDER_TOLERANCE
    if close.mean() < BORDER_SHARE:
        return None
    red, green, blue = (int(round(v)) for v in median[:3])
    return red, green, blue


def scaled(content: Image.Image) -> Image.Image:
    img = content.copy()
    if max(img.size) > WORK_SIZE:
        img.thumbnail((WORK_SIZE, WORK_SIZE), Image.Resampling.LANCZOS)
    return img


def on(content: Image.Image, colour: tuple[int, int, int]) -> Image.Image:
    if content.mode == "RGB":
        return content
    base = Image.new("RGBA", content.size, colour + (255,))
    base.alpha_composite(content)
    return base.convert("RGB")


def hash_pair(rgb: Image.Image) -> tuple[str, str]:
    return str(phash(rgb, hash_size=HASH_SIZE)), str(imagehash.dhash(rgb, hash_size=HASH_SIZE))


def fingerprint(content: Image.Image, background: tuple[int, int, int] | None = None) -> dict[str, str]:
    """Hashes of trimmed content on white (or its own background) and on black."""
    small = scaled(content)
    if small.mode != "RGB" and small.getchannel("A").getextrema()[0] == 255:
        small = small.convert("RGB")
    on_white = hash_pair(on(small, background or WHITE))
    # an opaque image is the same on any background: hash it once
    on_black = on_white if small.mode == "RGB" else hash_pair(on(small, background or BLACK))
    prints = dict(zip(HASH_KEYS, on_white + on_black))
    prints["logo_thumb"] = thumb(on(small, background or WHITE))
    return prints


def thumb(rgb: Image.Image) -> str:
    """A tiny colour image as "WxH:hex", kept to compare colour and layout."""
    aspect = rgb.width / rgb.height
    if aspect * THUMB_HEIGHT <= THUMB_MAX_WIDTH:
        width, height = max(4, round(THUMB_HEIGHT * aspect)), THUMB_HEIGHT
    else:
        width, height = THUMB_MAX_WIDTH, max(4, round(THUMB_MAX_WIDTH / aspect))
    small = rgb.resize((width, height), Image.Resampling.BOX)
    return f"{width}x{height}:" + small.tobytes().hex()


def thumb_image(value: str) -> Image.Image:
    dims, data = value.split(":", 1)
    width, height = (int(v) for v in dims.split("x"))
    return Image.frombytes("RGB", (width, height), bytes.fromhex(data))


def contrast(value: str, background=WHITE) -> float:
    """Mean difference of a thumbnail from its background colour, 0 to 1."""
    arr = np.asarray(thumb_image(value), dtype=np.float32)
    return float(np.abs(arr - np.array(background[:3], dtype=np.float32)).mean() / 255)


def thumb_distance(a: str, b: str, soft: bool = False) -> float:
    """Colour difference of two thumbnails, 0 (same) to 1: the worst block's mean difference.
    `soft` blurs both first: a small image's strokes and edges fall between its few pixels
    differently in every copy, its colours do not."""
    img_b = thumb_image(b)
    img_a = thumb_image(a).resize(img_b.size, Image.Resampling.BILINEAR)
    if soft:
        img_a, img_b = (img.filter(ImageFilter.BoxBlur(1)) for img in (img_a, img_b))
    return _block_distance(np.asarray(img_a, dtype=np.int16), np.asarray(img_b, dtype=np.int16))


def _block_distance(a: np.ndarray, b: np.ndarray) -> float:
    diff = np.abs(a - b).mean(axis=2) / 255
    h, w = diff.shape
    blocks = diff[: h - h % BLOCK, : w - w % BLOCK].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).mean(axis=(1, 3))
    return float(blocks.max()) if blocks.size else float(diff.mean())


def distance(a: tuple[str, str], b: tuple[str, str]) -> float:
    """Share of differing bits over the phash and dhash pair, 0 (same) to 1."""
    bits = sum(imagehash.hex_to_hash(x) - imagehash.hex_to_hash(y) for x, y in zip(a, b))
    return bits / (2 * HASH_SIZE * HASH_SIZE)
