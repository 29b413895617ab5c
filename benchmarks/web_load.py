"""Load check of the reviewer web app: N concurrent uploads of different charts on loopback.

    python benchmarks/web_load.py [--cases 20] [--workers 2] [--corpus corpora/sij] [--db URL]

Starts `chartsift serve` (SQLite by default, or `--db postgresql://...`) on a free port with its own data
dir, gives every client its own login, uploads one case folder each, all at once, polls until the review
is done, and checks: every review equals `chartsift review` of the same folder (the SPEC JSON, reviewer
section aside), no response or log line says "database is locked", every request answered 2xx/3xx.
Prints the median and 95th-percentile time from upload to result. Exit 1 when a check fails.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test password"


@dataclass
class Outcome:
    folder: Path
    seconds: float = 0.0
    result: dict | None = None
    problems: list[str] = field(default_factory=list)


def case_folders(corpus: Path, n: int) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if (p / "case.json").is_file())[:n]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def upload_and_wait(base: str, user: str, folder: Path, timeout: float = 300) -> Outcome:
    """Log in as `user`, create the case of `folder`, wait for its review, fetch the JSON export."""
    out = Outcome(folder)
    meta = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    req = meta.get("request") or {}
    names = meta.get("documents") or sorted(p.name for p in folder.iterdir() if p.suffix in (".pdf", ".txt"))
    with httpx.Client(base_url=base, timeout=60) as c:
        token = _csrf(c.get("/login").text)
        c.post("/login", data={"csrf_token": token, "username": user, "password": PASSWORD})
        form = {"csrf_token": _csrf(c.get("/cases/new").text), "case_id": meta["case_id"],
                "cpt": req.get("cpt") or "", "side": req.get("side") or "", "request_date": req.get("date") or "",
                "icd10": " ".join(req.get("icd10") or [])}
        files = [("documents", (n, (folder / n).read_bytes())) for n in names]
        start = time.monotonic()
        r = c.post("/cases", data=form, files=files)
        if r.status_code != 303:
            out.problems.append(f"upload answered {r.status_code}: {r.text[:200]}")
            return out
        url = r.headers["location"]
        while time.monotonic() - start < timeout:
            s = c.get(url + "/status")
            if s.status_code != 200:
                out.problems.append(f"status answered {s.status_code}: {s.text[:200]}")
                return out
            if s.json()["status"] in ("done", "failed"):
                break
            time.sleep(0.25)
        out.seconds = time.monotonic() - start
        if s.json()["status"] != "done":
            out.problems.append(f"review ended {s.json()}")
            return out
        out.result = c.get(url + "/export.json").json()
    return out


def cli_reviews(folders: list[Path]) -> dict[Path, dict]:
    """`chartsift review` of each folder (in this process), as the SPEC JSON."""
    from chartsift.api import review

    return {f: review(f).model_dump(mode="json") for f in folders}


def compare_with_cli(outcomes: list[Outcome], reference: dict[Path, dict] | None = None) -> None:
    """Note on each outcome whose review differs from the CLI's. In a checkout that others edit, take the
    reference right when the server's workers load the code (as `main` does), not long after."""
    reference = reference or cli_reviews([o.folder for o in outcomes if o.result is not None])
    for o in outcomes:
        if o.result is None:
            continue
        cli = reference[o.folder]
        web = {k: v for k, v in o.result.items() if k != "review"}
        if web != cli:
            keys = sorted(k for k in cli if cli.get(k) != web.get(k))
            o.problems.append(f"differs from the CLI review in {keys}")


def run_load(base: str, users: list[str], folders: list[Path]) -> list[Outcome]:
    with ThreadPoolExecutor(len(folders)) as pool:
        futures = [pool.submit(upload_and_wait, base, users[i % len(users)], f) for i, f in enumerate(folders)]
        return [f.result() for f in futures]


def summary(outcomes: list[Outcome]) -> dict:
    times = sorted(o.seconds for o in outcomes if o.result is not None)
    p95 = times[min(len(times) - 1, max(0, round(0.95 * len(times)) - 1))] if times else None
    return {"cases": len(outcomes), "completed": len(times),
            "median_s": round(statistics.median(times), 2) if times else None,
            "p95_s": round(p95, 2) if p95 is not None else None, "max_s": round(times[-1], 2) if times else None,
            "problems": {o.folder.name: o.problems for o in outcomes if o.problems}}


def start_server(data: Path, workers: int, db: str | None) -> tuple[subprocess.Popen, str, list[str]]:
    cli = [sys.executable, "-m", "chartsift.cli"]
    dbargs = ["--db", db] if db else []
    users = [f"load{i}" for i in range(4)]
    for u in users:
        subprocess.run([*cli, "user", "add", u, "--password-stdin", "--data-dir", str(data), *dbargs],
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = open(data / "serve.log", "w")  # noqa: SIM115 - the server writes to it while it runs
    proc = subprocess.Popen([*cli, "serve", "--port", str(port), "--data-dir", str(data), "--workers", str(workers),
                             *dbargs], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return proc, base, users
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("chartsift serve did not start")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cases", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--corpus", type=Path, default=ROOT / "corpora" / "sij")
    p.add_argument("--db", default=None, help="postgresql://... (default: SQLite in a temporary data dir)")
    args = p.parse_args(argv)
    folders = case_folders(args.corpus, args.cases)
    with tempfile.TemporaryDirectory(prefix="chartsift-load-") as tmp:
        proc, base, users = start_server(Path(tmp), args.workers, args.db)
        try:
            reference = cli_reviews(folders)  # the same code the workers just loaded
            t0 = time.monotonic()
            outcomes = run_load(base, users, folders)
            wall = time.monotonic() - t0
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        locked = "database is locked" in (Path(tmp) / "serve.log").read_text(errors="replace")
    compare_with_cli(outcomes, reference)
    report = summary(outcomes) | {"wall_s": round(wall, 2), "workers": args.workers,
                                  "database_is_locked": locked, "db": "postgresql" if args.db else "sqlite"}
    print(json.dumps(report, indent=2))
    return 0 if not report["problems"] and not locked and report["completed"] == len(folders) else 1


if __name__ == "__main__":
    threading.current_thread().name = "web_load"
    raise SystemExit(main())
