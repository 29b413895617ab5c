"""Stopping `chartsift serve` stops its review workers (issue 17): SIGTERM and SIGINT to the server, and a server
killed outright (its workers notice their parent is gone). Before, uvicorn raised SIGTERM again after its shutdown,
the default action killed the server before its `finally: pool.stop()`, and the workers ran on as orphans."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .conftest import alive, free_port, review_workers_of

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _serve(data: Path) -> tuple[subprocess.Popen, list[int]]:
    """`chartsift serve` with one worker, once it answers /health; and its worker's pid."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chartsift.cli", "serve", "--port", str(port), "--data-dir",
                             str(data), "--workers", "1"], cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=(data.parent / "serve.log").open("wb"))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200 and \
                    review_workers_of(proc.pid):
                return proc, review_workers_of(proc.pid)
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    pytest.fail("chartsift serve did not start: " + (data.parent / "serve.log").read_text()[-2000:])


@pytest.mark.parametrize("signum, exit_codes", [
    pytest.param(signal.SIGTERM, {128 + signal.SIGTERM}, id="SIGTERM"),
    pytest.param(signal.SIGINT, {0, 128 + signal.SIGINT}, id="SIGINT"),  # 0 where SIGINT was ignored on start
])
def test_a_signal_to_serve_stops_its_workers(tmp_path, signum, exit_codes):
    proc, workers = _serve(tmp_path / "data")
    assert workers and not set(workers) - set(alive(workers, 0))
    os.kill(proc.pid, signum)
    assert proc.wait(timeout=60) in exit_codes
    assert alive(workers) == [], "a review worker outlived its server"


def test_a_worker_exits_when_its_server_is_killed(tmp_path):
    """kill -9 leaves no `finally` to run: the worker sees its parent gone (--parent-pid) and exits."""
    from chartsift.web.config import Settings
    from chartsift.web.db import make_engine, upgrade

    settings = Settings(data_dir=tmp_path / "data")
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    upgrade(engine)  # the worker's tables, as `chartsift serve` makes them
    engine.dispose()
    parent = subprocess.Popen([sys.executable, "-c", (
        "import os, subprocess, sys, time\n"
        f"w = subprocess.Popen([sys.executable, '-m', 'chartsift.web.worker', '--data-dir', {str(tmp_path / 'data')!r},"
        " '--parent-pid', str(os.getpid())], stderr=subprocess.DEVNULL)\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n")], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        time.sleep(3)
        assert alive([worker], 0) == [worker], "the worker did not start"
    finally:
        parent.kill()
        parent.wait(timeout=10)
    assert alive([worker], wait_s=120) == [], "the worker outlived its killed server"
