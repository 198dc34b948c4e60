"""Load, validate and default the TOML configuration.

`load(path)` returns a frozen `Config`; anything wrong raises `ConfigError`
naming the file, the key and what was expected.
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import cron
from .findings import CODES, unknown
from .settings import PATH, STR_LIST, URL, URL_LIST, Key, setting
from .social import PLATFORMS

DEFAULT_PATH = Path("config/auditor.toml")
ENV_VAR = "AUDITOR_CONFIG"
SECURITY = ("none", "starttls", "ssl")


# One address, as the report's From and To headers take it, optionally with a name before it
# ("CEO <ceo@example.org.uk>"): nothing that could add a header or another recipient.
_ADDR = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?"
MAIL_ADDRESS = re.compile(rf"{_ADDR}|[^<>,;:\"\\\x00-\x1f\x7f-\x9f]{{1,100}}<{_ADDR}>")


class ConfigError(Exception):
    """A config problem, already phrased for the user: `file: key: problem`."""

    def __init__(self, path: Path | str, key: str, problem: str):
        self.path, self.key, self.problem = str(path), key, problem
        where = f"{self.path}: {key}: " if key else f"{self.path}: "
        super().__init__(where + problem)


@dataclass(frozen=True)
class Scheme:
    name: str = setting(str, help="the canonical name")
    website: str = setting(URL, help="where the crawl starts")
    accepted_names: tuple[str, ...] = setting(STR_LIST, (), help="other correct forms of the name")
    forbidden_names: tuple[str, ...] = setting(STR_LIST, (), help="extra wrong forms to flag")
    extra_pages: tuple[str, ...] = setting(URL_LIST, (), help="other public pages to audit")


@dataclass(frozen=True)
class Crawl:
    max_pages: int = setting(int, 1000, low=1, high=1_000_000, help="pages read in all")
    delay_seconds: float = setting(float, 0.5, low=0, high=3600, help="wait between requests to one server")
    timeout_seconds: float = setting(float, 20.0, low=0.1, high=600, help="connect and read timeout")
    check_external_links: bool = setting(bool, True, help="check links to other sites once each")
    max_per_pattern: int = setting(int, 100, low=1, high=1_000_000,
                                   help="pages whose addresses differ only in numbers or query values")
    max_redirects: int = setting(int, 10, low=0, high=50, help="redirects followed per request")
    max_page_mb: float = setting(float, 10.0, low=0.01, high=1024, help="larger pages are not read")
    max_image_mb: float = setting(float, 20.0, low=0.01, high=1024, help="larger images are not decoded")
    workers: int = setting(int, 4, low=1, high=64, help="parallel requests")
    exclude: tuple[str, ...] = setting(STR_LIST, (), help="path patterns never fetched")
    render: bool = setting(bool, True, help="read pages built by script in headless Chromium")
    chromium: str | None = setting(str, None, help="the browser to use; by default the first chromium on PATH")
    max_external_links_per_page: int = setting(int, 300, low=0, high=1_000_000,
                                               help="distinct links to other sites checked per page")
    max_external_links: int = setting(int, 5000, low=0, high=10_000_000,
                                      help="distinct links to other sites checked in the whole audit")
    max_images_per_page: int = setting(int, 300, low=0, high=1_000_000, help="distinct images fetched per page")
    max_images: int = setting(int, 5000, low=0, high=10_000_000, help="distinct images fetched in the whole audit")
    max_hours: float = setting(float, 4.0, low=0.0001, high=1000, help="the audit stops reading after this long")
    max_retry_wait_seconds: float = setting(float, 300.0, low=0, high=86400,
                                            help="total Retry-After waiting one server may ask for")
    decode_seconds: float = setting(float, 20.0, low=1, high=3600, help="processor time to decode one image")
    decode_memory_mb: int = setting(int, 1024, low=64, high=65536, help="memory to decode one image")


@dataclass(frozen=True)
class Identity:
    approved_logos: Path | None = setting(PATH, None, help="folder of the approved logo files")
    deprecated_logos: Path | None = setting(PATH, None, help="folder of retired logo files")


@dataclass(frozen=True)
class Consent:
    register: Path | None = setting(PATH, None, help="the consent register (CSV)")


@dataclass(frozen=True)
class Freshness:
    stale_after_days: int = setting(int, 365, low=1, high=36500, help="a page older than this is stale")
    dormant_after_days: int = setting(int, 90, low=1, high=36500, help="an account quiet this long is dormant")
    exempt: tuple[str, ...] = setting(STR_LIST, (), help="pages never reported as stale or for past events")
    copyright_grace_years: int = setting(int, 1, low=0, high=100, help="a copyright year this old is still fine")


@dataclass(frozen=True)
class Privacy:
    allowed_contacts: tuple[str, ...] = setting(STR_LIST, (), help="contacts published on purpose")


@dataclass(frozen=True)
class Social:
    """One [[social]] account: `platform`, the keys its reader declares (in `options`), and these."""

    platform: str
    options: dict[str, Any] = field(default_factory=dict)
    lookback_days: int = setting(int, 120, low=1, high=36500, help="posts are read this many days back at least")
    max_posts: int = setting(int, 1000, low=1, high=100_000,
                             help="posts read per account for photo consent, however old")

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Smtp:
    host: str = setting(str, help="the mail server")
    port: int = setting(int, 587, low=1, high=65535)
    security: str = setting(str, "starttls", help="none | starttls | ssl")
    username_env: str | None = setting(str, None, help="the environment variable holding the user name")
    password_env: str | None = setting(str, None, help="the environment variable holding the password")
    timeout_seconds: float = setting(float, 30.0, low=0.1, high=600)


@dataclass(frozen=True)
class Report:
    recipients: tuple[str, ...] = setting(STR_LIST, (), help="who receives the report")
    sender: str = setting(str, "auditor@localhost", help="the report's From address")
    smtp: Smtp | None = None          # the [report.smtp] table; without it the report is only saved


@dataclass(frozen=True)
class Schedule:
    cron: str = setting(str, "0 7 1 1,4,7,10 *", help="when audits run, as a crontab line")
    timezone: str = setting(str, "Europe/London")


@dataclass(frozen=True)
class Storage:
    directory: Path = setting(PATH, "../var", help="history, saved reports, outbox and caches")


@dataclass(frozen=True)
class Checks:
    ignore: tuple[str, ...] = setting(STR_LIST, (), help="finding codes to silence")


@dataclass(frozen=True)
class Config:
    path: Path
    scheme: Scheme
    crawl: Crawl
    identity: Identity
    consent: Consent
    freshness: Freshness
    privacy: Privacy
    social: tuple[Social, ...]
    report: Report
    schedule: Schedule
    storage: Path
    checks: Checks

    @property
    def site_host(self) -> str:
        return (urlsplit(self.scheme.website).hostname or "").lower()


def keys(section: type) -> dict[str, Key]:
    """A section's keys, as its dataclass declares them."""
    return {f.name: f.metadata["key"] for f in fields(section) if "key" in f.metadata}


# [name] -> its keys. [report.smtp] is read inside [report]; [[social]] by platform (see PLATFORMS).
SCHEMA: dict[str, dict[str, Key]] = {
    "scheme": keys(Scheme), "crawl": keys(Crawl), "identity": keys(Identity), "consent": keys(Consent),
    "freshness": keys(Freshness), "privacy": keys(Privacy), "report": keys(Report), "smtp": keys(Smtp),
    "schedule": keys(Schedule), "storage": keys(Storage), "checks": keys(Checks),
}
SOCIAL_KEYS = keys(Social)          # any platform
SOCIAL_DEFAULTS = {platform: {name: key.default for name, key in declared.items() if not key.required}
                   for platform, declared in PLATFORMS.items()}


def resolve_path(explicit: str | os.PathLike | None = None) -> Path:
    """The config file to use: `--config`, else $AUDITOR_CONFIG, else the default."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return DEFAULT_PATH


def load(path: str | os.PathLike) -> Config:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "", f"cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML ({exc})") from None
    refuse_if_others_can_write(path, "")
    config = _Parser(path).parse(raw)
    if config.consent.register is not None:
        refuse_if_others_can_write(path, "consent.register", config.consent.register)
    return config


def refuse_if_others_can_write(path: Path, key: str, target: Path | None = None) -> None:
    """Whoever can edit the config can send the report and the mail login elsewhere, and whoever can
    edit the register can make any photo look consented: neither may be writable by every user."""
    target = target or path
    try:
        mode = target.stat().st_mode
    except OSError:
        return                  # missing files are reported where they are needed
    if mode & stat.S_IWOTH:
        what = "this file" if target == path else f"{target}"
        raise ConfigError(path, key, f"{what} can be changed by any user of this computer, who could then "
                                     f"redirect the report or its mail login; run: chmod o-w {target}")


class _Parser:
    def __init__(self, path: Path):
        self.path = path
        self.base = path.resolve().parent

    def fail(self, key: str, problem: str):
        raise ConfigError(self.path, key, problem)

    def parse(self, raw: dict) -> Config:
        known = set(SCHEMA) - {"smtp"} | {"social"}
        for key in raw:
            if key not in known:
                self.fail(key, f"unknown section (expected one of: {', '.join(sorted(known))})")
        if "scheme" not in raw:
            self.fail("scheme", "missing section; [scheme] with name and website is required")
        report_raw = dict(self.table(raw, "report"))
        smtp_raw = report_raw.pop("smtp", None)
        report = self.section("report", report_raw, "report")
        smtp = None
        if smtp_raw is not None:
            if not isinstance(smtp_raw, dict):
                self.fail("report.smtp", "must be a table")
            smtp = Smtp(**self.section("smtp", smtp_raw, "report.smtp"))
            if smtp.security not in SECURITY:
                self.fail("report.smtp.security", f"must be one of {', '.join(SECURITY)}, not {smtp.security!r}")
        for key, addresses in (("report.recipients", report["recipients"]), ("report.sender", (report["sender"],))):
            for addr in addresses:
                if not MAIL_ADDRESS.fullmatch(addr):
                    self.fail(key, f"{addr!r} is not one plain e-mail address (write name@example.org or "
                                   "Name <name@example.org>, without commas or line breaks)")
        cfg = Config(
            path=self.path,
            scheme=Scheme(**self.section("scheme", self.table(raw, "scheme"), "scheme")),
            crawl=Crawl(**self.section("crawl", self.table(raw, "crawl"), "crawl")),
            identity=Identity(**self.section("identity", self.table(raw, "identity"), "identity")),
            consent=Consent(**self.section("consent", self.table(raw, "consent"), "consent")),
            freshness=Freshness(**self.section("freshness", self.table(raw, "freshness"), "freshness")),
            privacy=Privacy(**self.section("privacy", self.table(raw, "privacy"), "privacy")),
            social=self.socials(raw.get("social", [])),
            report=Report(smtp=smtp, **report),
            schedule=Schedule(**self.section("schedule", self.table(raw, "schedule"), "schedule")),
            storage=Storage(**self.section("storage", self.table(raw, "storage"), "storage")).directory,
            checks=Checks(**self.section("checks", self.table(raw, "checks"), "checks")),
        )
        self.validate(cfg)
        return cfg

    def table(self, raw: dict, name: str) -> dict:
        value = raw.get(name, {})
        if not isinstance(value, dict):
            self.fail(name, "must be a table, written [" + name + "]")
        return value

    def section(self, schema_name: str, values: dict, prefix: str) -> dict:
        return self.read_keys(SCHEMA[schema_name], values, prefix)

    def read_keys(self, declared: dict[str, Key], values: dict, prefix: str, platform: str = "") -> dict:
        """The values of `declared` keys, converted and checked; defaults for those not given."""
        for key in values:
            if key not in declared:
                self.fail(f"{prefix}.{key}", f"unknown key{' for ' + platform if platform else ''} "
                                             f"(expected one of: {', '.join(declared)})")
        out = {}
        for key, spec in declared.items():
            name = f"{prefix}.{key}"
            if key not in values:
                if spec.required:
                    self.fail(name, "is required" + (f" for platform {platform}" if platform else ""))
                out[key] = self.convert(name, spec, spec.default) if spec.kind == PATH and spec.default else spec.default
                continue
            out[key] = self.convert(name, spec, values[key])
        return out

    def convert(self, name: str, spec: Key, value: Any) -> Any:
        kind = spec.kind
        if kind is bool:
            if not isinstance(value, bool):
                self.fail(name, f"must be true or false, not {value!r}")
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(name, f"must be an integer, not {value!r}")
            return self.in_range(name, spec, value)
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(name, f"must be a number, not {value!r}")
            return self.in_range(name, spec, float(value))
        if kind is str:
            if not isinstance(value, str) or not value.strip():
                self.fail(name, f"must be a non-empty string, not {value!r}")
            return value
        if kind == URL:
            return self.url(name, value)
        if kind == PATH:
            if not isinstance(value, str) or not value:
                self.fail(name, f"must be a path string, not {value!r}")
            return (self.base / value).resolve()
        if kind in (STR_LIST, URL_LIST):
            if not isinstance(value, list):
                self.fail(name, f"must be a list of strings, not {value!r}")
            items = [self.convert(f"{name}[{i}]", Key(str), v) for i, v in enumerate(value)]
            if kind == URL_LIST:
                items = [self.url(f"{name}[{i}]", v) for i, v in enumerate(items)]
            return tuple(items)
        raise AssertionError(kind)

    def in_range(self, name: str, spec: Key, value: Any) -> Any:
        low, high = spec.low, spec.high
        if low is not None and high is not None and not low <= value <= high:
            self.fail(name, f"must be between {low} and {high}, not {value!r}")
        return value

    def url(self, name: str, value: Any) -> str:
        if not isinstance(value, str):
            self.fail(name, f"must be an http(s) URL, not {value!r}")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            self.fail(name, f"must be an http(s) URL such as https://www.example.org.uk/, not {value!r}")
        return value

    def socials(self, raw: Any) -> tuple[Social, ...]:
        if not isinstance(raw, list):
            self.fail("social", "must be written as [[social]] tables")
        out = []
        for i, entry in enumerate(raw):
            prefix = f"social[{i}]"
            if not isinstance(entry, dict):
                self.fail(prefix, "must be a table")
            platform = entry.get("platform")
            if platform not in PLATFORMS:
                self.fail(f"{prefix}.platform", f"must be one of {', '.join(PLATFORMS)}, not {platform!r}")
            declared = {**PLATFORMS[platform], **SOCIAL_KEYS}
            values = self.read_keys(declared, {k: v for k, v in entry.items() if k != "platform"}, prefix, platform)
            common = {key: values.pop(key) for key in SOCIAL_KEYS}
            options = {key: value for key, value in values.items() if value is not None}
            out.append(Social(platform=platform, options=options, **common))
        return tuple(out)

    def validate(self, cfg: Config) -> None:
        for key, folder in (("identity.approved_logos", cfg.identity.approved_logos),
                            ("identity.deprecated_logos", cfg.identity.deprecated_logos)):
            if folder is not None and not folder.is_dir():
                self.fail(key, f"folder {str(folder)!r} not found (expected a folder of logo images; "
                               f"{self.relative_paths})")
        if cfg.consent.register is not None and not cfg.consent.register.is_file():
            self.fail("consent.register", f"file {str(cfg.consent.register)!r} not found (expected a CSV consent "
                                          f"register; {self.relative_paths})")
        for code in cfg.checks.ignore:
            if code not in CODES:
                self.fail("checks.ignore", unknown("finding code", code, CODES))
        self.validate_schedule(cfg.schedule)

    @property
    def relative_paths(self) -> str:
        return f"relative paths resolve against the config file's folder, {self.base}"

    def validate_schedule(self, schedule: Schedule) -> None:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(schedule.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail("schedule.timezone", f"unknown time zone {schedule.timezone!r} (expected a name such as Europe/London)")
        try:
            cron.trigger(schedule.cron, schedule.timezone)
        except ValueError as exc:
            self.fail("schedule.cron", f"not a valid crontab expression ({exc}); expected five fields such as '0 7 1 1,4,7,10 *'")
