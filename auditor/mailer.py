"""E-mail: build the report message, send it over SMTP, keep what could not be sent in an outbox.

The message is multipart/mixed: a multipart/alternative (plain text, then multipart/related: the
HTML and its inline thumbnails by Content-ID), then the attached list of every finding. Credentials come from the environment variables the config names.
"""
from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Config, Report, Smtp

if TYPE_CHECKING:
    from .report import Rendered

log = logging.getLogger(__name__)

RETRY_DELAYS = (2.0, 10.0)      # seconds before the second and third attempt
PERMANENT = (smtplib.SMTPAuthenticationError, smtplib.SMTPNotSupportedError, smtplib.SMTPSenderRefused,
             smtplib.SMTPRecipientsRefused)


class MailError(Exception):
    """The message could not be sent; the text says why, plainly."""


def build_message(rendered: "Rendered", report: Report, when: datetime | None = None) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = " ".join(rendered.subject.split())
    msg["From"] = report.sender
    msg["To"] = ", ".join(report.recipients) or report.sender
    msg["Date"] = format_datetime(when or datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid("report", domain=report.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    html_part = msg.get_payload()[1]
    for image in rendered.inline_images:
        html_part.add_related(image.path.read_bytes(), "image", image.subtype, cid=f"<{image.cid}>",
                              filename=f"photo.{'png' if image.subtype == 'png' else 'jpg'}", disposition="inline")
    for item in rendered.attachments:
        msg.add_attachment(item.data, item.maintype, item.subtype, filename=item.filename)
    return msg


def send(data: bytes, smtp: Smtp) -> None:
    """Send these exact message bytes, with a couple of retries on temporary trouble. Raises MailError."""
    sender, recipients = envelope(data)
    attempts = len(RETRY_DELAYS) + 1
    for attempt in range(1, attempts + 1):
        try:
            _send_once(data, sender, recipients, smtp)
            return
        except PERMANENT as exc:
            raise MailError(f"the mail server {smtp.host}:{smtp.port} refused the message: {_describe(exc)}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            if attempt == attempts:
                raise MailError(f"could not send through {smtp.host}:{smtp.port} ({smtp.security}) after "
                                f"{attempts} attempts: {_describe(exc)}") from exc
            log.warning("sending failed (attempt %d of %d): %s", attempt, attempts, _describe(exc))
            time.sleep(RETRY_DELAYS[attempt - 1])


def _send_once(data: bytes, sender: str, recipients: list[str], smtp: Smtp) -> None:
    user, password = credentials(smtp)
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    with client:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if user:
            client.login(user, password or "")
        client.sendmail(sender, recipients, data)


def credentials(smtp: Smtp) -> tuple[str | None, str | None]:
    values = []
    for key, name in (("username_env", smtp.username_env), ("password_env", smtp.password_env)):
        if name and not os.environ.get(name):
            raise MailError(f"the environment variable {name} (report.smtp.{key}) is not set")
        values.append(os.environ.get(name) if name else None)
    return values[0], values[1]


def envelope(data: bytes) -> tuple[str, list[str]]:
    """Sender and recipients, read from the message's own headers."""
    msg = BytesParser(policy=policy.SMTP).parsebytes(data, headersonly=True)
    sender = parseaddr(str(msg.get("From", "")))[1]
    recipients = [addr for _, addr in getaddresses([str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])]) if addr]
    if not sender or not recipients:
        raise MailError("the message has no sender or no recipients")
    return sender, recipients


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipients refused: " + ", ".join(exc.recipients)
    return str(exc) or type(exc).__name__


# --- the outbox -----------------------------------------------------------
def outbox_dir(config: Config) -> Path:
    return Path(config.storage) / "outbox"


def to_outbox(config: Config, data: bytes, name: str) -> Path:
    folder = outbox_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / name, data)


def write_atomic(path: Path, data: bytes) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


def pending(config: Config) -> list[Path]:
    folder = outbox_dir(config)
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def send_outbox(config: Config) -> tuple[int, int]:
    """Send every message waiting in the outbox, oldest first. Returns (sent, failed)."""
    smtp = config.report.smtp
    waiting = pending(config)
    if smtp is None or not waiting:
        return 0, len(waiting)
    sent = 0
    for path in waiting:
        try:
            send(path.read_bytes(), smtp)
        except MailError as exc:
            log.warning("the outbox still holds %s: %s", path.name, exc)
            return sent, len(waiting) - sent
        path.unlink()
        sent += 1
        log.info("sent %s from the outbox", path.name)
    return sent, 0
