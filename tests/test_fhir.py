"""FHIR R4 output (issue 18): the policy as a Questionnaire, each review as a Bundle, and back.

The Bundles of every corpus case are built from the golden text reviews (tests/golden/*/*.text.json) and
the case files under corpora/, so no NLP runs for them; the demo packet goes through the CLI once per
module. Every Bundle is parsed by fhir.resources (R4B models) and by chartsift's own checks.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from chartsift.cli import main
from chartsift.fhir import (
    FhirCheckError,
    NotAChartsiftBundle,
    Override,
    SourceFile,
    bundle_to_review,
    checked_bundle,
    checked_questionnaire,
    code_systems,
    criterion_ids,
    review_bundle,
)
from chartsift.fhir.check import check_bundle, parse
from chartsift.fhir.documents import sha256_of_ni
from chartsift.fhir.terms import ATTACHMENT_PAGES, INFORMATION_ORIGIN, extension_url
from evaluator import available_policies, load_policy
from models import ReviewResult
from models.policy import children

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
DEMO = ROOT / "corpora" / "demo"
STAMP = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
CORPORA = sorted({p.parent.name for p in GOLDEN.glob("*/*.text.json")})


@cache
def golden_cases(corpus: str) -> list[tuple[str, ReviewResult, Path]]:
    """(case, golden review, case folder) of every golden text review of `corpus`."""
    out = []
    for path in sorted((GOLDEN / corpus).glob("*.text.json")):
        case = path.name.split(".text.")[0]
        out.append((case, ReviewResult.model_validate_json(path.read_text(encoding="utf-8")),
                    ROOT / "corpora" / corpus / case))
    return out


def _sources(result: ReviewResult, folder: Path) -> list[SourceFile]:
    return [SourceFile.from_path(folder / d.name) for d in result.documents if (folder / d.name).is_file()]


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def _answered(items: list[dict]) -> dict[str, dict]:
    """linkId -> first answer, through answers' nested items."""
    out = {}
    for item in items:
        for answer in item.get("answer", [])[:1]:
            out[item["linkId"]] = answer
            out.update(_answered(answer.get("item", [])))
    return out


# ---------------------------------------------------------------- the Questionnaire


@pytest.mark.parametrize("policy_id", [pytest.param(p.id, id=p.id) for p in available_policies()])
def test_questionnaire_parses_and_has_one_item_per_criterion_nested_as_the_tree(policy_id):
    policy = load_policy(policy_id)
    form = checked_questionnaire(policy)  # fhir.resources parses it; linkIds unique
    parents: dict[str, str | None] = {}

    def visit(items, parent):
        for item in items:
            parents[item["linkId"]] = parent
            visit(item.get("item", []), item["linkId"])

    visit(form["item"], None)
    criteria = criterion_ids(policy)
    assert [c for c in parents if c in criteria] == criteria
    assert len(parents) == len(criteria) + 4  # pathway, recommendation, its summary, missing documentation

    def named_parent(node, above):
        for child in children(node):
            if child.id:
                assert parents[child.id] == above, child.id
            named_parent(child, child.id or above)

    for top in policy.criteria:
        assert parents[top.id] is None
        named_parent(top, top.id)


def test_cp_mp_126_questionnaire_metadata_and_answers():
    form = checked_questionnaire(load_policy("CP.MP.126"))
    assert form["identifier"][0]["value"] == "CP.MP.126"
    assert form["version"] == "06/22"
    assert form["effectivePeriod"] == {"start": "2022-06-01"}
    assert form["url"].endswith("/Questionnaire/CP.MP.126")
    g = next(i for i in form["item"] if i["linkId"] == "II")["item"]
    g = next(i for i in g if i["linkId"] == "II.G")
    assert g["type"] == "choice" and g["text"].startswith("At least 75% reduction in pain")
    assert [o["valueCoding"]["code"] for o in g["answerOption"]] == ["met", "not_met", "insufficient"]
    assert {o["valueCoding"]["system"] for o in g["answerOption"]} == {
        "https://chartsift.org/fhir/CodeSystem/determination-status"}
    assert len(criterion_ids(load_policy("CP.MP.126"))) == 22


def test_code_systems_parse_and_hold_every_code_the_output_uses():
    systems = {cs["url"]: cs for cs in code_systems()}
    for cs in systems.values():
        parse(cs)
    statuses = systems["https://chartsift.org/fhir/CodeSystem/determination-status"]
    assert [c["code"] for c in statuses["concept"]] == ["met", "not_met", "insufficient"]


def test_policy_show_fhir_prints_the_questionnaire(capsys):
    assert main(["policy", "show", "CP.MP.126", "--fhir"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == checked_questionnaire(load_policy("CP.MP.126"))


# ---------------------------------------------------------------- every corpus case's Bundle


@pytest.mark.parametrize("corpus", CORPORA)
def test_every_case_bundle_parses_answers_every_criterion_and_hashes_its_files(corpus):
    form = checked_questionnaire(load_policy("CP.MP.126"))
    for case, result, folder in golden_cases(corpus):
        bundle = json.loads(json.dumps(review_bundle(result, _sources(result, folder), generated=STAMP)))
        parsed = check_bundle(bundle, form)  # the FHIR library reads it back, and chartsift's own checks pass
        assert parsed.type == "collection" and len(parsed.entry) == len(bundle["entry"])
        kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
        assert kinds == {"QuestionnaireResponse", "ServiceRequest", "DocumentReference", "Device", "Provenance"}, case
        (response,) = _resources(bundle, "QuestionnaireResponse")
        answered = _answered(response["item"])
        assert {d.criterion for d in result.determinations} <= set(answered), case
        for d in result.determinations:
            assert answered[d.criterion]["valueCoding"]["code"] == d.status, (case, d.criterion)
        for doc in _resources(bundle, "DocumentReference"):
            attachment = doc["content"][0]["attachment"]
            data = (folder / attachment["title"]).read_bytes()
            assert sha256_of_ni(doc["masterIdentifier"]["value"]) == hashlib.sha256(data).hexdigest(), case
            assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest(), case
            assert attachment["size"] == len(data) and "data" not in attachment, case
            assert len(doc["content"]) == 1, case  # no document text unless asked


@pytest.mark.parametrize("corpus", CORPORA)
def test_round_trip_is_lossless_for_determinations_and_evidence(corpus):
    for case, result, folder in golden_cases(corpus):
        sources = _sources(result, folder)
        bundle = review_bundle(result, sources, generated=STAMP)
        back = bundle_to_review(json.loads(json.dumps(bundle))).result
        assert back.determinations == result.determinations, case
        facts = {f.id: f for f in result.facts}
        cited = {fid for d in result.determinations for fid in d.evidence}
        assert {f.id for f in back.facts} == cited & set(facts), case
        for fact in back.facts:
            assert fact == facts[fact.id], (case, fact.id)  # attributes, every evidence, conflicts
        assert (back.case_id, back.policy, back.request, back.recommendation) == \
            (result.case_id, result.policy, result.request, result.recommendation), case
        assert [(d.name, d.pages, d.sha256, d.ocr_pages) for d in back.documents] == \
            [(d.name, d.pages, d.sha256, d.ocr_pages) for d in result.documents], case
        assert review_bundle(back, sources, generated=STAMP) == bundle, case


# ---------------------------------------------------------------- the demo case through the CLI


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory) -> Path:
    case = tmp_path_factory.mktemp("demo")
    shutil.copy(DEMO / "case.json", case / "case.json")
    subprocess.run([sys.executable, str(DEMO / "make_demo.py"), "--out", str(case / "packet.pdf")], check=True,
                   capture_output=True)
    return case


@pytest.fixture(scope="module")
def demo_bundles(demo_case, tmp_path_factory) -> tuple[dict, dict]:
    """The demo Bundle without and with the documents' text (one CLI review each)."""
    out = tmp_path_factory.mktemp("fhir")
    assert main(["review", str(demo_case), "--fhir", str(out / "plain.json")]) == 0
    assert main(["review", str(demo_case), "--fhir", str(out / "text.json"), "--fhir-include-text"]) == 0
    return tuple(json.loads((out / name).read_text(encoding="utf-8")) for name in ("plain.json", "text.json"))


def test_demo_bundle_through_the_cli(demo_case, demo_bundles):
    bundle, _ = demo_bundles
    check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))
    (doc,) = _resources(bundle, "DocumentReference")
    data = (demo_case / "packet.pdf").read_bytes()
    attachment = doc["content"][0]["attachment"]
    assert attachment["contentType"] == "application/pdf" and attachment["size"] == len(data)
    assert sha256_of_ni(doc["masterIdentifier"]["value"]) == hashlib.sha256(data).hexdigest()
    assert attachment["extension"] == [{"url": ATTACHMENT_PAGES, "valuePositiveInt": 7}]
    (request,) = _resources(bundle, "ServiceRequest")
    assert request["code"]["coding"][0]["code"] == "27279" and request["authoredOn"] == "2026-02-16"
    assert request["reasonCode"][0]["coding"][0]["code"] == "M46.1"
    assert request["bodySite"][0]["coding"][0]["code"] == "left"
    (device,) = _resources(bundle, "Device")
    assert device["deviceName"][0]["name"] == "chartsift" and device["version"][0]["value"]
    (provenance,) = _resources(bundle, "Provenance")
    assert provenance["agent"][0]["who"]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Device")
    answers = _answered(_resources(bundle, "QuestionnaireResponse")[0]["item"])
    assert answers["recommendation"]["valueCoding"]["code"] == "meets_criteria"
    origin = answers["II.G"]["extension"][0]
    assert origin == {"url": INFORMATION_ORIGIN, "extension": [{"url": "source", "valueCode": "auto-client"}]}


def test_include_text_puts_the_text_the_evidence_offsets_point_into(demo_bundles):
    plain, with_text = demo_bundles
    assert "data" not in json.dumps(_resources(plain, "DocumentReference"))
    (doc,) = _resources(with_text, "DocumentReference")
    text = base64.b64decode(doc["content"][1]["attachment"]["data"]).decode("utf-8")
    back = bundle_to_review(with_text).result
    quotes = [ev for f in back.facts for ev in f.evidence]
    assert quotes and all(text[ev.start:ev.end] == ev.text for ev in quotes)


def test_include_text_needs_fhir(demo_case, capsys):
    assert main(["review", str(demo_case), "--fhir-include-text"]) == 2
    assert "--fhir" in capsys.readouterr().err


# ---------------------------------------------------------------- overrides, fields to come, refusals


def _demo_like() -> ReviewResult:
    """A fresh copy of the first golden review of corpora/sij (tests may change it)."""
    return golden_cases("sij")[0][1].model_copy(deep=True)


def test_a_reviewer_override_is_tagged_with_its_author_and_reverses_apart():
    result = _demo_like()
    criterion = result.determinations[0].criterion
    automated = result.determinations[0].status
    changed = next(s for s in ("met", "not_met", "insufficient") if s != automated)
    bundle = checked_bundle(result, [], overrides=[Override(criterion, changed, "nurse.kim", "seen on p. 3")],
                            generated=STAMP)
    answer = _answered(_resources(bundle, "QuestionnaireResponse")[0]["item"])[criterion]
    assert answer["valueCoding"]["code"] == changed
    origin = answer["extension"][0]
    assert origin["extension"][0] == {"url": "source", "valueCode": "override"}
    author = origin["extension"][1]["valueReference"]["reference"]
    (reviewer,) = _resources(bundle, "Practitioner")
    assert author == next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is reviewer)
    assert any(a["who"]["reference"] == author for p in _resources(bundle, "Provenance") for a in p["agent"])
    back = bundle_to_review(bundle)
    assert back.result.determinations == result.determinations  # chartsift's own answer stays
    assert back.overrides == [Override(criterion, changed, "nurse.kim", "seen on p. 3")]


def test_confidence_and_needs_review_travel_as_extensions_and_come_back():
    """The review's `confidence` (facts, determinations, recommendation) and `needs_review` (SPEC 2026-12-07)
    travel through the Bundle as extensions, by the generic field mapping, and come back equal."""
    result = _demo_like()
    for i, det in enumerate(result.determinations):
        det.confidence = round(0.5 + i / 100, 3)
    result.recommendation.confidence = 0.875
    result.needs_review = ["II.G", "II.H"]
    bundle = review_bundle(result, [], generated=STAMP)
    check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))
    response = _resources(bundle, "QuestionnaireResponse")[0]
    first = result.determinations[0]
    answer = _answered(response["item"])[first.criterion]
    assert {"url": extension_url("confidence"), "valueDecimal": first.confidence} in answer["extension"]
    assert [e["valueString"] for e in response["extension"] if e["url"] == extension_url("needs_review")] \
        == ["II.G", "II.H"]
    back = bundle_to_review(bundle).result
    assert back.determinations == result.determinations
    assert back.needs_review == ["II.G", "II.H"]


def test_a_quote_with_a_page_break_stays_exact_and_valid():
    """A form feed may not stand in a FHIR string: such a quote travels as base64 of its UTF-8."""
    result = _demo_like()
    fact = next(f for f in result.facts if any(f.id in d.evidence for d in result.determinations))
    fact.evidence[0].text = fact.evidence[0].text + "\fPage 2"
    bundle = checked_bundle(result, [], generated=STAMP)
    assert "\f" not in json.dumps(bundle)
    back = {f.id: f for f in bundle_to_review(bundle).result.facts}
    assert back[fact.id].evidence[0].text == fact.evidence[0].text


def test_a_bundle_that_is_not_a_review_is_refused_without_its_values():
    with pytest.raises(NotAChartsiftBundle):
        bundle_to_review({"resourceType": "Bundle", "type": "collection", "entry": []})
    bundle = review_bundle(_demo_like(), [], generated=STAMP)
    _resources(bundle, "QuestionnaireResponse")[0]["identifier"]["value"] = {"secret": "Jane Roe"}
    with pytest.raises(NotAChartsiftBundle) as caught:
        bundle_to_review(bundle)
    assert "Jane" not in str(caught.value)


def test_a_refused_bundle_names_no_chart_text():
    result = _demo_like()
    bundle = review_bundle(result, [], generated=STAMP)
    secret = "Patient Jane Roe, MRN 0042"
    _resources(bundle, "QuestionnaireResponse")[0]["authored"] = secret
    with pytest.raises(FhirCheckError) as caught:
        check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))
    assert "Jane" not in str(caught.value) and "0042" not in str(caught.value)


def test_a_decision_resource_is_refused():
    result = _demo_like()
    bundle = review_bundle(result, [], generated=STAMP)
    bundle["entry"].append({"fullUrl": "urn:uuid:0f1d6c3e-0000-4000-8000-000000000000", "resource": {
        "resourceType": "ClaimResponse", "status": "active", "type": {"text": "x"}, "use": "preauthorization",
        "patient": {"display": "x"}, "created": "2026-12-07", "insurer": {"display": "x"}, "outcome": "complete"}})
    with pytest.raises(FhirCheckError, match="no decision resource"):
        check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))


def test_screen_writes_one_bundle_per_case(tmp_path):
    cases = tmp_path / "in"
    shutil.copytree(ROOT / "corpora" / "sij" / "SIJ-001", cases / "SIJ-001")
    assert main(["screen", str(cases), "--out", str(tmp_path / "out"), "--workers", "1", "--fhir", "--quiet"]) == 0
    bundle = json.loads((tmp_path / "out" / "fhir" / "SIJ-001.json").read_text(encoding="utf-8"))
    check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))
    assert bundle["identifier"]["value"] == "SIJ-001"
