"""The quarterly report rendered to e-mail-safe HTML (CSS inlined, table layout, no external
resources), a plain-text alternative and the attached list of every finding (HTML and CSV).
`render(result)` takes a RunResult, never the database."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import css_inline
import jinja2

from . import attachment
from .attachment import Attachment
from .humanise import oneline, plural
from .report_model import CAP_STEPS, InlineImage, view_model

if TYPE_CHECKING:
    from .result import RunResult

__all__ = ["Attachment", "InlineImage", "Rendered", "render"]

# Gmail clips a message's HTML beyond about 102 KB and hides the rest behind a link.
HTML_BUDGET = 95_000


@dataclass
class Rendered:
    subject: str
    html: str           # refers to inline images as cid:…
    text: str
    inline_images: list[InlineImage] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    def standalone_html(self) -> str:
        """The HTML with its images embedded as data: URIs, for the archive and browsers."""
        html = self.html
        for image in self.inline_images:
            data = base64.b64encode(image.path.read_bytes()).decode("ascii")
            html = html.replace(f"cid:{image.cid}", f"data:image/{image.subtype};base64,{data}")
        return html


def render(result: "RunResult") -> Rendered:
    """The e-mail with as many full cards as fit under HTML_BUDGET; whatever they leave out is
    listed briefly, and every finding is in the attached list."""
    env = _environment()
    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    for caps in CAP_STEPS:
        model = view_model(result, caps)
        html = inliner.inline(env.get_template("report.html.j2").render(**model))
        if len(html.encode("utf-8")) <= HTML_BUDGET:
            break
    # Plain text has no escaping: every value is put on one line, so nothing from the web can
    # start a line of its own (a forged heading) or reorder what follows.
    text = _environment(finalize=_one_line).get_template("report.txt.j2").render(**model)
    table = attachment.rows(result, caps)
    listing = env.get_template("findings.html.j2").render(**attachment.context(result, table, model))
    attached = [Attachment(attachment.filename(result, "html"), "text", "html", listing.encode("utf-8")),
                Attachment(attachment.filename(result, "csv"), "text", "csv", attachment.to_csv(table))]
    return Rendered(subject=model["subject"], html=html, text=_tidy_text(text),
                    inline_images=model["inline_images"], attachments=attached)


def _environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("auditor", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined, **options)
    env.filters["plural"] = plural
    return env


def _one_line(value):
    return oneline(value) if isinstance(value, str) else value


def _tidy_text(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
