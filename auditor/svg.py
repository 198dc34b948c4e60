"""Rasterise SVG safely: size-capped, no entities, no external resources.

Rendering uses resvg (the `resvg-py` wheel, self-contained). An SVG from the web is
untrusted: entity declarations are refused, the document is parsed without network or
DTD loading, and every reference other than an in-document `#id` or a `data:` image is
removed before rendering, so nothing outside the bytes given is ever read.
"""
from __future__ import annotations

import base64
import binascii
import functools
import io
import logging
import math
import re
from pathlib import Path

import resvg_py
from lxml import etree
from PIL import Image, ImageFont

from .limits import Refused

log = logging.getLogger(__name__)

MAX_SVG_BYTES = 5 * 1024 * 1024
# resvg draws no text unless a font family that exists is named: DejaVu ships with most Linux
# systems (Debian: fonts-dejavu-core); otherwise the first installed font stands in.
PREFERRED = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono")
MAX_FONTS_READ = 200
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")
ENTITY = re.compile(rb"<!ENTITY", re.I)
HREF_ATTRS = ("href", "{http://www.w3.org/1999/xlink}href", "src")
SAFE_HREF = re.compile(r"^\s*(#|data:image/(png|jpeg|gif|webp);)", re.I)
CSS_EXTERNAL = re.compile(r"@import[^;]*;?|url\(\s*(?!['\"]?#)[^)]*\)", re.I)
# Checked before drawing: resvg recurses through nesting (about 250 levels overflow its stack),
# decodes embedded images at full size, and spends time on every filter step.
MAX_DEPTH = 64
MAX_ELEMENTS = 50_000
MAX_FILTER_STEPS = 64
MAX_EMBEDDED = 16
MAX_EMBEDDED_PIXELS = 25_000_000     # all embedded images together
MAX_SIDE = 1_000_000                 # the drawing's own width and height, in its units
EMBEDDED_HEAD = 256 * 1024           # enough of an embedded image to read its size
NUMBER = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)")


def sanitise(data: bytes) -> str:
    """The SVG as text with external references stripped; raises Refused (a ValueError) when drawing
    it would be unsafe, ValueError when it is unreadable."""
    if len(data) > MAX_SVG_BYTES:
        raise Refused(f"the SVG is larger than {MAX_SVG_BYTES // 2**20} MB, too large to draw safely")
    if ENTITY.search(data):
        raise Refused("the SVG declares entities, which are never expanded")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        if "depth" in str(exc).lower():     # libxml2's own nesting limit
            raise Refused(f"the SVG nests its drawing more than {MAX_DEPTH} levels deep, too deep to draw safely") from None
        raise ValueError(f"not a readable SVG ({exc})") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        raise ValueError("not an SVG document")
    check_structure(root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in HREF_ATTRS:
            value = el.get(attr)
            if value is not None and not SAFE_HREF.match(value):
                del el.attrib[attr]
        if el.get("style"):
            el.set("style", CSS_EXTERNAL.sub("", el.get("style")))
        if etree.QName(el).localname == "style" and el.text:
            el.text = CSS_EXTERNAL.sub("", el.text)
    return etree.tostring(root, encoding="unicode")


def check_structure(root) -> None:
    """Refuse, before drawing, what would make the renderer crash or run away: deep nesting
    (<use> references included), a huge element count, absurd own sizes, many filter steps,
    large embedded images."""
    elements = steps = embedded = pixels = 0
    ids: dict[str, etree._Element] = {}
    for el in root.iter():
        elements += 1
        if elements > MAX_ELEMENTS:
            raise Refused(f"the SVG has more than {MAX_ELEMENTS} elements, too many to draw safely")
        if not isinstance(el.tag, str):
            continue
        if el.get("id"):
            ids.setdefault(el.get("id"), el)
        name = etree.QName(el).localname
        if name.startswith("fe"):
            steps += 1
            if steps > MAX_FILTER_STEPS:
                raise Refused(f"the SVG has more than {MAX_FILTER_STEPS} filter steps, too costly to draw")
        if name in ("svg", "image", "rect", "use", "pattern", "filter", "mask"):
            _check_sides(el)
        href = _href(el)
        if href and SAFE_HREF.match(href) and href.lstrip()[:5].lower() == "data:":
            embedded += 1
            if embedded > MAX_EMBEDDED:
                raise Refused(f"the SVG embeds more than {MAX_EMBEDDED} images")
            pixels += _embedded_pixels(href)
            if pixels > MAX_EMBEDDED_PIXELS:
                raise Refused("the SVG embeds images too large to draw safely")
    _drawn_depth(root, ids, {}, 0)


def _href(el) -> str | None:
    return next((el.get(a) for a in HREF_ATTRS if el.get(a)), None)


def _drawn_depth(el, ids: dict, memo: dict, base: int) -> int:
    """How deep drawing `el` nests, following <use> into what it draws; Refused when `base` (the
    depth `el` is drawn at) plus that passes MAX_DEPTH. A <use> cycle counts as too deep. Each
    referenced element is walked once; the recursion is at most MAX_DEPTH deep."""
    too_deep = Refused(f"the SVG nests its drawing more than {MAX_DEPTH} levels deep, too deep to draw safely")
    if el in memo:
        if base + memo[el] > MAX_DEPTH:
            raise too_deep
        return memo[el]
    memo[el] = MAX_DEPTH + 1          # until known: met again on the way, it is a cycle
    deepest = depth = 0
    for event, node in etree.iterwalk(el, events=("start", "end")):
        if event == "end":
            depth -= 1
            continue
        depth += 1
        deepest = max(deepest, depth)
        if isinstance(node.tag, str) and etree.QName(node).localname == "use":
            target = ids.get((_href(node) or "").strip()[1:])
            if target is not None:
                deepest = max(deepest, depth + _drawn_depth(target, ids, memo, base + depth))
        if base + deepest > MAX_DEPTH:
            raise too_deep
    memo[el] = deepest
    return deepest


def _check_sides(el) -> None:
    values = [el.get("width"), el.get("height"), *(el.get("viewBox") or "").replace(",", " ").split()]
    for value in filter(None, values):
        match = NUMBER.match(value)
        if match and not (math.isfinite(float(match.group(1))) and abs(float(match.group(1))) <= MAX_SIDE):
            raise Refused(f"the SVG gives itself a size ({value[:40]}) too large to draw")


def _embedded_pixels(href: str) -> int:
    """Width x height of a data: image, read from its first bytes; refuses what cannot be read."""
    head, _, payload = href.partition(",")
    if ";base64" not in head.lower():
        return 0          # not base64: resvg does not draw it
    text = re.sub(r"\s", "", payload[: EMBEDDED_HEAD * 2])[: EMBEDDED_HEAD // 3 * 4]
    try:
        raw = base64.b64decode(text[: len(text) // 4 * 4])
        with Image.open(io.BytesIO(raw)) as img:
            return img.width * img.height
    except Image.DecompressionBombError:
        raise Refused("the SVG embeds images too large to draw safely") from None
    except (binascii.Error, OSError, ValueError):
        raise Refused("the SVG embeds an image whose size cannot be read") from None


def rasterise(data: bytes, size: int = 512) -> Image.Image:
    """Render SVG bytes to an RGBA image fitting in size x size, keeping its aspect ratio."""
    text = sanitise(data)
    try:
        sans, serif, mono = font_families()
        png = resvg_py.svg_to_bytes(svg_string=text, width=size, height=size, font_family=sans,
                                    sans_serif_family=sans, serif_family=serif, monospace_family=mono)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"SVG could not be rendered ({exc})") from None
    img = Image.open(io.BytesIO(bytes(png)))
    img.load()
    return img.convert("RGBA")


@functools.lru_cache(maxsize=1)
def font_families() -> tuple[str, str, str]:
    """(sans-serif, serif, monospace) family names installed on this machine."""
    installed: dict[str, Path] = {}
    for folder in FONT_DIRS:
        for path in sorted(Path(folder).expanduser().glob("**/*.[ot]tf")):
            if all(f in installed for f in PREFERRED) or len(installed) >= MAX_FONTS_READ:
                break
            try:
                family = ImageFont.truetype(str(path), 10).getname()[0]
                if family:
                    installed.setdefault(family, path)
            except OSError:
                continue
    if not installed:
        log.warning("no fonts installed: text in SVG images will not be drawn (install fonts-dejavu-core)")
        return PREFERRED
    fallback = next((f for f in installed if "sans" in f.lower()), next(iter(installed)))
    sans, serif, mono = (f if f in installed else fallback for f in PREFERRED)
    return sans, serif, mono
