"""`review`: one case in, the review result of SPEC section 3 out.

Every surface (CLI, web, batch, evaluation) calls this one function, so every surface gives
the same answer for the same chart.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evaluator import evaluate_case
from evaluator.confidence import score_review
from evaluator.ocr_hold import hold_not_met
from extractor.case import read_case
from extractor.ingest.document import IngestedDocument
from models import Request, ReviewResult

from . import __version__
from .case import load_case
from .logs import quiet_third_party_logging


@dataclass
class CaseReview:
    """A review result together with the documents it was read from (for renderings that quote context)."""

    result: ReviewResult
    sources: list[IngestedDocument]


def review(paths: list[Path] | Path | str, request: Request | None = None, *, case_id: str | None = None,
           policy_id: str = "CP.MP.126", max_pages: int | None = None,
           review_threshold: float | None = None) -> ReviewResult:
    """Review one case: a case folder, or the documents of one case.

    A document that cannot be read is reported in `errors` with its code; the rest of the
    case is still reviewed. `request` overrides the case folder's `case.json` request.
    `review_threshold` overrides the confidence below which a criterion is listed in `needs_review`.
    """
    return review_case(paths, request, case_id=case_id, policy_id=policy_id, max_pages=max_pages,
                       review_threshold=review_threshold).result


def review_case(paths: list[Path] | Path | str, request: Request | None = None, *, case_id: str | None = None,
                policy_id: str = "CP.MP.126", max_pages: int | None = None,
                review_threshold: float | None = None) -> CaseReview:
    """`review`, also handing back the ingested documents."""
    quiet_third_party_logging()
    case = load_case(paths, case_id=case_id)
    request = _merged_request(case.request, request)
    extracted = read_case(case.documents, max_pages)
    evaluation = evaluate_case(extracted.facts, request, policy_id=policy_id, review_date=extracted.latest_date)
    evaluation = hold_not_met(evaluation, extracted.unread_pages)
    result = ReviewResult(case_id=case.case_id, policy=evaluation.policy, request=request,
                          documents=extracted.documents, facts=extracted.facts,
                          determinations=evaluation.determinations, recommendation=evaluation.recommendation,
                          flags=evaluation.flags, errors=extracted.errors,
                          warnings=evaluation.warnings + extracted.warnings, chartsift_version=__version__)
    score_review(result, threshold=review_threshold)
    return CaseReview(result, extracted.sources)


def _merged_request(from_case: Request, given: Request | None) -> Request:
    if given is None:
        return from_case
    data = from_case.model_dump()
    data.update({k: v for k, v in given.model_dump().items() if v not in (None, [])})
    return Request.model_validate(data)
