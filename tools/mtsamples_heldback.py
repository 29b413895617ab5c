"""The held-back fifth of corpora/mtsamples_dev (issue 15): notes never used for fixes from 2026-12-07 on.

The fifth is drawn deterministically (sha256 of the case id, modulo 5 == 0), so anyone can redraw it.
Until 2026-12-07 all 160 notes were development data (their first-seen score is the README's round 3);
from the commit that added this tool, fixes look only at the other four fifths, and the held-back
fifth is scored, never read for errors.

    python tools/mtsamples_heldback.py OUT_DIR   # OUT_DIR/dev and OUT_DIR/held: case folders (symlinks)
    chartsift evaluate OUT_DIR/held               # the score that counts for real notes
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "mtsamples_dev"


def held_back(case_id: str) -> bool:
    return int(hashlib.sha256(case_id.encode()).hexdigest(), 16) % 5 == 0


def split(out: Path) -> tuple[int, int]:
    counts = {"dev": 0, "held": 0}
    for part in counts:
        (out / part).mkdir(parents=True, exist_ok=True)
    for case in sorted(p for p in CORPUS.iterdir() if (p / "gold.json").exists()):
        part = "held" if held_back(case.name) else "dev"
        link = out / part / case.name
        if not link.exists():
            link.symlink_to(case.resolve(), target_is_directory=True)
        counts[part] += 1
    return counts["dev"], counts["held"]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dev, held = split(Path(sys.argv[1]))
    print(f"mtsamples_dev: {dev} development notes, {held} held back")
