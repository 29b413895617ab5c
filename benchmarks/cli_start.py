"""CLI start-up: wall seconds from starting `chartsift ...` in a fresh process to its first output byte.

    python benchmarks/cli_start.py [--runs 7]

Commands: `--help`, `schema`, `policy show CP.MP.126`, and `review NOTE.txt --json` on a one-page
corpus note (corpora/sij/SIJ-001/consult_2025-09-08.txt). The commands alternate within each round
(a busy spell of the shared machine hits all of them); prints the median and range of the time to
the first byte on stdout and to exit, and the process's CPU seconds (user + system, of the child).
The CLI is started as `python -c "from chartsift.cli import main; ..."` from the repository root,
so it runs this checkout's code.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTE = REPO / "corpora" / "sij" / "SIJ-001" / "consult_2025-09-08.txt"
COMMANDS = {"--help": ["--help"], "schema": ["schema"], "policy show": ["policy", "show", "CP.MP.126"],
            "review one-page note": ["review", str(NOTE), "--json"]}


def start(args: list[str]) -> tuple[float, float, float]:
    """Seconds to the first stdout byte, to exit, and the child's CPU seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from chartsift.cli import main; sys.exit(main())",
                             *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
    proc.stdout.read(1)
    first = time.perf_counter() - began
    proc.stdout.read()
    if proc.wait():
        raise SystemExit(f"chartsift {' '.join(args)} exited {proc.returncode}")
    total = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return first, total, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in COMMANDS}
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(start(command))
    print(f"{args.runs} fresh processes per command, median (range); load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| command | first output, s | exit, s | CPU, s |")
    print("|---|---:|---:|---:|")
    for name, runs in times.items():
        print(f"| `chartsift {name}` | {spread([r[0] for r in runs])} | {spread([r[1] for r in runs])} | "
              f"{spread([r[2] for r in runs])} |")


if __name__ == "__main__":
    main()
