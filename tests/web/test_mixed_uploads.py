"""An upload with a file the content sniff refuses (zero bytes; neither a PDF nor UTF-8 text), on both upload routes
(POST /cases and POST /cases/N/documents).

With at least one acceptable file the upload goes on (303): the good documents are stored and reviewed, and each
refused file becomes a document of the case with its code and its sanitized name, its bytes not kept; the case
page shows the code before and after the review, and the review JSON reports it as `chartsift review` reports a
bad document (a summary with no pages and its error, the error in `errors`, in document order). When every file
is refused the answer stays 415 with the coded JSON error and nothing is left behind.

One difference from the CLI, by design: the web sniffs before ingestion, so a non-PDF named `.pdf` is
`unsupported_type` here where `chartsift review` says `not_a_pdf`, and UTF-16 or cp1252 text (which the CLI
decodes) is refused (issue 6: only `%PDF-` or UTF-8 text is accepted).
"""
from __future__ import annotations

import pytest
from hostile_harness import load_make_hostile
from sqlalchemy import func, select
from test_determinism import answer_hash

from chartsift.web.models import AuditEvent, Case, Document, Job
from chartsift.web.storage import REFUSAL_MESSAGES

from .conftest import FORM, csrf_of
from .hostile_upload import post_case

mh = load_make_hostile()
PNG = mh.png_bytes()
GOOD = ("visit.txt", mh.text_note())
FIRST = ("first.txt", b"Office note 2026-01-05. Left buttock pain for 8 months.\n")
#: (name sent, bytes, code); the name is sent with a folder in front, which the case never shows
REFUSALS = [
    pytest.param("empty.pdf", b"", "empty_file", id="zero-bytes"),
    pytest.param("scan.pdf", PNG, "unsupported_type", id="png-renamed-pdf"),
    pytest.param("photo.png", PNG, "unsupported_type", id="png"),
    pytest.param("note.txt", "Schmerz im Gesäß".encode("utf-16"), "unsupported_type", id="utf16-text"),
]
ROUTES = [pytest.param("new-case", id="new-case"), pytest.param("more-documents", id="more-documents")]


def _new_case(web, files: list[tuple[str, bytes]]):
    return post_case(web, FORM["case_id"], [(n.encode(), d) for n, d in files])


def _more(web, url: str, files: list[tuple[str, bytes]]):
    return web.client.post(url + "/documents", data={"csrf_token": csrf_of(web.client.get(url).text)},
                           files=[("documents", f) for f in files], follow_redirects=False)


def _upload(web, route: str, files: list[tuple[str, bytes]]) -> tuple[object, str | None]:
    """(response, the case's URL): on `more-documents`, into a case made first with one good document."""
    if route == "new-case":
        response = _new_case(web, files)
        return response, response.headers.get("location")
    made = _new_case(web, [FIRST])
    assert made.status_code == 303
    return _more(web, made.headers["location"], files), made.headers["location"]


def _documents(web) -> list[Document]:
    with web.sessions() as s:
        return list(s.scalars(select(Document).order_by(Document.id)))


def _stored(web) -> set[str]:
    return {p.name for p in web.settings.upload_dir.iterdir()}


def _count(web, model) -> int:
    with web.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _audit(web) -> list[tuple[str, str]]:
    with web.sessions() as s:
        return [(a.action, a.object) for a in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name,data,code", REFUSALS)
def test_a_refused_file_does_not_refuse_its_upload(logged_in, route, name, data, code):
    web = logged_in
    response, url = _upload(web, route, [(f"inbox/{name}", data), GOOD])
    assert response.status_code == 303 and response.headers["location"] == url
    docs = _documents(web)
    refused = [d for d in docs if d.error_code is not None]
    assert [(d.display_name, d.storage_name, d.media_type, d.error_code, d.size) for d in refused] == [
        (name, None, "refused", code, len(data))]
    assert {d.display_name for d in docs if d.error_code is None} == {GOOD[0]} | (
        {FIRST[0]} if route == "more-documents" else set())
    assert _stored(web) == {d.storage_name for d in docs if d.error_code is None}, "only the good files are kept"
    if data:
        kept = [p for p in web.settings.data_dir.rglob("*") if p.is_file() and data in p.read_bytes()]
        assert kept == [], "the refused bytes were kept"
    assert ("upload_refused", f"case:{refused[0].case_pk}/document-id:{refused[0].id}:{code}") in _audit(web)
    page = web.client.get(url).text
    assert page.count(f"{code}: {REFUSAL_MESSAGES[code]}") == 2  # the banner and the documents tab, before review
    assert f'<span class="docname">{name}</span>' in page and "inbox" not in page


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("name,data,code", REFUSALS)
def test_the_good_documents_are_reviewed_and_the_refused_one_is_in_the_review(logged_in, route, name, data, code):
    web = logged_in
    _response, url = _upload(web, route, [(name, data), GOOD])
    assert web.run_jobs() >= 1
    assert web.client.get(url + "/status").json()["status"] == "done"
    result = web.client.get(url + "/export.json").json()
    error = {"document": name, "code": code, "message": REFUSAL_MESSAGES[code], "pages": None}
    assert result["errors"] == [error]
    summaries = {d["name"]: d for d in result["documents"]}
    assert (summaries[name]["pages"], summaries[name]["error"], summaries[name].get("sha256")) == (0, error, None)
    assert summaries[GOOD[0]]["error"] is None and summaries[GOOD[0]]["pages"] == 1
    assert GOOD[0] in {ev["document"] for fact in result["facts"] for ev in fact["evidence"]}, "good doc not read"
    page = web.client.get(url).text
    assert f"{code}: {REFUSAL_MESSAGES[code]}" in page and 'id="recommendation"' in page
    assert f"not read: {code} ({REFUSAL_MESSAGES[code]})" in web.client.get(url + "/export.html").text


def test_a_mixed_upload_gets_the_answer_of_the_cli(logged_in, tmp_path):
    """Good, empty, a picture, good: the review JSON (documents, errors, facts, determinations) hashes equal to
    `chartsift.review` of the same four files in the same order (the web export's `review` key left out)."""
    from chartsift.api import review
    from models import Request

    files = [GOOD, ("empty.pdf", b""), ("photo.png", PNG), ("later.txt", mh.text_note().replace(b"2026", b"2025"))]
    response = _new_case(logged_in, files)
    assert response.status_code == 303 and logged_in.run_jobs() == 1
    web = logged_in.client.get(response.headers["location"] + "/export.json").json()
    web.pop("review")
    for name, data in files:
        (tmp_path / name).write_bytes(data)
    request = Request(cpt=FORM["cpt"], side=FORM["side"], date=FORM["request_date"], icd10=[FORM["icd10"]])
    cli = review([tmp_path / n for n, _ in files], request, case_id=FORM["case_id"]).model_dump(mode="json")
    assert [e["code"] for e in cli["errors"]] == ["empty_file", "unsupported_type"]
    assert [d["name"] for d in web["documents"]] == [n for n, _ in files]
    assert answer_hash(web) == answer_hash(cli)


ALL_REFUSED = [
    pytest.param([("empty.pdf", b"")], "empty_file", id="zero-bytes"),
    pytest.param([("scan.pdf", PNG)], "unsupported_type", id="png-renamed-pdf"),
    pytest.param([("empty.pdf", b""), ("scan.pdf", PNG)], "empty_file", id="empty-then-png"),
    pytest.param([("scan.pdf", PNG), ("empty.pdf", b""), ("x.txt", b"\xff\xfe\x00binary")], "unsupported_type",
                 id="png-then-empty-then-binary"),
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("files,code", ALL_REFUSED)
def test_an_upload_with_every_file_refused_is_415_and_leaves_nothing(logged_in, route, files, code):
    web = logged_in
    url = None if route == "new-case" else _new_case(web, [FIRST]).headers["location"]
    before = (_documents(web), _stored(web), _count(web, Case), _count(web, Job), len(_audit(web)))
    secret = [("Quackenbush_Zebulon_" + n, d) for n, d in files]
    response = _new_case(web, secret) if url is None else _more(web, url, secret)
    assert response.status_code == 415
    body = response.json()
    assert set(body) == {"error_code", "message", "request_id"} and body["error_code"] == code
    assert "Quackenbush" not in response.text
    assert [d.id for d in _documents(web)] == [d.id for d in before[0]] and _stored(web) == before[1]
    assert (_count(web, Case), _count(web, Job)) == before[2:4], "no case, no job"
    new_audit = [a for a, _o in _audit(web)[before[4]:]]
    assert not {"upload", "upload_refused", "case_create"} & set(new_audit), new_audit
    if route == "new-case":
        assert before[2] == 0 and _stored(web) == set()
