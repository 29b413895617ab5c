"""End to end in headless Debian chromium (Playwright, no browser download): log in, create a case with the
demo PDF, wait for the review, expand II.G, click a quote, see the page with the box, override, export HTML; and
a case uploaded with an empty file beside the demo PDF shows the empty file's code while the PDF is reviewed.

Screenshots of each step go to $CHARTSIFT_ARTIFACTS/web-e2e and web-e2e-mixed (default: the test's tmp dir)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium")]


def _shots(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("CHARTSIFT_ARTIFACTS", tmp_path)) / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def shots(tmp_path):
    return _shots(tmp_path, "web-e2e")


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(base_url=served.url, viewport={"width": 1500, "height": 950},
                                      accept_downloads=True)
        errors: list[str] = []
        pg = context.new_page()
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield pg
        browser.close()
        assert errors == []  # no CSP violation, no script error


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
