"""The web import of a `chartsift screen` output (.zip) into the queue: cases queued with their recommendation,
needs-review count and due date, duplicates reported per case with their code and the rest imported; a .zip that
is not a screen output, escapes its folder (zip-slip), or unpacks too large (zip bomb) is a coded error."""
from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chartsift.web.models import AuditEvent, Case

from .test_error_pages import BROWSER, JSON, _is_json, _is_page
from .test_worklist import screen_out

GOLDENS = ["sij/SIJ-023.text.json", "sij/SIJ-001.text.json", "demo/DEMO-001.pdf.json"]


def zipped(folder: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, prefix + path.relative_to(folder).as_posix())
    return buffer.getvalue()


def post_zip(web, data: bytes, accept: dict, name: str = "out.zip"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', web.client.get("/queue/import").text).group(1)
    return web.client.post("/queue/import", data={"csrf_token": token}, files=[("archive", (name, data))],
                           headers=accept)


def cases_in(web) -> int:
    with web.sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


def test_the_import_page_queues_a_screen_run_and_reports_duplicates_per_case(logged_in, tmp_path):
    out = screen_out(tmp_path, GOLDENS, errors=[("BROKEN-1", "timeout"), ("SIJ-023", "duplicate_case_id")])
    archive = zipped(out, prefix="out/")  # the folder zipped as a whole: its files one folder down
    form = logged_in.client.get("/queue/import").text
    assert 'id="import-form"' in form and 'name="archive" type="file" required accept=".zip' in form
    response = post_zip(logged_in, archive, BROWSER)
    assert response.status_code == 200
    html = response.text
    assert re.search(r'id="import-result" data-imported="4" data-skipped="1"', html)
    goldens = {json.loads((Path(__file__).parents[1] / "golden" / g).read_text())["case_id"]:
               json.loads((Path(__file__).parents[1] / "golden" / g).read_text()) for g in GOLDENS}
    for case_id, review in goldens.items():
        row = re.search(rf'<tr data-case="{case_id}" data-result="queued">(.*?)</tr>', html, re.DOTALL).group(1)
        assert review["recommendation"]["status"].replace("_", " ") in row
        needs = len(review["needs_review"])
        assert (f"{needs} need" in row) if needs else ('<span class="meta">none</span>' in row)
        assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", row)  # the due date, local time to the minute
    assert re.search(r'data-case="BROKEN-1" data-result="failed">.*?timeout', html, re.DOTALL)
    skipped = re.search(r'<tr data-case="SIJ-023" data-result="skipped".*?</tr>', html, re.DOTALL).group(0)
    assert "duplicate_case_id" in skipped and "appears twice in the screen output" in skipped
    assert cases_in(logged_in) == 4
    with logged_in.sessions() as s:
        case = s.scalar(select(Case).where(Case.case_id == "SIJ-023"))
        assert case.source == "screen" and case.due_at is not None and case.criteria_total is not None
        actors = {e.user_name for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "case_import"))}
    assert actors == {"nurse"}  # the signed-in user, not a cli: actor
    worklist = logged_in.client.get("/cases").text
    assert all(f'data-case="{c}"' in worklist for c in [*goldens, "BROKEN-1"])

    again = post_zip(logged_in, archive, BROWSER).text  # importing the same run again adds nothing
    assert re.search(r'data-imported="0" data-skipped="5"', again)
    for case_id in goldens:
        row = re.search(rf'<tr data-case="{case_id}" data-result="skipped".*?</tr>', again, re.DOTALL).group(0)
        assert "duplicate_case_id" in row and "already in the queue" in row and 'href="/cases/' in row
    assert cases_in(logged_in) == 4


def test_an_api_client_gets_the_report_as_json(logged_in, tmp_path):
    out = screen_out(tmp_path, GOLDENS[:2])
    body = post_zip(logged_in, zipped(out), JSON).json()
    assert body["imported"] == 2 and body["skipped"] == []
    assert {q["case_id"] for q in body["queued"]} == {"SIJ-023", "SIJ-001"}
    body = post_zip(logged_in, zipped(out), JSON).json()
    assert body["imported"] == 0
    assert body["skipped"] == [{"case_id": "SIJ-023", "error_code": "duplicate_case_id"},
                               {"case_id": "SIJ-001", "error_code": "duplicate_case_id"}]


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return buffer.getvalue()


def _screen_files(tmp_path) -> list[tuple[str, bytes]]:
    out = screen_out(tmp_path, GOLDENS[:1])
    return [(n, (out / n).read_bytes()) for n in ("summary.csv", "results.jsonl")]


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize("evil", ["../../escaped.txt", "/etc/escaped.txt", "a\\..\\..\\escaped.txt",
                                  "C:/escaped.txt", "link"])
def test_zip_slip_is_refused_and_nothing_is_written_or_queued(logged_in, tmp_path, evil):
    member = _link(evil) if evil == "link" else evil
    archive = _zip([*_screen_files(tmp_path), (member, b"/etc/passwd" if evil == "link" else b"x")])
    before = sorted(p.relative_to(logged_in.settings.data_dir) for p in logged_in.settings.data_dir.rglob("*"))
    html = _is_page(post_zip(logged_in, archive, BROWSER), 422, "unsafe_archive")
    assert 'href="/queue/import"' in html
    _is_json(post_zip(logged_in, archive, JSON), 422, "unsafe_archive")
    after = sorted(p.relative_to(logged_in.settings.data_dir) for p in logged_in.settings.data_dir.rglob("*"))
    assert [p for p in after if p not in before and p.name != "audit-head.log"] == []  # no temp folder left either
    assert not any(p.name == "escaped.txt" for p in tmp_path.parent.rglob("escaped.txt"))
    assert cases_in(logged_in) == 0


def test_a_zip_bomb_stops_at_the_ratio_limit(web_factory, tmp_path):
    logged_in = web_factory()  # the default upload limit (the fixture's 64 KiB is below the packed bomb)
    logged_in.add_user()
    logged_in.login()
    files = dict(_screen_files(tmp_path))
    bomb = files["results.jsonl"] + b" " * (64 << 20)  # 64 MiB of blanks pack ~1000:1
    archive = _zip([("summary.csv", files["summary.csv"]), ("results.jsonl", bomb)])
    assert len(archive) < 200_000
    body = _is_json(post_zip(logged_in, archive, JSON), 413, "archive_too_large")
    assert "packs denser" in body["message"]
    _is_page(post_zip(logged_in, archive, BROWSER), 413, "archive_too_large")
    assert cases_in(logged_in) == 0


@pytest.mark.parametrize(("limit", "value"), [("import_max_unpacked_bytes", 4000), ("import_max_members", 3)])
def test_the_declared_limits(web_factory, tmp_path, limit, value):
    web = web_factory(**{limit: value})
    web.add_user()
    web.login()
    files = _screen_files(tmp_path)
    assert sum(len(d) for _, d in files) > 4000
    archive = _zip([*files, ("index.html", b"<p>"), ("cases/x.html", b"<p>")])
    _is_json(post_zip(web, archive, JSON), 413, "archive_too_large")
    assert cases_in(web) == 0


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"PK\x03\x04\x14\x00\x06\x00word/document.xml" * 10, 415, "not_a_zip"),
    (b"case_id,status\nA,done\n", 415, "not_a_zip"),
    (None, 422, "not_screen_output"),  # a .zip without summary.csv and results.jsonl
    ("damaged", 422, "not_screen_output"),
])
def test_not_a_screen_output(logged_in, tmp_path, data, status, code):
    if data is None:
        data = _zip([("index.html", b"<p>")])
    elif data == "damaged":
        files = dict(_screen_files(tmp_path))
        data = _zip([("summary.csv", files["summary.csv"]), ("results.jsonl", files["results.jsonl"][:-40])])
    html = _is_page(post_zip(logged_in, data, BROWSER), status, code)
    assert "What to do:" in html and 'href="/queue/import"' in html
    _is_json(post_zip(logged_in, data, JSON), status, code)
    assert cases_in(logged_in) == 0


def test_the_import_needs_a_login_and_its_csrf_token(web, tmp_path):
    archive = zipped(screen_out(tmp_path, GOLDENS[:1]))
    assert web.client.post("/queue/import", files=[("archive", ("o.zip", archive))]).status_code == 401
    web.add_user()
    web.login()
    response = web.client.post("/queue/import", files=[("archive", ("o.zip", archive))])
    assert response.status_code == 403 and response.json()["error_code"] == "csrf_failed"
    assert cases_in(web) == 0
