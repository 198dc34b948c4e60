"""A stopped audit is done again on the next start, so its partial report is saved, not mailed."""
from __future__ import annotations

import threading

from conftest import Response
from report_support import load_config, smtp_server, smtp_table, tls_ca  # noqa: F401 (fixtures)

from auditor import pipeline


def test_a_stopped_audit_saves_its_report_and_the_next_one_mails_it(tmp_path, serve, smtp_server):
    stop = threading.Event()

    def home(req, h):
        stop.set()                                    # as SIGTERM would, mid-crawl
        html = b"<html><head><title>Home-Start Testshire</title></head><body><h1>Home-Start Testshire</h1></body></html>"
        return Response(200, html, {"Content-Type": "text/html; charset=utf-8"})

    web = serve(routes={"/": home})
    mail = smtp_server("none", auth=False)
    config = load_config(tmp_path, smtp_table(mail.port, "none", auth=False), website=web.url("/"))

    stopped = pipeline.run(config, pipeline.Options(stop=stop))
    assert stopped.status == "incomplete" and stopped.report_html.is_file()
    assert stopped.delivered is None and mail.inbox.messages == []

    again = pipeline.run(config, pipeline.Options())
    assert again.status == "complete" and again.delivered is True
    assert [m[2] for m in mail.inbox.messages] == [again.report_eml.read_bytes()]
