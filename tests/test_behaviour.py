"""The behavioural suite gates every capability: its failure rate on the evenly spread sample
(corpora/behaviour/ceilings.json's `per_capability` items each, >= 3,000 items in all) may not rise
above its ceiling. `benchmarks/behaviour.py --write-ceilings` rewrites the ceilings in the commit
that improves a capability; a new capability needs its ceiling written too."""
from __future__ import annotations

import json

import pytest

from chartsift.evaluation import behaviour

CEILINGS = json.loads((behaviour.SUITE.parent / "ceilings.json").read_text(encoding="utf-8"))
ITEMS = behaviour.sample(behaviour.items(), CEILINGS["per_capability"])
CAPABILITIES = sorted({it.capability for it in ITEMS})


@pytest.fixture(scope="module")
def rates():
    return behaviour.failure_rates(behaviour.run(ITEMS))


def test_the_gate_runs_at_least_3000_items_over_every_capability():
    assert len(ITEMS) >= 3000
    assert set(CEILINGS["ceilings"]) == set(CAPABILITIES)


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_capability_does_not_regress(rates, capability):
    failed, total = rates[capability]
    assert failed / total <= CEILINGS["ceilings"][capability] + 1e-9, \
        f"{capability}: {failed}/{total} failed, ceiling {CEILINGS['ceilings'][capability]}"


@pytest.mark.parametrize(("facts", "expected"), [
    pytest.param([{"type": "imaging", "findings_absent": ["fracture", "tumor"], "side": None}], True, id="list-contains"),
    pytest.param([{"type": "imaging", "findings_absent": ["tumor"], "side": None}], False, id="list-missing-one"),
    pytest.param([{"type": "imaging", "findings_absent": ["fracture"], "side": "left"}], False, id="null-must-be-null"),
])
def test_matching_of_expectations(facts, expected):
    it = behaviour.Item("x", "positive", "t", ({"type": "imaging", "findings_absent": ["fracture"], "side": None},),
                        ())
    assert behaviour.check(it, facts).passed is expected
    forbid = behaviour.Item("x", "distractor", "t", (), ({"type": "imaging"},))
    assert behaviour.check(forbid, facts).passed is False
    assert behaviour.check(forbid, [{"type": "tenderness"}]).passed is True
