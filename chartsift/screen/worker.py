"""The per-case function of the product path: `chartsift.api.review` inside a screen worker.

`review_case(payload)` is what every worker (local pool or Dask) runs for a case; `warm_up()` runs
once per worker process so the nlp is built before the first case's timeout starts.
"""
from __future__ import annotations

from pathlib import Path

#: the importable paths the pool takes (tests give their own)
REVIEW_FUNCTION = "chartsift.screen.worker:review_case"
WARM_UP_FUNCTION = "chartsift.screen.worker:warm_up"
CASE_UNREADABLE = "case_unreadable"  # the code `chartsift review` prints for a bad case.json


def warm_up() -> None:
    """Build this process's nlp once (the first case would otherwise pay for it)."""
    from extractor.pipeline import get_nlp

    get_nlp()


def review_case(payload: dict) -> dict:
    """Review one case; a case that cannot be reviewed at all comes back as a coded error."""
    from chartsift.api import review
    from chartsift.case import CaseError
    from models import Request

    request = Request.model_validate(payload["request"]) if payload.get("request") else None
    paths = [Path(p) for p in payload["paths"]]
    try:
        result = review(paths, request, case_id=payload["case_id"], policy_id=payload["policy_id"],
                        max_pages=payload.get("max_pages"))
    except CaseError as exc:  # names the case.json and the field, never chart text
        return {"status": "error", "error_code": CASE_UNREADABLE, "error_message": str(exc)}
    pages = sum(doc.pages for doc in result.documents)
    return {"status": "done", "result_json": result.model_dump_json(), "pages": pages}
