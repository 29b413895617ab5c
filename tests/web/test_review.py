"""A reviewed case: the case page, page images with the evidence box, decisions, exports, audit."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from chartsift.web.models import AuditEvent, Decision

from .conftest import FORM, build_web, csrf_of


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, demo_pdf):
    """The demo packet uploaded (with a broken second document) and reviewed by the worker, logged in."""
    from argon2 import PasswordHasher

    from chartsift.web import auth

    auth.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    web = build_web(tmp_path_factory.mktemp("reviewed"))
    web.add_user()
    web.add_user("admin1", "admin")
    assert web.login().status_code == 303
    files = [("documents", ("packet.pdf", demo_pdf.read_bytes())),
             ("documents", ("fake.pdf", b"Just text that claims to be a PDF.\n"))]
    response = web.client.post("/cases", data=dict(FORM, case_id="DEMO-001", request_date="2026-02-16",
                                                   csrf_token=web.csrf()), files=files, follow_redirects=False)
    assert response.status_code == 303
    web.case_url = response.headers["location"]
    assert web.client.get(web.case_url + "/status").json()["status"] == "queued"
    assert web.run_jobs() == 1
    yield web
    web.app.state.engine.dispose()


def _page(web) -> str:
    return web.client.get(web.case_url).text


def _post(web, path, **data):
    return web.client.post(web.case_url + path, data=dict(data, csrf_token=csrf_of(_page(web))),
                           follow_redirects=False)


def test_status_is_done_with_its_recommendation(reviewed, demo_cli):
    status = reviewed.client.get(reviewed.case_url + "/status").json()
    assert status == {"status": "done", "revision": 1, "recommendation": demo_cli["recommendation"]["status"],
                      "error_code": None}


def test_result_matches_the_cli_review(reviewed, demo_cli):
    cli = demo_cli
    web = reviewed.client.get(reviewed.case_url + "/export.json").json()
    web.pop("review")
    web["documents"] = [d for d in web["documents"] if d["name"] != "fake.pdf"]
    web["errors"] = []
    assert web == cli


def test_case_page_lists_every_criterion_with_badge_and_quotes(reviewed, demo_cli):
    page = _page(reviewed)
    for d in demo_cli["determinations"]:
        row = re.search(rf'id="c-{re.escape(d["criterion"])}".*?</details>', page, re.DOTALL).group(0)
        assert f'class="badge {d["status"]}"' in row
        for missing in d["missing"]:
            assert html.escape(missing, quote=False) in row
    assert f"Recommendation: {demo_cli['recommendation']['status'].replace('_', ' ')}" in page
    assert re.search(r'class="quote" data-case="\d+" data-doc="\d+" data-page="\d+" data-bbox="[\d.,]+"', page)
    assert 'id="tab-facts"' in page and "pain_pattern" in page


def test_a_failing_document_shows_its_coded_error(reviewed):
    page = _page(reviewed)
    assert "not_a_pdf" in page
    data = reviewed.client.get(reviewed.case_url + "/export.json").json()
    assert [e["code"] for e in data["errors"]] == ["not_a_pdf"] and data["facts"]


def _first_quote(page: str):
    return re.search(r'data-doc="(\d+)" data-page="(\d+)" data-bbox="([^"]+)"', page).groups()


def test_page_view_outlines_the_bbox_scaled_to_pixels(reviewed):
    doc, page_no, bbox = _first_quote(_page(reviewed))
    fragment = reviewed.client.get(f"{reviewed.case_url}/documents/{doc}/pages/{page_no}", params={"bbox": bbox})
    assert fragment.status_code == 200
    box = dict(re.findall(r"(left|top|width|height):([\d.]+)px", fragment.text.split('id="evbox"')[1]))
    x0, top, x1, bottom = map(float, bbox.split(","))
    scale = reviewed.settings.page_scale
    assert float(box["left"]) == pytest.approx(x0 * scale - 2, abs=0.2)
    assert float(box["top"]) == pytest.approx(top * scale - 2, abs=0.2)
    assert float(box["width"]) == pytest.approx((x1 - x0) * scale + 4, abs=0.2)
    assert float(box["height"]) == pytest.approx((bottom - top) * scale + 4, abs=0.2)


def test_page_image_is_rendered_once_and_cached(reviewed):
    doc, page_no, _ = _first_quote(_page(reviewed))
    url = f"{reviewed.case_url}/documents/{doc}/pages/{page_no}/image"
    first = reviewed.client.get(url)
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    cached = sorted(reviewed.settings.cache_dir.glob("*.png"))
    mtimes = [p.stat().st_mtime_ns for p in cached]
    assert reviewed.client.get(url).content == first.content
    assert [p.stat().st_mtime_ns for p in cached] == mtimes


@pytest.mark.parametrize("path", [
    pytest.param("/documents/999/pages/1", id="unknown-document"),
    pytest.param("/documents/{doc}/pages/99", id="page-out-of-range"),
    pytest.param("/documents/{doc}/pages/1?bbox=1,2,3", id="bad-bbox"),
])
def test_page_errors_are_coded(reviewed, path):
    doc, _, _ = _first_quote(_page(reviewed))
    response = reviewed.client.get(reviewed.case_url + path.format(doc=doc))
    assert response.status_code in (404, 422)
    assert set(response.json()) == {"error_code", "message", "request_id"}


def test_override_needs_a_note(reviewed):
    response = _post(reviewed, "/decisions", criterion="II.G", action="override", status="not_met", note="")
    assert response.status_code == 422 and response.json()["error_code"] == "note_required"


def test_override_and_confirm_are_stored_with_who_and_when(reviewed):
    assert _post(reviewed, "/decisions", criterion="II.G", action="override", status="not_met",
                 note="Second injection relief only 40%").status_code == 303
    assert _post(reviewed, "/decisions", criterion="III", action="confirm").status_code == 303
    with reviewed.sessions() as s:
        rows = s.scalars(select(Decision).order_by(Decision.id)).all()
        got = [(d.criterion, d.action, d.status, d.note, d.user.name, d.revision) for d in rows]
    assert ("II.G", "override", "not_met", "Second injection relief only 40%", "nurse", 1) in got
    assert ("III", "confirm", None, "", "nurse", 1) in got
    assert all(d.created_at is not None for d in rows)
    row = re.search(r'id="c-II.G".*?</summary>', _page(reviewed), re.DOTALL).group(0)
    assert "override: not met by nurse" in row
    assert "Reviewer note (nurse," in _page(reviewed) and "Second injection relief only 40%" in _page(reviewed)


@pytest.mark.parametrize("decision", ["deny", "denied", "", "approve_and_deny"])
def test_final_decision_never_deny(reviewed, decision):
    response = _post(reviewed, "/final", decision=decision)
    assert response.status_code == 422 and response.json()["error_code"] == "decision_not_allowed"


def test_final_decision_and_unknown_criterion(reviewed):
    assert _post(reviewed, "/final", decision="pend_documentation", note="need II.H").status_code == 303
    assert "Recorded: <strong>pend documentation</strong>" in _page(reviewed)
    assert _post(reviewed, "/decisions", criterion="IX.Z", action="confirm").status_code == 422


def test_export_json_carries_the_reviewer_decisions(reviewed):
    _post(reviewed, "/decisions", criterion="II.F", action="confirm")
    response = reviewed.client.get(reviewed.case_url + "/export.json")
    assert "attachment" in response.headers["content-disposition"]
    review = response.json()["review"]
    assert review["revision"] == 1
    assert {"criterion": "II.F", "action": "confirm"}.items() <= review["decisions"][-1].items()
    assert review["decisions"][-1]["user"] == "nurse"


def test_export_html_is_self_contained_with_decisions(reviewed):
    _post(reviewed, "/decisions", criterion="II.E", action="override", status="insufficient", note="scan unreadable")
    html = reviewed.client.get(reviewed.case_url + "/export.html").text
    assert "Reviewer decisions" in html and "scan unreadable" in html and "II.G" in html
    assert not re.search(r'(src|href)="(https?:)?//', html) and "<script src" not in html


def test_export_fhir_tags_overrides_with_their_reviewer(reviewed):
    from chartsift.fhir import bundle_to_review, checked_questionnaire
    from chartsift.fhir.check import check_bundle
    from evaluator import load_policy

    assert _post(reviewed, "/decisions", criterion="II.B", action="override", status="insufficient",
                 note="pain pattern unclear").status_code == 303
    assert 'id="export-fhir"' in _page(reviewed)
    response = reviewed.client.get(reviewed.case_url + "/export.fhir.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/fhir+json")
    assert "attachment" in response.headers["content-disposition"]
    bundle = response.json()
    check_bundle(bundle, checked_questionnaire(load_policy("CP.MP.126")))
    back = bundle_to_review(bundle)
    assert ("II.B", "insufficient", "nurse", "pain pattern unclear") in {
        (o.criterion, o.status, o.reviewer, o.note) for o in back.overrides}
    names = [e["resource"]["name"][0]["text"] for e in bundle["entry"]
             if e["resource"]["resourceType"] == "Practitioner"]
    assert names == ["nurse"]
    docs = {e["resource"]["description"]: e["resource"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "DocumentReference"}
    assert docs["packet.pdf"]["content"][0]["attachment"]["contentType"] == "application/pdf"


def test_export_pdf_leads_with_the_final_decision_and_holds_crops_overrides_and_audit(reviewed):
    import io

    import pdfplumber

    assert _post(reviewed, "/decisions", criterion="II.C", action="override", status="insufficient",
                 note="tenderness side unclear").status_code == 303
    assert _post(reviewed, "/final", decision="pend_documentation", note="need II.H").status_code == 303
    assert 'id="export-pdf"' in _page(reviewed)
    response = reviewed.client.get(reviewed.case_url + "/export.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"] and ".pdf" in response.headers["content-disposition"]
    result = reviewed.client.get(reviewed.case_url + "/export.json").json()
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        first = " ".join(pdf.pages[0].extract_text().split())
        text = " ".join(" ".join(p.extract_text() or "" for p in pdf.pages).split())
        images = sum(len(p.images) for p in pdf.pages)
    assert "Final decision: pend documentation by nurse" in first and "Reviewer(s): nurse" in first
    assert f"chartsift recommendation: {result['recommendation']['status']}" in first
    assert first.index("Final decision") < first.index("chartsift recommendation")
    assert all(d["criterion"] in text for d in result["determinations"])
    assert "Reviewer overrides" in text and "II.C: met -> insufficient" in text and "tenderness side unclear" in text
    assert "Audit entries of the case" in text and "view_case" in text and "decision" in text
    assert images >= 1  # the crops of packet.pdf's cited regions (fake.pdf was never read)


def test_adding_a_document_reviews_again(reviewed):
    note = b"Office note 2026-02-10. Left SI joint injection 2026-01-20 with steroid: 30% relief, failed.\n"
    response = reviewed.client.post(reviewed.case_url + "/documents", data={"csrf_token": csrf_of(_page(reviewed))},
                                    files=[("documents", ("packet.pdf", note))], follow_redirects=False)
    assert response.status_code == 303
    assert reviewed.run_jobs() == 1
    status = reviewed.client.get(reviewed.case_url + "/status").json()
    assert status["revision"] == 2 and status["status"] == "done"
    names = [d["name"] for d in reviewed.client.get(reviewed.case_url + "/export.json").json()["documents"]]
    assert names == ["packet.pdf", "fake.pdf", "packet (2).pdf"]
    assert reviewed.client.get(reviewed.case_url + "/export.json").json()["review"]["decisions"] == []


def test_every_audited_action_left_one_row(reviewed):
    from chartsift.web.audit import verify

    with reviewed.sessions() as s:
        actions = [a for a in s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))]
        assert verify(s).ok
    for action in ("login", "case_create", "upload", "view_case", "view_page", "decision", "export"):
        assert action in actions, action
    assert actions.count("upload") == 3


def test_case_page_shows_the_tree_and_marks_the_criteria_that_need_review(reviewed):
    from evaluator import criteria_tree, policy_of
    from models import PolicyRef

    data = reviewed.client.get(reviewed.case_url + "/export.json").json()
    page = _page(reviewed)
    need = data["needs_review"]
    assert f"{len(need)} of {len(data['determinations'])} criteria need review" in page
    order = re.findall(r'<details class="criterion[^"]*" id="c-([^"]+)"', page)
    ids = {d["criterion"] for d in data["determinations"]}
    tree = criteria_tree(policy_of(PolicyRef.model_validate(data["policy"])))
    assert order == [r.criterion for r in tree if r.criterion in ids]  # parents first, not the review's order
    for row in tree:
        if row.criterion in ids:
            assert re.search(rf'class="criterion depth-{row.depth}[^"]*" id="c-{re.escape(row.criterion)}"', page)
    for criterion in ids:
        row = re.search(rf'id="c-{re.escape(criterion)}".*?</details>', page, re.DOTALL).group(0)
        assert ('class="confidence low"' in row) == (criterion in need)
        assert ('class="review-mark"' in row) == (criterion in need)
