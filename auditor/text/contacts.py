"""Contact details in text: e-mail addresses (also written "name [at] gmail dot com") and
phone numbers (read by the phonenumbers library, so every way of writing one number is one number).

`find_contacts` returns only what is not allowed: addresses at the site's own domain, other
organisations' shared mailboxes (info@, referrals@…) and anything listed in `allowed` (an
address, a phone number in any format, or "@domain") pass. Webmail addresses always count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from .scan import line_cache, lines_at, positions

# Spaces only within a line, and never around a real ".", or a sentence's full stop joins the next word.
AT = r"(?:[ \t]*@[ \t]*|[ \t]*[\[({<][ \t]*at[ \t]*[\])}>][ \t]*)"
DOT = r"(?:\.|[ \t]*[\[({<][ \t]*dot[ \t]*[\])}>][ \t]*|[ \t]+dot[ \t]+)"
# "name at gmail dot com": a plain "at" only counts with a plain "dot", else "meet at home.com" would.
WORD_AT, WORD_DOT = r"[ \t]+at[ \t]+", r"[ \t]+dot[ \t]+"
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


def _address(at: str, dot: str) -> re.Pattern:
    return re.compile(rf"(?<![\w.+-])(?P<local>[a-z0-9][a-z0-9._%+-]{{0,63}}){at}"
                      rf"(?P<domain>{LABEL}(?:{dot}{LABEL})*{dot}(?P<tld>[a-z]{{2,24}}))(?![\w-])", re.I)


EMAILS = (_address(AT, DOT), _address(WORD_AT, WORD_DOT))
# Neither an address nor a phone number spans a line. A line holding an address has an "@", a
# bracketed "at" or a worded " dot "; one holding a number has a digit. Other lines are skipped.
BRACKET_AT = re.compile(r"[\[({<][ \t]*at[ \t]*[\])}>]", re.I)
WORDED_DOT = re.compile(r"[ \t]dot[ \t]", re.I)
DIGIT = re.compile(r"\d")
MAX_TRIES = 65535        # the phone matcher's own default: invalid candidates it tries per text
FILE_ENDINGS = {"png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "css", "js", "pdf", "html", "php"}   # logo@2x.png
SEPARATOR = re.compile(r"\s*[\[({<]?\s*dot\s*[\])}>]?\s*|\s*\.\s*", re.I)
PERSONAL_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER}
WEBMAIL = {"gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com",
           "live.co.uk", "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "aol.co.uk",
           "btinternet.com", "sky.com", "talktalk.net", "virginmedia.com", "protonmail.com", "proton.me",
           "msn.com", "mail.com", "gmx.com", "gmx.co.uk", "ntlworld.com", "blueyonder.co.uk", "tiscali.co.uk"}
# An organisation's shared mailbox is a contact point, not a person's details.
ROLE_MAILBOXES = re.compile(
    r"^(?:info|information|enquiries|enquiry|inquiries|admin|office|hello|contact|contactus|mail|post"
    r"|reception|referrals?|safeguarding|support|help|helpline|advice|press|media|comms|communications"
    r"|volunteers?|volunteering|fundraising|donations?|events?|bookings?|accounts|finance|hr|jobs|careers"
    r"|recruitment|team|general|noreply|no-reply|privacy|dpo|data\.?protection|complaints|feedback|web"
    r"|webmaster|marketing|membership|training|services?)(?:[._-]?\w{0,12})?$", re.I)
# Second-level public suffixes: sharing one of these is not sharing a domain.
PUBLIC_SECOND = {"co.uk", "org.uk", "ac.uk", "gov.uk", "nhs.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk",
                 "sch.uk", "police.uk", "com.au", "org.au", "co.nz", "org.nz"}


@dataclass(frozen=True)
class Contact:
    kind: str          # email | phone
    value: str         # normalised: lower-case address, or E.164 number
    masked: str        # the middle hidden, safe to show in a report
    written: str       # as found (not for reports: it is the personal data itself)
    personal: bool     # a webmail address or a mobile number, rather than another organisation's


def find_contacts(text: str, site_host: str, allowed: Iterable[str] = ()) -> list[Contact]:
    """Contact details in `text` that are neither the site's own nor allowed, each once."""
    allow = _allowed(tuple(allowed), site_host)
    found: dict[str, Contact] = {}
    for contact in [*find_emails(text), *find_phones(text)]:
        if contact.kind == "email" and not contact.personal and ROLE_MAILBOXES.match(contact.value.split("@")[0]):
            continue
        if not allow.covers(contact) and contact.value not in found:
            found[contact.value] = contact
    return list(found.values())


@lru_cache(maxsize=64)       # the same for every page of a run
def _allowed(allowed: tuple[str, ...], site_host: str) -> "Allowed":
    return Allowed.build(allowed, site_host)


def find_emails(text: str) -> list[Contact]:
    found: tuple[list, list] = ([], [])      # by pattern, as each would find them in the whole text
    text = text or ""
    hints = positions(text, ["@"]) + [m.start() for m in BRACKET_AT.finditer(text)]
    if "dot" in text.lower():
        hints += [m.start() for m in WORDED_DOT.finditer(text)]
    for offset, line in lines_at(text, sorted(hints)):
        for spans, more in zip(found, _line_emails(line)):
            spans.extend((offset + start, offset + end, contact) for start, end, contact in more)
    out: list[Contact] = []
    taken: list[tuple[int, int]] = []
    for start, end, contact in found[0] + found[1]:
        if not any(a < end and start < b for a, b in taken):
            taken.append((start, end))
            out.append(contact)
    return out


@line_cache()
def _line_emails(line: str) -> tuple[tuple[tuple[int, int, Contact], ...], ...]:
    """Per pattern: (start, end, contact) of each address in one line (a footer's: once a run)."""
    return tuple(tuple((m.start(), m.end(), _email(m)) for m in pattern.finditer(line)
                       if m.group("tld").lower() not in FILE_ENDINGS) for pattern in EMAILS)


def _email(match: re.Match) -> Contact:
    local = match.group("local").lower().strip(".")
    domain = ".".join(p for p in SEPARATOR.split(match.group("domain").lower()) if p)
    return Contact("email", f"{local}@{domain}", mask_email(local, domain), match.group(), domain in WEBMAIL)


def find_phones(text: str) -> list[Contact]:
    out: list[Contact] = []
    tries = 0
    text = text or ""
    for _, line in lines_at(text, (m.start() for m in DIGIT.finditer(text))):
        found, used = _line_phones(line)
        out.extend(found)
        tries += used
    # Line by line the matcher gets a fresh allowance of tries: past its limit, do as it does.
    return out if tries < MAX_TRIES else list(_phones(text)[0])


@line_cache()
def _line_phones(line: str) -> tuple[tuple[Contact, ...], int]:
    return _phones(line)


def _phones(text: str) -> tuple[tuple[Contact, ...], int]:
    """Personal numbers in `text`, and how many of its tries the matcher used."""
    out = []
    matcher = PhoneNumberMatcher(text, "GB", leniency=Leniency.VALID, max_tries=MAX_TRIES)
    for match in matcher:
        number = match.number
        if phonenumbers.number_type(number) not in PERSONAL_TYPES:
            continue
        value = phonenumbers.format_number(number, PhoneNumberFormat.E164)
        out.append(Contact("phone", value, mask_phone(number), match.raw_string, True))
    return tuple(out), MAX_TRIES - getattr(matcher, "_max_tries", 0)


def phone_value(written: str) -> str | None:
    """E.164 form of a phone number written any way, or None."""
    try:
        number = phonenumbers.parse(written, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def mask_email(local: str, domain: str) -> str:
    keep = local[:1] if len(local) <= 3 else local[:2]
    return f"{keep}{'*' * max(3, len(local) - len(keep) - 1)}{local[-1:] if len(local) > 3 else ''}@{domain}"


def mask_phone(number) -> str:
    """National format with all but the first three and last three digits hidden."""
    shown = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL
                                       if number.country_code == 44 else PhoneNumberFormat.INTERNATIONAL)
    total = sum(c.isdigit() for c in shown)
    seen, out = 0, []
    for char in shown:
        if char.isdigit():
            seen += 1
            char = char if seen <= 3 or seen > total - 3 else "*"
        out.append(char)
    return "".join(out)


@dataclass(frozen=True)
class Allowed:
    values: frozenset[str]
    domains: tuple[str, ...]

    @classmethod
    def build(cls, allowed: Iterable[str], site_host: str) -> "Allowed":
        values, domains = set(), [_bare(site_host)] if site_host else []
        for entry in allowed:
            entry = entry.strip().lower()
            if entry.startswith("@"):
                domains.append(entry[1:])
            elif "@" in entry:
                values.add(entry)
            elif phone := phone_value(entry):
                values.add(phone)
        return cls(frozenset(values), tuple(d for d in domains if d))

    def covers(self, contact: Contact) -> bool:
        if contact.value in self.values:
            return True
        if contact.kind != "email":
            return False
        domain = contact.value.rsplit("@", 1)[1]
        return any(_same_site(domain, own) for own in self.domains)


def _bare(host: str) -> str:
    host = (host or "").lower().split(":")[0].strip(".")
    return host[4:] if host.startswith("www.") else host


def _same_site(domain: str, own: str) -> bool:
    """`domain` is `own`, a subdomain of it, or its parent organisation's domain."""
    if domain == own or domain.endswith("." + own):
        return True
    return own.endswith("." + domain) and domain.count(".") >= 1 and domain not in PUBLIC_SECOND
