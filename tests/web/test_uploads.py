"""Uploads: streamed size limit (413 with or without Content-Length), content sniffing (415 when no file of the upload
is acceptable; a refused file beside good ones: tests/web/test_mixed_uploads.py), safe storage."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from chartsift.web.models import Case, Document
from chartsift.web.storage import display_name

from .conftest import FORM

NOTE = b"Office note 2026-01-05. Left buttock pain for 8 months. Positive FABER on the left.\n"


def _multipart(fields: dict, files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = b""
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
    for name, data in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="documents"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _post_case(web, files, **fields):
    data = dict(FORM, csrf_token=web.csrf(), **fields)
    return web.client.post("/cases", data=data, files=[("documents", f) for f in files], follow_redirects=False)


def _stored(web) -> list[str]:
    return sorted(p.name for p in web.settings.upload_dir.iterdir())


def test_a_text_note_makes_a_queued_case(logged_in):
    response = _post_case(logged_in, [("note.txt", NOTE)])
    assert response.status_code == 303 and response.headers["location"].startswith("/cases/")
    with logged_in.sessions() as s:
        case = s.scalar(select(Case))
        doc = s.scalar(select(Document))
        assert (case.case_id, case.status, case.icd10) == ("A-1042", "queued", ["M46.1"])
        assert doc.display_name == "note.txt" and doc.media_type == "text" and doc.storage_name != "note.txt"
    assert _stored(logged_in) == [doc.storage_name]


def test_oversize_upload_with_content_length_is_413(logged_in):
    response = _post_case(logged_in, [("big.txt", b"a" * (80 * 1024))])
    assert response.status_code == 413 and response.json()["error_code"] == "too_large"
    assert _stored(logged_in) == []


def test_oversize_chunked_upload_without_content_length_is_413(logged_in):
    body, ctype = _multipart(dict(FORM, csrf_token=logged_in.csrf()), [("big.txt", b"a" * (200 * 1024))])

    def chunks():
        for i in range(0, len(body), 8192):
            yield body[i:i + 8192]

    response = logged_in.client.post("/cases", content=chunks(), headers={"Content-Type": ctype})
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.json()["error_code"] == "too_large"
    assert _stored(logged_in) == []


def test_a_small_chunked_upload_is_accepted(logged_in):
    body, ctype = _multipart(dict(FORM, csrf_token=logged_in.csrf()), [("note.txt", NOTE)])
    response = logged_in.client.post("/cases", content=iter([body[:100], body[100:]]),
                                     headers={"Content-Type": ctype}, follow_redirects=False)
    assert response.status_code == 303


@pytest.mark.parametrize("name,data", [
    pytest.param("scan.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, id="png-renamed-pdf"),
    pytest.param("chart.pdf", b"PK\x03\x04" + bytes(range(256)), id="zip-renamed-pdf"),
    pytest.param("note.txt", "Schmerz".encode("utf-16"), id="utf16-text"),
    pytest.param("note.txt", b"caf\xe9 latin-1", id="latin1-text"),
])
def test_renamed_non_pdf_is_415(logged_in, name, data):
    response = _post_case(logged_in, [(name, data)])
    assert response.status_code == 415 and response.json()["error_code"] == "unsupported_type"
    assert _stored(logged_in) == []
    with logged_in.sessions() as s:
        assert s.scalar(select(Case)) is None and s.scalar(select(Document)) is None


@pytest.mark.parametrize("name,shown", [
    pytest.param("../../etc/passwd", "passwd", id="dotdot"),
    pytest.param("..\\..\\windows\\win.ini", "win.ini", id="backslashes"),
    pytest.param("/abs/path/note.txt", "note.txt", id="absolute"),
    pytest.param("..", "document", id="only-dots"),
    pytest.param("<script>x.txt", "_script_x.txt", id="markup"),
])
def test_path_traversal_filenames_are_stored_safely(logged_in, name, shown):
    response = _post_case(logged_in, [(name, NOTE)])
    assert response.status_code == 303
    with logged_in.sessions() as s:
        doc = s.scalar(select(Document))
    assert doc.display_name == shown
    stored = _stored(logged_in)
    assert stored == [doc.storage_name] and len(stored[0]) == 36  # 32 hex + ".txt"
    data_files = {p.name for p in logged_in.settings.data_dir.rglob("*")}
    assert "passwd" not in data_files and "win.ini" not in data_files
    page = logged_in.client.get(response.headers["location"]).text
    assert "<script>x" not in page


@pytest.mark.parametrize("names,expected", [
    pytest.param(["a.txt", "a.txt"], ["a.txt", "a (2).txt"], id="duplicate"),
    pytest.param(["x/a.txt", "y/a.txt", "a.txt"], ["a.txt", "a (2).txt", "a (3).txt"], id="same-basename"),
    pytest.param(["README", "README"], ["README", "README (2)"], id="no-extension"),
    pytest.param(["a\x00b\nc.txt"], ["abc.txt"], id="control-chars"),
    pytest.param(["..", " . "], ["document", "document (2)"], id="nothing-left"),
    pytest.param(["x" * 300 + ".pdf"], ["x" * 110 + ".pdf"], id="long"),
])
def test_display_names_are_unique_in_a_case(names, expected):
    taken: set[str] = set()
    assert [display_name(n, taken) for n in names] == expected


@pytest.mark.parametrize("field,value", [
    pytest.param("case_id", "../x", id="case-id-path"),
    pytest.param("cpt", "99999", id="cpt"),
    pytest.param("side", "up", id="side"),
    pytest.param("request_date", "05/04/2026", id="date"),
    pytest.param("icd10", "DROP TABLE", id="icd10"),
])
def test_bad_request_fields_are_422(logged_in, field, value):
    response = _post_case(logged_in, [("note.txt", NOTE)], **{field: value})
    assert response.status_code == 422 and response.json()["error_code"] == "invalid_request"
    assert _stored(logged_in) == []


def test_a_pdf_is_sniffed_by_content(logged_in, demo_pdf):
    response = _post_case(logged_in, [("packet", demo_pdf.read_bytes()[:60_000])])
    assert response.status_code in (303, 413)
