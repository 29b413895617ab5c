#!/usr/bin/env python3
"""Rebuild corpora/confidence/first_seen.jsonl.gz: each development corpus reviewed by the code as it
stood when the corpus was first scored (before any fix it prompted), one JSON line per case.

    python tools/first_seen_reviews.py [--out corpora/confidence/first_seen.jsonl.gz] [--reuse]

`--reuse` keeps the rows of every snapshot whose corpora are all already in the --out file (the reviews
of an old commit do not change) and reviews only the snapshots added since: the same bytes as a whole
rebuild, in minutes instead of an hour.

For each commit of SNAPSHOTS a detached git worktree is made in a temporary folder and the cases of
its corpora (the current case folders: documents and case.json do not change after a corpus lands)
are reviewed by that worktree's code, run with this virtualenv's Python. These are the training
rows of tools/train_confidence.py: reviews of charts the code had never seen.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: commit -> the corpora first scored on it (README "Accuracy history": rounds 3 to 10; round 5's
#: FC-006 crashed on first sight and is left out; round 6 was scored on 47343b7, and 2f1ca1b, the
#: clean-up right after it, gives the same 24 reviews byte for byte)
SNAPSHOTS = {
    "6392eff": ["sij_epic", "sij_dictation", "sij_va", "sij_therapy", "sij_faxed", "sij_hospital", "mtsamples_dev"],
    "eb06948": ["sij_final_a", "sij_final_b"],
    "5fbb153": ["sij_final_c", "sij_final_d"],
    "2f1ca1b": ["sij_final_e", "sij_final_f"],
    "16c64a0": ["sij_final_g", "sij_final_h"],
    "c42eceb": ["sij_final_i", "sij_final_j"],
    "b08c9aa": ["sij_final_k", "sij_final_l"],
    "495a1a9": ["sij_final_m", "sij_final_n"],
}

DUMP = """
import gzip, json, sys
from pathlib import Path
from chartsift.api import review
from chartsift.evaluation.corpus import load_corpus
with gzip.open(sys.argv[1], "wt", encoding="utf-8") as fh:
    for corpus in sys.argv[2:]:
        for case in load_corpus(Path(corpus)):
            try:
                r = review(case.case_dir, request=case.request, case_id=case.case_id)
            except Exception:  # a review that crashed on first sight has no confidence to learn from
                continue
            fh.write(json.dumps({"corpus": Path(corpus).name, "case_id": case.case_id,
                                 "review": json.loads(r.model_dump_json())}) + "\\n")
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "corpora/confidence/first_seen.jsonl.gz")
    ap.add_argument("--reuse", action="store_true",
                    help="keep the rows of snapshots already in --out; review only the new ones")
    args = ap.parse_args(argv)
    kept = _existing_rows(args.out) if args.reuse and args.out.exists() else {}
    with tempfile.TemporaryDirectory(prefix="chartsift-first-seen-") as tmp, \
            gzip.GzipFile(args.out, "wb", mtime=0) as out:  # mtime 0: the same bytes on every run
        for commit, corpora in SNAPSHOTS.items():
            if all(c in kept for c in corpora):
                out.write(b"".join(line for c in corpora for line in kept[c]))
                print(f"{commit}: {', '.join(corpora)} (kept)")
                continue
            tree = Path(tmp) / commit
            subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), commit],
                           check=True)
            try:
                part = Path(tmp) / f"{commit}.jsonl.gz"
                env = dict(os.environ, PYTHONPATH=str(tree))
                subprocess.run([sys.executable, "-c", DUMP, str(part), *(str(ROOT / "corpora" / c) for c in corpora)],
                               check=True, cwd=tree, env=env)
                out.write(gzip.decompress(part.read_bytes()))
            finally:
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
            print(f"{commit}: {', '.join(corpora)}")
    return 0


def _existing_rows(path: Path) -> dict[str, list[bytes]]:
    """The lines of an existing first-seen file, per corpus, in file order."""
    rows: dict[str, list[bytes]] = {}
    for line in gzip.decompress(path.read_bytes()).splitlines(keepends=True):
        corpus = json.loads(line)["corpus"]
        rows.setdefault(corpus, []).append(line)
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
