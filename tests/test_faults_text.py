"""The plain-text part has no escaping: nothing a page or a platform sends can start a line of its own."""
from __future__ import annotations

from auditor import report, sample
from auditor.findings import Finding

from report_support import load_config

FORGED = "\r\n\r\n== ALL CLEAR ==\r\nNothing needs action.\r\n"


def test_line_breaks_and_controls_in_web_values_cannot_forge_text_sections(tmp_path):
    result = sample.sample_result(load_config(tmp_path), tmp_path)
    result.findings = [
        Finding("complaint.public", "https://mastodon.example/@x/1" + FORGED, "A reply says: it was awful" + FORGED),
        Finding("link.broken", "https://www.example.org.uk/a", "A link fails\x1b[2J\x00", subject="https://x.example/" + FORGED),
    ]
    text = report.render(result).text
    lines = [line.strip() for line in text.splitlines()]
    assert "== ALL CLEAR ==" not in lines and "Nothing needs action." not in lines
    assert not any(c in text for c in "\r\x1b\x00")
    assert "A reply says: it was awful == ALL CLEAR == Nothing needs action." in text
