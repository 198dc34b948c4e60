"""SVG rasterising: right size, text drawn, hostile documents refused or defused."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from auditor import imaging
from auditor.svg import MAX_SVG_BYTES, rasterise

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def red_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (10, 10), (255, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def test_rasterise_fits_the_box_keeping_shape_and_draws_text():
    svg = f'<svg {NS} width="300" height="100"><text x="10" y="70" font-family="sans-serif" font-size="60">Home</text></svg>'
    img = rasterise(svg.encode(), 300)
    assert img.mode == "RGBA" and img.size == (300, 100)
    assert np.asarray(img)[:, :, 3].max() == 255          # the text was drawn


def test_external_files_are_not_loaded_but_inline_images_are(tmp_path):
    (tmp_path / "red.png").write_bytes(red_png())
    outside = f'<svg {NS} width="10" height="10"><image xlink:href="{(tmp_path / "red.png").as_uri()}" width="10" height="10"/>' \
              f'<image href="{tmp_path / "red.png"}" width="10" height="10"/></svg>'
    assert rasterise(outside.encode(), 10).getbbox() is None
    inline = f'<svg {NS} width="10" height="10"><image href="data:image/png;base64,{base64.b64encode(red_png()).decode()}" ' \
             'width="10" height="10"/></svg>'
    assert rasterise(inline.encode(), 10).getpixel((5, 5))[:3] == (255, 0, 0)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">&b;</svg>',
    b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * MAX_SVG_BYTES + b"</svg>",
    b"<html><body>not svg</body></html>",
    b"<svg xmlns='http://www.w3.org/2000/svg'><rect",
])
def test_hostile_or_broken_svg_is_refused(data):
    with pytest.raises(ValueError):
        rasterise(data)


def test_image_analysis_reads_svg_and_records_logo_facts():
    svg = f'<svg {NS} width="200" height="100"><rect x="50" y="25" width="100" height="50" fill="#6a2c91"/></svg>'
    info = imaging.analyse("https://example.org/logo.svg", svg.encode(), "image/svg+xml")
    assert info.format == "SVG" and info.error is None and (info.width, info.height) == (512, 256)
    assert info.facts["logo_size"] == [256, 128] and "logo_thumb" in info.hashes


@pytest.mark.parametrize("mode,fmt", [("CMYK", "JPEG"), ("P", "GIF"), ("LA", "PNG"), ("I;16", "PNG"), ("1", "PNG"), ("RGBA", "WEBP")])
def test_logo_fingerprints_survive_every_image_mode(mode, fmt):
    img = Image.new("RGBA", (60, 30), (0, 0, 0, 0))
    img.paste((106, 44, 145, 255), (10, 5, 50, 25))
    if mode == "I;16":
        img = Image.new("I;16", (60, 30), 0)
        img.paste(50000, (10, 5, 50, 25))
    elif mode != "RGBA":
        img = img.convert(mode)
    buf = io.BytesIO()
    img.save(buf, fmt)
    info = imaging.analyse("https://example.org/x", buf.getvalue())
    assert info.error is None and "logo_thumb" in info.hashes and info.facts["logo_size"][0] >= 40


def test_blank_image_gets_no_logo_fingerprint():
    buf = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(buf, "PNG")
    info = imaging.analyse("https://example.org/blank", buf.getvalue())
    assert info.error is None and "logo_thumb" not in info.hashes
