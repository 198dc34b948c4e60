"""`auditor demo`: serve the bundled sample site on 127.0.0.1, audit it, say where the results are."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from .. import config as config_mod
from .. import pipeline
from .common import EXIT_OK, EXIT_USAGE
from ..demo import DemoSites, write_config
from .audit import summary_line
from .progress import progress_bar

MARKER = ".auditor-demo"


def add_commands(sub, common) -> None:
    demo = sub.add_parser("demo", parents=[common], help="audit the bundled sample site (the first thing to try)",
                          description="Serve a sample scheme website on 127.0.0.1, audit it with a bundled "
                                      "config into a fresh folder, and say where the report is. Sends no e-mail.")
    demo.add_argument("--output", metavar="DIR", type=Path, default=Path("auditor-demo"),
                      help="folder for the demo's config, history and report (default: ./auditor-demo)")
    demo.set_defaults(func=cmd_demo)


def fresh_folder(out: Path) -> Path | None:
    """Empty `out` if an earlier demo made it; refuse to touch anything else."""
    if out.exists():
        if not (out / MARKER).exists() and any(out.iterdir()):
            return None
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("made by auditor demo; safe to delete\n", encoding="utf-8")
    return out


def cmd_demo(args) -> int:
    out = fresh_folder(args.output)
    if out is None:
        print(f"Error: {args.output} exists and was not made by `auditor demo`; choose another --output",
              file=sys.stderr)
        return EXIT_USAGE
    with DemoSites() as sites:
        config = config_mod.load(write_config(out, sites.site.url, sites.partner.url))
        if not args.quiet:
            print(f"Serving the sample site at {sites.site.url}/ and auditing it...")
        with progress_bar(enabled=not args.quiet) as progress:
            result = pipeline.run(config, pipeline.Options(json_path=out / "findings.json", send_email=False,
                                                           progress=progress))
    assert result is not None       # no `when`: the audit always runs
    print(summary_line(result))
    print(f"Config used: {out / 'auditor.toml'}")
    print(f"Open the report: {result.report_html or result.summary_path}")
    return EXIT_OK
