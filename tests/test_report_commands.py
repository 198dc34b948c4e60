"""`auditor history` and `auditor report`: past audits from the history, saved and re-rendered reports."""
from __future__ import annotations

from auditor import cli, delivery, sample
from auditor.findings import Finding
from auditor.history import open_history

from report_support import load_config


def record_run(config, started, found, status="complete"):
    with open_history(config.storage) as history:
        run_id = history.start_run(started, 1)
        history.save_findings(run_id, found)
        history.save_pages(run_id, [("https://www.example.org.uk/", "d1", "Home")])
        counts = {"pages": 3, "images": 5, "posts": 2, "findings": len(found)}
        history.finish_run(run_id, status, started, counts)
    return run_id


def test_history_lists_runs_newest_first_with_counts(tmp_path, capsys):
    config = load_config(tmp_path)
    first = record_run(config, "2026-10-01T07:00:00+00:00", sample.sample_findings(config.scheme.website)[:3])
    second = record_run(config, "2027-01-01T07:00:00+00:00", [], status="incomplete")
    assert cli.main(["history", "--config", str(config.path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["run", "started", "status", "pages", "images", "posts", "findings", "report"]
    assert lines[1].split()[:8] == [str(second), "2027-01-01", "07:00", "incomplete", "3", "5", "2", "0"]
    assert lines[2].split()[:8] == [str(first), "2026-10-01", "07:00", "complete", "3", "5", "2", "3"]


def test_history_without_runs(tmp_path, capsys):
    config = load_config(tmp_path)
    assert cli.main(["history", "--config", str(config.path)]) == 0
    assert capsys.readouterr().out == "No audits yet.\n"


def test_report_prints_the_saved_report_path(tmp_path, capsys):
    config = load_config(tmp_path)
    result = sample.sample_result(config, tmp_path / "work")
    result.run_id = record_run(config, sample.STARTED, result.findings)
    result.run_dir = config.storage / "runs" / f"{result.run_id:05d}"
    delivery.publish(result, send_email=False)
    with open_history(config.storage) as history:
        history.set_report_path(result.run_id, str(result.report_html))
    assert cli.main(["report", "--config", str(config.path)]) == 0
    assert capsys.readouterr().out == f"{result.report_html}\n"
    assert cli.main(["report", "--config", str(config.path), "--run", "99"]) == 1
    assert "no audit 99 in the history" in capsys.readouterr().err


def test_report_render_rebuilds_a_report_from_the_history(tmp_path, capsys):
    config = load_config(tmp_path)
    site = config.scheme.website.rstrip("/")
    old = Finding("link.broken", f"{site}/contact", "A link to the council's page fails.", subject="https://gone.example/")
    record_run(config, "2026-10-01T07:00:00+00:00", [old])
    run_id = record_run(config, "2027-01-01T07:00:00+00:00",
                        [Finding("name.variant", f"{site}/about", "The page says “Homestart”.")])
    assert cli.main(["report", "--config", str(config.path), "--run", str(run_id)]) == 1
    assert "has no saved report; try --render" in capsys.readouterr().err
    assert cli.main(["report", "--config", str(config.path), "--run", str(run_id), "--render"]) == 0
    path = capsys.readouterr().out.strip()
    html = open(path, encoding="utf-8").read()
    assert path.endswith("report-rendered.html")
    assert "1 thing needs action" in html and "The page says “Homestart”." in html
    assert "A link to the council&#39;s page fails." in html or "A link to the council's page fails." in html
    assert "Since the last audit (1 October 2026)" in html
