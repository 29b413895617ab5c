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
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"


def test_refused_documents_migration_keeps_the_rows_of_0001(tmp_path):
    """0001 -> 0002 on a database with a document: the row stays, storage names stay unique, and refused documents
    (no storage name, an error code) can be added beside it."""
    import pytest
    from alembic import command
    from alembic.config import Config
    from sqlalchemy.exc import IntegrityError

    from chartsift.web.db import MIGRATIONS, make_engine

    from .conftest import make_settings

    engine = make_engine(make_settings(tmp_path).database_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO users (id, name, role, password_hash, active, created_at) "
                          "VALUES (1, 'n', 'reviewer', 'x', true, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO cases (id, case_id, icd10, status, revision, created_by, created_at, updated_at)"
                          " VALUES (1, 'A', '[]', 'done', 1, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        conn.execute(text(f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES (1, 1, 'a.txt', 's1.txt', 'text', {_REST})"))
        command.upgrade(cfg, "head")
        for pk in (2, 3):
            conn.execute(text(f"INSERT INTO documents ({_DOC_COLUMNS}, error_code) "
                              f"VALUES ({pk}, 1, 'b{pk}.pdf', NULL, 'refused', {_REST}, 'empty_file')"))
        rows = conn.execute(text("SELECT id, storage_name, error_code FROM documents ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "s1.txt", None), (2, None, "empty_file"), (3, None, "empty_file")]
        conn.commit()
        with pytest.raises(IntegrityError), conn.begin():
            conn.execute(text(f"INSERT INTO documents ({_DOC_COLUMNS}) VALUES (4, 1, 'd.txt', 's1.txt', 'text', {_REST})"))
    engine.dispose()


_DOC_COLUMNS = "id, case_pk, display_name, storage_name, media_type, size, sha256, uploaded_by, uploaded_at"
_REST = "0, 'h', 1, CURRENT_TIMESTAMP"
