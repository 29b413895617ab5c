"""Recommendation (SPEC section 3): decided by the pathway's top criterion together with the criteria
evaluated on every pathway (III, codes). Never a denial: not_met goes to physician review.
"""
from __future__ import annotations

from collections.abc import Mapping

from models import Determination, Recommendation

_PATHWAY_WORDS = {"minimally_invasive": "minimally invasive", "open": "open"}
_RANK = {"meets_criteria": 0, "missing_documentation": 1, "physician_review": 2}
_WORDS = {"meets_criteria": "Meets criteria", "missing_documentation": "Missing documentation",
          "physician_review": "Physician review"}


def status_of(deciding: list[Determination]) -> str:
    statuses = {d.status for d in deciding}
    if "not_met" in statuses:
        return "physician_review"
    return "missing_documentation" if "insufficient" in statuses else "meets_criteria"


def _named_children(top: Determination, by_id: dict[str, Determination]) -> list[Determination]:
    """The criteria directly below `top` (II.A ... II.H below II), in policy order."""
    depth = top.criterion.count(".") + 1
    return [d for c, d in by_id.items() if c.startswith(top.criterion + ".") and c.count(".") == depth]


def _reasons(top: Determination, always: list[Determination], by_id: dict[str, Determination],
             status: str) -> str:
    wanted = {"physician_review": "not_met", "missing_documentation": "insufficient"}.get(status)
    if wanted is None:
        return ", ".join([top.criterion, *(d.criterion for d in always)]) + " met"
    below = [d.criterion for d in _named_children(top, by_id) if d.status == wanted]
    named = [f"{top.criterion} ({', '.join(below)})" if below else top.criterion] if top.status == wanted else []
    named += [d.criterion for d in always if d.status == wanted]
    return ", ".join(named) + (" not met" if wanted == "not_met" else " not documented")


def recommend(tops: Mapping[str, Determination], always: list[Determination], by_id: dict[str, Determination],
              policy_label: str, both: bool) -> Recommendation:
    """One recommendation; with two pathways, the better of the two (documented in the summary)."""
    outcomes = sorted(((status_of([top, *always]), pathway, top) for pathway, top in tops.items()),
                      key=lambda o: _RANK[o[0]])
    status, pathway, top = outcomes[0]
    sentences = [(f"{_WORDS[status]}: {policy_label}, {_PATHWAY_WORDS[pathway]} pathway "
                  f"({top.criterion}): {_reasons(top, always, by_id, status)}.")]
    if both:
        others = [f"the {_PATHWAY_WORDS[p]} pathway ({t.criterion}) would be {_WORDS[s].lower()}"
                  for s, p, t in outcomes[1:]]
        sentences.insert(0, "No CPT code or planned procedure identifies the pathway, so both were evaluated "
                         "and the better outcome is shown.")
        sentences.append("Otherwise " + "; ".join(others) + ".")
    missing = list(dict.fromkeys(m for d in [top, *always] for m in d.missing)) \
        if status == "missing_documentation" else []
    if missing:
        sentences.append("Missing: " + "; ".join(missing) + ".")
    if status == "physician_review":
        sentences.append("Criteria not met are referred to a physician; this tool never denies.")
    return Recommendation(status=status, summary=" ".join(sentences))  # type: ignore[arg-type]
