"""Marking findings as fine: `auditor findings`, `dismiss`, `undismiss`, real audits of a site served on
127.0.0.1, a dismissal that holds across re-audits and comes back when its page changes or its date passes."""
from __future__ import annotations

import re
from datetime import date

import pytest

from auditor import cli, dismissals
from auditor.history import open_history
from auditor.problems import finding_ref, fold, normalise_ref
from auditor import config as config_mod

PAGE = ("<html><head><title>{title}</title></head><body><header><h1>Home-Start Testshire</h1></header>"
        "<main><p>{text}</p>{links}</main><footer>Home-Start Testshire</footer></body></html>")


@pytest.fixture
def site(tmp_path, serve, write_config):
    root = tmp_path / "site"
    root.mkdir()

    def page(name, title, text, links=()):
        (root / name).write_text(PAGE.format(title=title, text=text, links="".join(
            f'<a href="{href}">{label}</a> ' for href, label in links)), encoding="utf-8")

    page("index.html", "Home", "Welcome.", [("/about.html", "About us"), ("/news.html", "News")])
    page("about.html", "About us", "Who we are.", [("/old-report.pdf", "Our old report")])
    page("news.html", "News", "What we did.", [("/old-report.pdf", "Our old report")])
    server = serve(root=root)
    path = write_config(server.url("/"))
    return page, path


def audit(path) -> None:
    assert cli.main(["run", "--no-email", "-q", "--config", str(path)]) == 0


def latest(path):
    config = config_mod.load(path)
    with open_history(config.storage) as history:
        run = history.latest_run_with_findings()
        return run, history.findings(run.id), history.dismissals()


def report_text(path, run_id) -> str:
    config = config_mod.load(path)
    return (config.storage / "runs" / f"{run_id:05d}" / "report.html").read_text(encoding="utf-8")


def test_a_dismissal_holds_across_audits_and_comes_back_when_its_page_changes(site, capsys):
    page, path = site
    audit(path)
    run, found, _ = latest(path)
    broken = [f for f in found if f.check == "link.broken"]
    assert sorted(f.url.rsplit("/", 1)[1] for f in broken) == ["about.html", "news.html"]
    about = next(f for f in broken if f.url.endswith("about.html"))
    before = re.search(r"<h1[^>]*>(\d+) things? needs? action", report_text(path, run.id)).group(1)
    capsys.readouterr()

    assert cli.main(["dismiss", finding_ref(about).lower().replace("-", ""), "--reason", "Kept for the archive",
                     "--by", "Jane Smith", "--config", str(path)]) == 0
    assert "Marked 1 finding as fine" in capsys.readouterr().out
    assert cli.main(["findings", "--dismissed", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert finding_ref(about) in out and "dismissed by Jane Smith" in out and "Kept for the archive" in out

    audit(path)                                           # nothing changed: it stays dismissed
    run, found, kept = latest(path)
    html = report_text(path, run.id)
    assert "Marked as fine <span" in html and "(1)</span>" in html and "Kept for the archive" in html
    assert "Jane Smith" in html
    # the same problem on the news page still needs action: the card shows one place, the count holds
    assert re.search(r"<h1[^>]*>(\d+) things? needs? action", html).group(1) == before
    assert cli.main(["findings", "--open", "--config", str(path)]) == 0
    assert finding_ref(about) not in capsys.readouterr().out

    page("about.html", "About us", "Who we are, rewritten.", [("/old-report.pdf", "Our old report")])
    audit(path)                                           # its page changed: it comes back, and stays back
    run, found, history = latest(path)
    assert history[0].ended_why == dismissals.CHANGED and history[0].reason == "Kept for the archive"
    assert "Kept for the archive" not in report_text(path, run.id)
    audit(path)
    run, _, _ = latest(path)
    assert "Nothing is marked as fine." in report_text(path, run.id)


def test_a_problem_reference_dismisses_every_place_and_undismiss_takes_it_back(site, capsys):
    _, path = site
    audit(path)
    run, found, _ = latest(path)
    problem = next(p for p in fold(found) if p.first.check == "link.broken")
    assert len(problem.findings) == 2 and problem.ref in report_text(path, run.id)
    assert cli.main(["dismiss", problem.ref, "--reason", "The report is gone on purpose", "--config", str(path)]) == 0
    assert "Marked 2 findings as fine" in capsys.readouterr().out
    audit(path)
    run, found, _ = latest(path)
    html = report_text(path, run.id)
    assert "The report is gone on purpose" in html and "Broken address" not in html
    assert re.search(r"<h1[^>]*>All clear</h1>", html)          # nothing else on this site needs action
    assert cli.main(["findings", "--config", str(path)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert ": 0 things need action" in first and f"{len(found)} findings, 2 marked as fine" in first
    assert cli.main(["undismiss", problem.ref, "--by", "Jane", "--config", str(path)]) == 0
    assert "2 findings need action again." in capsys.readouterr().out
    _, _, history = latest(path)
    assert [d.ended_why for d in history[:2]] == ["undismissed by Jane"] * 2
    assert cli.main(["findings", "--dismissed", "--config", str(path)]) == 0
    assert "dismissed by" not in capsys.readouterr().out


def test_bad_references_and_dates_change_nothing(site, capsys):
    _, path = site
    assert cli.main(["dismiss", "K7Q2-9XWM", "--reason", "x", "--config", str(path)]) == 2
    assert capsys.readouterr().err == "Error: there are no audits yet, so nothing to dismiss\n"
    audit(path)
    capsys.readouterr()
    run, found, _ = latest(path)
    good = finding_ref(found[0])
    assert cli.main(["dismiss", good, "ZZZZ-ZZZZ", "--reason", "x", "--config", str(path)]) == 2
    assert capsys.readouterr().err == \
        f"Error: audit {run.id} has no finding ZZZZ-ZZZZ; `auditor findings` lists them\n"
    assert cli.main(["dismiss", good, "--reason", "  ", "--config", str(path)]) == 2
    assert cli.main(["dismiss", good, "--reason", "x", "--until", "2001-01-01", "--config", str(path)]) == 2
    assert "--until 2001-01-01 has already passed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        cli.main(["dismiss", good, "--reason", "x", "--until", "next week", "--config", str(path)])
    assert stop.value.code == 2 and "invalid date (YYYY-MM-DD) value: 'next week'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["dismiss", good, "--config", str(path)])           # a reason is required
    assert latest(path)[2] == []


def test_a_dismissal_comes_back_after_its_date(site, capsys):
    _, path = site
    audit(path)
    run, found, _ = latest(path)
    assert cli.main(["dismiss", finding_ref(found[0]), "--reason", "Until the new site", "--until", "2099-12-31",
                     "--config", str(path)]) == 0
    config = config_mod.load(path)
    with open_history(config.storage) as history:
        states = history.finding_states(run.id)
        assert set(dismissals.apply(history, found, states, date(2099, 12, 31), "t")) == {found[0].fingerprint}
        assert dismissals.apply(history, found, states, date(2100, 1, 1), "t") == {}
        assert history.dismissals()[0].ended_why == "its date (31 December 2099) passed"


def test_references_survive_how_people_type_them():
    assert normalise_ref("k7q2 9xwm") == "K7Q2-9XWM" and normalise_ref("K7Q2-9XWO") == "K7Q2-9XW0"
    assert normalise_ref("K7Q2-9XW") is None and normalise_ref("K7Q2-9XWU") is None
