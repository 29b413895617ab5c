"""Tables of the reviewer web app (SQLAlchemy 2). The schema is made by the Alembic migrations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ROLES = ("reviewer", "admin")
#: final case decisions a reviewer may record; the tool and its users never deny (SPEC 1)
FINAL_DECISIONS = ("approve", "pend_documentation", "refer_physician")
DETERMINATION_ACTIONS = ("confirm", "override")
CASE_STATES = ("queued", "processing", "done", "failed")
#: where a case came from: the new-case form, or `chartsift queue import` of a `screen` output folder
CASE_SOURCES = ("upload", "screen")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LoginSession(Base):
    """A server-side session: the cookie holds a random token, the table its SHA-256."""
    __tablename__ = "sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class Case(Base):
    """A prior-authorization request in the reviewers' queue. The case id is unique: a second upload under the same
    id is refused (its documents belong on the existing case, as a new revision)."""
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(String(80), index=True, unique=True)
    cpt: Mapped[str | None] = mapped_column(String(10))
    side: Mapped[str | None] = mapped_column(String(10))
    request_date: Mapped[dt.date | None] = mapped_column(Date)
    icd10: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    recommendation: Mapped[str | None] = mapped_column(String(40))
    result_json: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # the worklist (migration 0003): who works the case, when its decision is due, whom it is for
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    urgency: Mapped[str | None] = mapped_column(String(10))          # models.URGENCIES
    source: Mapped[str | None] = mapped_column(String(20))           # CASE_SOURCES
    #: patient identifiers from case.json or the form: shown on the list and the case page, never logged or audited
    patient_name: Mapped[str | None] = mapped_column(String(200))
    patient_birth_date: Mapped[dt.date | None] = mapped_column(Date)
    member_id: Mapped[str | None] = mapped_column(String(80))
    # the current revision's review state, kept by worklist.refresh_state so that the list filters and sorts in SQL
    reviewed_recommendation: Mapped[str | None] = mapped_column(String(40))  # with the reviewer's overrides
    final_decision: Mapped[str | None] = mapped_column(String(30))
    criteria_total: Mapped[int | None] = mapped_column(Integer)       # criteria to review (not the unneeded)
    criteria_confirmed: Mapped[int | None] = mapped_column(Integer)
    criteria_overridden: Mapped[int | None] = mapped_column(Integer)
    needs_review: Mapped[int | None] = mapped_column(Integer)         # criteria below the routing threshold
    confidence: Mapped[float | None] = mapped_column(Float)           # the recommendation's
    creator: Mapped[User] = relationship(lazy="joined", foreign_keys=[created_by])
    assignee: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[assignee_id])
    documents: Mapped[list[Document]] = relationship(back_populates="case", order_by="Document.id")


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("case_pk", "display_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(200))
    storage_name: Mapped[str | None] = mapped_column(String(80), unique=True)  # None: refused, nothing stored
    media_type: Mapped[str] = mapped_column(String(10))  # pdf | text | refused
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: why the upload refused the file (storage.REFUSAL_MESSAGES: empty_file, unsupported_type); None when stored
    error_code: Mapped[str | None] = mapped_column(String(40))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    case: Mapped[Case] = relationship(back_populates="documents")


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    worker: Mapped[str | None] = mapped_column(String(40))
    error_code: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Decision(Base):
    """A reviewer's confirm/override of one determination, or the final decision (criterion NULL)."""
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_pk: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    criterion: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(30))   # confirm | override | final
    status: Mapped[str | None] = mapped_column(String(30))  # overriding status, or the final decision
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(Base):
    """Append-only, each row chained by SHA-256 to the one before (see audit.py)."""
    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))          # UTC ISO time, hashed as written
    user_name: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    object: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
