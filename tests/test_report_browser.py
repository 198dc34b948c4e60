"""The report in a real browser (headless Chromium) at desktop and phone widths: it renders,
loads nothing from outside, and fits a phone. Screenshots are kept in test-artifacts/."""
from __future__ import annotations

import re

import lxml.html
import pytest

from auditor import report, sample

from report_support import ARTIFACTS, WIDTHS, chromium, hostile, load_config, probe, run_chromium, wrapper


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    result = hostile(sample.sample_result(load_config(folder), folder / "work"), keep=True)
    path = folder / "report.html"
    path.write_text(report.render(result).standalone_html(), encoding="utf-8")
    return path


def test_report_refers_to_nothing_outside_itself(page):
    tree = lxml.html.fromstring(page.read_text(encoding="utf-8"))
    sources = tree.xpath("//@src | //@srcset | //@background | //link/@href | //@poster")
    assert sources and all(s.startswith("data:") for s in sources)
    styles = " ".join(tree.xpath("//style/text() | //@style"))
    assert "@import" not in styles and not re.search(r"url\((?!['\"]?data:)", styles)
    assert not tree.xpath("//script | //iframe | //object | //embed | //form")


@pytest.mark.parametrize("name", WIDTHS)
def test_report_renders_in_chromium_and_fits(page, tmp_path, name):
    exe, width = chromium(), WIDTHS[name]
    facts = probe(exe, page, tmp_path / "profile", width)
    assert facts["innerWidth"] == width
    assert facts["scrollWidth"] <= width, f"the report is {facts['scrollWidth']} px wide at {width} px"
    external = [r for r in facts["resources"] if not r.startswith(("data:", "file:"))]
    assert external == [], f"the report loaded {external}"
    assert facts["images"] == 5 and facts["broken"] == 0
    assert facts["height"] > 1000
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{name}.png"
    shot.unlink(missing_ok=True)
    framed = wrapper(page, width, facts["height"])
    run_chromium(exe, tmp_path / "profile", width, facts["height"], f"--screenshot={shot}", framed.as_uri())
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
