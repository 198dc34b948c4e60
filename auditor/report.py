"""The quarterly report rendered to e-mail-safe HTML (CSS inlined, table layout, no external
resources) and a plain-text alternative. `render(result)` takes a RunResult, never the database."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import css_inline
import jinja2

from .humanise import plural
from .report_model import InlineImage, view_model

if TYPE_CHECKING:
    from .result import RunResult

__all__ = ["InlineImage", "Rendered", "render"]


@dataclass
class Rendered:
    subject: str
    html: str           # refers to inline images as cid:…
    text: str
    inline_images: list[InlineImage] = field(default_factory=list)

    def standalone_html(self) -> str:
        """The HTML with its images embedded as data: URIs, for the archive and browsers."""
        html = self.html
        for image in self.inline_images:
            data = base64.b64encode(image.path.read_bytes()).decode("ascii")
            html = html.replace(f"cid:{image.cid}", f"data:image/{image.subtype};base64,{data}")
        return html


def render(result: "RunResult") -> Rendered:
    model = view_model(result)
    env = _environment()
    html = env.get_template("report.html.j2").render(**model)
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    text = env.get_template("report.txt.j2").render(**model)
    return Rendered(subject=model["subject"], html=inliner.inline(html), text=_tidy_text(text),
                    inline_images=model["inline_images"])


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    env.filters["plural"] = plural
    return env


def _tidy_text(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
