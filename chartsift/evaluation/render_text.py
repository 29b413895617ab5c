"""Plain-text and Markdown views of an evaluation report, and its change against a baseline report."""
from __future__ import annotations

from collections import Counter
from typing import Any

from models.evaluation import ERROR_KINDS, EvaluationReport

Row = tuple[str, Any]


def numbers(report: EvaluationReport) -> dict[str, float | int | None]:
    """Every number of a report under a stable dotted name (the PDF variant's under `pdf.`)."""
    f, d = report.facts, report.determinations
    out: dict[str, float | int | None] = {"cases": report.cases}
    for avg in ("micro", "macro"):
        for metric in ("precision", "recall", "f1"):
            out[f"facts.{avg}.{metric}"] = getattr(getattr(f, avg), metric)
    out.update({"facts.attribute_accuracy": f.attribute_accuracy, "facts.evidence_found": f.evidence_found,
                "facts.tp": f.counts.tp, "facts.fp": f.counts.fp, "facts.fn": f.counts.fn})
    for t in f.per_type:
        for metric in ("precision", "recall", "f1", "support", "predicted"):
            out[f"facts.{t.type}.{metric}"] = getattr(t, metric)
    for a in f.attributes:
        out[f"attribute.{a.type}.{a.attribute}.accuracy"] = a.accuracy
    out["determinations.accuracy"] = d.accuracy
    for c in d.per_criterion:
        out[f"determination.{c.criterion}.accuracy"] = c.accuracy
    out["recommendation.accuracy"] = d.recommendation.accuracy
    kinds: Counter[str] = Counter(str(e.kind) for e in report.errors)
    out.update({f"errors.{k}": kinds.get(k, 0) for k in ERROR_KINDS})
    if report.pdf is not None:
        out.update({f"pdf.{k}": v for k, v in numbers(report.pdf).items()})
    if report.scan is not None:
        out.update({f"scan.{k}": v for k, v in numbers(report.scan).items()})
    return out


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[fmt(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
             for r in cells]
    return [lines[0], "  ".join("-" * w for w in widths)] + lines[1:]


def _variants(report: EvaluationReport) -> list[EvaluationReport]:
    return [report] + [v for v in (report.pdf, report.scan) if v is not None]


def headline_rows(report: EvaluationReport) -> list[Row]:
    f, d = report.facts, report.determinations
    return [("fact micro precision", f.micro.precision), ("fact micro recall", f.micro.recall),
            ("fact micro F1", f.micro.f1), ("fact macro F1", f.macro.f1),
            ("attribute accuracy", f.attribute_accuracy), ("evidence found", f.evidence_found),
            ("determination accuracy", d.accuracy), ("recommendation accuracy", d.recommendation.accuracy)]


def summary(report: EvaluationReport) -> str:
    """The readable report the CLI prints: headline, per type, per attribute, per criterion, errors."""
    variants = _variants(report)
    names: list[str] = [v.source for v in variants]
    lines = [f"chartsift evaluate {report.corpus}: {report.cases} cases"
             + (" (text and PDF packet side by side)" if len(variants) > 1 else ""), ""]
    lines += _table(["headline"] + names, _side_by_side(variants, headline_rows))
    lines += ["", *_table(["fact type"] + [f"{m} ({n})" for n in names for m in ("P", "R", "F1")] + ["gold"],
                          _per_type_rows(variants))]
    lines += ["", *_table(["attribute (matched pairs)"] + [f"acc ({n})" for n in names] + ["pairs"],
                          _attribute_rows(variants))]
    lines += ["", *_table(["criterion"] + [f"acc ({n})" for n in names] + ["cases"], _criterion_rows(variants))]
    lines += calibration_lines(report.calibration)
    lines += ["", "errors: " + ", ".join(f"{k} {n}" for k, n in _error_counts(report).items())]
    failed = [e for e in report.errors if e.kind == "review_failed"]
    for message, count in Counter(e.message for e in failed).most_common(3):
        lines.append(f"review failed on {count} case(s): {message}")
    unscored = report.facts.unscored_predictions
    if unscored:
        lines.append(f"({unscored} predicted facts of types their gold file does not annotate were not scored)")
    return "\n".join(lines)


def _side_by_side(variants: list[EvaluationReport], rows_of: Any) -> list[list[Any]]:
    columns = [rows_of(v) for v in variants]
    return [[label] + [col[i][1] for col in columns] for i, (label, _) in enumerate(columns[0])]


def _per_type_rows(variants: list[EvaluationReport]) -> list[list[Any]]:
    rows = []
    for t in variants[0].facts.per_type:
        others = [{s.type: s for s in v.facts.per_type}.get(t.type) for v in variants]
        rows.append([t.type] + [getattr(o, m, None) for o in others for m in ("precision", "recall", "f1")]
                    + [t.support])
    rows.append(["micro"] + [getattr(v.facts.micro, m) for v in variants for m in ("precision", "recall", "f1")]
                + [variants[0].facts.counts.tp + variants[0].facts.counts.fn])
    rows.append(["macro"] + [getattr(v.facts.macro, m) for v in variants for m in ("precision", "recall", "f1")]
                + [None])
    return rows


def _attribute_rows(variants: list[EvaluationReport]) -> list[list[Any]]:
    rows = []
    for a in variants[0].facts.attributes:
        same = [next((b for b in v.facts.attributes if (b.type, b.attribute) == (a.type, a.attribute)), None)
                for v in variants]
        rows.append([f"{a.type}.{a.attribute}"] + [s.accuracy if s else None for s in same] + [a.total])
    return rows


def _criterion_rows(variants: list[EvaluationReport]) -> list[list[Any]]:
    rows = []
    for c in variants[0].determinations.per_criterion + [variants[0].determinations.recommendation]:
        same = [next((d for d in v.determinations.per_criterion + [v.determinations.recommendation]
                      if d.criterion == c.criterion), None) for v in variants]
        rows.append([c.criterion] + [s.accuracy if s else None for s in same] + [c.total])
    return rows


def _error_counts(report: EvaluationReport) -> dict[str, int]:
    kinds: Counter[str] = Counter(str(e.kind) for e in report.errors)
    return {k: kinds.get(k, 0) for k in ERROR_KINDS}


def markdown(report: EvaluationReport) -> str:
    """The README "Accuracy" table: headline numbers, then per fact type (text and PDF when scored)."""
    variants = _variants(report)
    names = [v.source for v in variants]
    flags = (" --as-pdf" if report.pdf else "") + (" --as-scan" if report.scan else "")
    command = f"chartsift evaluate {report.corpus}{flags} --markdown"
    intro = (f"{report.cases} annotated cases, chartsift {report.chartsift_version or '?'}; "
             f"regenerate with `{command}`.")
    out = [intro, "",
           "| measure | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    out += [f"| {label} | " + " | ".join(fmt(v) for v in values) + " |"
            for label, *values in _side_by_side(variants, headline_rows)]
    out += ["", "| fact type | gold facts | " + " | ".join(f"P ({n}) | R ({n}) | F1 ({n})" for n in names) + " |",
            "|---|---:|" + "---:|" * 3 * len(names)]
    for label, *values in _per_type_rows(variants):
        support = values[-1]
        out.append(f"| {label} | {fmt(support)} | " + " | ".join(fmt(v) for v in values[:-1]) + " |")
    return "\n".join(out)


def baseline_diff(report: EvaluationReport, baseline: EvaluationReport) -> str:
    """Every number of both reports: baseline, now, and the change."""
    now, before = numbers(report), numbers(baseline)
    names = list(before) + [k for k in now if k not in before]
    rows = [[name, before.get(name), now.get(name), _change(before.get(name), now.get(name))] for name in names]
    return "\n".join([f"change against baseline ({baseline.cases} cases -> {report.cases} cases)", "",
                      *_table(["number", "baseline", "now", "change"], rows)])


def _change(before: Any, now: Any) -> str:
    if before is None or now is None:
        return "" if before == now else ("new" if before is None else "gone")
    delta = now - before
    if delta == 0:
        return "="
    return f"{delta:+.3f}" if isinstance(delta, float) else f"{delta:+d}"


def calibration_lines(calib: dict | None) -> list[str]:
    """The calibration table: per kind, ECE, Brier and the risk-coverage at 0.9; then the routing."""
    if not calib:
        return []
    rows = []
    for kind in ("facts", "determinations", "recommendations"):
        c = calib[kind]
        at9 = next((r for r in c["risk_coverage"] if r["threshold"] == 0.9), None)
        rows.append([kind, str(c["count"]), fmt(c["accuracy"]), fmt(c["mean_confidence"]), fmt(c["ece"]),
                     fmt(c["brier"]), fmt(at9["accuracy"]) if at9 else "-", fmt(at9["coverage"]) if at9 else "-"])
    lines = ["", *_table(["calibration", "n", "accuracy", "mean conf", "ECE", "Brier", "acc@>=0.9", "cov@>=0.9"],
                         rows)]
    r = calib["routing"]
    lines.append(f"routing: {r['needs_review']} of {r['determinations']} determinations sent to review "
                 f"({fmt(r['needs_review_share'])}); the rest right {fmt(r['accuracy_not_routed'])}; "
                 f"wrong determinations behind a wrong meets_criteria not sent to review: "
                 f"{r['wrong_meets_not_routed']}")
    return lines
