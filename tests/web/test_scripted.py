"""A scripted reviewer session: one audit row per audited action, case list search, demo seeding, page limit."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from chartsift.web.models import AuditEvent, Case

from .conftest import FORM, csrf_of

NOTE = (b"Office note 2026-03-02. Left buttock pain over the posterior SI joint for 9 months, non-radiating.\n"
        b"Thigh thrust positive on the left. Compression positive. FABER positive.\n")


def _actions(web) -> list[tuple[str, str | None]]:
    with web.sessions() as s:
        return [(a.action, a.user_name) for a in s.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def test_scripted_session_leaves_one_audit_row_per_action(web, demo_pdf):
    web.add_user()
    assert web.login().status_code == 303
    response = web.client.post("/cases", data=dict(FORM, csrf_token=web.csrf()),
                               files=[("documents", ("packet.pdf", demo_pdf.read_bytes()))], follow_redirects=False)
    url = response.headers["location"]
    web.run_jobs()
    page = web.client.get(url).text
    doc, page_no, bbox = re.search(r'data-doc="(\d+)" data-page="(\d+)" data-bbox="([^"]+)"', page).groups()
    web.client.get(f"{url}/documents/{doc}/pages/{page_no}", params={"bbox": bbox})
    web.client.post(url + "/decisions", data={"csrf_token": csrf_of(page), "criterion": "III", "action": "confirm"},
                    follow_redirects=False)
    web.client.get(url + "/export.json")
    web.client.post("/logout", data={"csrf_token": csrf_of(page)})
    got = [a for a, _ in _actions(web)]
    assert got == ["login", "case_create", "upload", "view_case", "view_page", "decision", "export",
                   "logout"]
    assert {u for _, u in _actions(web)} == {"nurse"}


def test_a_failed_login_is_audited_without_a_user(web):
    web.add_user()
    web.login("nurse", "not the password")
    assert _actions(web) == [("login_failed", None)]


@pytest.mark.parametrize("query,expected", [
    pytest.param("", ["A-1", "B-2"], id="all-soonest-due-first"),  # the worklist's order: received first, due first
    pytest.param("a-", ["A-1"], id="case-insensitive"),
    pytest.param("%", [], id="like-wildcard-is-literal"),
    pytest.param("Z", [], id="none"),
])
def test_case_list_search(logged_in, query, expected):
    for case_id in ("A-1", "B-2"):
        logged_in.client.post("/cases", data=dict(FORM, case_id=case_id, csrf_token=logged_in.csrf()),
                              files=[("documents", ("n.txt", NOTE))])
    page = logged_in.client.get("/cases", params={"q": query}).text
    assert re.findall(r'<a href="/cases/\d+">([^<]+)</a>', page) == expected


def test_too_many_pages_is_a_coded_document_error(web_factory, demo_pdf):
    web = web_factory(max_pages=2)
    web.add_user()
    web.login()
    response = web.client.post("/cases", data=dict(FORM, csrf_token=web.csrf()),
                               files=[("documents", ("packet.pdf", demo_pdf.read_bytes())),
                                      ("documents", ("note.txt", NOTE))], follow_redirects=False)
    web.run_jobs()
    data = web.client.get(response.headers["location"] + "/export.json").json()
    assert [(e["document"], e["code"]) for e in data["errors"]] == [("packet.pdf", "too_many_pages")]
    assert any(f["evidence"][0]["document"] == "note.txt" for f in data["facts"])


def test_demo_seed_is_idempotent_and_reviewable(web, demo_cli):
    from chartsift.web.demo import seed

    user, _password, case_pk = seed(web.settings, web.sessions, password="demo password 1")
    again = seed(web.settings, web.sessions, password="demo password 2")
    assert again[2] == case_pk and user == "demo"
    assert web.login("demo", "demo password 1").status_code == 401
    assert web.login("demo", "demo password 2").status_code == 303
    assert web.run_jobs() == 1
    with web.sessions() as s:
        case = s.get(Case, case_pk)
        assert (case.case_id, case.status, case.recommendation) == ("DEMO-001", "done", demo_cli["recommendation"]["status"])
