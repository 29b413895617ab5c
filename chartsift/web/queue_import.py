"""Import a `chartsift screen` output folder into the reviewers' queue: one case per screened case, with its review.

OUT's `summary.csv` gives the cases in input order and their status, `results.jsonl` the review of each reviewed case
(SPEC section 3, its confidences and `needs_review` included). A reviewed case is queued `done` with that review as
revision 1 and is not reviewed again: it is the same pipeline, and the screen run's fingerprint pins the documents,
the request and the chartsift version. A case that screening could not review is queued `failed` with its error code.

With the screen's INPUT (`cases`), each case also gets what its `case.json` gives the queue (patient identifiers,
receipt, urgency) and its documents, copied into the web app's storage when their SHA-256 is the one the review
records (a document changed since the screen run is left out and counted), so the evidence viewer shows the page.
A case id already in the queue, or repeated in OUT, is skipped with the code `duplicate_case_id`, so importing the
same folder again adds nothing. Each case is its own transaction, audited as `case_import` (and `upload` per
document, `assign` with an assignee); no patient identifier or document name reaches the audit trail or a log.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
import stat
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from chartsift.case import CaseError, CaseInput, load_case
from chartsift.render_html import render_html
from chartsift.screen.inputs import CaseSpec, ScreenInputError, discover
from chartsift.screen.outputs import RESULTS, SUMMARY
from models import ErrorCode, ReviewResult

from . import audit, worklist
from .config import Settings
from .models import Case, Document, User, utcnow

DUPLICATE = ErrorCode.DUPLICATE_CASE_ID.value
AUDIT_USER_PREFIX = "cli:"


class QueueImportError(ValueError):
    """OUT is not a screen output folder, or the importing user / assignee is unknown."""


@dataclass
class ImportReport:
    rows: int = 0                                   # cases in OUT's summary
    reviewed: int = 0                               # queued with their review
    failed: int = 0                                 # queued as failed (screening could not review them)
    skipped: list[tuple[str, str]] = field(default_factory=list)   # (case id, code)
    documents: int = 0                              # documents attached
    documents_left_out: int = 0                     # changed since the screen run, or missing
    queued: list[tuple[str, int]] = field(default_factory=list)    # (case id, the queued case's primary key)

    @property
    def imported(self) -> int:
        return self.reviewed + self.failed


def read_out(out: Path) -> tuple[list[dict], dict[str, str]]:
    """OUT's summary rows and case id -> review JSON (the first review of an id)."""
    summary, results = out / SUMMARY, out / RESULTS
    if not (summary.is_file() and results.is_file()):
        raise QueueImportError(f"{out}: not a `chartsift screen` output folder (no {SUMMARY} and {RESULTS})")
    with summary.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    reviews: dict[str, str] = {}
    with results.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                reviews.setdefault(json.loads(line)["case_id"], line.strip())
    return rows, reviews


def _inputs(cases: Path | None) -> dict[str, CaseSpec]:
    if cases is None:
        return {}
    try:
        specs = discover(cases)
    except ScreenInputError as exc:
        raise QueueImportError(str(exc)) from None
    found: dict[str, CaseSpec] = {}
    for spec in specs:
        found.setdefault(spec.case_id, spec)
    return found


def _case_json(spec: CaseSpec | None) -> CaseInput | None:
    if spec is None or len(spec.paths) != 1 or not spec.paths[0].is_dir():
        return None
    try:
        return load_case(spec.paths[0])
    except CaseError:
        return None


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        raise QueueImportError(f"no active user {name!r} (chartsift user add NAME)")
    return user


def import_screen(settings: Settings, sessions: sessionmaker[Session], out: Path, *, user: str,
                  cases: Path | None = None, assign: str | None = None, now: dt.datetime | None = None,
                  actor: str | None = None) -> ImportReport:
    """Queue every case of the screen output folder `out` (see the module docstring) as `user`; the audit trail
    names `actor` (default `cli:USER`; the web import gives the signed-in user's name)."""
    rows, reviews = read_out(Path(out))
    inputs = _inputs(cases)
    with sessions() as session:
        creator_id = _user(session, user).id
        assignee_id = _user(session, assign).id if assign else None
    report = ImportReport(rows=len(rows))
    seen: set[str] = set()
    for row in rows:
        case_id = row.get("case_id", "")
        if case_id in seen:
            report.skipped.append((case_id, DUPLICATE))
            continue
        seen.add(case_id)
        with sessions() as session, session.begin():
            if session.scalar(select(Case.id).where(Case.case_id == case_id)) is not None:
                report.skipped.append((case_id, DUPLICATE))
                continue
            _queue_one(settings, session, report, case_id, row, reviews.get(case_id), inputs.get(case_id),
                       creator_id=creator_id, actor=actor or AUDIT_USER_PREFIX + user, assignee_id=assignee_id,
                       assignee=assign, now=now or utcnow())
    return report


def _queue_one(settings: Settings, session: Session, report: ImportReport, case_id: str, row: dict,
               review_json: str | None, spec: CaseSpec | None, *, creator_id: int, actor: str,
               assignee_id: int | None, assignee: str | None, now: dt.datetime) -> None:
    result = ReviewResult.model_validate_json(review_json) if review_json else None
    meta = _case_json(spec)
    request = result.request if result else (meta.request if meta else None)
    case = Case(case_id=case_id, cpt=request.cpt if request else None, side=request.side if request else None,
                request_date=request.date if request else None, icd10=list(request.icd10) if request else [],
                status="done" if result else "failed", recommendation=result.recommendation.status if result else None,
                result_json=review_json, revision=1 if result else 0,
                error_code=None if result else (row.get("error_code") or ErrorCode.INTERNAL_ERROR.value),
                created_by=creator_id, source="screen", urgency=(meta.urgency if meta else None) or "standard",
                patient_name=meta.patient.name if meta and meta.patient else None,
                patient_birth_date=meta.patient.birth_date if meta and meta.patient else None,
                member_id=meta.patient.member_id if meta and meta.patient else None)
    worklist.set_receipt(case, meta.received if meta else None, settings.timezone, now=now)
    if assignee_id is not None:
        case.assignee_id, case.assigned_at = assignee_id, now
    session.add(case)
    session.flush()
    report.queued.append((case_id, case.id))
    audit.append(session, "case_import", f"case:{case.id}/screen", user=actor, request_id=None)
    if spec is not None:
        _attach(settings, session, report, case, spec, result, creator_id, actor)
    if result is not None:
        (settings.result_dir / f"{case.id}-r1.html").write_text(render_html(result, []), encoding="utf-8")
        worklist.refresh_state(session, case)
        report.reviewed += 1
    else:
        report.failed += 1
    if assignee is not None:
        audit.append(session, "assign", f"case:{case.id}/assignee:{assignee}", user=actor, request_id=None)


def _attach(settings: Settings, session: Session, report: ImportReport, case: Case, spec: CaseSpec,
            result: ReviewResult | None, creator_id: int, actor: str) -> None:
    """Copy the case's documents into storage under generated names: those the review read, when unchanged."""
    expected = {d.name: d.sha256 for d in result.documents} if result else {}
    for path in spec.documents:
        if path.name == "case.json":
            continue
        digest = _sha256(path)
        if digest is None or (result is not None and expected.get(path.name) != digest):
            report.documents_left_out += 1
            continue
        with path.open("rb") as fh:
            media = "pdf" if b"%PDF-" in fh.read(1024) else "text"
        storage = f"{uuid.uuid4().hex}.{'pdf' if media == 'pdf' else 'txt'}"
        shutil.copyfile(path, settings.upload_dir / storage)
        (settings.upload_dir / storage).chmod(0o600)
        session.add(Document(case_pk=case.id, display_name=path.name, storage_name=storage, media_type=media,
                             size=path.stat().st_size, sha256=digest, uploaded_by=creator_id))
        audit.append(session, "upload", f"case:{case.id}/document:{storage}", user=actor, request_id=None)
        report.documents += 1


def _sha256(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return None


# --- the web import: a screen output folder as a .zip --------------------------------------------------------------

class ArchiveRefused(ValueError):
    """The .zip is refused: `status` and `code` for the answer (never a member name: it may name a patient)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


def _unsafe(info: zipfile.ZipInfo) -> bool:
    """A member whose path could leave the folder it is unpacked into (zip-slip), or that is a link or encrypted.
    Nothing here is unpacked under its own name, but such an archive was not written by zipping a screen folder."""
    name = info.filename
    parts = name.replace("\\", "/").split("/")
    mode = info.external_attr >> 16
    return (name.startswith(("/", "\\")) or "\\" in name or "\0" in name or ".." in parts
            or (parts and len(parts[0]) >= 2 and parts[0][1] == ":") or stat.S_ISLNK(mode)
            or bool(info.flag_bits & 0x1))


def unpack_screen_zip(archive: Path | BinaryIO, dest: Path, settings: Settings) -> None:
    """Write the summary.csv and results.jsonl of a zipped screen output folder (at its top or in one folder of it)
    to `dest` under those fixed names; the other members (index.html, per-case pages) are not read. Refuses
    (ArchiveRefused): not a .zip (415 `not_a_zip`); a member path that leaves the folder, a link or an encrypted
    member (422 `unsafe_archive`); more members, more unpacked bytes or a higher packing ratio than the settings
    allow (413 `archive_too_large`: a zip bomb stops at the limit while it is read, whatever its header says); no
    screen output in it (422 `not_screen_output`)."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveRefused(415, "not_a_zip", "the upload is not a .zip file") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > settings.import_max_members:
            raise ArchiveRefused(413, "archive_too_large",
                                 f"the .zip holds more than {settings.import_max_members} files")
        if any(_unsafe(i) for i in infos):
            raise ArchiveRefused(422, "unsafe_archive", "a file in the .zip has an unsafe path, is a link or is "
                                                        "encrypted")
        folders: dict[str, dict[str, zipfile.ZipInfo]] = {}
        for info in infos:
            folder, _, base = info.filename.rpartition("/")
            if base in (SUMMARY, RESULTS) and not info.is_dir():
                folders.setdefault(folder, {})[base] = info
        found = [f for f in folders.values() if len(f) == 2]
        if len(found) != 1:
            raise ArchiveRefused(422, "not_screen_output", f"the .zip needs one folder with {SUMMARY} and {RESULTS}"
                                 + (" (it has several)" if found else ""))
        budget = settings.import_max_unpacked_bytes
        for base, info in sorted(found[0].items()):
            if info.file_size > budget:
                raise ArchiveRefused(413, "archive_too_large", "the screen output unpacks larger than the import "
                                                               f"limit of {budget} bytes")
            budget -= _read_member(zf, info, dest / base, budget, settings.import_max_ratio)


def check_out(out: Path) -> None:
    """Every review of OUT parses (SPEC section 3) before anything is queued, so a damaged results.jsonl queues
    nothing rather than the cases before the damaged line (QueueImportError; no line is quoted)."""
    try:
        _rows, reviews = read_out(out)
        for line in reviews.values():
            ReviewResult.model_validate_json(line)
    except (ValueError, KeyError, TypeError):
        raise QueueImportError("the screen output's summary.csv or results.jsonl cannot be read") from None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, max_ratio: int) -> int:
    """Stream one member to `target`, stopping at `budget` bytes or at a packing ratio over `max_ratio` (counted on
    the bytes read, not on the sizes the archive declares). Returns the bytes written."""
    written = 0
    packed = max(info.compress_size, 1)
    try:
        with zf.open(info) as src, target.open("wb") as out:
            while chunk := src.read(1 << 16):
                written += len(chunk)
                if written > budget or (written > 1 << 20 and written / packed > max_ratio):
                    raise ArchiveRefused(413, "archive_too_large",
                                         "the screen output unpacks larger (or packs denser) than the import allows")
                out.write(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise ArchiveRefused(422, "not_screen_output", "a file of the .zip cannot be read") from None
    return written
