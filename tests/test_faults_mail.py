"""Each report reaches the CEO exactly once, whatever the mail server does after accepting it,
however many senders run at once, and wherever the sending process is killed."""
from __future__ import annotations

import asyncio
import os
import sqlite3
from contextlib import closing
import threading
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from auditor import cli, config as config_mod, delivery, mailer, sample

from conftest import free_port, wait_for
from ops_support import auditor, finish, page
from report_support import load_config, smtp_table


class Trouble:
    """An SMTP server's handler: accepts every message, then misbehaves at QUIT as told."""

    def __init__(self, quit: str = "ok", accept: bool = True):
        self.quit, self.accept = quit, accept
        self.messages: list[tuple[list[str], bytes]] = []
        self.quits = 0
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.accept:
            return "451 Try again later"
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    async def handle_QUIT(self, server, session, envelope):
        self.quits += 1
        if self.quit == "421":
            return "421 Service not available, closing channel"
        if self.quit == "hang":
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "221 Bye"


@pytest.fixture
def mail():
    controllers = []

    def start(handler: Trouble, port: int | None = None) -> int:
        port = port or free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append((controller, handler))
        return port

    yield start
    for controller, handler in controllers:
        handler.release.set()
        controller.stop()


def _result(tmp_path, port, run_id=1):
    config = load_config(tmp_path, smtp_table(port, "none", auth=False))
    result = sample.sample_result(config, tmp_path / "work")
    result.run_id, result.run_dir = run_id, config.storage / "runs" / f"{run_id:05d}"
    return result


def test_a_message_accepted_then_quit_refused_with_421_is_delivered_once(tmp_path, mail):
    handler = Trouble(quit="421")
    result = _result(tmp_path, mail(handler))
    delivery.publish(result, send_email=True)
    assert result.delivered is True and result.delivery_error is None
    assert len(handler.messages) == 1
    assert mailer.pending(result.config) == []
    assert mailer.send_outbox(result.config).sent == []     # nothing left to send again
    assert len(handler.messages) == 1


def test_recipients_are_deduplicated_and_the_message_id_survives_the_outbox(tmp_path, mail, monkeypatch):
    monkeypatch.setattr(mailer, "RETRY_DELAYS", (0.0, 0.0))
    handler = Trouble(accept=False)
    port = mail(handler)
    path = tmp_path / "auditor.toml"
    path.write_text(f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "https://www.example.org.uk/"\n\n'
                    '[report]\nrecipients = ["ceo@example.org.uk", "CEO@example.org.uk", "chair@example.org.uk", '
                    '"ceo@example.org.uk"]\nsender = "auditor@example.org.uk"\n\n'
                    f'{smtp_table(port, "none", auth=False)}\n\n[storage]\ndirectory = "var"\n', encoding="utf-8")
    config = config_mod.load(path)
    result = sample.sample_result(config, tmp_path / "work")
    result.run_id, result.run_dir = 3, config.storage / "runs" / "00003"
    delivery.publish(result, send_email=True)
    assert result.delivered is False and [p.name for p in mailer.pending(config)] == ["run-00003.eml"]
    handler.accept = True
    assert mailer.send_outbox(config).sent == ["run-00003.eml"]
    [(rcpts, data)] = handler.messages
    assert rcpts == ["ceo@example.org.uk", "chair@example.org.uk"]
    assert data == result.report_eml.read_bytes()            # same bytes, same Message-ID
    assert b"Message-ID:" in data


def test_two_senders_at_once_send_each_waiting_message_once(tmp_path, mail):
    handler = Trouble()
    config = load_config(tmp_path, smtp_table(mail(handler), "none", auth=False))
    for n in range(1, 4):
        result = sample.sample_result(config, tmp_path / f"w{n}")
        rendered_eml = mailer.build_message(__import__("auditor.report", fromlist=["render"]).render(result),
                                            config.report).as_bytes()
        mailer.to_outbox(config, rendered_eml, f"run-{n:05d}.eml")
    results = []
    threads = [threading.Thread(target=lambda: results.append(mailer.send_outbox(config))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(handler.messages) == 3
    assert sorted(name for r in results for name in r.sent) == ["run-00001.eml", "run-00002.eml", "run-00003.eml"]


def test_send_outbox_killed_after_the_server_accepted_does_not_send_again(tmp_path, mail):
    handler = Trouble(quit="hang")
    port = mail(handler)
    config_path = tmp_path / "auditor.toml"
    result = _result(tmp_path, port)
    data = mailer.build_message(__import__("auditor.report", fromlist=["render"]).render(result),
                                result.config.report).as_bytes()
    mailer.to_outbox(result.config, data, "run-00001.eml")
    proc = auditor(config_path, "send-outbox")
    try:
        assert wait_for(lambda: handler.quits == 1, timeout=60)    # accepted, now waiting on QUIT
    finally:
        proc.kill()
        proc.wait(30)
    handler.quit = "ok"
    handler.release.set()
    assert cli.main(["send-outbox", "--config", str(config_path)]) == 0
    assert len(handler.messages) == 1


def test_a_run_killed_after_its_report_was_accepted_is_neither_redone_nor_resent(tmp_path, mail, serve):
    handler = Trouble(quit="hang")
    port = mail(handler)
    site = serve(routes={"/": lambda req, h: page("<h1>Home-Start Testshire</h1><p>Supporting families.</p>")})
    config_path = tmp_path / "auditor.toml"
    config_path.write_text(
        f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{site.url("/")}"\n\n'
        '[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\ncheck_external_links = false\n\n'
        '[report]\nrecipients = ["ceo@example.org.uk"]\nsender = "auditor@example.org.uk"\n\n'
        f'{smtp_table(port, "none", auth=False)}\n\n[storage]\ndirectory = "var"\n', encoding="utf-8")
    proc = auditor(config_path, "run", "--if-due", "-q")
    try:
        assert wait_for(lambda: handler.quits == 1, timeout=120)
    finally:
        proc.kill()
        proc.wait(30)
    handler.quit = "ok"
    handler.release.set()
    code, out, err = finish(auditor(config_path, "run", "--if-due"))
    assert code == 0, err
    assert "No audit is due" in out
    assert len(handler.messages) == 1
    with closing(sqlite3.connect(tmp_path / "var" / "history.sqlite3")) as db:
        assert db.execute("SELECT id, status FROM runs").fetchall() == [(1, "complete")]


def _site_config(tmp_path, site, port) -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(
        f'[scheme]\nname = "Home-Start Testshire"\nwebsite = "{site.url("/")}"\n\n'
        '[crawl]\ndelay_seconds = 0\ntimeout_seconds = 5\ncheck_external_links = false\n\n'
        '[report]\nrecipients = ["ceo@example.org.uk"]\nsender = "auditor@example.org.uk"\n\n'
        f'{smtp_table(port, "none", auth=False)}\n\n[storage]\ndirectory = "var"\n', encoding="utf-8")
    return path


def test_the_daily_if_due_run_sends_a_report_left_in_the_outbox_even_when_no_audit_is_due(
        tmp_path, mail, serve, monkeypatch, capsys):
    monkeypatch.setattr(mailer, "RETRY_DELAYS", (0.0, 0.0))
    site = serve(routes={"/": lambda req, h: page("<h1>Home-Start Testshire</h1><p>Supporting families.</p>")})
    port = free_port()                       # nothing listens yet: the mail server is down
    config_path = _site_config(tmp_path, site, port)
    assert cli.main(["run", "--if-due", "-q", "--config", str(config_path)]) == 1
    assert [p.name for p in mailer.pending(config_mod.load(config_path))] == ["run-00001.eml"]
    capsys.readouterr()
    handler = Trouble()
    mail(handler, port)                      # the mail server is back
    assert cli.main(["run", "--if-due", "--config", str(config_path)]) == 0
    out = capsys.readouterr().out
    assert "Sent 1 report(s) that were waiting in the outbox." in out and "No audit is due" in out
    assert len(handler.messages) == 1 and mailer.pending(config_mod.load(config_path)) == []
    assert cli.main(["run", "--if-due", "-q", "--config", str(config_path)]) == 0
    assert len(handler.messages) == 1 and capsys.readouterr().out == ""


def test_a_report_waiting_more_than_a_day_is_warned_about_daily_and_named_in_the_next_report(
        tmp_path, mail, serve, monkeypatch, capsys):
    monkeypatch.setattr(mailer, "RETRY_DELAYS", (0.0, 0.0))
    site = serve(routes={"/": lambda req, h: page("<h1>Home-Start Testshire</h1><p>Supporting families.</p>")})
    port = free_port()
    config_path = _site_config(tmp_path, site, port)
    assert cli.main(["run", "-q", "--config", str(config_path)]) == 1
    config = config_mod.load(config_path)
    [waiting] = mailer.pending(config)
    two_days_ago = waiting.stat().st_mtime - 2 * 86400
    os.utime(waiting, (two_days_ago, two_days_ago))
    capsys.readouterr()
    assert cli.main(["run", "--if-due", "-q", "--config", str(config_path)]) == 1     # still no mail server
    err = capsys.readouterr().err
    assert "1 report(s) still wait in the outbox, the oldest since" in err
    log = (tmp_path / "var" / "auditor.log").read_text(encoding="utf-8")
    assert "WARNING" in log and "has waited in the outbox since" in log
    handler = Trouble()
    mail(handler, port)
    assert cli.main(["run", "-q", "--config", str(config_path)]) == 0       # a new audit, by hand
    assert len(handler.messages) == 2
    newest = handler.messages[-1][1].decode("utf-8", "replace")
    assert "has waited more than a day to be" in newest.replace("=\r\n", "")


def test_the_scheduler_sends_what_waits_in_the_outbox_before_deciding_on_an_audit(tmp_path, mail, serve, monkeypatch):
    from auditor.commands.schedule import scheduled_audit
    monkeypatch.setattr(mailer, "RETRY_DELAYS", (0.0, 0.0))
    site = serve(routes={"/": lambda req, h: page("<h1>Home-Start Testshire</h1><p>Supporting families.</p>")})
    port = free_port()
    config_path = _site_config(tmp_path, site, port)
    assert cli.main(["run", "-q", "--config", str(config_path)]) == 1        # the mail server is down
    handler = Trouble()
    mail(handler, port)
    scheduled_audit(config_mod.load(config_path), threading.Event())         # what `auditor schedule` runs
    assert len(handler.messages) == 1 and mailer.pending(config_mod.load(config_path)) == []
    with closing(sqlite3.connect(tmp_path / "var" / "history.sqlite3")) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1  # no audit was due
