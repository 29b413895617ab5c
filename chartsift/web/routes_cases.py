"""Cases: the list, the new-case form with uploads, more documents, live status."""
from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from . import caseview
from .deps import check_csrf, record
from .errors import AppError
from .models import CASE_STATES, Case, Document
from .storage import StoredFile, all_refused, store_upload
from .views import render
from .worker import enqueue

router = APIRouter()
MAX_FILES = 50
_CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


@router.get("/cases")
def list_cases(request: Request, q: str = "", status: str = ""):
    with request.app.state.sessions() as session:
        stmt = select(Case).order_by(Case.created_at.desc()).limit(500)
        if q:
            stmt = stmt.where(func.lower(Case.case_id).contains(q.lower()[:80], autoescape=True))
        if status in CASE_STATES:
            stmt = stmt.where(Case.status == status)
        cases = list(session.scalars(stmt).all())
        reviewed = caseview.list_states(session, cases)
    return render(request, "cases.html", cases=cases, reviewed=reviewed, q=q, status=status, states=CASE_STATES)


@router.get("/cases/new")
def new_case_form(request: Request):
    return render(request, "new_case.html")


def _request_fields(form) -> dict:
    case_id = str(form.get("case_id", "")).strip()
    if not _CASE_ID.match(case_id):
        raise AppError(422, "invalid_request", "case id: letters, digits, '.', '-', '_' (up to 80)")
    cpt = str(form.get("cpt", "")).strip() or None
    if cpt not in (None, "27279", "27280"):
        raise AppError(422, "invalid_request", "CPT must be 27279 or 27280")
    side = str(form.get("side", "")).strip() or None
    if side not in (None, "left", "right", "bilateral"):
        raise AppError(422, "invalid_request", "side must be left, right or bilateral")
    raw_date = str(form.get("request_date", "")).strip()
    try:
        date = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise AppError(422, "invalid_request", "request date must be YYYY-MM-DD") from None
    icd10 = [c.strip().upper() for c in re.split(r"[,\s]+", str(form.get("icd10", ""))) if c.strip()]
    if any(not _ICD10.match(c) for c in icd10):
        raise AppError(422, "invalid_request", "ICD-10 codes look like M46.1")
    return {"case_id": case_id, "cpt": cpt, "side": side, "request_date": date, "icd10": icd10}


async def _uploads(request: Request, form, taken: set[str]) -> list[StoredFile]:
    """Every file of the upload, stored or refused by the sniff (with its code); 415 when all are refused."""
    files = [f for f in form.getlist("documents") if isinstance(f, UploadFile) and (f.filename or f.size)]
    if not files:
        raise AppError(422, "invalid_request", "add at least one PDF or text document")
    stored: list[StoredFile] = []
    try:
        for upload in files:
            stored.append(await store_upload(upload, request.app.state.settings.upload_dir, taken))
        if (refused := all_refused(stored)) is not None:
            raise refused
    except BaseException:
        _remove(request, stored)
        raise
    return stored


def _remove(request: Request, stored: list[StoredFile]) -> None:
    for s in stored:
        if s.storage_name is not None:
            (request.app.state.settings.upload_dir / s.storage_name).unlink(missing_ok=True)


def _add_documents(session, request: Request, case: Case, stored: list[StoredFile], user) -> None:
    """The upload's documents, a refused one with its code (shown on the case page and in the review's errors)."""
    for s in stored:
        doc = Document(case_pk=case.id, display_name=s.display_name, storage_name=s.storage_name,
                       media_type=s.media_type, size=s.size, sha256=s.sha256, error_code=s.error_code,
                       uploaded_by=user.user_id)
        session.add(doc)
        if s.refused:
            session.flush()
            record(session, request, "upload_refused", f"case:{case.id}/document-id:{doc.id}:{s.error_code}",
                   user.name)
        else:
            record(session, request, "upload", f"case:{case.id}/document:{s.storage_name}", user.name)
    enqueue(session, case)


@router.post("/cases")
async def create_case(request: Request):
    principal = request.state.principal
    form = await request.form(max_files=MAX_FILES, max_fields=20)
    check_csrf(request, principal, form.get("csrf_token"))
    fields = _request_fields(form)
    stored = await _uploads(request, form, set())

    def _create() -> int:
        with request.app.state.sessions() as session, session.begin():
            case = Case(**fields, status="queued", created_by=principal.user_id)
            session.add(case)
            session.flush()
            record(session, request, "case_create", f"case:{case.id}", principal.name)
            _add_documents(session, request, case, stored, principal)
            return case.id

    case_pk = await run_in_threadpool(_create)
    return RedirectResponse(f"/cases/{case_pk}", status_code=303)


@router.post("/cases/{case_pk}/documents")
async def add_documents(request: Request, case_pk: int):
    principal = request.state.principal
    form = await request.form(max_files=MAX_FILES, max_fields=5)
    check_csrf(request, principal, form.get("csrf_token"))
    with request.app.state.sessions() as session:
        case = session.get(Case, case_pk)
        if case is None:
            raise AppError(404, "not_found", "no such case")
        taken = {d.display_name for d in case.documents}
    stored = await _uploads(request, form, taken)

    def _add() -> None:
        with request.app.state.sessions() as session, session.begin():
            _add_documents(session, request, session.get(Case, case_pk), stored, principal)

    await run_in_threadpool(_add)
    return RedirectResponse(f"/cases/{case_pk}", status_code=303)


@router.get("/cases/{case_pk}/status")
def case_status(request: Request, case_pk: int):
    with request.app.state.sessions() as session:
        case = session.get(Case, case_pk)
        if case is None:
            raise AppError(404, "not_found", "no such case")
        return JSONResponse({"status": case.status, "revision": case.revision,
                             "recommendation": case.recommendation, "error_code": case.error_code},
                            headers={"Cache-Control": "no-store"})
