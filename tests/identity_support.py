"""Generated logos and logo variants for the identity tests and the calibration set."""
from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from auditor import imaging
from auditor.svg import rasterise

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "reference_assets" / "logos"
APPROVED_SVG = REFERENCES / "approved" / "home-start-bbh-logo.svg"
MARK_SVG = REFERENCES / "approved" / "home-start-mark.svg"
DEPRECATED_SVG = REFERENCES / "deprecated" / "home-start-bbh-logo-2012.svg"

HOUSE = ('<g transform="translate(20 20)"><path d="M80 0 L160 70 L140 70 L140 160 L20 160 L20 70 L0 70 Z" '
         'fill="{house}"/><path d="M80 140 C40 110 35 85 55 75 C68 68 78 78 80 86 C82 78 92 68 105 75 '
         'C125 85 120 110 80 140 Z" fill="{heart}"/></g>')


def svg(body: str, width: int = 660, height: int = 200) -> bytes:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">{body}</svg>').encode()


def wordmark(line1: str, line2: str = "", house: str = "#6a2c91", heart: str = "#f28c28", colour: str = "#6a2c91") -> bytes:
    body = HOUSE.format(house=house, heart=heart)
    body += (f'<text x="200" y="100" font-family="sans-serif" font-weight="bold" font-size="60" '
             f'fill="{colour}">{line1}</text>')
    if line2:
        body += f'<text x="202" y="150" font-family="sans-serif" font-size="29" fill="#3b3b3b">{line2}</text>'
    return svg(body)


def others() -> dict[str, bytes]:
    """Logos that must not match the approved one: partners, funders and look-alikes."""
    return {
        "other-scheme": wordmark("Home-Start", "Camden and Islington"),
        "national": wordmark("Home-Start UK"),
        "recoloured": wordmark("Home-Start", "Barnet, Brent and Harrow", house="#1f7a4d", heart="#f2c928", colour="#1f7a4d"),
        "housing-charity": wordmark("Homes Together", "Barnet and Enfield", house="#c0392b", heart="#ffffff", colour="#c0392b"),
        "funder": svg('<rect x="10" y="30" width="640" height="140" rx="30" fill="#e6007e"/>'
                      '<text x="330" y="118" text-anchor="middle" font-family="sans-serif" font-weight="bold" '
                      'font-size="56" fill="#ffffff">Community Fund</text>'),
        "council": svg('<circle cx="100" cy="100" r="80" fill="#004b87"/><text x="200" y="115" '
                       'font-family="serif" font-size="50" fill="#004b87">Borough Council</text>'),
        "mark-only-green": svg(HOUSE.format(house="#2e8b57", heart="#ffffff"), 200, 200),
    }


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    if fmt in ("JPEG",):
        img = imaging.flatten(img)
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def variants(data: bytes) -> dict[str, bytes]:
    """Copies a matcher must recognise: resized, re-encoded, on other backgrounds, padded."""
    base = rasterise(data, 660) if imaging.is_svg(data) else imaging.open_image(data).convert("RGBA")
    out = {"svg-original" if imaging.is_svg(data) else "original": data}
    for scale in (0.25, 0.5, 0.75, 1.5, 2.0, 3.0):
        size = (max(1, round(base.width * scale)), max(1, round(base.height * scale)))
        out[f"scale-{scale}"] = encode(base.resize(size, Image.Resampling.LANCZOS), "PNG")
    out["jpeg-60"] = encode(base, "JPEG", quality=60)
    out["webp"] = encode(base, "WEBP", quality=75)
    out["gif"] = encode(base, "GIF")
    for name, colour in (("grey", (200, 200, 200)), ("navy", (20, 30, 80)), ("yellow", (250, 220, 60)),
                         ("black", (0, 0, 0)), ("teal", (0, 128, 128))):
        out[f"on-{name}"] = encode(imaging.flatten(base, colour), "JPEG", quality=85)
    padded = Image.new("RGBA", (base.width * 2, base.height * 2), (0, 0, 0, 0))
    padded.paste(base, (base.width // 3, base.height // 2))
    out["padded-transparent"] = encode(padded, "PNG")
    out["padded-white-jpeg"] = encode(imaging.flatten(padded), "JPEG", quality=80)
    if base.width == base.height:
        out["ico-32"] = encode(base, "ICO", sizes=[(32, 32)])
    return out


def analyse(data: bytes):
    return imaging.analyse("http://example.test/logo", data, "")


def write_config(tmp_path: Path, logos: bool = True, forbidden: str = "") -> Path:
    """A config for the Barnet, Brent and Harrow scheme using the sample reference logos."""
    identity = (f'[identity]\napproved_logos = "{(REFERENCES / "approved").as_posix()}"\n'
                f'deprecated_logos = "{(REFERENCES / "deprecated").as_posix()}"\n') if logos else ""
    path = tmp_path / "auditor.toml"
    path.write_text(
        '[scheme]\nname = "Home-Start Barnet, Brent and Harrow"\naccepted_names = ["Home-Start BBH"]\n'
        f'website = "https://www.homestartbbh.org.uk/"\nforbidden_names = [{forbidden}]\n\n'
        f'{identity}\n[storage]\ndirectory = "var"\n', encoding="utf-8")
    return path
