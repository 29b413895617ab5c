"""The review worker's limits: a review that runs out of memory fails with `memory_limit` and retires the worker
(serve starts a fresh one); the work folder of a worker that died mid-review (its links bear the documents'
names, which may be the patient's) is removed by the next worker."""
from __future__ import annotations

import os

import pytest

from .conftest import FORM

NOTE = b"Office note 2026-01-05. Left buttock pain for 8 months. Positive FABER on the left.\n"


def _queue_case(web) -> str:
    response = web.client.post("/cases", data=dict(FORM, csrf_token=web.csrf()),
                               files=[("documents", ("n.txt", NOTE))], follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def _out_of_memory(*_args):
    raise MemoryError()


def test_a_review_out_of_memory_fails_with_memory_limit(logged_in, monkeypatch):
    from chartsift.web import worker

    monkeypatch.setattr(worker, "_review", _out_of_memory)
    url = _queue_case(logged_in)
    assert logged_in.run_jobs() == 1
    status = logged_in.client.get(url + "/status").json()
    assert (status["status"], status["error_code"]) == ("failed", "memory_limit")
    assert "memory_limit" in logged_in.client.get(url).text


def test_the_worker_retires_after_running_out_of_memory(logged_in, monkeypatch):
    from chartsift.web import worker

    monkeypatch.setattr(worker, "_review", _out_of_memory)
    url = _queue_case(logged_in)
    with pytest.raises(SystemExit) as stopped:
        worker.serve_forever(logged_in.settings, "worker-9")
    assert stopped.value.code == 3
    assert logged_in.client.get(url + "/status").json()["error_code"] == "memory_limit"


@pytest.mark.parametrize("pid,removed", [
    pytest.param(2 ** 22 + 12345, True, id="dead-worker"),  # above pid_max's default: never a live process
    pytest.param(os.getpid(), False, id="live-worker"),
])
def test_a_dead_workers_work_folder_is_removed(web, pid, removed):
    from chartsift.web.worker import remove_stale_work

    folder = web.settings.data_dir / "work" / f"job-{pid}-x1y2"
    folder.mkdir()
    (folder / "Quackenbush_Zebulon_MRN99887766.pdf").symlink_to(folder / "missing")
    assert remove_stale_work(web.settings) == int(removed)
    assert folder.exists() is not removed


STUCK_WORKER = """
import signal, sys, time
from pathlib import Path
import extractor.nlp.pipeline
from chartsift.web import worker
from chartsift.web.config import Settings

def stuck(*_args):
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})  # as inside native code: the alarm cannot raise
    time.sleep(120)

worker._review = stuck
worker.HARD_STOP_GRACE_S = 0.5
extractor.nlp.pipeline.get_nlp = lambda: None  # this worker never reviews
worker.serve_forever(Settings(data_dir=Path(sys.argv[1]), db_url=sys.argv[2], job_timeout_s=1), "worker-stuck")
"""


def test_a_review_stuck_where_the_alarm_cannot_reach_fails_with_timeout(logged_in):
    import subprocess
    import sys

    from hostile_harness import REPO, child_env

    url = _queue_case(logged_in)
    settings = logged_in.settings
    proc = subprocess.run([sys.executable, "-c", STUCK_WORKER, str(settings.data_dir), settings.db_url],
                          cwd=REPO, env=child_env(), capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 4, proc.stderr[-2000:]
    status = logged_in.client.get(url + "/status").json()
    assert (status["status"], status["error_code"]) == ("failed", "timeout")


def _serve_args(*argv: str):
    from chartsift.cli import build_parser

    return build_parser().parse_args(["serve", *argv])


def _worker_argv_from_serve(tmp_path, monkeypatch, *argv: str) -> list[str]:
    """The command line `chartsift serve ARGV` starts its review worker with (the process is not started)."""
    from chartsift.commands import serve
    from chartsift.web.config import Settings

    started = []
    monkeypatch.setattr(serve.subprocess, "Popen", lambda cmd: started.append(cmd))
    args = _serve_args(*argv)
    serve.WorkerPool(Settings(data_dir=tmp_path), 1, args.memory_mb)._spawn(0)
    (cmd,) = started
    assert cmd[1:3] == ["-m", "chartsift.web.worker"]
    return cmd[3:]


@pytest.mark.parametrize("argv,limit_mb", [
    pytest.param([], 3072, id="default-as-the-batch"),
    pytest.param(["--memory-mb", "2048"], 2048, id="given"),
    pytest.param(["--memory-mb", "0"], 0, id="no-limit"),
])
def test_serve_hands_its_memory_limit_to_the_worker(tmp_path, monkeypatch, argv, limit_mb):
    """`serve --memory-mb` reaches the worker it starts, whose own argument parsing sets the address-space limit."""
    from chartsift.web import worker

    worker_argv = _worker_argv_from_serve(tmp_path, monkeypatch, *argv)
    limits, served = [], []
    monkeypatch.setattr(worker, "limit_memory", limits.append)
    monkeypatch.setattr(worker, "serve_forever", lambda settings, name, **_kw: served.append(name))
    monkeypatch.setattr(worker.signal, "signal", lambda *_a: None)
    assert worker.main(worker_argv) == 0
    assert limits == [limit_mb] and served == ["worker-0"]


def test_serve_refuses_a_negative_memory_limit(capsys):
    with pytest.raises(SystemExit) as stopped:
        _serve_args("--memory-mb", "-1")
    assert stopped.value.code == 2 and "--memory-mb" in capsys.readouterr().err


def test_serve_help_names_the_memory_limit_and_its_default(capsys):
    with pytest.raises(SystemExit):
        _serve_args("--help")
    text = " ".join(capsys.readouterr().out.split())
    assert "--memory-mb MIB" in text and "(default 3072; 0: no limit)" in text and "memory_limit" in text
