"""The ledger: SQLite (WAL) in OUT, the source of truth of a screening run. Only the parent writes it.

One row per (case id, content fingerprint, chartsift version) with the case's terminal status and
its review JSON. A row is committed as soon as a case finishes, before anything else is written, so
a `kill -9` of the parent loses at most the cases in flight. Every output file is regenerated from
the ledger, so no output can hold a case twice.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

LEDGER_NAME = "ledger.sqlite"
LOCK_NAME = ".screen.lock"


class LedgerBusy(RuntimeError):
    """Another screening run holds this OUT folder."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    case_id       TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    version       TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('done', 'error')),
    error_code    TEXT,
    error_message TEXT,
    result_json   TEXT,
    pages         INTEGER NOT NULL DEFAULT 0,
    seconds       REAL,
    worker_pid    INTEGER,
    peak_rss_kb   INTEGER,
    cpu_seconds   REAL,
    finished_at   TEXT NOT NULL,
    PRIMARY KEY (case_id, fingerprint, version)
);
CREATE TABLE IF NOT EXISTS runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    version     TEXT NOT NULL,
    cases       INTEGER NOT NULL,
    reviewed    INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Outcome:
    """The terminal state of one case, as a worker (or the pool, for a killed worker) reports it."""

    case_id: str
    status: str  # 'done' | 'error'
    result_json: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    pages: int = 0
    seconds: float | None = None
    worker_pid: int | None = None
    peak_rss_kb: int | None = None
    cpu_seconds: float | None = None


@dataclass(frozen=True)
class Row:
    case_id: str
    fingerprint: str
    status: str
    error_code: str | None
    error_message: str | None
    result_json: str | None
    pages: int
    seconds: float | None
    worker_pid: int | None
    peak_rss_kb: int | None


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ledger:
    """The ledger of one OUT folder; use as a context manager."""

    def __init__(self, out: Path):
        out.mkdir(parents=True, exist_ok=True)
        self._lock = os.open(out / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        try:  # one parent per OUT; the kernel drops the lock when its holder dies, even by kill -9
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock)
            raise LedgerBusy(f"{out}: another chartsift screen is writing this folder") from None
        self.path = out / LEDGER_NAME
        self._db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        columns = {name for _, name, *_ in self._db.execute("PRAGMA table_info(cases)")}
        if "cpu_seconds" not in columns:  # a ledger of an earlier chartsift
            self._db.execute("ALTER TABLE cases ADD COLUMN cpu_seconds REAL")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()
        os.close(self._lock)

    def done_keys(self, version: str) -> set[tuple[str, str]]:
        """(case id, fingerprint) of every case of `version` with a terminal row."""
        rows = self._db.execute("SELECT case_id, fingerprint FROM cases WHERE version = ?", (version,))
        return {(c, f) for c, f in rows}

    def record(self, outcome: Outcome, fingerprint: str, version: str) -> None:
        """Commit one case's terminal state (replacing an earlier row of the same key)."""
        self._db.execute(
            "INSERT OR REPLACE INTO cases (case_id, fingerprint, version, status, error_code, error_message, "
            "result_json, pages, seconds, worker_pid, peak_rss_kb, cpu_seconds, finished_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (outcome.case_id, fingerprint, version, outcome.status, outcome.error_code, outcome.error_message,
             outcome.result_json, outcome.pages, outcome.seconds, outcome.worker_pid, outcome.peak_rss_kb,
             outcome.cpu_seconds, _now()))

    def forget_errors(self, keys: Iterable[tuple[str, str]], version: str) -> int:
        """Drop the error rows of `keys` so those cases are reviewed again; returns how many."""
        cur = self._db.executemany("DELETE FROM cases WHERE case_id = ? AND fingerprint = ? AND version = ? "
                                   "AND status = 'error'", [(c, f, version) for c, f in keys])
        return cur.rowcount

    def rows(self, keys: list[tuple[str, str]], version: str) -> Iterator[Row]:
        """The rows of `keys`, in the order of `keys` (missing ones skipped)."""
        query = ("SELECT case_id, fingerprint, status, error_code, error_message, result_json, pages, seconds, "
                 "worker_pid, peak_rss_kb FROM cases WHERE case_id = ? AND fingerprint = ? AND version = ?")
        for case_id, fp in keys:
            found = self._db.execute(query, (case_id, fp, version)).fetchone()
            if found is not None:
                yield Row(*found)

    def start_run(self, version: str, cases: int) -> int:
        cur = self._db.execute("INSERT INTO runs (started_at, version, cases) VALUES (?,?,?)", (_now(), version, cases))
        return int(cur.lastrowid)

    def finish_run(self, run_id: int, reviewed: int) -> None:
        self._db.execute("UPDATE runs SET finished_at = ?, reviewed = ? WHERE id = ?", (_now(), reviewed, run_id))

    def integrity(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]
