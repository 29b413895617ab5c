"""Cases: the list, the new-case form with uploads, more documents, live status."""
from __future__ import annotations

import datetime as dt
import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from models import ErrorCode

from . import caseview, worklist
from .deps import check_csrf, record
from .errors import AppError, prefers_html
from .models import CASE_STATES, FINAL_DECISIONS, Case, Document, User, utcnow
from .storage import StoredFile, all_refused, store_upload
from .views import render
from .worker import enqueue

router = APIRouter()
MAX_FILES = 50
_CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_ICD10 = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
#: the code of a case id already in the queue (the batch's code for the same thing)
DUPLICATE = ErrorCode.DUPLICATE_CASE_ID.value


@router.get("/cases")
def list_cases(request: Request, q: str = "", status: str = "", recommendation: str = "", decision: str = "",
               assignee: str = "", due: str = "", needs_review: str = "", sort: str = "due", page: str = "1",
               size: str = ""):
    """The worklist: every case (or those the filters keep), by due date unless sorted otherwise, a page at a time
    (`page`, `size`: worklist.PAGE_SIZE by default); filters and sort are kept across pages."""
    principal, zone = request.state.principal, request.app.state.settings.timezone
    number, per_page = worklist.page_numbers(page, size)
    filters = worklist.Filters(q=q, status=status, recommendation=recommendation, decision=decision,
                               assignee=assignee[:80], due=due, needs_review=needs_review, sort=sort, page=number,
                               size=per_page)
    now = utcnow()
    with request.app.state.sessions() as session, session.begin():
        if session.scalar(worklist.stale(select(Case.id)).limit(1)) is not None:
            worklist.backfill(session, zone)
    with request.app.state.sessions() as session:
        stmt = worklist.list_query(filters, principal.user_id, now, zone, CASE_STATES)
        pager = worklist.page_of(filters, worklist.count(session, stmt))
        filters.page = pager.number
        cases = list(session.scalars(stmt.offset(pager.offset).limit(pager.size)).all())
        reviewed = caseview.list_states(session, cases)
        users = [u.name for u in worklist.active_users(session)]
    return render(request, "cases.html", cases=cases, reviewed=reviewed, f=filters, total=pager.total, pager=pager,
                  states=CASE_STATES, users=users,
                  due_state={c.id: worklist.due_state(c, now, zone) for c in cases},
                  recommendations=worklist.RECOMMENDATIONS, decisions=FINAL_DECISIONS, sorts=worklist.SORTS,
                  page_sizes=worklist.PAGE_SIZES, next_url=filters.url())


@router.get("/cases/new")
def new_case_form(request: Request):
    return render(request, "new_case.html")


def _request_fields(form) -> dict:
    case_id = str(form.get("case_id", "")).strip()
    if not _CASE_ID.match(case_id):
        raise AppError(422, "invalid_request", "case id: letters, digits, '.', '-', '_' (up to 80)", "case_id")
    cpt = str(form.get("cpt", "")).strip() or None
    if cpt not in (None, "27279", "27280"):
        raise AppError(422, "invalid_request", "CPT must be 27279 or 27280", "cpt")
    side = str(form.get("side", "")).strip() or None
    if side not in (None, "left", "right", "bilateral"):
        raise AppError(422, "invalid_request", "side must be left, right or bilateral", "side")
    raw_date = str(form.get("request_date", "")).strip()
    try:
        date = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        raise AppError(422, "invalid_request", "request date must be YYYY-MM-DD", "request_date") from None
    icd10 = [c.strip().upper() for c in re.split(r"[,\s]+", str(form.get("icd10", ""))) if c.strip()]
    if any(not _ICD10.match(c) for c in icd10):
        raise AppError(422, "invalid_request", "ICD-10 codes look like M46.1", "icd10")
    return {"case_id": case_id, "cpt": cpt, "side": side, "request_date": date, "icd10": icd10, **_queue_fields(form)}


def _queue_fields(form) -> dict:
    """The worklist's fields of the form: patient identifiers, urgency (the receipt is `_received`)."""
    name = " ".join(str(form.get("patient_name", "")).split())[:200] or None
    member = str(form.get("member_id", "")).strip()[:80] or None
    raw_birth = str(form.get("patient_birth_date", "")).strip()
    try:
        birth = dt.date.fromisoformat(raw_birth) if raw_birth else None
    except ValueError:
        raise AppError(422, "invalid_request", "date of birth must be YYYY-MM-DD", "patient_birth_date") from None
    try:
        urgency = worklist.valid_urgency(str(form.get("urgency", "")))
    except AppError as exc:
        raise AppError(exc.status, exc.code, exc.message, "urgency") from None
    return {"patient_name": name, "patient_birth_date": birth, "member_id": member, "urgency": urgency}


def _received(form) -> dt.datetime | None:
    """The receipt date-time of the form (local time, as a browser's datetime-local field gives it), or None."""
    raw = str(form.get("received", "")).strip()
    try:
        return dt.datetime.fromisoformat(raw) if raw else None
    except ValueError:
        raise AppError(422, "invalid_request", "received must be a date and time, YYYY-MM-DDTHH:MM",
                       "received") from None


def _existing(session, case_id: str) -> int | None:
    return session.scalar(select(Case.id).where(Case.case_id == case_id))


def duplicate_error(pk: int) -> AppError:
    """The 409 of a case id already in the queue (the id is not echoed: the page says which case it is)."""
    error = AppError(409, DUPLICATE, f"a case with this id is already in the queue (/cases/{pk}); add the documents "
                                     "there, which reviews it again as a new revision, or give this case its own id",
                     "case_id")
    error.existing = pk  # the new-case form links to it
    return error


#: the new-case form's text fields, shown again with what was entered when the server refuses the form
FORM_FIELDS = ("case_id", "cpt", "side", "request_date", "icd10", "patient_name", "patient_birth_date", "member_id",
               "urgency", "received")


def form_again(request: Request, form, error: AppError):
    """The new-case page again, over HTML: the values entered (files cannot be: a browser never pre-fills a file
    field), the error beside its field and, above the form, its code, what to do and the request id."""
    values = {name: str(form.get(name, ""))[:400] for name in FORM_FIELDS} if form is not None else {}
    return render(request, "new_case.html", status_code=error.status, values=values, error=error,
                  existing=getattr(error, "existing", None))


async def _uploads(request: Request, form, taken: set[str]) -> list[StoredFile]:
    """Every file of the upload, stored or refused by the sniff (with its code); 415 when all are refused."""
    files = [f for f in form.getlist("documents") if isinstance(f, UploadFile) and (f.filename or f.size)]
    if not files:
        raise AppError(422, "invalid_request", "add at least one PDF or text document", "documents")
    stored: list[StoredFile] = []
    try:
        for upload in files:
            stored.append(await store_upload(upload, request.app.state.settings.upload_dir, taken))
        if (refused := all_refused(stored)) is not None:
            refused.field = "documents"
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
    """A new case from the form. A refused field (bad value, duplicate id, no readable document) answers a browser
    with the form again (values kept, the error beside the field); an API client gets the coded JSON as always."""
    principal = request.state.principal
    form = await request.form(max_files=MAX_FILES, max_fields=20)
    check_csrf(request, principal, form.get("csrf_token"))
    try:
        return await _create_case(request, form, principal)
    except AppError as exc:
        if exc.field is None or not prefers_html(request.headers.get("accept", "")):
            raise
        return form_again(request, form, exc)


async def _create_case(request: Request, form, principal):
    fields, received = _request_fields(form), _received(form)
    with request.app.state.sessions() as session:
        if (pk := _existing(session, fields["case_id"])) is not None:  # before the upload is stored
            raise duplicate_error(pk)
    stored = await _uploads(request, form, set())
    zone = request.app.state.settings.timezone

    def _create() -> int:
        with request.app.state.sessions() as session, session.begin():
            case = Case(**fields, status="queued", source="upload", created_by=principal.user_id)
            worklist.set_receipt(case, received, zone)
            session.add(case)
            session.flush()
            record(session, request, "case_create", f"case:{case.id}", principal.name)
            _add_documents(session, request, case, stored, principal)
            return case.id

    try:
        case_pk = await run_in_threadpool(_create)
    except IntegrityError:  # the same id created at the same moment by another request
        _remove(request, stored)
        with request.app.state.sessions() as session:
            pk = _existing(session, fields["case_id"])
        if pk is None:
            raise
        raise duplicate_error(pk) from None
    return RedirectResponse(f"/cases/{case_pk}", status_code=303)


@router.post("/cases/{case_pk}/assign")
async def assign(request: Request, case_pk: int):
    """Assign the case: `assignee` is "me", a user name, or empty (unassigned). Who may: worklist.check_assignment."""
    principal = request.state.principal
    form = await request.form(max_files=0, max_fields=4)
    check_csrf(request, principal, form.get("csrf_token"))
    name = str(form.get("assignee", "")).strip()[:80]
    target_url = str(form.get("next", ""))
    with request.app.state.sessions() as session, session.begin():
        case = session.get(Case, case_pk)
        if case is None:
            raise AppError(404, "not_found", "no such case")
        target = None
        if name:
            target = session.scalar(select(User).where(User.name == (principal.name if name == "me" else name),
                                                       User.active.is_(True)))
            if target is None:
                raise AppError(422, "unknown_reviewer", "no active user of that name")
        worklist.check_assignment(principal, case, target)
        if case.assignee_id != (target.id if target else None):
            case.assignee_id, case.assigned_at = (target.id if target else None), utcnow()
            record(session, request, "assign", f"case:{case.id}/assignee:{target.name if target else '-'}",
                   principal.name)
    if not (target_url.startswith("/cases") and "//" not in target_url):
        target_url = f"/cases/{case_pk}"
    return RedirectResponse(target_url, status_code=303)


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
