"""Sessions, the public allowlist, CSRF, idle logout, cookie flags."""
from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

PUBLIC = {("GET", "/health"), ("GET", "/login"), ("POST", "/login")}


def _routes(app):
    from chartsift.web.app import iter_routes

    for route in iter_routes(app=app):
        if isinstance(route, APIRoute):
            path = re.sub(r"\{[^}]+\}", "1", route.path)
            for method in sorted(route.methods - {"HEAD"}):
                yield method, route.path, path


def test_every_route_but_the_public_ones_needs_a_session(web):
    seen = 0
    for method, template, path in _routes(web.app):
        response = web.client.request(method, path)
        seen += 1
        if (method, template) in PUBLIC:
            assert response.status_code in (200, 403), (method, template)
            continue
        assert response.status_code == 401, (method, template, response.status_code)
        body = response.json()
        assert body["error_code"] == "not_authenticated" and body["request_id"] == response.headers["x-request-id"]
    assert seen >= 12


def test_a_browser_page_redirects_to_login(web):
    response = web.client.get("/cases", headers={"Accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"


def test_static_files_are_public(web):
    assert web.client.get("/static/app.css").status_code == 200


def test_login_sets_a_strict_httponly_cookie(web):
    web.add_user()
    response = web.login()
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith("chartsift_session="))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    assert web.client.get("/cases").status_code == 200


def test_cookie_is_secure_behind_tls(web):
    from fastapi.testclient import TestClient

    web.client = TestClient(web.app, base_url="https://testserver")
    w = web
    w.add_user()
    cookie = next(c for c in w.login().headers.get_list("set-cookie") if c.startswith("chartsift_session="))
    assert "Secure" in cookie


@pytest.mark.parametrize("name,password", [
    pytest.param("nurse", "wrong password", id="wrong-password"),
    pytest.param("nobody", "correct horse battery", id="unknown-user"),
])
def test_bad_credentials_are_refused(web, name, password):
    web.add_user()
    response = web.login(name, password)
    assert response.status_code == 401
    assert web.client.get("/cases").status_code == 401


def test_login_without_csrf_is_refused(web):
    web.add_user()
    response = web.client.post("/login", data={"username": "nurse", "password": "correct horse battery"})
    assert response.status_code == 403 and response.json()["error_code"] == "csrf_failed"


@pytest.mark.parametrize("path,data", [
    pytest.param("/logout", {}, id="logout"),
    pytest.param("/cases", {"case_id": "X-1"}, id="new-case"),
    pytest.param("/cases/1/documents", {}, id="add-documents"),
    pytest.param("/cases/1/decisions", {"criterion": "II.G", "action": "confirm"}, id="decision"),
    pytest.param("/cases/1/final", {"decision": "approve"}, id="final"),
])
@pytest.mark.parametrize("token", [None, "forged"], ids=["missing", "wrong"])
def test_form_posts_need_the_csrf_token(logged_in, path, data, token):
    if token:
        data = dict(data, csrf_token=token)
    response = logged_in.client.post(path, data=data, files={"documents": ("a.txt", b"x")} if "cases" in path and
                                     path.endswith(("cases", "documents")) else None)
    assert response.status_code == 403, response.text
    assert response.json()["error_code"] == "csrf_failed"


def test_logout_ends_the_session(logged_in):
    token = logged_in.csrf("/cases")
    assert logged_in.client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert logged_in.client.get("/cases").status_code == 401


def test_idle_session_is_logged_out(logged_in):
    import datetime as dt

    from sqlalchemy import update

    from chartsift.web.models import LoginSession

    with logged_in.sessions() as s, s.begin():
        old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=logged_in.settings.idle_timeout_s + 5)
        s.execute(update(LoginSession).values(last_seen=old))
    assert logged_in.client.get("/cases").status_code == 401


def test_disabled_user_loses_the_session(logged_in):
    from sqlalchemy import update

    from chartsift.web.models import User

    with logged_in.sessions() as s, s.begin():
        s.execute(update(User).values(active=False))
    assert logged_in.client.get("/cases").status_code == 401


def test_security_headers(web):
    headers = web.client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
