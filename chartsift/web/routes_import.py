"""The web import of a `chartsift screen` output into the queue (what `chartsift queue import OUT` does, from a
browser): the operator uploads the output folder as a .zip; each screened case is queued with its review, a case id
already queued is reported with `duplicate_case_id` and the rest are imported.

A .zip (not the two files picked one by one): it is the folder as `screen` wrote it, in one file any desktop makes,
and a browser cannot upload a folder without non-standard attributes. Only its summary.csv and results.jsonl are
read, under fixed names, within the limits of `Settings` (queue_import.unpack_screen_zip)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from .deps import check_csrf
from .errors import AppError, prefers_html
from .models import Case
from .queue_import import DUPLICATE, ArchiveRefused, QueueImportError, check_out, import_screen, unpack_screen_zip
from .views import render

router = APIRouter()


@router.get("/queue/import")
def import_form(request: Request):
    return render(request, "import.html", report=None)


@router.post("/queue/import")
async def import_zip(request: Request):
    principal = request.state.principal
    form = await request.form(max_files=1, max_fields=3)
    check_csrf(request, principal, form.get("csrf_token"))
    upload = form.get("archive")
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        raise AppError(422, "invalid_request", "choose the .zip of a screen output folder")
    settings = request.app.state.settings

    def _run():
        with tempfile.TemporaryDirectory(dir=settings.data_dir / "work", prefix="import-") as tmp:
            unpack_screen_zip(upload.file, Path(tmp), settings)
            check_out(Path(tmp))
            return import_screen(settings, request.app.state.sessions, Path(tmp), user=principal.name,
                                 actor=principal.name)

    try:
        report = await run_in_threadpool(_run)
    except ArchiveRefused as exc:
        raise AppError(exc.status, exc.code, exc.message) from None
    except QueueImportError:
        raise AppError(422, "not_screen_output", "the .zip holds no readable screen output") from None
    with request.app.state.sessions() as session:
        queued = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_([pk for _, pk in report.queued])))}
        skipped_ids = [case_id for case_id, _code in report.skipped]
        existing = dict(session.execute(select(Case.case_id, Case.id).where(Case.case_id.in_(skipped_ids))).all())
        this_run = {pk for _, pk in report.queued}
        rows = [{"case_id": cid, "code": code, "existing": existing.get(cid), "repeat": existing.get(cid) in this_run}
                 for cid, code in report.skipped]  # the skipped first: they are what the operator must look at
        rows += [{"case_id": cid, "case": queued[pk]} for cid, pk in report.queued]
        if not prefers_html(request.headers.get("accept", "")):
            return JSONResponse({
                "rows": report.rows, "imported": report.imported, "reviewed": report.reviewed, "failed": report.failed,
                "queued": [{"case_id": cid, "id": pk} for cid, pk in report.queued],
                "skipped": [{"case_id": cid, "error_code": code} for cid, code in report.skipped]})
        return render(request, "import.html", report=report, rows=rows, duplicate=DUPLICATE)
