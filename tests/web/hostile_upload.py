"""Helpers of the web hostile and PHI tests: raw multipart bodies, a review worker child process, waiting."""
from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

from hostile_harness import MEMORY_MB, REPO, child_env

from .conftest import FORM


def multipart(fields: dict[str, str], files: list[tuple[bytes, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body with each file name sent byte for byte (a NUL, a quote, invalid UTF-8: what
    a hostile client can send, and what httpx would percent-encode)."""
    boundary = uuid.uuid4().hex
    out = b""
    for key, value in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    for name, data in files:
        out += (f"--{boundary}\r\n".encode() + b'Content-Disposition: form-data; name="documents"; filename="'
                + name + b'"\r\nContent-Type: application/octet-stream\r\n\r\n' + data + b"\r\n")
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def post_case(web, case_id: str, files: list[tuple[bytes, bytes]], **fields):
    """POST /cases through the app's HTTP route, as a browser's form post would."""
    body, ctype = multipart(dict(FORM, case_id=case_id, csrf_token=web.csrf(), **fields), files)
    return web.client.post("/cases", content=body, headers={"Content-Type": ctype}, follow_redirects=False)


def start_worker(settings, log: Path, name: str = "worker-hostile", timeout_s: int = 60) -> subprocess.Popen:
    """`python -m chartsift.web.worker` as `chartsift serve` starts it, on the app's data dir and database, with
    the batch's memory limit (its own --memory-mb): a bomb may take down the worker, never the test process."""
    argv = [sys.executable, "-m", "chartsift.web.worker", "--data-dir", str(settings.data_dir), "--name", name,
            "--max-pages", str(settings.max_pages), "--timeout", str(timeout_s), "--memory-mb", str(MEMORY_MB),
            *(["--db", settings.db_url] if settings.db_url else [])]
    with log.open("wb") as err:
        return subprocess.Popen(argv, cwd=REPO, env=child_env(), stdout=subprocess.DEVNULL, stderr=err)


def wait_terminal(web, case_urls: list[str], deadline_s: float) -> dict[str, dict]:
    """Poll each case's live status (GET /cases/N/status) until it is done or failed, or the deadline."""
    pending, states = set(case_urls), {}
    deadline = time.monotonic() + deadline_s
    while pending and time.monotonic() < deadline:
        for url in sorted(pending):
            state = web.client.get(url + "/status").json()
            if state["status"] in ("done", "failed"):
                states[url] = state
                pending.discard(url)
        if pending:
            time.sleep(0.2)
    for url in pending:
        states[url] = web.client.get(url + "/status").json()
    return states
