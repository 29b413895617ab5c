"""Reviewer decisions are the case's state: an override re-evaluates the parents and the recommendation
(chartsift's kept beside it), the list, the header and the exports lead with the final decision and who made it,
times are local to the minute; the criteria are a tree, the alternatives a met "any of" does not need greyed.

The cases are golden reviews put in the database as the worker would (no review run: fast, and the statuses
are known)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from models import ReviewResult

from .conftest import build_web, csrf_of

GOLDEN = Path(__file__).parents[1] / "golden"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def add_reviewed_case(web, golden: str) -> tuple[str, ReviewResult]:
    """A done case holding the golden review `golden`, as the worker leaves one; its page's URL."""
    from chartsift.render_html import render_html
    from chartsift.web.models import Case, User

    result = ReviewResult.model_validate_json((GOLDEN / golden).read_text(encoding="utf-8"))
    with web.sessions() as s, s.begin():
        user = s.scalar(select(User).where(User.name == "nurse"))
        case = Case(case_id=result.case_id, cpt=result.request.cpt, side=result.request.side,
                    request_date=result.request.date, icd10=result.request.icd10, status="done",
                    recommendation=result.recommendation.status, result_json=result.model_dump_json(), revision=1,
                    created_by=user.id)
        s.add(case)
        s.flush()
        pk = case.id
    (web.settings.result_dir / f"{pk}-r1.html").write_text(render_html(result, []), encoding="utf-8")
    return f"/cases/{pk}", result


@pytest.fixture
def web(tmp_path):
    w = build_web(tmp_path / "data", timezone="America/Chicago")
    w.add_user()
    assert w.login().status_code == 303
    yield w
    w.app.state.engine.dispose()


def post(web, url, path, **data):
    token = csrf_of(web.client.get(url).text)
    response = web.client.post(url + path, data=dict(data, csrf_token=token), follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def row(page: str, criterion: str) -> str:
    return re.search(rf'<details [^>]*id="c-{re.escape(criterion)}".*?</details>', page, re.DOTALL).group(0)


def test_alternatives_of_a_met_any_of_are_greyed_not_needed_without_missing_lines(web):
    url, _ = add_reviewed_case(web, "sij/SIJ-023.text.json")  # I: I.A met, I.B not met, I.C met, I.D insufficient
    page = web.client.get(url).text
    for spare in ("I.B", "I.D"):
        r = row(page, spare)
        assert "not-needed" in r.split(">")[0] and 'class="badge notneeded"' in r
        assert "Missing documentation" not in r and 'class="badge not_met"' not in r
        assert 'class="badge insufficient"' not in r
    assert 'class="badge met"' in row(page, "I.A") and "not-needed" not in row(page, "I.A").split(">")[0]
    order = re.findall(r'<details class="criterion[^"]*" id="c-([^"]+)"', page)
    assert order == ["I", "I.A", "I.B", "I.C", "I.D", "III", "codes"]
    assert 'class="criterion depth-0' in row(page, "I") and 'class="criterion depth-1' in row(page, "I.B")
    # the criteria the golden review routes (model v3: I.C and I) are counted and marked, the others not
    routed = json.loads((GOLDEN / "sij" / "SIJ-023.text.json").read_text())["needs_review"]
    assert routed and f"{len(routed)} of 7 criteria need review" in page
    for criterion in ("I", "I.A", "I.B", "I.C", "I.D", "III", "codes"):
        assert ('class="review-mark"' in row(page, criterion)) == (criterion in routed), criterion


def test_an_override_reevaluates_the_parent_and_the_recommendation_beside_chartsifts(web):
    url, _ = add_reviewed_case(web, "sij/SIJ-023.text.json")
    post(web, url, "/decisions", criterion="I.A", action="override", status="not_met", note="fusion was cervical")
    page = web.client.get(url).text
    assert "Recommendation: meets criteria" in page  # I.C still meets the "any of"
    assert "not-needed" in row(page, "I.A").split(">")[0] and "override · chartsift: <s>met</s>" in row(page, "I.A")
    post(web, url, "/decisions", criterion="I.C", action="override", status="not_met", note="no imaging report")
    page = web.client.get(url).text
    parent = row(page, "I")
    assert 'class="badge insufficient"' in parent and "re-evaluated · chartsift: <s>met</s>" in parent
    assert "Re-evaluated from its parts" in parent
    assert "Recommendation: missing documentation" in page
    assert re.search(r'id="chartsift-recommendation">chartsift recommended: <strong>meets criteria', page)
    for alt in ("I.B", "I.D"):  # the "any of" is no longer met: its alternatives count again
        assert "not-needed" not in row(page, alt).split(">")[0]
    assert "Missing documentation:" in row(page, "I.D")
    head = re.search(r'id="decision-head">.*?</div>', page, re.DOTALL).group(0)
    assert "not yet recorded" in head and "missing documentation" in head and "chartsift: meets criteria" in head


def test_list_header_and_exports_lead_with_the_final_decision_and_who_made_it(web):
    url, result = add_reviewed_case(web, "demo/DEMO-001.pdf.json")
    post(web, url, "/decisions", criterion="II.D", action="override", status="insufficient", note="exam illegible")
    post(web, url, "/final", decision="pend_documentation", note="ask for the exam note")
    page = web.client.get(url).text
    head = re.search(r'id="decision-head">.*?</div>', page, re.DOTALL).group(0)
    assert re.search(r"Final decision: <strong>pend documentation</strong> by nurse, 20\d\d-\d\d-\d\d \d\d:\d\d C[SD]T",
                     head)
    assert 'class="badge insufficient"' in row(page, "II") and "Recommendation: missing documentation" in page
    assert not ISO.search(page)

    listing = web.client.get("/cases").text
    line = re.search(r'<tr data-case="DEMO-001"[^>]*>.*?</tr>', listing, re.DOTALL).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", line, re.DOTALL)  # due date, case, final decision, recommendation
    assert "<strong>pend documentation</strong> by nurse" in cells[2]  # right after the case id
    assert "missing documentation" in cells[3] and "chartsift: meets criteria" in cells[3]
    assert not ISO.search(listing)

    exported = web.client.get(url + "/export.json").json()
    assert next(iter(exported)) == "review"
    review = exported.pop("review")
    assert review["final_decision"]["status"] == "pend_documentation" and review["final_decision"]["user"] == "nurse"
    assert review["recommendation"]["status"] == "missing_documentation"
    assert review["chartsift_recommendation"] == "meets_criteria"
    assert {(c["criterion"], c["status"], c["chartsift_status"], c["by"]) for c in review["changed"]} == {
        ("II.D", "insufficient", "met", "override"), ("II", "insufficient", "met", "re-evaluated")}
    assert exported == json.loads(result.model_dump_json())  # chartsift's review itself is untouched

    html = web.client.get(url + "/export.html").text
    lead = html.index("Final decision: pend documentation")
    assert lead < html.index("Recommendation with the reviewer") < html.index(result.recommendation.summary)
    assert re.search(r"Decided by <strong>nurse</strong>, 20\d\d-\d\d-\d\d \d\d:\d\d C[SD]T", html)
    assert not ISO.search(html[:html.index("Below: chartsift")])


def test_local_time_is_to_the_minute_in_the_configured_zone():
    import datetime as dt

    from chartsift.web.views import local_time

    stored = dt.datetime(2026, 12, 7, 16, 12, 21, 930442)  # naive from SQLite: UTC
    assert local_time(stored, "America/Chicago") == "2026-12-07 10:12 CST"
    assert local_time(stored.replace(tzinfo=dt.UTC), "Europe/Berlin") == "2026-12-07 17:12 CET"
    assert local_time(None) == ""
