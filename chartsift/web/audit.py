"""The audit trail: append-only rows, each chained by SHA-256 to the one before.

`hash = sha256(prev_hash + canonical JSON of the row)`; the first row's prev_hash is 64 zeros.
The app layer refuses UPDATE and DELETE of audit rows (ORM flush and bulk statements alike).

A chain cannot show its own missing tail: deleting the last rows leaves a shorter chain that holds. So every
committed row is also written, as `seq hash`, to a head checkpoint file outside the database (the data
folder's `audit-head.log`, appended after the commit, never before: a rolled-back row leaves no line).
`verify` with that file finds a chain that ends before its head, and rows replaced after a truncation (their
hashes differ from the checkpoints). It detects a change made to the database alone (SQL access to the SQLite
file or the PostgreSQL server); whoever can also rewrite the data folder can rewrite the file, so keep a copy
elsewhere (`audit verify --head COPY`).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from .models import AuditEvent, utcnow

GENESIS = "0" * 64
#: Session.info keys: where a session's head checkpoints go (make_sessionmaker), and its rows not yet committed
HEAD_KEY, _PENDING = "audit_head", "audit_pending"
ACTIONS = ("login", "login_failed", "logout", "view_case", "view_page", "upload", "upload_refused", "decision",
           "export", "user_change", "case_create", "case_import", "assign")


class AuditTamperError(RuntimeError):
    """An attempt to change or remove an audit row."""


def row_hash(prev_hash: str, seq: int, at: str, user_name: str | None, action: str, obj: str,
             request_id: str | None) -> str:
    body = json.dumps([seq, at, user_name, action, obj, request_id], separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(session: Session, action: str, obj: str, *, user: str | None, request_id: str | None) -> AuditEvent:
    """Add one audit row in the session's transaction (serialized: the chain never forks)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(726101)"))
    last = session.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = utcnow().isoformat(timespec="microseconds")
    row = AuditEvent(seq=seq, at=at, user_name=user, action=action, object=obj[:200], request_id=request_id,
                     prev_hash=prev, hash=row_hash(prev, seq, at, user, action, obj[:200], request_id))
    session.add(row)
    session.flush()
    session.info.setdefault(_PENDING, []).append((seq, row.hash))
    return row


@event.listens_for(Session, "after_commit")
def _write_head(session: Session) -> None:
    pending, head = session.info.pop(_PENDING, None), session.info.get(HEAD_KEY)
    if pending and head:
        write_checkpoints(Path(head), pending)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def write_checkpoints(path: Path, rows: list[tuple[int, str]]) -> None:
    """Append `seq hash` lines (one write: concurrent writers' lines do not interleave)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, "".join(f"{seq} {digest}\n" for seq, digest in rows).encode("ascii"))
    finally:
        os.close(fd)


def read_checkpoints(path: Path) -> dict[int, set[str]] | None:
    """seq -> the hashes the head checkpoint file records for it (one, unless the chain was cut and written again
    from there); None when there is no file. Raises ValueError on a bad line."""
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    checkpoints: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        seq, _, digest = line.partition(" ")
        if not seq.isdigit() or len(digest) != 64:
            raise ValueError(f"line {number} of {path.name} is not 'seq hash'")
        checkpoints.setdefault(int(seq), set()).add(digest)
    return checkpoints


@dataclass
class VerifyReport:
    rows: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(session: Session, head: Path | None = None) -> VerifyReport:
    """Walk the chain in order; report the first row whose link or hash does not hold. With `head` (the head
    checkpoint file) also a chain that ends before its head, or whose rows differ from their checkpoints."""
    try:
        checkpoints = read_checkpoints(head) if head is not None else {}
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return VerifyReport(0, 0, f"the head checkpoint file cannot be read ({exc})")
    prev, expected_seq, n = GENESIS, 1, 0
    for row in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        n += 1
        if row.seq != expected_seq:
            return VerifyReport(n, expected_seq, f"row {expected_seq} is missing (next row is {row.seq})")
        if row.prev_hash != prev:
            return VerifyReport(n, row.seq, "prev_hash does not match the hash of the row before")
        if row_hash(prev, row.seq, row.at, row.user_name, row.action, row.object, row.request_id) != row.hash:
            return VerifyReport(n, row.seq, "row content does not match its hash")
        if checkpoints and checkpoints.get(row.seq, {row.hash}) != {row.hash}:
            return VerifyReport(n, row.seq, "row does not match its head checkpoint (the chain was cut and "
                                            "written again from here)")
        prev, expected_seq = row.hash, expected_seq + 1
    if checkpoints is None and n:  # (None only when a head file was named)
        return VerifyReport(n, n, f"no head checkpoint file ({getattr(head, 'name', '')}) for a chain of rows: "
                                  "its end cannot be checked")
    if checkpoints and max(checkpoints) > n:
        return VerifyReport(n, n + 1, f"truncated: the head checkpoint records row {max(checkpoints)}, the chain "
                                      f"ends at row {n}")
    return VerifyReport(n)


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _ctx, _instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTamperError("audit rows are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk(state) -> None:
    if (state.is_update or state.is_delete) and _targets_audit(state.statement):
        raise AuditTamperError("audit rows are append-only")


def _targets_audit(statement) -> bool:
    table = getattr(statement, "table", None)
    return getattr(table, "name", None) == AuditEvent.__tablename__
