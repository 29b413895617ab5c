"""The audit trail: append-only rows, each chained by SHA-256 to the one before.

`hash = sha256(prev_hash + canonical JSON of the row)`; the first row's prev_hash is 64 zeros.
The app layer refuses UPDATE and DELETE of audit rows (ORM flush and bulk statements alike).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from .models import AuditEvent, utcnow

GENESIS = "0" * 64
ACTIONS = ("login", "login_failed", "logout", "view_case", "view_page", "upload", "upload_refused", "decision",
           "export", "user_change", "case_create")


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
    return row


@dataclass
class VerifyReport:
    rows: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify(session: Session) -> VerifyReport:
    """Walk the chain in order; report the first row whose link or hash does not hold."""
    prev, expected_seq, n = GENESIS, 1, 0
    for row in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        n += 1
        if row.seq != expected_seq:
            return VerifyReport(n, expected_seq, f"row {expected_seq} is missing (next row is {row.seq})")
        if row.prev_hash != prev:
            return VerifyReport(n, row.seq, "prev_hash does not match the hash of the row before")
        if row_hash(prev, row.seq, row.at, row.user_name, row.action, row.object, row.request_id) != row.hash:
            return VerifyReport(n, row.seq, "row content does not match its hash")
        prev, expected_seq = row.hash, expected_seq + 1
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
