"""The SQLite history: runs, their findings, and what each run saw (pages, posts).

No SQL lives anywhere else. The schema grows by numbered migrations applied on open.
"""
from __future__ import annotations

import enum
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from .findings import Finding

# What a run's error says when it did not go to its end; such a run is retried (scheduler.is_due).
KILLED = "the run was killed before it finished"
STOPPED = "the audit was stopped before it finished"


RUNS = "runs"          # the storage folder's folder of run folders

class Ending(str, enum.Enum):
    """How a run ended, kept as a value beside the words of its error."""

    FINISHED = "finished"    # it went to its end, however much of the site it could read
    STOPPED = "stopped"      # a stop signal or Ctrl-C ended it early
    KILLED = "killed"        # its process died; found by the next run
    FAILED = "failed"        # an error ended it

MIGRATIONS: list[str] = [
    # 1: runs and findings
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL DEFAULT 'running',   -- running | complete | incomplete | failed
        pid INTEGER,
        pages INTEGER NOT NULL DEFAULT 0,
        images INTEGER NOT NULL DEFAULT 0,
        posts INTEGER NOT NULL DEFAULT 0,
        findings INTEGER NOT NULL DEFAULT 0,
        counts TEXT NOT NULL DEFAULT '{}',
        report_path TEXT,
        error TEXT
    );
    CREATE TABLE findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        policy TEXT NOT NULL,
        url TEXT NOT NULL,
        subject TEXT,
        message TEXT NOT NULL,
        evidence TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, fingerprint)
    );
    """,
    # 2: what each run saw, for "what changed since the last audit" (policy 1.2)
    """
    CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        digest TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, url)
    );
    CREATE TABLE posts (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        platform TEXT NOT NULL,
        url TEXT NOT NULL,
        created_at TEXT,
        PRIMARY KEY (run_id, url)
    );
    """,
    # 3: what a finding's page, image or post looked like, and findings marked as fine (dismissed)
    """
    ALTER TABLE findings ADD COLUMN state TEXT NOT NULL DEFAULT '';
    CREATE TABLE dismissals (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        ref TEXT NOT NULL,
        code TEXT NOT NULL,
        url TEXT NOT NULL,
        subject TEXT,
        message TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '',     -- the finding's state when dismissed: a change brings it back
        reason TEXT NOT NULL,
        who TEXT NOT NULL,
        at TEXT NOT NULL,
        until TEXT,                         -- YYYY-MM-DD: it comes back after this day
        ended_at TEXT,                      -- undismissed, or came back by itself
        ended_why TEXT
    );
    CREATE INDEX dismissals_open ON dismissals (fingerprint) WHERE ended_at IS NULL;
    """,
    # 4: how each run ended, as a value (earlier runs said it only in their error's words)
    f"""
    ALTER TABLE runs ADD COLUMN ending TEXT;
    UPDATE runs SET ending = CASE
        WHEN status = 'running' THEN NULL
        WHEN instr(COALESCE(error, ''), '{KILLED}') > 0 THEN 'killed'
        WHEN instr(COALESCE(error, ''), '{STOPPED}') > 0 THEN 'stopped'
        WHEN status = 'failed' THEN 'failed'
        ELSE 'finished' END;
    """,
    # 5: what each run saw against what it could have seen (coverage.Coverage), for its verdict
    """
    ALTER TABLE runs ADD COLUMN coverage TEXT NOT NULL DEFAULT '{}';
    """,
]


@dataclass
class Dismissal:
    id: int
    fingerprint: str
    ref: str
    code: str
    url: str
    subject: str | None
    message: str
    state: str
    reason: str
    who: str
    at: str
    until: str | None = None
    ended_at: str | None = None
    ended_why: str | None = None


@dataclass
class Run:
    id: int
    started_at: str
    finished_at: str | None
    status: str
    pages: int = 0
    images: int = 0
    posts: int = 0
    findings: int = 0
    counts: dict[str, Any] = field(default_factory=dict)
    report_path: str | None = None
    error: str | None = None
    coverage: dict[str, Any] = field(default_factory=dict)
    ending: Ending | None = None        # None while it runs

    @property
    def interrupted(self) -> bool:
        """Stopped by a signal or killed, as opposed to ending by itself."""
        return self.ending in (Ending.STOPPED, Ending.KILLED)

    @property
    def partial(self) -> bool:
        """Only some checks ran (`--only`)."""
        return bool(self.coverage.get("codes"))


@dataclass
class Comparison:
    """Findings of a run set against the previous complete run."""

    new: list[Finding]
    still_open: list[Finding]
    resolved: list[Finding]
    previous_run: Run | None
    not_checked: list[Finding] = field(default_factory=list)   # gone, but not read again by this run


@dataclass
class Changes:
    """Pages and posts that differ from the previous complete run (policy 1.2)."""

    new_pages: list[tuple[str, str]]       # (url, title)
    changed_pages: list[tuple[str, str]]
    removed_pages: list[tuple[str, str]]
    new_posts: list[tuple[str, str]]       # (platform, url)
    previous_run: Run | None
    not_reached: int = 0                   # pages of the previous audit this one did not reach


class History:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.problem: str | None = None    # set by open_history when the file had to be replaced
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        _use_wal(self.db)
        self.db.execute("PRAGMA foreign_keys=ON")
        self.migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def migrate(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT DEFAULT CURRENT_TIMESTAMP)")
        for version, sql in enumerate(MIGRATIONS, start=1):
            # Checked inside the write transaction: another process may be migrating the same file.
            with self.transaction():
                if self.db.execute("SELECT 1 FROM schema_migrations WHERE version=?", (version,)).fetchone():
                    continue
                for statement in filter(str.strip, sql.split(";")):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))

    def transaction(self):
        return _Transaction(self.db)

    # --- runs -----------------------------------------------------------
    def start_run(self, started_at: str, pid: int) -> int:
        """A new run, numbered after every run the history or the archived run folders know of,
        so an archived report is never overwritten."""
        with self.transaction():
            known = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM runs").fetchone()[0]
            run_id = max(known, max(archived_runs(self.path.parent), default=0)) + 1
            self.db.execute("INSERT INTO runs (id, started_at, pid) VALUES (?, ?, ?)", (run_id, started_at, pid))
        return run_id

    def finish_run(self, run_id: int, status: str, finished_at: str, counts: dict[str, Any],
                   report_path: str | None = None, error: str | None = None,
                   ending: Ending = Ending.FINISHED, coverage: dict[str, Any] | None = None) -> None:
        self.db.execute(
            "UPDATE runs SET status=?, finished_at=?, pages=?, images=?, posts=?, findings=?, counts=?,"
            " report_path=COALESCE(?, report_path), error=?, ending=?, coverage=COALESCE(?, coverage) WHERE id=?",
            (status, finished_at, counts.get("pages", 0), counts.get("images", 0), counts.get("posts", 0),
             counts.get("findings", 0), json.dumps(counts), report_path, error, ending.value,
             json.dumps(coverage) if coverage is not None else None, run_id))

    def set_report_path(self, run_id: int, report_path: str) -> None:
        self.db.execute("UPDATE runs SET report_path=? WHERE id=?", (report_path, run_id))

    def recover_interrupted(self, finished_at: str) -> list[int]:
        """Runs left 'running' by a killed process, recorded as killed (incomplete, to be redone).
        A run killed after its report was saved had finished its audit: it takes the end state it
        wrote beside the report, so it is neither redone nor reported twice. Call while holding the lock.
        Returns the ids recorded as killed."""
        killed = []
        for (run_id,) in self.db.execute("SELECT id FROM runs WHERE status='running'").fetchall():
            ended = read_end_state(run_path(self.path.parent, run_id))
            if ended is None:
                killed.append(run_id)
                self.db.execute("UPDATE runs SET status='incomplete', finished_at=COALESCE(finished_at, ?),"
                                " error=COALESCE(error, ?), ending=? WHERE id=?",
                                (finished_at, KILLED, Ending.KILLED.value, run_id))
            else:
                self.finish_run(run_id, ended["status"], ended["finished_at"], ended["counts"],
                                report_path=ended.get("report_path"), error=ended.get("error"),
                                ending=Ending(ended["ending"]))
        return killed

    def run(self, run_id: int) -> Run | None:
        row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        return _run(row) if row else None

    def runs(self, limit: int = 50) -> list[Run]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))
        return [_run(r) for r in rows]

    def last_complete_run(self, before: int | None = None) -> Run | None:
        row = self.db.execute(
            "SELECT * FROM runs WHERE status='complete' AND id < ? ORDER BY id DESC LIMIT 1",
            (before if before is not None else 2**62,)).fetchone()
        return _run(row) if row else None

    # --- findings ---------------------------------------------------------
    def save_findings(self, run_id: int, findings: Iterable[Finding], states: dict[str, str] | None = None) -> None:
        """Streamed; a fingerprint seen twice keeps its first place and its last content.
        `states`: fingerprint -> what its page, image or post looked like (see dismissals.states)."""
        states = states or {}
        rows = ((run_id, f.fingerprint, f.check, f.severity, f.policy, f.url, f.subject, f.message,
                 json.dumps(f.evidence, default=str), states.get(f.fingerprint, "")) for f in findings)
        with self.transaction():
            self.db.executemany(
                "INSERT INTO findings (run_id, fingerprint, code, severity, policy, url, subject, message, evidence,"
                " state) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (run_id, fingerprint) DO UPDATE SET"
                " code=excluded.code, severity=excluded.severity, policy=excluded.policy, url=excluded.url,"
                " subject=excluded.subject, message=excluded.message, evidence=excluded.evidence,"
                " state=excluded.state", rows)

    def finding_states(self, run_id: int) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT fingerprint, state FROM findings WHERE run_id=?", (run_id,))}

    def latest_run_with_findings(self) -> Run | None:
        """The last audit that finished, complete or not: the one whose findings people quote."""
        row = self.db.execute("SELECT * FROM runs WHERE status<>'running' ORDER BY id DESC LIMIT 1").fetchone()
        return _run(row) if row else None

    # --- dismissals -------------------------------------------------------
    def dismiss(self, rows: Iterable[tuple[Finding, str, str]], reason: str, who: str, at: str,
                until: str | None) -> int:
        """(finding, its reference, its state) each marked as fine; an earlier open dismissal of the same
        finding is ended (replaced), so the history keeps both."""
        count = 0
        with self.transaction():
            for f, ref, state in rows:
                self.db.execute("UPDATE dismissals SET ended_at=?, ended_why='replaced' WHERE fingerprint=?"
                                " AND ended_at IS NULL", (at, f.fingerprint))
                self.db.execute(
                    "INSERT INTO dismissals (fingerprint, ref, code, url, subject, message, state, reason, who, at,"
                    " until) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (f.fingerprint, ref, f.check, f.url, f.subject, f.message, state, reason, who, at, until))
                count += 1
        return count

    def end_dismissals(self, fingerprints: Iterable[str], at: str, why: str) -> int:
        with self.transaction():
            return sum(self.db.execute("UPDATE dismissals SET ended_at=?, ended_why=? WHERE fingerprint=?"
                                       " AND ended_at IS NULL", (at, why, fp)).rowcount for fp in fingerprints)

    def open_dismissals(self) -> dict[str, Dismissal]:
        rows = self.db.execute("SELECT * FROM dismissals WHERE ended_at IS NULL ORDER BY id")
        return {r["fingerprint"]: Dismissal(**dict(r)) for r in rows}

    def dismissals(self, limit: int = 1000) -> list[Dismissal]:
        """Every dismissal, ended ones too, newest first."""
        rows = self.db.execute("SELECT * FROM dismissals ORDER BY id DESC LIMIT ?", (limit,))
        return [Dismissal(**dict(r)) for r in rows]

    def findings(self, run_id: int) -> list[Finding]:
        return list(self._findings("SELECT * FROM findings WHERE run_id=? ORDER BY rowid", (run_id,)))

    def _findings(self, sql: str, params: tuple) -> Iterator[Finding]:
        for r in self.db.execute(sql, params):
            yield Finding(check=r["code"], url=r["url"], message=r["message"], subject=r["subject"],
                          severity=r["severity"], policy=r["policy"], evidence=json.loads(r["evidence"]))

    def compare(self, run_id: int, current: Iterable[Finding] | None = None,
                coverage: dict[str, Any] | None = None, read: Iterable[str] = ()) -> Comparison:
        """`current`: the run's findings as saved, when the caller still holds them (nothing is
        loaded twice); only those gone since the previous run are read back. A finding gone is
        resolved only when this run read its page or post again with its check: after a run that
        did not see everything (`coverage`, as saved with the run), the rest are "not checked".
        `read`: addresses read besides the pages and posts the history holds (social accounts)."""
        previous = self.last_complete_run(before=run_id)
        latest: dict[str, Finding] = {}         # as saved: a repeat keeps the first place, the last content
        for f in self.findings(run_id) if current is None else current:
            latest[f.fingerprint] = f
        before = {r[0] for r in self.db.execute("SELECT fingerprint FROM findings WHERE run_id=?",
                                                (previous.id,))} if previous else set()
        gone = list(self._findings(
            "SELECT * FROM findings p WHERE run_id=? AND NOT EXISTS (SELECT 1 FROM findings c"
            " WHERE c.run_id=? AND c.fingerprint=p.fingerprint) ORDER BY rowid",
            (previous.id, run_id))) if previous else []
        resolved, not_checked = self._rechecked(run_id, gone, coverage, set(read))
        return Comparison(
            new=[f for fp, f in latest.items() if fp not in before],
            still_open=[f for fp, f in latest.items() if fp in before],
            resolved=resolved, previous_run=previous, not_checked=not_checked)

    def _rechecked(self, run_id: int, gone: list[Finding], coverage: dict[str, Any] | None,
                   read: set[str]) -> tuple[list[Finding], list[Finding]]:
        """(resolved, not checked this time) among findings gone since the previous run."""
        if coverage is None:
            run = self.run(run_id)
            coverage = (run.coverage or {"state": run.status}) if run else {}
        codes = set(coverage.get("codes") or ())
        unreached = set(coverage.get("unreached") or ())
        if coverage.get("state", "complete") == "complete" and not codes:
            return gone, []
        if not gone or coverage.get("state") == "failed":
            return [], gone
        read = read | {r[0] for r in self.db.execute("SELECT url FROM pages WHERE run_id=?", (run_id,))} \
            | {r[0] for r in self.db.execute("SELECT url FROM posts WHERE run_id=?", (run_id,))}
        resolved: list[Finding] = []
        not_checked: list[Finding] = []
        for f in gone:
            rechecked = f.url in read and (not codes or f.check in codes) and \
                urlsplit(f.subject or "").netloc.lower() not in unreached
            (resolved if rechecked else not_checked).append(f)
        return resolved, not_checked

    def open_counts(self, limit: int = 8) -> list[tuple[Run, int]]:
        """Things needing action per complete run, oldest first: the trend chart. Runs from before that
        count was kept give their number of findings."""
        rows = self.db.execute("SELECT * FROM runs WHERE status='complete' ORDER BY id DESC LIMIT ?", (limit,))
        runs = reversed([_run(x) for x in rows])
        return [(r, int(r.counts.get("actions", r.findings))) for r in runs]

    # --- pages and posts seen ---------------------------------------------
    def save_pages(self, run_id: int, pages: Iterable[tuple[str, str, str]]) -> None:
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?,?,?,?)",
                                ((run_id, url, digest, title) for url, digest, title in pages))

    def save_posts(self, run_id: int, posts: Iterable[tuple[str, str, str | None]]) -> None:
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO posts VALUES (?,?,?,?)",
                                ((run_id, platform, url, created) for platform, url, created in posts))

    def changes(self, run_id: int, whole_site: bool | None = None) -> Changes:
        """Worked out in SQL: only the differences are read, however many pages both runs saw.
        Pages are "removed" only when this run read the whole site (`whole_site`; by default as saved
        with the run): otherwise a page it did not reach is counted as not reached."""
        if whole_site is None:
            run = self.run(run_id)
            whole_site = run is not None and run.status == "complete"
        previous = self.last_complete_run(before=run_id)
        if previous is None:
            return Changes([], [], [], [], None)
        seen_posts = {r["url"] for r in self.db.execute("SELECT url FROM posts WHERE run_id<=?", (previous.id,))}
        posts_now = [(r["platform"], r["url"]) for r in self.db.execute("SELECT * FROM posts WHERE run_id=?", (run_id,))]
        unreached = self._pages_only_in(previous.id, run_id)
        return Changes(
            new_pages=self._pages_only_in(run_id, previous.id),
            changed_pages=[(r[0], r[1]) for r in self.db.execute(
                "SELECT c.url, c.title FROM pages c JOIN pages p ON p.run_id=? AND p.url=c.url"
                " WHERE c.run_id=? AND p.digest<>c.digest ORDER BY c.url", (previous.id, run_id))],
            removed_pages=unreached if whole_site else [],
            new_posts=[p for p in posts_now if p[1] not in seen_posts],
            previous_run=previous, not_reached=0 if whole_site else len(unreached))

    def page_facts(self, run_id: int, urls: Iterable[str]) -> dict[str, tuple[str, str]]:
        """url -> (title, digest) of the pages this run saw among `urls`."""
        out: dict[str, tuple[str, str]] = {}
        wanted = list(dict.fromkeys(urls))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(f"SELECT url, title, digest FROM pages WHERE run_id=? AND url IN ({marks})",
                                     (run_id, *chunk)):
                out[r[0]] = (r[1], r[2])
        return out

    def _pages_only_in(self, run_id: int, other: int) -> list[tuple[str, str]]:
        rows = self.db.execute("SELECT url, title FROM pages c WHERE run_id=? AND NOT EXISTS"
                               " (SELECT 1 FROM pages p WHERE p.run_id=? AND p.url=c.url) ORDER BY url",
                               (run_id, other))
        return [(r[0], r[1]) for r in rows]

def _use_wal(db: sqlite3.Connection) -> None:
    """Switching a new file to WAL ignores the busy timeout, so another process creating it can lock us out briefly."""
    for attempt in range(100):
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or attempt == 99:
                raise
            time.sleep(0.05)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _run(row: sqlite3.Row) -> Run:
    return Run(id=row["id"], started_at=row["started_at"], finished_at=row["finished_at"], status=row["status"],
               pages=row["pages"], images=row["images"], posts=row["posts"], findings=row["findings"],
               counts=json.loads(row["counts"] or "{}"), report_path=row["report_path"], error=row["error"],
               ending=Ending(row["ending"]) if row["ending"] else None,
               coverage=json.loads(row["coverage"] or "{}"))


END_STATE = "ended.json"


def write_end_state(run_dir: Path, status: str, finished_at: str, counts: dict[str, Any],
                    report_path: str | None, error: str | None, ending: Ending) -> None:
    """What `finish_run` will record, kept beside the saved report before it is sent: a run killed
    between the two is recorded from this, not redone."""
    data = json.dumps({"status": status, "finished_at": finished_at, "counts": counts,
                       "report_path": report_path, "error": error, "ending": ending.value})
    tmp = run_dir / (END_STATE + ".tmp")
    tmp.write_text(data, encoding="utf-8")
    tmp.replace(run_dir / END_STATE)


def read_end_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((run_dir / END_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(data, dict) and data.get("status") in ("complete", "incomplete", "failed") \
        and isinstance(data.get("finished_at"), str) and isinstance(data.get("counts"), dict) \
        and data.get("ending") in {e.value for e in Ending}
    return data if ok else None


def run_path(storage: Path | str, run_id: int) -> Path:
    """Where a run's files are kept in the storage folder: its findings, summary and reports."""
    return Path(storage) / RUNS / f"{run_id:05d}"


def archived_runs(storage: Path) -> list[int]:
    """The numbers of the run folders kept under `runs/`."""
    folder = Path(storage) / RUNS
    if not folder.is_dir():
        return []
    return [int(p.name) for p in folder.iterdir() if p.name.isdigit() and p.is_dir()]


def open_history(storage: Path) -> History:
    """The history of the storage folder. A damaged file, or one that has lost audits the run
    folders show, is put aside (never deleted) and a new one started: `History.problem` says so."""
    path = Path(storage) / "history.sqlite3"
    problem = None
    try:
        history = History(path)
        history.db.execute("SELECT COUNT(*) FROM runs").fetchone()
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode != sqlite3.SQLITE_CORRUPT:
            raise                         # unwritable or full: not damage, and nothing to put aside
        problem = f"could not be read ({exc})"
    else:
        archived = archived_runs(storage)
        known = {r[0] for r in history.db.execute("SELECT id FROM runs")}
        missing = [n for n in archived if n not in known]
        if not missing:
            return history
        history.close()
        problem = (f"has lost {len(missing)} of the {len(archived)} audits whose reports are archived"
                   if known else f"is empty, although {len(archived)} earlier audits are archived")
    aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            Path(f"{path}{suffix}").replace(f"{aside}{suffix}")
    history = History(path)
    history.problem = (f"The audit history {problem}. It was kept aside as {aside.name} and a new history "
                       "started, so this audit is not compared with earlier ones; the earlier reports are "
                       "still in the runs folder.")
    return history

