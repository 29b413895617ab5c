"""A policy as an R4 Questionnaire: one choice item per criterion, nested as the policy's tree.

Each criterion's answers are met / not met / insufficient, codings of chartsift's determination-status
code system. The pathway criteria (I, II) are enabled by the pathway item; the criteria every pathway
evaluates (III, codes) always are. Three read-only items carry the outcome: the recommendation, its
summary and the missing-documentation list.
"""
from __future__ import annotations

from typing import Any

from models.policy import NodeBase, Policy, children

from .terms import (
    PATHWAY_SYSTEM,
    RECOMMENDATION_SYSTEM,
    STATUS_SYSTEM,
    coding,
    extension_url,
    identifier_system,
    questionnaire_url,
)

PATHWAY_ITEM = "pathway"
RECOMMENDATION_ITEM = "recommendation"
SUMMARY_ITEM = "recommendation-summary"
MISSING_ITEM = "missing-documentation"
#: linkIds of the items that are not criteria
OUTCOME_ITEMS = (PATHWAY_ITEM, RECOMMENDATION_ITEM, SUMMARY_ITEM, MISSING_ITEM)
STATUS_CODES = ("met", "not_met", "insufficient")


def questionnaire(policy: Policy) -> dict[str, Any]:
    """The R4 Questionnaire of `policy` (a JSON-ready dict)."""
    pathway_of = {p.criterion: p.name for p in policy.pathways}
    criteria = [_criterion_item(top, pathway_of.get(top.id or "")) for top in policy.criteria]
    return {
        "resourceType": "Questionnaire",
        "id": _resource_id(policy.id),
        "url": questionnaire_url(policy.id),
        "identifier": [{"system": identifier_system("policy"), "value": policy.id}],
        "version": policy.revision,
        "name": _computable_name(policy),
        "title": f"{policy.id} {policy.title} ({policy.payer}), revision {policy.revision}",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "chartsift",
        "description": (f"Medical-necessity criteria of {policy.payer} {policy.id} {policy.title}, revision "
                        f"{policy.revision}, one item per criterion as the policy numbers them"
                        + (f" (source: {policy.source})" if policy.source else "") + "."),
        "effectivePeriod": _period(policy),
        "item": [_pathway_item(policy), *criteria, *_outcome_items()],
    }


def criterion_ids(policy: Policy) -> list[str]:
    """Every named criterion of the policy, parents before children (the Questionnaire's criterion items)."""
    out: list[str] = []

    def visit(node: NodeBase) -> None:
        if node.id:
            out.append(node.id)
        for child in children(node):
            visit(child)

    for top in policy.criteria:
        visit(top)
    return out


def _criterion_item(node: NodeBase, pathway: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": node.id, "prefix": node.id, "text": node.text or node.label or node.id}
    if node.label:
        item["extension"] = [{"url": extension_url("label"), "valueString": node.label}]
    item.update({"type": "choice", "required": True,
                 "answerOption": [{"valueCoding": coding(STATUS_SYSTEM, code)} for code in STATUS_CODES]})
    if pathway:
        item["enableWhen"] = [{"question": PATHWAY_ITEM, "operator": "=",
                               "answerCoding": coding(PATHWAY_SYSTEM, pathway)}]
    nested = [_criterion_item(child, None) for child in _named_children(node)]
    if nested:
        item["item"] = nested
    return item


def _named_children(node: NodeBase) -> list[NodeBase]:
    """The nearest named criteria below `node` (unnamed operators of the tree are looked through)."""
    out: list[NodeBase] = []
    for child in children(node):
        out.extend([child] if child.id else _named_children(child))
    return out


def _pathway_item(policy: Policy) -> dict[str, Any]:
    return {"linkId": PATHWAY_ITEM, "text": "Pathway(s) evaluated (from the requested CPT code, else the chart)",
            "type": "choice", "required": True, "repeats": True,
            "answerOption": [{"valueCoding": coding(PATHWAY_SYSTEM, p.name)} for p in policy.pathways]}


def _outcome_items() -> list[dict[str, Any]]:
    return [
        {"linkId": RECOMMENDATION_ITEM, "text": "chartsift's recommendation (it never denies: a criterion "
                                                "not met goes to physician review)",
         "type": "choice", "required": True, "readOnly": True,
         "answerOption": [{"valueCoding": coding(RECOMMENDATION_SYSTEM, code)}
                          for code in ("meets_criteria", "missing_documentation", "physician_review")]},
        {"linkId": SUMMARY_ITEM, "text": "Why", "type": "text", "readOnly": True},
        {"linkId": MISSING_ITEM, "text": "Documentation that would settle the criteria not documented",
         "type": "string", "repeats": True, "readOnly": True},
    ]


def _period(policy: Policy) -> dict[str, str]:
    period = {"start": policy.effective.from_.isoformat()}
    if policy.effective.to:
        period["end"] = policy.effective.to.isoformat()
    return period


def _resource_id(policy_id: str) -> str:
    """A FHIR id ([A-Za-z0-9.-], at most 64) from the policy id."""
    return "".join(ch if ch.isalnum() or ch in ".-" else "-" for ch in policy_id)[:64]


def _computable_name(policy: Policy) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in f"{policy.id} {policy.title}").split()
    name = "".join(w[:1].upper() + w[1:] for w in words)
    return name if name[:1].isalpha() else "Policy" + name
