"""The engine on the gold facts of every annotated case: it must reproduce the gold determinations.

This separates the engine from the extractor: with perfect facts, every determination and
recommendation of corpora/sij must come out as annotated.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from evaluator import evaluate_case
from models import CaseRequest, Fact, Request

CORPUS = Path(__file__).resolve().parent.parent / "corpora" / "sij"
CASES = sorted(p.parent for p in CORPUS.glob("*/gold.json"))
_FACT = TypeAdapter(Fact)


def gold_facts(gold: dict) -> list:
    """Gold facts as engine input: ids f1..fn, each quote as evidence text."""
    facts = []
    for i, raw in enumerate(gold["facts"], 1):
        evidence = [{"document": e["document"], "start": 0, "end": len(e["quote"]), "text": e["quote"]}
                    for e in raw["evidence"]]
        facts.append(_FACT.validate_python(raw | {"id": f"f{i}", "evidence": evidence}))
    return facts


@pytest.mark.skipif(not CASES, reason="corpora/sij has no annotated cases")
@pytest.mark.parametrize("case_dir", [pytest.param(c, id=c.name) for c in CASES])
def test_gold_facts_give_gold_determinations(case_dir: Path):
    gold = json.loads((case_dir / "gold.json").read_text(encoding="utf-8"))
    case = CaseRequest.model_validate_json((case_dir / "case.json").read_text(encoding="utf-8"))
    result = evaluate_case(gold_facts(gold), case.request or Request())
    got = {d.criterion: d.status for d in result.determinations} | {"recommendation": result.recommendation.status}
    wanted = gold["determinations"]
    assert {k: got.get(k) for k in wanted} == wanted
