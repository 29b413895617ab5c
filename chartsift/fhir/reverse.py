"""A chartsift Bundle back into chartsift's own review model.

Lossless for what the Bundle carries: the case id, policy, request, documents (name, pages, SHA-256,
OCR and unreadable pages), every determination with all its fields, the recommendation, and every fact
a determination cites with all its attributes, evidence and conflicts. Reviewers' overrides come back
apart from the review (the determinations stay chartsift's own). Facts no determination cites, flags,
warnings and document errors are not in the Bundle.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from models import (
    FACT_MODELS,
    Conflict,
    Determination,
    Evidence,
    PolicyRef,
    Recommendation,
    Request,
    ReviewResult,
)

from .documents import summary_of
from .questionnaire import MISSING_ITEM, OUTCOME_ITEMS, PATHWAY_ITEM, RECOMMENDATION_ITEM, SUMMARY_ITEM
from .response import _PLACED, Override
from .terms import CPT, EXTENSION_PREFIX, ICD10CM, INFORMATION_ORIGIN
from .values import field_values, grouped, is_list, scalar_of


class NotAChartsiftBundle(ValueError):
    """The Bundle lacks what chartsift writes (no QuestionnaireResponse of a chartsift policy, say)."""


@dataclass
class BundleReview:
    result: ReviewResult
    overrides: list[Override] = field(default_factory=list)


def bundle_to_review(bundle: dict[str, Any]) -> BundleReview:
    """The review a chartsift Bundle holds (NotAChartsiftBundle, naming no value, when it holds none)."""
    try:
        return _bundle_to_review(bundle)
    except ValidationError as exc:
        places = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in exc.errors()[:5])
        raise NotAChartsiftBundle(f"not a chartsift review: {places}") from None
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise NotAChartsiftBundle(f"not a chartsift review ({type(exc).__name__})") from None


def _bundle_to_review(bundle: dict[str, Any]) -> BundleReview:
    resources = {e["fullUrl"]: e["resource"] for e in bundle.get("entry", [])}
    by_type: dict[str, list[dict[str, Any]]] = {}
    for resource in resources.values():
        by_type.setdefault(resource["resourceType"], []).append(resource)
    if len(by_type.get("QuestionnaireResponse", [])) != 1:
        raise NotAChartsiftBundle("a chartsift Bundle holds exactly one QuestionnaireResponse")
    qr = by_type["QuestionnaireResponse"][0]
    reader = _Reader(resources)
    for item in qr.get("item", []):
        if item["linkId"] in OUTCOME_ITEMS:
            reader.read_item(item)
    for item in _evaluation_order(qr.get("item", []), reader.pathways):
        reader.read_item(item)
    canonical, _, revision = qr["questionnaire"].partition("|")
    policy_id = canonical.rsplit("/", 1)[1]
    pathways = reader.pathways
    data: dict[str, Any] = {
        "case_id": qr["identifier"]["value"],
        "policy": PolicyRef.model_validate({"id": policy_id, "revision": revision,
                                            "pathway": pathways[0] if len(pathways) == 1 else None}),
        "request": _request(by_type.get("ServiceRequest", [{}])[0]),
        "documents": [summary_of(d) for d in by_type.get("DocumentReference", [])],
        "facts": list(reader.facts.values()),
        "determinations": reader.determinations,
        "recommendation": reader.recommendation(),
        "chartsift_version": _version(by_type.get("Device", [])),
    }
    extras = grouped(e for e in qr.get("extension", []) if e["url"].startswith(EXTENSION_PREFIX))
    data.update(field_values(ReviewResult, extras, url=lambda n: EXTENSION_PREFIX + n))
    return BundleReview(ReviewResult.model_validate(data), reader.overrides)


def _evaluation_order(items: list[dict[str, Any]], pathways: list[str]) -> list[dict[str, Any]]:
    """The top criteria in the order a review evaluates them: each pathway's in turn, then the rest."""
    criteria = [i for i in items if i["linkId"] not in OUTCOME_ITEMS]

    def rank(item: dict[str, Any]) -> int:
        ext = grouped(item["answer"][0].get("extension", []))
        pathway = ext.get(EXTENSION_PREFIX + "pathway")
        code = scalar_of(pathway[0]) if pathway else None
        return pathways.index(code) if code in pathways else len(pathways)

    return sorted(criteria, key=rank)


class _Reader:
    def __init__(self, resources: dict[str, dict[str, Any]]):
        self.resources = resources
        self.facts: dict[str, Any] = {}
        self.determinations: list[Determination] = []
        self.overrides: list[Override] = []
        self.pathways: list[str] = []
        self.outcome: dict[str, Any] = {}

    def read_item(self, item: dict[str, Any]) -> None:
        link = item["linkId"]
        if link in OUTCOME_ITEMS:
            self._outcome(link, item.get("answer", []))
            return
        answer = item["answer"][0]
        for child in answer.get("item", []):
            self.read_item(child)
        self.determinations.append(self._determination(link, item.get("text"), answer))

    def _determination(self, criterion: str, text: str | None, answer: dict[str, Any]) -> Determination:
        ext = grouped(answer.get("extension", []))
        status = answer["valueCoding"]["code"]
        automated = ext.get(EXTENSION_PREFIX + "automated_status")
        if automated:
            self.overrides.append(self._override(criterion, status, ext))
            status = automated[0]["valueCoding"]["code"]
        evidence = [self._fact(e) for e in ext.get(EXTENSION_PREFIX + "evidence", [])]
        data = field_values(Determination, ext, url=lambda n: EXTENSION_PREFIX + n, skip=_PLACED)
        data.update(criterion=criterion, status=status, evidence=evidence, text=text)
        data.setdefault("rationale", "")
        return Determination.model_validate(data)

    def _override(self, criterion: str, status: str, ext: dict[str, list[dict[str, Any]]]) -> Override:
        origin = grouped(ext[INFORMATION_ORIGIN][0]["extension"])
        author = origin["author"][0]["valueReference"]
        reviewer = self.resources.get(author.get("reference", ""), {})
        name = next((i["value"] for i in reviewer.get("identifier", [])), author.get("display", ""))
        note = ext.get(EXTENSION_PREFIX + "override_note")
        return Override(criterion=criterion, status=status, reviewer=name, note=scalar_of(note[0]) if note else "")

    def _fact(self, evidence: dict[str, Any]) -> str:
        parts = grouped(evidence["extension"])
        fact_id = scalar_of(parts["fact"][0])
        if "type" in parts and fact_id not in self.facts:
            model = FACT_MODELS[scalar_of(parts["type"][0])]
            data = field_values(model, parts, skip={"id", "evidence", "conflicts"})
            data.update(id=fact_id, evidence=[_quote(q) for q in parts.get("quote", [])],
                        conflicts=[_conflict(model, c) for c in parts.get("conflict", [])])
            self.facts[fact_id] = model.model_validate(data)
        return fact_id

    def _outcome(self, link: str, answers: list[dict[str, Any]]) -> None:
        if link == PATHWAY_ITEM:
            self.pathways = [a["valueCoding"]["code"] for a in answers]
        elif link == RECOMMENDATION_ITEM:
            ext = grouped(answers[0].get("extension", []))
            self.outcome.update(field_values(Recommendation, ext, url=lambda n: EXTENSION_PREFIX + n))
            self.outcome["status"] = answers[0]["valueCoding"]["code"]
        elif link == SUMMARY_ITEM:
            self.outcome["summary"] = answers[0]["valueString"]
        elif link == MISSING_ITEM:
            pass  # derived from the determinations' `missing`

    def recommendation(self) -> Recommendation:
        return Recommendation.model_validate(self.outcome)


def _quote(quote: dict[str, Any]) -> Evidence:
    parts = grouped(quote["extension"])
    data = field_values(Evidence, parts, skip={"document"})
    data["document"] = parts["document"][0]["valueReference"]["display"]
    return Evidence.model_validate(data)


def _conflict(model: type[BaseModel], conflict: dict[str, Any]) -> Conflict:
    parts = grouped(conflict["extension"])
    attributes: dict[str, Any] = {}
    for name, found in parts.items():
        if name == "quote":
            continue
        values = [scalar_of(e) for e in found]
        info = model.model_fields.get(name)
        attributes[name] = values if info is not None and is_list(info.annotation) else values[0]
    return Conflict(attributes=attributes, evidence=[_quote(q) for q in parts.get("quote", [])])


def _request(resource: dict[str, Any]) -> Request:
    cpt = next((c["code"] for c in resource.get("code", {}).get("coding", []) if c.get("system") == CPT), None)
    icd10 = [c["code"] for r in resource.get("reasonCode", []) for c in r.get("coding", []) if c.get("system") == ICD10CM]
    side = next((c["code"] for s in resource.get("bodySite", []) for c in s.get("coding", [])), None)
    return Request(cpt=cpt, side=side, date=resource.get("authoredOn"), icd10=icd10)


def _version(devices: list[dict[str, Any]]) -> str | None:
    for device in devices:
        for version in device.get("version", []):
            return version["value"]
    return None
