"""Pages and texts whose check findings are pinned in tests/golden/check_findings.json.

A slice of the benchmark's synthetic site, the demo site, the content fixtures and a page of
awkward writing (wrong forms of the name, hidden e-mail addresses, phone numbers, dates and
copyright notices in many styles, letters that only match case-blind) — so any change to how
fast the checks run that also changes what they find shows up as a diff.
"""
from __future__ import annotations

import json
import random
from dataclasses import asdict, is_dataclass
from datetime import datetime, timezone
from pathlib import Path

from auditor.crawl.extract import extract
from auditor.snapshot import Page
from bench import generate

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
BENCH_SITE = "https://bench.example.org.uk"
BENCH_PAGES = 30
DEMO_SITE = "https://www.homestartbbh.example"
GOLDEN = Path(__file__).parent / "golden" / "check_findings.json"

# One line each: the helpers are also run on each line alone.
AWKWARD = """\
Home-Start Example Vale supports families. Home Start Example Vale too, and HomeStart Example Vale.
Homestart example vale, HOME-START EXAMPLE VALE, home-start, Home - Start, Home\u2013Start, Home_Start.
Home\u2011Start Example\u00a0Vale and Home-\u017ftart Example Vale and Home-Start Example\u212aVale.
Visit www.home-start-example.org.uk or homestart.org.uk or @HomeStartEV or #homestart today.
See https://example.org/Home-Start-Example-Vale and mail homestart@homestart-ev.org.uk now.
home start is plain words; Home Start Barnet, Brent and Harrow; Home-Start BBH; Home-Start Barnet Brent & Harrow.
HOME START BARNET, BRENT AND HARROW and Home-Start Barnet, Brent + Harrow and Homestart Kirklees.
Home-Start K\u0130RKLEES and home-start \u212airklees and Home-Start Kirklees and HOMESTART UK.
E-mail jane.doe@gmail.com or jane [at] gmail [dot] com or jane (at) hotmail (dot) co (dot) uk.
Or jane at gmail dot com, but meet at home.com at 5; logo@2x.png; Jane.Doe@Example.ORG.
Write to name @ gmail.com or bob<at>yahoo<dot>com or info@example.org.uk or referrals@othercharity.org.uk.
Tabs:\tsam\t@\tbtinternet.com and sam@btinternet.com again, x@y and a@b.c and first.last+tag@outlook.com.
Call 07911 123456 or +44 7911 123456 or (07911) 123 456 or 07911-123-456 or 07911123456 ext. 23.
Office 020 8000 0000, freephone 0800 123 4567, US +1 415 555 2671, pager 07624 123456, time 12:30.
Dates 15/06/2024 and 2024-06-15 and 07700 900123 and 1.2.2020 and +33 6 12 34 56 78 and 0044 7911 123456.
Last updated: 3 March 2021. Updated on 15th June. Reviewed \u2013 June 2023. Posted 12/05/2022.
Published: Saturday 15 June 2024. First published 2019-04-01. Modified: 31/02/2023. Updated 1.2.2020.
UPDATED: March 2022. Revised Sept 2021. Updated 10 January. Last   updated 5 May 2020. updated: 29 February 2023.
Page last reviewed on Tue 4th Feb 2020 and posted on 4 Feb, published 2021 June, modified 06/13/2021.
\u00a9 2019 Home-Start. &copy; 2018 Home-Start. (c) 2016-2019. Copyright 2016\u201319. COPYRIGHT 2015.
copyright law changed in 2019. (C) Home-Start Barnet, Brent and Harrow 2017 to 2020. \u00a9 Example 1989.
News at /news/2015/06/12/story and www.example.org/2019/01/02 and 12/13/2020 and 15th June 2019.
"""

AWKWARD_HTML = f"""<!DOCTYPE html><html lang="en-GB"><head><title>Home Start Example Vale | Awkward</title>
<meta name="description" content="HomeStart example vale news">
<meta property="article:modified_time" content="2020-03-01T10:00:00Z">
<script type="application/ld+json">{{"@type": "Event", "name": "Coffee morning", "startDate": "2025-06-15",
"endDate": "2025-06-15"}}</script></head><body>
<header><a href="/"><img src="/img/logo.png" alt="Home-Start Example Vale logo"></a>
<p>Home Start Example Vale</p></header>
<nav><a href="/">Home</a> <a href="mailto:helen.smith@gmail.com">Helen</a> <a href="tel:07911 654321">Call</a></nav>
<main><h1>Awkward writing</h1>
{"".join(f"<p>{line}</p>" for line in AWKWARD.splitlines())}
<h2>Upcoming events</h2>
<p>Coffee morning, Sunday 15 June 2025, 10am</p><p>Toy library: 3 March 2026</p>
<p>Last updated 14 July 2024</p><p>Summer fun day 12/08/2025 to 14/08/2025</p>
<h3>Past events</h3><p>Picnic 1 May 2025</p>
<h2>What's on</h2><p>Walk in the park on 15th June</p>
<img src="/img/photo-1.jpg"><img src="/img/IMG_2041.jpg" alt="IMG_2041"><a href="/next"><img src="/img/arrow.png"></a>
</main>
<aside><h2>Events</h2><p>Quiz night 20 September 2025</p></aside>
<footer><p>Home-Start Example Vale, telephone 07911 123456. &copy; 2019 Home-Start Example Vale.</p>
<p>Call 020 8000 0000 or e-mail info@home-start-example.org.uk</p></footer>
</body></html>"""


def bench_pages(count: int = BENCH_PAGES) -> list[Page]:
    """The first `count` pages of the benchmark's site, as the crawler extracts them."""
    layout = generate.Layout(2000, 400)
    rng = random.Random(generate.SEED)
    pool = generate.sentence_pool(rng)
    pages = []
    for i in range(count):
        html = generate.page_html(layout, i, rng, pool)
        html = html.replace(generate.SITE, BENCH_SITE).replace(generate.EXTERNAL, "https://partner.example.com")
        url = BENCH_SITE + layout.page_path(i)
        page = extract(Page(url=url, final_url=url, status=200), html)
        page.sitemap_lastmod = f"2025-0{1 + i % 9}-1{i % 10}"
        pages.append(page)
    return pages


def site_pages(folder: Path, site: str) -> list[Page]:
    pages = []
    for path in sorted(folder.rglob("*.html")):
        url = f"{site}/{path.relative_to(folder).as_posix()}"
        pages.append(extract(Page(url=url, final_url=url, status=200), path.read_text(encoding="utf-8")))
    return pages


def awkward_page(site: str) -> Page:
    url = f"{site}/awkward.html"
    page = extract(Page(url=url, final_url=url, status=200), AWKWARD_HTML)
    page.headers = {"last-modified": "Mon, 02 Mar 2020 10:00:00 GMT", "date": "Tue, 24 Nov 2026 09:00:00 GMT"}
    return page


def plain(value):
    """Findings and helper results as JSON-ready data."""
    if is_dataclass(value):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=json.dumps) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
