"""Human-readable renderings of a review result (the CLI's `--text`)."""
from __future__ import annotations

from models import FactBase, ReviewResult

_SKIP = {"id", "type", "assertion", "evidence", "conflicts", "date_approximate"}
_STATUS = {"met": "MET", "not_met": "NOT MET", "insufficient": "INSUFFICIENT"}


def fact_summary(fact: FactBase) -> str:
    """`injection sacroiliac_joint 2026-02-03 left diagnostic relief_percent=80` style one-liner."""
    data = fact.model_dump(mode="json", exclude=_SKIP)
    # unstated attributes are left out; a stated False is shown only for contrast (it decides II.G)
    parts = [f"{k}={_value(v)}" for k, v in data.items()
             if v not in (None, [], False) or (k == "contrast" and v is False)]
    assertion = "" if fact.assertion == "present" else f" [{fact.assertion}]"
    return f"{fact.type}{assertion}: " + ", ".join(parts)


def _value(v) -> str:
    return "/".join(map(str, v)) if isinstance(v, list) else str(v)


def _quote(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def render_text(result: ReviewResult) -> str:
    lines = [(f"Case {result.case_id} - {result.policy.id} rev {result.policy.revision}"
              f" ({result.policy.pathway or 'both pathways'})")]
    req = result.request
    lines.append(f"Request: CPT {req.cpt or '-'}, side {req.side or '-'}, date {req.date or '-'}, "
                 f"ICD-10 {', '.join(req.icd10) or '-'}")
    lines.append("")
    rec = result.recommendation
    lines.append(f"RECOMMENDATION: {rec.status}" + (f" (confidence {rec.confidence:.2f})"
                                                    if rec.confidence is not None else ""))
    lines.append(f"  {rec.summary}")
    if result.needs_review:
        lines.append(f"NEEDS REVIEW: {len(result.needs_review)} of {len(result.determinations)} criteria below "
                     f"the confidence threshold, marked '?' below: {', '.join(result.needs_review)}")
    for flag in result.flags:
        lines.append(f"FLAG: {flag.kind}" + (f" - {flag.message}" if flag.message else ""))
    lines.append("")
    lines.append("Criteria (status, confidence):")
    facts = {f.id: f for f in result.facts}
    review = set(result.needs_review)
    for d in result.determinations:
        mark = "?" if d.criterion in review else " "
        conf = f"{d.confidence:.2f}" if d.confidence is not None else "  - "
        lines.append(f"{mark} {d.criterion:<8} {_STATUS[d.status]:<13} {conf}  {d.rationale}")
        for missing in d.missing:
            lines.append(f"  {'':<8} missing: {missing}")
        for fid in d.evidence:
            for ev in facts[fid].evidence[:1] if fid in facts else []:
                lines.append(f"  {'':<8} \"{_quote(ev.text, 90)}\" ({ev.document}, p. {ev.page or '-'})")
    lines.append("")
    lines.append("Documents: " + "; ".join(
        f"{d.name} ({d.pages} pages" + (f", error {d.error.code.value}" if d.error else "") + ")"
        for d in result.documents))
    lines.append("")
    lines.append(f"Facts ({len(result.facts)}):")
    for fact in result.facts:
        lines.append(f"  {fact.id:<4} {fact_summary(fact)}")
        for ev in fact.evidence:
            lines.append(f"        \"{_quote(ev.text)}\" ({ev.document}, p. {ev.page or '-'})")
    for warning in result.warnings:
        lines.append(f"WARNING: {warning}")
    for err in result.errors:
        lines.append(f"ERROR {err.code.value}: {err.document}: {err.message}")
    return "\n".join(lines)
