"""Rasterise SVG safely: size-capped, no entities, no external resources.

Rendering uses resvg (the `resvg-py` wheel, self-contained). An SVG from the web is
untrusted: entity declarations are refused, the document is parsed without network or
DTD loading, and every reference other than an in-document `#id` or a `data:` image is
removed before rendering, so nothing outside the bytes given is ever read.
"""
from __future__ import annotations

import functools
import io
import logging
import re
from pathlib import Path

import resvg_py
from lxml import etree
from PIL import Image, ImageFont

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


def sanitise(data: bytes) -> str:
    """The SVG as text with external references stripped; raises ValueError if unsafe or unreadable."""
    if len(data) > MAX_SVG_BYTES:
        raise ValueError(f"SVG too large to render safely ({len(data)} bytes)")
    if ENTITY.search(data):
        raise ValueError("SVG declares entities; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a readable SVG ({exc})") from None
    if root is None or not isinstance(root.tag, str) or etree.QName(root).localname != "svg":
        raise ValueError("not an SVG document")
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
