"""Coverage-guided fuzzing of ingestion and review with atheris (issue 9), seeded from the hostile corpus.

    .venv/bin/python benchmarks/fuzz.py --minutes 10 [--out DIR]      # needs atheris: .venv/bin/pip install atheris

The parent writes the seed corpus (tests/fixtures/hostile/make_hostile.py, small fixtures, plus a
good PDF and a text note), then runs the fuzzer in a child process (nice 10, RLIMIT_AS 3 GB,
libFuzzer's own RSS and per-input time limits) and prints its duration, executions and findings.

The property: `extractor.ingest.reader.ingest(data)` returns a document or raises `InputError`; a document
whose text is short enough is then taken through the fact stages and the policy evaluation, which
must not raise at all, and every evidence offset lies inside the text. Anything else is a finding:
its input is saved under OUT/findings/ (each finding becomes a hostile fixture), the fuzzer goes on.
A native crash, a timeout or the RSS limit ends a fuzzer process with libFuzzer's crash-* / oom-* /
timeout-* file; the parent then starts another on the grown corpus until the time is spent.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MAX_REVIEW_CHARS = 4000
STATS_EVERY = 50


def _make_hostile():
    path = REPO / "tests" / "fixtures" / "hostile" / "make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_hostile"] = module
    spec.loader.exec_module(module)
    return module


def write_seeds(folder: Path) -> int:
    mh = _make_hostile()
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for item in mh.catalogue():
        if not item.large:
            data = item.make()
            if len(data) < 200_000:  # libFuzzer mutates small inputs best
                (folder / f"seed-{count:03d}").write_bytes(data)
                count += 1
    for extra in (mh.good_note_pdf(), mh.text_note(), mh.encrypted_pdf(b""), mh.circular_xobject()):
        (folder / f"seed-{count:03d}").write_bytes(extra)
        count += 1
    return count


# ---------------------------------------------------------------- the child: atheris target

def _child(out: Path, corpus: Path, seconds: int) -> None:
    import atheris

    with atheris.instrument_imports():
        from extractor.extract import extract_case
        from extractor.ingest.errors import InputError
        from extractor.ingest.reader import ingest
    from chartsift.logs import quiet_third_party_logging
    from evaluator import evaluate_case
    from models import Request

    quiet_third_party_logging()
    os.environ.setdefault("CHARTSIFT_OCR", "off")  # Tesseract per input would starve the fuzzer
    findings = out / "findings"
    findings.mkdir(parents=True, exist_ok=True)
    stats = {"executions": 0, "ingested": 0, "reviewed": 0, "input_errors": 0, "findings": 0}

    def record(data: bytes, exc: BaseException) -> None:
        stats["findings"] += 1
        digest = hashlib.sha1(data).hexdigest()[:12]  # unique across the fuzzer processes of a run
        (findings / f"finding-{type(exc).__name__}-{digest}.bin").write_bytes(data)

    def target(data: bytes) -> None:
        stats["executions"] += 1
        if stats["executions"] % STATS_EVERY == 0:
            (out / "stats.json").write_text(json.dumps(stats))
        name = "fuzz.txt" if data[:1] == b"T" else "fuzz.pdf"
        try:
            doc = ingest(data, name=name)
        except InputError:
            stats["input_errors"] += 1
            return
        except Exception as exc:  # noqa: BLE001 - the finding
            record(data, exc)
            return
        stats["ingested"] += 1
        if len(doc.text) > MAX_REVIEW_CHARS:
            return
        try:
            case = extract_case([doc])
            evaluate_case(case.facts, Request(), review_date=case.latest_date)
            for fact in case.facts:
                for ev in fact.evidence:
                    assert 0 <= ev.start <= ev.end <= len(doc.text), "evidence outside the text"
            stats["reviewed"] += 1
        except Exception as exc:  # noqa: BLE001 - the finding
            record(data, exc)

    atheris.Setup([sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-timeout=30", "-rss_limit_mb=3072",
                   "-max_len=65536", f"-artifact_prefix={out}/", "-print_final_stats=1"], target)
    atheris.Fuzz()


# ---------------------------------------------------------------- the parent: seeds, run, report

def main() -> None:
    parser = argparse.ArgumentParser(description="atheris over ingestion and review, seeded from the hostile corpus")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: a new temporary folder)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.out, args.corpus, int(args.minutes * 60))
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="chartsift-fuzz-"))
    corpus = out / "corpus"
    seeds = write_seeds(corpus)
    print(f"fuzzing ingestion and review for {args.minutes:g} min, {seeds} seeds, output in {out}", flush=True)
    start = time.monotonic()
    deadline = start + args.minutes * 60
    logs, codes = [], []
    while deadline - time.monotonic() > 15:  # a native failure ends one fuzzer process: start the next
        left = (deadline - time.monotonic()) / 60
        proc = subprocess.run(["nice", "-n", "10", "prlimit", f"--as={4 << 30}", sys.executable, __file__, "--child",
                               "--out", str(out), "--corpus", str(corpus), "--minutes", f"{left:.3f}"], cwd=REPO,
                              capture_output=True, text=True, check=False,
                              env=dict(os.environ, PYTHONPATH=str(REPO), CHARTSIFT_OCR="off"))
        logs.append(proc.stderr)
        codes.append(proc.returncode)
    duration = time.monotonic() - start
    (out / "fuzzer.log").write_text("\n".join(logs))
    report(out, codes, duration, logs)


def report(out: Path, codes: list[int], duration: float, logs: list[str]) -> None:
    executions = 0
    for log in logs:  # each fuzzer process: its final count, else its last status line
        done = re.findall(r"Done (\d+) runs", log) or re.findall(r"number_of_executed_units: (\d+)", log) or \
            re.findall(r"^#(\d+)\s", log, re.MULTILINE)
        executions += int(done[-1]) if done else 0
    crashes = sorted(p.name for pattern in ("crash-*", "oom-*", "timeout-*") for p in out.glob(pattern))
    findings = sorted(p.name for p in (out / "findings").glob("*")) if (out / "findings").exists() else []
    print(f"duration            {duration:8.1f} s in {len(codes)} fuzzer process(es), exit codes {codes}")
    print(f"executions          {executions:8d}")
    print(f"python findings     {len(findings):8d}  {' '.join(findings[:10])}")
    print(f"native crash/oom    {len(crashes):8d}  {' '.join(crashes[:10])}")
    print(f"corpus size         {len(list((out / 'corpus').iterdir())):8d}")


if __name__ == "__main__":
    main()
