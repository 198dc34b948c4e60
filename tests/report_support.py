"""Fixtures for the report tests: a real SMTP server (aiosmtpd) with STARTTLS, implicit TLS and AUTH,
a throw-away certificate authority, and configs and run results for the renderer."""
from __future__ import annotations

import html
import json
import os
import re
import shutil
import ssl
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path

import lxml.html
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


def big_result(config, workdir: Path, dismissed: int = 4):
    """A run as a real 300-finding site gives it, in the words the checks use: many photos without a
    record, alt text on dozens of images, a footer link broken on every page, stale pages, repeats."""
    from auditor import sample
    from auditor.history import Dismissal

    result = sample.sample_result(config, workdir)
    page = [f"{SITE}/news/{n}-an-article-about-our-work" for n in range(60)]
    found = []
    for n in range(40):
        faces = 3 if n % 2 else 0
        found.append(Finding("photo.no_consent", page[n % 20], (
            f"This photo shows people ({faces} faces found) but has no record in the consent register." if faces else
            "This photo has no record in the consent register; if it shows people, their consent should be recorded."),
            subject=f"{SITE}/wp-content/uploads/2024/05/family-day-{n}.jpg", severity="high" if faces else "medium",
            evidence={"channel": "website", "faces": faces}))
    found += [Finding("photo.consent_expired", page[1], "Consent for this photo (consent C-0042) expired on 2023-06-20.",
                      subject=f"{SITE}/uploads/toddlers.jpg", evidence={"consent_ref": "C-0042", "register_line": 4})]
    found += [Finding("privacy.personal_data", page[n], "A personal mobile number (075** ***987) is published on this "
                      "page; check the person agreed to it being public.", subject="phone:075** ***987")
              for n in range(3)]
    found += [Finding("privacy.photo_metadata", page[4], "This photo's hidden metadata names a person (in Artist, XPComment).",
                      subject=f"{SITE}/uploads/volunteer.jpg", evidence={"gps": False, "name_fields": ["Artist"]})]
    found += [Finding("complaint.public", "https://mastodon.example/@parent/991", "A public reply reads as a complaint: "
                      "\u201cnobody called me back\u201d.", subject="https://mastodon.example/@scheme/990")]
    found += [Finding("logo.missing", p, "This page does not show the approved logo.") for p in page[:30]]
    found += [Finding("name.variant", page[n], "The page writes the name as \u201cHomestart\u201d.",
                      subject=None) for n in range(8)]
    found += [Finding("event.past", page[n], f"The event \u201cCoffee morning {n}\u201d on 1{n % 9} March 2025 is still "
                      "listed under \u201cUpcoming events\u201d.") for n in range(12)]
    found += [Finding("content.stale", page[n], f"This page was last updated on {n % 27 + 1} May 2022 (a \u201cLast "
                      f"updated\u201d line), 2 years ago.") for n in range(30)]
    found += [Finding("link.broken", page[0], "The link \u201cOur annual report\u201d in the footer does not work: the "
                      "server answered 404.", subject=f"{SITE}/files/annual-report-2021.pdf",
                      evidence={"status": 404, "link_text": "Our annual report", "region": "footer",
                                "pages": page[:10], "page_count": 287})]
    found += [Finding("link.broken", page[n], "The link \u201cReferral form\u201d does not work: timed out.",
                      subject=f"https://forms.partner.example/referral-{n}",
                      evidence={"status": None, "error": "timed out", "link_text": "Referral form"}) for n in range(9)]
    found += [Finding("image.broken", page[n], "An image does not load: the server answered 404.",
                      subject=f"{SITE}/uploads/old-{n}.png", evidence={"status": 404, "alt": f"Team photo {n}"})
              for n in range(6)]
    found += [Finding("crawl.error", f"{SITE}/members/", "The site\u2019s robots.txt forbids the auditor from reading "
                      "the members area (crawl.exclude).", severity="low")]
    alt = 300 - len(found)
    found += [Finding("image.alt_missing", page[n % 60], "An image on this page has no text alternative (alt text), so "
                      "screen-reader users miss it.", subject=f"{SITE}/uploads/image{n:03d}.jpg") for n in range(alt)]
    thumb = next(iter(result.thumbnails.values()))
    result.thumbnails = {f.subject: thumb for f in found if f.check.startswith("photo.") and f.subject}
    result.findings = found
    result.counts = {"pages": 412, "images": 960, "posts": 120, "findings": len(found)}
    result.page_titles = {p: f"News: an article about our work, part {i}" for i, p in enumerate(page)}
    result.page_titles[f"{SITE}/"] = "Home-Start Testshire: supporting families"
    result.comparison = replace(result.comparison, new=found[:5], still_open=found[5:])
    result.dismissed = {f.fingerprint: Dismissal(0, f.fingerprint, "", f.check, f.url, f.subject, f.message, "",
                                                 "Stock photo bought from a library: nobody from a family.",
                                                 "Jane (CEO)", "2026-12-01T10:00:00+00:00")
                        for f in found[:dismissed]}
    return result


# --- the report in headless Chromium --------------------------------------------------------
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
WIDTHS = {"desktop": 1024, "phone": 375}
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio"]
# The report is shown in an iframe exactly as wide as the screen (a headless window has a minimum
# width); the probe runs after load in this test wrapper, never in the e-mail itself.
PROBE = """<script>window.addEventListener('load', function () {
  var w = document.getElementById('report').contentWindow, d = w.document;
  var imgs = Array.prototype.slice.call(d.images);
  document.body.setAttribute('data-probe', JSON.stringify({
    scrollWidth: d.documentElement.scrollWidth, innerWidth: w.innerWidth,
    height: d.documentElement.scrollHeight,
    resources: w.performance.getEntriesByType('resource').map(function (e) { return e.name; }),
    images: imgs.length, broken: imgs.filter(function (i) { return !i.complete || !i.naturalWidth; }).length,
    text: d.body.innerText,
    headings: Array.prototype.map.call(d.querySelectorAll('h1, h2, h3'), function (h) { return h.innerText; })
  }));
});</script>"""


def wrapper(page: Path, width: int, height: int, script: str = "") -> Path:
    srcdoc = html.escape(page.read_text(encoding="utf-8"), quote=True)
    path = page.with_name(f"frame-{width}x{height}.html")
    path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>html,body{{margin:0;padding:0}}"
                    f"iframe{{border:0;display:block}}</style></head><body><iframe id='report' width='{width}' "
                    f"height='{height}' srcdoc=\"{srcdoc}\"></iframe>{script}</body></html>", encoding="utf-8")
    return path


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        message = "Chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return exe


def run_chromium(exe: str, profile: Path, width: int, height: int, *args: str) -> str:
    cmd = [exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def probe(exe: str, page: Path, profile: Path, width: int) -> dict:
    copy = wrapper(page, width, 900, PROBE)
    dom = run_chromium(exe, profile, width, 900, "--virtual-time-budget=5000", "--dump-dom", copy.as_uri())
    match = re.search(r'data-probe="([^"]*)"', dom)
    assert match, "the probe did not run: the page did not finish loading"
    return json.loads(lxml.html.fromstring(f"<p title=\"{match.group(1)}\"></p>").get("title"))


