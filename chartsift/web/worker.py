"""The review worker: a separate process that takes jobs from the `jobs` table and reviews their cases.

`python -m chartsift.web.worker --data-dir DIR [--db URL] [--name worker-0]`. `chartsift serve` starts
and restarts it; a job its dead predecessor held is marked `worker_crash`, and the case shows it. A review
has a time limit (`timeout`) and the worker an address-space limit (`memory_limit`, as the batch's workers:
after a MemoryError the worker exits and `serve` starts a fresh one).
"""
from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from .config import DEFAULT_WORKER_MEMORY_MB, Settings
from .db import make_engine, make_sessionmaker, transaction
from .middleware import where
from .models import Case, Job, utcnow
from .storage import REFUSAL_MESSAGES
from .worklist import refresh_state

log = logging.getLogger("chartsift.web.worker")
_stop = False
#: how long past its time limit a review stuck in native code gets before the worker gives up on it and exits
HARD_STOP_GRACE_S = 30.0
#: the default of --memory-mb (config.DEFAULT_WORKER_MEMORY_MB, which `chartsift serve` passes on)
DEFAULT_MEMORY_MB = DEFAULT_WORKER_MEMORY_MB


def enqueue(session: Session, case: Case) -> None:
    """Queue a (re-)review of `case` unless one is already waiting."""
    waiting = session.scalar(select(Job.id).where(Job.case_pk == case.id, Job.status == "queued"))
    if waiting is None:
        session.add(Job(case_pk=case.id, status="queued"))
    case.status = "queued"
    case.updated_at = utcnow()


def claim(sessions: sessionmaker[Session], worker: str) -> int | None:
    """Take the oldest queued job (row-locked on PostgreSQL, write-locked on SQLite)."""
    with transaction(sessions) as s:
        job = s.scalar(select(Job).where(Job.status == "queued").order_by(Job.id).limit(1)
                       .with_for_update(skip_locked=True))
        if job is None:
            return None
        job.status, job.worker, job.started_at = "running", worker, utcnow()
        s.execute(update(Case).where(Case.id == job.case_pk).values(status="processing", updated_at=utcnow()))
        return job.id


def recover(sessions: sessionmaker[Session], worker: str) -> int:
    """Mark the jobs a dead worker of this name held as crashed (its cases show `worker_crash`)."""
    with transaction(sessions) as s:
        jobs = s.scalars(select(Job).where(Job.status == "running", Job.worker == worker)).all()
        for job in jobs:
            _finish(s, job, "failed", "worker_crash")
        return len(jobs)


def _finish(s: Session, job: Job, status: str, error_code: str | None) -> None:
    job.status, job.error_code, job.finished_at = status, error_code, utcnow()
    case = s.get(Case, job.case_pk)
    if case is not None and error_code is not None:
        case.status, case.error_code, case.updated_at = "failed", error_code, utcnow()


def process(settings: Settings, sessions: sessionmaker[Session], job_id: int) -> str | None:
    """Review the case of one claimed job and store its result (or its coded failure, which it returns)."""
    with transaction(sessions) as s:
        job = s.get(Job, job_id)
        case = s.get(Case, job.case_pk)
        docs = [(d.display_name, d.storage_name, d.error_code) for d in case.documents]
        meta = (case.id, case.case_id, case.cpt, case.side, case.request_date, list(case.icd10 or []))
    try:
        with time_limit(settings.job_timeout_s):
            result_json, recommendation, html = _review(settings, meta, docs)
    except Exception as exc:  # noqa: BLE001 - any failure is reported by code, never by message
        code = {JobTimeout: "timeout", MemoryError: "memory_limit"}.get(type(exc), "internal_error")
        log.error("review failed: %s at %s (job %s)", type(exc).__name__, where(exc), job_id)
        with transaction(sessions) as s:
            _finish(s, s.get(Job, job_id), "failed", code)
        return code
    with transaction(sessions) as s:
        case = s.get(Case, meta[0])
        case.revision += 1
        (settings.result_dir / f"{case.id}-r{case.revision}.html").write_text(html, encoding="utf-8")
        case.result_json, case.recommendation, case.error_code = result_json, recommendation, None
        refresh_state(s, case)  # a new revision: no decisions of its own yet
        still_queued = s.scalar(select(Job.id).where(Job.case_pk == case.id, Job.status == "queued"))
        case.status, case.updated_at = ("queued" if still_queued else "done"), utcnow()
        _finish(s, s.get(Job, job_id), "done", None)
    return None


class JobTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int):
    """Raise JobTimeout in this (the worker's main) thread after `seconds`; no limit elsewhere or for 0."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(_sig, _frame):
        raise JobTimeout()

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _review(settings: Settings, meta: tuple, docs: list[tuple[str, str | None, str | None]]) -> tuple[str, str, str]:
    from chartsift.api import review_case
    from chartsift.render_html import render_html
    from models import Request

    _pk, case_id, cpt, side, date, icd10 = meta
    request = Request(cpt=cpt, side=side, date=date, icd10=icd10)
    # The review names each document by the file it reads: link the stored files under their (sanitized,
    # case-unique) display names in a private folder, so results match `chartsift review` of the same files.
    # The folder is named for this process: if it dies mid-review, the next worker removes it (remove_stale_work).
    work = Path(tempfile.mkdtemp(prefix=f"job-{os.getpid()}-", dir=settings.data_dir / "work"))
    try:
        paths = []
        for display, storage, refused in docs:
            if refused is None:
                link = work / display
                os.symlink((settings.upload_dir / storage).resolve(), link)
                paths.append(link)
        reviewed = review_case(paths, request, case_id=case_id, max_pages=settings.max_pages)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = with_refused(reviewed.result, docs)
    return result.model_dump_json(), result.recommendation.status, render_html(result, reviewed.sources)


def with_refused(result, docs: list[tuple[str, str | None, str | None]]):
    """The review with the files the upload refused put back in their places, each reported as `chartsift review`
    reports a bad document: a summary with no pages and its error, and the error in `errors` (document order)."""
    from models import DocumentError, DocumentSummary

    refused = {name: DocumentError(document=name, code=code, message=REFUSAL_MESSAGES[code])
               for name, _storage, code in docs if code is not None}
    if not refused:
        return result
    reviewed = {summary.name: summary for summary in result.documents}
    documents = [DocumentSummary(name=name, pages=0, error=refused[name]) if name in refused else reviewed.pop(name)
                 for name, _storage, _code in docs]
    order = {name: i for i, (name, _storage, _code) in enumerate(docs)}
    errors = sorted([*result.errors, *refused.values()], key=lambda e: order.get(e.document, len(order)))
    return result.model_copy(update={"documents": documents + list(reviewed.values()), "errors": errors})


def run_pending(settings: Settings, sessions: sessionmaker[Session], worker: str = "inline") -> int:
    """Process every queued job in this process (tests, `serve --inline-worker`); returns how many."""
    n = 0
    while (job_id := claim(sessions, worker)) is not None:
        process(settings, sessions, job_id)
        n += 1
    return n


def remove_stale_work(settings: Settings) -> int:
    """Remove the work folders of worker processes that died mid-review (their links bear the documents' names)."""
    removed = 0
    for folder in (settings.data_dir / "work").glob("job-*-*"):
        pid = folder.name.split("-")[1]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space (0: no limit); a review past it fails with `memory_limit`."""
    if memory_mb:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))


def serve_forever(settings: Settings, worker: str, parent_pid: int | None = None) -> None:
    """Take and review jobs until SIGTERM / SIGINT, or until `parent_pid` (the `chartsift serve` that started
    this worker) is no longer this process's parent: a worker never outlives its server (kill -9 included)."""
    sessions = make_sessionmaker(make_engine(settings.database_url))
    if recover(sessions, worker):
        log.warning("marked jobs of a crashed %s as failed", worker)
    if remove_stale_work(settings):
        log.warning("removed the work folders of crashed workers")
    from extractor.nlp.pipeline import get_nlp

    get_nlp()  # load once, before the first job
    while not _stop:
        if parent_pid is not None and os.getppid() != parent_pid:
            log.warning("the server that started this worker is gone; the worker exits")
            return
        job_id = claim(sessions, worker)
        if job_id is None:
            time.sleep(settings.poll_interval_s)
            continue
        watchdog = hard_stop(sessions, job_id, settings.job_timeout_s + HARD_STOP_GRACE_S) \
            if settings.job_timeout_s else None
        try:
            code = process(settings, sessions, job_id)
        finally:
            if watchdog is not None:
                watchdog.cancel()
        if code == "memory_limit":
            log.warning("exiting after running out of memory; serve starts a fresh worker")
            raise SystemExit(3)


def hard_stop(sessions: sessionmaker[Session], job_id: int, after_s: float) -> threading.Timer:
    """The time limit of a review stuck in native code (PDFium, zlib), where the alarm cannot raise: after
    `after_s` the job fails with `timeout` and the worker process exits; serve starts a fresh one."""
    def stop() -> None:
        log.error("review of job %s still running past its time limit; the worker exits", job_id)
        try:
            with transaction(sessions) as s:
                _finish(s, s.get(Job, job_id), "failed", "timeout")
        finally:
            os._exit(4)

    timer = threading.Timer(after_s, stop)
    timer.daemon = True
    timer.start()
    return timer


def _on_term(_sig, _frame) -> None:
    global _stop
    _stop = True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="chartsift-worker")
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--db", default="")
    p.add_argument("--name", default="worker-0")
    p.add_argument("--parent-pid", type=int, default=None, metavar="PID",
                   help="exit when this process (chartsift serve) is no longer the parent (default: run on)")
    p.add_argument("--max-pages", type=int, default=500)
    p.add_argument("--timeout", type=int, default=600, help="seconds a review may take (0: no limit)")
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                   help=f"address-space limit of the worker in MiB (default {DEFAULT_MEMORY_MB}; 0: none)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from chartsift.logs import quiet_third_party_logging

    quiet_third_party_logging()
    limit_memory(args.memory_mb)
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, _on_term)
    settings = Settings(data_dir=args.data_dir, db_url=args.db, max_pages=args.max_pages, job_timeout_s=args.timeout)
    serve_forever(settings, args.name, parent_pid=args.parent_pid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
