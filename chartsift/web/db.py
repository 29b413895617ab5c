"""Engine and sessions: SQLite (WAL, busy timeout, foreign keys, BEGIN IMMEDIATE) or PostgreSQL; Alembic upgrades."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for `url`; `postgresql://` means psycopg 3.

    SQL parameters are hidden from the statement log and from database exceptions' messages: they carry file
    names and the review (chart quotes), which must never reach a log (turning on `sqlalchemy.engine` logging
    to debug the database would otherwise write them out)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True,
                               connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _sqlite_pragmas(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Take the write lock at the start: a deferred transaction that reads then writes can fail at once
        # with "database is locked" when another writer got in between; IMMEDIATE waits (busy timeout) instead.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_sessionmaker(engine: Engine, audit_head: Path | None = None) -> sessionmaker[Session]:
    """Sessions on `engine`; those given `audit_head` write the audit trail's head checkpoints there on commit."""
    return sessionmaker(engine, expire_on_commit=False, info={"audit_head": audit_head} if audit_head else None)


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """One unit of work: committed on success, rolled back on any error."""
    with factory() as session, session.begin():
        yield session


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        conn.commit()
