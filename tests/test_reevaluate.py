"""A reviewer's override re-evaluated through the policy tree (evaluator.reevaluate), and the tree as the case
page shows it (evaluator.tree): the engine's own combination logic, no second copy."""
from __future__ import annotations

from pathlib import Path

import pytest

from evaluator import criteria_tree, evaluate_case, not_needed, policy_of, reevaluate, review_date_of
from evaluator.engine import Evaluation, evaluate
from evaluator.matching import Case
from models import STATUSES, ReviewResult

GOLDEN = Path(__file__).parent / "golden"


def golden(name: str) -> ReviewResult:
    return ReviewResult.model_validate_json((GOLDEN / name).read_text(encoding="utf-8"))


def statuses(evaluation) -> dict[str, str]:
    return {d.criterion: d.status for d in evaluation.determinations}


def sample() -> list[Path]:
    files = sorted(p for p in GOLDEN.rglob("*.json") if p.parent.name.startswith(("sij", "demo")))
    return files[::12]


def test_the_tree_lists_parents_first_with_their_depth():
    rows = criteria_tree(policy_of(golden("demo/DEMO-001.pdf.json").policy))
    order = [r.criterion for r in rows]
    assert order[:6] == ["I", "I.A", "I.B", "I.C", "I.D", "II"]
    depth = {r.criterion: r.depth for r in rows}
    assert (depth["II"], depth["II.A"], depth["II.A.1"], depth["III"], depth["codes"]) == (0, 1, 2, 0, 0)
    for row in rows:
        if row.parent:
            assert order.index(row.parent) < order.index(row.criterion)


def test_without_overrides_the_review_comes_back_unchanged():
    for path in sample():
        result = ReviewResult.model_validate_json(path.read_text(encoding="utf-8"))
        again = reevaluate(result, {})
        assert again.determinations == result.determinations and again.recommendation == result.recommendation
        same = {d.criterion: d.status for d in result.determinations}
        assert reevaluate(result, same).determinations == result.determinations  # a status kept is no change


def test_open_pathway_alternatives_and_their_any_of():
    result = golden("sij/SIJ-023.text.json")  # I = any of I.A met, I.B not met, I.C met, I.D insufficient
    policy = policy_of(result.policy)
    assert not_needed(policy, statuses(result)) == {"I.B", "I.D"}
    one = reevaluate(result, {"I.A": "not_met"})
    assert statuses(one)["I"] == "met" and one.recommendation.status == "meets_criteria"
    assert not_needed(policy, statuses(one)) == {"I.A", "I.B", "I.D"}
    both = reevaluate(result, {"I.A": "not_met", "I.C": "not_met"})
    got = {d.criterion: d for d in both.determinations}
    assert got["I"].status == "insufficient" and got["I"].confidence is None
    assert got["I.A"].confidence is None and got["III"] == next(d for d in result.determinations
                                                                 if d.criterion == "III")
    assert both.recommendation.status == "missing_documentation" and "I (I.D)" in both.recommendation.summary
    assert not_needed(policy, statuses(both)) == set()


def test_an_override_below_unnamed_parts_recombines_with_them():
    result = golden("demo/DEMO-001.pdf.json")  # II.A = all of II.A.1-3 and two unnamed checks
    got = statuses(reevaluate(result, {"II.A.1": "not_met"}))
    assert (got["II.A.1"], got["II.A"], got["II"], got["II.B"]) == ("not_met", "not_met", "not_met", "met")
    assert reevaluate(result, {"II.A.1": "not_met"}).recommendation.status == "physician_review"
    insufficient = reevaluate(result, {"II.D": "insufficient"})
    assert statuses(insufficient)["II"] == "insufficient"
    assert insufficient.recommendation.status == "missing_documentation"
    assert statuses(reevaluate(result, {"II": "met", "II.D": "not_met"}))["II"] == "met"  # the parent's own stands


def _from_facts(result: ReviewResult, criterion: str, status: str) -> dict[str, str]:
    """Every criterion evaluated again from the facts, only `criterion` given the reviewer's status."""
    policy = policy_of(result.policy)
    base = evaluate_case(result.facts, result.request, review_date=review_date_of(result), policy=policy)
    given = next(d for d in base.determinations if d.criterion == criterion)
    fixed = {criterion: given.model_copy(update={"status": status})}
    case = Case(facts=list(result.facts), request=result.request, request_date=review_date_of(result),
                side=result.request.side)
    out = Evaluation()
    present = {d.criterion for d in result.determinations}
    for spec in policy.pathways:
        if spec.criterion in present:
            evaluate(policy.node(spec.criterion), case, out, pathway=spec.name, fixed=fixed)
    for top in policy.always:
        evaluate(policy.node(top), case, out, fixed=fixed)
    return {d.criterion: d.status for d in base.determinations} | {c: d.status for c, d in out.determinations.items()}


@pytest.mark.parametrize("path", sample(), ids=lambda p: p.stem)
def test_reevaluation_agrees_with_evaluating_the_whole_tree_again(path):
    """Keeping the untouched criteria as reviewed and combining the ones above an override gives what the
    engine gives when it evaluates the whole chart again with that one status given."""
    result = ReviewResult.model_validate_json(path.read_text(encoding="utf-8"))
    if any(d.unreadable_pages for d in result.documents) or result.request.side is None:
        pytest.skip("held or side-inferred review: compared elsewhere")
    for d in result.determinations:
        for status in STATUSES:
            if status == d.status:
                continue
            assert statuses(reevaluate(result, {d.criterion: status})) == _from_facts(result, d.criterion, status), \
                (d.criterion, status)
