"""The pages of issue 17's web work in headless Debian chromium at a laptop's 1366x768, on an app served in this
process (no review workers: every case comes from a screen run): the import page (a screen output .zip uploaded,
the cases queued, a duplicate reported with its code), the worklist over more than one page with its filters kept
across pages, a case's criteria tree, the evidence viewer, a coded HTML error page, the new-case form shown again
with an inline error and the entries kept, and the first page of the exported review PDF.

Screenshots go to $CHARTSIFT_ARTIFACTS/web-pages (default: the test's tmp dir)."""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import pytest
from headless_chromium import chromium, needs_chromium

from .conftest import PASSWORD, free_port
from .test_e2e_browser import _shots
from .test_import_web import zipped
from .test_worklist import GOLDEN, screen_out

pytestmark = [pytest.mark.browser, needs_chromium]
SCREEN = {"width": 1366, "height": 768}
PATIENT = {"name": "Avery Lind (synthetic)", "birth_date": "1961-04-02", "member_id": "M100042"}


def _goldens() -> list[str]:
    """56 screened cases of three corpora (distinct case ids): more than a worklist page."""
    chosen, ids = [], set()
    for folder in ("sij_epic", "sij_faxed", "sij_hospital"):
        for path in sorted((GOLDEN / folder).glob("*.text.json")):
            case_id = json.loads(path.read_text())["case_id"]
            if case_id not in ids and len(chosen) < 56:
                ids.add(case_id)
                chosen.append(f"{folder}/{path.name}")
    return chosen


@pytest.fixture
def app_url(tmp_path, demo_pdf):
    """The app served by uvicorn in a thread, with the user `e2e` and DEMO-001 queued from a screen run with its
    document (the evidence viewer and the PDF export need its pages)."""
    import uvicorn

    from chartsift.web.app import create_app
    from chartsift.web.auth import add_user
    from chartsift.web.config import Settings
    from chartsift.web.queue_import import import_screen

    settings = Settings(data_dir=tmp_path / "data")
    app = create_app(settings)
    with app.state.sessions() as s, s.begin():
        add_user(s, "e2e", "reviewer", PASSWORD)
    cases = tmp_path / "input"
    shutil.copytree(demo_pdf.parent, cases / "DEMO-001", ignore=shutil.ignore_patterns("*.md", "*.py", "src", "gold*"))
    meta = json.loads((cases / "DEMO-001" / "case.json").read_text())
    meta.update(patient=PATIENT)
    (cases / "DEMO-001" / "case.json").write_text(json.dumps(meta))
    demo = screen_out(tmp_path / "demo", ["demo/DEMO-001.pdf.json"]) if (tmp_path / "demo").mkdir() is None else None
    report = import_screen(settings, app.state.sessions, demo, user="e2e", cases=cases)
    assert report.reviewed == 1 and report.documents == 1
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def page(app_url):
    with chromium() as browser:  # tests/headless_chromium.py: the one launch of Debian's chromium
        context = browser.new_context(base_url=app_url, viewport=SCREEN, accept_downloads=True)
        errors: list[str] = []
        pg = context.new_page()
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" and "status of 4" not in m.text
              else None)
        yield pg
    assert errors == []


def test_the_pages_at_1366x768(page, tmp_path, demo_pdf):
    from playwright.sync_api import expect

    shots = _shots(tmp_path, "web-pages")
    page.goto("/cases")
    page.fill("input[name=username]", "e2e")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Cases")

    # the import page: 56 screened cases and a repeated id (DEMO-001, already queued) from a .zip
    goldens = _goldens()
    out = screen_out(tmp_path, goldens, errors=[("DEMO-001", "duplicate_case_id")])
    archive = tmp_path / "screen-run.zip"
    archive.write_bytes(zipped(out, prefix="screen-run/"))
    page.click("header.top >> text=Import screen run")
    page.set_input_files("input[name=archive]", str(archive))
    page.click("button:has-text('Import into the queue')")
    result = page.locator("#import-result")
    expect(result).to_contain_text("Queued 56 of 57 screened cases (56 with their review, 0 failed in screening)")
    expect(result).to_contain_text("1 skipped (duplicate_case_id): listed first below")
    expect(page.locator("#import-rows tr[data-case]").first).to_have_attribute("data-result", "skipped")
    expect(page.locator('tr[data-case="DEMO-001"][data-result="skipped"]')).to_contain_text("already in the queue")
    expect(page.locator("#import-rows tr[data-result=queued]")).to_have_count(56)
    page.screenshot(path=shots / "05-import-result.png")

    # the worklist: 57 cases over two pages; a filter and a page size kept across pages
    page.click("text=Open the worklist")
    expect(page.locator("#pager-top .page-range")).to_have_text("cases 1–50 of 57 (page 1 of 2)")
    expect(page.locator("table.worklist tr[data-case]")).to_have_count(50)
    page.click("#pager-top a.next")
    expect(page.locator("#pager-top .page-range")).to_have_text("cases 51–57 of 57 (page 2 of 2)")
    expect(page.locator("table.worklist tr[data-case]")).to_have_count(7)
    physician = sum(json.loads((GOLDEN / g).read_text())["recommendation"]["status"] == "physician_review"
                    for g in goldens)
    assert physician > 10  # at least two pages of 10 (20 with the golden reviews of 2026-12-08)
    pages = -(-physician // 10)
    page.select_option("select[name=recommendation]", "physician_review")
    page.select_option("select[name=size]", "10")
    page.click("#worklist-filters button[type=submit]")
    expect(page.locator("#pager-top .page-range")).to_have_text(f"cases 1–10 of {physician} (page 1 of {pages})")
    page.click("#pager-top a.next")
    expect(page.locator("#pager-top .page-range")).to_have_text(
        f"cases 11–{min(20, physician)} of {physician} (page 2 of {pages})")
    expect(page.locator("select[name=recommendation]")).to_have_value("physician_review")
    expect(page.locator("select[name=size]")).to_have_value("10")
    badges = page.locator("table.worklist tr[data-case] .rec-badge")
    assert set(badges.all_inner_texts()) == {"physician review"}
    page.screenshot(path=shots / "01-worklist-filtered-page-2.png")

    # a case's criteria tree
    page.goto("/cases?q=DEMO-001")
    page.click('tr[data-case="DEMO-001"] a:has-text("DEMO-001")')
    expect(page.locator("#patient-head")).to_contain_text("Avery Lind (synthetic)")
    expect(page.locator('[id="c-II.A.1"]')).to_have_attribute("data-depth", "2")
    page.locator('[id="c-II"]').scroll_into_view_if_needed()
    page.screenshot(path=shots / "02-criteria-tree.png")

    # the evidence viewer open on a quote
    criterion = page.locator('[id="c-II.G"]')
    if not criterion.evaluate("d => d.open"):
        criterion.locator("summary").click()
    criterion.locator("button.quote").first.click()
    expect(page.locator("#evbox")).to_be_visible()
    expect(page.locator("#viewer-body img")).to_have_js_property("complete", True)
    page.screenshot(path=shots / "03-evidence-viewer.png")
    page.keyboard.press("Escape")

    # the exported review PDF, its first page rendered
    with page.expect_download() as download:
        page.click("#export-pdf")
    pdf = shots / "export.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    _first_page_png(pdf, shots / "07-export-pdf-page1.png")

    # an HTML error page: a file that is not a .zip on the import page
    page.goto("/queue/import")
    page.set_input_files("input[name=archive]", {"name": "notes.docx", "mimeType": "application/octet-stream",
                                                 "buffer": b"PK\x03\x04 not really a zip" * 20})
    page.click("button:has-text('Import into the queue')")
    error = page.locator("#error")
    expect(error).to_have_attribute("data-error-code", "not_a_zip")
    expect(error).to_contain_text("Upload the screen output as a .zip")
    expect(page.locator("#error-back")).to_have_attribute("href", "/queue/import")
    page.screenshot(path=shots / "04-error-page.png")

    # the new-case form again: a case id already queued, the error beside it, the entries kept
    page.goto("/cases/new")
    page.fill("input[name=case_id]", "DEMO-001")
    page.select_option("select[name=cpt]", "27279")
    page.fill("input[name=request_date]", "2026-02-16")
    page.fill("input[name=icd10]", "M46.1")
    page.fill("input[name=patient_name]", "Robin Vale (synthetic)")
    page.select_option("select[name=urgency]", "urgent")
    page.set_input_files("input[name=documents]", str(demo_pdf))
    page.click("button:has-text('Create and review')")
    inline = page.locator("#error-case_id")
    expect(inline).to_have_attribute("data-error-code", "duplicate_case_id")
    expect(inline.locator("#existing-case")).to_be_visible()
    expect(page.locator("#form-error")).to_contain_text("choose the documents again")
    expect(page.locator("input[name=case_id]")).to_have_value("DEMO-001")
    expect(page.locator("input[name=case_id]")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("input[name=patient_name]")).to_have_value("Robin Vale (synthetic)")
    expect(page.locator("select[name=urgency]")).to_have_value("urgent")
    expect(page.locator("input[name=request_date]")).to_have_value("2026-02-16")
    page.screenshot(path=shots / "06-new-case-inline-error.png")


def _first_page_png(pdf: Path, png: Path) -> None:
    """The PDF's first page as a PNG 1366 pixels wide (pypdfium2, as the app renders pages)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        first = doc[0]
        first.render(scale=1366 / first.get_size()[0]).to_pil().save(png)
    finally:
        doc.close()
