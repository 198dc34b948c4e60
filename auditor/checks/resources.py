"""What checks may read besides the snapshot, built once per run: one typed, immutable set.

Reference data (the name matcher, the reference logos, the consent register) is made on first
use and kept for the run, so an audit of one check does not load what only others need.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from ..config import Config
from ..consent import register as consent_register
from ..identity.logos import LogoMatcher, files_digest
from ..identity.names import NameMatcher
from ..snapshot import Page
from .pagecache import PageCache


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Resources:
    config: Config
    now: datetime = field(default_factory=_now)          # the audit's clock: one "today" for every check
    previous_run_at: datetime | None = None
    page_cache: PageCache | None = None                   # during an audit: per-page results kept between audits
    register_cache: Path | None = None                    # where the consent photos' hashes are kept between runs

    @cached_property
    def names(self) -> NameMatcher:
        return NameMatcher(self.config.scheme)

    @cached_property
    def logos(self) -> LogoMatcher:
        return LogoMatcher.from_config(self.config)

    @cached_property
    def logo_files(self) -> str | None:
        """A digest of the reference logo files (None without any): part of what logo results depend on."""
        return files_digest(self.config)

    @cached_property
    def consent(self) -> consent_register.Register | None:
        """The consent register (None when none is configured). Raises OSError or ValueError when
        it cannot be read; that is tried again by whoever asks next, and reported by the consent check."""
        path = self.config.consent.register
        if path is None:
            return None
        return consent_register.load(path, cache_dir=self.register_cache)

    def per_page(self, page: Page, name: str, compute: Callable[[Page], Any], depends: str = "") -> Any:
        """`compute(page)`: JSON data that depends only on the page, the config and what `depends`
        describes (digests of other inputs), never on today's date. Kept between audits, so an
        unchanged page is not worked on again."""
        if self.page_cache is None:
            return compute(page)
        return self.page_cache.get(page, name, compute, depends)
