"""The consent register: a CSV the scheme keeps privately, one row per consented photo.

Columns (header row required): photo,subjects,consent_ref,given,expires,channels,withdrawn.
`photo` is a file path relative to the register, or an http(s) URL. Files are hashed when the
register loads; URL rows are never fetched here: they match a published image with that exact
URL, and their hashes join the index when the crawl fetched that URL (see `learn_url`).
Everything that leaves this module names a row by its `consent_ref`, never by who is pictured.
"""
from __future__ import annotations

import csv
import errno
import fcntl
import io
import os
import re
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import hashing
from .hashcache import HashCache
from .matcher import Index

COLUMNS = ("photo", "subjects", "consent_ref", "given", "expires", "channels", "withdrawn")
SOCIAL = ("facebook", "instagram", "mastodon", "bluesky", "x", "twitter", "linkedin", "youtube",
          "tiktok", "threads", "rss", "page")
PLACES = ("website",) + SOCIAL          # where a photo is shown
CHANNELS = ("all", "social") + PLACES   # what a row may name
DUPLICATE_BITS = 24     # of 256: two rows this close show the same photo
GROUP_SIZE = re.compile(r"\((\d{1,3})\)\s*$")    # "the Smith family (4)"
MAX_PHOTO_BYTES = 50 * 2**20


def read_photo(file: Path) -> bytes:
    """A register photo's bytes. Only a regular file, of at most MAX_PHOTO_BYTES, is read: a device
    (/dev/zero) or a named pipe would exhaust memory or wait for ever. Raises OSError."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)     # a pipe must not block the open
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if info.st_size > MAX_PHOTO_BYTES:
            raise OSError(errno.EFBIG, f"larger than {MAX_PHOTO_BYTES // 2**20} MB")
        return handle.read(MAX_PHOTO_BYTES + 1)[:MAX_PHOTO_BYTES]


class RegisterError(ValueError):
    def __init__(self, path: Path, line: int, column: str | None, problem: str):
        self.path, self.line, self.column, self.problem = path, line, column, problem
        where = f"line {line}" + (f", column {column}" if column else "")
        super().__init__(f"{Path(path).name} {where}: {problem}")


@dataclass
class Record:
    line: int
    photo: str
    subjects: str
    consent_ref: str
    given: date
    expires: date | None = None
    channels: frozenset[str] = frozenset({"all"})
    withdrawn: date | None = None
    file: Path | None = None         # resolved local file; None for URL rows

    @property
    def is_url(self) -> bool:
        return self.file is None

    @property
    def photo_name(self) -> str:
        """The photo's file name only: safe to show in the report."""
        return self.photo.rstrip("/").rsplit("/", 1)[-1]

    @property
    def people_named(self) -> int:
        """How many people the row names: one per `;`-separated entry, or the number an entry
        ends with in brackets ("the Smith family (4)")."""
        count = 0
        for entry in filter(None, (e.strip() for e in self.subjects.split(";"))):
            group = GROUP_SIZE.search(entry)
            count += int(group.group(1)) if group else 1
        return count

    def covers(self, channel: str) -> bool:
        c = self.channels
        return "all" in c or channel in c or ("social" in c and channel != "website")

    def status(self, today: date, channel: str | None = None) -> str:
        """ok | withdrawn | expired | not_yet | scope (not this channel)."""
        if self.withdrawn and self.withdrawn <= today:
            return "withdrawn"
        if self.expires and self.expires < today:
            return "expired"
        if self.given > today:
            return "not_yet"
        if channel and not self.covers(channel):
            return "scope"
        return "ok"

    def describe(self) -> str:
        return f"line {self.line} (consent {self.consent_ref})"


@dataclass
class Register:
    path: Path
    records: list[Record] = field(default_factory=list)
    errors: list[RegisterError] = field(default_factory=list)
    index: Index = field(default_factory=Index)

    def by_url(self, url: str) -> list[Record]:
        return [r for r in self.records if r.is_url and r.photo == url]

    def learn_url(self, url: str, candidate: hashing.HashSet) -> None:
        """Index a URL row's image from the hashes the crawl (or a command) took of it, so
        copies elsewhere match too. Mirrored copies of URL-only rows are not recognised."""
        for i, record in enumerate(self.records):
            if record.is_url and record.photo == url:
                self.index.add(i, hashing.core_of(candidate))

    def match(self, candidate: hashing.HashSet) -> list[tuple[Record, int]]:
        return [(self.records[m.key], m.distance) for m in self.index.lookup(candidate)]


def load(path: Path, strict: bool = False, photos: bool = True, cache_dir: Path | None = None) -> Register:
    """Read and validate the register. Bad rows are left out and listed in `errors`
    (or raised at once when `strict`); a missing column or unreadable file always raises.
    With `photos=False` the photo files are neither read nor hashed (dates and channels only).
    With `cache_dir`, photo hashes are kept there between loads (see hashcache)."""
    path = Path(path)
    cache = HashCache(cache_dir if photos else None)
    register = _read_rows(path, strict, photos, cache)
    cache.save()
    return register


def _read_rows(path: Path, strict: bool, photos: bool, cache: HashCache) -> Register:
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RegisterError(path, 1, missing[0], f"missing column (the header must be {','.join(COLUMNS)})")
    reader.fieldnames = header
    register = Register(path)
    refs: dict[str, int] = {}
    for row in reader:
        try:
            record, hashes = parse_row(path, reader.line_num, row, photos, cache)
            _check_unique(register, record, hashes, refs)
        except RegisterError as exc:
            if strict:
                raise
            register.errors.append(exc)
            continue
        refs[record.consent_ref] = record.line
        if hashes is not None:
            register.index.add(len(register.records), hashes[0])
        register.records.append(record)
    return register


def encoding(path: Path) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252, as spreadsheets save CSV."""
    try:
        path.read_bytes().decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"


def read_text(path: Path) -> str:
    return path.read_text(encoding=encoding(path), errors="replace")


def parse_row(path: Path, line: int, row: dict, photos: bool = True,
              cache: HashCache | None = None) -> tuple[Record, tuple[hashing.HashSet, hashing.HashSet] | None]:
    """One row -> (Record, its photo's (reference, candidate) hashes or None for URL rows);
    raises RegisterError."""
    value = {c: (row.get(c) or "").strip() for c in COLUMNS}
    for column in ("photo", "subjects", "consent_ref", "given", "channels"):
        if not value[column]:
            raise RegisterError(path, line, column, "empty")
    given = _date(path, line, "given", value["given"])
    assert given is not None            # not empty, as checked above
    record = Record(line=line, photo=value["photo"], subjects=value["subjects"],
                    consent_ref=value["consent_ref"], given=given,
                    expires=_date(path, line, "expires", value["expires"]),
                    withdrawn=_date(path, line, "withdrawn", value["withdrawn"]),
                    channels=_channels(path, line, value["channels"]))
    if record.expires and record.expires < record.given:
        raise RegisterError(path, line, "expires", f"{record.expires} is before the date consent was given")
    if record.photo.lower().startswith(("http://", "https://")):
        return record, None
    if "://" in record.photo:
        raise RegisterError(path, line, "photo", "only file paths and http(s) URLs are allowed")
    record.file = (path.parent / record.photo).resolve()
    return record, _photo_hashes(path, line, record.file, cache or HashCache(None)) if photos else None


def _date(path: Path, line: int, column: str, text: str) -> date | None:
    if not text:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise RegisterError(path, line, column, f"bad date {text!r} (expected YYYY-MM-DD)") from None


def _channels(path: Path, line: int, text: str) -> frozenset[str]:
    names = [n.strip().lower() for n in text.replace(",", ";").split(";") if n.strip()]
    unknown = [n for n in names if n not in CHANNELS]
    if unknown:
        raise RegisterError(path, line, "channels",
                            f"unknown channel {unknown[0]!r} (use all, website, social or: {', '.join(SOCIAL)})")
    return frozenset(names)


def _photo_hashes(path: Path, line: int, file: Path, cache: HashCache) -> tuple[hashing.HashSet, hashing.HashSet]:
    try:
        key = cache.key(file, file.stat())
        found = cache.get(key)
        if found is not None:
            return found
        arr = hashing.grey_array(read_photo(file))
    except OSError as exc:
        raise RegisterError(path, line, "photo", f"cannot read photo file {file.name!r} ({exc.strerror})") from None
    except Exception:  # noqa: BLE001 - whatever the decoder says, the file is not a usable photo
        raise RegisterError(path, line, "photo", f"photo file {file.name!r} is not a readable image") from None
    reference, candidate = hashing.reference_hashes(arr), hashing.candidate_hashes(arr)
    cache.put(key, reference, candidate)
    return reference, candidate


def _check_unique(register: Register, record: Record, hashes, refs: dict[str, int]) -> None:
    path = register.path
    if record.consent_ref in refs:
        raise RegisterError(path, record.line, "consent_ref",
                            f"duplicate consent_ref {record.consent_ref!r} (also on line {refs[record.consent_ref]})")
    for other in register.records:
        same_file = record.file is not None and other.file == record.file
        if same_file or (record.is_url and other.photo == record.photo):
            raise RegisterError(path, record.line, "photo", f"duplicate photo (already on line {other.line})")
    if hashes is not None:
        for other, distance in register.match(hashes[1]):
            if distance <= DUPLICATE_BITS:
                raise RegisterError(path, record.line, "photo",
                                    f"duplicate photo: the same picture as line {other.line}")


def expiring(register: Register, before: date, after: date | None = None) -> list[dict]:
    """Consents that run out before `before` (and on or after `after`), for the report."""
    out = []
    for r in register.records:
        if r.expires and r.expires < before and (after is None or r.expires >= after) and not r.withdrawn:
            out.append({"consent_ref": r.consent_ref, "expires": r.expires.isoformat(),
                        "photo": r.photo_name, "channels": sorted(r.channels), "line": r.line})
    return sorted(out, key=lambda e: (e["expires"], e["consent_ref"]))


def append(path: Path, photo: str, subjects: str, consent_ref: str, given: str,
           expires: str = "", channels: str = "all") -> Record:
    """Validate one new row against the register and append it; raises RegisterError.
    The register is locked from reading to writing, so two additions at once cannot both win."""
    path = Path(path)
    with _locked(path) as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            handle.write(",".join(COLUMNS).encode("utf-8") + b"\n")
            handle.flush()
        register = load(path, strict=True)
        text = read_text(path)
        line = len(text.splitlines()) + 1
        row = dict(zip(COLUMNS, (photo, subjects, consent_ref, given, expires, channels, "")))
        record, arr = parse_row(path, line, row)
        _check_unique(register, record, arr, {r.consent_ref: r.line for r in register.records})
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([row[c] for c in COLUMNS])
        codec = "utf-8" if encoding(path) == "utf-8-sig" else "cp1252"
        handle.write((("" if not text or text.endswith("\n") else "\n") + buf.getvalue()).encode(codec, "replace"))
        handle.flush()
        os.fsync(handle.fileno())
    return record


@contextmanager
def _locked(path: Path):
    """The register opened for appending under an exclusive lock; created (private) if missing."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield handle


def relative_photo(register_path: Path, photo: Path) -> str:
    """How the register names a local photo: relative to the register's folder when possible."""
    try:
        return Path(os.path.relpath(Path(photo).resolve(), Path(register_path).resolve().parent)).as_posix()
    except ValueError:
        return Path(photo).resolve().as_posix()
