"""`chartsift evaluate`: score chartsift on an annotated corpus (SPEC section 6)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.evaluation import EvaluationReport


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate", help="score extraction and determinations against an annotated corpus",
        description="Review every case folder of CORPUS_DIR with chartsift and score facts and determinations "
                    "against its gold.json files (SPEC section 6). Exit 1 when a --min-* gate fails, "
                    "2 when the corpus cannot be loaded.")
    p.add_argument("corpus_dir", type=Path, metavar="CORPUS_DIR", help="a folder of annotated case folders")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the EvaluationReport as JSON")
    out.add_argument("--markdown", action="store_true", help="print the README accuracy table (Markdown)")
    p.add_argument("--report", type=Path, metavar="HTML", help="also write a self-contained HTML report")
    p.add_argument("--baseline", type=Path, metavar="JSON",
                   help="a saved `--json` report: print the change of every number against it")
    p.add_argument("--min-f1", type=float, metavar="X", help="exit 1 when fact micro-F1 (text) is below X")
    p.add_argument("--min-determination-acc", type=float, metavar="Y",
                   help="exit 1 when determination accuracy (text) is below Y")
    p.add_argument("--min-recommendation-acc", type=float, metavar="Z",
                   help="exit 1 when recommendation accuracy (text) is below Z")
    p.add_argument("--as-pdf", action="store_true",
                   help="also render each case to a PDF packet and score that, side by side with the text")
    p.add_argument("--as-scan", action="store_true",
                   help="also render each case to a fax-like image-only PDF, read it with OCR and score that")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from chartsift.evaluation import CorpusError, evaluate
    from chartsift.evaluation.render_text import baseline_diff, markdown, summary
    from models.evaluation import EvaluationReport

    try:
        baseline = (EvaluationReport.model_validate_json(args.baseline.read_text(encoding="utf-8"))
                    if args.baseline else None)
    except (OSError, ValueError) as exc:
        print(f"chartsift evaluate: {args.baseline}: not a saved evaluation report ({type(exc).__name__})",
              file=sys.stderr)
        return 2
    try:
        report = evaluate(args.corpus_dir, as_pdf=args.as_pdf, as_scan=args.as_scan)
    except CorpusError as exc:
        print(f"chartsift evaluate: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(markdown(report) if args.markdown else summary(report))
    if baseline is not None:
        print("\n" + baseline_diff(report, baseline), file=sys.stderr if args.json else sys.stdout)
    if args.report:
        from chartsift.evaluation.report_html import write_html

        write_html(report, args.report)
    return _gates(report, {"fact micro-F1": args.min_f1, "determination accuracy": args.min_determination_acc,
                           "recommendation accuracy": args.min_recommendation_acc})


def _gates(report: EvaluationReport, gates: dict[str, float | None]) -> int:
    """Exit 1 when a gated number of the text scores is below its gate (or not measurable)."""
    values = {"fact micro-F1": report.facts.micro.f1, "determination accuracy": report.determinations.accuracy,
              "recommendation accuracy": report.determinations.recommendation.accuracy}
    failed = []
    for name, gate in gates.items():
        value = values[name]
        if gate is not None and (value is None or value < gate):
            shown = "none" if value is None else f"{value:.4f}"
            failed.append(f"chartsift evaluate: gate failed: {name} {shown} < {gate}")
    for line in failed:
        print(line, file=sys.stderr)
    return 1 if failed else 0
