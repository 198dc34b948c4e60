"""Load, validate and default the TOML configuration.

`load(path)` returns a frozen `Config`; anything wrong raises `ConfigError`
naming the file, the key and what was expected.
"""
from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import cron
from .findings import CODES, unknown

DEFAULT_PATH = Path("config/auditor.toml")
ENV_VAR = "AUDITOR_CONFIG"
PLATFORMS = ("mastodon", "bluesky", "rss", "facebook", "instagram", "page")
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
    name: str
    website: str
    accepted_names: tuple[str, ...] = ()
    forbidden_names: tuple[str, ...] = ()
    extra_pages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Crawl:
    max_pages: int = 1000
    delay_seconds: float = 0.5
    timeout_seconds: float = 20.0
    check_external_links: bool = True
    max_per_pattern: int = 100
    max_redirects: int = 10
    max_page_mb: float = 10.0
    max_image_mb: float = 20.0
    workers: int = 4
    exclude: tuple[str, ...] = ()
    render: bool = True
    chromium: str | None = None
    max_external_links_per_page: int = 300
    max_external_links: int = 5000
    max_images_per_page: int = 300
    max_images: int = 5000
    max_hours: float = 4.0
    max_retry_wait_seconds: float = 300.0
    decode_seconds: float = 20.0
    decode_memory_mb: int = 1024


@dataclass(frozen=True)
class Identity:
    approved_logos: Path | None = None
    deprecated_logos: Path | None = None


@dataclass(frozen=True)
class Consent:
    register: Path | None = None


@dataclass(frozen=True)
class Freshness:
    stale_after_days: int = 365
    dormant_after_days: int = 90
    exempt: tuple[str, ...] = ()
    copyright_grace_years: int = 1


@dataclass(frozen=True)
class Privacy:
    allowed_contacts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Social:
    platform: str
    options: dict[str, Any] = field(default_factory=dict)
    lookback_days: int = 120
    max_posts: int = 1000         # posts read per account for photo consent, however old

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int = 587
    security: str = "starttls"
    username_env: str | None = None
    password_env: str | None = None
    timeout_seconds: float = 30.0


@dataclass(frozen=True)
class Report:
    recipients: tuple[str, ...] = ()
    sender: str = "auditor@localhost"
    smtp: Smtp | None = None


@dataclass(frozen=True)
class Schedule:
    cron: str = "0 7 1 1,4,7,10 *"
    timezone: str = "Europe/London"


@dataclass(frozen=True)
class Checks:
    ignore: tuple[str, ...] = ()


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


# --- the schema -----------------------------------------------------------
# key -> (type, default). A default of REQUIRED means the key must be given.
REQUIRED = object()
URL, PATH, STR_LIST, URL_LIST = "url", "path", "str_list", "url_list"

SCHEMA: dict[str, dict[str, tuple[Any, Any]]] = {
    "scheme": {
        "name": (str, REQUIRED), "website": (URL, REQUIRED),
        "accepted_names": (STR_LIST, ()), "forbidden_names": (STR_LIST, ()),
        "extra_pages": (URL_LIST, ()),
    },
    "crawl": {
        "max_pages": (int, 1000), "delay_seconds": (float, 0.5),
        "timeout_seconds": (float, 20.0), "check_external_links": (bool, True),
        "max_per_pattern": (int, 100), "max_redirects": (int, 10),
        "max_page_mb": (float, 10.0), "max_image_mb": (float, 20.0),
        "workers": (int, 4), "exclude": (STR_LIST, ()),
        "render": (bool, True), "chromium": (str, None),
        "max_external_links_per_page": (int, 300), "max_external_links": (int, 5000),
        "max_images_per_page": (int, 300), "max_images": (int, 5000),
        "max_hours": (float, 4.0), "max_retry_wait_seconds": (float, 300.0),
        "decode_seconds": (float, 20.0), "decode_memory_mb": (int, 1024),
    },
    "identity": {"approved_logos": (PATH, None), "deprecated_logos": (PATH, None)},
    "consent": {"register": (PATH, None)},
    "freshness": {
        "stale_after_days": (int, 365), "dormant_after_days": (int, 90),
        "exempt": (STR_LIST, ()), "copyright_grace_years": (int, 1),
    },
    "privacy": {"allowed_contacts": (STR_LIST, ())},
    "report": {"recipients": (STR_LIST, ()), "sender": (str, "auditor@localhost")},
    "smtp": {
        "host": (str, REQUIRED), "port": (int, 587), "security": (str, "starttls"),
        "username_env": (str, None), "password_env": (str, None),
        "timeout_seconds": (float, 30.0),
    },
    "schedule": {"cron": (str, "0 7 1 1,4,7,10 *"), "timezone": (str, "Europe/London")},
    "storage": {"directory": (PATH, "../var")},
    "checks": {"ignore": (STR_LIST, ())},
}

RANGES = {
    "crawl.max_pages": (1, 1_000_000), "crawl.delay_seconds": (0, 3600),
    "crawl.timeout_seconds": (0.1, 600), "crawl.max_per_pattern": (1, 1_000_000),
    "crawl.max_redirects": (0, 50), "crawl.max_page_mb": (0.01, 1024),
    "crawl.max_image_mb": (0.01, 1024), "crawl.workers": (1, 64),
    "crawl.max_external_links_per_page": (0, 1_000_000), "crawl.max_external_links": (0, 10_000_000),
    "crawl.max_images_per_page": (0, 1_000_000), "crawl.max_images": (0, 10_000_000),
    "crawl.max_hours": (0.0001, 1000), "crawl.max_retry_wait_seconds": (0, 86400),
    "crawl.decode_seconds": (1, 3600), "crawl.decode_memory_mb": (64, 65536),
    "freshness.stale_after_days": (1, 36500), "freshness.dormant_after_days": (1, 36500),
    "freshness.copyright_grace_years": (0, 100), "report.smtp.port": (1, 65535),
    "report.smtp.timeout_seconds": (0.1, 600), "social.lookback_days": (1, 36500),
    "social.max_posts": (1, 100_000),
}

SOCIAL_KEYS = {
    "mastodon": {"instance": URL, "account": str},
    "bluesky": {"handle": str, "api": URL},
    "rss": {"feed": URL},
    "facebook": {"id": str, "token_env": str, "api": URL},
    "instagram": {"id": str, "token_env": str, "api": URL},
    "page": {"url": URL},
}
COMMON_SOCIAL_KEYS = {"lookback_days": 120, "max_posts": 1000}     # any platform
SOCIAL_REQUIRED = {
    "mastodon": ("instance", "account"), "bluesky": ("handle",), "rss": ("feed",),
    "facebook": ("id", "token_env"), "instagram": ("id", "token_env"), "page": ("url",),
}
SOCIAL_DEFAULTS = {
    "bluesky": {"api": "https://public.api.bsky.app"},
    "facebook": {"api": "https://graph.facebook.com/v21.0"},
    "instagram": {"api": "https://graph.facebook.com/v21.0"},
}


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
            storage=self.section("storage", self.table(raw, "storage"), "storage")["directory"],
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
        schema = SCHEMA[schema_name]
        for key in values:
            if key not in schema:
                self.fail(f"{prefix}.{key}", f"unknown key (expected one of: {', '.join(schema)})")
        out = {}
        for key, (kind, default) in schema.items():
            name = f"{prefix}.{key}"
            if key not in values:
                if default is REQUIRED:
                    self.fail(name, "is required")
                out[key] = self.convert(name, kind, default) if kind == PATH and default else default
                continue
            out[key] = self.convert(name, kind, values[key])
        return out

    def convert(self, name: str, kind: Any, value: Any) -> Any:
        if kind is bool:
            if not isinstance(value, bool):
                self.fail(name, f"must be true or false, not {value!r}")
            return value
        if kind is int:
            if isinstance(value, bool) or not isinstance(value, int):
                self.fail(name, f"must be an integer, not {value!r}")
            return self.in_range(name, value)
        if kind is float:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(name, f"must be a number, not {value!r}")
            return self.in_range(name, float(value))
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
            items = [self.convert(f"{name}[{i}]", str, v) for i, v in enumerate(value)]
            if kind == URL_LIST:
                items = [self.url(f"{name}[{i}]", v) for i, v in enumerate(items)]
            return tuple(items)
        raise AssertionError(kind)

    def in_range(self, name: str, value):
        low, high = RANGES.get(name, (None, None))
        if low is not None and not low <= value <= high:
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
            allowed = SOCIAL_KEYS[platform]
            options = dict(SOCIAL_DEFAULTS.get(platform, {}))
            for key, value in entry.items():
                if key in ("platform", *COMMON_SOCIAL_KEYS):
                    continue
                if key not in allowed:
                    self.fail(f"{prefix}.{key}", f"unknown key for {platform} (expected one of: "
                                                 f"{', '.join((*allowed, *COMMON_SOCIAL_KEYS))})")
                options[key] = self.convert(f"{prefix}.{key}", allowed[key], value)
            for key in SOCIAL_REQUIRED[platform]:
                if key not in options:
                    self.fail(f"{prefix}.{key}", f"is required for platform {platform}")
            common = {}
            for key, default in COMMON_SOCIAL_KEYS.items():
                value = self.convert(f"{prefix}.{key}", int, entry.get(key, default))
                low, high = RANGES[f"social.{key}"]
                if not low <= value <= high:
                    self.fail(f"{prefix}.{key}", f"must be between {low} and {high}, not {value}")
                common[key] = value
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
