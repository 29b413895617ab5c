"""A reviewer's day in headless Debian chromium (issue 17 part 10), on the served app: a screen run is imported into
the queue; the reviewer logs in, takes the demo case from the worklist (assign to me), confirms criteria, overrides
one with a note (the recommendation shown changes, chartsift's beside it), exports the PDF (a PDF comes down), records
the final decision, and finds it in the worklist filtered by that decision.

Screenshots go to $CHARTSIFT_ARTIFACTS/web-e2e-day (default: the test's tmp dir): 01-worklist.png, 02-taken.png,
03-case.png (after the override), 04-decided.png and 05-worklist-after-decision.png."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from headless_chromium import needs_chromium

from .test_e2e_browser import _log_in, _shots
from .test_worklist import screen_out

pytestmark = [pytest.mark.e2e, needs_chromium]
CORPORA = Path(__file__).parents[2] / "corpora"
PATIENTS = {"DEMO-001": ("Avery Lind (synthetic)", "1961-04-02", "M100042", "standard"),
            "SIJ-023": ("Blake Moreno (synthetic)", "1958-11-20", "M100077", "urgent"),
            "SIJ-010": ("Casey Ortiz (synthetic)", "1970-06-09", "M100101", "standard")}


@pytest.fixture
def imported(served, tmp_path, demo_pdf):
    """Three screened cases in the served app's queue, with case.json patients and their documents (ids apart from
    those the other tests on the served app upload: E2E-00n, and SIJ-001..006 of the load test)."""
    from chartsift.web.config import Settings
    from chartsift.web.db import make_engine, make_sessionmaker
    from chartsift.web.queue_import import import_screen

    out = screen_out(tmp_path, ["demo/DEMO-001.pdf.json", "sij/SIJ-023.text.json", "sij/SIJ-010.text.json"])
    cases = tmp_path / "input"
    for case_id, folder in (("DEMO-001", demo_pdf.parent), ("SIJ-023", CORPORA / "sij" / "SIJ-023"),
                            ("SIJ-010", CORPORA / "sij" / "SIJ-010")):
        shutil.copytree(folder, cases / case_id, ignore=shutil.ignore_patterns("gold.json", "*.md", "*.py", "src"))
        meta = json.loads((cases / case_id / "case.json").read_text())
        name, born, member, urgency = PATIENTS[case_id]
        meta.update(patient={"name": name, "birth_date": born, "member_id": member}, urgency=urgency)
        (cases / case_id / "case.json").write_text(json.dumps(meta))
    settings = Settings(data_dir=served.data_dir, db_url=served.db_url)
    engine = make_engine(settings.database_url)
    report = import_screen(settings, make_sessionmaker(engine, settings.audit_head_file), out, user=served.user,
                           cases=cases)
    engine.dispose()
    assert report.reviewed == 3 and report.documents_left_out == 0
    return report


def test_a_reviewers_day(page, served, imported, tmp_path):
    from playwright.sync_api import expect

    shots = _shots(tmp_path, "web-e2e-day")
    _log_in(page, served)
    expect(page.locator('tr[data-case="DEMO-001"]')).to_contain_text("Avery Lind (synthetic)")
    expect(page.locator('tr[data-case="SIJ-023"]')).to_contain_text("urgent (72 h)")
    page.screenshot(path=shots / "01-worklist.png", full_page=True)

    # take the demo case: the unassigned filter, then "Assign to me" in its row
    page.select_option("select[name=assignee]", "none")
    page.click("#worklist-filters button[type=submit]")
    row = page.locator('tr[data-case="DEMO-001"]')
    expect(row.locator(".assignee-cell")).to_contain_text("unassigned")
    row.locator("form.assign-me button").click()
    expect(page).to_have_url(f"{served.url}/cases?assignee=none")
    expect(page.locator('tr[data-case="DEMO-001"]')).to_have_count(0)  # no longer unassigned
    page.select_option("select[name=assignee]", "me")
    page.click("#worklist-filters button[type=submit]")
    row = page.locator('tr[data-case="DEMO-001"]')
    expect(row.locator(".assignee")).to_have_text(served.user)
    expect(row.locator(".progress")).to_contain_text("0 of 17 criteria confirmed")
    page.screenshot(path=shots / "02-taken.png", full_page=True)
    row.locator("a", has_text="DEMO-001").click()

    expect(page.locator("#patient-head")).to_contain_text("Avery Lind (synthetic) · DOB 1961-04-02 · member id M100042")
    expect(page.locator("#assignee")).to_have_text(served.user)
    expect(page.locator("#recommendation")).to_contain_text("Recommendation: meets criteria")

    for criterion in ("II.A.1", "II.B", "II.C"):  # confirm some criteria
        details = page.locator(f'[id="c-{criterion}"]')
        if not details.evaluate("d => d.open"):
            details.locator("summary").click()
        details.locator("button[value=confirm]").click()
        expect(page.locator(f'[id="c-{criterion}"] .decided')).to_contain_text(f"confirm by {served.user}")
    expect(page.locator("#progress")).to_have_text("3 of 17 criteria confirmed")

    details = page.locator('[id="c-II.D"]')  # override one, with a note: the recommendation changes
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    form = details.locator("form.decide")
    form.locator("select[name=status]").select_option("insufficient")
    form.locator("input[name=note]").fill("Distraction and Gaenslen results are illegible on the fax")
    form.locator("button[value=override]").click()
    expect(page.locator('[id="c-II.D"] .decided')).to_contain_text(f"override: insufficient by {served.user}")
    expect(page.locator("#recommendation")).to_contain_text("Recommendation: missing documentation")
    expect(page.locator("#chartsift-recommendation")).to_contain_text("chartsift recommended: meets criteria")
    expect(page.locator("#progress")).to_have_text("3 of 17 criteria confirmed, 1 overridden")
    page.screenshot(path=shots / "03-case.png", full_page=True)

    with page.expect_download() as download_info:  # the PDF for the case file
        page.click("#export-pdf")
    pdf = shots / "export.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
    assert download_info.value.suggested_filename == "chartsift-DEMO-001-r1.pdf"

    final = page.locator("#final")
    final.locator("input[value=pend_documentation]").check()
    final.locator("input[name=note]").fill("asked the office for a legible exam note")
    final.locator("button[type=submit]").click()
    expect(page.locator("#decision-head")).to_contain_text(f"Final decision: pend documentation by {served.user}")
    page.screenshot(path=shots / "04-decided.png")

    page.click("header.top a.brand")  # back to the worklist, find the decision
    page.select_option("select[name=decision]", "pend_documentation")
    page.click("#worklist-filters button[type=submit]")
    row = page.locator('tr[data-case="DEMO-001"]')
    expect(row.locator(".final-cell")).to_contain_text(f"pend documentation by {served.user}")
    expect(row).to_contain_text("missing documentation")
    expect(row).to_contain_text("chartsift: meets criteria")
    expect(page.locator("table.worklist tr[data-case]")).to_have_count(1)
    page.screenshot(path=shots / "05-worklist-after-decision.png", full_page=True)
