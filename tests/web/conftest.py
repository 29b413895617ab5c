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


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser test against a served app (headless Debian chromium)")
    config.addinivalue_line("markers", "load: concurrent uploads against a served app")
    config.addinivalue_line("markers", "browser: browser test against an app served in the test's process")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    url: str
    data_dir: Path
    user: str
    password: str
    db_url: str = ""  # "" : SQLite in data_dir


def served_database() -> str:
    """The served app's own PostgreSQL database (TEST_DB + "_served"): the per-test resets of TEST_DB must not
    pull the tables from under a running server."""
    from sqlalchemy import text

    from chartsift.web.db import make_engine

    base, _, name = TEST_DB.rpartition("/")
    served = f"{base}/{name}_served"
    engine = make_engine(TEST_DB).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": f"{name}_served"}).first():
            conn.execute(text(f'CREATE DATABASE "{name}_served"'))
    engine.dispose()
    reset_database(served)
    return served


@pytest.fixture(scope="session", autouse=True)
def _server_started_early(request, tmp_path_factory):
    """Start `chartsift serve` at the beginning of a session that holds e2e or load tests, so that it (and its
    workers' NLP pipeline) warms up while the other tests run. None when no such test is selected."""
    import subprocess
    import sys

    if not any(item.get_closest_marker("e2e") or item.get_closest_marker("load") for item in request.session.items):
        yield None
        return
    from chartsift.web.auth import add_user
    from chartsift.web.config import Settings
    from chartsift.web.db import make_engine, make_sessionmaker, upgrade

    data = tmp_path_factory.mktemp("served")
    db_url = served_database() if TEST_DB else ""
    settings = Settings(data_dir=data, db_url=db_url)
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        for user in ("e2e", "load0", "load1", "load2", "load3"):
            add_user(session, user, "reviewer", PASSWORD)
    engine.dispose()
    port = free_port()
    log = open(data / "serve.log", "w")  # noqa: SIM115 - the server writes to it while it runs
    proc = subprocess.Popen([sys.executable, "-m", "chartsift.cli", "serve", "--port", str(port), "--data-dir",
                             str(data), "--workers", "2", *(["--db", db_url] if db_url else [])],
                            stdout=subprocess.DEVNULL, stderr=log)
    yield Served(f"http://127.0.0.1:{port}", data, "e2e", PASSWORD, db_url), proc
    workers = review_workers_of(proc.pid)
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
    assert not alive(workers), f"`chartsift serve` left its review workers running after SIGTERM: {alive(workers)}"


def review_workers_of(parent: int) -> list[int]:
    """The `chartsift.web.worker` processes whose parent is `parent` (read from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (stat.parent / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"chartsift.web.worker" in cmdline:
            found.append(int(stat.parent.name))
    return sorted(found)


def alive(pids: list[int], wait_s: float = 15.0) -> list[int]:
    """Those of `pids` still running after up to `wait_s` seconds (a zombie awaiting its reaper has ended)."""
    import time

    deadline = time.monotonic() + wait_s
    while True:
        running = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                running.append(pid)
        if not running or time.monotonic() > deadline:
            return running
        time.sleep(0.2)


@pytest.fixture(scope="session")
def served(_server_started_early):
    """The running `chartsift serve` (with its two workers), once it answers /health."""
    import time

    import httpx

    info, proc = _server_started_early
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(info.url + "/health", timeout=2).status_code == 200:
                return info
        except httpx.HTTPError:
            time.sleep(0.3)
    pytest.fail("chartsift serve did not start: " + (info.data_dir / "serve.log").read_text()[-2000:])


@pytest.fixture(scope="session")
def demo_cli(demo_pdf):
    """`chartsift review corpora/demo` as the SPEC JSON: what the web app must show for the demo packet
    (taken from the CLI, not written down, so extractor changes do not break these tests)."""
    from chartsift.api import review

    return review(demo_pdf.parent).model_dump(mode="json")


@pytest.fixture
def page(served):
    """A logged-out page of the served app in headless chromium; the test fails on any console error (no CSP
    violation, no script error) unless it takes that line out of `page.console_errors` (an error page on purpose)."""
    from headless_chromium import chromium, console_errors

    with chromium() as browser:
        context = browser.new_context(base_url=served.url, viewport={"width": 1500, "height": 950},
                                      accept_downloads=True)
        pg = context.new_page()
        pg.console_errors = console_errors(pg)
        yield pg
    assert pg.console_errors == []
