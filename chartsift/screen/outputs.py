"""The files of OUT, all regenerated from the ledger and each written to a temporary name, then renamed.

- `results.jsonl`: the review JSON (SPEC section 3) of every reviewed case, sorted by case id (as every file);
- `summary.csv`: one row per case: recommendation and its confidence, the lowest confidence of any
  criterion, how many criteria need review (and which), the blocking criteria (those that keep the case from
  meets_criteria: not_met or insufficient on the pathway taken, evaluator.blocking), one column per
  criterion, missing documentation, error code (a case that could not be reviewed), the codes of unreadable
  documents;
- `errors.csv`: every case error and every document error (code and message, never chart text);
- `index.html` and `cases/<case>.html`: a sortable table that fits a laptop screen (the criteria of each case
  in one compact cell), with filters by recommendation, needs-review and error, linking to each case's report;
- with `--fhir`, `fhir/<case>.json`: each reviewed case as a FHIR R4 Bundle (chartsift.fhir).
"""
from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from evaluator import UnknownPolicyError, blocking, criteria_tree, policy_of
from models import ErrorCode, PolicyRef

from . import html
from .ledger import Row

RESULTS, SUMMARY, ERRORS, INDEX, CASES_DIR = "results.jsonl", "summary.csv", "errors.csv", "index.html", "cases"
FHIR_DIR = "fhir"
SUMMARY_HEAD = ["case_id", "status", "recommendation", "pathway", "confidence", "lowest_confidence",
                "needs_review", "needs_review_criteria", "blocking_criteria"]
SUMMARY_TAIL = ["missing_documentation", "error_code", "document_errors", "document_warnings", "pages", "seconds",
                "report"]
ERRORS_HEAD = ["case_id", "document", "code", "message"]
_CODES = {code.value for code in ErrorCode}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """A file to write that appears at `path` (atomic rename) only when the block completes."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(path: Path, data: str) -> None:
    """Write `data` to `path` through a temporary name in the same folder and an atomic rename."""
    with atomic_file(path) as fh:
        fh.write(data)


def remove_stale_temporaries(out: Path) -> None:
    """Temporary files a killed run left behind (the ledger lock guarantees no live writer)."""
    for folder in (out, out / CASES_DIR, out / FHIR_DIR):
        for tmp in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _safe_name(case_id: str) -> str:
    """Safe characters, and unique even when the id is not."""
    safe = _UNSAFE.sub("_", case_id)[:80] or "case"
    if safe != case_id:
        safe += "-" + hashlib.sha256(case_id.encode()).hexdigest()[:8]
    return safe


def report_name(case_id: str) -> str:
    """A file name for the case's report."""
    return f"{CASES_DIR}/{_safe_name(case_id)}.html"


def bundle_name(case_id: str) -> str:
    """A file name for the case's FHIR Bundle."""
    return f"{FHIR_DIR}/{_safe_name(case_id)}.json"


def write_case_bundle(out: Path, case_id: str, result_json: str, documents: list[Path]) -> bool:
    """Write the FHIR Bundle of one reviewed case (no document text); False when it failed its checks
    (then nothing is written: the failure names no chart text, and the other outputs go on)."""
    from chartsift.fhir import FhirCheckError, checked_bundle, dumps, sources_of
    from models import ReviewResult

    try:
        bundle = checked_bundle(ReviewResult.model_validate_json(result_json), sources_of(documents))
    except FhirCheckError:
        return False
    (out / FHIR_DIR).mkdir(parents=True, exist_ok=True)
    atomic_write(out / bundle_name(case_id), dumps(bundle))
    return True


def write_case_report(out: Path, case_id: str, result_json: str) -> str:
    """Write the HTML report of one reviewed case; returns its path relative to OUT."""
    result = json.loads(result_json)
    name = report_name(case_id)
    (out / CASES_DIR).mkdir(parents=True, exist_ok=True)
    atomic_write(out / name, html.render_case(result))
    return name


def write_outputs(out: Path, rows: Iterable[Row]) -> dict[str, int]:
    """Regenerate every output of OUT from ledger rows (in their order: by case id); returns counts by status."""
    summaries: list[dict] = []
    errors: list[list[str]] = []
    criteria: dict[str, None] = {}
    policies: dict[tuple[str, str], None] = {}
    with atomic_file(out / RESULTS) as results:
        for row in rows:
            result = json.loads(row.result_json) if row.result_json else None
            if result is not None:
                ref = result.get("policy") or {}
                policies.setdefault((ref.get("id") or "", ref.get("revision") or ""), None)
                results.write(row.result_json.strip() + "\n")
                if not (out / report_name(row.case_id)).exists():
                    write_case_report(out, row.case_id, row.result_json)
            summaries.append(_summary_row(row, result, criteria))
            errors.extend(_error_rows(row, result))
    columns = SUMMARY_HEAD + list(criteria) + SUMMARY_TAIL
    atomic_write(out / SUMMARY, _csv(columns, [[s.get(c, "") for c in columns] for s in summaries]))
    atomic_write(out / ERRORS, _csv(ERRORS_HEAD, errors))
    counts = Counter(s["recommendation"] or "error" for s in summaries)
    atomic_write(out / INDEX, html.render_index(summaries, _tree_order(list(criteria), policies),
                                                sorted(counts.items())))
    return dict(counts)


def _summary_row(row: Row, result: dict | None, criteria: dict[str, None]) -> dict:
    summary = {"case_id": row.case_id, "status": row.status, "recommendation": "", "pathway": "",
               "confidence": "", "lowest_confidence": "", "needs_review": "", "needs_review_criteria": "",
               "blocking_criteria": "",
               "missing_documentation": "", "error_code": row.error_code or "", "document_errors": "",
               "document_warnings": "",
               "pages": row.pages, "seconds": f"{row.seconds:.2f}" if row.seconds is not None else "", "report": ""}
    if result is None:
        return summary
    summary["recommendation"] = result["recommendation"]["status"]
    summary["pathway"] = (result.get("policy") or {}).get("pathway") or ""
    confidences = [d["confidence"] for d in result.get("determinations", []) if d.get("confidence") is not None]
    rec_confidence = result["recommendation"].get("confidence")
    summary["confidence"] = f"{rec_confidence:.3f}" if rec_confidence is not None else ""
    summary["lowest_confidence"] = f"{min(confidences):.3f}" if confidences else ""
    summary["needs_review"] = len(result.get("needs_review", []))
    summary["needs_review_criteria"] = " ".join(result.get("needs_review", []))
    missing: dict[str, None] = {}
    for det in result.get("determinations", []):
        criteria.setdefault(det["criterion"], None)
        summary[det["criterion"]] = det["status"]
        # the top criteria (I / II, III, codes) decide the recommendation and gather their parts' missing
        # documents; a failed branch of an "any" (I.B when I.A is met) asks for nothing
        if det["status"] == "insufficient" and "." not in det["criterion"]:
            missing.update(dict.fromkeys(det.get("missing", [])))
    summary["blocking_criteria"] = " ".join(_blocking(result))
    summary["missing_documentation"] = " | ".join(missing)
    summary["document_errors"] = " ".join(sorted({e["code"] for e in result.get("errors", [])}))
    summary["document_warnings"] = " ".join(sorted({w.split(":", 1)[0] for w in result.get("warnings", [])
                                                    if w.split(":", 1)[0] in _CODES}))
    summary["report"] = report_name(row.case_id)
    return summary


def _tree_order(criteria: list[str], policies: dict[tuple[str, str], None]) -> list[str]:
    """The criteria as the policy lists them, a parent before its children (index.html); others after them."""
    order: dict[str, int] = {}
    for key in policies:
        policy = _policy(*key)
        for row in criteria_tree(policy) if policy else []:
            order.setdefault(row.criterion, len(order))
    return sorted(criteria, key=lambda c: order.get(c, len(order)))


def _blocking(result: dict) -> list[str]:
    """The criteria that keep the case from meets_criteria (evaluator.blocking, with the review's policy)."""
    ref = result.get("policy") or {}
    policy = _policy(ref.get("id") or "", ref.get("revision") or "")
    if policy is None:
        return []
    statuses = {d["criterion"]: d["status"] for d in result.get("determinations", [])}
    return blocking(policy, statuses, ref.get("pathway"))


@functools.cache
def _policy(policy_id: str, revision: str):
    try:
        return policy_of(PolicyRef(id=policy_id, revision=revision))
    except (UnknownPolicyError, ValueError):
        return None


def _error_rows(row: Row, result: dict | None) -> list[list[str]]:
    rows = []
    if row.status == "error":
        rows.append([row.case_id, "", row.error_code or "", row.error_message or ""])
    for err in (result or {}).get("errors", []):
        rows.append([row.case_id, err.get("document", ""), err.get("code", ""), err.get("message", "")])
    return rows


def _csv(head: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(head)
    writer.writerows([_cell(v) for v in r] for r in rows)
    return buf.getvalue()


def _cell(value) -> str:
    """Spreadsheet-safe cell: a leading = + - @ would be read as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    with contextlib.suppress(ValueError):
        float(text)
        return text
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
