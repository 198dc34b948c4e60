"""How a configuration key is declared: how it is read, its default, its range and what it is for.

config.py declares each section's keys as the fields of its dataclass (`setting(...)`); each
social platform declares its own keys beside its reader (`PLATFORMS` in auditor/social/*.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

URL, PATH, STR_LIST, URL_LIST = "url", "path", "str_list", "url_list"
REQUIRED: Any = object()


@dataclass(frozen=True)
class Key:
    kind: Any                     # bool, int, float, str, URL, PATH, STR_LIST or URL_LIST
    default: Any = REQUIRED
    low: float | None = None      # for numbers: the smallest and largest value accepted
    high: float | None = None
    help: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def setting(kind: Any, default: Any = REQUIRED, *, low: float | None = None, high: float | None = None,
            help: str = "") -> Any:
    """A dataclass field that is a configuration key."""
    key = Key(kind, default, low, high, help)
    if key.required:
        return field(metadata={"key": key})
    return field(default=default, metadata={"key": key})
