"""Random SVG and HTML nesting fed to the parsers and the isolated decoders: whatever the shape,
the audit process gets an answer (drawn, unreadable, or not checked with a reason) and never
crashes, and a page never loses text without saying so."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import imaging
from auditor.crawl.extract import extract
from auditor.crawl.inline_svg import MARKUP
from auditor.isolation import Decoders, Limits
from auditor.snapshot import Page

SVG_TAGS = ["g", "svg", "a", "symbol", "mask", "pattern", "clipPath", "switch", "marker", "defs"]
LEAVES = ['<rect width="10" height="10"/>', '<circle r="4"/>', '<use href="#n0"/>', '<use href="#n1"/>',
          '<feGaussianBlur stdDeviation="3"/>', '<text>Home-Start</text>', '<image width="5" height="5" '
          'href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="/>']
HTML_TAGS = ["div", "b", "span", "p", "li", "table", "td", "section", "a", "i", "em"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def decoders():
    with Decoders(1, Limits(memory_mb=256, cpu_seconds=5)) as shared:
        yield shared


@st.composite
def nesting(draw, tags: list[str], leaves: list[str]) -> str:
    """Runs of nested tags (up to thousands deep), some with ids that <use> can point back to."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        chain = draw(st.lists(st.sampled_from(tags), min_size=1, max_size=4))
        depth = draw(st.one_of(st.integers(1, 80), st.integers(200, 300), st.integers(1000, 5000)))
        opened = [chain[i % len(chain)] for i in range(depth)]
        ids = draw(st.booleans())
        out.append("".join(f'<{t} id="n{i}">' if ids and i < 2 else f"<{t}>" for i, t in enumerate(opened)))
        out.append(draw(st.sampled_from(leaves)))
        if draw(st.booleans()):       # unclosed markup is common on the web
            out.append("".join(f"</{t}>" for t in reversed(opened)))
    return "".join(out)


def answered(info) -> bool:
    """Drawn and hashed, unreadable with a reason, or not checked with a reason."""
    if imaging.NOT_CHECKED in info.facts:
        return bool(info.facts[imaging.NOT_CHECKED]) and not info.hashes
    return (info.width > 0 and bool(info.hashes)) or bool(info.error)


@SETTINGS
@given(body=nesting(SVG_TAGS, LEAVES), size=st.sampled_from(["100", "1e9", "-5", "0", "nan", "50%"]))
def test_random_svg_nesting_always_gets_an_answer_from_the_isolated_decoder(decoders, body, size):
    data = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="100">{body}</svg>'.encode()
    info = decoders.analyse("https://example.org/random.svg", data, "image/svg+xml")
    assert answered(info)


@SETTINGS
@given(before=st.text(alphabet="abcdefgh ", min_size=3, max_size=20).filter(str.strip),
       body=nesting(HTML_TAGS, ["x", "<br>", "<img src='/a.png' alt=''>"]),
       logo=st.none() | nesting(SVG_TAGS, LEAVES))
def test_random_html_nesting_is_read_or_said_to_be_read_in_part(decoders, before, body, logo):
    header = f"<header><svg class='logo' viewBox='0 0 10 10'>{logo}</svg></header>" if logo else ""
    html = f"<html><body>{header}<main><p>{before}</p>{body}<p>closing words</p></main></body></html>"
    page = extract(Page(url="https://example.org/"), html)
    assert " ".join(before.split()) in page.text or page.unread
    assert "closing words" in page.text or page.unread
    for use in page.images:
        markup = use.attrs.get(MARKUP)
        if markup:
            assert answered(decoders.analyse(use.src, markup.encode(), "image/svg+xml"))
