"""How well the audit tells photos of people from the rest: `python -m bench photos --corpus DIR`.

DIR holds photographs and a `labels.csv` (file, people yes/no, identifiable_faces, children
yes/no/unclear, category, …). Each photo goes through the audit's own image analysis at the size
the audit decodes it, and the consent check's own rules say whether it needs a consent record and
how urgent that is. Printed per category and overall, and for the two halves of the set (split by
a hash of the file name, so the split is fixed and knows nothing of the contents):

- people found: share of photos with people that would be reported;
- faces found: the same among photos with recognisable faces;
- false alarms: share of photos without people that would be reported;
- children high: share of photos of children rated high;
- ms/photo: CPU time of the whole analysis (decode, fingerprints, detectors), and of the
  people and face detectors alone.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import mimetypes
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from auditor import imaging, people
from auditor.checks import photo_consent

TARGETS = {"people found": (">=", 0.97), "faces found": (">=", 0.99), "false alarms": ("<=", 0.05),
           "children high": (">=", 0.90), "detector ms": ("<=", 30.0)}


@dataclass
class Judged:
    file: str
    category: str
    people: bool
    faces: bool
    children: bool
    reported: bool
    high: bool
    analysis_ms: float
    detector_ms: float
    seen: str

    @property
    def half(self) -> str:
        return "first half" if hashlib.sha1(self.file.encode()).digest()[-1] % 2 == 0 else "second half"


def judge(corpus: Path, row: dict[str, str]) -> Judged:
    data = (corpus / row["file"]).read_bytes()
    kind = mimetypes.guess_type(row["file"])[0] or ""
    started = time.process_time()
    info = imaging.analyse(f"file:///{row['file']}", data, kind)
    analysis = time.process_time() - started
    detector = 0.0
    if info.error is None and info.facts.get("photo"):
        img, _ = imaging.decode(data, kind, reduce_to=imaging.ANALYSIS_SIDE)
        started = time.process_time()
        people.look(img)
        detector = time.process_time() - started
    reported = info.error is None and photo_consent.needs_consent(info)
    return Judged(row["file"], row["category"], row["people"] == "yes", int(row["identifiable_faces"] or 0) > 0,
                  row["children"] == "yes", reported, reported and photo_consent.severity(info) == "high",
                  analysis * 1000, detector * 1000, people.Sighting.from_facts(info.facts).describe())


def scores(rows: list[Judged]) -> dict[str, str]:
    def share(hits: list[bool]) -> str:
        return f"{sum(hits) / len(hits):.3f} ({sum(hits)}/{len(hits)})" if hits else "-"
    return {
        "photos": str(len(rows)),
        "people found": share([r.reported for r in rows if r.people]),
        "faces found": share([r.reported for r in rows if r.faces]),
        "false alarms": share([r.reported for r in rows if not r.people]),
        "children high": share([r.high for r in rows if r.children]),
        "analysis ms": f"{sum(r.analysis_ms for r in rows) / len(rows):.1f}",
        "detector ms": f"{sum(r.detector_ms for r in rows) / len(rows):.1f}",
    }


def table(groups: dict[str, list[Judged]]) -> str:
    columns = ["photos", *TARGETS, "analysis ms"]
    columns.remove("detector ms")
    columns.append("detector ms")
    lines = [[""] + columns]
    for name, rows in groups.items():
        found = scores(rows)
        lines.append([name] + [found[c] for c in columns])
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns) + 1)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines)


def verdicts(rows: list[Judged]) -> list[str]:
    found = scores(rows)
    out = []
    for name, (op, target) in TARGETS.items():
        value = float(found[name].split()[0]) if found[name] != "-" else None
        if value is None:
            continue
        met = value >= target if op == ">=" else value <= target
        out.append(f"{name}: {value:g} (target {op} {target:g}) {'met' if met else 'MISSED'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench photos", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="folder with the photos and labels.csv")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every photo judged wrongly")
    args = parser.parse_args(argv)
    labels = args.corpus / "labels.csv"
    if not labels.is_file():
        print(f"Error: {labels} not found", file=sys.stderr)
        return 2
    with open(labels, newline="", encoding="utf-8") as f:
        rows = [judge(args.corpus, row) for row in csv.DictReader(f)]
    by_category: dict[str, list[Judged]] = defaultdict(list)
    for r in rows:
        by_category[r.category].append(r)
    groups = dict(sorted(by_category.items()))
    for r in rows:
        by_category[r.half].append(r)
    groups |= {"first half": by_category["first half"], "second half": by_category["second half"], "all": rows}
    print(table(groups))
    print()
    print("\n".join(verdicts(rows)))
    wrong = [r for r in rows if r.reported != r.people or (r.children and not r.high)]
    if args.verbose and wrong:
        print("\njudged wrongly:")
        for r in wrong:
            what = ("missed" if r.people and not r.reported else "false alarm" if r.reported and not r.people
                    else "child not rated high")
            print(f"  {r.file}: {what} (saw {r.seen})")
    return 0
