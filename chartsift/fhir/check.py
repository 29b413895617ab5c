"""Checks of chartsift's FHIR output: parsed by a real FHIR model library (fhir.resources, R4B models),
plus the rules it does not check that chartsift relies on.

The library's messages quote the values they refuse, and a value may be chart text (a quote); the
errors raised here name only the place and the kind of problem, never a value.
"""
from __future__ import annotations

import importlib
from typing import Any

from pydantic import ValidationError

from .questionnaire import PATHWAY_ITEM
from .values import FORBIDDEN_IN_STRING

#: decision resources a chartsift Bundle never holds: chartsift recommends, the payer decides
DECISION_RESOURCES = ("ClaimResponse", "CoverageEligibilityResponse", "ExplanationOfBenefit")
_QR_STATUSES = ("in-progress", "completed", "amended", "entered-in-error", "stopped")


class FhirCheckError(ValueError):
    """The output is not valid FHIR, or not what chartsift promises; the message holds no chart text."""


def parse(resource: dict[str, Any]) -> Any:
    """The resource as a fhir.resources R4B model (FhirCheckError when the library refuses it)."""
    kind = resource.get("resourceType", "")
    if not kind.isalpha():
        raise FhirCheckError("not a FHIR resource (no resourceType)")
    try:
        model = getattr(importlib.import_module(f"fhir.resources.R4B.{kind.lower()}"), kind)
    except (ImportError, AttributeError):
        raise FhirCheckError(f"unknown resourceType {kind!r}") from None
    try:
        return model.model_validate(resource)
    except ValidationError as exc:
        places = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['type']}" for e in exc.errors()[:5])
        raise FhirCheckError(f"{kind} refused by fhir.resources: {places}") from None


def check_questionnaire(questionnaire: dict[str, Any]) -> Any:
    """Parse it, and check that linkIds are unique and every choice offers its options."""
    parsed = parse(questionnaire)
    links = [item["linkId"] for item in _walk(questionnaire["item"])]
    doubles = sorted({link for link in links if links.count(link) > 1})
    if doubles:
        raise FhirCheckError(f"linkIds used twice: {', '.join(doubles)}")
    for item in _walk(questionnaire["item"]):
        if item["type"] == "choice" and not item.get("answerOption"):
            raise FhirCheckError(f"choice item {item['linkId']} offers no answers")
    return parsed


def check_bundle(bundle: dict[str, Any], questionnaire: dict[str, Any]) -> Any:
    """Parse the Bundle; then: a collection, no decision resource, and its QuestionnaireResponse answers
    every enabled required item of `questionnaire` with one of the item's options, nested as it is."""
    parsed = parse(bundle)
    _check_strings(bundle, "Bundle")
    if bundle.get("type") != "collection":
        raise FhirCheckError("a chartsift Bundle is a collection")
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    decisions = sorted(set(kinds) & set(DECISION_RESOURCES))
    if decisions:
        raise FhirCheckError(f"a chartsift Bundle holds no decision resource; found {', '.join(decisions)}")
    responses = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    if len(responses) != 1:
        raise FhirCheckError("a chartsift Bundle holds exactly one QuestionnaireResponse")
    check_response(responses[0], questionnaire)
    return parsed


def check_response(response: dict[str, Any], questionnaire: dict[str, Any]) -> None:
    if response.get("status") not in _QR_STATUSES:
        raise FhirCheckError("QuestionnaireResponse.status is not a code of its required value set")
    if response.get("questionnaire") != f"{questionnaire['url']}|{questionnaire['version']}":
        raise FhirCheckError("the QuestionnaireResponse answers another Questionnaire")
    answered = {a["valueCoding"]["code"] for i in response["item"] if i["linkId"] == PATHWAY_ITEM
                for a in i.get("answer", [])}
    _check_level(questionnaire["item"], response["item"], answered, "")


def _check_level(questions: list[dict[str, Any]], items: list[dict[str, Any]], pathways: set[str], where: str) -> None:
    by_link = {q["linkId"]: q for q in questions}
    seen = set()
    for item in items:
        question = by_link.get(item["linkId"])
        if question is None:
            raise FhirCheckError(f"item {item['linkId']} is not an item of the Questionnaire{where}")
        seen.add(item["linkId"])
        options = [o["valueCoding"]["code"] for o in question.get("answerOption", [])]
        for answer in item.get("answer", []):
            if options and answer.get("valueCoding", {}).get("code") not in options:
                raise FhirCheckError(f"the answer of {item['linkId']} is not one of its options")
            _check_level(question.get("item", []), answer.get("item", []), pathways, f" under {item['linkId']}")
    for question in questions:
        if question.get("required") and question["linkId"] not in seen and _enabled(question, pathways):
            raise FhirCheckError(f"required item {question['linkId']} is not answered{where}")


def _enabled(question: dict[str, Any], pathways: set[str]) -> bool:
    conditions = question.get("enableWhen", [])
    return not conditions or any(c["answerCoding"]["code"] in pathways for c in conditions
                                 if c["question"] == PATHWAY_ITEM)


def _check_strings(value: Any, where: str) -> None:
    """FHIR strings hold no control characters but tab, CR and LF (fhir.resources lets them pass)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for inner in value:
            _check_strings(inner, where)
    elif isinstance(value, str) and FORBIDDEN_IN_STRING.search(value):
        raise FhirCheckError(f"{where} holds a control character FHIR strings may not hold")


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for item in items:
        out.append(item)
        out.extend(_walk(item.get("item", [])))
    return out
