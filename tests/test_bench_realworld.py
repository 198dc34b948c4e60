"""The real-world evaluation: sites served as static hosting serves them, audited, and scored."""
from __future__ import annotations

import shutil

import pytest
import requests

from bench import realworld
from bench.realworld import score
from bench.realworld.serve import StaticSite
from identity_support import REFERENCES

PAGE = ('<html><head><title>{title}</title></head><body><header><a href="/"><img src="/logo.png" '
        'alt="Home-Start Anytown"></a></header><main><h1>{title}</h1><p>{text}</p></main></body></html>')
SITES = '[anytown]\nname = "Home-Start Anytown"\nlogo = "logo.png"\n\n[elsewhere]\nname = "Elsewhere"\n'


@pytest.fixture
def corpus(tmp_path):
    site = tmp_path / "corpus" / "anytown"
    site.mkdir(parents=True)
    shutil.copyfile(REFERENCES / "deprecated" / "home-start-bbh-logo-2012.jpg", site / "old.jpg")
    shutil.copyfile(REFERENCES / "approved" / "home-start-bbh-logo.png", site / "logo.png")
    (site / "index.html").write_text(PAGE.format(title="Home-Start Anytown", text='<a href="/about.html">About</a>'))
    (site / "about.html").write_text(PAGE.format(title="About Home-Start Anytown",
                                                 text='Homestart Anytown helps. <img src="/old.jpg" alt="logo">'))
    (site / "assets").mkdir()
    return tmp_path / "corpus"


def judged(tmp_path, judgements: str, expected: str = ""):
    folder = tmp_path / "judged"
    folder.mkdir(exist_ok=True)
    (folder / "sites.toml").write_text(SITES)
    (folder / "judgements-identity.csv").write_text("site,code,page,subject,verdict,reason\n" + judgements)
    (folder / "expected-identity.csv").write_text("site,code,page,subject,note\n" + expected)
    return folder


def test_static_site_serves_files_with_or_without_last_modified(corpus):
    for last_modified in (True, False):
        with StaticSite(corpus / "anytown", last_modified) as site:
            page = requests.get(site.origin + "/about.html", timeout=10)
            assert page.status_code == 200 and "Homestart" in page.text
            assert ("Last-Modified" in page.headers) is last_modified
            assert requests.get(site.origin + "/assets/", timeout=10).status_code == 404   # no listings


def test_a_site_can_be_served_as_published_by_its_source_notes(corpus):
    """A copy of the corpus may not keep the files' times: the commit date in SOURCE.md stands in."""
    from bench.realworld.serve import published_at
    root = corpus / "anytown"
    assert published_at(root) is None
    (root / "SOURCE.md").write_text("| | |\n|---|---|\n| Commit date | 2020-02-04T19:57:38+00:00 (a crawl) |\n")
    published = published_at(root)
    with StaticSite(root, True, published) as site:
        page = requests.get(site.origin + "/about.html", timeout=10)
        assert page.headers["Last-Modified"] == "Tue, 04 Feb 2020 19:57:38 GMT"
    with StaticSite(root, False, published) as site:
        assert "Last-Modified" not in requests.get(site.origin + "/about.html", timeout=10).headers


def test_findings_are_audited_at_the_given_date_and_scored_per_site_and_code(corpus, tmp_path, capsys):
    folder = judged(tmp_path, "anytown,name.variant,/about.html,,right,Homestart is written wrong\n"
                              "anytown,logo.unrecognised,/about.html,/old.jpg,wrong,a test of a wrong verdict\n"
                              "anytown,logo.missing,/gone.html,,right,no longer reported\n",
                    "anytown,name.variant,,,the name written as one word\n"
                    "anytown,logo.distorted,/about.html,,nothing like it\n")
    code = realworld.main(["--corpus", str(corpus), "--judgements", str(folder), "--cache", str(tmp_path / "cache"),
                           "--codes", "logo.,name.", "--today", "2031-05-06"])
    out = capsys.readouterr().out
    assert code == 0
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.splitlines() if line.startswith(("anytown", "("))}
    assert rows[("anytown", "name.variant")] == ["1", "1", "0", "0", "1.000", "0"]
    assert rows[("anytown", "logo.unrecognised")] == ["1", "0", "1", "0", "0.000", "0"]
    assert rows[("anytown", "logo.missing")] == ["0", "0", "0", "0", "-", "1"]    # judged right, not reported
    assert "elsewhere: not in the corpus, skipped" in out
    assert "missed anytown logo.distorted /about.html: nothing like it" in out
    assert "name.variant                      1        1   1.000" in out
    assert realworld.main(["--reuse", "--judgements", str(folder), "--cache", str(tmp_path / "cache"),
                           "--list", "unjudged"]) == 0
    assert "anytown,image.alt_missing,/about.html,/old.jpg,,? " in capsys.readouterr().out     # ready to judge
    doc = (tmp_path / "cache" / "last-modified" / "anytown" / "findings.json").read_text()
    assert '"started_at": "2031-05-06T09:' in doc


def test_reuse_scores_again_without_auditing_and_bad_files_are_refused(corpus, tmp_path, capsys):
    folder = judged(tmp_path, "")
    cache = ["--judgements", str(folder), "--cache", str(tmp_path / "cache"), "--sites", "anytown"]
    assert realworld.main(["--corpus", str(corpus), *cache]) == 0
    first = capsys.readouterr().out
    assert realworld.main(["--reuse", *cache]) == 0
    assert capsys.readouterr().out.split("\n\n", 1)[1] == first.split("\n\n", 1)[1]
    (folder / "judgements-identity.csv").write_text("site,code,page,subject,verdict,reason\na,b,/,,maybe,\n")
    assert realworld.main(["--reuse", *cache]) == 2
    assert "judgements-identity.csv:2: verdict must be right or wrong" in capsys.readouterr().err
    with pytest.raises(score.BadFile, match="header"):
        (folder / "expected-x.csv").write_text("site,code\n")
        score.load_expected(folder)
