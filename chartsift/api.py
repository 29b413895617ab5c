"""`review`: one case in, the review result of SPEC section 3 out.

Every surface (CLI, web, batch, evaluation) calls this one function, so every surface gives
the same answer for the same chart.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import InputError
from extractor.extract import extract_case
from extractor.ingest import IngestedDocument, ingest
from extractor.ocr import mark_low_confidence, page_warnings
from extractor.ocr_guard import hold_not_met
from models import DocumentError, DocumentSummary, Request, ReviewResult

from . import __version__
from .case import load_case
from .logs import quiet_third_party_logging

log = logging.getLogger("chartsift")


@dataclass
class CaseReview:
    """A review result together with the documents it was read from (for renderings that quote context)."""

    result: ReviewResult
    sources: list[IngestedDocument]


def review(paths: list[Path] | Path | str, request: Request | None = None, *, case_id: str | None = None,
           policy_id: str = "CP.MP.126", max_pages: int | None = None) -> ReviewResult:
    """Review one case: a case folder, or the documents of one case.

    A document that cannot be read is reported in `errors` with its code; the rest of the
    case is still reviewed. `request` overrides the case folder's `case.json` request.
    """
    return review_case(paths, request, case_id=case_id, policy_id=policy_id, max_pages=max_pages).result


def review_case(paths: list[Path] | Path | str, request: Request | None = None, *, case_id: str | None = None,
                policy_id: str = "CP.MP.126", max_pages: int | None = None) -> CaseReview:
    """`review`, also handing back the ingested documents."""
    quiet_third_party_logging()
    case = load_case(paths, case_id=case_id)
    request = _merged_request(case.request, request)
    sources, summaries, errors = _ingest_all(case.documents, max_pages)
    extracted = extract_case(sources)
    mark_low_confidence(extracted.facts, sources)
    for summary in summaries:
        summary.notes = extracted.notes.get(summary.name, []) if summary.error is None else []
    evaluation = hold_not_met(_evaluate(extracted.facts, request, policy_id, extracted.latest_date), sources)
    result = ReviewResult(case_id=case.case_id, policy=evaluation.policy, request=request, documents=summaries,
                          facts=extracted.facts, determinations=evaluation.determinations,
                          recommendation=evaluation.recommendation, flags=evaluation.flags, errors=errors,
                          warnings=evaluation.warnings + _page_warnings(sources), chartsift_version=__version__)
    return CaseReview(result, sources)


def _merged_request(from_case: Request, given: Request | None) -> Request:
    if given is None:
        return from_case
    data = from_case.model_dump()
    data.update({k: v for k, v in given.model_dump().items() if v not in (None, [])})
    return Request.model_validate(data)


def _ingest_all(paths: list[Path], max_pages: int | None):
    sources: list[IngestedDocument] = []
    summaries: list[DocumentSummary] = []
    errors: list[DocumentError] = []
    for number, path in enumerate(paths, start=1):
        try:
            source = ingest(path, name=path.name, max_pages=max_pages)
        except InputError as exc:
            # code and reason only: file names often carry the patient's name (the review's errors name the file)
            log.warning("document %d of the case not reviewed: %s: %s", number, exc.code.value, exc.reason)
            errors.append(exc.to_model())
            summaries.append(DocumentSummary(name=path.name, pages=0, error=exc.to_model()))
            continue
        sources.append(source)
        summaries.append(DocumentSummary(name=source.name, pages=len(source.page_starts), sha256=source.sha256,
                                         unreadable_pages=source.unreadable_pages,
                                         ocr_pages=source.ocr.pages if source.ocr else [],
                                         ocr_confidence=source.ocr.confidence if source.ocr else {}))
    return sources, summaries, errors


def _page_warnings(sources: list[IngestedDocument]) -> list[str]:
    """`ocr_unreadable` for image pages OCR could not read, `no_text_layer` for pages left unread."""
    return page_warnings(sources)


def _evaluate(facts, request: Request, policy_id: str, latest: dt.date | None):
    from evaluator import evaluate_case

    return evaluate_case(facts, request, policy_id=policy_id, review_date=latest)
