"""Golden reviews: the review JSON of every annotated case of every corpus, as text and as a PDF packet.

`python tests/golden_reviews.py` (or `make golden`) rewrites `tests/golden/<corpus>/<case>.<rendering>.json`;
`tests/test_golden.py` compares the current output with them. A commit that means to change output
regenerates them and its diff is the review of that change; any other commit keeps them identical.

Renderings: `text` reviews the case folder as annotated; `pdf` renders its text documents as one
faxed packet (`chartsift.evaluation.aspdf.case_as_pdf`, the `evaluate --as-pdf` rendering) and reviews
that, so the PDF reader, page layout and boxes are covered too. The demo case is its packet PDF.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent / "golden"
#: annotated corpora: every folder of corpora/ whose case folders hold a case.json and a gold.json
CORPORA = tuple(sorted(d.name for d in (ROOT / "corpora").iterdir() if d.is_dir()
                       and any((c / "gold.json").is_file() and (c / "case.json").is_file() for c in d.iterdir()
                               if c.is_dir())))
RENDERINGS = ("text", "pdf")
DEMO = ROOT / "corpora" / "demo"


def cases() -> list[tuple[str, str, str]]:
    """(corpus, case folder name, rendering) of every golden review."""
    out = [("demo", "DEMO-001", "pdf")]
    for corpus in CORPORA:
        for case_dir in sorted((ROOT / "corpora" / corpus).iterdir()):
            if (case_dir / "gold.json").is_file() and (case_dir / "case.json").is_file():
                out += [(corpus, case_dir.name, rendering) for rendering in RENDERINGS]
    return out


def golden_path(corpus: str, case: str, rendering: str) -> Path:
    return HERE / corpus / f"{case}.{rendering}.json"


def review_json(corpus: str, case: str, rendering: str) -> str:
    """The review of one case in one rendering, as the golden file holds it (version left out)."""
    from chartsift import review
    from chartsift.evaluation.aspdf import case_as_pdf
    from chartsift.evaluation.corpus import load_case

    with tempfile.TemporaryDirectory(prefix="chartsift-golden-") as tmp:
        if corpus == "demo":
            folder = _demo_case(Path(tmp))
        elif rendering == "pdf":
            folder = Path(tmp) / case
            case_as_pdf(load_case(ROOT / "corpora" / corpus / case), folder)
        else:
            folder = ROOT / "corpora" / corpus / case
        result = review(folder)
    data = result.model_dump(mode="json", exclude={"chartsift_version"})
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def _demo_case(tmp: Path) -> Path:
    """The demo case folder with its packet rendered afresh (the packet is not committed)."""
    sys.path.insert(0, str(DEMO))
    try:
        from make_demo import main as make_demo
    finally:
        sys.path.remove(str(DEMO))
    folder = tmp / "demo"
    folder.mkdir()
    (folder / "case.json").write_bytes((DEMO / "case.json").read_bytes())
    with contextlib.redirect_stdout(io.StringIO()):
        make_demo(["--out", str(folder / "packet.pdf")])
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite the golden reviews under tests/golden/.")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when any differs")
    parser.add_argument("--corpus", action="append", metavar="NAME",
                        help="only this corpus (repeatable; e.g. a corpus that has just joined)")
    args = parser.parse_args(argv)
    changed = 0
    for corpus, case, rendering in cases():
        if args.corpus and corpus not in args.corpus:
            continue
        path = golden_path(corpus, case, rendering)
        text = review_json(corpus, case, rendering)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        changed += 1
        sys.stdout.write(f"{'differs' if args.check else 'wrote'}: {path.relative_to(ROOT)}\n")
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    sys.stdout.write(f"{len(cases())} golden reviews, {changed} {'differ' if args.check else 'written'}\n")
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
