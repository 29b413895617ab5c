"""The database: the backend the tests were asked for, SQLite settings, migrations that match the models."""
from __future__ import annotations

from sqlalchemy import text

from .conftest import TEST_DB


def test_backend_is_the_one_asked_for(web):
    dialect = web.app.state.engine.dialect.name
    assert dialect == ("postgresql" if TEST_DB else "sqlite")


def test_sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys(web):
    if TEST_DB:
        return
    with web.app.state.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_migrations_match_the_models(web):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from chartsift.web.models import Base

    with web.app.state.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrating_twice_is_a_no_op(web):
    from chartsift.web.db import upgrade

    upgrade(web.app.state.engine)
    with web.app.state.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
