"""The scorer of SPEC section 6 on hand-built gold and review results, with hand-computed expectations."""
from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from chartsift.evaluation import CaseRun, Gold, score
from chartsift.evaluation.matching import match_facts, normalize, texts_overlap
from models import Determination, Evidence, Fact, PolicyRef, Recommendation, Request, ReviewResult

DOC = "visit.txt"
FACT = TypeAdapter(Fact)

FABER = {"type": "provocative_test", "test": "faber", "side": "left", "result": "positive"}
THRUST = {"type": "provocative_test", "test": "thigh_thrust", "side": "left", "result": "positive"}
GAENSLEN = {"type": "provocative_test", "test": "gaenslen", "side": "left", "result": "positive"}
SMOKER = {"type": "smoking_status", "status": "current", "pack_years": 20}
INJECTION = {"type": "injection", "site": "sacroiliac_joint", "date": "2026-02-03", "side": "left",
             "purpose": "diagnostic", "relief_percent": 80}


def predicted(attrs: dict, text: str = "FABER positive on the left", assertion: str = "present", fid: str = ""):
    return FACT.validate_python({**attrs, "id": fid, "assertion": assertion,
                                 "evidence": [Evidence(document=DOC, start=0, end=len(text), text=text)]})


def gold_fact(attrs: dict, quote: str = "FABER positive on the left", assertion: str = "present") -> dict:
    return {**attrs, "assertion": assertion, "evidence": [{"document": DOC, "quote": quote}]}


def review_result(facts: list, determinations: dict[str, str] | None = None,
                  recommendation: str = "missing_documentation") -> ReviewResult:
    dets = [Determination(criterion=c, status=s, rationale="r") for c, s in (determinations or {}).items()]
    return ReviewResult(case_id="C1", policy=PolicyRef(id="CP.MP.126", revision="06/22"), request=Request(),
                        documents=[], facts=facts, determinations=dets,
                        recommendation=Recommendation(status=recommendation, summary="s"))


def run(gold: list[dict], pred: list, complete: bool | list[str] = True, gold_dets: dict | None = None,
        pred_dets: dict | None = None, recommendation: str = "missing_documentation", rename=None):
    g = Gold.model_validate({"facts": gold, "complete": complete, "determinations": gold_dets or {}})
    result = review_result(pred, pred_dets, recommendation)
    return score([CaseRun(case_id="C1", gold=g, result=result, rename=rename or {})])


def type_score(report, fact_type):
    return next(t for t in report.facts.per_type if t.type == fact_type)


def test_perfect_prediction_scores_one():
    gold = [gold_fact(FABER), gold_fact(THRUST), gold_fact(SMOKER, "Smokes 1 ppd"), gold_fact(INJECTION)]
    pred = [predicted(FABER), predicted(THRUST), predicted(SMOKER, "smokes 1 PPD"), predicted(INJECTION)]
    report = run(gold, pred)
    assert (report.facts.micro.precision, report.facts.micro.recall, report.facts.micro.f1) == (1.0, 1.0, 1.0)
    assert report.facts.macro.f1 == 1.0
    assert all(t.f1 == 1.0 for t in report.facts.per_type)
    assert report.facts.attribute_accuracy == 1.0
    assert report.errors == []


def test_missing_fact_lowers_recall_only():
    report = run([gold_fact(FABER), gold_fact(THRUST)], [predicted(FABER)])
    t = type_score(report, "provocative_test")
    assert (t.precision, t.recall) == (1.0, 0.5)
    assert t.f1 == pytest.approx(2 / 3)
    assert (t.counts.tp, t.counts.fp, t.counts.fn) == (1, 0, 1)
    assert [e.kind for e in report.errors] == ["false_negative"]
    assert report.errors[0].key == {"test": "thigh_thrust", "side": "left"}


def test_extra_fact_lowers_precision_only():
    report = run([gold_fact(FABER)], [predicted(FABER), predicted(GAENSLEN, "Gaenslen positive")])
    t = type_score(report, "provocative_test")
    assert (t.precision, t.recall, t.support, t.predicted) == (0.5, 1.0, 1, 2)
    assert [(e.kind, e.snippet) for e in report.errors] == [("false_positive", "Gaenslen positive")]


def test_extra_fact_outside_complete_is_not_a_false_positive():
    report = run([gold_fact(FABER)], [predicted(FABER), predicted(SMOKER, "smoker")], complete=["provocative_test"])
    assert [t.type for t in report.facts.per_type] == ["provocative_test"]
    assert report.facts.micro.precision == 1.0
    assert report.facts.unscored_predictions == 1
    assert report.errors == []


def test_extra_fact_inside_a_complete_list_is_a_false_positive():
    report = run([gold_fact(FABER)], [predicted(FABER), predicted(SMOKER, "smoker")],
                 complete=["provocative_test", "smoking_status"])
    assert type_score(report, "smoking_status").precision == 0.0
    assert report.facts.micro.precision == 0.5


def test_wrong_attribute_counts_in_attribute_accuracy_not_in_f1():
    report = run([gold_fact(INJECTION)], [predicted({**INJECTION, "relief_percent": 60})])
    assert report.facts.micro.f1 == 1.0
    relief = next(a for a in report.facts.attributes if a.attribute == "relief_percent")
    assert (relief.correct, relief.total, relief.accuracy) == (0, 1, 0.0)
    # side, purpose agree; relief does not: 2 of 3 stated attributes
    assert report.facts.attribute_accuracy == pytest.approx(2 / 3)
    [error] = report.errors
    assert (error.kind, error.attribute, error.gold, error.predicted) == ("wrong_attribute", "relief_percent", 80, 60)


def test_wrong_attribute_quotes_the_evidence_that_shows_the_value():
    injection = FACT.validate_python({**INJECTION, "relief_percent": 60, "evidence": [
        Evidence(document=DOC, start=0, end=20, text="Left SIJ injection"),
        Evidence(document=DOC, start=30, end=60, text="reports 60% relief")]})
    [error] = run([gold_fact(INJECTION)], [injection]).errors
    assert error.snippet == "reports 60% relief"


@pytest.mark.parametrize("gold_value, pred_value, same", [
    pytest.param(80, 79.5, True, id="percent-rounds-half-up"),
    pytest.param(80, 79.4, False, id="percent-rounds-down"),
    pytest.param(75, 74.5, True, id="percent-75-boundary"),
])
def test_percent_compared_after_rounding_half_up(gold_value, pred_value, same):
    report = run([gold_fact({**INJECTION, "relief_percent": gold_value})],
                 [predicted({**INJECTION, "relief_percent": pred_value})])
    relief = next(a for a in report.facts.attributes if a.attribute == "relief_percent")
    assert (relief.accuracy == 1.0) is same


@pytest.mark.parametrize("attribute, value, expected", [
    pytest.param("location", ["groin", "buttock", "buttock"], ["buttock", "groin"], id="list-as-set"),
    pytest.param("location", [], None, id="empty-list-is-not-stated"),
    pytest.param("anesthetic", " Bupivacaine ", "bupivacaine", id="string-folded"),
    pytest.param("pack_years", 12.345, 12.35, id="number-two-decimals-half-up"),
    pytest.param("relief_percent", 66.5, 67, id="percent-integer-half-up"),
    pytest.param("contrast", True, True, id="bool-stays-bool"),
])
def test_normalize(attribute, value, expected):
    assert normalize(attribute, value) == expected


def test_lists_compare_as_sets_and_dates_as_iso():
    pain = {"type": "pain_pattern", "side": "left", "location": ["buttock", "groin"]}
    report = run([gold_fact(pain)], [predicted({**pain, "location": ["groin", "buttock"]})])
    assert report.facts.attribute_accuracy == 1.0
    report = run([gold_fact({**INJECTION, "date": "2026-02-03"})], [predicted(INJECTION)])
    assert report.facts.micro.f1 == 1.0


@pytest.mark.parametrize("pred_attrs, assertion", [
    pytest.param(FABER, "negated", id="assertion-differs"),
    pytest.param({**FABER, "side": "right"}, "present", id="key-side-differs"),
    pytest.param({**INJECTION, "date": "2026-02-04"}, "present", id="key-date-differs"),
])
def test_type_key_and_assertion_must_all_agree(pred_attrs, assertion):
    gold_attrs = INJECTION if pred_attrs["type"] == "injection" else FABER
    report = run([gold_fact(gold_attrs)], [predicted(pred_attrs, assertion=assertion)])
    assert report.facts.micro.f1 == 0.0
    assert sorted(e.kind for e in report.errors) == ["false_negative", "false_positive"]


def test_gold_fact_matches_at_most_one_prediction_the_best_agreeing():
    report = run([gold_fact(SMOKER, "smokes")],
                 [predicted({**SMOKER, "pack_years": 5}, "smokes"), predicted(SMOKER, "smokes")])
    assert (report.facts.counts.tp, report.facts.counts.fp) == (1, 1)
    assert report.facts.attribute_accuracy == 1.0


def test_match_facts_is_one_to_one():
    gold = [predicted(FABER), predicted(FABER)]
    assert match_facts(gold, [predicted(FABER)]) == [(0, 0)]
    assert match_facts(gold[:1], gold) == [(0, 0)]


def test_attributes_neither_side_states_are_not_scored():
    report = run([gold_fact(FABER)], [predicted(FABER)])
    assert [(a.attribute, a.total) for a in report.facts.attributes] == [("result", 1)]


@pytest.mark.parametrize("gold, pred, expected", [
    pytest.param([], [], {"micro": None, "per_type": 0, "attr": None, "evidence": None}, id="nothing-at-all"),
    pytest.param([gold_fact(FABER)], [], {"micro": 0.0, "per_type": 1, "attr": None, "evidence": None}, id="no-predictions"),
    pytest.param([], [predicted(FABER)], {"micro": 0.0, "per_type": 1, "attr": None, "evidence": None}, id="no-gold"),
])
def test_empty_denominators_give_defined_values(gold, pred, expected):
    report = run(gold, pred)
    assert report.facts.micro.f1 == expected["micro"]
    assert len(report.facts.per_type) == expected["per_type"]
    assert report.facts.attribute_accuracy == expected["attr"]
    assert report.facts.evidence_found == expected["evidence"]
    assert report.determinations.accuracy is None
    assert report.determinations.recommendation.accuracy is None


def test_undefined_precision_and_recall_are_none_not_zero():
    report = run([gold_fact(FABER)], [])
    t = type_score(report, "provocative_test")
    assert (t.precision, t.recall, t.f1) == (None, 0.0, 0.0)
    report = run([], [predicted(FABER)])
    t = type_score(report, "provocative_test")
    assert (t.precision, t.recall, t.f1) == (0.0, None, 0.0)


def test_macro_averages_types_micro_pools_facts():
    gold = [gold_fact(FABER), gold_fact(THRUST), gold_fact(GAENSLEN), gold_fact(SMOKER, "smokes")]
    report = run(gold, [predicted(FABER), predicted(THRUST), predicted(GAENSLEN)])
    # provocative_test F1 1.0, smoking_status F1 0.0 -> macro 0.5; micro P 3/3, R 3/4, F1 6/7
    assert report.facts.macro.f1 == 0.5
    assert report.facts.micro.f1 == pytest.approx(6 / 7)
    assert report.facts.micro.precision is not None and report.facts.macro.precision == 1.0


def test_case_without_review_counts_every_gold_fact_missed():
    g = Gold.model_validate({"facts": [gold_fact(FABER)], "determinations": {"II.D": "met"}})
    report = score([CaseRun(case_id="C1", gold=g, result=None, failure="RuntimeError: boom")])
    assert report.facts.micro.recall == 0.0
    assert report.determinations.accuracy == 0.0
    assert {e.kind for e in report.errors} == {"review_failed", "false_negative", "wrong_determination"}
    assert report.case_scores[0].failed


@pytest.mark.parametrize("quote, text, overlap", [
    pytest.param("FABER positive on the left", "faber   POSITIVE on\nthe left", True, id="case-and-space-folded"),
    pytest.param("FABER positive", "Exam: FABER positive on the left.", True, id="gold-inside-predicted"),
    pytest.param("FABER positive on the left, thigh thrust positive", "thigh thrust positive", True,
                 id="predicted-inside-gold"),
    pytest.param("80% relief for 6 hours", "reports 80% relief for 6 hrs", True, id="half-shared"),
    pytest.param("80% relief for 6 hours", "no relief after the epidural", False, id="one-shared-word"),
    pytest.param("abcdefgh", "xxabcdyy", True, id="shared-exactly-half-of-shorter"),
    pytest.param("abcdefgh", "xxabcyyy", False, id="shared-under-half-of-shorter"),
    pytest.param("FABER positive", "", False, id="empty-text"),
])
def test_evidence_overlap(quote, text, overlap):
    assert texts_overlap(quote, text) is overlap


def test_evidence_found_requires_same_document_after_renaming():
    report = run([gold_fact(FABER)], [predicted(FABER)])
    assert report.facts.evidence_found == 1.0
    report = run([gold_fact(FABER)], [predicted(FABER, "Gaenslen negative")])
    assert report.facts.evidence_found == 0.0
    report = run([gold_fact(FABER)], [predicted(FABER)], rename={DOC: "packet.pdf"})
    assert report.facts.evidence_found == 0.0


def test_determinations_accuracy_confusion_and_recommendation():
    gold = {"II.D": "met", "II.G": "insufficient", "II.H": "not_met", "recommendation": "missing_documentation"}
    report = run([], [], gold_dets=gold, pred_dets={"II.D": "met", "II.G": "not_met"},
                 recommendation="physician_review")
    d = report.determinations
    assert (d.correct, d.total, d.accuracy) == (1, 3, pytest.approx(1 / 3))
    g = next(c for c in d.per_criterion if c.criterion == "II.G")
    assert g.confusion.labels == ["met", "not_met", "insufficient"]
    assert g.confusion.matrix == [[0, 0, 0], [0, 0, 0], [0, 1, 0]]
    h = next(c for c in d.per_criterion if c.criterion == "II.H")
    assert (h.absent, h.accuracy) == (1, 0.0)
    assert d.recommendation.accuracy == 0.0
    assert d.recommendation.confusion.matrix[1] == [0, 0, 1]
    wrong = sorted((e.criterion, e.gold, e.predicted) for e in report.errors)
    assert wrong == [("II.G", "insufficient", "not_met"), ("II.H", "not_met", None),
                     ("recommendation", "missing_documentation", "physician_review")]


def test_criteria_are_listed_in_policy_order():
    gold = {"codes": "met", "II.A.1": "met", "II": "met", "II.A": "met"}
    report = run([], [], gold_dets=gold, pred_dets=gold)
    assert [c.criterion for c in report.determinations.per_criterion] == ["II.A.1", "II.A", "II", "codes"]


def test_wrong_determination_quotes_the_fact_it_cites():
    g = Gold.model_validate({"facts": [], "complete": [], "determinations": {"II.D": "met"}})
    result = review_result([predicted(FABER, fid="f1")])
    result.determinations = [Determination(criterion="II.D", status="not_met", rationale="only FABER",
                                           evidence=["f1"])]
    [error] = score([CaseRun(case_id="C1", gold=g, result=result)]).errors
    assert (error.document, error.snippet, error.message) == (DOC, "FABER positive on the left", "only FABER")


def test_error_snippet_gets_its_context_from_the_document():
    g = Gold.model_validate({"facts": [gold_fact(FABER)]})
    text = "EXAM: straight leg raise negative. FABER positive on\nthe left. Gait normal."
    report = score([CaseRun(case_id="C1", gold=g, result=review_result([]), texts={DOC: text})])
    [error] = report.errors
    assert error.context_before == "EXAM: straight leg raise negative. "
    assert error.context_after == ". Gait normal."
