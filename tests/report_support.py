"""Fixtures for the report tests: a real SMTP server (aiosmtpd) with STARTTLS, implicit TLS and AUTH,
a throw-away certificate authority, and configs and run results for the renderer."""
from __future__ import annotations

import ssl
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from auditor import config as config_mod
from auditor import mailer
from auditor.findings import Finding

from conftest import free_port

USER, PASSWORD = "auditor", "s3cret pass"
SITE = "https://www.example.org.uk"
HOSTILE_SCRIPT = '<script>alert("pwned")</script>'
HOSTILE_ATTR = '" onmouseover="alert(1)" x="'
RTL = "مرحبا بالعالم \u202egpj.exe"
EMOJI = "Fun day 👶🏽🎉"
LONG = "W" * 3000


@dataclass
class Inbox:
    """What the server received: one (mail_from, rcpt_tos, raw bytes) per message."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
        and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@dataclass
class MailServer:
    controller: Controller
    inbox: Inbox
    port: int
    security: str
    running: bool = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
            self.running = False


@pytest.fixture(scope="session")
def tls_ca(tmp_path_factory):
    """A throw-away CA and a server certificate for 127.0.0.1; clients trust it through SSL_CERT_FILE."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    folder = tmp_path_factory.mktemp("ca")
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return folder / "ca.pem", context


@pytest.fixture
def smtp_server(tls_ca, monkeypatch):
    """Factory: smtp_server(security="starttls", auth=True) -> a running MailServer on 127.0.0.1."""
    ca_file, server_context = tls_ca
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setattr(mailer, "RETRY_DELAYS", (0.0, 0.0))
    servers: list[MailServer] = []

    def start(security: str = "starttls", auth: bool = True) -> MailServer:
        inbox, port = Inbox(), free_port()
        # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is encrypted from the start
        kwargs = {"authenticator": _authenticate, "auth_require_tls": security != "ssl"} if auth else {}
        if security == "starttls":
            kwargs.update(tls_context=server_context, require_starttls=True)
        elif security == "ssl":
            kwargs.update(ssl_context=server_context)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        server = MailServer(controller, inbox, port, security)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def write_report_config(tmp_path: Path, smtp: str = "", name: str = "Home-Start Testshire",
                        website: str = "https://www.example.org.uk/") -> Path:
    path = tmp_path / "auditor.toml"
    path.write_text(
        f'[scheme]\nname = "{name}"\nwebsite = "{website}"\n\n'
        '[report]\nrecipients = ["ceo@example.org.uk", "chair@example.org.uk"]\n'
        'sender = "auditor@example.org.uk"\n\n'
        f'{smtp}\n\n[storage]\ndirectory = "var"\n', encoding="utf-8")
    return path


def smtp_table(port: int, security: str, auth: bool = True) -> str:
    lines = ["[report.smtp]", 'host = "127.0.0.1"', f"port = {port}", f'security = "{security}"',
             "timeout_seconds = 5"]
    if auth:
        lines += ['username_env = "TEST_SMTP_USER"', 'password_env = "TEST_SMTP_PASSWORD"']
    return "\n".join(lines)


def load_config(tmp_path: Path, smtp: str = "", **kw) -> config_mod.Config:
    return config_mod.load(write_report_config(tmp_path, smtp, **kw))


def hostile(result, keep: bool = False):
    """Untrusted text in every place the web can put it: titles, alt text, post text, URLs."""
    result.findings = (result.findings if keep else []) + [
        Finding("image.alt_missing", f"{SITE}/gallery", f"The image {HOSTILE_ATTR} has no alt text."),
        Finding("complaint.public", "https://mastodon.example/@x/1", f"A reply says: {HOSTILE_SCRIPT} {RTL} {EMOJI}"),
        Finding("link.broken", "javascript:alert(1)", "A link that fails.", subject="https://x.example/" + LONG),
        Finding("content.stale", f"{SITE}/{LONG}", f"Stale: {LONG}"),
    ]
    result.changes = replace(result.changes, new_pages=[(f"{SITE}/new", f"{HOSTILE_SCRIPT}\r\nBcc: evil@example.com")],
                             new_posts=[("mastodon", "javascript:alert(2)")])
    return result
