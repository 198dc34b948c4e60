"""The report in a real browser (headless Chromium) at desktop and phone widths: it renders,
loads nothing from outside, and fits a phone. Screenshots are kept in test-artifacts/."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from auditor import report, sample

from report_support import hostile, load_config

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WIDTHS = {"desktop": 1024, "phone": 375}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]
# The report is shown in an iframe exactly as wide as the screen (a headless window has a minimum
# width); the probe runs after load in this test wrapper, never in the e-mail itself.
PROBE = """<script>window.addEventListener('load', function () {
  var w = document.getElementById('report').contentWindow, d = w.document;
  var imgs = Array.prototype.slice.call(d.images);
  document.body.setAttribute('data-probe', JSON.stringify({
    scrollWidth: d.documentElement.scrollWidth, innerWidth: w.innerWidth,
    height: d.documentElement.scrollHeight,
    resources: w.performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    images: imgs.length, broken: imgs.filter(function (i) { return !i.complete || !i.naturalWidth; }).length
  }));
});</script>"""


def wrapper(page: Path, width: int, height: int, script: str = "") -> Path:
    srcdoc = html.escape(page.read_text(encoding="utf-8"), quote=True)
    path = page.with_name(f"frame-{width}x{height}.html")
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>html,body{{margin:0;padding:0}}"
                    f"iframe{{border:0;display:block}}</style></head><body><iframe id='report' width='{width}' "
                    f"height='{height}' srcdoc=\"{srcdoc}\"></iframe>{script}</body></html>", encoding="utf-8")
    return path


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return exe


def run_chromium(exe: str, profile: Path, width: int, height: int, *args: str) -> str:
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def probe(exe: str, page: Path, profile: Path, width: int) -> dict:
    copy = wrapper(page, width, 900, PROBE)
    dom = run_chromium(exe, profile, width, 900, "--virtual-time-budget=5000", "--dump-dom", copy.as_uri())
    match = re.search(r'data-probe="([^"]*)"', dom)
    assert match, "the probe did not run: the page did not finish loading"
    return json.loads(lxml.html.fromstring(f"<p title=\"{match.group(1)}\"></p>").get("title"))


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
