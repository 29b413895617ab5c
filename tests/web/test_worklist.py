"""The worklist (issue 17 part 2): due dates from receipt across daylight saving changes, the list's filters and sort,
"n of m criteria confirmed", assignment and who may assign, patient identifiers shown but never audited or logged,
duplicate case ids refused (409 duplicate_case_id), migration 0003 on a database that holds duplicates, and the
import of a `screen` output folder.

The reviewed cases are golden reviews put in the database as the worker would (no review run)."""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, text

from chartsift.web import worklist
from chartsift.web.models import AuditEvent, Case, Document, User

from .conftest import FORM, build_web, csrf_of
from .test_reviewed_state import add_reviewed_case

GOLDEN = Path(__file__).parents[1] / "golden"
CORPORA = Path(__file__).parents[2] / "corpora"
CHICAGO = "America/Chicago"
UTC = dt.UTC
PATIENT = {"patient_name": "Quackenbush Zebulon", "patient_birth_date": "1957-03-14", "member_id": "MBR99887766"}
PHI = ("Quackenbush", "Zebulon", "1957-03-14", "MBR99887766")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- due dates ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("received_local", "urgency", "due_utc", "hours"), [
    pytest.param(dt.datetime(2026, 3, 5, 10, 0), "standard", utc(2026, 3, 12, 15, 0), 167,
                 id="standard-across-dst-start-same-clock-time-167h"),
    pytest.param(dt.datetime(2026, 10, 30, 10, 0), "standard", utc(2026, 11, 6, 16, 0), 169,
                 id="standard-across-dst-end-same-clock-time-169h"),
    pytest.param(dt.datetime(2026, 3, 7, 10, 0), "urgent", utc(2026, 3, 10, 16, 0), 72,
                 id="urgent-across-dst-start-72-elapsed-hours"),
    pytest.param(dt.datetime(2026, 10, 31, 23, 30), "urgent", utc(2026, 11, 4, 4, 30), 72,
                 id="urgent-across-dst-end-72-elapsed-hours"),
    pytest.param(dt.datetime(2026, 6, 1, 9, 15), "standard", utc(2026, 6, 8, 14, 15), 168, id="standard-no-change"),
])
def test_due_date_from_receipt_in_the_reviewers_zone(received_local, urgency, due_utc, hours):
    received = worklist.received_at(received_local, None, utc(2000, 1, 1), CHICAGO)
    due = worklist.due_at(received, urgency, CHICAGO)
    assert due == due_utc
    assert (due - received) == dt.timedelta(hours=hours)


def test_standard_due_keeps_the_local_clock_time_and_urgent_the_elapsed_hours():
    from chartsift.web.views import local_time

    received = worklist.received_at(dt.datetime(2026, 3, 5, 10, 0), None, utc(2000, 1, 1), CHICAGO)
    assert local_time(worklist.due_at(received, "standard", CHICAGO), CHICAGO) == "2026-03-12 10:00 CDT"
    assert local_time(worklist.due_at(received, "urgent", CHICAGO), CHICAGO) == "2026-03-08 11:00 CDT"  # 72 h, DST


@pytest.mark.parametrize(("received", "request_date", "expected"), [
    pytest.param(None, dt.date(2026, 3, 16), utc(2026, 3, 16, 5, 0), id="date-only-is-the-local-midnight-CDT"),
    pytest.param(None, dt.date(2026, 2, 16), utc(2026, 2, 16, 6, 0), id="date-only-is-the-local-midnight-CST"),
    pytest.param(dt.datetime(2026, 3, 16, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-7))), dt.date(2026, 1, 1),
                 utc(2026, 3, 16, 16, 30), id="an-offset-is-kept-and-wins-over-the-date"),
    pytest.param(None, None, utc(2026, 12, 7, 18, 4), id="nothing-given-is-the-upload-time"),
])
def test_receipt(received, request_date, expected):
    assert worklist.received_at(received, request_date, utc(2026, 12, 7, 18, 4), CHICAGO) == expected


def test_today_is_the_local_calendar_day_also_when_it_has_23_hours():
    start, end = worklist.today_bounds(utc(2026, 3, 8, 20, 0), CHICAGO)  # DST starts at 02:00 that Sunday
    assert (start, end) == (utc(2026, 3, 8, 6, 0), utc(2026, 3, 9, 5, 0)) and end - start == dt.timedelta(hours=23)


@pytest.mark.parametrize(("due", "final", "state"), [
    (utc(2026, 12, 7, 17, 0), None, "overdue"),
    (utc(2026, 12, 8, 5, 59), None, "today"),       # 23:59 CST, still today in Chicago
    (utc(2026, 12, 8, 6, 0), None, "later"),        # midnight: tomorrow
    (utc(2026, 12, 1, 0, 0), "approve", "decided"),
])
def test_due_state(due, final, state):
    case = Case(due_at=due, final_decision=final)
    assert worklist.due_state(case, utc(2026, 12, 7, 18, 0), CHICAGO) == state


# --- the web app ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def web(tmp_path):
    w = build_web(tmp_path / "data", timezone=CHICAGO)
    w.add_user()
    w.add_user("second")
    w.add_user("lead", role="admin")
    assert w.login().status_code == 303
    yield w
    w.app.state.engine.dispose()


def as_user(web, name: str):
    """A second client of the same app, logged in as `name`."""
    from fastapi.testclient import TestClient

    client = TestClient(web.app, raise_server_exceptions=False)
    token = csrf_of(client.get("/login").text)
    assert client.post("/login", data={"csrf_token": token, "username": name, "password": "correct horse battery"},
                       follow_redirects=False).status_code == 303
    return client


def post(client, url: str, path: str, **data):
    token = csrf_of(client.get(url).text)
    return client.post(url + path, data=dict(data, csrf_token=token), follow_redirects=False)


def listed(client, **params) -> list[str]:
    page = client.get("/cases", params=params)
    assert page.status_code == 200
    return re.findall(r'<tr data-case="([^"]+)"', page.text)


def pk_of(url: str) -> int:
    return int(url.rsplit("/", 1)[1])


def set_case(web, url: str, **values) -> None:
    with web.sessions() as s, s.begin():
        case = s.get(Case, pk_of(url))
        for key, value in values.items():
            setattr(case, key, value)


@pytest.fixture
def queue(web):
    """Four reviewed cases: due yesterday (assigned to nurse), later today, in three days (second), in ten days."""
    now = worklist.utcnow()
    _start, tomorrow = worklist.today_bounds(now, CHICAGO)
    urls = {}
    for golden, due in (("sij/SIJ-023.text.json", now - dt.timedelta(days=1)),
                        ("demo/DEMO-001.pdf.json", now + (tomorrow - now) / 2),
                        ("sij/SIJ-001.text.json", tomorrow + dt.timedelta(days=3)),
                        ("sij/SIJ-002.text.json", tomorrow + dt.timedelta(days=10))):
        url, result = add_reviewed_case(web, golden)
        web.client.get("/cases")  # the list fills the state of a case written by hand (as after migration 0003)
        set_case(web, url, due_at=due, received_at=due - dt.timedelta(days=7))
        urls[result.case_id] = url
    with web.sessions() as s, s.begin():
        users = {u.name: u.id for u in s.scalars(select(User))}
    set_case(web, urls["SIJ-023"], assignee_id=users["nurse"])
    set_case(web, urls["SIJ-001"], assignee_id=users["second"])
    return urls


def test_the_list_is_sorted_by_due_date_and_each_filter_keeps_its_cases(web, queue):
    c = web.client
    assert listed(c) == ["SIJ-023", "DEMO-001", "SIJ-001", "SIJ-002"]
    assert listed(c, sort="-due") == ["SIJ-002", "SIJ-001", "DEMO-001", "SIJ-023"]
    assert listed(c, due="overdue") == ["SIJ-023"]
    assert listed(c, due="today") == ["DEMO-001"]
    assert listed(c, due="later") == ["SIJ-001", "SIJ-002"]
    assert listed(c, assignee="me") == ["SIJ-023"]
    assert listed(c, assignee="second") == ["SIJ-001"]
    assert listed(c, assignee="none") == ["DEMO-001", "SIJ-002"]
    recs = {cid: json.loads((GOLDEN / g).read_text())["recommendation"]["status"] for cid, g in (
        ("SIJ-023", "sij/SIJ-023.text.json"), ("DEMO-001", "demo/DEMO-001.pdf.json"),
        ("SIJ-001", "sij/SIJ-001.text.json"), ("SIJ-002", "sij/SIJ-002.text.json"))}
    for rec in worklist.RECOMMENDATIONS:
        assert listed(c, recommendation=rec) == [cid for cid in queue if recs[cid] == rec]
    needs = {cid: bool(json.loads((GOLDEN / g).read_text())["needs_review"]) for cid, g in (
        ("SIJ-023", "sij/SIJ-023.text.json"), ("DEMO-001", "demo/DEMO-001.pdf.json"),
        ("SIJ-001", "sij/SIJ-001.text.json"), ("SIJ-002", "sij/SIJ-002.text.json"))}
    assert listed(c, needs_review="yes") == [cid for cid in queue if needs[cid]]
    assert listed(c, needs_review="no") == [cid for cid in queue if not needs[cid]]
    assert listed(c, due="nonsense", recommendation="nonsense") == listed(c)  # unknown values filter nothing
    assert 'class="due-badge overdue"' in re.search(r'<tr data-case="SIJ-023".*?</tr>', c.get("/cases").text,
                                                    re.DOTALL).group(0)


def test_an_override_and_a_final_decision_move_the_case_between_filters(web, queue):
    url = queue["DEMO-001"]  # meets criteria (golden); unassigned
    assert "DEMO-001" in listed(web.client, recommendation="meets_criteria")
    assert post(web.client, url, "/decisions", criterion="II.D", action="override", status="insufficient",
                note="exam illegible").status_code == 303
    assert "DEMO-001" in listed(web.client, recommendation="missing_documentation")  # the reviewed one
    assert "DEMO-001" not in listed(web.client, recommendation="meets_criteria")
    assert "DEMO-001" in listed(web.client, due="today") and "DEMO-001" in listed(web.client, decision="none")
    assert post(web.client, url, "/final", decision="pend_documentation", note="").status_code == 303
    assert listed(web.client, decision="pend_documentation") == ["DEMO-001"]
    assert listed(web.client, decision="decided") == ["DEMO-001"]
    assert "DEMO-001" not in listed(web.client, due="today")  # a decided case is due no more
    row = re.search(r'<tr data-case="DEMO-001".*?</tr>', web.client.get("/cases").text, re.DOTALL).group(0)
    assert 'data-due="decided"' in row and "<strong>pend documentation</strong> by nurse" in row


def test_progress_counts_confirmed_criteria_of_those_to_review(web, queue):
    url = queue["SIJ-023"]  # open pathway: I.B and I.D are alternatives I does not need (I.A met)
    with web.sessions() as s:
        total = s.get(Case, pk_of(url)).criteria_total
    assert total == 5  # I, I.A, I.C, III, codes (of 7)
    for criterion in ("I.A", "III"):
        assert post(web.client, url, "/decisions", criterion=criterion, action="confirm").status_code == 303
    assert post(web.client, url, "/decisions", criterion="I.B", action="confirm").status_code == 303  # not needed
    assert post(web.client, url, "/decisions", criterion="codes", action="override", status="not_met",
                note="code not on the list").status_code == 303
    row = re.search(r'<tr data-case="SIJ-023".*?</tr>', web.client.get("/cases").text, re.DOTALL).group(0)
    assert "2 of 5 criteria confirmed" in row and "1 overridden" in row
    assert "2 of 5 criteria confirmed, 1 overridden" in web.client.get(url).text


# --- assignment --------------------------------------------------------------------------------------------------------

def assign(client, url: str, assignee: str):
    return post(client, url, "/assign", assignee=assignee)


def assignee_of(web, url: str) -> str | None:
    with web.sessions() as s:
        case = s.get(Case, pk_of(url))
        return case.assignee.name if case.assignee else None


def test_who_may_assign_whom(web):
    url, _ = add_reviewed_case(web, "demo/DEMO-001.pdf.json")
    second, lead = as_user(web, "second"), as_user(web, "lead")
    steps = [  # (client, assignee, expected status, assignee after)
        (second, "nurse", 403, None),          # a reviewer does not push an unassigned case onto another
        (web.client, "me", 303, "nurse"),      # takes it
        (second, "me", 403, "nurse"),          # cannot take it from nurse
        (second, "", 403, "nurse"),            # nor release it
        (web.client, "nobody-such", 422, "nurse"),
        (web.client, "second", 303, "second"),  # the assignee hands it over
        (web.client, "me", 403, "second"),
        (second, "", 303, None),               # the assignee releases it
        (lead, "nurse", 303, "nurse"),         # an admin assigns anyone
        (lead, "second", 303, "second"),       # and reassigns
        (lead, "second", 303, "second"),       # (no change: not audited)
    ]
    for i, (client, who, status, after) in enumerate(steps):
        response = assign(client, url, who)
        assert response.status_code == status, (i, response.text)
        if status == 403:
            assert response.json()["error_code"] == "assignment_forbidden"
        assert assignee_of(web, url) == after, i
    with web.sessions() as s:
        rows = [(e.user_name, e.object.split("/", 1)[1]) for e in s.scalars(select(AuditEvent).where(
            AuditEvent.action == "assign").order_by(AuditEvent.seq))]
    assert rows == [("nurse", "assignee:nurse"), ("nurse", "assignee:second"), ("second", "assignee:-"),
                    ("lead", "assignee:nurse"), ("lead", "assignee:second")]
    second.close()
    lead.close()


def test_only_the_assignee_decides_an_assigned_case(web):
    url, _ = add_reviewed_case(web, "demo/DEMO-001.pdf.json")
    second = as_user(web, "second")
    assert post(second, url, "/decisions", criterion="II.D", action="confirm").status_code == 303  # unassigned
    assert assign(web.client, url, "me").status_code == 303
    refused = post(second, url, "/decisions", criterion="II.D", action="confirm")
    assert refused.status_code == 403 and refused.json()["error_code"] == "assigned_to_another"
    assert post(second, url, "/final", decision="approve").status_code == 403
    assert post(web.client, url, "/final", decision="approve").status_code == 303
    second.close()


def test_assign_to_me_from_the_list_returns_to_the_filtered_list(web, queue):
    page = web.client.get("/cases", params={"assignee": "none"}).text
    row = re.search(r'<tr data-case="DEMO-001".*?</tr>', page, re.DOTALL).group(0)
    action = re.search(r'<form method="post" action="([^"]+)" class="assign-me">', row).group(1)
    back = re.search(r'name="next" value="([^"]+)"', row).group(1)
    response = web.client.post(action, data={"csrf_token": csrf_of(page), "assignee": "me", "next": back},
                               follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/cases?assignee=none"
    assert assignee_of(web, queue["DEMO-001"]) == "nurse"
    evil = web.client.post(action, data={"csrf_token": csrf_of(page), "assignee": "me", "next": "//evil.example/"},
                           follow_redirects=False)
    assert evil.headers["location"] == f"/cases/{pk_of(queue['DEMO-001'])}"


# --- the new-case form: patient identifiers, urgency, receipt; duplicate ids ----------------------------------------------

def create(web, demo_pdf, accept: str = "application/json", **fields):
    data = dict(FORM, csrf_token=web.csrf(), **fields)
    with demo_pdf.open("rb") as fh:
        return web.client.post("/cases", data=data, files=[("documents", ("packet.pdf", fh, "application/pdf"))],
                               headers={"Accept": accept}, follow_redirects=False)


def test_patient_urgency_and_receipt_from_the_form_are_shown_and_never_audited_or_logged(web, demo_pdf, caplog):
    caplog.set_level(logging.DEBUG)
    response = create(web, demo_pdf, **PATIENT, urgency="urgent", received="2026-03-07T10:00")
    assert response.status_code == 303
    url = response.headers["location"]
    page = web.client.get(url).text
    head = re.search(r'id="patient-head">.*?</div>', page, re.DOTALL).group(0)
    assert "Quackenbush Zebulon" in head and "1957-03-14" in head and "MBR99887766" in head
    queue_head = re.search(r'id="queue-head">.*?</div>', page, re.DOTALL).group(0)
    assert "Due <strong>2026-03-10 11:00 CDT</strong>" in queue_head and "2026-03-07 10:00 CST" in queue_head
    assert "urgent: 72 hours" in queue_head
    row = re.search(r'<tr data-case="A-1042".*?</tr>', web.client.get("/cases").text, re.DOTALL).group(0)
    assert all(p in row for p in PHI) and "urgent (72 h)" in row
    assert assign(web.client, url, "me").status_code == 303
    assert web.client.get("/cases", params={"q": "A-1042"}).status_code == 200
    with web.sessions() as s:
        audit_rows = " ".join(f"{e.user_name} {e.action} {e.object}" for e in s.scalars(select(AuditEvent)))
    assert "case_create" in audit_rows and "assign" in audit_rows
    assert not [p for p in PHI if p in audit_rows]
    logged = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert not [p for p in PHI if p in logged]


@pytest.mark.parametrize(("field", "value"), [("patient_birth_date", "14/03/1957"), ("urgency", "stat"),
                                              ("received", "yesterday")])
def test_bad_queue_fields_are_422(web, demo_pdf, field, value):
    response = create(web, demo_pdf, **{field: value})
    assert response.status_code == 422 and response.json()["error_code"] == "invalid_request"
    assert value not in response.text


def test_a_duplicate_case_id_is_refused_409_before_its_upload_is_stored(web, demo_pdf):
    first = create(web, demo_pdf)
    assert first.status_code == 303
    stored = sorted(p.name for p in web.settings.upload_dir.iterdir())
    again = create(web, demo_pdf)
    assert again.status_code == 409
    body = again.json()
    assert body["error_code"] == "duplicate_case_id" and first.headers["location"] in body["message"]
    assert "A-1042" not in body["message"]
    browser = create(web, demo_pdf, accept="text/html,application/xhtml+xml", patient_name="Quinn Example")
    assert browser.status_code == 409 and browser.headers["content-type"].startswith("text/html")
    # the form again, the entries kept, the error beside the case id with the link to the existing case
    assert 'id="new-case"' in browser.text and 'value="Quinn Example"' in browser.text
    assert re.search(r'<span class="field-error" id="error-case_id" role="alert" data-error-code="duplicate_case_id">'
                     rf'[^<]*<a href="{first.headers["location"]}" id="existing-case">', browser.text)
    assert re.search(r'name="case_id"[^>]* value="A-1042" aria-invalid="true"', browser.text)
    assert sorted(p.name for p in web.settings.upload_dir.iterdir()) == stored  # nothing of the refused upload
    with web.sessions() as s:
        assert s.scalar(select(text("count(*)")).select_from(Case)) == 1
        assert [e.action for e in s.scalars(select(AuditEvent))].count("case_create") == 1


def test_the_database_refuses_a_duplicate_case_id_too(web):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), web.sessions() as s, s.begin():
        s.add_all([Case(case_id="X-1", created_by=1), Case(case_id="X-1", created_by=1)])


def test_a_duplicate_created_at_the_same_moment_is_refused_409(web, demo_pdf, monkeypatch):
    """The check before the upload passed for both requests; the unique index refuses the second."""
    assert create(web, demo_pdf).status_code == 303
    monkeypatch.setattr("chartsift.web.routes_cases._existing",
                        lambda session, case_id, calls=[]: calls.append(1) or (None if len(calls) == 1 else 1))
    again = create(web, demo_pdf)
    assert again.status_code == 409 and again.json()["error_code"] == "duplicate_case_id"
    assert len(list(web.settings.upload_dir.iterdir())) == 1  # the second upload was removed


def test_migration_0003_keeps_every_row_of_legacy_duplicates(tmp_path):
    """0002 -> 0003 on a database holding two cases under one id, each with a document, a job and a decision: all
    rows stay (no table copy cascading), the later case gets the id `A~2`, and the worklist fills in on first view."""
    from alembic import command
    from alembic.config import Config

    from chartsift.web.db import MIGRATIONS, make_engine

    from .conftest import make_settings

    settings = make_settings(tmp_path)
    engine = make_engine(settings.database_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        conn.execute(text("INSERT INTO users (name, role, password_hash, active, created_at) "  # (the id sequence
                          "VALUES ('nurse', 'reviewer', 'x', true, CURRENT_TIMESTAMP)"))  # serves add_user below)
        uid = conn.execute(text("SELECT id FROM users")).scalar()
        for pk in (1, 2):
            conn.execute(text("INSERT INTO cases (id, case_id, icd10, status, revision, created_by, created_at, "
                              f"updated_at) VALUES ({pk}, 'A', '[]', 'done', 1, {uid}, CURRENT_TIMESTAMP, "
                              "CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO documents (id, case_pk, display_name, storage_name, media_type, size, "
                              f"sha256, uploaded_by, uploaded_at) VALUES ({pk}, {pk}, 'a.txt', 's{pk}.txt', 'text', "
                              f"0, 'h', {uid}, CURRENT_TIMESTAMP)"))
            conn.execute(text(f"INSERT INTO jobs (id, case_pk, status, created_at) VALUES ({pk}, {pk}, 'done', "
                              "CURRENT_TIMESTAMP)"))
            conn.execute(text("INSERT INTO decisions (id, case_pk, revision, criterion, action, note, user_id, "
                              f"created_at) VALUES ({pk}, {pk}, 1, 'II', 'confirm', '', {uid}, CURRENT_TIMESTAMP)"))
        conn.commit()
        command.upgrade(cfg, "head")
        conn.commit()
        assert conn.execute(text("SELECT id, case_id FROM cases ORDER BY id")).all() == [(1, "A"), (2, "A~2")]
        for table in ("documents", "jobs", "decisions"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() == 2, table
    engine.dispose()
    web = _app_on(settings, timezone=CHICAGO)  # same database, now migrated: the list backfills the due dates
    web.add_user("lead", role="admin")
    assert web.login("lead").status_code == 303
    assert sorted(listed(web.client)) == ["A", "A~2"]
    with web.sessions() as s:
        assert all(c.due_at is not None and c.received_at is not None for c in s.scalars(select(Case)))
    web.app.state.engine.dispose()


def _app_on(settings, **overrides):
    """The web app on `settings`' database as it is (build_web would empty a PostgreSQL test database)."""
    import dataclasses

    from fastapi.testclient import TestClient

    from chartsift.web.app import create_app

    from .conftest import Web

    app = create_app(dataclasses.replace(settings, **overrides))
    return Web(app, app.state.settings, TestClient(app, raise_server_exceptions=False))


# --- import of a screen output folder ------------------------------------------------------------------------------------

def screen_out(tmp_path: Path, goldens: list[str], errors: list[tuple[str, str]] = ()) -> Path:
    """A `chartsift screen` output folder holding the golden reviews (and error rows), written by screen's own
    output writer from ledger rows."""
    from chartsift.screen.ledger import Row
    from chartsift.screen.outputs import write_outputs

    out = tmp_path / "out"
    out.mkdir()
    rows = []
    for golden in goldens:
        review = json.dumps(json.loads((GOLDEN / golden).read_text(encoding="utf-8")), separators=(",", ":"))
        rows.append(Row(json.loads(review)["case_id"], "f", "done", None, None, review, 1, 1.0, None, None))
    rows += [Row(case_id, "f", "error", code, "message", None, 0, None, None, None) for case_id, code in errors]
    write_outputs(out, rows)
    return out


def test_import_of_a_screen_output_folder(web, tmp_path, caplog):
    from chartsift.web.queue_import import import_screen

    caplog.set_level(logging.DEBUG)
    out = screen_out(tmp_path, ["sij/SIJ-023.text.json", "sij/SIJ-001.text.json"],
                     errors=[("BROKEN-1", "timeout"), ("SIJ-023", "duplicate_case_id")])
    cases = tmp_path / "input"
    shutil.copytree(CORPORA / "sij" / "SIJ-023", cases / "SIJ-023", ignore=shutil.ignore_patterns("gold.json", "*.md"))
    meta = json.loads((cases / "SIJ-023" / "case.json").read_text())
    meta.update(patient={"name": "Quackenbush Zebulon", "birth_date": "1957-03-14", "member_id": "MBR99887766"},
                urgency="urgent", received="2026-03-07T10:00:00")
    (cases / "SIJ-023" / "case.json").write_text(json.dumps(meta))
    shutil.copytree(CORPORA / "sij" / "SIJ-001", cases / "SIJ-001", ignore=shutil.ignore_patterns("gold.json", "*.md"))
    changed = min((cases / "SIJ-001").glob("*.txt"))
    changed.write_text(changed.read_text() + "\nlate addendum\n")

    report = import_screen(web.settings, web.sessions, out, user="nurse", cases=cases, assign="second")
    assert (report.rows, report.reviewed, report.failed) == (4, 2, 1)
    assert report.skipped == [("SIJ-023", "duplicate_case_id")]  # the screen run's own duplicate row
    sij001_docs = len(json.loads((GOLDEN / "sij/SIJ-001.text.json").read_text())["documents"])
    assert report.documents == 2 + sij001_docs - 1 and report.documents_left_out == 1

    with web.sessions() as s:
        by_id = {c.case_id: c for c in s.scalars(select(Case))}
        imported = by_id["SIJ-023"]
        golden = json.loads((GOLDEN / "sij/SIJ-023.text.json").read_text())
        assert json.loads(imported.result_json) == golden  # the stored review, confidences and needs_review kept
        assert (imported.status, imported.revision, imported.source) == ("done", 1, "screen")
        assert imported.needs_review == len(golden["needs_review"])
        assert imported.confidence == golden["recommendation"]["confidence"]
        assert imported.patient_name == "Quackenbush Zebulon" and imported.member_id == "MBR99887766"
        assert imported.urgency == "urgent" and imported.assignee.name == "second"
        assert worklist.caseview.as_utc(imported.due_at) == utc(2026, 3, 10, 16, 0)  # 72 h from 10:00 CST
        assert sorted(d.display_name for d in imported.documents) == sorted(d["name"] for d in golden["documents"])
        broken = by_id["BROKEN-1"]
        assert (broken.status, broken.error_code, broken.result_json) == ("failed", "timeout", None)
        assert s.scalar(select(text("count(*)")).select_from(Document)) == report.documents
        audit_rows = " ".join(f"{e.user_name} {e.action} {e.object}" for e in s.scalars(select(AuditEvent)))
    assert audit_rows.count("case_import") == 3 and "cli:nurse" in audit_rows
    assert not [p for p in PHI if p in audit_rows] and "ortho_trauma" not in audit_rows
    logged = " ".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert not [p for p in PHI if p in logged]

    page = web.client.get(f"/cases/{imported.id}").text  # the viewer has the stored document's page
    assert "Quackenbush Zebulon" in page and "imported from a screen run" in page
    assert re.search(r'class="quote" data-case="\d+" data-doc="\d+"', page)
    assert web.client.get(f"/cases/{imported.id}/export.html").status_code == 200

    again = import_screen(web.settings, web.sessions, out, user="nurse")
    assert again.imported == 0 and [c for c, _ in again.skipped] == ["SIJ-023", "SIJ-001", "BROKEN-1", "SIJ-023"]


def test_import_refuses_a_folder_that_is_not_a_screen_output(web, tmp_path):
    from chartsift.web.queue_import import QueueImportError, import_screen

    with pytest.raises(QueueImportError, match="not a `chartsift screen` output folder"):
        import_screen(web.settings, web.sessions, tmp_path, user="nurse")
    out = screen_out(tmp_path, ["sij/SIJ-023.text.json"])
    with pytest.raises(QueueImportError, match="no active user"):
        import_screen(web.settings, web.sessions, out, user="nobody")


def test_queue_import_command(web, tmp_path, capsys):
    from chartsift.cli import main

    out = screen_out(tmp_path, ["sij/SIJ-023.text.json", "sij/SIJ-001.text.json"])
    web.app.state.engine.dispose()
    args = ["queue", "import", str(out), "--user", "nurse", "--data-dir", str(web.settings.data_dir),
            "--timezone", CHICAGO, *(["--db", web.settings.db_url] if web.settings.db_url else [])]
    assert main(args) == 0
    assert "queued 2 of 2 screened cases (2 with their review, 0 failed; 0 skipped)" in capsys.readouterr().out
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "queued 0 of 2" in captured.out and "skipped [duplicate_case_id] SIJ-023" in captured.err
    with pytest.raises(SystemExit, match="unknown time zone 'Mars/Olympus'"):
        main([a if a != CHICAGO else "Mars/Olympus" for a in args])


def test_the_pdf_for_the_case_file_names_the_patient_the_assignee_and_the_due_date(web):
    import io

    import pdfplumber

    url, _ = add_reviewed_case(web, "demo/DEMO-001.pdf.json")
    set_case(web, url, patient_name="Quackenbush Zebulon", patient_birth_date=dt.date(1957, 3, 14),
             member_id="MBR99887766", urgency="urgent", received_at=utc(2026, 3, 7, 16, 0),
             due_at=utc(2026, 3, 10, 16, 0))
    assert assign(web.client, url, "me").status_code == 303
    response = web.client.get(url + "/export.pdf")
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        first = " ".join(pdf.pages[0].extract_text().split())
    assert "Assigned to: nurse" in first and "Patient: Quackenbush Zebulon / 1957-03-14 / MBR99887766" in first
    assert "Received: 2026-03-07 10:00 CST (urgent); decision due 2026-03-10 11:00 CDT" in first
