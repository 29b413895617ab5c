"""Errors are `{error_code, message, request_id}`: no document text, file name or stack trace."""
from __future__ import annotations

import pytest

from .conftest import FORM

SECRET_NAME = "Marchetti_Jane_MRN12345.pdf"


def test_internal_error_hides_everything(logged_in, monkeypatch, caplog):
    from chartsift.web import routes_cases

    def boom(form):
        raise RuntimeError(f"while reading {SECRET_NAME}: patient Jane Marchetti")

    monkeypatch.setattr(routes_cases, "_request_fields", boom)
    response = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()),
                                     files=[("documents", (SECRET_NAME, b"hello there\n"))])
    assert response.status_code == 500
    body = response.json()
    assert set(body) == {"error_code", "message", "request_id"} and body["error_code"] == "internal_error"
    assert "Marchetti" not in response.text and "Traceback" not in response.text
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Marchetti" not in caplog.text and "RuntimeError" in caplog.text


@pytest.mark.parametrize("method,path,status", [
    pytest.param("GET", "/no/such/page", 404, id="not-found"),
    pytest.param("GET", "/cases/999", 404, id="no-case"),
    pytest.param("GET", "/cases/abc", 422, id="bad-id"),
    pytest.param("DELETE", "/cases", 405, id="method"),
])
def test_http_errors_are_coded(logged_in, method, path, status):
    response = logged_in.client.request(method, path)
    assert response.status_code == status
    assert set(response.json()) == {"error_code", "message", "request_id"}


def test_upload_errors_never_echo_the_filename(logged_in):
    response = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()),
                                     files=[("documents", (SECRET_NAME, b"\x89PNG\r\n\x1a\n\x00\x00"))])
    assert response.status_code == 415 and SECRET_NAME not in response.text


def test_a_crashed_worker_job_is_reported(logged_in):
    from chartsift.web.worker import claim, recover

    response = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()),
                                     files=[("documents", ("n.txt", b"note\n"))], follow_redirects=False)
    url = response.headers["location"]
    assert claim(logged_in.sessions, "worker-7") is not None  # ...and the process dies here
    assert recover(logged_in.sessions, "worker-7") == 1
    status = logged_in.client.get(url + "/status").json()
    assert status["status"] == "failed" and status["error_code"] == "worker_crash"
    assert "worker_crash" in logged_in.client.get(url).text


def test_a_review_over_its_time_limit_fails_with_timeout(logged_in, monkeypatch):
    import time

    from chartsift.web import worker

    monkeypatch.setattr(worker, "_review", lambda *a: time.sleep(5))
    logged_in.settings.__dict__["job_timeout_s"] = 1  # frozen dataclass: this test's copy only
    response = logged_in.client.post("/cases", data=dict(FORM, csrf_token=logged_in.csrf()),
                                     files=[("documents", ("n.txt", b"note\n"))], follow_redirects=False)
    assert logged_in.run_jobs() == 1
    status = logged_in.client.get(response.headers["location"] + "/status").json()
    assert (status["status"], status["error_code"]) == ("failed", "timeout")
