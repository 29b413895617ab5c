"""What a screening run reviews: the cases of INPUT, each with its documents and content fingerprint.

INPUT is one of (SPEC section 2):

- a folder of case folders (each with optional `case.json`); PDFs lying directly in the folder
  are one case each as well;
- a flat folder of PDFs, one case each (case id = file stem);
- a manifest CSV with columns `case_id, cpt, side, request_date, icd10, files`: `files` and
  `icd10` are separated by `;` (or `|`), files are relative to the manifest's folder and may
  name a case folder.

The fingerprint of a case hashes everything its review depends on (document bytes, the request,
the policy, the page limit, the chartsift version), so a rerun can tell done work from changed work.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from chartsift.case import CaseError, load_case
from models import Request

MANIFEST_COLUMNS = ("case_id", "cpt", "side", "request_date", "icd10", "files")
_LIST_SEP = re.compile(r"[;|]")
_HASH_CHUNK = 1 << 20


class ScreenInputError(ValueError):
    """INPUT cannot be read as a set of cases (bad manifest, nothing to do)."""


@dataclass
class CaseSpec:
    """One case to review: `paths` is what `chartsift.api.review` gets (a case folder or its files)."""

    case_id: str
    paths: list[Path]
    request: Request | None = None
    fingerprint: str = ""
    documents: list[Path] = field(default_factory=list)
    entry: int = 0  # 1-based place in INPUT's order
    cpt: str | None = None  # the request's CPT (the manifest's, else case.json's): screen refuses one the policy lacks
    duplicate_of: int | None = None  # the entry of the first case with this id, when this one repeats it

    def payload(self, policy_id: str, max_pages: int | None) -> dict:
        """The picklable task a worker runs (plain types only)."""
        return {"case_id": self.case_id, "paths": [str(p.absolute()) for p in self.paths],  # Dask workers: any cwd
                "request": self.request.model_dump(mode="json") if self.request else None,
                "policy_id": policy_id, "max_pages": max_pages}


def discover(source: Path) -> list[CaseSpec]:
    """The cases of INPUT sorted by case id (cases of one id in INPUT's order), so that the processing and every
    output follow the same order whatever INPUT's order and the number of workers; a case whose id an earlier
    case of INPUT already has is marked `duplicate_of` that case (screen reports it as an error and reviews the
    rest)."""
    source = Path(source)
    if source.is_file() and source.suffix.lower() == ".csv":
        cases = _from_manifest(source)
    elif source.is_dir():
        cases = _from_folder(source)
    else:
        raise ScreenInputError(f"{source}: not a folder of cases, a folder of PDFs or a manifest .csv")
    _mark_duplicates(cases)
    return sorted(cases, key=lambda c: (c.case_id, c.entry))


def _from_folder(folder: Path) -> list[CaseSpec]:
    cases = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            cases.append(_case_folder(entry, entry.name, None))
        elif entry.is_file() and entry.suffix.lower() == ".pdf":
            cases.append(CaseSpec(case_id=entry.stem, paths=[entry], documents=[entry]))
    return cases


def _case_folder(folder: Path, default_id: str, request: Request | None) -> CaseSpec:
    """A case folder; a bad case.json is left for the review to report (the case id falls back)."""
    try:
        case = load_case(folder)
    except CaseError:
        return CaseSpec(case_id=default_id, paths=[folder], request=request, documents=[folder / "case.json"],
                        cpt=request.cpt if request else None)
    return CaseSpec(case_id=case.case_id, paths=[folder], request=request, documents=list(case.documents),
                    cpt=(request.cpt if request else None) or case.request.cpt)


def _from_manifest(manifest: Path) -> list[CaseSpec]:
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in ("case_id", "files") if c not in (reader.fieldnames or [])]
            if missing:
                raise ScreenInputError(f"{manifest}: missing column(s) {', '.join(missing)}; "
                                       f"columns are {', '.join(MANIFEST_COLUMNS)}")
            return [_manifest_row(manifest.parent, row, line) for line, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScreenInputError(f"{manifest}: cannot read the manifest ({type(exc).__name__})") from None


def _manifest_row(base: Path, row: dict, line: int) -> CaseSpec:
    case_id = (row.get("case_id") or "").strip()
    files = [f.strip() for f in _LIST_SEP.split(row.get("files") or "") if f.strip()]
    if not case_id or not files:
        raise ScreenInputError(f"manifest line {line}: case_id and files are required")
    try:
        request = Request(cpt=(row.get("cpt") or "").strip() or None, side=(row.get("side") or "").strip() or None,
                          date=_date(row.get("request_date")),
                          icd10=[c.strip() for c in _LIST_SEP.split(row.get("icd10") or "") if c.strip()])
    except ValueError as exc:
        raise ScreenInputError(f"manifest line {line}: bad request field ({_first_error(exc)})") from None
    paths = [(base / f) for f in files]
    if len(paths) == 1 and paths[0].is_dir():
        spec = _case_folder(paths[0], case_id, request)
        spec.case_id = case_id
        return spec
    return CaseSpec(case_id=case_id, paths=paths, request=request, documents=paths, cpt=request.cpt)


def _date(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    return dt.date.fromisoformat(value) if value else None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
    return str(exc)


def _mark_duplicates(cases: list[CaseSpec]) -> None:
    first: dict[str, int] = {}
    for entry, case in enumerate(cases, start=1):
        case.entry = entry
        earlier = first.setdefault(case.case_id, entry)
        case.duplicate_of = earlier if earlier != entry else None


def fingerprint(case: CaseSpec, *, version: str, policy_id: str, max_pages: int | None,
                allow_unknown_cpt: bool = False) -> str:
    """sha256 over what the review of `case` depends on; a missing file hashes as missing. `allow_unknown_cpt`
    (given for a case whose CPT the policy lacks) makes it another piece of work than the refused one."""
    h = hashlib.sha256()
    h.update(json.dumps({"version": version, "policy": policy_id, "max_pages": max_pages,
                         "request": case.request.model_dump(mode="json") if case.request else None,
                         "paths": [p.name for p in case.paths]}, sort_keys=True).encode())
    extra = [p / "case.json" for p in case.paths if p.is_dir()]
    for path in sorted(set(case.documents + extra), key=str):
        h.update(b"\0" + path.name.encode("utf-8", "surrogateescape") + b"\0")
        h.update(_file_digest(path))
    if allow_unknown_cpt:
        h.update(b"\0allow unknown cpt")
    if case.duplicate_of is not None:  # its own ledger row, apart from the first case's (same id, maybe same files)
        h.update(f"\0duplicate entry {case.entry}".encode())
    return h.hexdigest()


def _file_digest(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").digest()
    except OSError:
        return b"missing"
