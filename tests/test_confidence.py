"""Calibrated confidence (SPEC section 3): on every fact, determination and the recommendation, the routing
to `needs_review`, the model file applied exactly as scikit-learn fitted it, and the calibration numbers."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from chartsift.api import review
from chartsift.evaluation import calibration
from chartsift.render import render_text
from evaluator.confidence import load_model, score_review
from evaluator.confidence.model import CEILING, DEFAULT_MODEL, FLOOR, ConfidenceModel, _interp, _Kind, meets_rule

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "corpora" / "sij_epic" / "EP-001"


@pytest.fixture(scope="module")
def result():
    return review(CASE)


def test_every_fact_determination_and_the_recommendation_carry_a_probability(result):
    assert result.facts and result.determinations
    for item in [*result.facts, *result.determinations, result.recommendation]:
        assert item.confidence is not None and FLOOR <= item.confidence <= CEILING


def test_needs_review_lists_exactly_the_criteria_below_the_threshold_lowest_first(result):
    threshold = load_model().threshold
    below = {d.criterion for d in result.determinations if d.confidence < threshold}
    assert set(result.needs_review) == below
    ranks = [min(d.confidence for d in result.determinations if d.criterion == c) for c in result.needs_review]
    assert ranks == sorted(ranks)


def test_the_threshold_is_configurable(result):
    copy = result.model_copy(deep=True)
    assert score_review(copy, threshold=0.0).needs_review == []
    everything = score_review(copy, threshold=1.0).needs_review
    assert set(everything) == {d.criterion for d in result.determinations}
    assert review(CASE, review_threshold=0.0).needs_review == []


def test_scoring_is_deterministic_and_reads_only_the_review(result):
    again = score_review(result.model_copy(deep=True))
    assert again.model_dump() == result.model_dump()


def test_text_review_marks_the_criteria_that_need_review(result):
    forced = score_review(result.model_copy(deep=True), threshold=1.0)
    text = render_text(forced)
    assert f"NEEDS REVIEW: {len(forced.needs_review)} of {len(forced.determinations)}" in text
    assert "? II.A " in text or "? I.A " in text
    calm = render_text(score_review(result.model_copy(deep=True), threshold=0.0))
    assert "NEEDS REVIEW" not in calm


def _trainer():
    """tools/train_confidence.py as a module (it is a script, not a package)."""
    import importlib.util
    import sys
    if "train_confidence" not in sys.modules:
        spec = importlib.util.spec_from_file_location("train_confidence", ROOT / "tools" / "train_confidence.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["train_confidence"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules["train_confidence"]


def test_the_exported_model_gives_what_scikit_learn_fitted():
    """The JSON export (tools/train_confidence.py's `export`) applied in pure Python equals predict_proba."""
    train = _trainer()
    rng = np.random.default_rng(7)
    X = rng.normal(size=(400, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.8, size=400) > 0).astype(int)
    groups = np.repeat(np.arange(80), 5)
    names = ["a", "b", "c", "d"]
    for method in ("isotonic", "sigmoid"):
        splits = list(GroupKFold(n_splits=5).split(X, y, groups))
        clf = CalibratedClassifierCV(make_pipeline(StandardScaler(), LogisticRegression()), method=method,
                                     cv=splits, ensemble=False).fit(X, y)
        kind = _Kind.from_json(json.loads(json.dumps(train.export(clf, names))))
        ours = [kind.probability(dict(zip(names, row))) for row in X[:50]]
        theirs = np.clip(clf.predict_proba(X[:50])[:, 1], FLOOR, CEILING)
        assert np.allclose(ours, theirs, atol=6e-4), method


def test_interpolation_is_numpys():
    xs, ys = [-2.0, -1.0, 0.5, 3.0], [0.05, 0.2, 0.7, 0.95]
    for s in np.linspace(-4, 5, 37):
        assert math.isclose(_interp(float(s), xs, ys), float(np.interp(s, xs, ys)), abs_tol=1e-12)


def test_the_shipped_model_is_versioned_and_complete():
    path = ROOT / "evaluator" / "confidence" / "model-v4.json"
    assert DEFAULT_MODEL == path
    data = json.loads(path.read_text())
    model = ConfidenceModel.from_json(data)
    assert load_model() == model
    assert model.version == "4" and 0.5 <= model.threshold < 1 and model.meets_rule is True
    for name in ("fact", "determination", "recommendation"):
        kind = data[name]
        assert len(kind["features"]) == len(kind["coef"]) == len(kind["mean"]) == len(kind["scale"])
        assert all(s > 0 for s in kind["scale"]) and getattr(model, name).names == tuple(kind["features"])
    # the v3 features carry weight in the shipped model (they were kept because out-of-fold Brier fell)
    for name in ("relief_missing", "relief_near", "date_missing", "head_siblings", "same_identity"):
        assert name in data["fact"]["features"]
    for name in ("cited_relief_margin", "parent_status:met", "pathway:open", "cited_assertion:negated"):
        assert name in data["determination"]["features"]


def test_features_are_deterministic_and_read_only_the_review_json(result):
    """The same review, and the same review read back from its JSON, give the same features: what the
    trainer computed from stored first-seen reviews is what a review computes."""
    from evaluator.confidence.features import CaseView, determination_features, fact_features
    from models import ReviewResult

    again = ReviewResult.model_validate_json(result.model_dump_json())
    views = (CaseView(result), CaseView(result), CaseView(again))
    for view in views:
        view.fact_confidence = {f.id: 0.5 for f in view.result.facts}
    for i in range(len(result.facts)):
        rows = [fact_features(v.result.facts[i], v) for v in views]
        assert rows[0] == rows[1] == rows[2]
    for i, det in enumerate(result.determinations):
        rows = [determination_features(v.result.determinations[i], v) for v in views]
        assert rows[0] == rows[1] == rows[2]
        assert rows[0][f"pathway:{det.pathway}"] == 1.0


def test_relief_is_measured_from_the_policy_thresholds():
    """An injection's relief near 75 % or 50 % is flagged near; far from both, its margin is larger."""
    from evaluator.confidence.features import CaseView, fact_features
    from models import ReviewResult

    def features(relief):
        data = json.loads(review(CASE).model_dump_json())
        data["facts"] = [{"id": "f1", "type": "injection", "site": "sacroiliac_joint", "relief_percent": relief,
                          "evidence": [{"document": "x.txt", "start": 0, "end": 5, "text": "SIJ injection"}]}]
        data["determinations"] = []
        result = ReviewResult.model_validate(data)
        return fact_features(result.facts[0], CaseView(result))

    near, far, none = features(72.0), features(95.0), features(None)
    assert near["relief_near"] == 1.0 and near["relief_margin"] == pytest.approx(3 / 25)
    assert far["relief_near"] == 0.0 and far["relief_margin"] == pytest.approx(20 / 25)
    assert none["relief_missing"] == 1.0 and "relief_margin" not in none and none["date_missing"] == 1.0


def test_the_routing_threshold_is_the_lowest_that_reaches_the_routed_accuracy():
    """tools/train_confidence.py's rule: the lowest t (0.50, 0.51, ...) at which out-of-fold
    determinations at confidence >= t are >= ROUTED_ACCURACY right."""
    from types import SimpleNamespace

    train = _trainer()
    # 100 right and 1 wrong at 0.95, 10 wrong at 0.80, 50 right at 0.60
    dets = [(0.95, True)] * 100 + [(0.95, False)] + [(0.80, False)] * 10 + [(0.60, True)] * 50
    case = SimpleNamespace(det_p=[p for p, _ in dets], det_right={i: r for i, (_, r) in enumerate(dets)})
    assert train.ROUTED_ACCURACY == 0.98
    # at 0.60: 150/161 = 0.932 right; up to 0.80: 100/111 = 0.901; from 0.81: 100/101 = 0.990
    assert train.choose_threshold([case]) == 0.81


def test_a_meets_criteria_recommendation_is_no_surer_than_a_criterion_that_needs_review():
    from dataclasses import replace

    assert meets_rule("meets_criteria", 0.95, [0.97, 0.84], 0.9) == 0.84
    assert meets_rule("meets_criteria", 0.80, [0.97, 0.84], 0.9) == 0.80
    assert meets_rule("meets_criteria", 0.95, [0.97, 0.93], 0.9) == 0.95
    assert meets_rule("physician_review", 0.95, [0.97, 0.30], 0.9) == 0.95
    # on a real meets_criteria review: below the threshold as soon as a criterion is routed, else untouched
    meets = review(ROOT / "corpora" / "sij_epic" / "EP-011")
    assert meets.recommendation.status == "meets_criteria"
    without = replace(load_model(), meets_rule=False)
    for threshold in (0.0, 0.5, 0.9, 0.95, 1.0):
        scored = score_review(meets.model_copy(deep=True), threshold=threshold)
        plain = score_review(meets.model_copy(deep=True), model=without, threshold=threshold)
        lowest = min(d.confidence for d in scored.determinations)
        if lowest < threshold:
            assert scored.needs_review
            assert scored.recommendation.confidence == min(plain.recommendation.confidence, lowest) < threshold
        else:
            assert scored.recommendation.confidence == plain.recommendation.confidence


def test_calibration_numbers_on_known_pairs():
    perfect = [(0.8, True)] * 8 + [(0.8, False)] * 2 + [(0.3, True)] * 3 + [(0.3, False)] * 7
    assert calibration.ece(perfect) == pytest.approx(0.0)
    off = [(0.9, True)] * 5 + [(0.9, False)] * 5
    assert calibration.ece(off) == pytest.approx(0.4)
    assert calibration.brier([(1.0, True), (0.0, False), (0.5, True)]) == pytest.approx(0.25 / 3)
    rc = {r["threshold"]: r for r in calibration.risk_coverage(perfect + off)}
    assert rc[0.9]["coverage"] == pytest.approx(10 / 30) and rc[0.9]["accuracy"] == pytest.approx(0.5)
    assert rc[0.5]["count"] == 20 and rc[0.5]["accuracy"] == pytest.approx(13 / 20)
    assert calibration.ece([]) is None and calibration.brier([]) is None


def test_reliability_svg_draws_a_point_per_filled_bin_and_escapes_names():
    svg = calibration.reliability_svg({"dets <x>": [(0.15, False), (0.85, True), (0.86, True)]}, title="t & u")
    assert svg.startswith("<svg") and svg.count("<circle") == 2
    assert "dets &lt;x&gt;" in svg and "t &amp; u" in svg


def test_evaluate_reports_calibration_and_routing(tmp_path):
    from chartsift.evaluation.report_html import write_html
    from chartsift.evaluation.runner import evaluate

    report = evaluate(ROOT / "corpora" / "sij_fresh")
    calib = report.calibration
    assert calib["determinations"]["count"] == sum(c.determinations_total for c in report.case_scores)
    assert calib["determinations"]["accuracy"] == pytest.approx(report.determinations.accuracy)
    assert 0 <= calib["determinations"]["ece"] <= 1
    routing = calib["routing"]
    assert routing["needs_review"] + (routing["determinations"] - routing["needs_review"]) == routing["determinations"]
    html = write_html(report, tmp_path / "r.html").read_text()
    assert "Confidence calibration" in html and "<svg" in html


def test_the_fast_path_scores_what_the_training_features_score(result):
    """score_review scores a case's shared features once per kind; the result must equal scoring each row's
    full feature dict (what tools/train_confidence.py trains on)."""
    from evaluator.confidence.features import CaseView, determination_features, fact_features

    model = load_model()
    view = CaseView(result)
    for fact in result.facts:
        assert model.fact.probability(fact_features(fact, view)) == fact.confidence
        view.fact_confidence[fact.id] = fact.confidence
    for det in result.determinations:
        assert model.determination.probability(determination_features(det, view)) == det.confidence
