"""Rasterise SVG safely: size-capped, no entities, no external resources.

Rendering uses resvg (the `resvg-py` wheel, self-contained). An SVG from the web is
untrusted: entity declarations are refused, the document is parsed without network or
DTD loading, and every reference other than an in-document `#id` or a `data:` image is
removed before rendering, so nothing outside the bytes given is ever read.
"""
from __future__ import annotations

import io
import re

import resvg_py
from lxml import etree
from PIL import Image

MAX_SVG_BYTES = 5 * 1024 * 1024
# resvg draws no text unless a font family that exists is named; these ship with most Linux systems.
SANS, SERIF, MONO = "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"
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
        png = resvg_py.svg_to_bytes(svg_string=text, width=size, height=size, font_family=SANS,
                                    sans_serif_family=SANS, serif_family=SERIF, monospace_family=MONO)
    except (ValueError, RuntimeError) as exc:
        raise ValueError(f"SVG could not be rendered ({exc})") from None
    img = Image.open(io.BytesIO(bytes(png)))
    img.load()
    return img.convert("RGBA")
