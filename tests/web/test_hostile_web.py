"""Hostile input corpus (issue 9) through the web upload: every fixture of tests/fixtures/hostile/make_hostile.py,
and every hostile file name, is posted to the real upload route (POST /cases, multipart, CSRF, session) together
with a good companion document, and reviewed by `python -m chartsift.web.worker` (what `chartsift serve` runs)
in a child process, with its time limit (--timeout) and memory limit (--memory-mb, the batch's 3072 MiB).

Each upload must end in one of the outcomes its catalogue entry allows: its coded error shown on the case page,
or a review result; the good companion of the same upload is reviewed (nothing else is lost); the review takes
less than the fixture's ceiling (tests/test_hostile.py's budgets, against hangs, not a benchmark). Two fixtures
never reach the worker as files: content sniffing refuses a zero-byte file (`empty_file`) and a PNG renamed .pdf
(`unsupported_type`: issue 6 accepts only `%PDF-` or UTF-8 text) at upload, without keeping their bytes; the upload
goes on with its companion, and the refused file is a document of the case with its code, on the case page and in
the review's errors (a whole upload is refused with 415 only when no file of it is acceptable:
tests/web/test_mixed_uploads.py). Afterwards the server is healthy: /health answers, the worker has
not died, no job failed, and a good chart uploaded after the corpus gets the same answer as before it.

The per-fixture table (fixture, HTTP status, outcome, upload and review seconds) is printed by
`test_the_outcome_table` (`pytest -s tests/web/test_hostile_web.py`).
"""
from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from dataclasses import dataclass

import pytest
from hostile_harness import load_make_hostile
from sqlalchemy import select
from test_hostile import BUDGET_S, DEFAULT_BUDGET_S

from chartsift.web.models import Case, Job

from .conftest import build_web
from .hostile_upload import post_case, start_worker, wait_terminal

mh = load_make_hostile()
CATALOGUE = {h.name: h for h in mh.catalogue()}
MAX_PAGES = 500
COMPANION = "companion.pdf"
#: refused by the sniff at upload (zero bytes; neither `%PDF-` nor UTF-8 text), the companion accepted: the web's
#: codes (the CLI, which reads a non-PDF named .pdf as a broken PDF, says not_a_pdf for the PNG)
REFUSED = {"zero_bytes.pdf": "empty_file", "png_renamed.pdf": "unsupported_type"}
#: file names a file system refuses or a browser would encode, sent byte for byte as the name of a good chart
NAME_ATTACKS: dict[str, bytes] = {
    **{n: n.encode("utf-8") for n in mh.STREAM_NAMES},
    "cjk-300-chars.pdf": ("\u60a3" * 300 + ".pdf").encode("utf-8"),  # 904 bytes: over a file system's 255
    "emoji-300-chars.pdf": ("\U0001F600" * 300 + ".pdf").encode("utf-8"),
    "invalid-utf8.pdf": b"\xff\xfe\xfd.pdf",
    "quote-backslash.pdf": b'q\\"x.pdf',
}
#: a CR LF inside the name ends the part's header early: the multipart parser refuses the request (400), or reads
#: the injected header lines as the part's own and the name up to the line break
BROKEN_HEADER = {"crlf-in-name.pdf": b"a\r\nb.pdf", "crlf-header-injection.pdf": b"a\r\nContent-Type: text/html\r\n\r\nb.pdf"}


@dataclass
class Upload:
    label: str
    name: bytes
    data: bytes
    allowed: frozenset[str]
    budget_s: float


@dataclass
class Outcome:
    upload: Upload
    case_id: str
    http_status: int
    outcome: str  # "result", an ErrorCode value, "http<status>:<code>", or "case_<status>:<code>"
    upload_s: float
    review_s: float | None = None
    companion_reviewed: bool = False
    shown_on_page: bool = False
    stored_on_refusal: int = 0
    display_name: str | None = None


def _uploads(files) -> list[Upload]:
    out = []
    for name, path in files.items():
        allowed = {REFUSED[name]} if name in REFUSED else set(CATALOGUE[name].outcomes)
        if name == "pages_2000.pdf":
            allowed.add("too_many_pages")  # the web app reviews with a page limit
        out.append(Upload(name, name.encode("utf-8"), path.read_bytes(), frozenset(allowed),
                          BUDGET_S.get(name, DEFAULT_BUDGET_S)))
    good = mh.good_note_pdf()
    out += [Upload(label, raw, good, frozenset({"result"}), DEFAULT_BUDGET_S) for label, raw in NAME_ATTACKS.items()]
    out += [Upload(label, raw, good, frozenset({"http400:bad_request", "result"}), DEFAULT_BUDGET_S)
            for label, raw in BROKEN_HEADER.items()]
    return out


def _answer_hash(result: dict) -> str:
    stable = {k: v for k, v in result.items() if k != "case_id"}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The app (TestClient over its ASGI routes) and one review worker process on the same data and database."""
    root = tmp_path_factory.mktemp("hostile-web")
    web = build_web(root / "data", max_pages=MAX_PAGES)
    web.add_user()
    assert web.login().status_code == 303
    log = root / "worker.log"
    worker = start_worker(web.settings, log)
    yield web, worker, log
    worker.terminate()
    worker.wait(timeout=30)
    web.app.state.engine.dispose()


def _good_case(web, case_id: str) -> dict:
    response = post_case(web, case_id, [(b"visit.pdf", mh.good_note_pdf())])
    assert response.status_code == 303, response.text
    url = response.headers["location"]
    state = wait_terminal(web, [url], 180)[url]  # the first one also waits for the worker to load the NLP
    assert state["status"] == "done", state
    return web.client.get(url + "/export.json").json()


def _review_seconds(web, url: str) -> float | None:
    with web.sessions() as s:
        job = s.scalars(select(Job).where(Job.case_pk == int(url.rsplit("/", 1)[1]))).first()
        if job is None or job.finished_at is None or job.started_at is None:
            return None
        return (job.finished_at - job.started_at).total_seconds()


def _read_back(web, outcome: Outcome, url: str, state: dict) -> None:
    """The fixture's outcome as the reviewer sees it: the review JSON export and the case page."""
    outcome.review_s = _review_seconds(web, url)
    if state["status"] != "done":
        outcome.outcome = f"case_{state['status']}:{state['error_code']}"
        return
    result = web.client.get(url + "/export.json").json()
    docs = [d for d in result["documents"] if d["name"] != COMPANION]
    companion = next(d for d in result["documents"] if d["name"] == COMPANION)
    cited = {ev["document"] for fact in result["facts"] for ev in fact["evidence"]}
    outcome.companion_reviewed = companion.get("error") is None and COMPANION in cited
    assert len(docs) == 1, [d["name"] for d in result["documents"]]
    outcome.display_name = docs[0]["name"]
    error = docs[0].get("error")
    outcome.outcome = error["code"] if error else "result"
    page = web.client.get(url).text
    outcome.shown_on_page = error is None or f"{error['code']}: " in page


@pytest.fixture(scope="module")
def corpus_run(site, tmp_path_factory):
    web = site[0]
    files = mh.build(tmp_path_factory.mktemp("hostile-files"))
    before = _good_case(web, "GOOD-BEFORE")
    outcomes, urls = [], {}
    for index, upload in enumerate(_uploads(files)):
        stored = len(list(web.settings.upload_dir.iterdir()))
        case_id, start = f"H{index:02d}", time.monotonic()
        response = post_case(web, case_id, [(upload.name, upload.data), (COMPANION.encode(), mh.good_note_pdf())])
        outcome = Outcome(upload, case_id, response.status_code, "", time.monotonic() - start)
        if response.status_code == 303:
            urls[response.headers["location"]] = outcome
        else:
            outcome.outcome = f"http{response.status_code}:{response.json()['error_code']}"
            outcome.stored_on_refusal = len(list(web.settings.upload_dir.iterdir())) - stored
        outcomes.append(outcome)
    states = wait_terminal(web, list(urls), sum(o.upload.budget_s for o in urls.values()))
    for url, outcome in urls.items():
        _read_back(web, outcome, url, states[url])
    after = _good_case(web, "GOOD-AFTER")
    return {o.upload.label: o for o in outcomes}, before, after


def _id(label: str) -> str:
    return ascii(label)[1:-1][:40]


LABELS = [pytest.param(u, id=_id(u)) for u in [*CATALOGUE, *NAME_ATTACKS, *BROKEN_HEADER]]


@pytest.mark.parametrize("label", LABELS)
def test_each_upload_gets_its_coded_error_or_a_result_in_time(corpus_run, label):
    outcome = corpus_run[0][label]
    assert outcome.outcome in outcome.upload.allowed, f"{label!a}: {outcome}"
    if outcome.http_status == 303:
        assert outcome.review_s is not None and outcome.review_s < outcome.upload.budget_s, outcome
        assert outcome.shown_on_page, f"{label!a}: the coded error is not on the case page"
    else:
        assert outcome.stored_on_refusal == 0, "a refused upload left files behind"


@pytest.mark.parametrize("label", LABELS)
def test_the_good_companion_of_the_same_upload_is_reviewed(site, corpus_run, label):
    outcome = corpus_run[0][label]
    if outcome.http_status == 303:
        assert outcome.companion_reviewed, f"{label!a}: the good document uploaded with it was not reviewed"
    else:  # refused whole, with its code: no case, no document, no file, so nothing is half-reviewed or lost
        with site[0].sessions() as s:
            assert s.scalar(select(Case).where(Case.case_id == outcome.case_id)) is None


@pytest.mark.parametrize("label", [pytest.param(n, id=_id(n)) for n in NAME_ATTACKS])
def test_hostile_names_are_only_labels(corpus_run, label):
    shown = corpus_run[0][label].display_name
    assert shown and "/" not in shown and "\\" not in shown and shown not in (".", "..")
    assert not any(unicodedata.category(ch).startswith("C") for ch in shown), ascii(shown)
    assert len(shown.encode("utf-8")) <= 200


@pytest.mark.parametrize("name,expected", [
    pytest.param("\u60a3" * 300 + ".pdf", "\u60a3" * 65 + ".pdf", id="cjk-3-bytes-each"),
    pytest.param("\U0001d49c" * 300 + ".txt", "\U0001d49c" * 49 + ".txt", id="4-bytes-each"),
    pytest.param("\u00e9" * 300, "\u00e9" * 100, id="no-extension"),
    pytest.param("x" * 300 + ".pdf", "x" * 110 + ".pdf", id="ascii-by-characters"),
])
def test_display_names_fit_a_file_system(name, expected):
    """The worker links each document under its display name: at most 200 bytes (a file system allows 255)."""
    from chartsift.web.storage import display_name

    taken: set[str] = set()
    assert display_name(name, taken) == expected
    assert len(display_name(name, taken).encode("utf-8")) < 255  # with a " (2)" suffix too


def test_the_server_is_healthy_after_the_corpus(site, corpus_run):
    web, worker, log = site
    _outcomes, before, after = corpus_run
    assert web.client.get("/health").json() == {"status": "ok"}
    assert worker.poll() is None, "the review worker died"
    with web.sessions() as s:
        failed = s.scalars(select(Job).where(Job.status != "done")).all()
    assert failed == [], [(j.case_pk, j.status, j.error_code) for j in failed]
    assert before["facts"] and _answer_hash(after) == _answer_hash(before)
    assert list((web.settings.data_dir / "work").iterdir()) == [], "a review left its work folder"
    worker_log = log.read_text(errors="replace")
    assert "Traceback" not in worker_log
    assert not [c for c in mh.CANARIES if c in worker_log], "a canary in the worker's log"


def test_the_outcome_table(corpus_run):
    """The closing note's table: shown with `pytest -s`."""
    rows = [f"{'fixture':44} {'HTTP':>4} {'outcome':26} {'upload s':>8} {'review s':>8}"]
    for label, o in corpus_run[0].items():
        review = f"{o.review_s:8.2f}" if o.review_s is not None else f"{'-':>8}"
        rows.append(f"{ascii(label)[1:-1][:44]:44} {o.http_status:>4} {o.outcome:26} {o.upload_s:8.2f} {review}")
    print("\n" + "\n".join(rows))
    assert len(rows) == 1 + len(LABELS)


@pytest.mark.parametrize("label", [pytest.param(n, id=n) for n in REFUSED])
def test_a_refused_fixture_is_a_coded_document_with_nothing_stored(site, corpus_run, label):
    outcome = corpus_run[0][label]
    assert (outcome.http_status, outcome.companion_reviewed, outcome.shown_on_page) == (303, True, True), outcome
    with site[0].sessions() as s:
        case = s.scalar(select(Case).where(Case.case_id == outcome.case_id))
        docs = {d.display_name: (d.storage_name is not None, d.error_code) for d in case.documents}
    assert docs == {label: (False, REFUSED[label]), COMPANION: (True, None)}
