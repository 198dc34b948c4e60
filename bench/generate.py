"""A deterministic synthetic scheme website for the benchmark.

`ensure_site(root, pages, photos)` builds it once and reuses it while the generator version and the
sizes are unchanged. Pages are 15-40 KB of HTML with a header, navigation, article, aside and footer,
about 35 links each (mostly internal, a few to a second "external" host, one in a hundred broken),
and photos in figures; the photos are 800x600 JPEGs that look like photographs to an image hasher
(smooth light, noise, overlapping shapes). Absolute URLs are written as placeholders that the
bench server fills in, so one cached site serves on any port.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

VERSION = 4
SEED = 20261124
SITE = "@@SITE@@"            # replaced by the server with http://127.0.0.1:PORT
EXTERNAL = "@@EXTERNAL@@"    # replaced by the server with the second host's origin
SCHEME = "Home-Start Example Vale"
PHOTO_SIZE = (800, 600)
SECTIONS = ["about", "support", "volunteer", "news", "events", "stories", "fundraising", "training",
            "partners", "contact"]
FOOTER_PAGES = ["/privacy.html", "/accessibility.html", "/safeguarding.html", "/contact/"]
EXTERNAL_PAGES = 200
WORDS = ("family families volunteer volunteers home visit visits support parent parents children child "
         "group groups week weekly local community trained training coordinator help helped helping "
         "confidence isolation toddler baby babies school stay play morning afternoon friendly kind "
         "listen listening practical emotional wellbeing referral referrals health visitor midwife "
         "borough council funding grant trustee trustees charity scheme service services course "
         "summer winter autumn spring event events coffee walk park library centre centres year "
         "years new more many every our their your who what when where together happy safe time").split()


@dataclass(frozen=True)
class Layout:
    pages: int
    photos: int

    def page_path(self, i: int) -> str:
        if i == 0:
            return "/"
        return f"/{SECTIONS[i % len(SECTIONS)]}/page-{i:05d}.html"

    def photo_path(self, k: int) -> str:
        return f"/media/photos/photo-{k:04d}.jpg"


def file_for(root: Path, url_path: str) -> Path:
    """Where the file for a URL path lives (directory paths serve their index.html)."""
    rel = url_path.lstrip("/")
    return root / (rel + "index.html" if rel == "" or rel.endswith("/") else rel)


# --- text -----------------------------------------------------------------------------------

def sentence_pool(rng: random.Random, count: int = 3000) -> list[str]:
    pool = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(8, 22))
        pool.append(" ".join(words).capitalize() + rng.choice([".", ".", ".", "!", "?"]))
    return pool


def paragraph(rng: random.Random, pool: list[str], links: list[tuple[str, str]]) -> str:
    parts = rng.choices(pool, k=rng.randint(3, 7))
    for href, text in links:
        spot = rng.randrange(len(parts))
        parts[spot] += f' Read <a href="{href}">{text}</a>.'
    return "<p>" + " ".join(parts) + "</p>"


# --- pages ----------------------------------------------------------------------------------

def page_html(layout: Layout, i: int, rng: random.Random, pool: list[str]) -> str:
    target = rng.randint(16_000, 38_000)
    title = " ".join(rng.choices(WORDS, k=4)).title()
    photos = sorted({i % layout.photos, *rng.sample(range(layout.photos), rng.randint(0, 2))})
    body_links = _body_links(layout, i, rng)
    aside = [layout.page_path(rng.randrange(layout.pages)) for _ in range(5)]
    head = _head(layout, title, photos[0], i)
    article = [f"<h1>{title}</h1>",
               f'<p class="meta">Updated <time datetime="{_date(rng)}">{_date(rng)}</time></p>']
    for n, k in enumerate(photos):
        alt = "" if n == 2 else f' alt="{rng.choice(WORDS).title()} {rng.choice(WORDS)} at the {rng.choice(WORDS)} group"'
        article.append(f'<figure><img src="{layout.photo_path(k)}"{alt} width="800" height="600" loading="lazy">'
                       f"<figcaption>{rng.choice(pool)}</figcaption></figure>")
    chunks = [body_links[n::6] for n in range(6)]
    for n, chunk in enumerate(chunks):
        if n % 2:
            article.append(f"<h2>{' '.join(rng.choices(WORDS, k=3)).title()}</h2>")
        article.append(paragraph(rng, pool, chunk))
    tail = _aside(aside) + _footer()
    size = len(head) + sum(map(len, article)) + len(tail)
    while size < target:
        extra = paragraph(rng, pool, [])
        article.append(extra)
        size += len(extra)
    return head + "<main><article>" + "\n".join(article) + "</article>" + tail


def _head(layout: Layout, title: str, photo: int, i: int) -> str:
    nav = "".join(f'<li><a href="/{s}/">{s.title()}</a></li>' for s in SECTIONS)
    return (f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8">'
            f"<title>{title} | {SCHEME}</title>"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{title} at {SCHEME}, supporting local families.">'
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:image" content="{SITE}{layout.photo_path(photo)}">'
            f'<link rel="canonical" href="{SITE}{layout.page_path(i)}">'
            f'<link rel="stylesheet" href="/assets/site.css"><link rel="icon" href="/assets/favicon.png">'
            f'</head>\n<body><header class="site-header"><a href="/" class="logo">'
            f'<img src="/assets/logo.png" alt="{SCHEME} logo" class="site-logo"></a>'
            f'<p class="tagline">{SCHEME}: helping families with young children</p></header>\n'
            f'<nav class="main-nav" aria-label="Main"><ul><li><a href="/">Home</a></li>{nav}</ul></nav>\n')


def _aside(paths: list[str]) -> str:
    items = "".join(f'<li><a href="{p}">Related story {n + 1}</a></li>' for n, p in enumerate(paths))
    return f'</main>\n<aside class="related"><h2>Related</h2><ul>{items}</ul></aside>\n'


def _footer() -> str:
    own = "".join(f'<li><a href="{p}">{p.strip("/").split(".")[0].title()}</a></li>' for p in FOOTER_PAGES)
    return (f'<footer class="site-footer"><ul>{own}</ul>'
            f"<p>{SCHEME}, 1 High Street, Example Vale EV1 1AA. Telephone 020 8000 0000. "
            f'<a href="mailto:info@example.org.uk">info@example.org.uk</a></p>'
            f"<p>Registered charity number 1000000. &copy; 2026 {SCHEME}.</p></footer>\n</body></html>\n")


def _body_links(layout: Layout, i: int, rng: random.Random) -> list[tuple[str, str]]:
    count = rng.randint(9, 17)
    targets = [layout.page_path((i + 1) % layout.pages)]
    targets += [layout.page_path(rng.randrange(layout.pages)) for _ in range(count - 3)]
    targets += [f"{EXTERNAL}/partners/{rng.randrange(EXTERNAL_PAGES)}.html" for _ in range(2)]
    if i % 100 == 7:
        targets.append(f"/news/withdrawn-{i:05d}.html")   # a broken link, as real sites have
    return [(t, " ".join(rng.choices(WORDS, k=rng.randint(2, 4)))) for t in targets]


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2024, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


# --- photos ---------------------------------------------------------------------------------

def photo(k: int) -> Image.Image:
    """A photo-like picture: soft lighting, overlapping blurred shapes, sensor noise."""
    rng = np.random.default_rng(SEED + k)
    w, h = PHOTO_SIZE
    corners = rng.integers(30, 226, size=(2, 2, 3)).astype(np.float32)
    ys, xs = np.linspace(0, 1, h, dtype=np.float32)[:, None, None], np.linspace(0, 1, w, dtype=np.float32)[None, :, None]
    top = corners[0, 0] * (1 - xs) + corners[0, 1] * xs
    bottom = corners[1, 0] * (1 - xs) + corners[1, 1] * xs
    img = Image.fromarray((top * (1 - ys) + bottom * ys).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(6, 14))):
        x0, y0 = int(rng.integers(-100, w)), int(rng.integers(-100, h))
        box = (x0, y0, x0 + int(rng.integers(60, 420)), y0 + int(rng.integers(60, 380)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        (draw.ellipse if rng.random() < 0.6 else draw.rectangle)(box, fill=colour)
    img = img.filter(ImageFilter.BoxBlur(3))
    noise = rng.integers(-12, 13, size=(h, w, 1), dtype=np.int16)
    pixels = np.clip(np.asarray(img, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


# --- the whole site -------------------------------------------------------------------------

def generate(root: Path, pages: int, photos: int) -> None:
    """Write the site into `root` (which must not exist yet)."""
    layout = Layout(pages, photos)
    rng = random.Random(SEED)
    pool = sentence_pool(rng)
    for i in range(pages):
        _write(file_for(root, layout.page_path(i)), page_html(layout, i, rng, pool))
    for n, section in enumerate(SECTIONS + [p.split(".")[0] for p in FOOTER_PAGES[:3]]):
        path = f"/{section.strip('/')}/" if n < len(SECTIONS) else f"/{section.strip('/')}.html"
        _write(file_for(root, path), page_html(layout, (n * 7919) % pages, random.Random(SEED + n), pool))
    for k in range(photos):
        target = file_for(root, layout.photo_path(k))
        target.parent.mkdir(parents=True, exist_ok=True)
        photo(k).save(target, "JPEG", quality=85)
    _write_assets(root)
    _write(root / "robots.txt", f"User-agent: *\nDisallow: /admin/\n\nSitemap: {SITE}/sitemap.xml\n")
    _write(root / "sitemap.xml", _sitemap(layout))


def _sitemap(layout: Layout) -> str:
    rng = random.Random(SEED + 1)
    urls = "".join(f"<url><loc>{SITE}{layout.page_path(i)}</loc><lastmod>{_date(rng)}</lastmod></url>\n"
                   for i in range(layout.pages))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n')


def _write_assets(root: Path) -> None:
    assets = root / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    # The approved reference logos, as a scheme's site shows them: the first as the header logo,
    # the last as the favicon.
    approved = sorted((Path(__file__).resolve().parent.parent / "reference_assets" / "logos" / "approved").glob("*.png"))
    for name, source, size in (("logo.png", approved[:1], (240, 80)), ("favicon.png", approved[-1:], (32, 32))):
        if source:
            shutil.copyfile(source[0], assets / name)
        else:
            Image.new("RGB", size, (120, 40, 140)).save(assets / name)
    _write(assets / "site.css", "body{font-family:sans-serif;margin:0}header,nav,footer{padding:1em}\n" * 20)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def ensure_site(cache: Path, pages: int = 2000, photos: int = 400) -> Path:
    """The cached site for these sizes, generated first if missing or made by another version."""
    root = cache / f"site-{pages}-{photos}"
    wanted = {"version": VERSION, "seed": SEED, "pages": pages, "photos": photos}
    manifest = root / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        return root
    building = root.with_name(root.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    generate(building, pages, photos)
    (building / "manifest.json").write_text(json.dumps(wanted))
    shutil.rmtree(root, ignore_errors=True)
    building.rename(root)
    return root


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the benchmark's synthetic site.")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--photos", type=int, default=400)
    parser.add_argument("--cache", type=Path, default=Path(".bench-cache"))
    args = parser.parse_args(argv)
    print(ensure_site(args.cache, args.pages, args.photos))


if __name__ == "__main__":
    main()
