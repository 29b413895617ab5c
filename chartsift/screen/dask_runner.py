"""Screening on a dask.distributed cluster: the same per-case function, the ledger still on the client.

`--dask tcp://HOST:PORT` connects to an existing scheduler; `--dask local` starts a LocalCluster.
On each Dask worker a case runs in a sandbox process, exactly as in the local pool (pool.py): the
nlp is built once per sandbox, the timeout and memory limit are enforced there, and a case that
hangs, runs out of memory or crashes comes back as a coded error instead of killing the Dask worker.
Every worker must see the case files at the same paths as the client (a shared file system).
"""
from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing as mp
import threading
import time
from collections.abc import Iterable, Iterator
from multiprocessing.connection import wait

from models import ErrorCode

from .ledger import Outcome
from .pool import START_TIMEOUT_S, PoolError, Task, WorkerProcess, outcome_from_reply

_local = threading.local()


@contextlib.contextmanager
def _children_allowed():
    """Dask runs workers as daemonic processes, which multiprocessing forbids to have children;
    our sandbox children die with their parent (PR_SET_PDEATHSIG), which is what that rule protects."""
    config = mp.current_process()._config
    daemon = config.get("daemon")
    config["daemon"] = False
    try:
        yield
    finally:
        if daemon is not None:
            config["daemon"] = daemon


class Sandbox:
    """One worker process on a Dask worker thread, kept across cases."""

    def __init__(self, func_path: str, init_path: str | None, memory_mb: int | None):
        self.key = (func_path, init_path, memory_mb)
        self.worker: WorkerProcess | None = None

    def _ready_worker(self) -> WorkerProcess:
        if self.worker is not None and self.worker.process.is_alive():
            return self.worker
        if self.worker is not None:
            self.worker.kill()
        with _children_allowed():
            worker = WorkerProcess(mp.get_context("spawn"), *self.key)
        if not worker.conn.poll(START_TIMEOUT_S):
            worker.kill()
            raise PoolError("screen sandbox worker did not start")
        try:
            kind, _ = worker.conn.recv()
        except EOFError:
            worker.kill()
            raise PoolError(f"screen sandbox worker exited with status {worker.process.exitcode} while starting") from None
        worker.ready = kind == "ready"
        self.worker = worker
        return worker

    def run(self, task: Task, timeout: float | None) -> Outcome:
        worker = self._ready_worker()
        worker.assign(task, timeout)
        while True:
            left = worker.deadline - time.monotonic()
            ready = wait([worker.conn, worker.process.sentinel], None if left == float("inf") else max(0.0, left))
            if worker.conn in ready:
                with contextlib.suppress(EOFError, OSError):
                    kind, value = worker.conn.recv()
                    if kind == "outcome":
                        worker.task = None
                        if value.get("retiring"):  # it exits after this reply
                            self._drop(worker, None)
                        return outcome_from_reply(task.case_id, value)
            if not worker.process.is_alive():
                worker.process.join()
                return self._drop(worker, worker.death_outcome())
            if time.monotonic() >= worker.deadline:
                return self._drop(worker, worker.timeout_outcome(timeout or 0))

    def _drop(self, worker: WorkerProcess, outcome: Outcome | None) -> Outcome | None:
        worker.kill()
        self.worker = None
        return outcome


def run_on_dask_worker(func_path: str, init_path: str | None, memory_mb: int | None, timeout: float | None,
                       case_id: str, payload: dict) -> dict:
    """The Dask task: one case in this worker thread's sandbox; returns the Outcome as a dict."""
    sandbox = getattr(_local, "sandbox", None)
    if sandbox is None or sandbox.key != (func_path, init_path, memory_mb):
        sandbox = _local.sandbox = Sandbox(func_path, init_path, memory_mb)
    return dataclasses.asdict(sandbox.run(Task(0, case_id, payload), timeout))


class DaskRunner:
    """Runs tasks on a Dask cluster, a few per worker thread in flight; yields (task, outcome)."""

    def __init__(self, address: str, func_path: str, *, workers: int = 1, timeout: float | None = 300.0,
                 memory_mb: int | None = None, init_path: str | None = None):
        self.address, self.func_path, self.init_path = address, func_path, init_path
        self.workers, self.timeout, self.memory_mb = max(1, workers), timeout, memory_mb

    def _client(self, stack: contextlib.ExitStack):
        from distributed import Client, LocalCluster

        if self.address == "local":
            cluster = stack.enter_context(LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                       dashboard_address=":0"))
            client = stack.enter_context(Client(cluster))
        else:
            client = stack.enter_context(Client(self.address, timeout="30s"))
        client.wait_for_workers(1, timeout=120)
        return client

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        from distributed import as_completed

        pending = list(tasks)[::-1]
        with contextlib.ExitStack() as stack:
            client = self._client(stack)
            window = 2 * max(1, sum(client.nthreads().values()))
            running: dict = {}
            completed = as_completed()
            while pending and len(running) < window:
                self._submit(client, pending.pop(), running, completed)
            for future in completed:
                task = running.pop(future)
                yield task, self._outcome(task, future)
                if pending:
                    self._submit(client, pending.pop(), running, completed)

    def _submit(self, client, task: Task, running: dict, completed) -> None:
        future = client.submit(run_on_dask_worker, self.func_path, self.init_path, self.memory_mb, self.timeout,
                               task.case_id, task.payload, pure=False, key=f"chartsift-review-{task.index}-{time.time_ns()}")
        running[future] = task
        completed.add(future)

    @staticmethod
    def _outcome(task: Task, future) -> Outcome:
        """The sandbox turns everything a case can do into an Outcome; an exception here is the cluster's."""
        from distributed import KilledWorker

        try:
            return Outcome(**future.result())
        except KilledWorker:
            return Outcome(case_id=task.case_id, status="error", error_code=ErrorCode.WORKER_CRASH.value,
                           error_message="the Dask worker running the case died")
        except Exception as exc:  # noqa: BLE001  (chartsift missing on a worker, say: stop, record nothing)
            raise PoolError(f"Dask task failed on the cluster: {type(exc).__name__}") from None
