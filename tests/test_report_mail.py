"""Delivery through a real SMTP server on 127.0.0.1: STARTTLS, implicit TLS, AUTH, outages and the outbox."""
from __future__ import annotations

import re
from datetime import date
from email import policy
from email.parser import BytesParser

import pytest
from conftest import one_page_site

from auditor import cli, delivery, mailer, sample
from auditor.humanise import human_date

from report_support import PASSWORD, USER, load_config, smtp_server, smtp_table, tls_ca  # noqa: F401 (fixtures)


@pytest.fixture
def creds(monkeypatch):
    monkeypatch.setenv("TEST_SMTP_USER", USER)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)


def make_result(tmp_path, smtp="", run_id=12):
    config = load_config(tmp_path, smtp)
    result = sample.sample_result(config, tmp_path / "work")
    result.run_id = run_id
    result.run_dir = config.storage / "runs" / f"{run_id:05d}"
    return result


def parse(data: bytes):
    return BytesParser(policy=policy.default).parsebytes(data)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_report_arrives_intact_over_tls_with_auth(tmp_path, smtp_server, creds, security):
    server = smtp_server(security)
    result = make_result(tmp_path, smtp_table(server.port, security))
    delivery.publish(result, send_email=True)
    assert result.delivered is True and result.delivery_error is None
    assert len(server.inbox.messages) == 1
    mail_from, rcpts, data = server.inbox.messages[0]
    assert mail_from == "auditor@example.org.uk"
    assert rcpts == ["ceo@example.org.uk", "chair@example.org.uk"]
    assert data == result.report_eml.read_bytes()        # byte for byte what was archived
    msg = parse(data)
    assert msg.get_content_type() == "multipart/mixed"
    alternative, *attached = msg.get_payload()
    assert [a.get_filename() for a in attached] == ["home-start-testshire-audit-2027-01-01-all-findings.html",
                                                     "home-start-testshire-audit-2027-01-01-all-findings.csv"]
    assert [a.get_content_type() for a in attached] == ["text/html", "text/csv"]
    assert attached[1].get_content().count("\n") == len(result.findings) + 1     # a header and a row each
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.get_payload()
    assert text.get_content_type() == "text/plain" and "What to do:" in text.get_content()
    assert related.get_content_type() == "multipart/related"
    html, *images = related.get_payload()
    assert html.get_content_type() == "text/html"
    cids = [img["Content-ID"].strip("<>") for img in images]
    assert len(cids) == 5 and all(img.get_content_type() == "image/jpeg" for img in images)
    assert all(f"cid:{cid}" in html.get_content() for cid in cids)
    assert images[0].get_content()[:2] == b"\xff\xd8"     # a real JPEG
    assert msg["Subject"] == "Home-Start Testshire audit: 25 things need action before 1 April 2027"


def test_plain_smtp_without_auth(tmp_path, smtp_server):
    server = smtp_server("none", auth=False)
    result = make_result(tmp_path, smtp_table(server.port, "none", auth=False))
    delivery.publish(result, send_email=True)
    assert result.delivered is True and len(server.inbox.messages) == 1


def test_wrong_password_is_a_clear_failure_and_goes_to_the_outbox(tmp_path, smtp_server, monkeypatch):
    server = smtp_server("starttls")
    monkeypatch.setenv("TEST_SMTP_USER", USER)
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
    result = make_result(tmp_path, smtp_table(server.port, "starttls"))
    delivery.publish(result, send_email=True)
    assert result.delivered is False and "refused" in result.delivery_error and "535" in result.delivery_error
    assert [p.name for p in mailer.pending(result.config)] == ["run-00012.eml"]
    assert server.inbox.messages == []


def test_credentials_are_never_sent_in_clear(tmp_path, smtp_server, creds):
    server = smtp_server("none")           # offers AUTH only after TLS, which "none" never starts
    result = make_result(tmp_path, smtp_table(server.port, "none"))
    delivery.publish(result, send_email=True)
    assert result.delivered is False and "AUTH" in result.delivery_error
    assert server.inbox.messages == []


def test_a_missing_credential_variable_is_named(tmp_path, smtp_server, monkeypatch):
    server = smtp_server("starttls")
    monkeypatch.delenv("TEST_SMTP_USER", raising=False)
    result = make_result(tmp_path, smtp_table(server.port, "starttls"))
    delivery.publish(result, send_email=True)
    assert result.delivered is False
    assert "TEST_SMTP_USER (report.smtp.username_env) is not set" in result.delivery_error


def test_outage_loses_nothing_and_the_next_run_sends_both(tmp_path, smtp_server, creds):
    server = smtp_server("starttls")
    server.stop()                                     # the mail server is down
    first = make_result(tmp_path, smtp_table(server.port, "starttls"), run_id=1)
    delivery.publish(first, send_email=True)
    assert first.delivered is False and "after 3 attempts" in first.delivery_error
    assert "kept in" in first.delivery_error and first.report_html.is_file()
    assert [p.name for p in mailer.pending(first.config)] == ["run-00001.eml"]

    server = smtp_server("starttls")                   # back up, on another port
    second = make_result(tmp_path, smtp_table(server.port, "starttls"), run_id=2)
    delivery.publish(second, send_email=True)
    assert second.delivered is True
    assert [m[2] for m in server.inbox.messages] == [first.report_eml.read_bytes(), second.report_eml.read_bytes()]
    assert mailer.pending(second.config) == []


def test_send_outbox_command(tmp_path, smtp_server, creds, capsys):
    server = smtp_server("starttls")
    server.stop()
    result = make_result(tmp_path, smtp_table(server.port, "starttls"))
    delivery.publish(result, send_email=True)
    config_path = str(result.config.path)
    assert cli.main(["send-outbox", "--config", config_path]) == 1
    assert "0 report(s) from the outbox; 1 still waiting" in capsys.readouterr().out

    server = smtp_server("starttls")
    load_config(tmp_path, smtp_table(server.port, "starttls"))       # the new port
    assert cli.main(["send-outbox", "--config", config_path]) == 0
    assert "Sent 1 report(s) from the outbox; 0 still waiting." in capsys.readouterr().out
    assert [m[2] for m in server.inbox.messages] == [result.report_eml.read_bytes()]


def test_without_smtp_the_report_is_saved_only(tmp_path):
    result = make_result(tmp_path)
    delivery.publish(result, send_email=True)
    assert result.delivered is None and result.delivery_error is None
    assert result.report_html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert parse(result.report_eml.read_bytes())["Subject"].startswith("Home-Start Testshire audit")
    assert mailer.pending(result.config) == []


def test_no_email_option_sends_nothing(tmp_path, smtp_server, creds):
    server = smtp_server("starttls")
    result = make_result(tmp_path, smtp_table(server.port, "starttls"))
    delivery.publish(result, send_email=False)
    assert result.delivered is None and server.inbox.messages == [] and result.report_eml.is_file()


def test_send_test_email_sends_a_sample_with_every_kind(tmp_path, smtp_server, creds, capsys):
    server = smtp_server("ssl")
    config = load_config(tmp_path, smtp_table(server.port, "ssl"))
    assert cli.main(["send-test-email", "--config", str(config.path)]) == 0
    assert "Sent a test e-mail with a sample report to ceo@example.org.uk, chair@example.org.uk" \
        in capsys.readouterr().out
    msg = parse(server.inbox.messages[0][2])
    assert msg["Subject"] == "Test e-mail: a sample audit report for Home-Start Testshire"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Ask whoever edits the website to take the photo down" in text and "to reply privately" in text
    # It says it is a test where the CEO looks first, is dated today, and links only to the site itself.
    assert text.splitlines()[3].startswith("THIS IS A TEST E-MAIL")
    assert "This is a test e-mail" in html
    assert text.splitlines()[1].endswith(human_date(date.today().isoformat()))
    site = config.scheme.website
    links = set(re.findall(r'href="(http[^"]+)"', html))
    assert links and links <= {site}, links


def test_auditor_run_exits_1_on_an_outage_and_the_next_run_delivers_both(tmp_path, serve, smtp_server, creds, capsys):
    web = serve(root=one_page_site(tmp_path / "site"))
    down = smtp_server("starttls")
    down.stop()
    config = load_config(tmp_path, smtp_table(down.port, "starttls"), website=web.url("/"))
    assert cli.main(["run", "--config", str(config.path)]) == 1
    err = capsys.readouterr().err
    assert "Error: the report was not delivered: could not send through 127.0.0.1" in err
    assert "will be sent on the next run" in err
    assert [p.name for p in mailer.pending(config)] == ["run-00001.eml"]

    up = smtp_server("starttls")
    load_config(tmp_path, smtp_table(up.port, "starttls"), website=web.url("/"))
    assert cli.main(["run", "--config", str(config.path)]) == 0
    archived = [config.storage / "runs" / f"{n:05d}" / "report.eml" for n in (1, 2)]
    assert [m[2] for m in up.inbox.messages] == [p.read_bytes() for p in archived]
    assert mailer.pending(config) == []
    assert f"report: {config.storage / 'runs' / '00002' / 'report.html'}" in capsys.readouterr().out
