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
