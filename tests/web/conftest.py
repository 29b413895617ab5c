"""Fixtures of the web app tests: a fresh app per test on SQLite, or on PostgreSQL when
CHARTSIFT_TEST_DB=postgresql://... names a throwaway server (see start_postgres.sh)."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "correct horse battery"
FORM = {"case_id": "A-1042", "cpt": "27279", "side": "left", "request_date": "2026-05-04", "icd10": "M46.1"}


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing():
    """Argon2 with its production cost takes a second on a busy CI machine; tests do not need it."""
    from argon2 import PasswordHasher

    from chartsift.web import auth

    auth.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
TEST_DB = os.environ.get("CHARTSIFT_TEST_DB", "")


def reset_database(url: str) -> None:
    """Empty the PostgreSQL test database (every table, and Alembic's version row)."""
    from sqlalchemy import text

    from chartsift.web.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_settings(tmp: Path, **overrides):
    from chartsift.web.config import Settings

    if TEST_DB:
        reset_database(TEST_DB)
    return Settings(data_dir=tmp, db_url=TEST_DB, **overrides)


@dataclass
class Web:
    app: object
    settings: object
    client: object

    @property
    def sessions(self):
        return self.app.state.sessions

    def add_user(self, name: str = "nurse", role: str = "reviewer", password: str = PASSWORD) -> None:
        from chartsift.web.auth import add_user

        with self.sessions() as s, s.begin():
            add_user(s, name, role, password)

    def login(self, name: str = "nurse", password: str = PASSWORD):
        token = csrf_of(self.client.get("/login").text)
        return self.client.post("/login", data={"csrf_token": token, "username": name, "password": password},
                                follow_redirects=False)

    def csrf(self, path: str = "/cases/new") -> str:
        return csrf_of(self.client.get(path).text)

    def run_jobs(self) -> int:
        from chartsift.web.worker import run_pending

        return run_pending(self.settings, self.sessions)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def build_web(tmp: Path, **overrides) -> Web:
    from fastapi.testclient import TestClient

    from chartsift.web.app import create_app

    settings = make_settings(tmp, **overrides)
    app = create_app(settings)
    return Web(app, settings, TestClient(app, raise_server_exceptions=False))


@pytest.fixture
def web(tmp_path):
    w = build_web(tmp_path / "data", max_upload_bytes=64 * 1024)
    yield w
    w.app.state.engine.dispose()


@pytest.fixture
def web_factory(tmp_path):
    """build(**settings) -> a fresh Web on its own data dir."""
    made = []

    def build(**overrides) -> Web:
        made.append(build_web(tmp_path / f"data{len(made)}", **overrides))
        return made[-1]

    yield build
    for w in made:
        w.app.state.engine.dispose()


@pytest.fixture
def logged_in(web):
    web.add_user()
    assert web.login().status_code == 303
    return web


@pytest.fixture(scope="session")
def demo_pdf() -> Path:
    from chartsift.web.demo import demo_packet

    return demo_packet()
