"""End to end in headless Debian chromium (Playwright, no browser download): log in, create a case with the
demo PDF, wait for the review, expand II.G, click a quote, see the page with the box, override, export HTML; and
a case uploaded with an empty file beside the demo PDF shows the empty file's code while the PDF is reviewed.

Screenshots of each step go to $CHARTSIFT_ARTIFACTS/web-e2e and web-e2e-mixed (default: the test's tmp dir)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from headless_chromium import needs_chromium

pytestmark = [pytest.mark.e2e, needs_chromium]


def _shots(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("CHARTSIFT_ARTIFACTS", tmp_path)) / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def shots(tmp_path):
    return _shots(tmp_path, "web-e2e")


def _log_in(page, served, shots: Path | None = None) -> None:
    from playwright.sync_api import expect

    page.goto("/cases")
    expect(page.locator("h1")).to_have_text("Log in")
    if shots:
        page.screenshot(path=shots / "01-login.png")
    page.fill("input[name=username]", served.user)
    page.fill("input[name=password]", served.password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("Cases")


def test_review_a_case_in_the_browser(page, served, shots, demo_pdf, demo_cli):
    from playwright.sync_api import expect

    _log_in(page, served, shots)
    page.screenshot(path=shots / "02-cases.png")

    page.click("text=New case >> nth=-1")
    page.fill("input[name=case_id]", "E2E-001")
    page.select_option("select[name=cpt]", "27279")
    page.select_option("select[name=side]", "left")
    page.fill("input[name=request_date]", "2026-02-16")
    page.fill("input[name=icd10]", "M46.1")
    page.set_input_files("input[name=documents]", str(demo_pdf))
    page.screenshot(path=shots / "03-new-case.png")
    page.click("button:has-text('Create and review')")
    expect(page.locator("#case-status")).to_be_visible()
    page.screenshot(path=shots / "04-processing.png")
    recommendation = demo_cli["recommendation"]["status"].replace("_", " ")
    expect(page.locator("#recommendation")).to_contain_text(recommendation, timeout=90_000)
    page.screenshot(path=shots / "05-result.png", full_page=True)

    criterion = page.locator('[id="c-II.G"]')
    criterion.locator("summary").click()
    expect(criterion.locator("ul.evidence")).to_be_visible()
    criterion.screenshot(path=shots / "06-II.G-expanded.png")

    criterion.locator("button.quote").first.click()
    box = page.locator("#evbox")
    expect(box).to_be_visible()
    image = page.locator("#viewer-body img")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)  # (wait_for_function would need CSP unsafe-eval)
    assert image.evaluate("img => img.naturalWidth") > 500
    page.screenshot(path=shots / "07-page-with-box.png")
    b, i = box.bounding_box(), image.bounding_box()
    assert i["x"] <= b["x"] and b["x"] + b["width"] <= i["x"] + i["width"] + 1
    assert i["y"] <= b["y"] and b["y"] + b["height"] <= i["y"] + i["height"] + 1
    assert 4 < b["height"] < 200 and b["width"] > 20
    assert page.evaluate("""() => { const r = document.querySelector('#evbox').getBoundingClientRect();
        const v = document.querySelector('#viewer-body').getBoundingClientRect();
        return r.top >= v.top - 1 && r.bottom <= v.bottom + 1; }""")  # scrolled into view
    assert page.evaluate("""() => { const q = document.querySelector('button.quote.current').getBoundingClientRect();
        return q.top >= 0 && q.bottom <= window.innerHeight; }"""), page.evaluate(
        "() => [document.querySelector('button.quote.current').getBoundingClientRect().top, window.innerHeight,"
        " window.scrollY]")  # the clicked quote stays in sight

    form = criterion.locator("form.decide")
    form.locator("select[name=status]").select_option("not_met")
    form.locator("input[name=note]").fill("Relief of the second block is not documented in percent")
    form.locator("button[value=override]").click()
    expect(page.locator('[id="c-II.G"] .decided')).to_contain_text("override: not met by e2e")
    page.locator('[id="c-II.G"]').screenshot(path=shots / "08-overridden.png")

    with page.expect_download() as download_info:
        page.click("#export-html")
    exported = shots / "export.html"
    download_info.value.save_as(exported)
    html = exported.read_text(encoding="utf-8")
    assert "Reviewer decisions" in html and "not documented in percent" in html and "II.G" in html
    page.goto(exported.as_uri())
    page.screenshot(path=shots / "09-export.png", full_page=True)


def test_an_empty_file_beside_the_chart_is_shown_coded_while_the_chart_is_reviewed(page, served, tmp_path, demo_pdf,
                                                                                   demo_cli):
    from playwright.sync_api import expect

    shots = _shots(tmp_path, "web-e2e-mixed")
    _log_in(page, served)
    page.goto("/cases/new")
    page.fill("input[name=case_id]", "E2E-002")
    page.select_option("select[name=cpt]", "27279")
    page.select_option("select[name=side]", "left")
    page.fill("input[name=request_date]", "2026-02-16")
    page.fill("input[name=icd10]", "M46.1")
    page.set_input_files("input[name=documents]", [
        {"name": demo_pdf.name, "mimeType": "application/pdf", "buffer": demo_pdf.read_bytes()},
        {"name": "blank page.pdf", "mimeType": "application/pdf", "buffer": b""}])
    page.click("button:has-text('Create and review')")
    refused = page.locator("#doc-errors")
    expect(refused).to_contain_text("blank page.pdf — empty_file: the file is empty (zero bytes)")
    page.screenshot(path=shots / "01-refused-file-shown.png")
    recommendation = demo_cli["recommendation"]["status"].replace("_", " ")
    expect(page.locator("#recommendation")).to_contain_text(recommendation, timeout=90_000)
    expect(refused).to_be_visible()
    expect(refused.locator("li")).to_have_count(1)
    page.click("a[data-tab=tab-documents]")
    expect(page.locator("#tab-documents")).to_contain_text("read")
    page.screenshot(path=shots / "02-reviewed-with-the-refused-file.png", full_page=True)


def _new_demo_case(page, case_id: str, demo_pdf, demo_cli) -> None:
    from playwright.sync_api import expect

    page.goto("/cases/new")
    page.fill("input[name=case_id]", case_id)
    page.select_option("select[name=cpt]", "27279")
    page.select_option("select[name=side]", "left")
    page.fill("input[name=request_date]", "2026-02-16")
    page.fill("input[name=icd10]", "M46.1")
    page.set_input_files("input[name=documents]", str(demo_pdf))
    page.click("button:has-text('Create and review')")
    recommendation = demo_cli["recommendation"]["status"].replace("_", " ")
    expect(page.locator("#recommendation")).to_contain_text(recommendation, timeout=90_000)


def _current(page) -> str | None:
    return page.evaluate("() => { const c = document.querySelector('details.criterion.current');"
                         " return c ? c.dataset.criterion : null; }")


def _image_width(page) -> float:
    return page.locator("#viewer-body .pageimg img").evaluate("img => img.clientWidth")  # without its border


def test_the_viewer_pages_zooms_and_the_keyboard_drives_the_review(page, served, tmp_path, demo_pdf, demo_cli):
    """Issue 17 part 4: the viewer turns pages and zooms, Escape closes it, and the keys listed on the page move
    between criteria, open the viewer, open the override and confirm; no key fires while typing in a field."""
    from playwright.sync_api import expect

    shots = _shots(tmp_path, "web-e2e-viewer")
    _log_in(page, served)
    _new_demo_case(page, "E2E-003", demo_pdf, demo_cli)
    help_box = page.locator("#shortcuts")
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Keyboard shortcuts")
    for key in ("j", "k", "c", "o", "v", "Esc"):
        expect(help_box.locator("kbd", has_text=key).first).to_be_visible()

    order = page.evaluate("() => [...document.querySelectorAll('details.criterion:not(.not-needed)')]"
                          ".map(d => d.dataset.criterion)")
    assert len(order) > 5 and "II.G" in order
    page.keyboard.press("j")
    assert _current(page) == order[0]
    page.keyboard.press("j")
    assert _current(page) == order[1]
    expect(page.locator(f'[id="c-{order[1]}"]')).to_have_attribute("open", "")
    page.keyboard.press("k")
    assert _current(page) == order[0]

    note = page.locator(f'[id="c-{order[0]}"] input[name=note]')
    note.click()
    page.keyboard.type("jjkvc o")  # typing: no shortcut fires, the letters land in the field
    assert note.input_value() == "jjkvc o" and _current(page) == order[0]
    expect(page.locator("#viewer")).to_be_hidden()
    note.fill("")
    page.locator("h1").click()  # out of the field

    while _current(page) != "II.G":
        page.keyboard.press("j")
    page.keyboard.press("v")  # the page of II.G's first quote, with its box
    viewer, box, title = page.locator("#viewer"), page.locator("#evbox"), page.locator("#viewer-title")
    expect(viewer).to_be_visible()
    expect(box).to_be_visible()
    quote_page = int(page.locator('[id="c-II.G"] button.quote').first.get_attribute("data-page"))
    expect(title).to_have_text(f"Page {quote_page} of 7")
    expect(page.locator("#viewer-body img")).to_have_js_property("complete", True)
    page.screenshot(path=shots / "01-viewer-quote-page.png")

    page.click("#viewer-next" if quote_page < 7 else "#viewer-prev")
    other = quote_page + 1 if quote_page < 7 else quote_page - 1
    expect(title).to_have_text(f"Page {other} of 7")
    expect(box).to_have_count(0)  # the box belongs to the quote's page only
    page.keyboard.press("[" if other > quote_page else "]")
    expect(title).to_have_text(f"Page {quote_page} of 7")
    expect(box).to_be_visible()
    for _ in range(quote_page - 1):
        page.keyboard.press("ArrowLeft")
    expect(title).to_have_text("Page 1 of 7")
    expect(page.locator("#viewer-prev")).to_be_disabled()
    expect(page.locator("#viewer-next")).to_be_enabled()
    page.keyboard.press("ArrowLeft")  # nothing before page 1
    expect(title).to_have_text("Page 1 of 7")
    for _ in range(quote_page - 1):
        page.keyboard.press("ArrowRight")
    expect(title).to_have_text(f"Page {quote_page} of 7")
    expect(box).to_be_visible()

    expect(page.locator("#viewer-body img")).to_have_js_property("complete", True)
    natural = page.locator("#viewer-body img").evaluate("img => img.naturalWidth")
    zoom = page.locator("#viewer-zoom")

    def shown_zoom() -> int:
        return int(zoom.inner_text().rstrip("%"))

    def check_box_on_page() -> None:
        b, i = box.bounding_box(), page.locator("#viewer-body img").bounding_box()
        assert i["x"] <= b["x"] and b["x"] + b["width"] <= i["x"] + i["width"] + 1
        assert i["y"] <= b["y"] and b["y"] + b["height"] <= i["y"] + i["height"] + 1
        assert abs(b["width"] / i["width"] - box_share) < 0.01  # the box scales with the page

    # it opens fitted to the viewer's width: the whole width of the page, no sideways scroll
    room = page.locator("#viewer-body").evaluate("b => b.clientWidth")
    assert room - 24 <= _image_width(page) <= room and _image_width(page) < natural
    assert page.locator("#viewer-body").evaluate("b => b.scrollWidth <= b.clientWidth")
    fitted = shown_zoom()
    assert fitted == round(100 * _image_width(page) / natural)
    box_share = box.bounding_box()["width"] / page.locator("#viewer-body img").bounding_box()["width"]
    page.screenshot(path=shots / "02-viewer-fit.png")

    page.click("#viewer-zoom-in")
    page.keyboard.press("+")
    larger = shown_zoom()
    assert larger > fitted and abs(_image_width(page) - natural * larger / 100) < 2
    check_box_on_page()
    assert page.evaluate("""() => { const r = document.querySelector('#evbox').getBoundingClientRect();
        const v = document.querySelector('#viewer-body').getBoundingClientRect();
        return r.top >= v.top - 1 && r.bottom <= v.bottom + 1 && r.left >= v.left - 1; }""")  # kept in view
    page.screenshot(path=shots / "03-viewer-zoomed-in.png")
    page.click("#viewer-next" if other > quote_page else "#viewer-prev")  # the zoom stays for the next page
    expect(title).to_have_text(f"Page {other} of 7")
    assert shown_zoom() == larger
    page.click("#viewer-prev" if other > quote_page else "#viewer-next")
    expect(title).to_have_text(f"Page {quote_page} of 7")
    expect(box).to_be_visible()
    page.keyboard.press("-")
    page.keyboard.press("-")
    page.keyboard.press("-")
    assert shown_zoom() < larger
    check_box_on_page()
    page.keyboard.press("0")
    assert shown_zoom() == fitted

    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    page.keyboard.press("v")
    expect(viewer).to_be_visible()
    page.keyboard.press("v")
    expect(viewer).to_be_hidden()

    page.keyboard.press("o")
    status = page.locator('[id="c-II.G"] select[name=status]')
    expect(status).to_be_focused()
    page.keyboard.press("c")  # in the select: not a shortcut
    assert page.url.endswith("/cases/" + page.locator("#casehead").get_attribute("data-case"))
    page.locator("h1").click()
    page.keyboard.press("c")  # confirm II.G
    expect(page.locator('[id="c-II.G"] .decided')).to_contain_text("confirm by e2e")
    assert page.url.endswith("#c-II.G") and _current(page) == "II.G"
    page.keyboard.press("j")  # the walk goes on from the confirmed criterion
    assert _current(page) == order[order.index("II.G") + 1]


def test_the_browser_shows_errors_as_pages_and_checks_forms_inline(page, served, tmp_path, demo_pdf):
    """An override without a note is stopped by the form (required); forced past it, the server's answer is a
    page with the coded error and a link back. A .docx is stopped at the file field; an unknown case is a page."""
    from playwright.sync_api import expect

    shots = _shots(tmp_path, "web-e2e-errors")
    _log_in(page, served)
    page.goto("/cases/new")
    page.set_input_files("input[name=documents]", [{"name": "referral.docx", "buffer": b"PK\x03\x04 word",
                                                    "mimeType": "application/vnd.openxmlformats-officedocument."
                                                                "wordprocessingml.document"}])
    inline = page.locator("form .inline-error")
    expect(inline).to_contain_text("The file is not a PDF or a .txt note")
    assert "referral" not in inline.inner_text()
    page.fill("input[name=case_id]", "E2E-DOCX")
    page.click("button:has-text('Create and review')")
    assert page.url.endswith("/cases/new")  # not submitted
    page.screenshot(path=shots / "01-docx-inline.png")

    page.goto("/cases/999999")
    expect(page.locator("#error")).to_contain_text("not_found")
    expect(page.locator("#error-back")).to_have_attribute("href", "/cases")
    page.screenshot(path=shots / "02-not-found.png")

    page.goto("/cases/new")
    page.fill("input[name=case_id]", "E2E-ERR")
    page.set_input_files("input[name=documents]", [{"name": "visit.txt", "mimeType": "text/plain", "buffer":
                                                    b"Office visit\nDate of service: 01/05/2026\nLeft buttock pain.\n"}])
    page.click("button:has-text('Create and review')")
    expect(page.locator("#recommendation")).to_be_visible(timeout=90_000)
    criterion = page.locator("details.criterion").first
    criterion.locator("summary").click()
    form = criterion.locator("form.decide")
    form.locator("select[name=status]").select_option(index=1)
    form.locator("button[value=override]").click()
    assert form.locator("input[name=note]").evaluate("n => n.validationMessage") != ""  # stopped by the browser
    assert page.locator("#error").count() == 0
    form.locator("input[name=note]").evaluate("n => n.removeAttribute('required')")
    form.locator("button[value=override]").click()
    expect(page.locator("#error")).to_contain_text("note_required")
    expect(page.locator("#error h1")).to_have_text("An override needs a note")
    page.screenshot(path=shots / "03-override-without-note.png")
    page.click("#error-back")
    expect(page.locator("#casehead")).to_be_visible()
    expected = [f"Failed to load resource: the server responded with a status of {status}"
                for status in ("404 (Not Found)", "422 (Unprocessable Entity)")]
    assert page.console_errors == expected  # the two error pages visited, and nothing else
    page.console_errors.clear()
