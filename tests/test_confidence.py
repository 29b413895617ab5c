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
from evaluator.confidence.model import CEILING, FLOOR, ConfidenceModel, _interp, _Kind

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


def test_the_exported_model_gives_what_scikit_learn_fitted():
    """The JSON export (tools/train_confidence.py's `export`) applied in pure Python equals predict_proba."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("train_confidence", ROOT / "tools" / "train_confidence.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
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
    data = json.loads((ROOT / "evaluator" / "confidence" / "model-v2.json").read_text())
    model = ConfidenceModel.from_json(data)
    assert model.version == "2" and 0.5 <= model.threshold < 1
    for name in ("fact", "determination", "recommendation"):
        kind = data[name]
        assert len(kind["features"]) == len(kind["coef"]) == len(kind["mean"]) == len(kind["scale"])
        assert all(s > 0 for s in kind["scale"]) and getattr(model, name).names == tuple(kind["features"])


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
