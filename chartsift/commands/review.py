"""`chartsift review`: one case, printed as the SPEC review JSON or as readable text."""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

#: exit status of a request the command line or case.json states wrongly (unknown policy or CPT)
USAGE_EXIT = 2


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review", help="review one case against the policy",
                       description="Review one case: a case folder (with optional case.json) or the files "
                                   "(PDF or text) of one case. Options override case.json's request. "
                                   "Exit status: 0 reviewed; 3 a document could not be read (one coded line "
                                   "on stderr each, before the review; no review when no document could be "
                                   "read, or the folder holds none); 2 an unknown policy or CPT.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a case folder, or the documents of one case")
    p.add_argument("--case-id", help="case id (default: case.json, else the folder or first file name)")
    p.add_argument("--cpt", help="requested procedure: 27279 (minimally invasive) or 27280 (open)")
    p.add_argument("--allow-unknown-cpt", action="store_true",
                   help="review a request whose CPT is not a procedure of the policy (default: refused, exit 2); "
                        "the pathway is then inferred from the chart and the review warns")
    p.add_argument("--side", choices=["left", "right", "bilateral"], help="side of the requested fusion")
    p.add_argument("--request-date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                   help="date the request was received (windows are measured from it)")
    p.add_argument("--icd10", nargs="+", default=[], metavar="CODE", help="ICD-10 codes of the request")
    p.add_argument("--policy", default="CP.MP.126", metavar="ID", help="policy id (see `chartsift policy list`)")
    p.add_argument("--max-pages", type=int, metavar="P", help="refuse documents with more pages (code too_many_pages)")
    p.add_argument("--review-threshold", type=float, metavar="P",
                   help="list the criteria whose confidence is below P (0-1) in needs_review "
                        "(default: the confidence model's threshold, chosen by measurement)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print the review JSON of SPEC section 3 (default)")
    out.add_argument("--text", action="store_true", help="print a readable summary with quotes and pages")
    p.add_argument("--html", type=Path, metavar="OUT.html",
                   help="also write the review as a self-contained page, quotes highlighted in their sentence")
    p.add_argument("--pdf", type=Path, metavar="OUT.pdf",
                   help="also write the review as a PDF for the case file: the recommendation and its confidence "
                        "first, one row per criterion (status, confidence, rationale; needs-review ones marked "
                        "'check'), every quote with document and page, and a crop of each cited PDF page region "
                        "with its evidence box")
    p.add_argument("--fhir", type=Path, metavar="OUT.json",
                   help="also write the review as a FHIR R4 collection Bundle: a QuestionnaireResponse answering "
                        "each criterion of `policy show ID --fhir` (DTR information-origin auto-client) with its "
                        "rationale and quotes, one DocumentReference per document (SHA-256, size, pages; not the "
                        "document's text), a ServiceRequest for the request and a Provenance; never a decision "
                        "resource")
    p.add_argument("--fhir-include-text", action="store_true",
                   help="with --fhir: put each document's extracted text (the text evidence offsets point into) "
                        "in its DocumentReference. The text is the patient's chart: share the file accordingly")
    p.set_defaults(handler=run)


def _write_fhir(args: argparse.Namespace, reviewed) -> bool:
    """Write the Bundle; True when it failed its checks (an internal error: nothing is written)."""
    from chartsift.case import load_case
    from chartsift.fhir import FhirCheckError, checked_bundle, dumps, sources_of
    from models import ErrorCode

    texts = {s.name: s.text for s in reviewed.sources} if args.fhir_include_text else None
    sources = sources_of(load_case(args.paths, case_id=args.case_id).documents, texts)
    try:
        bundle = checked_bundle(reviewed.result, sources)
    except FhirCheckError as exc:
        print(f"chartsift: error [{ErrorCode.INTERNAL_ERROR.value}] FHIR Bundle not written: {exc}", file=sys.stderr)
        return True
    args.fhir.write_text(dumps(bundle), encoding="utf-8")
    return False


def _write_pdf(args: argparse.Namespace, result) -> None:
    from chartsift.case import load_case
    from chartsift.render_pdf import pdf_documents, render_pdf  # fpdf2 loads on use: `import chartsift` stays light

    paths = pdf_documents(load_case(args.paths, case_id=args.case_id).documents)
    args.pdf.write_bytes(render_pdf(result, paths))


def run(args: argparse.Namespace) -> int:
    if args.fhir_include_text and not args.fhir:
        print("chartsift: error: --fhir-include-text needs --fhir FILE", file=sys.stderr)
        return 2
    # the review's modules load here, not when the CLI builds its parser: `chartsift --help` and the
    # other commands do not pay for the models, the evaluator or the extractor
    from chartsift.api import review_case
    from chartsift.case import CaseError, load_case
    from chartsift.render import render_text
    from evaluator import UnknownPolicyError, load_policy, unknown_cpt
    from models import INPUT_ERROR_EXIT, ErrorCode, Request

    given = Request(cpt=args.cpt, side=args.side, date=args.request_date, icd10=args.icd10)
    try:
        case = load_case(args.paths, case_id=args.case_id)  # a bad case.json or an empty folder: before any work
        policy = load_policy(args.policy, args.request_date or case.request.date)
    except CaseError as exc:
        print(f"chartsift: error [{ErrorCode.CASE_UNREADABLE.value}] {exc}", file=sys.stderr)
        return INPUT_ERROR_EXIT
    except UnknownPolicyError as exc:
        print(f"chartsift: error [unknown_policy] {exc}", file=sys.stderr)
        return USAGE_EXIT
    cpt = args.cpt or case.request.cpt
    refusal = unknown_cpt(policy, cpt)
    if refusal and not args.allow_unknown_cpt:
        print(f"chartsift: error [{ErrorCode.UNKNOWN_CPT.value}] {refusal}", file=sys.stderr)
        return USAGE_EXIT
    # each document error is printed below, one line each: the ingest log line would say it a second time
    ingest_log = logging.getLogger("chartsift.ingest")
    level = ingest_log.level
    ingest_log.setLevel(logging.ERROR)
    try:
        reviewed = review_case(args.paths, given, case_id=args.case_id, policy_id=args.policy,
                               max_pages=args.max_pages, review_threshold=args.review_threshold)
    finally:
        ingest_log.setLevel(level)
    result = reviewed.result
    for err in result.errors:  # first, so that a reader of the terminal sees them before the review
        print(f"chartsift: error [{err.code.value}] {err.document}: {err.message}", file=sys.stderr)
    if result.documents and all(doc.error is not None for doc in result.documents):
        return INPUT_ERROR_EXIT  # no document could be read: there is nothing to review, so no review
    print(render_text(result) if args.text else result.model_dump_json(indent=2))
    if args.html:
        from chartsift.render_html import render_html

        args.html.write_text(render_html(result, reviewed.sources), encoding="utf-8")
    if args.pdf:
        _write_pdf(args, result)
    if args.fhir and _write_fhir(args, reviewed):
        return 1
    return INPUT_ERROR_EXIT if result.errors else 0
