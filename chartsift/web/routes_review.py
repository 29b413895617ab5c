"""The case page, page images with the evidence box, decisions, exports."""
from __future__ import annotations

import html
import json
import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from models import STATUSES

from . import caseview, worklist
from .deps import check_csrf, record
from .errors import AppError
from .models import DETERMINATION_ACTIONS, FINAL_DECISIONS, Case, Decision, Document, utcnow
from .pages import box_pixels, page_image, parse_bbox
from .views import render

router = APIRouter()


def _case(session, case_pk: int) -> Case:
    case = session.get(Case, case_pk)
    if case is None:
        raise AppError(404, "not_found", "no such case")
    return case


@router.get("/cases/{case_pk}")
def case_page(request: Request, case_pk: int):
    principal = request.state.principal
    with request.app.state.sessions() as session, session.begin():
        case = _case(session, case_pk)
        zone = request.app.state.settings.timezone
        if case.due_at is None or (case.result_json is not None and case.criteria_total is None):
            worklist.backfill(session, zone)  # a case made before the worklist (migration 0003)
        result = caseview.load_result(case)
        docs = list(case.documents)
        doc_ids = {d.display_name: d.id for d in docs}
        per, final, history = caseview.latest_decisions(session, case)
        reviewed = caseview.reviewed_state(result, per, final) if result else None
        record(session, request, "view_case", f"case:{case.id}", principal.name)
        context = {"case": case, "result": result, "documents": docs, "final": final, "history": history,
                   "reviewed": reviewed, "users": [u.name for u in worklist.active_users(session)],
                   "due_state": worklist.due_state(case, utcnow(), zone),
                   "rows": caseview.criterion_rows(reviewed, doc_ids, per) if reviewed else [],
                   "facts": caseview.fact_rows(result, doc_ids) if result else [],
                   "doc_errors": caseview.document_errors(docs, result),
                   "statuses": STATUSES, "final_choices": FINAL_DECISIONS}
    return render(request, "case.html", **context)


def _document(session, case_pk: int, doc_id: int) -> Document:
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_pk != case_pk:
        raise AppError(404, "not_found", "no such document")
    return doc


@router.get("/cases/{case_pk}/documents/{doc_id}/pages/{page}")
def page_view(request: Request, case_pk: int, doc_id: int, page: int, bbox: str | None = None):
    """An HTML fragment: the page image with the evidence box on top (pixels = points x scale)."""
    principal, settings = request.state.principal, request.app.state.settings
    box = parse_bbox(bbox)
    with request.app.state.sessions() as session, session.begin():
        doc = _document(session, case_pk, doc_id)
        name, storage, media = doc.display_name, doc.storage_name, doc.media_type
        record(session, request, "view_page", f"case:{case_pk}/document:{doc_id}/page:{page}", principal.name)
    if media != "pdf":
        return HTMLResponse('<p class="nopage">Only a PDF document has page images.</p>')
    image = page_image(settings.upload_dir / storage, page, settings.cache_dir, settings.page_scale)
    src = f"/cases/{case_pk}/documents/{doc_id}/pages/{page}/image"
    box_html = ""
    if box:
        px = box_pixels(box, image)
        box_html = ('<div class="evbox" id="evbox" style="left:{left}px;top:{top}px;width:{width}px;'
                    'height:{height}px"></div>').format(**px)
    body = (f'<div class="pagehead" id="pagehead" data-page="{page}" data-pages="{image.pages}">'
            f'{html.escape(name)} &middot; page {page} of {image.pages}</div>'
            f'<div class="pageimg" style="width:{image.width_px}px;height:{image.height_px}px">'
            f'<img src="{src}" width="{image.width_px}" height="{image.height_px}" alt="page {page}">'
            f'{box_html}</div>')
    return HTMLResponse(body, headers={"Cache-Control": "no-store"})


@router.get("/cases/{case_pk}/documents/{doc_id}/pages/{page}/image")
def page_png(request: Request, case_pk: int, doc_id: int, page: int):
    settings = request.app.state.settings
    with request.app.state.sessions() as session:
        doc = _document(session, case_pk, doc_id)
        storage, media = doc.storage_name, doc.media_type
    if media != "pdf":
        raise AppError(404, "not_found", "only a PDF document has page images")
    image = page_image(settings.upload_dir / storage, page, settings.cache_dir, settings.page_scale)
    return FileResponse(image.path, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


async def _form(request: Request, fields: int = 8):
    form = await request.form(max_files=0, max_fields=fields)
    check_csrf(request, request.state.principal, form.get("csrf_token"))
    return form


@router.post("/cases/{case_pk}/decisions")
async def decide(request: Request, case_pk: int):
    form = await _form(request)
    criterion, action = str(form.get("criterion", "")), str(form.get("action", ""))
    status, note = (str(form.get("status", "")) or None), str(form.get("note", "")).strip()[:4000]
    if action not in DETERMINATION_ACTIONS:
        raise AppError(422, "invalid_request", "action is confirm or override")
    if action == "override" and (status not in STATUSES or not note):
        raise AppError(422, "note_required", "an override needs the new status and a note")
    _save_decision(request, case_pk, criterion, action, status if action == "override" else None, note)
    return RedirectResponse(f"/cases/{case_pk}#c-{criterion}", status_code=303)


@router.post("/cases/{case_pk}/final")
async def final_decision(request: Request, case_pk: int):
    form = await _form(request)
    decision, note = str(form.get("decision", "")), str(form.get("note", "")).strip()[:4000]
    if decision not in FINAL_DECISIONS:
        raise AppError(422, "decision_not_allowed",
                       "the final decision is approve, pend for documentation or refer to a physician; "
                       "only a physician may deny")
    _save_decision(request, case_pk, None, "final", decision, note)
    return RedirectResponse(f"/cases/{case_pk}#final", status_code=303)


def _save_decision(request: Request, case_pk: int, criterion: str | None, action: str, status: str | None,
                   note: str) -> None:
    principal = request.state.principal
    with request.app.state.sessions() as session, session.begin():
        case = _case(session, case_pk)
        result = caseview.load_result(case)
        if result is None:
            raise AppError(409, "not_reviewed", "the case has no review result yet")
        if criterion is not None and criterion not in {d.criterion for d in result.determinations}:
            raise AppError(422, "invalid_request", "no such criterion in this review")
        worklist.check_may_decide(principal, case)
        session.add(Decision(case_pk=case.id, revision=case.revision, criterion=criterion, action=action,
                             status=status, note=note, user_id=principal.user_id))
        session.flush()
        worklist.refresh_state(session, case)
        record(session, request, "decision", f"case:{case.id}/{criterion or 'final'}:{action}:{status or '-'}",
               principal.name)


def _export_data(request: Request, case_pk: int, kind: str):
    principal = request.state.principal
    with request.app.state.sessions() as session, session.begin():
        case = _case(session, case_pk)
        result = caseview.load_result(case)
        if result is None:
            raise AppError(409, "not_reviewed", "the case has no review result yet")
        per, final, history = caseview.latest_decisions(session, case)
        reviewed = caseview.reviewed_state(result, per, final)
        record(session, request, "export", f"case:{case.id}/{kind}", principal.name)
        return case, reviewed, history


def _attachment(case: Case, ext: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="chartsift-{case.case_id}-r{case.revision}.{ext}"',
            "Cache-Control": "no-store"}


@router.get("/cases/{case_pk}/export.json")
def export_json(request: Request, case_pk: int):
    case, reviewed, history = _export_data(request, case_pk, "json")
    body = json.dumps(caseview.export_json(case, reviewed, history), indent=2)
    return Response(body, media_type="application/json", headers=_attachment(case, "json"))


@router.get("/cases/{case_pk}/export.fhir.json")
def export_fhir(request: Request, case_pk: int):
    """The review as a FHIR R4 Bundle (chartsift.fhir), the reviewers' standing overrides as `override` answers
    with the reviewer as author. No document text."""
    from chartsift.fhir import FhirCheckError, SourceFile, checked_bundle, dumps

    case, reviewed, history = _export_data(request, case_pk, "fhir")
    result = reviewed.result
    upload_dir = request.app.state.settings.upload_dir
    with request.app.state.sessions() as session:
        stored = [(d.display_name, d.storage_name) for d in _case(session, case_pk).documents if d.storage_name]
    sources = [SourceFile.from_path(upload_dir / storage, name=name) for name, storage in stored
               if (upload_dir / storage).is_file()]
    try:
        bundle = checked_bundle(result, sources, overrides=caseview.overrides_in_force(history, case.revision))
    except FhirCheckError:
        raise AppError(500, "internal_error", "the FHIR export failed its checks") from None
    return Response(dumps(bundle), media_type="application/fhir+json", headers=_attachment(case, "fhir.json"))


def _pdf_part(request: Request, case_pk: int):
    """The reviewer's part of the PDF (final decision, reviewer, dates, overrides with notes, the case's audit
    entries, times local to the minute) and document name -> stored PDF file for the evidence crops."""
    from sqlalchemy import or_, select

    from chartsift.render_pdf import ReviewerPart

    from .models import AuditEvent
    from .views import local_time

    case, reviewed, history = _export_data(request, case_pk, "pdf")
    settings = request.app.state.settings
    zone = settings.timezone

    def when(value) -> str:
        return local_time(value, zone)

    with request.app.state.sessions() as session:
        case = _case(session, case_pk)
        final = reviewed.final
        summary = [("Final decision", f"{final.status.replace('_', ' ')} by {final.user.name}, {when(final.created_at)}"
                    + (f" - {final.note}" if final.note else "")) if final and final.status
                   else ("Final decision", "not yet recorded")]
        rec, original = reviewed.recommendation, reviewed.original
        if rec.status != original.status:
            summary.append(("Recommendation with the reviewer's statuses",
                            f"{rec.status} (chartsift: {original.status})"))
        reviewers = sorted({d.user.name for d in history if d.revision == case.revision})
        summary += [("Reviewer(s)", ", ".join(reviewers) or "-"),
                    ("Assigned to", case.assignee.name if case.assignee else "nobody"),
                    ("Patient", " / ".join(str(v) for v in (case.patient_name, case.patient_birth_date,
                                                            case.member_id) if v) or "-"),
                    ("Received", f"{when(case.received_at)} ({case.urgency or 'standard'}); decision due "
                                 f"{when(case.due_at)}" if case.due_at else "-"),
                    ("Request date", str(case.request_date or "-")),
                    ("Case created", f"{when(case.created_at)} by {case.creator.name}"),
                    ("Reviewed by chartsift", when(case.updated_at)),
                    ("Revision", str(case.revision))]
        before = {d.criterion: d.status for d in reviewed.result.determinations}
        overrides = [(d.criterion or "", before.get(d.criterion or "", "-"), d.status or "-",
                      f"{d.user.name}, {when(d.created_at)}", d.note)
                     for d in history if d.revision == case.revision and d.action == "override"]
        prefix = f"case:{case.id}"
        events = session.scalars(select(AuditEvent).where(or_(AuditEvent.object == prefix,
                                                               AuditEvent.object.startswith(prefix + "/")))
                                 .order_by(AuditEvent.seq)).all()
        audit = [(_audit_time(e.at, when), e.user_name or "-", e.action, e.object) for e in events]
        stored = {d.display_name: settings.upload_dir / d.storage_name for d in case.documents
                  if d.media_type == "pdf" and d.storage_name}
    return case, reviewed.result, ReviewerPart(summary, overrides, audit), stored


def _audit_time(at: str, when) -> str:
    import datetime as dt

    try:
        return when(dt.datetime.fromisoformat(at))
    except ValueError:
        return at


@router.get("/cases/{case_pk}/export.pdf")
async def export_pdf(request: Request, case_pk: int):
    """The review as a PDF for the case file (chartsift.render_pdf), led by the final decision, the reviewer and
    the dates; the overrides with their notes and the case's audit entries at the end."""
    from chartsift.render_pdf import render_pdf

    case, result, part, stored = await run_in_threadpool(_pdf_part, request, case_pk)
    body = await run_in_threadpool(render_pdf, result, {n: p for n, p in stored.items() if p.is_file()}, part)
    return Response(body, media_type="application/pdf", headers=_attachment(case, "pdf"))


@router.get("/cases/{case_pk}/export.html")
async def export_html(request: Request, case_pk: int):
    """chartsift's HTML review, led by the reviewer's part: the final decision and who made it, the
    recommendation with the reviewer's statuses beside chartsift's, the changed criteria, every decision."""
    case, reviewed, history = await run_in_threadpool(_export_data, request, case_pk, "html")
    page = (request.app.state.settings.result_dir / f"{case.id}-r{case.revision}.html").read_text(encoding="utf-8")
    section = request.app.state.templates.get_template("export_decisions.html").render(
        case=case, reviewed=reviewed, changed=reviewed.changed,
        before={d.criterion: d.status for d in reviewed.result.determinations},
        decisions=[d for d in history if d.revision == case.revision])
    body = re.search(r"<body[^>]*>", page)
    page = page[:body.end()] + section + page[body.end():] if body else section + page
    return HTMLResponse(page, headers=_attachment(case, "html"))
