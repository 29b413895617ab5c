"""The per-case function of the product path: `chartsift.api.review` inside a screen worker.

`review_case(payload)` is what every worker (local pool or Dask) runs for a case; `warm_up()` runs
once per worker process so the nlp is built before the first case's timeout starts.
"""
from __future__ import annotations

from pathlib import Path

from models import ErrorCode

#: the importable paths the pool takes (tests give their own)
REVIEW_FUNCTION = "chartsift.screen.worker:review_case"
WARM_UP_FUNCTION = "chartsift.screen.worker:warm_up"
CASE_UNREADABLE = ErrorCode.CASE_UNREADABLE.value  # the code `chartsift review` prints for a bad case.json


def warm_up() -> None:
    """Build this process's nlp and load every rule and policy file once, by reviewing a tiny note.

    The first case would otherwise pay for it (inside its timeout), and a broken rules file stops
    the run at start-up instead of failing every case.
    """
    import tempfile

    from chartsift.api import review

    with tempfile.TemporaryDirectory(prefix="chartsift-warm-up-") as folder:
        note = Path(folder) / "warm_up.txt"
        note.write_text("Office visit\nDate of service: 01/05/2026\nLeft buttock pain for 8 months.\n", encoding="utf-8")
        review([note], case_id="warm-up")


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
