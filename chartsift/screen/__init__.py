"""Bulk pre-screening: every case of INPUT through `chartsift.review`, isolated, resumable, in OUT.

`screen(input, out)` discovers the cases (inputs.py), skips those the ledger already holds for the
same documents and chartsift version (ledger.py), reviews the rest in worker processes (pool.py) or
on a Dask cluster (dask_runner.py), commits each outcome to the ledger as it arrives, and
regenerates the output files from the ledger at checkpoints and at the end (outputs.py).
"""
from __future__ import annotations

import logging
import sys
import time
import types
from dataclasses import dataclass, field
from pathlib import Path

from chartsift import __version__ as version
from models import ErrorCode

from .inputs import CaseSpec, ScreenInputError, discover, fingerprint
from .ledger import Ledger, LedgerBusy, Outcome
from .outputs import bundle_name, remove_stale_temporaries, write_case_bundle, write_case_report, write_outputs
from .pool import LocalPool, PoolError, Task
from .progress import NullProgress
from .worker import REVIEW_FUNCTION, WARM_UP_FUNCTION

__all__ = ["LedgerBusy", "PoolError", "ScreenInputError", "ScreenReport", "screen"]

log = logging.getLogger("chartsift.screen")

DEFAULT_TIMEOUT_S = 300.0
#: address-space limit per worker (RLIMIT_AS): spaCy + medspaCy + pdfium reserve ~1 GB of it
DEFAULT_MEMORY_MB = 3072
CHECKPOINT_S = 30.0


@dataclass
class ScreenReport:
    """What a run did: case counts, this run's throughput, where the outputs are."""

    out: Path
    total: int
    skipped: int
    reviewed: int = 0
    errors: int = 0
    pages: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)  # by recommendation ("error" for error cases)
    peak_rss_kb: dict[int, int] = field(default_factory=dict)  # by worker pid
    document_errors: int = 0
    fhir_failed: int = 0  # --fhir: cases whose Bundle failed its checks (not written)


def screen(source: Path | str, out: Path | str, *, workers: int = 1, timeout: float | None = DEFAULT_TIMEOUT_S,
           max_pages: int | None = None, dask: str | None = None, policy_id: str = "CP.MP.126",
           memory_mb: int | None = DEFAULT_MEMORY_MB, retry_errors: bool = False, progress: NullProgress | None = None,
           case_function: str = REVIEW_FUNCTION, init_function: str | None = WARM_UP_FUNCTION,
           checkpoint_s: float = CHECKPOINT_S, fhir: bool = False, allow_unknown_cpt: bool = False) -> ScreenReport:
    """Screen every case of `source` into `out`; see the module docstring. Safe to rerun at any time.
    With `fhir`, every reviewed case also gets its FHIR Bundle in OUT/fhir/. A case whose CPT the policy does
    not know is an error row `unknown_cpt` (as `chartsift review` refuses it) and the rest go on; with
    `allow_unknown_cpt` it is reviewed (the pathway inferred from the chart, with the review's warning)."""
    out = Path(out)
    cases = discover(Path(source))
    refusals = _unknown_cpts(cases, policy_id)
    for case in cases:
        case.fingerprint = fingerprint(case, version=version, policy_id=policy_id, max_pages=max_pages,
                                       allow_unknown_cpt=allow_unknown_cpt and case.entry in refusals)
    keys = [(c.case_id, c.fingerprint) for c in cases]
    progress = progress or NullProgress()
    with Ledger(out) as ledger:
        remove_stale_temporaries(out)
        if retry_errors:
            ledger.forget_errors(keys, version)
        done = ledger.done_keys(version)
        todo = [c for c in cases if (c.case_id, c.fingerprint) not in done]
        report = ScreenReport(out=out, total=len(cases), skipped=len(cases) - len(todo))
        refused = [c for c in todo if c.duplicate_of is not None or (c.entry in refusals and not allow_unknown_cpt)]
        skip = {c.entry for c in refused}
        todo = [c for c in todo if c.entry not in skip]
        run_id = ledger.start_run(version, len(cases))
        runner = _runner(dask, case_function, init_function, workers, timeout, memory_mb)
        tasks = [Task(i, c.case_id, c.payload(policy_id, max_pages)) for i, c in enumerate(todo)]
        progress.start(len(cases), report.skipped)
        start = time.monotonic()
        try:
            for case in refused:  # in case id order, before the reviews: no worker needed
                outcome = _duplicate(case) if case.duplicate_of is not None else _unknown_cpt(case, refusals)
                ledger.record(outcome, case.fingerprint, version)
                report.errors += 1
                progress.update(outcome)
            if tasks:
                _run(runner, tasks, todo, keys, ledger, version, out, progress, report, checkpoint_s, fhir)
        finally:
            progress.close()
            report.seconds = time.monotonic() - start
            report.counts = write_outputs(out, ledger.rows(keys, version))
            ledger.finish_run(run_id, report.reviewed)
        if fhir:
            _missing_bundles(out, cases, ledger.rows(keys, version), report)
    return report


def _duplicate(case: CaseSpec) -> Outcome:
    """A case whose id an earlier case of INPUT has: not reviewed (two results under one id could not be told
    apart downstream, and which of the two is the request is the operator's call), reported by code."""
    return Outcome(case.case_id, "error", error_code=ErrorCode.DUPLICATE_CASE_ID.value,
                   error_message=f"input entry {case.entry} has the case id of entry {case.duplicate_of}, which "
                                 "is reviewed; this one is not: give each case its own id and rerun")


def _unknown_cpts(cases: list[CaseSpec], policy_id: str) -> dict[int, str]:
    """entry -> why its CPT is refused, for the cases whose request names a CPT the policy does not know (none
    when the policy itself is unknown: then every review reports that)."""
    from evaluator import UnknownPolicyError, load_policy, unknown_cpt

    try:
        policy = load_policy(policy_id)
    except UnknownPolicyError:
        return {}
    found = {c.entry: unknown_cpt(policy, c.cpt) for c in cases}
    return {entry: why for entry, why in found.items() if why}


def _unknown_cpt(case: CaseSpec, refusals: dict[int, str]) -> Outcome:
    """A case whose CPT is no procedure of the policy: not reviewed (no criterion of the policy applies to another
    procedure, so neither met nor not met would be true), reported by code as `chartsift review` does."""
    return Outcome(case.case_id, "error", error_code=ErrorCode.UNKNOWN_CPT.value, error_message=refusals[case.entry])


def _missing_bundles(out: Path, cases: list, rows, report: ScreenReport) -> None:
    """Bundles of the cases reviewed by earlier runs (a rerun with --fhir, or after an interruption)."""
    documents: dict = {}
    for c in cases:  # the first case of an id is the one reviewed (a later duplicate is an error row)
        documents.setdefault(c.case_id, c.documents)
    for row in rows:
        if row.result_json and not (out / bundle_name(row.case_id)).exists():
            report.fhir_failed += not write_case_bundle(out, row.case_id, row.result_json, documents[row.case_id])


def _runner(dask: str | None, case_function: str, init_function: str | None, workers: int,
            timeout: float | None, memory_mb: int | None):
    if dask:
        from .dask_runner import DaskRunner

        return DaskRunner(dask, case_function, workers=workers, timeout=timeout, memory_mb=memory_mb,
                          init_path=init_function)
    return LocalPool(case_function, workers=workers, timeout=timeout, memory_mb=memory_mb, init_path=init_function)


def _run(runner, tasks: list[Task], todo: list[CaseSpec], keys: list[tuple[str, str]], ledger: Ledger, version: str,
         out: Path, progress: NullProgress, report: ScreenReport, checkpoint_s: float, fhir: bool = False) -> None:
    """Review `tasks`; each outcome is committed to the ledger before anything else is done with it."""
    last_checkpoint = time.monotonic()
    for task, outcome in runner.run(tasks):
        ledger.record(outcome, todo[task.index].fingerprint, version)
        _account(report, outcome)
        if outcome.result_json:
            write_case_report(out, outcome.case_id, outcome.result_json)
            if fhir:
                report.fhir_failed += not write_case_bundle(out, outcome.case_id, outcome.result_json,
                                                            todo[task.index].documents)
        progress.update(outcome)
        if time.monotonic() - last_checkpoint >= checkpoint_s:
            started = time.monotonic()
            write_outputs(out, ledger.rows(keys, version))
            last_checkpoint = time.monotonic()
            checkpoint_s = max(checkpoint_s, 10 * (last_checkpoint - started))  # stay cheap on huge runs


def _account(report: ScreenReport, outcome: Outcome) -> None:
    report.reviewed += 1
    report.pages += outcome.pages
    report.errors += outcome.status == "error"
    if outcome.worker_pid and outcome.peak_rss_kb:
        report.peak_rss_kb[outcome.worker_pid] = max(report.peak_rss_kb.get(outcome.worker_pid, 0),
                                                     outcome.peak_rss_kb)
    if outcome.result_json and '"errors":[]' not in outcome.result_json:
        report.document_errors += 1


class _CallableModule(types.ModuleType):
    """`chartsift.screen(...)` calls `screen`: the package and the public function share the name."""

    def __call__(self, *args, **kwargs) -> ScreenReport:
        return screen(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
