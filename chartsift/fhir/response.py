"""A review as the QuestionnaireResponse of its policy's Questionnaire.

Each criterion's answer is a determination-status coding tagged with Da Vinci DTR's information-origin
(`auto-client`; `override` with the reviewer as author where a reviewer changed it). The rationale, the
missing documentation, the pathway and every other field of the determination travel as extensions on
the answer, and so does each cited fact: its attributes and every quote (document, page, offsets, box).
Nested criteria sit in `answer.item`, as R4 nests the children of a question.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from models import Determination, Evidence, FactBase, ReviewResult

from .questionnaire import MISSING_ITEM, PATHWAY_ITEM, RECOMMENDATION_ITEM, SUMMARY_ITEM
from .terms import (
    INFORMATION_ORIGIN,
    PATHWAY_SYSTEM,
    RECOMMENDATION_SYSTEM,
    STATUS_SYSTEM,
    coding,
    extension_url,
    identifier_system,
)
from .values import field_extensions, scalar_extensions, value_extension

#: determination fields with a place of their own in the answer (the rest travel as extensions)
_PLACED = {"criterion", "status", "text", "evidence"}
#: fact fields always written, defaults or not (a reader needs them to read the rest)
_FACT_HEAD = ("assertion",)


@dataclass(frozen=True)
class Override:
    """A reviewer's change of one criterion (the web app's `override` decision)."""

    criterion: str
    status: str
    reviewer: str
    note: str = ""
    at: str | None = None  # ISO time of the decision


def response(result: ReviewResult, questionnaire: dict[str, Any], refs: dict[str, dict[str, str]], *,
             overrides: dict[str, Override], reviewer_refs: dict[str, dict[str, str]], device: dict[str, str],
             authored: str, resource_id: str) -> dict[str, Any]:
    """The QuestionnaireResponse. `refs`: document name -> Reference; `reviewer_refs`: reviewer -> Reference."""
    answers = _Answers(result, refs, overrides, reviewer_refs)
    items = [answers.item(q) for q in questionnaire["item"]]
    items = [i for i in items if i is not None]
    items += answers.leftovers()
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "id": resource_id}
    extensions = field_extensions(result, skip=_REVIEW_PLACED, url=extension_url)
    if extensions:
        resource["extension"] = extensions
    resource.update({
        "identifier": {"system": identifier_system("case"), "value": result.case_id},
        "questionnaire": f"{questionnaire['url']}|{questionnaire['version']}",
        "status": "completed", "authored": authored, "author": device, "item": items})
    return resource


#: review fields the Bundle carries in places of their own, or (facts, flags, errors...) not at all
_REVIEW_PLACED = {"case_id", "policy", "request", "documents", "facts", "determinations", "recommendation", "flags",
                  "errors", "warnings", "chartsift_version"}


class _Answers:
    def __init__(self, result: ReviewResult, refs: dict[str, dict[str, str]], overrides: dict[str, Override],
                 reviewer_refs: dict[str, dict[str, str]]):
        self.result, self.refs, self.overrides, self.reviewer_refs = result, refs, overrides, reviewer_refs
        self.determinations = {d.criterion: d for d in result.determinations}
        self.facts = {f.id: f for f in result.facts}
        self.placed: set[str] = set()

    def item(self, question: dict[str, Any]) -> dict[str, Any] | None:
        link = question["linkId"]
        if link in self.determinations:
            return self._criterion(question, self.determinations[link])
        return self._outcome(question)

    def leftovers(self) -> list[dict[str, Any]]:
        """Determinations of criteria the Questionnaire does not hold (never lost, answered at the top)."""
        return [self._criterion({"linkId": d.criterion, "text": d.text}, d)
                for d in self.result.determinations if d.criterion not in self.placed]

    def _criterion(self, question: dict[str, Any], d: Determination) -> dict[str, Any]:
        self.placed.add(d.criterion)
        override = self.overrides.get(d.criterion)
        answer: dict[str, Any] = {"extension": [self._origin(override)], "valueCoding": coding(
            STATUS_SYSTEM, override.status if override else d.status)}
        if override:
            answer["extension"] += [{"url": extension_url("automated_status"),
                                     "valueCoding": coding(STATUS_SYSTEM, d.status)}]
            if override.note:
                answer["extension"].append(value_extension(extension_url("override_note"), override.note))
        answer["extension"] += field_extensions(d, skip=_PLACED | ({"rationale"} if not d.rationale else set()),
                                                url=extension_url)
        answer["extension"] += [self._evidence(fact_id) for fact_id in d.evidence]
        nested = [i for i in (self.item(q) for q in question.get("item", [])) if i is not None]
        if nested:
            answer["item"] = nested
        item: dict[str, Any] = {"linkId": d.criterion}
        if d.text or question.get("text"):
            item["text"] = d.text or question["text"]
        item["answer"] = [answer]
        return item

    def _origin(self, override: Override | None) -> dict[str, Any]:
        if override is None:
            return {"url": INFORMATION_ORIGIN, "extension": [{"url": "source", "valueCode": "auto-client"}]}
        return {"url": INFORMATION_ORIGIN, "extension": [{"url": "source", "valueCode": "override"},
                                                         {"url": "author",
                                                          "valueReference": self.reviewer_refs[override.reviewer]}]}

    def _evidence(self, fact_id: str) -> dict[str, Any]:
        fact = self.facts.get(fact_id)
        parts: list[dict[str, Any]] = [{"url": "fact", "valueString": fact_id}]
        if fact is not None:
            parts += fact_extensions(fact, self.refs)
        return {"url": extension_url("evidence"), "extension": parts}

    def _outcome(self, question: dict[str, Any]) -> dict[str, Any] | None:
        link, result = question["linkId"], self.result
        answers: list[dict[str, Any]]
        if link == PATHWAY_ITEM:
            # in the order the review evaluated them (the reader restores the determinations' order from it)
            pathways = [result.policy.pathway] if result.policy.pathway else \
                list(dict.fromkeys(d.pathway for d in result.determinations if d.pathway))
            answers = [{"valueCoding": coding(PATHWAY_SYSTEM, p)} for p in pathways]
        elif link == RECOMMENDATION_ITEM:
            rec = result.recommendation
            answers = [{"extension": [_AUTO] + field_extensions(rec, skip={"status", "summary"}, url=extension_url),
                        "valueCoding": coding(RECOMMENDATION_SYSTEM, rec.status)}]
        elif link == SUMMARY_ITEM:
            answers = [{"extension": [_AUTO], "valueString": result.recommendation.summary}]
        elif link == MISSING_ITEM:
            answers = [{"extension": [_AUTO], "valueString": m} for m in missing_documentation(result)]
        else:
            return None
        if not answers:
            return None
        for answer in answers:
            if not answer.get("extension"):
                answer.pop("extension", None)
        return {"linkId": link, "text": question["text"], "answer": answers}


_AUTO = {"url": INFORMATION_ORIGIN, "extension": [{"url": "source", "valueCode": "auto-client"}]}


def missing_documentation(result: ReviewResult) -> list[str]:
    """What the case still needs: the `missing` of every criterion not documented, once each, in order."""
    return list(dict.fromkeys(m for d in result.determinations if d.status == "insufficient" for m in d.missing))


def fact_extensions(fact: FactBase, refs: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """A fact's attributes, then its quotes, then the statements that disagreed with it."""
    parts = [{"url": "type", "valueString": fact.type}]  # type: ignore[attr-defined]
    parts += field_extensions(fact, skip={"id", "type", "evidence", "conflicts"}, keep=_FACT_HEAD)
    parts += [quote_extension(ev, refs) for ev in fact.evidence]
    for conflict in fact.conflicts:
        inner = [e for name, value in conflict.attributes.items() for e in scalar_extensions(name, value)]
        inner += [quote_extension(ev, refs) for ev in conflict.evidence]
        parts.append({"url": "conflict", "extension": inner})
    return parts


def quote_extension(ev: Evidence, refs: dict[str, dict[str, str]]) -> dict[str, Any]:
    parts = [{"url": "document", "valueReference": refs.get(ev.document, {"display": ev.document})}]
    parts += field_extensions(ev, skip={"document"})
    return {"url": "quote", "extension": parts}
