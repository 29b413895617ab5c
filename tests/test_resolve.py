"""Packet-level resolution: one fact per key, latest statement wins, conflicts kept."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.resolve.merge import DatedFact, resolve
from models import Evidence, Injection, PainPattern, ProvocativeTest, Smoking


def ev(doc: str, start: int, text: str = "x") -> Evidence:
    return Evidence(document=doc, start=start, end=start + len(text), text=text)


def d(day: int) -> dt.date:
    return dt.date(2026, 3, day)


def test_same_event_in_three_notes_is_one_fact_with_three_evidence():
    found = [DatedFact(Injection(site="sacroiliac_joint", date=d(2), side="left", evidence=[ev("a.txt", 10)]), d(2)),
             DatedFact(Injection(site="sacroiliac_joint", date=d(2), relief_percent=80, evidence=[ev("b.txt", 5)]), d(9)),
             DatedFact(Injection(site="sacroiliac_joint", date=d(2), guidance="fluoroscopy",
                                 evidence=[ev("c.txt", 7)]), d(20))]
    [fact] = resolve(found)
    assert (fact.side, fact.relief_percent, fact.guidance) == ("left", 80, "fluoroscopy")
    assert [e.document for e in fact.evidence] == ["a.txt", "b.txt", "c.txt"]
    assert fact.id == "f1"


@pytest.mark.parametrize("assertions, n_facts", [
    pytest.param(("present", "present"), 1, id="same-assertion-merges"),
    pytest.param(("present", "negated"), 2, id="negated-stays-apart"),
    pytest.param(("present", "hypothetical"), 2, id="planned-stays-apart"),
])
def test_assertion_is_part_of_the_key(assertions, n_facts):
    found = [DatedFact(ProvocativeTest(test="faber", side="left", result="positive", assertion=a,
                                       evidence=[ev("a.txt", i * 10)]), d(1)) for i, a in enumerate(assertions)]
    assert len(resolve(found)) == n_facts


def test_conflicting_smoking_statements_resolve_to_latest_and_keep_conflict():
    found = [DatedFact(Smoking(status="never", evidence=[ev("visit1.txt", 0)]), d(1)),
             DatedFact(Smoking(status="former", quit_date=dt.date(2026, 1, 1), evidence=[ev("visit2.txt", 0)]), d(20))]
    [fact] = resolve(found)
    assert fact.status == "former" and fact.quit_date == dt.date(2026, 1, 1)
    assert [c.attributes["status"] for c in fact.conflicts] == ["never"]
    assert [e.document for e in fact.evidence] == ["visit2.txt"]


def test_family_smoking_is_never_the_patients_status():
    found = [DatedFact(Smoking(status="current", assertion="family", evidence=[ev("a.txt", 0)]), d(5)),
             DatedFact(Smoking(status="never", evidence=[ev("a.txt", 40)]), d(1))]
    facts = resolve(found)
    patient = [f for f in facts if f.assertion != "family"]
    assert [f.status for f in patient] == ["never"] and not patient[0].conflicts


def test_agreeing_statements_fill_gaps_without_conflict():
    found = [DatedFact(Smoking(status="former", pack_years=20, evidence=[ev("a.txt", 0)]), d(1)),
             DatedFact(Smoking(status="former", evidence=[ev("b.txt", 0)]), d(9))]
    [fact] = resolve(found)
    assert fact.pack_years == 20 and fact.conflicts == [] and len(fact.evidence) == 2


def test_order_is_total_and_independent_of_input_order():
    """Same chart, same JSON: facts sharing a first quote and list attributes never follow set order."""
    from models import Imaging

    def found(reverse: bool):
        items = [DatedFact(Imaging(modality="xray", site=site, date=d(2), findings_absent=list(absent),
                                   evidence=[ev("r.txt", 5, "XR SI joints and hip")]), d(2))
                 for site, absent in (("si_joint", ("tumor", "fracture")), ("hip", ("hip_osteoarthritis",)))]
        return items[::-1] if reverse else items

    a, b = resolve(found(False)), resolve(found(True))
    assert [f.model_dump() for f in a] == [f.model_dump() for f in b]
    assert a[0].findings_absent == ["fracture", "tumor"] or a[1].findings_absent == ["fracture", "tumor"]


def test_pain_duration_told_at_two_dates_is_one_pain_with_its_largest_duration():
    """'10 months' in March and '18 months' in November are the same pain: the earlier note's side and
    radiation still fill the latest statement, which keeps the longest duration and no conflict."""
    found = [DatedFact(PainPattern(side="right", radiating=False, location=["buttock"], duration_months=10,
                                   evidence=[ev("consult.txt", 0)]), d(1)),
             DatedFact(PainPattern(location=["posterior_sij"], duration_months=18, evidence=[ev("surgeon.txt", 0)]), d(20))]
    [fact] = resolve(found)
    assert (fact.side, fact.radiating, fact.duration_months) == ("right", False, 18)
    assert sorted(fact.location) == ["buttock", "posterior_sij"] and not fact.conflicts


def test_pain_side_told_differently_is_still_a_conflict():
    found = [DatedFact(PainPattern(side="left", duration_months=10, evidence=[ev("a.txt", 0)]), d(1)),
             DatedFact(PainPattern(side="right", duration_months=12, evidence=[ev("b.txt", 0)]), d(20))]
    [fact] = resolve(found)
    assert fact.side == "right" and fact.duration_months == 12
    assert [c.attributes.get("side") for c in fact.conflicts] == ["left"]
