"""What a published image's metadata gives away: GPS coordinates, and people's names in
author and caption fields (EXIF, IPTC, XMP). Field names leave this module, and the caption texts
for the name and personal-data checks, which report from them only what they report from a page
(a wrong form of the scheme's name, a masked contact): the report is e-mailed."""
from __future__ import annotations

import re

from lxml import etree
from PIL import Image, IptcImagePlugin

GPS_IFD, EXIF_IFD = 0x8825, 0x8769
EXIF_FIELDS = {315: "EXIF Artist", 270: "EXIF ImageDescription", 0x9C9D: "EXIF XPAuthor",
               0x9C9C: "EXIF XPComment", 0x9C9B: "EXIF XPTitle", 0x9C9F: "EXIF XPSubject",
               0x9C9E: "EXIF XPKeywords", 33432: "EXIF Copyright"}
EXIF_SUB_FIELDS = {0x9286: "EXIF UserComment"}
IPTC_FIELDS = {(2, 80): "IPTC By-line", (2, 120): "IPTC Caption", (2, 5): "IPTC ObjectName",
               (2, 25): "IPTC Keywords", (2, 116): "IPTC Copyright Notice"}
XMP_FIELDS = {"creator": "XMP dc:creator", "description": "XMP dc:description", "title": "XMP dc:title",
              "PersonInImage": "XMP PersonInImage", "Name": "XMP region name", "subject": "XMP dc:subject",
              "rights": "XMP dc:rights"}
# Fields that say who took the photo or owns it (a photographer's by-line): a name there is not a
# person pictured. Every other field describes the picture: a name there may be a family's.
CREDIT_FIELDS = {"EXIF Artist", "EXIF XPAuthor", "EXIF Copyright", "IPTC By-line", "IPTC Copyright Notice",
                 "XMP dc:creator", "XMP dc:rights"}
ALWAYS_NAMES = {"XMP PersonInImage"}   # these name the people pictured by definition
MAX_CAPTIONS, MAX_CAPTION_CHARS = 5, 300
# Capitalised words that make a phrase look like a name but belong to cameras, software, places, organisations.
NOT_NAME_WORDS = {
    "olympus", "digital", "camera", "canon", "nikon", "sony", "apple", "samsung", "fujifilm", "panasonic",
    "adobe", "photoshop", "lightroom", "google", "iphone", "pixel", "galaxy", "ltd", "limited", "charity",
    "centre", "center", "trust", "council", "stock", "images", "image", "photo", "photography", "photos",
    "copyright", "all", "rights", "reserved", "home-start", "homestart", "home", "start", "the", "and",
    "group", "day", "family", "families", "volunteers", "volunteer", "team", "event", "summer", "winter",
    "christmas", "party", "london", "barnet", "brent", "harrow", "uk", "nhs", "school", "park", "picture",
}
NAME_RE = re.compile(r"\b([A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\s+((?:[A-Z][a-z]*\.?\s+)?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?)\b")


def inspect(img: Image.Image) -> tuple[bool, list[str]]:
    """(has GPS coordinates, names of fields that carry a person's name)."""
    gps, _names, texts = read(img)
    return gps, _names


def read(img: Image.Image) -> tuple[bool, list[str], list[str]]:
    """(has GPS coordinates, names of fields that carry a person's name, the texts of its caption
    fields). The caption texts are for the name and personal-data checks, which report only a
    wrong form of the scheme's name or a masked contact from them, never the caption itself."""
    found = _fields(img)
    exif = _exif(img)
    gps = _has_gps(exif) if exif else False
    names = sorted(label for label, texts in found.items()
                   if any(looks_like_name(t) or (label in ALWAYS_NAMES and t) for t in texts))
    captions = [t[:MAX_CAPTION_CHARS] for label, texts in found.items() if label not in CREDIT_FIELDS
                for t in texts if t][:MAX_CAPTIONS]
    return gps, names, list(dict.fromkeys(captions))


def _exif(img: Image.Image):
    try:
        return img.getexif()
    except Exception:  # noqa: BLE001 - corrupt EXIF is simply no EXIF
        return None


def _fields(img: Image.Image) -> dict[str, list[str]]:
    """Field label -> its texts, for the EXIF, IPTC and XMP fields that can carry names or captions."""
    out: dict[str, list[str]] = {}
    exif = _exif(img)
    if exif:
        for tag, label in EXIF_FIELDS.items():
            out.setdefault(label, []).append(_text(exif.get(tag)))
        sub = _ifd(exif, EXIF_IFD)
        for tag, label in EXIF_SUB_FIELDS.items():
            out.setdefault(label, []).append(_text(sub.get(tag)))
    for label, texts in [*_iptc_texts(img), *_xmp_texts(img)]:
        out.setdefault(label, []).extend(texts)
    return {label: [t for t in texts if t] for label, texts in out.items() if any(texts)}


def _ifd(exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except Exception:  # noqa: BLE001
        return {}


def _has_gps(exif) -> bool:
    gps = _ifd(exif, GPS_IFD)
    lat, lon = gps.get(2), gps.get(4)
    try:
        return bool(lat and lon and (any(float(v) for v in lat) or any(float(v) for v in lon)))
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def _text(value) -> str:
    if isinstance(value, bytes):
        if value[:8] in (b"ASCII\0\0\0", b"UNICODE\0"):
            value = value[8:].decode("utf-16-le" if value.startswith(b"UNICODE") else "latin-1", "ignore")
        else:
            value = value.decode("utf-16-le", "ignore") if b"\0" in value[:4] else value.decode("utf-8", "ignore")
    elif isinstance(value, tuple):   # Windows XP* tags come as a tuple of byte values
        value = bytes(value).decode("utf-16-le", "ignore")
    return str(value or "").replace("\0", "").strip()


def looks_like_name(text: str) -> bool:
    for match in NAME_RE.finditer(text or ""):
        words = re.split(r"\s+", match.group(0).lower())
        if not any(w.strip(".") in NOT_NAME_WORDS for w in words):
            return True
    return False


def _iptc_texts(img: Image.Image) -> list[tuple[str, list[str]]]:
    try:
        iptc = IptcImagePlugin.getiptcinfo(img) or {}  # type: ignore[arg-type]  # it reads any image's IPTC block
    except Exception:  # noqa: BLE001
        return []
    out = []
    for key, label in IPTC_FIELDS.items():
        found = iptc.get(key)
        values = found if isinstance(found, list) else [found]
        out.append((label, [_text(v) for v in values if v]))
    return out


def _xmp_texts(img: Image.Image) -> list[tuple[str, list[str]]]:
    raw = img.info.get("xmp") or img.info.get("XML:com.adobe.xmp")
    if not raw:
        return []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=True)
    try:
        root = etree.fromstring(raw if isinstance(raw, bytes) else raw.encode("utf-8"), parser)
    except etree.XMLSyntaxError:
        return []
    out: list[tuple[str, list[str]]] = []
    for el in root.iter() if root is not None else ():
        local = etree.QName(el).localname if isinstance(el.tag, str) else ""
        for attr, value in el.attrib.items():
            if etree.QName(attr).localname in XMP_FIELDS:
                out.append((XMP_FIELDS[etree.QName(attr).localname], [value.strip()]))
        if local in XMP_FIELDS:
            out.append((XMP_FIELDS[local], [" ".join(t.strip() for t in el.itertext()).strip()]))
    return out
