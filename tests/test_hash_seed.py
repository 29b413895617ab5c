"""A review does not depend on Python's hash seed: fact order and the review JSON are the same in two
processes with different PYTHONHASHSEED values (so screen workers, the CLI and the web need no fixed seed)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASE = ("sij_final_i", "FI-001", "text")
SCRIPT = ("import sys; sys.path.insert(0, 'tests'); from golden_reviews import review_json; "
          f"sys.stdout.write(review_json(*{CASE!r}))")


def _review_under(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=REPO, env=env, capture_output=True, text=True,
                          encoding="utf-8", timeout=600, check=True)
    return done.stdout


def test_review_is_the_same_under_two_hash_seeds():
    first, second = _review_under("1"), _review_under("2")
    assert len(json.loads(first)["facts"]) > 10  # a real review, with many facts to order
    assert first == second
