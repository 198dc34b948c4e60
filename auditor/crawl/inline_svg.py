"""Inline <svg> logos: many site themes draw the header logo as markup rather than an image file.

An inline SVG is recorded only when it presents itself as a logo (in the page header, inside
a link to the home page, or called a logo by itself or its container). Its markup travels in
`ImageUse.attrs["markup"]` until the crawler hands it to image analysis, which rasterises and
hashes it like any other image. The source key is the site root plus a hash of the markup,
so the same logo on every page is analysed once and keeps its key from run to run.
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from ..identity.claims import HOME_PATHS, LOGO_WORD
from ..snapshot import ImageUse

KIND = "inline-svg"
MARKUP = "markup"               # the attrs key carrying the SVG text to the crawler
MAX_MARKUP = 200 * 1024
MAX_PER_PAGE = 4
MAX_ELEMENTS = 5000             # a drawing this busy is an illustration, not a logo
MAX_DEPTH = 64                  # as svg.MAX_DEPTH: deeper is refused before drawing anyway
SVG_NS = "http://www.w3.org/2000/svg"
# The HTML parser lower-cases names; SVG needs their own case back (HTML "adjust SVG" tables).
CASED = ["altGlyph", "altGlyphDef", "altGlyphItem", "animateColor", "animateMotion", "animateTransform",
         "clipPath", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
         "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA",
         "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode",
         "feMorphology", "feOffset", "fePointLight", "feSpecularLighting", "feSpotLight", "feTile",
         "feTurbulence", "glyphRef", "linearGradient", "radialGradient", "textPath",
         "attributeName", "attributeType", "baseFrequency", "baseProfile", "calcMode", "clipPathUnits",
         "diffuseConstant", "edgeMode", "filterUnits", "glyphRef", "gradientTransform", "gradientUnits",
         "kernelMatrix", "kernelUnitLength", "keyPoints", "keySplines", "keyTimes", "lengthAdjust",
         "limitingConeAngle", "markerHeight", "markerUnits", "markerWidth", "maskContentUnits", "maskUnits",
         "numOctaves", "pathLength", "patternContentUnits", "patternTransform", "patternUnits", "pointsAtX",
         "pointsAtY", "pointsAtZ", "preserveAlpha", "preserveAspectRatio", "primitiveUnits", "refX", "refY",
         "repeatCount", "repeatDur", "requiredExtensions", "requiredFeatures", "specularConstant",
         "specularExponent", "spreadMethod", "startOffset", "stdDeviation", "stitchTiles", "surfaceScale",
         "systemLanguage", "tableValues", "targetX", "targetY", "textLength", "viewBox", "viewTarget",
         "xChannelSelector", "yChannelSelector", "zoomAndPan"]
CASE = {name.lower(): name for name in CASED}
NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


def logo_use(el, base: str, region: str, link: str | None, context: str) -> ImageUse | None:
    """An ImageUse for an inline <svg> that presents itself as a logo, with its markup; else None."""
    title = _title(el)
    parent = _container_hint(el)
    own = " ".join(filter(None, (el.get("id"), el.get("class"), el.get("aria-label"), title)))
    if not (region == "header" or _links_home(link, base) or LOGO_WORD.search(own) or LOGO_WORD.search(parent)):
        return None
    markup = svg_markup(el)
    if not markup:
        return None
    key = hashlib.sha256(markup.encode()).hexdigest()[:16]
    attrs = {k: str(el.get(k))[:500] for k in ("id", "class", "width", "height", "style", "role", "aria-label",
                                                "aria-hidden") if el.get(k) is not None}
    attrs.update({"container": parent[:200], MARKUP: markup})
    return ImageUse(src=urljoin(base, "/") + f"#svg-{key}", kind=KIND, alt=None, title=title or None,
                    attrs=attrs, region=region, link=link, context=context)


def svg_markup(el) -> str:
    """Standalone SVG text for an inline <svg> parsed as HTML; "" when too large or unusable."""
    if sum(1 for _ in zip(el.iter(), range(MAX_ELEMENTS + 1))) > MAX_ELEMENTS:
        return ""
    try:
        root = _copy(el, None)
        _borrow_symbols(el, root)
        text = etree.tostring(root, encoding="unicode")
    except (ValueError, TypeError):
        return ""
    return text if len(text) <= MAX_MARKUP else ""


def _copy(el, parent, depth: int = 0):
    if depth > MAX_DEPTH:
        raise ValueError("nested too deep")
    tag = CASE.get(el.tag, el.tag)
    new = etree.Element(f"{{{SVG_NS}}}{tag}", nsmap={None: SVG_NS}) if parent is None \
        else etree.SubElement(parent, f"{{{SVG_NS}}}{tag}")
    for name, value in el.attrib.items():
        name = "href" if name == "xlink:href" else CASE.get(name, name)
        if NAME.match(name):
            new.set(name, value)
    new.text = el.text
    for child in el:
        if isinstance(child.tag, str) and child.tag != "foreignobject":
            _copy(child, new, depth + 1).tail = child.tail
    return new


def _borrow_symbols(el, root) -> None:
    """Copy in the <symbol>s a <use href="#id"> draws from a sprite elsewhere on the page."""
    own = {node.get("id") for node in el.iter() if isinstance(node.tag, str) and node.get("id")}
    wanted = {(node.get("href") or node.get("xlink:href") or "")[1:] for node in el.iter("use")}
    defs = None
    for ident in sorted(w for w in wanted - own if w)[:MAX_PER_PAGE]:
        found = el.getroottree().xpath("//*[@id=$ident]", ident=ident)
        if found and found[0].tag in ("symbol", "g", "path", "svg"):
            defs = defs if defs is not None else etree.SubElement(root, f"{{{SVG_NS}}}defs")
            _copy(found[0], defs)


def _title(el) -> str:
    title = el.find("title")
    return " ".join((title.text_content() if title is not None else "").split())[:200]


def _container_hint(el) -> str:
    """id and class of the nearest two ancestors ("site-logo", "custom-logo-link")."""
    hints, node = [], el.getparent()
    for _ in range(2):
        if node is None:
            break
        hints += [node.get("id") or "", node.get("class") or ""]
        node = node.getparent()
    return " ".join(h for h in hints if h)


def _links_home(link: str | None, base: str) -> bool:
    if not link:
        return False
    parts, site = urlsplit(link), urlsplit(base)
    return parts.netloc.removeprefix("www.") == site.netloc.removeprefix("www.") \
        and (parts.path or "/") in HOME_PATHS and not parts.query
