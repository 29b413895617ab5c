"""Render the demo case's notes (`corpora/demo/src/*.txt`, by name) into one faxed PDF packet.

    python corpora/demo/make_demo.py [--out PATH]

Each note starts on a new page under the clinic letterhead, with a fax header and a
"Page N of M" footer on every page, as a prior-authorization packet arrives. The output
is deterministic, so the packet does not need to be committed.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chartsift.packet import render_packet

HERE = Path(__file__).resolve().parent
LETTERHEAD = "Riverside Spine & Pain Center | 400 Oak Street, Springfield, IL 62704 | Tel (555) 010-0100"
FAX_HEADER = "02/16/2026 10:14 FAX (555) 010-0199  Riverside Spine & Pain -> Utilization Mgmt  Page {page} of {pages}"


def source_notes(src: Path) -> list[str]:
    """The text of every note under `src`, in file-name order."""
    return [path.read_text(encoding="utf-8") for path in sorted(src.glob("*.txt"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=HERE / "src", help="folder of the notes (*.txt)")
    parser.add_argument("--out", type=Path, default=HERE / "packet.pdf", help="where to write the packet")
    args = parser.parse_args(argv)
    notes = source_notes(args.src)
    if not notes:
        parser.error(f"no notes (*.txt) under {args.src}")
    pages = render_packet(notes, args.out, letterhead=LETTERHEAD, header=FAX_HEADER)
    sys.stdout.write(f"{args.out}: {len(notes)} notes, {pages} pages\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
