"""`evaluate`: review every case of an annotated corpus with `chartsift.review` and score it."""
from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from chartsift import __version__
from models import ReviewResult
from models.evaluation import EvaluationReport

from .aspdf import case_as_pdf
from .asscan import case_as_scan
from .corpus import CorpusCase, load_corpus, read_document_text
from .scorer import CaseRun, score

ReviewFn = Callable[..., ReviewResult]


def evaluate(corpus_dir: Path | str, *, as_pdf: bool = False, as_scan: bool = False,
             review: ReviewFn | None = None) -> EvaluationReport:
    """Score `chartsift.review` on every case of `corpus_dir` (SPEC section 6).

    With `as_pdf`, each case is also rendered to a PDF packet and scored again; that report is
    `report.pdf`; with `as_scan`, as a fax-like image-only PDF read by OCR, `report.scan`. `review`
    replaces `chartsift.review` (tests, other pipelines).
    """
    corpus_dir = Path(corpus_dir)
    review = review or _default_review()
    cases = load_corpus(corpus_dir)
    runs = [run_case(case, case.case_dir, review) for case in cases]
    report = score(runs, corpus=corpus_dir.as_posix(), source="text", version=__version__)
    if as_pdf:
        with tempfile.TemporaryDirectory(prefix="chartsift-eval-") as tmp:
            pdf_runs = []
            for case in cases:
                folder = Path(tmp) / case.case_dir.name
                pdf_runs.append(run_case(case, folder, review, rename=case_as_pdf(case, folder)))
            report.pdf = score(pdf_runs, corpus=corpus_dir.as_posix(), source="pdf", version=__version__)
    if as_scan:
        report.scan = score(scan_runs(cases, review), corpus=corpus_dir.as_posix(), source="scan",
                            version=__version__)
    return report


def run_case(case: CorpusCase, folder: Path, review: ReviewFn, rename: Mapping[str, str] | None = None) -> CaseRun:
    """Review one case folder; a review that raises is recorded as a failed case, not a crash."""
    result: ReviewResult | None = None
    failure = None
    try:
        result = review(folder, request=case.request, case_id=case.case_id)
    except Exception as exc:  # noqa: BLE001 - one broken case must not stop the corpus; it is reported as review_failed
        failure = f"{type(exc).__name__}: {_first_line(exc)}"
    return CaseRun(case_id=case.case_id, gold=case.gold, result=result, pathway=case.pathway, failure=failure,
                   rename=dict(rename or {}), texts=_texts(folder, result))


def _texts(folder: Path, result: ReviewResult | None) -> dict[str, str]:
    """Document texts for error context, by the names the review gave them (unreadable ones left out)."""
    names = [d.name for d in result.documents if d.error is None] if result else []
    texts: dict[str, str] = {}
    for name in names:
        try:
            texts[name] = read_document_text(folder / name)
        except Exception:  # noqa: BLE001, S112 - context is a nicety; a document the reviewer could not read has none
            continue
    return texts


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""


def _default_review() -> ReviewFn:
    # read at call time, not import time: `import chartsift` must not load the NLP (a screen parent never
    # does), and tests replace chartsift.api.review
    from chartsift.api import review

    return review


def scan_runs(cases: list[CorpusCase], review: Callable) -> list[CaseRun]:
    """Every case rendered as a scan and reviewed (the `--as-scan` half of `evaluate`)."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="chartsift-scan-eval-") as tmp:
        for case in cases:
            folder = Path(tmp) / case.case_dir.name
            runs.append(run_case(case, folder, review, rename=case_as_scan(case, folder)))
    return runs
