"""`chartsift screen --dask`: a real scheduler and two workers on 127.0.0.1, started by the test."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import screen_helpers as helpers

from chartsift.screen import screen

pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parent.parent
FAKE = {"case_function": "screen_helpers:fake_review", "init_function": "screen_helpers:fake_warm_up"}
DASK = Path(sys.executable).with_name("dask")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """tcp://127.0.0.1:PORT of a scheduler with two single-thread workers (separate processes)."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    marker = uuid.uuid4().hex
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO)]), "SCREEN_DASK_MARKER": marker}
    common = ["--scheduler-file", str(scheduler_file), "--no-dashboard"]
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", *common], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)]
    try:
        _wait_for(scheduler_file.exists, 60)
        procs += [subprocess.Popen([str(DASK), "worker", "--host", "127.0.0.1", "--nthreads", "1", "--memory-limit", "0",
                                    *common], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
                  for _ in range(2)]
        import json

        from distributed import Client

        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=90)
        yield address, marker
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    left = []
    for _ in range(50):
        left = helpers.live_pids_with_env(marker)
        if not left:
            break
        time.sleep(0.2)
    assert left == [], "dask test processes left behind"


def _wait_for(condition, seconds: float) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("dask scheduler did not start")
        time.sleep(0.1)


@pytest.mark.slow
def test_dask_cluster_gives_the_local_results_and_isolates_failures(tmp_path, cluster):
    address, _ = cluster
    cases = helpers.make_cases(tmp_path, 8, {2: "HANG", 5: "SEGV"})
    local = screen(cases, tmp_path / "local", workers=2, timeout=3, **FAKE)
    remote = screen(cases, tmp_path / "dask", workers=2, timeout=3, dask=address, **FAKE)
    assert (remote.reviewed, remote.errors) == (local.reviewed, local.errors) == (8, 2)
    for name in ("results.jsonl", "summary.csv", "errors.csv"):
        mine = (tmp_path / "local" / name).read_text()
        theirs = (tmp_path / "dask" / name).read_text()
        if name == "summary.csv":  # the seconds column differs, of course
            mine, theirs = (_without_column(t, "seconds") for t in (mine, theirs))
        assert theirs == mine, name
    assert screen(cases, tmp_path / "dask", dask=address, **FAKE).reviewed == 0


def _without_column(text: str, column: str) -> list[list[str]]:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    drop = rows[0].index(column)
    return [r[:drop] + r[drop + 1:] for r in rows]


@pytest.mark.slow
def test_dask_product_path_matches_the_local_run(tmp_path, cluster):
    """chartsift.api.review in sandboxes on the Dask workers gives byte-identical results.jsonl."""
    from test_screen_e2e import _good_cases

    address, _ = cluster
    cases = _good_cases(tmp_path / "cases")
    local = screen(cases, tmp_path / "local", workers=1, timeout=120)
    remote = screen(cases, tmp_path / "dask", workers=2, timeout=120, dask=address)
    assert local.errors == remote.errors == 0 and remote.reviewed == local.reviewed > 0
    assert (tmp_path / "dask" / "results.jsonl").read_text() == (tmp_path / "local" / "results.jsonl").read_text()


@pytest.mark.slow
def test_dask_local_cluster(tmp_path):
    cases = helpers.make_cases(tmp_path, 4, {1: "SEGV"})
    report = screen(cases, tmp_path / "out", workers=1, timeout=30, dask="local", **FAKE)
    assert (report.reviewed, report.errors) == (4, 1)
    assert len((tmp_path / "out" / "results.jsonl").read_text().splitlines()) == 3
