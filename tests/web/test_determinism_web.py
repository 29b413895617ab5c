"""Determinism on the web surface (issue 9): the same chart uploaded twice through the web app (POST /cases, the
review worker's job, GET /cases/N/export.json) gives the answer of the API, the CLI and the batch, hash for hash.

tests/test_determinism.py's charts (corpora/sij/SIJ-001 as text notes; SIJ-002 rendered as a PDF packet) and its
hash (everything the reviewer acts on; only the case id left out) are reused. The web export adds the reviewer's
decisions under `review`; that key is not the review and is left out too. The documents are uploaded in the
case's own order and the request is typed into the form, as a reviewer would. The batch runs in its own
processes (another interpreter, another hash seed) while the web part runs; the CLI runs in this process, from
its argument parsing to the JSON it prints (tests/test_determinism.py runs it in a child process, twice). This
file sits in tests/web so that CI runs it on PostgreSQL as well.
"""
from __future__ import annotations

import contextlib
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from test_determinism import (
    _api,
    _batch,
    answer_hash,
    charts,  # noqa: F401 - the fixture: the two charts as case folders
)

from .conftest import build_web
from .hostile_upload import post_case

UPLOADS = 2


def _documents(case: Path) -> list[Path]:
    meta = json.loads((case / "case.json").read_text())
    return [case / name for name in meta["documents"]]


def _form(case: Path) -> dict[str, str]:
    request = json.loads((case / "case.json").read_text())["request"]
    return {"cpt": request.get("cpt") or "", "side": request.get("side") or "", "request_date": request["date"],
            "icd10": ", ".join(request.get("icd10") or [])}


def _cli(case: Path) -> dict:
    """`chartsift review CASE --json`, in this process."""
    from chartsift.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["review", str(case), "--json"]) == 0
    return json.loads(out.getvalue())


def _web_answers(tmp_path_factory, case: Path) -> list[dict]:
    """One upload of the chart to each of UPLOADS fresh web apps in turn (a case id is unique in an app's queue, and
    a PostgreSQL test database holds one app at a time), all reviewed in this one process."""
    answers = []
    for _ in range(UPLOADS):
        web = build_web(tmp_path_factory.mktemp("web") / "data")
        web.add_user()
        assert web.login().status_code == 303
        files = [(p.name.encode(), p.read_bytes()) for p in _documents(case)]
        response = post_case(web, case.name, files, **_form(case))
        assert response.status_code == 303, response.text
        assert web.run_jobs() == 1
        exported = web.client.get(response.headers["location"] + "/export.json").json()
        assert exported.pop("review")["decisions"] == []
        answers.append(exported)
        web.app.state.engine.dispose()
    return answers


@pytest.fixture(scope="module")
def hashes(charts, tmp_path_factory) -> dict[str, dict[str, list[str]]]:  # noqa: F811
    """chart -> surface -> one hash per run (the web: one per upload)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        batch = pool.submit(_batch, list(charts.values()), tmp_path_factory.mktemp("batch") / "out")
        found = {name: {"web": [answer_hash(a) for a in _web_answers(tmp_path_factory, case)],
                        "api": [answer_hash(_api(case))], "cli": [answer_hash(_cli(case))]}
                 for name, case in charts.items()}
        for name, case in charts.items():
            found[name]["batch"] = [answer_hash(batch.result()[case.name])]
    return found


@pytest.mark.parametrize("chart", ["text-case", "pdf-case"])
def test_the_web_gives_the_answer_of_every_other_surface(hashes, chart):
    by_surface = hashes[chart]
    assert len(by_surface["web"]) == UPLOADS
    assert len({h for runs in by_surface.values() for h in runs}) == 1, by_surface
