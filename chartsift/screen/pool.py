"""Worker processes that review one case at a time, isolated from the parent and from each other.

Each worker is a "spawn" process (a fresh interpreter: nothing of the parent's state, and the parent
never imports spaCy) that imports the per-case function once, runs its initializer once (the nlp is
built once per worker), then takes cases over a pipe. Per case it has a wall-clock timeout (the
parent kills it) and an address-space limit (RLIMIT_AS, set in the worker). A worker that times out,
runs out of memory or dies of a native crash is killed and replaced; its case gets a coded error and
the other cases go on. Workers die with the parent (PR_SET_PDEATHSIG, plus a watchdog thread), so a
`kill -9` of the parent leaves no orphans.

The per-case function is given as an importable path "module:function" taking the task payload
(a dict of plain types) and returning a dict: {"status": "done", "result_json": str, "pages": int}
or {"status": "error", "error_code": str, "error_message": str}.
"""
from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing as mp
import os
import resource
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

from models import ErrorCode

from .ledger import Outcome

log = logging.getLogger("chartsift.screen")

#: test hook: a worker given this case id kills itself with SIGSEGV (proves crash isolation)
CRASH_HOOK_ENV = "CHARTSIFT_SCREEN_CRASH_CASE"
#: given to workers unless set: one thread each and fewer malloc arenas (less reserved address space under
#: RLIMIT_AS). No hash seed: a review is the same under every PYTHONHASHSEED (tests/test_hash_seed.py)
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}
START_TIMEOUT_S = 600.0
MAX_START_FAILURES = 3


class PoolError(RuntimeError):
    """The pool cannot run at all (workers fail to start)."""


@dataclass
class Task:
    index: int
    case_id: str
    payload: dict


def resolve_function(path: str):
    """`"package.module:function"` -> the function."""
    module, _, name = path.partition(":")
    if not module or not name:
        raise ValueError(f"not a function path 'module:function': {path!r}")
    return getattr(importlib.import_module(module), name)


# ---------------------------------------------------------------------------------------------
# the worker side


def _die_with_parent(parent_pid: int) -> None:
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def _limit_memory(memory_mb: int | None) -> None:
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_main(conn, func_path: str, init_path: str | None, memory_mb: int | None, parent_pid: int) -> None:
    """Body of a worker process: build once, then review cases until told to stop."""
    _die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.disable(logging.WARNING)  # a worker's document warnings reach the outputs; keep the terminal quiet
    _limit_memory(memory_mb)
    func = resolve_function(func_path)
    if init_path:
        resolve_function(init_path)()
    conn.send(("ready", os.getpid()))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        reply, fatal = _run_one(func, task)
        reply["retiring"] = fatal
        conn.send(("outcome", reply))
        if fatal:
            return  # after MemoryError the interpreter may be damaged: let the parent replace us


def _run_one(func, task: Task) -> tuple[dict, bool]:
    if os.environ.get(CRASH_HOOK_ENV) == task.case_id:
        os.kill(os.getpid(), signal.SIGSEGV)
    start, cpu = time.perf_counter(), time.process_time()
    fatal = False
    try:
        reply = dict(func(task.payload))
    except MemoryError:
        reply = {"status": "error", "error_code": ErrorCode.MEMORY_LIMIT.value,
                 "error_message": "the review ran out of memory (worker memory limit)"}
        fatal = True
    except Exception as exc:  # noqa: BLE001  (a bug in review: report where, never the message: it may quote the chart)
        reply = {"status": "error", "error_code": ErrorCode.INTERNAL_ERROR.value,
                 "error_message": _where(exc)}
    reply["seconds"] = time.perf_counter() - start
    reply["cpu_seconds"] = time.process_time() - cpu
    reply["worker_pid"] = os.getpid()
    reply["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return reply, fatal


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    at = f" at {os.path.basename(last.filename)}:{last.lineno} in {last.name}" if last else ""
    return f"internal error {type(exc).__name__}{at}"


# ---------------------------------------------------------------------------------------------
# the parent side


@contextlib.contextmanager
def _worker_environment():
    """Spawned children inherit os.environ: give them WORKER_ENV (unless the user set it)."""
    added = {k: v for k, v in WORKER_ENV.items() if k not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for key in added:
            os.environ.pop(key, None)


class WorkerProcess:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, ctx, func_path: str, init_path: str | None, memory_mb: int | None):
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=worker_main, name="chartsift-screen-worker",
                                   args=(child, func_path, init_path, memory_mb, os.getpid()), daemon=True)
        with _worker_environment():
            self.process.start()
        child.close()
        self.ready = False
        self.started = time.monotonic()
        self.task: Task | None = None
        self.deadline = 0.0
        self.dispatched = 0.0
        self.killed = False

    def assign(self, task: Task, timeout: float | None) -> None:
        self.task = task
        self.dispatched = time.monotonic()
        self.deadline = self.dispatched + timeout if timeout else float("inf")
        self.conn.send(task)

    def kill(self) -> None:
        self.killed = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(2)
        self.kill()

    def death_outcome(self) -> Outcome:
        """The outcome of the case this worker was running when it died on its own."""
        code = self.process.exitcode
        if code is not None and code < 0:
            sig = signal.Signals(-code)
            if sig == signal.SIGKILL:  # not ours: the kernel's OOM killer
                return self._error(ErrorCode.MEMORY_LIMIT, "worker killed by the system (out of memory)")
            return self._error(ErrorCode.WORKER_CRASH, f"worker died of {sig.name} while reviewing the case")
        return self._error(ErrorCode.WORKER_CRASH, f"worker exited with status {code} while reviewing the case")

    def timeout_outcome(self, timeout: float) -> Outcome:
        return self._error(ErrorCode.TIMEOUT, f"review did not finish within {timeout:g} s; worker killed")

    def _error(self, code: ErrorCode, message: str) -> Outcome:
        assert self.task is not None
        return Outcome(case_id=self.task.case_id, status="error", error_code=code.value, error_message=message,
                       seconds=time.monotonic() - self.dispatched, worker_pid=self.process.pid)


def outcome_from_reply(case_id: str, reply: dict) -> Outcome:
    """The Outcome of a worker's reply; a reply that is not a result or a coded error is an internal error."""
    done = reply.get("status") == "done" and isinstance(reply.get("result_json"), str)
    code = None if done else str(reply.get("error_code") or ErrorCode.INTERNAL_ERROR.value)
    message = None if done else str(reply.get("error_message") or "the case function returned no result")
    return Outcome(case_id=case_id, status="done" if done else "error", result_json=reply.get("result_json") if done
                   else None, error_code=code, error_message=message, pages=int(reply.get("pages") or 0),
                   seconds=reply.get("seconds"), worker_pid=reply.get("worker_pid"),
                   peak_rss_kb=reply.get("peak_rss_kb"), cpu_seconds=reply.get("cpu_seconds"))


class LocalPool:
    """`workers` worker processes running `func_path` over tasks; see the module docstring."""

    def __init__(self, func_path: str, *, workers: int = 1, timeout: float | None = 300.0,
                 memory_mb: int | None = None, init_path: str | None = None, start_method: str = "spawn"):
        self.func_path, self.init_path = func_path, init_path
        self.workers, self.timeout, self.memory_mb = max(1, workers), timeout, memory_mb
        self.ctx = mp.get_context(start_method)
        self._live: list[WorkerProcess] = []
        self._start_failures = 0
        self.replaced = 0

    def _spawn(self) -> WorkerProcess:
        worker = WorkerProcess(self.ctx, self.func_path, self.init_path, self.memory_mb)
        self._live.append(worker)
        return worker

    def _replace(self, worker: WorkerProcess) -> None:
        """Kill and drop `worker`; `run` starts a new one if there is work left for it."""
        worker.kill()
        self._live.remove(worker)
        self.replaced += 1

    def _top_up(self, pending: deque) -> None:
        busy = sum(1 for w in self._live if w.task)
        while len(self._live) < min(self.workers, len(pending) + busy):
            self._spawn()

    def pids(self) -> list[int]:
        return [w.process.pid for w in self._live if w.process.pid]

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Outcome]]:
        """Run every task; yields (task, outcome) as each finishes. Workers are gone when it returns."""
        pending = deque(tasks)
        try:
            while pending or any(w.task for w in self._live):
                self._top_up(pending)
                for worker in list(self._live):
                    if worker.ready and worker.task is None and pending:
                        self._assign(worker, pending)
                yield from self._step()
        finally:
            self.close()

    def _assign(self, worker: WorkerProcess, pending: deque) -> None:
        task = pending.popleft()
        try:
            worker.assign(task, self.timeout)
        except (OSError, ValueError):  # it died while idle: the case goes back to the queue
            worker.task = None
            pending.appendleft(task)
            self._replace(worker)

    def _step(self) -> Iterator[tuple[Task, Outcome]]:
        now = time.monotonic()
        deadlines = [w.deadline for w in self._live if w.task] + [w.started + START_TIMEOUT_S for w in self._live
                                                                   if not w.ready]
        wait_s = max(0.0, min(deadlines + [now + 1.0]) - now)
        ready = set(wait([w.conn for w in self._live] + [w.process.sentinel for w in self._live], wait_s))
        for worker in list(self._live):
            if worker in self._live and (worker.conn in ready or worker.process.sentinel in ready):
                yield from self._service(worker)
        now = time.monotonic()
        for worker in list(self._live):
            if worker.task and now >= worker.deadline:
                outcome = worker.timeout_outcome(self.timeout or 0)
                task = worker.task
                self._replace(worker)
                yield task, outcome
            elif not worker.ready and now >= worker.started + START_TIMEOUT_S:
                self._start_failed(worker, "did not start in time")

    def _service(self, worker: WorkerProcess) -> Iterator[tuple[Task, Outcome]]:
        """Read what a worker sent; handle its death after draining its pipe."""
        while True:
            try:
                if not worker.conn.poll():
                    break
                kind, value = worker.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "ready":
                worker.ready, self._start_failures = True, 0
            elif kind == "outcome" and worker.task is not None:
                task, worker.task = worker.task, None
                if value.get("retiring"):  # it exits after this reply: take no more cases from it
                    worker.ready = False
                    self._replace(worker)
                yield task, outcome_from_reply(task.case_id, value)
                if value.get("retiring"):
                    return
        if not worker.process.is_alive():
            worker.process.join()
            if worker.task is not None:
                task, outcome = worker.task, worker.death_outcome()
                log.warning("case %s: %s", task.case_id, outcome.error_message)
                self._replace(worker)
                yield task, outcome
            elif not worker.ready:
                self._start_failed(worker, f"exited with status {worker.process.exitcode} while starting")
            else:
                self._replace(worker)  # died between cases (after a MemoryError, say)

    def _start_failed(self, worker: WorkerProcess, why: str) -> None:
        self._start_failures += 1
        if self._start_failures >= MAX_START_FAILURES:
            raise PoolError(f"screen workers fail to start: a worker {why} ({self._start_failures} times)")
        log.warning("a screen worker %s; starting another", why)
        self._replace(worker)

    def close(self) -> None:
        """Stop every worker (killing those that do not stop); no process is left behind."""
        for worker in self._live:
            if worker.task is None and worker.ready:
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
        for worker in self._live:
            worker.process.join(2 if worker.task is None else 0)
            worker.kill()
        self._live.clear()
