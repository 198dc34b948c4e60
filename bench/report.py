"""The benchmark's printed table, ratios and target verdicts, and the kept results file."""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

RSS_TARGET_MB = 150
BASE_PAGES = 2000
TARGETS = (("full audit / Scrapy wall time", 0.5), ("re-audit / first audit wall time", 0.2))


def table(rows: list) -> str:
    head = f"{'run':<24}{'exit':>5}{'wall s':>9}{'pages':>7}{'pages/s':>9}{'photos':>8}{'photos/s':>10}{'CPU s':>8}{'peak RSS MB':>13}"
    out = [head, "-" * len(head)]
    for m in rows:
        per = (lambda n: f"{n / m.wall:.1f}" if m.wall else "-")
        out.append(f"{m.name:<24}{m.returncode if m.ok else f'!{m.returncode}':>5}{m.wall:>9.2f}{m.pages:>7}{per(m.pages):>9}"
                   f"{m.photos:>8}{per(m.photos):>10}{m.cpu:>8.2f}{m.peak_mb:>13.1f}")
    out.append("exit: ! marks an unexpected code (LinkChecker exits 1 when it finds broken links, as it should here)")
    return "\n".join(out)


def verdicts(by_name: dict, pages: int, history: dict) -> list[str]:
    """One line per target: the measured figure, the target and whether it is met."""
    first, again, scrapy = by_name.get("auditor run (first)"), by_name.get("auditor run (re-run)"), by_name.get("Scrapy")
    if first and not first.pages:
        return ["the audit crawled no pages, so no target can be judged: see its log"]
    lines = []
    if first and scrapy:
        lines.append(_line(TARGETS[0][0], first.wall / scrapy.wall, TARGETS[0][1]))
    if first and again:
        lines.append(_line(TARGETS[1][0], again.wall / first.wall, TARGETS[1][1]))
    if first:
        peak = _peak(asdict(first), asdict(again) if again else None)
        base = history.get(str(BASE_PAGES), {})
        if pages == BASE_PAGES or not base.get("auditor run (first)"):
            lines.append(_line(f"auditor peak RSS MB at {pages} pages", peak, RSS_TARGET_MB, "{:.1f}"))
        if pages > BASE_PAGES and base.get("auditor run (first)"):
            base_peak = _peak(base["auditor run (first)"], base.get("auditor run (re-run)"))
            lines.append(_line(f"peak RSS at {pages} / at {BASE_PAGES} pages", peak / base_peak, 1.2))
    return lines


def _peak(first: dict, again: dict | None) -> float:
    return max(first["peak_mb"], again["peak_mb"] if again else 0)


def _line(label: str, value: float, limit: float, fmt: str = "{:.3f}") -> str:
    verdict = "met" if value <= limit else "MISSED"
    return f"{label:<44}{fmt.format(value):>9}   target <= {limit:<6} {verdict}"


def remember(path: Path, pages: int, rows: list) -> dict:
    """Add this run's figures to the results file; returns everything kept so far."""
    kept = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    kept[str(pages)] = {m.name: asdict(m) for m in rows}
    path.write_text(json.dumps(kept, indent=1), encoding="utf-8")
    return kept
