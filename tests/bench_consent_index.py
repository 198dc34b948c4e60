"""Measure the consent index: a register of 5,000 photos against 2,000 published photos.

Run: python tests/bench_consent_index.py   (prints timings; not part of the test suite)
The register photos are distinct crops, turns and flips of scikit-image's sample photographs;
the published photos are resized, re-compressed, lightly cropped copies of 2,000 of them.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

from consent_support import encode, photo  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from auditor.consent import hashing  # noqa: E402
from auditor.consent.matcher import Index  # noqa: E402

SOURCES = ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "clock", "immunohistochemistry",
           "motorcycle_left", "hubble_deep_field", "retina", "moon", "brick", "grass", "gravel")


def register_photos(n: int, rnd: random.Random) -> list[Image.Image]:
    bases = []
    for name in SOURCES:
        img = photo(name)
        bases += [img, ImageOps.mirror(img).rotate(90, expand=True), img.rotate(180), ImageOps.invert(img)]
    out = []
    while len(out) < n:
        base = rnd.choice(bases)
        w, h = base.size
        side = rnd.randrange(min(w, h) // 4, min(w, h) // 2)
        x, y = rnd.randrange(w - side), rnd.randrange(h - side)
        out.append(base.crop((x, y, x + side, y + int(side * rnd.uniform(0.7, 1.3)) if y + side * 1.3 < h else y + side)))
    return out


def published(img: Image.Image, rnd: random.Random) -> bytes:
    w, h = img.size
    c = [int(rnd.uniform(0, 0.08) * s) for s in (w, h, w, h)]
    img = img.crop((c[0], c[1], w - c[2], h - c[3])).resize((max(64, w * 2 // 3), max(64, h * 2 // 3)))
    return encode(ImageOps.mirror(img) if rnd.random() < 0.2 else img, quality=rnd.randrange(50, 90))


def main(n_register: int = 5000, n_published: int = 2000) -> None:
    rnd = random.Random(7)
    originals = register_photos(n_register, rnd)
    t = time.perf_counter()
    index = Index()
    for key, img in enumerate(originals):
        index.add(key, hashing.reference_hashes(hashing.grey_array(encode(img, quality=90))))
    hashed = time.perf_counter() - t
    picks = rnd.sample(range(n_register), n_published)
    candidates = [hashing.candidate_hashes(hashing.grey_array(published(originals[k], rnd))) for k in picks]
    t = time.perf_counter()
    results = [index.lookup(c) for c in candidates]
    matched = time.perf_counter() - t
    right = sum(1 for k, found in zip(picks, results) if found and found[0].key == k)
    missed = sum(1 for found in results if not found)
    print(f"register of {n_register} photos decoded and hashed in {hashed:.1f} s "
          f"({hashed / n_register * 1000:.2f} ms each)")
    print(f"{n_published} published photos looked up in {matched:.2f} s "
          f"({matched / n_published * 1000:.2f} ms each); index built on the first lookup")
    print(f"matched to the right original: {right}/{n_published}; unmatched: {missed}; "
          f"wrong original: {n_published - right - missed}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
