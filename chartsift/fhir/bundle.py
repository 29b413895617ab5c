"""A review as an R4 `collection` Bundle: QuestionnaireResponse, DocumentReferences, ServiceRequest,
Provenance (chartsift as a Device; reviewers as Practitioners where they overrode an answer).

Never a ClaimResponse or any other decision resource: chartsift recommends, the payer decides.
Resource ids are UUIDs derived from the case id, so the same review gives the same Bundle.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from models import Request, ReviewResult

from .documents import SourceFile, document_reference
from .questionnaire import questionnaire
from .response import Override, response
from .terms import (
    CPT,
    DATA_OPERATION,
    ICD10CM,
    NAMESPACE,
    PROVENANCE_PARTICIPANT,
    SIDE_SYSTEM,
    coding,
    identifier_system,
)

_UUIDS = uuid.uuid5(uuid.NAMESPACE_URL, NAMESPACE)


def review_bundle(result: ReviewResult, sources: list[SourceFile] | None = None, *,
                  overrides: list[Override] | None = None, generated: dt.datetime | None = None,
                  policy: Any = None) -> dict[str, Any]:
    """The Bundle of one review. `sources` give each document's content type, size and hashes (and its
    text, only when the caller asked for it); `overrides` are reviewers' changes of criteria;
    `generated` (default now, UTC) stamps the Bundle, the response and the Provenance."""
    from evaluator import load_policy

    stamp = _instant(generated or dt.datetime.now(dt.UTC))
    policy = policy or load_policy(result.policy.id, result.request.date)
    case_key = result.case_id
    ids = _Ids(case_key)
    files = {s.name: s for s in sources or []}
    doc_entries = [(d.name, ids.url(f"document/{d.name}")) for d in result.documents]
    refs = {name: {"reference": url, "display": name} for name, url in doc_entries}
    device = {"reference": ids.url("device"), "display": f"chartsift {result.chartsift_version or ''}".strip()}
    by_criterion = {o.criterion: o for o in overrides or []}
    reviewers = sorted({o.reviewer for o in by_criterion.values()})
    reviewer_refs = {r: {"reference": ids.url(f"practitioner/{r}"), "display": r} for r in reviewers}
    form = questionnaire(policy)
    qr = response(result, form, refs, overrides=by_criterion, reviewer_refs=reviewer_refs, device=device,
                  authored=stamp, resource_id=ids.id("response"))
    entries = [(ids.url("response"), qr), (ids.url("request"), service_request(result, ids.id("request")))]
    entries += [(url, document_reference(d, files.get(d.name), ids.id(f"document/{d.name}")))
                for d, (_, url) in zip(result.documents, doc_entries)]
    entries.append((device["reference"], _device(result, ids.id("device"))))
    entries += [(ref["reference"], _practitioner(name, ids.id(f"practitioner/{name}")))
                for name, ref in reviewer_refs.items()]
    entries.append((ids.url("provenance"), _provenance(ids, stamp, device, [])))
    if reviewers:
        entries.append((ids.url("provenance/override"),
                        _provenance(ids, stamp, None, [reviewer_refs[r] for r in reviewers], "override")))
    return {"resourceType": "Bundle", "id": ids.id("bundle"),
            "identifier": {"system": identifier_system("case"), "value": result.case_id},
            "type": "collection", "timestamp": stamp,
            "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries]}


class _Ids:
    """Stable UUIDs for the resources of one case."""

    def __init__(self, case_id: str):
        self.case = uuid.uuid5(_UUIDS, case_id)

    def id(self, name: str) -> str:
        return str(uuid.uuid5(self.case, name))

    def url(self, name: str) -> str:
        return f"urn:uuid:{self.id(name)}"


def service_request(result: ReviewResult, resource_id: str) -> dict[str, Any]:
    """The request under review as the coded context of the answers: CPT, ICD-10-CM reasons, side, date."""
    req: Request = result.request
    resource: dict[str, Any] = {"resourceType": "ServiceRequest", "id": resource_id,
                                "identifier": [{"system": identifier_system("case"), "value": result.case_id}],
                                "status": "active", "intent": "order"}
    if req.cpt:
        resource["code"] = {"coding": [{"system": CPT, "code": req.cpt}]}
    resource["subject"] = {"display": f"the patient of case {result.case_id}"}
    if req.date:
        resource["authoredOn"] = req.date.isoformat()
    if req.icd10:
        resource["reasonCode"] = [{"coding": [{"system": ICD10CM, "code": code}]} for code in req.icd10]
    if req.side:
        resource["bodySite"] = [{"coding": [coding(SIDE_SYSTEM, req.side)], "text": f"{req.side} sacroiliac joint"}]
    return resource


def _device(result: ReviewResult, resource_id: str) -> dict[str, Any]:
    device: dict[str, Any] = {"resourceType": "Device", "id": resource_id,
                              "deviceName": [{"name": "chartsift", "type": "manufacturer-name"}]}
    if result.chartsift_version:
        device["version"] = [{"value": result.chartsift_version}]
    return device


def _practitioner(name: str, resource_id: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": resource_id,
            "identifier": [{"system": identifier_system("reviewer"), "value": name}], "name": [{"text": name}]}


def _provenance(ids: _Ids, stamp: str, device: dict[str, str] | None, people: list[dict[str, str]],
                activity: str = "CREATE") -> dict[str, Any]:
    """Who made the answers: chartsift (the device) for the automated ones, the reviewers for overrides."""
    agents = [{"type": {"coding": [{"system": PROVENANCE_PARTICIPANT, "code": "author"}]}, "who": who}
              for who in ([device] if device else []) + people]
    name = "provenance" if device else "provenance/override"
    operation = {"CREATE": "create", "override": "update"}[activity]
    return {"resourceType": "Provenance", "id": ids.id(name), "target": [{"reference": ids.url("response")}],
            "recorded": stamp, "activity": {"coding": [{"system": DATA_OPERATION, "code": operation.upper()}]},
            "agent": agents}


def _instant(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat(timespec="seconds")
