"""`chartsift serve`: the reviewer web app (FastAPI + uvicorn) and its review worker processes."""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time


def register(sub: argparse._SubParsersAction) -> None:
    from chartsift.web.cliargs import add_storage_args
    from chartsift.web.config import DEFAULT_WORKER_MEMORY_MB

    p = sub.add_parser("serve", help="run the reviewer web app",
                       description="Serve the reviewer web app on 127.0.0.1 (by default), with review workers.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    add_storage_args(p)
    p.add_argument("--workers", type=int, default=1, help="review worker processes (default 1)")
    p.add_argument("--max-upload-mb", type=float, default=50.0, help="largest request body (default 50 MB)")
    p.add_argument("--max-pages", type=int, default=500, help="pages per document (default 500)")
    p.add_argument("--job-timeout", type=int, default=600, metavar="SECONDS",
                   help="a review taking longer fails with `timeout` (default 600)")
    p.add_argument("--memory-mb", type=_mebibytes, default=DEFAULT_WORKER_MEMORY_MB, metavar="MIB",
                   help="address-space limit of each review worker process, in MiB (default "
                        f"{DEFAULT_WORKER_MEMORY_MB}; 0: no limit): a review that runs past it fails with "
                        "`memory_limit`, and that worker exits and is restarted")
    p.add_argument("--idle-timeout", type=int, default=900, metavar="SECONDS", help="idle logout (default 900)")
    p.add_argument("--secure-cookies", action="store_true",
                   help="always mark cookies Secure (they are whenever the request came over https, "
                        "including X-Forwarded-Proto from a proxy on 127.0.0.1)")
    p.add_argument("--demo", action="store_true", help="seed the demo user and the demo case, print the login")
    p.set_defaults(handler=run)


def _mebibytes(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise argparse.ArgumentTypeError("0 (no limit) or a positive number of MiB")
    return value


class WorkerPool:
    """Keeps `n` worker processes alive: a dead one is restarted (and its held job marked worker_crash)."""

    def __init__(self, settings, n: int, memory_mb: int):
        self.settings, self.n, self.memory_mb, self.procs, self.stopping = settings, n, memory_mb, {}, False

    def _spawn(self, i: int) -> None:
        cmd = [sys.executable, "-m", "chartsift.web.worker", "--data-dir", str(self.settings.data_dir),
               "--name", f"worker-{i}", "--parent-pid", str(os.getpid()), "--max-pages", str(self.settings.max_pages),
               "--timeout", str(self.settings.job_timeout_s), "--memory-mb", str(self.memory_mb)]
        if self.settings.db_url:
            cmd += ["--db", self.settings.db_url]
        self.procs[i] = subprocess.Popen(cmd)

    def start(self) -> None:
        for i in range(self.n):
            self._spawn(i)
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while not self.stopping:
            time.sleep(1.0)
            for i, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping:
                    print(f"chartsift: worker-{i} exited ({proc.returncode}); restarting", file=sys.stderr)
                    self._spawn(i)

    def stop(self) -> None:
        self.stopping = True
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from chartsift.web.app import create_app
    from chartsift.web.cliargs import settings_from

    settings = settings_from(args, max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), max_pages=args.max_pages,
                             idle_timeout_s=args.idle_timeout, job_timeout_s=args.job_timeout, secure_cookies=True if args.secure_cookies else None)
    app = create_app(settings)
    if args.demo:
        from chartsift.web.demo import seed

        user, password, case_pk = seed(settings, app.state.sessions)
        print(f"chartsift demo: open http://{args.host}:{args.port}/login and log in as {user!r} "
              f"with password {password!r}; the demo case is http://{args.host}:{args.port}/cases/{case_pk}",
              flush=True)
    pool = WorkerPool(settings, max(1, args.workers), args.memory_mb)
    # uvicorn handles SIGTERM and SIGINT while it serves, then puts back the handlers it found and raises the
    # signal again: with Python's default SIGTERM action the process died there and the workers were orphaned.
    # This handler turns that second SIGTERM into an exception, so the `finally` below stops them.
    signal.signal(signal.SIGTERM, _terminated)
    try:
        pool.start()
        uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                    log_level="warning", server_header=False)
    except Terminated:
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    finally:
        pool.stop()
    return 0


class Terminated(Exception):
    """SIGTERM reached `chartsift serve` outside uvicorn's own handling (or uvicorn raised it again)."""


def _terminated(_signum, _frame) -> None:
    raise Terminated()
