"""E-mail: build the report message, send it over SMTP, keep what could not be sent in an outbox.

The message is multipart/mixed: a multipart/alternative (plain text, then multipart/related: the
HTML and its inline thumbnails by Content-ID), then the attached list of every finding. Credentials come from the environment variables the config names.
"""
from __future__ import annotations

import fcntl
import logging
import os
import smtplib
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

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
    msg["To"] = ", ".join(dict.fromkeys(report.recipients)) or report.sender
    msg["Date"] = format_datetime(when or datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid("report", domain=report.sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(rendered.text, cte="quoted-printable")
    msg.add_alternative(rendered.html, subtype="html", cte="quoted-printable")
    html_part = msg.get_body(preferencelist=("html",))
    assert isinstance(html_part, EmailMessage)
    for image in rendered.inline_images:
        html_part.add_related(image.path.read_bytes(), "image", image.subtype, cid=f"<{image.cid}>",
                              filename=f"photo.{'png' if image.subtype == 'png' else 'jpg'}", disposition="inline")
    for item in rendered.attachments:
        msg.add_attachment(item.data, item.maintype, item.subtype, filename=item.filename)
    return msg


def send(data: bytes, smtp: Smtp, on_accepted: Callable[[], None] | None = None) -> None:
    """Send these exact message bytes, with a couple of retries on trouble before the server has
    accepted it. Raises MailError when it was not accepted.

    Once the server has accepted the message (its 250 after DATA) it is delivered: `on_accepted`
    records that at once, and nothing after it (a QUIT refused with 421, a dropped connection)
    makes it be sent again."""
    sender, recipients = envelope(data)
    attempts = len(RETRY_DELAYS) + 1
    for attempt in range(1, attempts + 1):
        try:
            client = _connect(smtp)
        except (OSError, smtplib.SMTPException) as exc:
            error: BaseException = exc
        else:
            try:
                refused = client.sendmail(sender, recipients, data)
            except (OSError, smtplib.SMTPException) as exc:     # not accepted: refused or to retry, below
                _close(client)
                error = exc
            else:
                if on_accepted is not None:
                    on_accepted()
                if refused:
                    log.warning("the mail server refused some recipients: %s", ", ".join(sorted(refused)))
                _close(client)
                return
        if isinstance(error, PERMANENT):
            raise MailError(f"the mail server {smtp.host}:{smtp.port} refused the message: {_describe(error)}") from error
        if attempt == attempts:
            raise MailError(f"could not send through {smtp.host}:{smtp.port} ({smtp.security}) after "
                            f"{attempts} attempts: {_describe(error)}") from error
        log.warning("sending failed (attempt %d of %d): %s", attempt, attempts, _describe(error))
        time.sleep(RETRY_DELAYS[attempt - 1])


def _connect(smtp: Smtp) -> smtplib.SMTP:
    """A client ready for MAIL FROM: connected, encrypted as configured, signed in."""
    user, password = credentials(smtp)
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if smtp.security == "ssl":
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        client.ehlo()
        if smtp.security == "starttls":
            client.starttls(context=context)
            client.ehlo()
        if user:
            client.login(user, password or "")
    except BaseException:
        _close(client)
        raise
    return client


def _close(client: smtplib.SMTP) -> None:
    """Say goodbye; what the server answers no longer matters."""
    try:
        client.quit()
    except (OSError, smtplib.SMTPException):
        client.close()


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
    addresses = getaddresses([str(v) for v in msg.get_all("To", []) + msg.get_all("Cc", [])])
    unique: dict[str, str] = {}
    for _, addr in addresses:
        if addr:
            unique.setdefault(addr.lower(), addr)     # each recipient gets one copy
    recipients = list(unique.values())
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
@dataclass
class Flushed:
    sent: list[str] = field(default_factory=list)       # file names, oldest first
    waiting: list[str] = field(default_factory=list)
    error: str | None = None                            # why the first of `waiting` was not sent


def outbox_dir(config: Config) -> Path:
    return Path(config.storage) / "outbox"


def to_outbox(config: Config, data: bytes, name: str) -> Path:
    folder = outbox_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    return write_atomic(folder / name, data)


def write_atomic(path: Path, data: bytes) -> Path:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    tmp.replace(path)
    _sync_folder(path.parent)
    return path


def pending(config: Config) -> list[Path]:
    folder = outbox_dir(config)
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def waiting_since(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def send_outbox(config: Config) -> Flushed:
    """Send every message waiting in the outbox, oldest first, stopping at the first that fails.

    Senders take turns (a lock on the outbox), so a run and `auditor send-outbox` started together
    never send one message twice; a message leaves the outbox the moment the server accepts it."""
    smtp = config.report.smtp
    if smtp is None:
        return Flushed(waiting=[p.name for p in pending(config)])
    folder = outbox_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    done = Flushed()
    with _outbox_lock(folder):
        waiting = pending(config)
        for index, path in enumerate(waiting):
            try:
                send(path.read_bytes(), smtp, on_accepted=partial(_delivered, path))
            except MailError as exc:
                log.warning("the outbox still holds %s: %s", path.name, exc)
                done.waiting, done.error = [p.name for p in waiting[index:]], str(exc)
                break
            done.sent.append(path.name)
            log.info("sent %s from the outbox", path.name)
    return done


def _delivered(path: Path) -> None:
    """The server has the message: out of the outbox for good, before anything else can happen."""
    path.unlink(missing_ok=True)
    _sync_folder(path.parent)


@contextmanager
def _outbox_lock(folder: Path) -> Iterator[None]:
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _sync_folder(folder: Path) -> None:
    """A rename or removal survives a power cut only once its folder is written out."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
