"""The evaluation report as one self-contained HTML page a clinician can read (Jinja2, autoescaped)."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from models.evaluation import ERROR_KINDS, CriterionScore, EvaluationError, EvaluationReport

from .calibration import Bin, reliability_svg_of_bins
from .render_text import fmt

TEMPLATE = "evaluation_report.html"

#: what each error kind means, in a reviewer's words
ERROR_TITLES = {
    "false_negative": ("Missed facts", "in the gold annotation, not found by chartsift"),
    "false_positive": ("Extra facts", "found by chartsift, not in the gold annotation"),
    "wrong_attribute": ("Wrong details", "the right fact with a wrong value (gold vs chartsift)"),
    "wrong_determination": ("Wrong determinations", "criterion status differs from the gold determination"),
    "review_failed": ("Cases that failed", "the review raised an error"),
}
STATUS_LABELS = {"met": "met", "not_met": "not met", "insufficient": "insufficient",
                 "meets_criteria": "meets criteria", "missing_documentation": "missing documentation",
                 "physician_review": "physician review"}


def render_html(report: EvaluationReport) -> str:
    env = Environment(loader=PackageLoader("chartsift", "templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = fmt
    env.filters["pct"] = _pct
    env.filters["label"] = _label
    env.filters["value"] = _value
    return env.get_template(TEMPLATE).render(**_view(report))


def write_html(report: EvaluationReport, out: Path | str) -> Path:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path


def _view(report: EvaluationReport) -> dict[str, Any]:
    variants = [report] + ([report.pdf] if report.pdf is not None else [])
    return {"report": report, "variants": variants, "headline": _headline(variants),
            "pdf_types": {t.type: t for t in report.pdf.facts.per_type} if report.pdf else {},
            "criteria": [_criterion(c) for c in report.determinations.per_criterion],
            "recommendation": _criterion(report.determinations.recommendation),
            "error_groups": _error_groups(report.errors), "error_titles": ERROR_TITLES,
            "calibration": _calibration(report)}


def _calibration(report: EvaluationReport) -> dict[str, Any] | None:
    """The calibration section: the reliability diagram (inline SVG) and the table behind it."""
    calib = report.calibration
    if not calib:
        return None
    kinds = [(k, calib[k]) for k in ("facts", "determinations", "recommendations")]
    series = {k: [Bin(**b) for b in c["bins"]] for k, c in kinds}
    return {"svg": reliability_svg_of_bins(series, title=f"Reliability: {report.corpus}"), "kinds": kinds,
            "thresholds": [r["threshold"] for r in calib["determinations"]["risk_coverage"]],
            "routing": calib["routing"]}


def _headline(variants: list[EvaluationReport]) -> list[dict[str, Any]]:
    rows = [("Facts found correctly (micro F1)", lambda r: r.facts.micro.f1,
             "balance of precision and recall over all facts"),
            ("Precision", lambda r: r.facts.micro.precision, "share of chartsift's facts that are in the gold"),
            ("Recall", lambda r: r.facts.micro.recall, "share of gold facts chartsift found"),
            ("Macro F1", lambda r: r.facts.macro.f1, "mean F1 of the fact types; rare types weigh as much"),
            ("Details right", lambda r: r.facts.attribute_accuracy, "attribute accuracy over matched facts"),
            ("Evidence found", lambda r: r.facts.evidence_found, "matched facts quoting the gold passage"),
            ("Criteria right", lambda r: r.determinations.accuracy, "determination accuracy, all criteria"),
            ("Recommendations right", lambda r: r.determinations.recommendation.accuracy, "")]
    return [{"label": label, "values": [(v.source, get(v)) for v in variants], "help": help_}
            for label, get, help_ in rows]


def _criterion(score: CriterionScore) -> dict[str, Any]:
    labels = score.confusion.labels
    return {"score": score, "labels": labels,
            "rows": list(zip(labels, score.confusion.matrix))}


def _error_groups(errors: list[EvaluationError]) -> list[tuple[str, list[EvaluationError]]]:
    groups: dict[str, list[EvaluationError]] = defaultdict(list)
    for error in errors:
        groups[error.kind].append(error)
    return [(kind, sorted(groups[kind], key=lambda e: (e.case_id, e.fact_type or "", e.criterion or "")))
            for kind in ERROR_KINDS if groups.get(kind)]


def _pct(value: Any) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _label(value: Any) -> str:
    if value is None:
        return "—"
    text = str(value)
    return STATUS_LABELS.get(text, text.replace("_", " "))


def _value(value: Any) -> str:
    if value is None:
        return "not stated"
    if isinstance(value, list):
        return ", ".join(_label(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _label(value)
