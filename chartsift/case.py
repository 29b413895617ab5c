"""Case folders (SPEC section 2): which documents belong to a case, and its request."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from models import CaseRequest, Patient, Request

DOCUMENT_SUFFIXES = (".pdf", ".txt")


class CaseError(ValueError):
    """A case that cannot be read at all (bad case.json, no documents)."""


@dataclass
class CaseInput:
    case_id: str
    request: Request
    documents: list[Path] = field(default_factory=list)
    #: case.json's queue fields (the web app's worklist); the review never reads them
    patient: Patient | None = None
    received: dt.datetime | None = None
    urgency: str | None = None


def load_case(paths: list[Path] | Path, *, case_id: str | None = None) -> CaseInput:
    """A case folder, or the files of one case. A case folder's `case.json` gives id and request."""
    paths = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if len(paths) == 1 and paths[0].is_dir():
        return _from_folder(paths[0], case_id)
    name = case_id or (paths[0].stem if paths else "case")
    return CaseInput(case_id=name, request=Request(), documents=paths)


def _from_folder(folder: Path, case_id: str | None) -> CaseInput:
    meta = folder / "case.json"
    spec = CaseRequest(case_id=case_id or folder.name)
    if meta.is_file():
        try:
            spec = CaseRequest.model_validate(json.loads(meta.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError, ValidationError) as exc:
            raise CaseError(f"{meta}: not a valid case.json ({_summary(exc)})") from None
    if spec.documents is not None:
        documents = [folder / name for name in spec.documents]
    else:
        documents = sorted(p for p in folder.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file())
    if not documents:  # nothing to review: a review would only list every criterion as undocumented
        raise CaseError(f"{folder}: no document in the case folder ({_others(folder)})")
    return CaseInput(case_id=case_id or spec.case_id, request=spec.request or Request(), documents=documents,
                     patient=spec.patient, received=spec.received, urgency=spec.urgency)


def _others(folder: Path) -> str:
    """What else the folder holds, by kind (file names often carry the patient's name)."""
    others = [p for p in folder.iterdir() if p.is_file() and p.name != "case.json" and not p.name.startswith(".")]
    if not others:
        return f"it holds no {' or '.join(DOCUMENT_SUFFIXES)} file"
    kinds = ", ".join(sorted({p.suffix.lower() or "no extension" for p in others}))
    return f"it holds {len(others)} other file(s), of type {kinds}; a case's documents are " \
           f"{' or '.join(DOCUMENT_SUFFIXES)} files"


def _summary(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
    return type(exc).__name__
