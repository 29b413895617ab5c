"""PHI canary sweep of the web surface (issue 9): a made-up patient (name, MRN, date of birth) in the note text, in
the PDF metadata, in the upload file names and in the form fields goes through every error path of the web app
(400, 401, 403, 404, 413 with and without Content-Length, 415, 422, a 500 in the request and a failing review in
the worker) and a whole successful review (its upload carrying files the sniff refuses beside the good ones), with every logger at DEBUG (stdlib root and loguru) and SQLAlchemy's
statement log on, and is found nowhere it does not belong.

What may hold the chart, and why (SPEC 1 and 3, DESIGN "errors are a catalogue", issue 6):

- The answer to the reviewer may quote the chart and name its files: the case page, the review JSON and HTML
  exports and the page view (GET 200 of /cases/N, /cases/N/export.json|html, /cases/N/documents/D/pages/P).
  The database keeps what those pages show: `cases.result_json` (the review), `documents.display_name` (the
  sender's file name, the label the reviewer finds the file by; file-name canaries only, never text ones) and
  `decisions.note` (the reviewer's own words). The stored uploads, the rendered results and page images hold
  the chart by design, under generated names.
- Nothing else may hold any canary: no error body (every status >= 400), no response header of any response,
  the live status JSON, the case list, no log record (message, arguments, exception text), nothing on
  stdout/stderr, no file name anywhere under the data folder, nothing left in the temporary folder (names or
  contents), and no row of the tables that are not supposed to hold text: audit_log, jobs, sessions, users and
  the coded columns of cases and documents. (A failed login's audit row keeps the user name typed, which is an
  account name and the point of that row; the sweep types its canary as the password.)
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi.testclient import TestClient
from hostile_harness import load_make_hostile
from phi_capture import debug_capture
from sqlalchemy import select

from chartsift.web.models import AuditEvent, Case, Decision, Document, Job, LoginSession, User

from .conftest import FORM, PASSWORD, build_web
from .hostile_upload import multipart

mh = load_make_hostile()
TEXT_CANARIES = mh.CANARIES  # name, surname, given name, MRN digits, date of birth
FILE_CANARY = "Quackenbush_Zebulon_MRN99887766"
FILE_CANARIES = ("Quackenbush", "Zebulon", "99887766")
ALL = TEXT_CANARIES + FILE_CANARIES
#: only the documents' text and metadata hold these (a file-name label holds the others)
TEXT_ONLY = (mh.CANARY_NAME, mh.CANARY_MRN, mh.CANARY_DOB)
#: the test's own HTTP client (a browser, in production) logs the URLs it asks for: not the server's logs
CLIENT_LOGGERS = ("httpx", "httpcore")
SECRET_MESSAGE = f"while reading {FILE_CANARY}.pdf: patient {mh.CANARY_NAME} {mh.CANARY_MRN} DOB {mh.CANARY_DOB}"
#: GET 200 answers to the reviewer: they may quote the chart and name its files
ANSWERS = re.compile(r"^/cases/\d+(/export\.(json|html)|/documents/\d+/pages/\d+)?$")


def hits(text: str, canaries=ALL) -> list[str]:
    return [c for c in canaries if c in text]


@dataclass
class Capture:
    responses: list[tuple[str, str, int, str, str]] = field(default_factory=list)  # method, path, status, headers, body

    def hook(self, response: httpx.Response) -> None:
        response.read()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.multi_items())
        self.responses.append((response.request.method, response.request.url.path, response.status_code, headers,
                               response.content.decode("utf-8", "replace")))


@pytest.fixture
def sweep(tmp_path, monkeypatch, caplog):
    """A web app with every log at DEBUG (stdlib root, loguru) and SQL statements logged, a private temporary folder,
    and every response of its client recorded."""
    with debug_capture(tmp_path, monkeypatch, caplog) as (sink, tmp):
        caplog.set_level(logging.INFO, logger="sqlalchemy.engine")  # an operator debugging the database: echo
        web = build_web(tmp_path / "data", max_upload_bytes=2 * 1024 * 1024)
        capture = Capture()
        web.client.event_hooks = {"response": [capture.hook]}
        web.add_user()
        assert web.login().status_code == 303

        def logs() -> str:
            records = [f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
                       if not r.name.startswith(CLIENT_LOGGERS)]
            return sink.getvalue() + "\n".join(records)

        yield web, capture, logs, tmp
        web.app.state.engine.dispose()


def _canary_files() -> list[tuple[bytes, bytes]]:
    """Good and hostile documents, each carrying the canaries in its text, metadata or name."""
    good = mh.good_note_pdf()
    return [(f"{FILE_CANARY}.pdf".encode(), good), (b"visit.txt", mh.text_note()),
            (f"{FILE_CANARY}_truncated.pdf".encode(), good[:700]),
            (f"{FILE_CANARY}_encrypted.pdf".encode(), mh.encrypted_pdf(b"user-secret")),
            (f"{FILE_CANARY}_renamed.pdf".encode(), mh.text_note()),
            (f"{FILE_CANARY}_empty.pdf".encode(), b""), (f"{FILE_CANARY}_picture.pdf".encode(), mh.png_bytes())]


def _post(web, files, *, csrf: bool = True, client=None, **fields):
    data = dict(FORM, **fields)
    if csrf:
        data["csrf_token"] = web.csrf()
    body, ctype = multipart(data, files)
    return (client or web.client).post("/cases", content=body, headers={"Content-Type": ctype},
                                       follow_redirects=False)


def _error_paths(web, capture, monkeypatch) -> dict[str, int]:
    """Every coded error of the web app, each request carrying the canaries; name -> status."""
    files = _canary_files()
    got = {}
    stranger = TestClient(web.app, raise_server_exceptions=False)
    stranger.event_hooks = {"response": [capture.hook]}
    got["401 upload without a session"] = _post(web, files, csrf=False, client=stranger).status_code
    got["401 page without a session"] = stranger.get(f"/cases?q={FILE_CANARY}").status_code
    token = re.search(r'name="csrf_token" value="([^"]+)"', stranger.get("/login").text).group(1)
    got["401 wrong password"] = stranger.post("/login", data={"csrf_token": token, "username": "nurse",
                                                               "password": mh.CANARY_NAME}).status_code
    got["403 no CSRF token"] = _post(web, files, csrf=False).status_code
    got["403 wrong CSRF token"] = _post(web, files, csrf=False, csrf_token=mh.CANARY_NAME).status_code
    body = b"--x\r\n" + mh.text_note() + FILE_CANARY.encode()
    got["400 multipart without boundary"] = web.client.post(
        "/cases", content=body, headers={"Content-Type": "multipart/form-data"}).status_code
    got["400 too many files"] = _post(web, [(f"{FILE_CANARY}-{i}.txt".encode(), mh.text_note()) for i in range(51)]
                                      ).status_code
    big = mh.text_note() * (3 * 1024 * 1024 // len(mh.text_note()))  # spooled to a temporary file before 413
    got["413 with Content-Length"] = _post(web, [(f"{FILE_CANARY}.txt".encode(), big)]).status_code
    chunked, ctype = multipart(dict(FORM, csrf_token=web.csrf()), [(f"{FILE_CANARY}.txt".encode(), big)])
    got["413 chunked"] = web.client.post("/cases", content=iter([chunked[i:i + 65536] for i in
                                                                 range(0, len(chunked), 65536)]),
                                         headers={"Content-Type": ctype}).status_code
    got["415 PNG renamed"] = _post(web, [(f"{FILE_CANARY}.pdf".encode(), mh.png_bytes())]).status_code
    got["415 zero bytes"] = _post(web, [(f"{FILE_CANARY}.pdf".encode(), b"")]).status_code
    got["415 every file refused"] = _post(web, [(f"{FILE_CANARY}.pdf".encode(), b""),
                                                (f"{FILE_CANARY}.png".encode(), mh.png_bytes())]).status_code
    got["422 case id"] = _post(web, files, case_id=f"{mh.CANARY_NAME} {mh.CANARY_MRN}").status_code
    got["422 request date"] = _post(web, files, request_date=mh.CANARY_DOB).status_code
    got["422 ICD-10"] = _post(web, files, icd10=mh.CANARY_NAME).status_code
    got["422 path parameter"] = web.client.get(f"/cases/{FILE_CANARY}").status_code
    got["404 no such case"] = web.client.get(f"/cases/999/status?who={FILE_CANARY}").status_code

    def fail(*_args, **_kwargs):
        raise RuntimeError(SECRET_MESSAGE) from KeyError(SECRET_MESSAGE)

    with monkeypatch.context() as m:
        m.setattr("chartsift.web.routes_cases.store_upload", fail)
        got["500 in the request"] = _post(web, files).status_code
    stranger.close()
    return got


EXPECTED = {"401 upload without a session": 401, "401 page without a session": 401, "401 wrong password": 401,
            "403 no CSRF token": 403, "403 wrong CSRF token": 403, "400 multipart without boundary": 400,
            "400 too many files": 400, "413 with Content-Length": 413, "413 chunked": 413, "415 PNG renamed": 415,
            "415 zero bytes": 415, "415 every file refused": 415, "422 case id": 422, "422 request date": 422,
            "422 ICD-10": 422, "422 path parameter": 422, "404 no such case": 404, "500 in the request": 500}


def _reviewed_case(web, capture) -> str:
    """A whole review of the canary documents, the reviewer's reading of it, a decision and the exports."""
    response = _post(web, _canary_files())
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    assert web.run_jobs() == 1
    page = web.client.get(url).text
    assert "read" in page and "encrypted: " in page, "the case was reviewed, its bad documents coded"
    assert "empty_file: " in page and "unsupported_type: " in page, "the files refused at upload are shown coded"
    doc = re.search(r'data-doc="(\d+)" data-page="1" data-bbox="([0-9.,]+)"', page)
    web.client.get(f"{url}/documents/{doc.group(1)}/pages/1", params={"bbox": doc.group(2)})
    web.client.get(f"{url}/documents/{doc.group(1)}/pages/1/image")
    web.client.post(f"{url}/decisions", data={"csrf_token": web.csrf(url), "criterion": "II.G", "action": "override",
                                              "status": "met", "note": f"spoke with {mh.CANARY_NAME}"})
    for suffix in ("/status", "/export.json", "/export.html"):
        web.client.get(url + suffix)
    web.client.get("/cases")
    return url


def _failed_review(web, monkeypatch) -> str:
    """The worker's review raises an exception quoting the chart: the case fails with internal_error."""
    response = _post(web, _canary_files(), case_id="A-1043")
    with monkeypatch.context() as m:
        def fail(*_args, **_kwargs):
            raise ValueError(SECRET_MESSAGE)

        m.setattr("chartsift.api.review_case", fail)
        assert web.run_jobs() == 1
    url = response.headers["location"]
    assert web.client.get(url + "/status").json()["error_code"] == "internal_error"
    web.client.get(url)
    return url


def _database_rows(web) -> list[tuple[str, str]]:
    """(table, row text) of every row not supposed to hold chart text or file names."""
    out = []
    with web.sessions() as s:
        for model in (AuditEvent, Job, LoginSession, User):
            for row in s.scalars(select(model)):
                out.append((model.__tablename__, repr({c.key: getattr(row, c.key) for c in model.__table__.c})))
        for case in s.scalars(select(Case)):
            out.append(("cases", repr((case.case_id, case.status, case.error_code, case.recommendation, case.cpt,
                                       case.side, case.icd10))))
        for doc in s.scalars(select(Document)):
            out.append(("documents", repr((doc.storage_name, doc.media_type, doc.sha256, doc.error_code))))
            out.append(("documents.display_name", doc.display_name))
        notes = [d.note for d in s.scalars(select(Decision))]
    assert any(mh.CANARY_NAME in n for n in notes), "the reviewer's note is kept (legitimately)"
    return out


def test_no_canary_outside_the_reviewers_answer(sweep, monkeypatch, capfd):
    web, capture, logs, tmp = sweep
    statuses = _error_paths(web, capture, monkeypatch)
    assert statuses == EXPECTED
    reviewed = _reviewed_case(web, capture)
    failed = _failed_review(web, monkeypatch)

    answers = 0
    for method, path, status, headers, body in capture.responses:
        assert not hits(headers), f"canary in a header of {method} {path} -> {status}"
        if status == 200 and method == "GET" and ANSWERS.match(path):
            answers += bool(hits(body, TEXT_ONLY))
            if path == failed:  # no review: the page lists the documents by their labels, and quotes nothing
                assert not hits(body, TEXT_ONLY), "the failed case's page quotes the chart"
            continue
        assert not hits(body), f"canary in the body of {method} {path} -> {status}: {body[:300]!r}"
    assert answers >= 3, "the case page and the exports quote the chart (the sweep sees them)"
    assert any(s == 500 and "internal_error" in b for _m, _p, s, _h, b in capture.responses)

    log_text = logs()
    assert not hits(log_text), "canary in a log record"
    assert "RuntimeError" in log_text and "ValueError" in log_text, "the failures are logged, by type and place"
    assert "[SQL parameters hidden" in log_text, "the SQL statement log was on"
    out, err = capfd.readouterr()
    assert not hits(out + err), "canary on stdout/stderr"
    for table, row in _database_rows(web):
        assert not hits(row, ALL if table != "documents.display_name" else TEXT_ONLY), f"canary in {table}: {row}"
    names = [p.relative_to(web.settings.data_dir).as_posix() for p in web.settings.data_dir.rglob("*")]
    assert not hits("\n".join(names)), "canary in a file name under the data folder"
    assert list((web.settings.data_dir / "work").iterdir()) == []
    leftovers = [p.name + (p.read_bytes().decode("latin-1") if p.is_file() else "") for p in tmp.rglob("*")]
    assert not hits("\n".join(leftovers)), "canary left in the temporary folder"
    assert reviewed != failed


def test_a_login_form_error_does_not_echo_what_was_typed(sweep):
    web, _capture, _logs, _tmp = sweep
    client = TestClient(web.app, raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"csrf_token": token, "username": "nurse", "password": FILE_CANARY})
    assert response.status_code == 401 and not hits(response.text)
    assert client.post("/login", data={"csrf_token": token, "username": "nurse", "password": PASSWORD},
                       follow_redirects=False).status_code == 303
    client.close()
