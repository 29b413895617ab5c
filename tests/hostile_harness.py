"""Runs hostile files through the product surfaces in child processes, under time and memory limits.

`ApiRunner` keeps one child process that calls `chartsift.api.review` on one file at a time under
RLIMIT_AS, so a bomb can never take the test process down; a child that dies or overruns its
budget is replaced and the fixture is recorded as `crash:<signal>` or `timeout`.
"""
from __future__ import annotations

import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAKE_HOSTILE = REPO / "tests" / "fixtures" / "hostile" / "make_hostile.py"
#: address-space limit of every child (the batch's default: spaCy and PDFium reserve ~1 GB of it)
MEMORY_MB = 3072
#: the page limit the API child reviews with (as the batch and the web app are configured)
MAX_PAGES = 500


def load_make_hostile():
    spec = importlib.util.spec_from_file_location("make_hostile", MAKE_HOSTILE)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_hostile", module)
    spec.loader.exec_module(module)
    return module


def limited(argv: list[str], mb: int = MEMORY_MB) -> list[str]:
    """`python -m module args...` (argv without the interpreter) run under RLIMIT_AS of `mb` MiB; the
    limit is set by the child itself (a preexec_fn is unsafe in a test process that runs threads)."""
    module, args = argv[1], argv[2:]
    code = (f"import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, ({mb << 20}, {mb << 20})); "
            f"sys.argv = [{module!r}] + sys.argv[1:]; runpy.run_module({module!r}, run_name='__main__')")
    return [sys.executable, "-c", code, *args]


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(REPO), CHARTSIFT_OCR_CACHE="off", **extra)
    return env


_API_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]) << 20, int(sys.argv[1]) << 20))
from pathlib import Path
from chartsift.api import review
for line in sys.stdin:
    path = Path(json.loads(line))
    start = time.monotonic()
    try:
        result = review([path], case_id="hostile", max_pages=int(sys.argv[2]))
        out = {"codes": sorted({e.code.value for e in result.errors}), "facts": len(result.facts),
               "recommendation": result.recommendation.status, "warnings": len(result.warnings)}
    except Exception as exc:  # an untyped exception is a finding: report its type only
        out = {"untyped": type(exc).__name__}
    out["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(out), flush=True)
"""


@dataclass
class Outcome:
    name: str
    outcome: str  # "result", an ErrorCode value, "timeout", "crash:<rc>", "untyped:<Type>"
    seconds: float
    detail: dict


class ApiRunner:
    """One long-lived child reviewing files one at a time; replaced after a crash or a timeout."""

    def __init__(self, memory_mb: int = MEMORY_MB, env: dict[str, str] | None = None, max_pages: int = MAX_PAGES):
        self.memory_mb = memory_mb
        self.max_pages = max_pages
        self.env = env or child_env()
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue = queue.Queue()
        self.restarts = 0

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", _API_CHILD, str(self.memory_mb), str(self.max_pages)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                                     env=self.env)
        self.lines = queue.Queue()
        out, lines = self.proc.stdout, self.lines
        threading.Thread(target=lambda: [lines.put(x) for x in out] + [lines.put(None)], daemon=True).start()
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # drained, never blocks

    def review(self, path: Path, budget_s: float) -> Outcome:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        start = time.monotonic()
        self.proc.stdin.write(json.dumps(str(path)) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=budget_s)
        except queue.Empty:
            self._kill()
            return Outcome(path.name, "timeout", time.monotonic() - start, {})
        if line is None:
            rc = self.proc.wait()
            self.proc = None
            self.restarts += 1
            return Outcome(path.name, f"crash:{rc}", time.monotonic() - start, {})
        detail = json.loads(line)
        return Outcome(path.name, _outcome_of(detail), detail["seconds"], detail)

    def healthy(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            self.restarts += 1

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._kill()
            self.proc = None


def _outcome_of(detail: dict) -> str:
    if "untyped" in detail:
        return f"untyped:{detail['untyped']}"
    codes = [c for c in detail["codes"]]
    return codes[0] if len(codes) == 1 else ("result" if not codes else "+".join(codes))


def safe_case_id(name: str, index: int) -> str:
    """A case folder name for the batch (the original file name goes inside it)."""
    return f"H{index:02d}"
