"""The policy engine alone, on hand-built facts: every criterion of CP.MP.126 and every outcome.

Each row: the facts of a case, the request, the criterion and the status SPEC section 5 calls for.
Request date 2026-05-04, left side, unless the row says otherwise.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter

from evaluator import evaluate_case
from evaluator.engine import combine_all
from models import Fact, Request

REQUEST_DATE = dt.date(2026, 5, 4)
_FACT = TypeAdapter(Fact)


def fact(kind: str, **attributes: Any) -> Any:
    """A fact of `kind` with one piece of evidence (the engine never reads it)."""
    evidence = [{"document": "note.txt", "start": 0, "end": 4, "text": "note"}]
    return _FACT.validate_python({"type": kind, "evidence": evidence, **attributes})


def days_before(n: int) -> str:
    return str(REQUEST_DATE - dt.timedelta(days=n))


def evaluate(facts: list, **request: Any):
    for i, f in enumerate(facts, 1):
        f.id = f"f{i}"
    base = {"cpt": "27279", "side": "left", "date": REQUEST_DATE, "icd10": ["M46.1"]}
    return evaluate_case(facts, Request(**(base | request)))


def status(result, criterion: str) -> str:
    return next(d.status for d in result.determinations if d.criterion == criterion)


# ---------------------------------------------------------------- reusable facts
def med(**kw):
    return fact("conservative_treatment", modality="medication", **kw)


def pt(**kw):
    return fact("conservative_treatment", modality="physical_therapy", **kw)


def ptest(name, result="positive", **kw):
    return fact("provocative_test", test=name, result=result, **kw)


def image(modality, site, days=30, **kw):
    return fact("imaging", modality=modality, site=site, date=days_before(days), **kw)


def dx(condition, **kw):
    return fact("diagnosis", condition=condition, **kw)


def sij_block(days, relief=90.0, **kw):
    attrs = {"site": "sacroiliac_joint", "purpose": "diagnostic", "guidance": "fluoroscopy", "contrast": True,
             "intra_articular": True, "relief_percent": relief, "side": "left", "date": days_before(days)} | kw
    return fact("injection", **attrs)


def steroid(relief, **kw):
    attrs = {"site": "sacroiliac_joint", "purpose": "therapeutic", "steroid": "triamcinolone",
             "intra_articular": True, "relief_percent": relief, "date": days_before(40)} | kw
    return fact("injection", **attrs)


def pain(**kw):
    attrs = {"side": "left", "radiating": False, "location": ["buttock", "posterior_sij"], "adl_impact": True} | kw
    return fact("pain_pattern", **attrs)


def conservative_care(start="2025-06-01"):
    return [med(start_date=start, outcome="failed"),
            fact("conservative_treatment", modality="activity_modification", start_date=start),
            pt(duration_weeks=6, outcome="failed")]


def complete_case():
    """A chart meeting every minimally invasive criterion."""
    return [*conservative_care(), pain(), fact("tenderness", site="posterior_sij", side="left"),
            fact("tenderness", site="greater_trochanter", side="left", assertion="negated"),
            ptest("thigh_thrust", side="left"), ptest("distraction"), ptest("faber", side="left"),
            dx("fibromyalgia", assertion="negated"), dx("sacroiliac_joint_dysfunction"),
            image("xray", "si_joint"), image("mri", "si_joint"), image("xray", "hip", side="left"),
            image("mri", "lumbar_spine"), sij_block(90), sij_block(60, relief=80.0), steroid(20.0)]


CASES = [
    # II.A.1 medication optimization
    pytest.param([med()], "II.A.1", "met", id="A1-medication-tried"),
    pytest.param([med(outcome="contraindicated")], "II.A.1", "met", id="A1-medication-contraindicated"),
    pytest.param([med(assertion="negated")], "II.A.1", "not_met", id="A1-no-medication-documented-as-none"),
    pytest.param([med(assertion="hypothetical")], "II.A.1", "insufficient", id="A1-planned-medication-only"),
    pytest.param([], "II.A.1", "insufficient", id="A1-nothing"),
    # II.A.2 activity modification
    pytest.param([fact("conservative_treatment", modality="activity_modification")], "II.A.2", "met",
                 id="A2-activity-modification"),
    pytest.param([fact("conservative_treatment", modality="activity_modification", assertion="negated")],
                 "II.A.2", "not_met", id="A2-negated"),
    pytest.param([med()], "II.A.2", "insufficient", id="A2-not-documented"),
    # II.A.3 >= 4 weeks active therapy, inability to tolerate, or manipulation
    pytest.param([pt(duration_weeks=4)], "II.A.3", "met", id="A3-pt-exactly-4-weeks"),
    pytest.param([pt(duration_weeks=3.9)], "II.A.3", "not_met", id="A3-pt-3.9-weeks"),
    pytest.param([pt(start_date="2025-09-01", end_date="2025-09-29")], "II.A.3", "met", id="A3-pt-dates-28-days"),
    pytest.param([pt(start_date="2025-09-01", end_date="2025-09-28")], "II.A.3", "not_met", id="A3-pt-dates-27-days"),
    pytest.param([pt(duration_weeks=1, outcome="not_tolerated")], "II.A.3", "met", id="A3-unable-to-tolerate-pt"),
    pytest.param([fact("conservative_treatment", modality="chiropractic")], "II.A.3", "met", id="A3-chiropractic"),
    pytest.param([fact("conservative_treatment", modality="home_exercise", duration_weeks=8)], "II.A.3", "met",
                 id="A3-home-exercise-8-weeks"),
    pytest.param([pt()], "II.A.3", "insufficient", id="A3-pt-without-duration"),
    pytest.param([pt(assertion="negated")], "II.A.3", "not_met", id="A3-no-pt"),
    pytest.param([pt(duration_weeks=6, assertion="hypothetical")], "II.A.3", "insufficient", id="A3-pt-planned"),
    pytest.param([pt(duration_weeks=2), fact("conservative_treatment", modality="home_exercise", duration_weeks=2)],
                 "II.A.3", "met", id="A3-pt-plus-home-exercise-4-weeks"),
    pytest.param([pt(duration_weeks=2), fact("conservative_treatment", modality="home_exercise")],
                 "II.A.3", "insufficient", id="A3-short-pt-and-home-exercise-without-duration"),
    # II.A all of A.1-A.3 + 6 consecutive months + failed
    pytest.param(conservative_care(), "II.A", "met", id="A-complete"),
    pytest.param(conservative_care(start="2025-11-04"), "II.A", "not_met", id="A-care-began-181-days-before"),
    pytest.param(conservative_care(start="2025-11-03"), "II.A", "met", id="A-care-began-182-days-before"),
    pytest.param([med(outcome="failed"), fact("conservative_treatment", modality="activity_modification"),
                  pt(duration_weeks=6, outcome="failed")], "II.A", "insufficient", id="A-no-start-dates"),
    pytest.param([*conservative_care(start="2026-01-01")[:2], pt(outcome="failed")], "II.A", "insufficient",
                 id="A-recent-start-but-pt-undated"),
    pytest.param([*conservative_care(), pt(duration_weeks=2, outcome="improved")], "II.A", "not_met",
                 id="A-one-modality-improved"),
    pytest.param([med(start_date="2025-06-01", outcome="improved"),
                  fact("conservative_treatment", modality="activity_modification"), pt(duration_weeks=6)],
                 "II.A", "not_met", id="A-care-helped"),
    # II.B pain pattern
    pytest.param([pain()], "II.B", "met", id="B-unilateral-nonradiating-sij-adl"),
    pytest.param([pain(radiating=True)], "II.B", "not_met", id="B-radiating"),
    pytest.param([pain(side="bilateral")], "II.B", "not_met", id="B-bilateral"),
    pytest.param([pain(side="right")], "II.B", "not_met", id="B-pain-on-the-other-side"),
    pytest.param([pain(location=["lower_back"])], "II.B", "not_met", id="B-lumbar-only"),
    pytest.param([pain(adl_impact=None)], "II.B", "insufficient", id="B-adl-not-stated"),
    pytest.param([], "II.B", "insufficient", id="B-no-pain-description"),
    # II.C tenderness
    pytest.param([fact("tenderness", site="posterior_sij", side="left")], "II.C", "met", id="C-sij-tender"),
    pytest.param([fact("tenderness", site="posterior_sij", side="left"),
                  fact("tenderness", site="greater_trochanter", side="left")], "II.C", "not_met",
                 id="C-trochanter-also-tender"),
    pytest.param([fact("tenderness", site="posterior_sij", side="left", assertion="negated")], "II.C", "not_met",
                 id="C-sij-not-tender"),
    pytest.param([fact("tenderness", site="posterior_sij", side="left"),
                  fact("tenderness", site="coccyx", assertion="possible")], "II.C", "insufficient",
                 id="C-possible-coccyx-tenderness"),
    pytest.param([fact("tenderness", site="posterior_sij", side="right")], "II.C", "insufficient",
                 id="C-tender-on-the-other-side"),
    pytest.param([], "II.C", "insufficient", id="C-no-exam"),
    # II.D provocative tests
    pytest.param([ptest("thigh_thrust"), ptest("distraction"), ptest("faber")], "II.D", "met", id="D-thrust-plus-two"),
    pytest.param([ptest("compression"), ptest("gaenslen"), ptest("faber")], "II.D", "met",
                 id="D-compression-plus-two"),
    pytest.param([ptest("thigh_thrust", "negative"), ptest("compression", "negative"), ptest("distraction"),
                  ptest("faber")], "II.D", "not_met", id="D-thrust-and-compression-negative"),
    pytest.param([ptest("thigh_thrust"), ptest("faber"), ptest("distraction", "negative"),
                  ptest("gaenslen", "negative")], "II.D", "not_met", id="D-only-one-additional"),
    pytest.param([ptest("thigh_thrust"), ptest("faber"), ptest("distraction", None, assertion="negated")],
                 "II.D", "insufficient", id="D-distraction-not-performed"),
    pytest.param([ptest("thigh_thrust", assertion="hypothetical"), ptest("distraction"), ptest("faber")],
                 "II.D", "insufficient", id="D-planned-test-does-not-count"),
    pytest.param([ptest("thigh_thrust", side="right"), ptest("distraction"), ptest("faber")], "II.D", "insufficient",
                 id="D-thrust-positive-other-side"),
    pytest.param([], "II.D", "insufficient", id="D-no-tests"),
    # II.E generalized pain disorders
    pytest.param([dx("fibromyalgia", assertion="negated")], "II.E", "met", id="E-fibromyalgia-excluded"),
    pytest.param([dx("fibromyalgia")], "II.E", "not_met", id="E-fibromyalgia"),
    pytest.param([dx("somatoform_disorder"), dx("fibromyalgia", assertion="negated")], "II.E", "not_met",
                 id="E-somatoform-present-wins"),
    pytest.param([dx("generalized_pain_disorder", assertion="possible")], "II.E", "insufficient",
                 id="E-possible-disorder"),
    pytest.param([dx("fibromyalgia", assertion="family")], "II.E", "insufficient", id="E-family-history-only"),
    pytest.param([], "II.E", "insufficient", id="E-never-assessed"),
    # II.F.1 SI joint radiograph + CT/MRI within 183 days, no destructive lesion
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint")], "II.F.1", "met", id="F1-xray-and-mri"),
    pytest.param([image("xray", "pelvis", 183), image("ct", "si_joint", 183)], "II.F.1", "met", id="F1-183-days"),
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint", 184)], "II.F.1", "insufficient",
                 id="F1-mri-184-days"),
    pytest.param([image("xray", "si_joint"), image("ct", "si_joint", findings_present=["fracture"])],
                 "II.F.1", "not_met", id="F1-ct-shows-fracture"),
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint"),
                  image("mri", "pelvis", 10, findings_present=["inflammatory_arthropathy"])], "II.F.1", "not_met",
                 id="F1-recent-mri-inflammatory-outweighs-clean-one"),
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint", -3)], "II.F.1", "insufficient",
                 id="F1-mri-after-request"),
    pytest.param([image("mri", "si_joint")], "II.F.1", "insufficient", id="F1-no-radiograph"),
    pytest.param([image("xray", "si_joint", assertion="hypothetical"), image("mri", "si_joint")], "II.F.1",
                 "insufficient", id="F1-radiograph-only-ordered"),
    # II.F.2 ipsilateral hip radiograph without osteoarthritis
    pytest.param([image("xray", "hip", side="left")], "II.F.2", "met", id="F2-left-hip"),
    pytest.param([image("xray", "hip", 183, side="left")], "II.F.2", "met", id="F2-183-days"),
    pytest.param([image("xray", "hip", 184, side="left")], "II.F.2", "insufficient", id="F2-184-days"),
    pytest.param([image("xray", "hip", side="left", findings_present=["hip_osteoarthritis"])], "II.F.2",
                 "not_met", id="F2-osteoarthritis"),
    pytest.param([image("xray", "hip", 300, side="left", findings_present=["hip_osteoarthritis"])], "II.F.2",
                 "insufficient", id="F2-old-study-with-osteoarthritis"),
    pytest.param([image("xray", "hip", side="right")], "II.F.2", "insufficient", id="F2-contralateral-hip"),
    # II.F.3 lumbar CT/MRI without neural compression
    pytest.param([image("mri", "lumbar_spine")], "II.F.3", "met", id="F3-lumbar-mri"),
    pytest.param([image("ct", "lumbar_spine", findings_present=["neural_compression"])], "II.F.3", "not_met",
                 id="F3-neural-compression"),
    pytest.param([image("xray", "lumbar_spine")], "II.F.3", "insufficient", id="F3-radiograph-is-not-ct-mri"),
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint"), image("xray", "hip", side="left"),
                  image("mri", "lumbar_spine")], "II.F", "met", id="F-all-three"),
    pytest.param([image("xray", "si_joint"), image("mri", "si_joint"), image("xray", "hip", side="left")],
                 "II.F", "insufficient", id="F-lumbar-missing"),
    # II.G two qualifying diagnostic SIJ injections >= 14 days apart, >= 75 % relief
    pytest.param([sij_block(80), sij_block(59)], "II.G", "met", id="G-21-days-apart"),
    pytest.param([sij_block(80), sij_block(66)], "II.G", "met", id="G-14-days-apart"),
    pytest.param([sij_block(80), sij_block(67)], "II.G", "not_met", id="G-13-days-apart"),
    pytest.param([sij_block(80, relief=75.0), sij_block(50, relief=75.0)], "II.G", "met", id="G-relief-exactly-75"),
    pytest.param([sij_block(80), sij_block(50, relief=74.0)], "II.G", "not_met", id="G-relief-74"),
    pytest.param([sij_block(80)], "II.G", "insufficient", id="G-one-block"),
    pytest.param([sij_block(80), sij_block(50, contrast=None)], "II.G", "insufficient", id="G-contrast-not-stated"),
    pytest.param([sij_block(80), sij_block(50, guidance="none")], "II.G", "not_met", id="G-blind-injection"),
    pytest.param([sij_block(80, site="epidural"), sij_block(50, site="epidural")], "II.G", "insufficient",
                 id="G-epidurals-never-count"),
    pytest.param([sij_block(80), sij_block(50, site="facet")], "II.G", "insufficient", id="G-facet-never-counts"),
    pytest.param([sij_block(80), sij_block(50, assertion="hypothetical")], "II.G", "insufficient",
                 id="G-planned-second-block"),
    pytest.param([sij_block(80), sij_block(70), sij_block(56)], "II.G", "met", id="G-first-and-third-apart"),
    pytest.param([sij_block(90), sij_block(70, relief=50.0)], "II.G", "not_met", id="G-second-block-failed"),
    pytest.param([sij_block(90), sij_block(70, relief=50.0), sij_block(50, contrast=None)], "II.G", "insufficient",
                 id="G-failed-block-but-pair-still-possible"),
    pytest.param([sij_block(90, relief=60.0)], "II.G", "not_met", id="G-only-block-failed"),
    pytest.param([sij_block(80), sij_block(50, side="right")], "II.G", "insufficient", id="G-block-on-other-side"),
    # II.H failed therapeutic SIJ injection (relief < 50 %) or contraindication
    pytest.param([steroid(20.0)], "II.H", "met", id="H-steroid-failed"),
    pytest.param([steroid(49.0)], "II.H", "met", id="H-relief-49"),
    pytest.param([steroid(50.0)], "II.H", "not_met", id="H-relief-50-did-not-fail"),
    pytest.param([steroid(80.0)], "II.H", "not_met", id="H-steroid-helped"),
    pytest.param([steroid(None, assertion="negated")], "II.H", "met", id="H-steroid-contraindicated"),
    pytest.param([steroid(0.0, site="epidural")], "II.H", "insufficient", id="H-epidural-never-counts"),
    pytest.param([steroid(None)], "II.H", "insufficient", id="H-outcome-not-stated"),
    # SPEC 2026-12-07: the chart's conclusion (outcome) decides; relief decides when it concludes nothing
    pytest.param([steroid(50.0, outcome="failed")], "II.H", "met", id="H-50-percent-but-back-to-baseline"),
    pytest.param([steroid(None, outcome="failed")], "II.H", "met", id="H-called-failed-no-number"),
    pytest.param([steroid(70.0, outcome="effective")], "II.H", "not_met", id="H-effective-at-months"),
    pytest.param([steroid(40.0, outcome="effective")], "II.H", "not_met", id="H-40-percent-called-effective"),
    pytest.param([steroid(None, outcome="effective")], "II.H", "not_met", id="H-effective-no-number"),
    pytest.param([steroid(80.0), steroid(None, outcome="failed", date=days_before(100))], "II.H", "met",
                 id="H-one-of-two-failed"),
    pytest.param([steroid(None, outcome="failed", intra_articular=False)], "II.H", "insufficient",
                 id="H-failed-but-extra-articular"),
    pytest.param([], "II.H", "insufficient", id="H-nothing"),
    # II: all of II.A-II.H
    pytest.param(complete_case(), "II", "met", id="II-complete"),
    pytest.param(complete_case()[:-1], "II", "insufficient", id="II-no-steroid-injection"),
    pytest.param([*complete_case(), dx("fibromyalgia")], "II", "not_met", id="II-fibromyalgia"),
    # III unproven indications
    pytest.param([dx("sacroiliitis")], "III", "met", id="III-sacroiliitis"),
    pytest.param([dx("mechanical_low_back_pain"), dx("sacroiliac_joint_dysfunction")], "III", "met",
                 id="III-proven-beside-unproven"),
    pytest.param([dx("mechanical_low_back_pain")], "III", "not_met", id="III-axial-pain-only"),
    pytest.param([dx("lumbar_radiculopathy"), dx("sacroiliitis", assertion="negated")], "III", "not_met",
                 id="III-radiculopathy-only"),
    pytest.param([dx("sacroiliac_joint_dysfunction", assertion="possible")], "III", "insufficient",
                 id="III-possible-sij-dysfunction"),
    pytest.param([], "III", "insufficient", id="III-no-diagnosis"),
]


@pytest.mark.parametrize("facts, criterion, expected", CASES)
def test_criterion(facts, criterion, expected):
    assert status(evaluate(facts), criterion) == expected


OPEN = [
    pytest.param([dx("pelvic_ring_fracture")], "I.A", "met", id="IA-pelvic-fracture"),
    pytest.param([image("ct", "pelvis", findings_absent=["fracture"])], "I.A", "not_met", id="IA-ct-no-fracture"),
    pytest.param([], "I.A", "insufficient", id="IA-nothing"),
    pytest.param([dx("sacral_tumor")], "I.B", "met", id="IB-sacral-tumor"),
    pytest.param([image("mri", "pelvis", findings_absent=["tumor"])], "I.B", "not_met", id="IB-mri-no-tumor"),
    pytest.param([], "I.B", "insufficient", id="IB-nothing"),
    pytest.param([dx("sij_infection")], "I.C", "met", id="IC-septic-sij"),
    pytest.param([image("mri", "si_joint", findings_absent=["infection"])], "I.C", "not_met", id="IC-no-infection"),
    pytest.param([dx("sij_infection", assertion="possible")], "I.C", "insufficient", id="IC-possible-only"),
    pytest.param([dx("spinal_deformity")], "I.D", "met", id="ID-deformity"),
    pytest.param([dx("spinal_deformity", assertion="negated")], "I.D", "not_met", id="ID-no-deformity"),
    pytest.param([], "I.D", "insufficient", id="ID-nothing"),
    pytest.param([dx("pelvic_ring_fracture"), image("ct", "pelvis", findings_absent=["tumor", "infection"])],
                 "I", "met", id="I-one-indication-is-enough"),
    pytest.param([image("ct", "pelvis", findings_absent=["fracture", "tumor", "infection"]),
                  dx("spinal_deformity", assertion="negated")], "I", "not_met", id="I-every-indication-excluded"),
    pytest.param([image("ct", "pelvis", findings_absent=["fracture", "tumor", "infection"])], "I", "insufficient",
                 id="I-deformity-not-assessed"),
]


@pytest.mark.parametrize("facts, criterion, expected", OPEN)
def test_open_criterion(facts, criterion, expected):
    assert status(evaluate(facts, cpt="27280"), criterion) == expected


@pytest.mark.parametrize("codes, expected", [
    pytest.param(["M46.1"], "met", id="sacroiliitis"),
    pytest.param(["M54.50", "S32.811A"], "met", id="one-of-two-in-list"),
    pytest.param(["M54.50"], "not_met", id="low-back-pain-not-in-list"),
    pytest.param(["not-a-code"], "not_met", id="malformed-code"),
    pytest.param([], "insufficient", id="no-code"),
])
def test_codes(codes, expected):
    assert status(evaluate([], icd10=codes), "codes") == expected


@pytest.mark.parametrize("facts, request_kw, expected", [
    pytest.param(complete_case(), {}, "meets_criteria", id="complete-chart"),
    pytest.param(complete_case()[:-1], {}, "missing_documentation", id="steroid-injection-missing"),
    pytest.param(complete_case(), {"icd10": ["M54.50"]}, "physician_review", id="code-not-in-list"),
    pytest.param([*complete_case(), dx("mechanical_low_back_pain")], {}, "meets_criteria",
                 id="unproven-beside-proven-indication"),
    pytest.param([*complete_case(), ptest("compression", "negative")], {}, "meets_criteria",
                 id="failed-branch-of-any-does-not-refer"),
    pytest.param([dx("pelvic_ring_fracture"), image("ct", "pelvis", findings_absent=["tumor"])], {"cpt": "27280"},
                 "meets_criteria", id="open-IA-met-IB-not-met"),
])
def test_recommendation(facts, request_kw, expected):
    assert evaluate(facts, **request_kw).recommendation.status == expected


def test_recommendation_never_denies():
    result = evaluate([dx("fibromyalgia"), dx("mechanical_low_back_pain")], icd10=["M54.50"])
    assert result.recommendation.status == "physician_review"
    assert "II.E" in result.recommendation.summary or "II " in result.recommendation.summary
    assert "III" in result.recommendation.summary and "codes" in result.recommendation.summary


def test_determination_rationale_names_injections_and_gap():
    d = next(d for d in evaluate([sij_block(90), sij_block(69, relief=80.0)]).determinations
             if d.criterion == "II.G")
    assert d.rationale == ("2 diagnostic SIJ injections: 2026-02-03 left, 90% relief; "
                           "2026-02-24 left, 80% relief; 21 days apart")
    assert d.evidence == ["f1", "f2"] and d.text.startswith("At least 75% reduction")


@pytest.mark.parametrize("facts, criterion, expected_missing", [
    pytest.param([sij_block(80)], "II.G", "a second image-guided", id="second-injection"),
    pytest.param([], "II.G", "two image-guided", id="two-injections"),
    pytest.param([image("xray", "hip", 200, side="left")], "II.F.2", "left hip radiograph dated on or after 2025-11-02",
                 id="hip-radiograph-with-window-start"),
    pytest.param([], "II.E", "excluding fibromyalgia", id="pain-disorder-assessment"),
])
def test_missing_documentation(facts, criterion, expected_missing):
    d = next(d for d in evaluate(facts).determinations if d.criterion == criterion)
    assert d.status == "insufficient"
    assert any(m.startswith(expected_missing) or expected_missing in m for m in d.missing), d.missing


def test_met_and_not_met_have_no_missing_documentation():
    for d in evaluate(complete_case(), icd10=["M54.50"]).determinations:
        assert d.status == "insufficient" or d.missing == [], d.criterion


@pytest.mark.parametrize("cpt, planned, expected_pathway, expected_tops", [
    pytest.param("27279", [], "minimally_invasive", {"II"}, id="cpt-27279"),
    pytest.param("27280", [], "open", {"I"}, id="cpt-27280"),
    pytest.param(None, [fact("planned_procedure", cpt="27280")], "open", {"I"}, id="planned-open-cpt"),
    pytest.param(None, [fact("planned_procedure", approach="minimally_invasive", assertion="hypothetical")],
                 "minimally_invasive", {"II"}, id="planned-mis-approach"),
    pytest.param(None, [fact("planned_procedure", cpt="27279", assertion="negated")], None, {"I", "II"},
                 id="negated-plan-ignored"),
    pytest.param(None, [], None, {"I", "II"}, id="no-cpt-both-pathways"),
])
def test_pathway(cpt, planned, expected_pathway, expected_tops):
    result = evaluate(planned, cpt=cpt)
    assert result.policy.pathway == expected_pathway
    criteria = {d.criterion for d in result.determinations}
    assert {"I", "II"} & criteria == expected_tops and {"III", "codes"} <= criteria


def test_both_pathways_take_the_better_outcome_and_say_so():
    result = evaluate(complete_case(), cpt=None)
    by_id = {d.criterion: d for d in result.determinations}
    assert by_id["II"].pathway == "minimally_invasive" and by_id["I"].pathway == "open"
    assert by_id["III"].pathway is None
    assert result.recommendation.status == "meets_criteria"
    assert "both were evaluated" in result.recommendation.summary
    assert any("both pathways" in w for w in result.warnings)


def test_missing_request_date_uses_review_date_with_warning():
    facts = [image("xray", "hip", 10, side="left")]
    for i, f in enumerate(facts, 1):
        f.id = f"f{i}"
    result = evaluate_case(facts, Request(cpt="27279", side="left"), review_date=REQUEST_DATE)
    assert status(result, "II.F.2") == "met"
    assert any("latest date of service" in w and str(REQUEST_DATE) in w for w in result.warnings)


def test_no_date_at_all_leaves_windows_insufficient():
    result = evaluate_case([fact("imaging", modality="xray", site="hip", date="2026-01-01", id="f1")],
                           Request(cpt="27279"))
    assert status(result, "II.F.2") == "insufficient" and result.warnings


@pytest.mark.parametrize("smoking, flagged", [
    pytest.param(fact("smoking_status", status="current"), True, id="current-smoker"),
    pytest.param(fact("smoking_status", status="former"), False, id="former-smoker"),
    pytest.param(fact("smoking_status", status="current", assertion="family"), False, id="mother-smokes"),
])
def test_current_smoker_flag(smoking, flagged):
    result = evaluate([*complete_case(), smoking])
    assert [f.kind for f in result.flags] == (["current_smoker"] if flagged else [])
    assert result.recommendation.status == "meets_criteria"  # a flag, not a criterion
    if flagged:
        assert result.flags[0].evidence == [smoking.id] and "cessation" in (result.flags[0].message or "")


def test_every_leaf_has_a_trace():
    result = evaluate(complete_case())
    assert result.traces and all(t.checked and t.found for t in result.traces)
    assert {t.criterion for t in result.traces} >= {"II.A", "II.B", "II.D", "II.G", "III", "codes"}
    assert combine_all(t.status for t in result.traces if t.criterion == "II.B") == status(result, "II.B")


@pytest.mark.parametrize("facts, criterion, rationale, evidence", [
    pytest.param([pt(outcome="failed")], "II.A.3", "physical therapy, failed (duration weeks not stated)", ["f1"],
                 id="pt-without-duration"),
    pytest.param([sij_block(80), sij_block(50, contrast=None)], "II.G", "(contrast not stated)", ["f1", "f2"],
                 id="block-without-contrast"),
    pytest.param([steroid(None)], "II.H", "(outcome not stated)", ["f1"], id="steroid-without-outcome"),
    pytest.param([fact("imaging", modality="xray", site="hip", side="left")], "II.F.2", "date not stated", ["f1"],
                 id="undated-hip-radiograph"),
    pytest.param([image("xray", "hip", 200, side="left")], "II.F.2", "outside the 183-day window", ["f1"],
                 id="old-hip-radiograph"),
])
def test_insufficient_names_what_is_incomplete(facts, criterion, rationale, evidence):
    d = next(d for d in evaluate(facts).determinations if d.criterion == criterion)
    assert d.status == "insufficient" and rationale in d.rationale and d.evidence == evidence


def test_determination_rows_carry_quotes():
    from evaluator.render import determination_rows

    facts = [sij_block(90), sij_block(69, relief=80.0)]
    result = evaluate(facts)
    row = next(r for r in determination_rows(result, facts) if r["criterion"] == "II.G")
    assert row["status"] == "met" and [q["fact"] for q in row["quotes"]] == ["f1", "f2"]
    assert row["quotes"][0]["document"] == "note.txt" and row["quotes"][0]["text"] == "note"
