"""Real photographs (scikit-image's bundled data, offline) and drawn non-photographs for the consent tests."""
from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

PHOTO_NAMES = ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "clock", "immunohistochemistry")


def photo(name: str) -> Image.Image:
    import skimage.data
    if name in ("motorcycle_left", "motorcycle_right"):
        left, right, _ = skimage.data.stereo_motorcycle()
        return Image.fromarray(left if name.endswith("left") else right).convert("RGB")
    return Image.fromarray(getattr(skimage.data, name)()).convert("RGB")


def two_people() -> Image.Image:
    """Two different people side by side, each face clearly visible."""
    left = photo("astronaut").resize((512, 512), Image.Resampling.LANCZOS)
    right = photo("camera").resize((512, 512), Image.Resampling.LANCZOS)
    return Image.fromarray(np.hstack([np.asarray(left), np.asarray(right)]))


def encode(img: Image.Image, fmt: str = "JPEG", **kw) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    img.save(buf, fmt, **({"quality": 85} | kw if fmt == "JPEG" else kw))
    return buf.getvalue()


def transformed(img: Image.Image) -> dict[str, bytes]:
    """Every way a published copy differs from its register original."""
    w, h = img.size
    return {
        "resized": encode(img.resize((w // 2, h // 2), Image.Resampling.LANCZOS), quality=80),
        "recompressed": encode(img, quality=35),
        "png": encode(img, "PNG"),
        "webp": encode(img, "WEBP", quality=60),
        "greyscale": encode(img.convert("L")),
        "cropped": encode(img.crop((int(0.1 * w), int(0.08 * h), int(0.92 * w), int(0.9 * h)))),
        "cropped_one_side": encode(img.crop((int(0.1 * w), 0, w, h))),
        "mirrored": encode(ImageOps.mirror(img)),
        "bordered": encode(ImageOps.expand(img, border=max(8, w // 25), fill=(255, 255, 255))),
        "black_border_resized": encode(ImageOps.expand(img.resize((w * 2 // 3, h * 2 // 3)), 24, fill=(0, 0, 0))),
        "mirrored_cropped": encode(ImageOps.mirror(img).crop((int(0.05 * w), int(0.06 * h), w, int(0.95 * h)))),
    }


def logo(size=(400, 160), seed=0, alpha=False) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.new("RGBA" if alpha else "RGB", size, (0, 0, 0, 0) if alpha else (255, 255, 255))
    d = ImageDraw.Draw(img)
    colour = tuple(rnd.randrange(256) for _ in range(3))
    d.ellipse((10, 10, size[1] - 10, size[1] - 10), fill=colour)
    d.text((size[1] + 10, size[1] // 3), "Home-Start Testshire", fill=(40, 40, 40))
    d.rectangle((size[1] + 10, size[1] // 2, size[0] - 20, size[1] // 2 + 12), fill=colour)
    return img


def icon(side=48, seed=0) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    ImageDraw.Draw(img).polygon([(side // 2, 2), (side - 2, side - 2), (2, side - 2)],
                                fill=tuple(rnd.randrange(256) for _ in range(3)) + (255,))
    return img


def button(size=(240, 80), seed=0) -> Image.Image:
    rnd = random.Random(seed)
    a, b = np.array([rnd.randrange(256) for _ in range(3)]), np.array([rnd.randrange(256) for _ in range(3)])
    ramp = np.linspace(0, 1, size[1])[:, None, None]
    arr = (a * (1 - ramp) + b * ramp).repeat(size[0], axis=1).astype(np.uint8)
    img = Image.fromarray(arr)
    ImageDraw.Draw(img).text((size[0] // 3, size[1] // 3), "Donate now", fill=(255, 255, 255))
    return img


def chart(size=(480, 320), seed=0) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (250, 250, 250))
    d = ImageDraw.Draw(img)
    for i in range(8):
        top = rnd.randrange(40, size[1] - 30)
        d.rectangle((30 + i * 55, top, 70 + i * 55, size[1] - 30), fill=(30 + 25 * i, 90, 200 - 20 * i))
    d.line((25, size[1] - 28, size[0] - 10, size[1] - 28), fill=(0, 0, 0), width=2)
    d.text((30, 10), "Families supported 2024", fill=(0, 0, 0))
    return img


def street_map(size=(600, 400), seed=0) -> Image.Image:
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (242, 239, 233))
    d = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        d.rectangle((x, y, x + rnd.randrange(40, 120), y + rnd.randrange(30, 90)), fill=(200, 230, 190))
    d.line([(0, rnd.randrange(size[1])), (size[0], rnd.randrange(size[1]))], fill=(170, 210, 240), width=14)
    for _ in range(14):
        p = [(rnd.randrange(size[0]), rnd.randrange(size[1])) for _ in range(2)]
        d.line(p, fill=(255, 255, 255), width=rnd.choice((4, 6, 9)))
        d.line(p, fill=(250, 210, 120), width=2)
    d.ellipse((size[0] // 2 - 8, size[1] // 2 - 8, size[0] // 2 + 8, size[1] // 2 + 8), fill=(220, 40, 40))
    d.text((size[0] // 2 + 12, size[1] // 2 - 6), "Our office", fill=(30, 30, 30))
    return img.filter(ImageFilter.SMOOTH) if seed % 2 else img


def labelled_set() -> list[tuple[str, bytes, bool]]:
    """(label, encoded image, is a photograph) — photos in several sizes and formats, graphics likewise."""
    import skimage.data
    out = []
    for name in PHOTO_NAMES + ("motorcycle_left",):
        img = photo(name)
        out.append((f"{name}.jpg", encode(img), True))
        out.append((f"{name}-small.jpg", encode(img.resize((img.width // 3, img.height // 3)), quality=70), True))
        out.append((f"{name}.png", encode(img, "PNG"), True))
    for seed in range(4):
        out.append((f"logo{seed}.png", encode(logo(seed=seed, alpha=seed % 2 == 0), "PNG"), False))
        out.append((f"logo{seed}.jpg", encode(logo(seed=seed)), False))
        out.append((f"icon{seed}.png", encode(icon(32 + 16 * seed, seed), "PNG"), False))
        out.append((f"button{seed}.jpg", encode(button(seed=seed)), False))
        out.append((f"chart{seed}.png", encode(chart(seed=seed), "PNG"), False))
        out.append((f"map{seed}.png", encode(street_map(seed=seed), "PNG"), False))
        out.append((f"map{seed}.jpg", encode(street_map(seed=seed)), False))
    for name in ("logo", "colorwheel", "checkerboard", "text", "page"):
        arr = getattr(skimage.data, name)()
        out.append((f"skimage-{name}.png", encode(Image.fromarray(arr), "PNG"), False))
    return out


def snapshot_of(pages: dict[str, str], images: dict[str, bytes], base: str = "http://site.test"):
    """A Snapshot as the crawler would make it: pages parsed by the extractor, images analysed."""
    from auditor import imaging
    from auditor.crawl.extract import extract
    from auditor.snapshot import Page, Snapshot

    snap = Snapshot(website=base + "/", started_at="2026-06-01T00:00:00+00:00")
    for path, html in pages.items():
        snap.pages.append(extract(Page(url=base + path, status=200), html))
    for path, data in images.items():
        snap.images[base + path] = imaging.analyse(base + path, data, "image/jpeg")
    return snap


def context(config_path, now=None):
    from datetime import datetime, timezone

    from auditor import config as config_mod
    from auditor.checks import Resources

    return Resources(config=config_mod.load(config_path), now=now or datetime(2026, 6, 1, tzinfo=timezone.utc))


def run_check(module, snapshot, ctx):
    return list(module.check(snapshot, ctx))
