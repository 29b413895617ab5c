"""Issue 17 part 4: every error a browser can reach is a readable page (the coded error, what to do, a link back,
the request id); an API client (JSON, or curl's */*) keeps the JSON body. Neither carries document text or a file
name."""
from __future__ import annotations

import re

import pytest

from chartsift.web.errors import back_link, prefers_html

from .conftest import FORM

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
SECRET_NAME = "Marchetti_Jane_MRN12345.docx"
DOCX = b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml Jane Marchetti MRN12345 " * 20


def _is_page(response, status: int, code: str) -> str:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert f'data-error-code="{code}"' in html and f'data-status="{status}"' in html
    assert "What to do:" in html and 'id="error-back"' in html
    assert response.headers["x-request-id"] in html  # the id to quote when asking for help
    assert "Traceback" not in html
    return html


def _is_form_again(response, status: int, code: str, field: str) -> str:
    """The new-case form shown again (not an error page): the code and request id above it, the error beside
    `field`, which is marked invalid."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert 'id="new-case"' in html and 'id="error"' not in html
    assert f'id="form-error" role="alert" data-error-code="{code}" data-status="{status}"' in html
    assert response.headers["x-request-id"] in html
    assert re.search(rf'name="{field}"[^>]* aria-invalid="true" aria-describedby="error-{field}"', html)
    assert f'<span class="field-error" id="error-{field}" role="alert" data-error-code="{code}">' in html
    assert html.count('class="field-error"') == 1 and "Traceback" not in html
    return html


def _is_json(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error_code", "message", "request_id"} and body["error_code"] == code
    return body


@pytest.mark.parametrize("accept,html", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),  # Chrome and Firefox navigating
    ("text/html", True),
    ("application/json", False),
    ("application/json, text/html;q=0.9", False),  # the viewer's fetch: JSON errors, the HTML fragment otherwise
    ("*/*", False),  # curl, httpx
    ("", False),
    ("text/html;q=0, application/json", False),
    ("application/xhtml+xml", True),
])
def test_the_accept_header_decides(accept, html):
    assert prefers_html(accept) is html


@pytest.mark.parametrize("path,status,href", [
    ("/cases/7/decisions", 422, "/cases/7"),
    ("/cases/7/documents", 415, "/cases/7"),
    ("/cases/7", 404, "/cases"),  # the case does not exist: back to the list, not to itself
    ("/cases", 422, "/cases/new"),
    ("/cases", 413, "/cases/new"),
    ("/cases/7/final", 401, "/login"),
    ("/no/such/page", 404, "/cases"),
])
def test_the_link_back(path, status, href):
    assert back_link(path, status)[0] == href


def _case(web) -> str:
    response = web.client.post("/cases", data=dict(FORM, csrf_token=web.csrf()),
                               files=[("documents", ("n.txt", b"Office visit\n"))], follow_redirects=False)
    assert response.status_code == 303
    return response.headers["location"]


def test_an_override_without_a_note(logged_in):
    url = _case(logged_in)
    data = {"csrf_token": logged_in.csrf(url), "criterion": "II.G", "action": "override", "status": "not_met",
            "note": "  "}
    html = _is_page(logged_in.client.post(url + "/decisions", data=data, headers=BROWSER), 422, "note_required")
    assert "An override needs a note" in html and f'href="{url}"' in html
    assert "an override needs the new status and a note" in html
    _is_json(logged_in.client.post(url + "/decisions", data=data, headers=JSON), 422, "note_required")
    _is_json(logged_in.client.post(url + "/decisions", data=data), 422, "note_required")  # */*: JSON, as before


def test_a_docx_upload(logged_in):
    files = [("documents", (SECRET_NAME, DOCX))]
    page = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()), files=files, headers=BROWSER)
    html = _is_form_again(page, 415, "unsupported_type", "documents")
    assert 'value="A-1042"' in html and 'value="2026-05-04"' in html  # the entries kept
    assert "Marchetti" not in html and "MRN12345" not in html
    body = _is_json(logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()), files=files,
                                          headers=JSON), 415, "unsupported_type")
    assert "Marchetti" not in str(body)


def test_a_too_large_upload(logged_in):
    files = [("documents", ("big.txt", b"x" * (80 * 1024)))]  # over the fixture's 64 KiB
    html = _is_page(logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()), files=files,
                                          headers=BROWSER), 413, "too_large")
    assert "64 KB (65536 bytes)" in html and "split a large packet" in html
    body = _is_json(logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()), files=files,
                                          headers=JSON), 413, "too_large")
    assert "65536 bytes" in body["message"]


def test_an_unknown_case(logged_in):
    html = _is_page(logged_in.client.get("/cases/999", headers=BROWSER), 404, "not_found")
    assert 'href="/cases"' in html and "Not found" in html
    assert 'class="who"' in html  # the logged-in header (menu, log out) stays
    _is_json(logged_in.client.get("/cases/999", headers=JSON), 404, "not_found")
    _is_page(logged_in.client.get("/no/such/page", headers=BROWSER), 404, "not_found")


def test_a_forbidden_form_post_without_its_csrf_token(logged_in):
    url = _case(logged_in)
    data = {"csrf_token": "stale", "criterion": "II.G", "action": "confirm"}
    html = _is_page(logged_in.client.post(url + "/decisions", data=data, headers=BROWSER), 403, "csrf_failed")
    assert "reload the page" in html
    _is_json(logged_in.client.post(url + "/decisions", data=data, headers=JSON), 403, "csrf_failed")


def test_an_expired_session(web):
    web.add_user()
    page = web.client.post("/cases/1/decisions", data={"action": "confirm"}, headers=BROWSER, follow_redirects=False)
    html = _is_page(page, 401, "not_authenticated")
    assert "Your session has ended" in html and 'href="/login"' in html
    assert 'class="who"' not in html
    _is_json(web.client.post("/cases/1/decisions", data={"action": "confirm"}, headers=JSON), 401,
             "not_authenticated")
    redirect = web.client.get("/cases", headers=BROWSER, follow_redirects=False)  # a page: straight to the log-in
    assert redirect.status_code == 303 and redirect.headers["location"] == "/login"


def test_an_expired_login_form(web):
    web.add_user()
    page = web.client.post("/login", data={"csrf_token": "old", "username": "nurse", "password": "x"},
                           headers=BROWSER)
    html = _is_page(page, 403, "csrf_failed")
    assert 'href="/login"' in html


@pytest.mark.parametrize("field,value,fragment", [
    ("case_id", "bad id!", "case id: letters"),
    ("request_date", "16/02/2026", "request date must be YYYY-MM-DD"),
    ("icd10", "not-a-code", "ICD-10 codes look like M46.1"),
])
def test_a_bad_form_value(logged_in, field, value, fragment):
    files = [("documents", ("n.txt", b"Office visit\n"))]
    page = logged_in.client.post("/cases", data=dict(FORM, **{field: value}, csrf_token=logged_in.csrf()),
                                 files=files, headers=BROWSER)
    html = _is_form_again(page, 422, "invalid_request", field)
    error = re.search(rf'id="error-{field}"[^>]*>([^<]*)', html).group(1)
    assert fragment in error
    for name, entered in FORM.items():  # every entry kept, the bad one too (escaped), for the reviewer to correct
        shown = value if name == field else entered
        if name in ("cpt", "side"):
            assert f"<option selected>{shown}</option>" in html
        else:
            assert re.search(rf'name="{name}"[^>]* value="{re.escape(shown)}"', html), name
    _is_json(logged_in.client.post("/cases", data=dict(FORM, **{field: value}, csrf_token=logged_in.csrf()),
                                   files=files, headers=JSON), 422, "invalid_request")


def test_a_form_posted_without_documents_is_shown_again(logged_in):
    data = dict(FORM, patient_name="Quinn Example", urgency="urgent", csrf_token=logged_in.csrf())
    html = _is_form_again(logged_in.client.post("/cases", data=data, headers=BROWSER), 422, "invalid_request",
                          "documents")
    assert 'value="Quinn Example"' in html and '<option value="urgent" selected>' in html
    assert "add at least one PDF or text document" in html


def test_an_escaped_entry_cannot_inject_markup(logged_in):
    files = [("documents", ("n.txt", b"Office visit\n"))]
    data = dict(FORM, case_id='"><script>alert(1)</script>', csrf_token=logged_in.csrf())
    html = _is_form_again(logged_in.client.post("/cases", data=data, files=files, headers=BROWSER), 422,
                          "invalid_request", "case_id")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_a_bad_value_in_the_address_and_a_wrong_method(logged_in):
    html = _is_page(logged_in.client.get("/cases/abc", headers=BROWSER), 422, "invalid_request")
    assert "case_pk" in html
    response = logged_in.client.get("/cases/1/decisions", headers=BROWSER)
    _is_page(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"


def test_an_internal_error_page_hides_everything(logged_in, monkeypatch, caplog):
    from chartsift.web import routes_cases

    def boom(form):
        raise RuntimeError("while reading Marchetti_Jane.pdf: patient Jane Marchetti")

    monkeypatch.setattr(routes_cases, "_request_fields", boom)
    page = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()),
                                 files=[("documents", ("n.txt", b"note\n"))], headers=BROWSER)
    html = _is_page(page, 500, "internal_error")
    assert "Marchetti" not in html and "RuntimeError" not in html and "Marchetti" not in caplog.text


def test_the_viewer_gets_json_errors(logged_in):
    """The viewer's fetch asks JSON first, so a missing page shows as a coded line in the viewer."""
    url = _case(logged_in)
    accept = {"Accept": "application/json, text/html;q=0.9"}
    _is_json(logged_in.client.get(url + "/documents/999/pages/1", headers=accept), 404, "not_found")


def test_the_forms_check_inline_before_they_submit(logged_in):
    """HTML-only checks a browser applies before posting (the server checks the same, above)."""
    new = logged_in.client.get("/cases/new").text
    assert re.search(r'<input name="documents" type="file" multiple required accept="\.pdf,\.txt,', new)
    assert 'data-max-bytes="65536"' in new
    assert re.search(r'<input name="icd10"[^>]* pattern="', new)
    url = _case(logged_in)
    logged_in.run_jobs()
    page = logged_in.client.get(url).text
    form = page[page.index('<form method="post" action="' + url + '/decisions"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<button type="submit" name="action" value="confirm" formnovalidate', form)
    assert re.search(r'<select name="status"[^>]* required', form)
    assert re.search(r'<input name="note"[^>]* required', form)
    assert re.search(r'<input type="file" name="documents" multiple required accept="\.pdf,\.txt,[^"]*" '
                     r'data-max-bytes="65536"', page)
    assert 'id="shortcuts"' in page and "Keyboard shortcuts" in page
