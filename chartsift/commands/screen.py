"""`chartsift screen`: bulk pre-screening of many cases into an output folder (resumable)."""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("screen", help="pre-screen many cases in bulk (resumable, isolated workers)",
                       description="Review every case of INPUT into OUT: results.jsonl, summary.csv, errors.csv, "
                                   "index.html and one report per case (with --fhir, one FHIR Bundle per case). Rerunning skips the cases already done; "
                                   "each case runs in a worker process with a timeout and a memory limit.")
    p.add_argument("input", type=Path, metavar="INPUT",
                   help="a folder of case folders, a folder of PDFs (one case each), or a manifest CSV "
                        "(case_id,cpt,side,request_date,icd10,files)")
    p.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder (holds the ledger)")
    p.add_argument("--workers", type=int, default=None, metavar="N", help="worker processes (default: CPU count)")
    p.add_argument("--timeout", type=float, default=None, metavar="S", help="seconds per case before it is killed "
                   "(default 300; 0 = none)")
    p.add_argument("--max-pages", type=int, default=None, metavar="P", help="refuse documents with more pages")
    p.add_argument("--memory-mb", type=int, default=None, metavar="MB",
                   help="address-space limit per worker in MiB (default 3072; 0 = none)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask cluster: tcp://HOST:PORT, or 'local'")
    p.add_argument("--policy", default="CP.MP.126", metavar="ID", help="policy id")
    p.add_argument("--retry-errors", action="store_true", help="review again the cases that ended in an error")
    p.add_argument("--fhir", action="store_true",
                   help="also write each reviewed case as a FHIR R4 Bundle, OUT/fhir/<case>.json (as `review --fhir`; "
                        "no document text)")
    p.add_argument("--allow-unknown-cpt", action="store_true",
                   help="review the cases whose CPT is not a procedure of the policy (default: each is an error row "
                        "unknown_cpt, as `review` refuses it, and the others are screened); a rerun with it reviews "
                        "just those")
    p.add_argument("--quiet", action="store_true", help="no progress output")
    p.set_defaults(handler=run)


def _terminate(signum, frame):  # SIGTERM: unwind like Ctrl-C so workers are stopped and outputs written
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    import os

    # loaded on use, not when the CLI builds its parser (`chartsift --help` and the other commands skip them)
    from chartsift.screen import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, LedgerBusy, PoolError, ScreenInputError, screen
    from chartsift.screen.progress import NullProgress, for_stream
    from models import INPUT_ERROR_EXIT, ErrorCode

    if args.workers is not None and args.workers < 1:
        print("chartsift: error: --workers must be at least 1", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)
    timeout = DEFAULT_TIMEOUT_S if args.timeout is None else (args.timeout or None)
    memory = DEFAULT_MEMORY_MB if args.memory_mb is None else (args.memory_mb or None)
    try:
        report = screen(args.input, args.out, workers=args.workers or os.cpu_count() or 1, timeout=timeout,
                        max_pages=args.max_pages, dask=args.dask, policy_id=args.policy, memory_mb=memory,
                        retry_errors=args.retry_errors, fhir=args.fhir, allow_unknown_cpt=args.allow_unknown_cpt, progress=NullProgress() if args.quiet else for_stream(sys.stderr))
    except ScreenInputError as exc:
        print(f"chartsift: error: {exc}", file=sys.stderr)
        return 2
    except (PoolError, LedgerBusy) as exc:
        print(f"chartsift: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("chartsift: interrupted; rerun the same command to finish (done cases are kept)", file=sys.stderr)
        return 130
    counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
    if report.fhir_failed:
        print(f"chartsift: error [{ErrorCode.INTERNAL_ERROR.value}] {report.fhir_failed} FHIR Bundle(s) failed their "
              "checks and were not written", file=sys.stderr)
    print(f"screened {report.total} cases into {report.out} ({report.skipped} already done, {report.reviewed} "
          f"reviewed, {report.errors} errors; {counts})", file=sys.stderr)
    return INPUT_ERROR_EXIT if report.counts.get("error") else 0  # some case could not be reviewed
