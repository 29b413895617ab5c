"""No `not_met` while part of the chart could not be read.

A page that neither its text layer nor OCR could read may hold exactly what a criterion needs (an
earlier course of therapy, a second injection, a positive test). While such a page exists, a
criterion the pages read call `not_met` is reported `insufficient` instead, with the unread pages
named in its rationale and as the missing document, and the recommendation is decided again from
the held determinations (SPEC section 3: never a false `not_met`). Request-only criteria (`codes`)
do not depend on the chart and keep their status.
"""
from __future__ import annotations

from evaluator.recommend import recommend
from models import Determination
from models.policy import PolicyEvaluation

#: criteria decided from the request alone, not from the chart
REQUEST_ONLY = frozenset({"codes"})


def hold_not_met(evaluation: PolicyEvaluation, unread: dict[str, list[int]]) -> PolicyEvaluation:
    """`evaluation` with chart criteria `not_met` held as `insufficient` while pages are unread
    (`unread`: document name -> pages no reading could get text from)."""
    if not unread or not any(_held(d) for d in evaluation.determinations):
        return evaluation
    held = hold_determinations(evaluation.determinations, unread)
    return evaluation.model_copy(update={"determinations": held,
                                         "recommendation": _recommend(evaluation, held)})


def hold_determinations(determinations: list[Determination], unread: dict[str, list[int]],
                        only: set[str] | None = None) -> list[Determination]:
    """`determinations` with those `not_met` held as `insufficient` while pages are unread (only the criteria
    in `only`, when given: a reviewer's own `not_met` stands)."""
    if not unread:
        return list(determinations)
    where = "; ".join(f"{name} page{'s' if len(pages) > 1 else ''} {', '.join(map(str, pages))}"
                      for name, pages in unread.items())
    return [_hold(d, where) if _held(d) and (only is None or d.criterion in only) else d for d in determinations]


def _held(d: Determination) -> bool:
    return d.status == "not_met" and d.criterion not in REQUEST_ONLY


def _hold(d: Determination, where: str) -> Determination:
    rationale = (f"{d.rationale} - not decided as not met: {where} could not be read (text layer and OCR), "
                 "and may document it")
    return d.model_copy(update={"status": "insufficient", "rationale": rationale,
                                "missing": [f"a readable copy of {where}"]})


def _recommend(evaluation: PolicyEvaluation, held: list[Determination]):
    by_id = {d.criterion: d for d in held}
    tops: dict[str, Determination] = {d.pathway: d for d in held if d.pathway is not None and "." not in d.criterion
            and d.criterion not in REQUEST_ONLY}
    always = [d for d in held if d.pathway is None and "." not in d.criterion]
    if not tops:
        return evaluation.recommendation
    label = f"{evaluation.policy.id} revision {evaluation.policy.revision}"
    return recommend(tops, always, by_id, label, both=len(tops) > 1)
