"""Issue 17 part 9: the bulk report an operator can use. The blocking criteria of each case, a CPT the policy does
not know flagged per case (as `chartsift review` refuses it) while the batch goes on, one order (by case id)
whatever the input order and the number of workers, and an index.html that fits a laptop screen with filters
(checked in headless Debian chromium)."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
import screen_helpers as helpers
from headless_chromium import chromium, console_errors, needs_chromium

from chartsift.screen import screen
from chartsift.screen.ledger import Row
from chartsift.screen.outputs import write_outputs
from evaluator import blocking, load_policy

FAKE = {"case_function": "screen_helpers:fake_review", "init_function": "screen_helpers:fake_warm_up"}
GOLDEN = Path(__file__).parent / "golden"


def _summary(out: Path) -> list[dict]:
    with (out / "summary.csv").open(newline="") as fh:
        return list(csv.DictReader(fh))


# --- blocking criteria ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def policy():
    return load_policy("CP.MP.126", dt.date(2026, 5, 4))


def _met(policy, **statuses):
    from evaluator import criteria_tree

    found = {row.criterion: "met" for row in criteria_tree(policy)}
    found.update({k.replace("_", "."): v for k, v in statuses.items()})
    return found


def test_blocking_follows_the_failing_criteria_down_the_pathway_taken(policy):
    statuses = _met(policy, II="not_met", II_D="not_met", II_G="insufficient", II_F="insufficient",
                    II_F_2="insufficient", I="not_met", I_A="not_met", I_B="not_met", I_C="not_met", I_D="not_met")
    # the open pathway's I is not the request's: not blocking; II.F is named through its failing part II.F.2
    assert blocking(policy, statuses, "minimally_invasive") == ["II.D", "II.F.2", "II.G"]


def test_a_failing_group_of_alternatives_is_named_itself(policy):
    statuses = _met(policy, II="insufficient", II_A="insufficient", II_A_3="insufficient")
    assert blocking(policy, statuses, "minimally_invasive") == ["II.A.3"]
    statuses = _met(policy, I="not_met", I_A="not_met", I_B="not_met", I_C="not_met", I_D="not_met")
    assert blocking(policy, statuses, "open") == ["I"]


def test_a_parent_failing_on_its_own_is_named(policy):
    """II.A can fail with A.1-A.3 met (care spanning under 6 months): II.A itself is what blocks."""
    statuses = _met(policy, II="insufficient", II_A="insufficient")
    assert blocking(policy, statuses, "minimally_invasive") == ["II.A"]


def test_criteria_every_pathway_needs_and_a_met_case(policy):
    assert blocking(policy, _met(policy), "minimally_invasive") == []
    statuses = _met(policy, III="not_met", codes="insufficient")
    assert blocking(policy, statuses, "open") == ["III", "codes"]


def test_with_both_pathways_the_better_one_is_taken(policy):
    statuses = _met(policy, II="insufficient", II_G="insufficient", I="not_met", I_A="not_met", I_B="not_met",
                    I_C="not_met", I_D="not_met")
    assert blocking(policy, statuses, None) == ["II.G"]


def test_blocking_agrees_with_every_golden_recommendation():
    """On 857 real reviews: no blocking criterion exactly when chartsift says meets_criteria, and every blocking
    criterion is not_met or insufficient."""
    from evaluator import policy_of
    from models import ReviewResult

    checked = 0
    for path in sorted(GOLDEN.glob("*/*.json")):
        result = ReviewResult.model_validate_json(path.read_text())
        statuses = {d.criterion: d.status for d in result.determinations}
        found = blocking(policy_of(result.policy), statuses, result.policy.pathway)
        assert (found == []) == (result.recommendation.status == "meets_criteria"), path.name
        assert all(statuses[c] in ("not_met", "insufficient") for c in found), path.name
        if result.recommendation.status == "physician_review":
            assert any(statuses[c] == "not_met" for c in found), path.name
        checked += 1
    assert checked > 800


# --- a CPT the policy does not know ---------------------------------------------------------------------------


def _manifest(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "manifest.csv"
    path.write_text("case_id,cpt,side,request_date,icd10,files\n" + "\n".join(rows) + "\n")
    return path


def test_an_unknown_cpt_in_the_manifest_is_a_coded_error_and_the_batch_goes_on(tmp_path):
    helpers.make_cases(tmp_path, 3)
    source = _manifest(tmp_path, ["A,27279,left,,,cases/case-0000", "B,99999,left,,,cases/case-0001",
                                  "C,,,,,cases/case-0002"])
    out = tmp_path / "out"
    report = screen(source, out, workers=1, timeout=30, **FAKE)
    assert (report.total, report.reviewed, report.errors) == (3, 2, 1)
    rows = {r["case_id"]: r for r in _summary(out)}
    assert (rows["B"]["status"], rows["B"]["error_code"], rows["B"]["recommendation"]) == ("error", "unknown_cpt", "")
    assert rows["A"]["status"] == rows["C"]["status"] == "done"
    errors = list(csv.reader((out / "errors.csv").read_text().splitlines()))[1:]
    [(case_id, document, code, message)] = errors
    assert (case_id, document, code) == ("B", "", "unknown_cpt")
    assert message.startswith("CPT 99999 is not a procedure of CP.MP.126 (its procedures: 27279 (minimally "
                              "invasive), 27280 (open)); --allow-unknown-cpt")
    assert [json.loads(line)["case_id"] for line in (out / "results.jsonl").read_text().splitlines()] == ["A", "C"]

    allowed = screen(source, out, workers=1, timeout=30, allow_unknown_cpt=True, **FAKE)
    assert (allowed.skipped, allowed.reviewed, allowed.errors) == (2, 1, 0)  # just the refused case
    assert {r["case_id"]: r["status"] for r in _summary(out)} == {"A": "done", "B": "done", "C": "done"}
    again = screen(source, out, workers=1, timeout=30, allow_unknown_cpt=True, **FAKE)
    assert (again.skipped, again.reviewed) == (3, 0)


def test_an_unknown_cpt_in_case_json_is_flagged_too(tmp_path):
    cases = helpers.make_cases(tmp_path, 2)
    (cases / "case-0001" / "case.json").write_text(json.dumps({"case_id": "X-2", "request": {"cpt": "22612"}}))
    out = tmp_path / "out"
    screen(cases, out, workers=1, timeout=30, **FAKE)
    assert [(r["case_id"], r["error_code"]) for r in _summary(out)] == [("X-2", "unknown_cpt"), ("case-0000", "")]


def test_the_cli_flags_it_with_exit_3_and_reviews_it_when_allowed(tmp_path, capsys, monkeypatch):
    from chartsift.cli import main
    from chartsift.screen import screen as function

    # the stand-in per-case function for the CLI's call (it names none)
    monkeypatch.setattr(function, "__kwdefaults__", dict(function.__kwdefaults__, case_function=FAKE["case_function"], init_function=FAKE["init_function"]))
    helpers.make_cases(tmp_path, 2)
    source = _manifest(tmp_path, ["A,99999,,,,cases/case-0000", "B,27279,,,,cases/case-0001"])
    assert main(["screen", str(source), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet"]) == 3
    assert "1 errors" in capsys.readouterr().err
    assert main(["screen", str(source), "--out", str(tmp_path / "out"), "--workers", "1", "--quiet",
                 "--allow-unknown-cpt"]) == 0
    assert [r["status"] for r in _summary(tmp_path / "out")] == ["done", "done"]


# --- one order ----------------------------------------------------------------------------------------------


def _outputs(out: Path) -> dict[str, str]:
    """The outputs, with the one column that measures time taken out."""
    summary = [{k: v for k, v in row.items() if k != "seconds"} for row in _summary(out)]
    return {"results": (out / "results.jsonl").read_text(), "summary": json.dumps(summary),
            "errors": (out / "errors.csv").read_text(), "index": (out / "index.html").read_text()}


def test_the_order_is_by_case_id_whatever_the_input_order_and_the_workers(tmp_path):
    """Six cases listed out of order, the first ones slow (with two workers they finish after later ones): every
    output lists them by case id, byte for byte the same with one worker and with two, and one worker takes them
    in that order."""
    cases = helpers.make_cases(tmp_path, 6, special={0: "SLEEP 1.5", 1: "SLEEP 1.0"})
    source = _manifest(tmp_path, [f"{cid},,,,,cases/case-{i:04d}" for i, cid in
                                  enumerate(["F-6", "C-3", "A-1", "E-5", "B-2", "D-4"])])
    assert cases.is_dir()
    seen = {}
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        report = screen(source, out, workers=workers, timeout=60, **FAKE)
        assert report.reviewed == 6
        seen[workers] = _outputs(out)
        assert [r["case_id"] for r in _summary(out)] == ["A-1", "B-2", "C-3", "D-4", "E-5", "F-6"]
        with sqlite3.connect(out / "ledger.sqlite") as db:
            finished = [r[0] for r in db.execute("SELECT case_id FROM cases ORDER BY rowid")]
        if workers == 1:
            assert finished == ["A-1", "B-2", "C-3", "D-4", "E-5", "F-6"]
    assert seen[1] == seen[2]


# --- index.html ---------------------------------------------------------------------------------------------


def _golden_rows(n: int) -> list[Row]:
    """`n` real reviews (both pathways, every recommendation) plus an error case, as ledger rows."""
    paths = sorted(GOLDEN.glob("sij_final_*/*.pdf.json"))[:n]
    rows = []
    for i, path in enumerate(paths):
        result = json.loads(path.read_text())
        result["case_id"] = f"{path.parent.name}-{path.name.split('.')[0]}-with-a-long-case-identifier-{i:03d}"
        rows.append(Row(result["case_id"], "fp", "done", None, None, json.dumps(result), 9, 1.0, None, None))
    rows.append(Row("ZZ-error-case", "fp", "error", "timeout", "review did not finish within 300 s", None, 0, 300.0,
                    None, None))
    return sorted(rows, key=lambda r: r.case_id)


def test_the_summary_names_the_blocking_criteria(tmp_path):
    write_outputs(tmp_path, _golden_rows(40))
    rows = _summary(tmp_path)
    assert "blocking_criteria" in rows[0]
    for row in rows:
        blocked = row["blocking_criteria"].split()
        assert (row["recommendation"] == "meets_criteria") == (row["recommendation"] != "" and not blocked)
        assert all(row[c] in ("not_met", "insufficient") for c in blocked)
    assert any(r["blocking_criteria"] for r in rows)


@needs_chromium
def test_index_fits_a_laptop_screen_and_filters(tmp_path):
    from playwright.sync_api import expect

    rows = _golden_rows(60)
    counts = write_outputs(tmp_path, rows)
    shots = Path(__import__("os").environ.get("CHARTSIFT_ARTIFACTS", tmp_path)) / "screen-index"
    shots.mkdir(parents=True, exist_ok=True)
    summary = {r["case_id"]: r for r in _summary(tmp_path)}
    with chromium() as browser:
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        errors = console_errors(page)
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((tmp_path / "index.html").as_uri())
        page.screenshot(path=shots / "01-index-1366.png")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366  # no sideways scroll
        assert page.evaluate("() => [...document.querySelectorAll('#cases td')]"
                             ".filter(td => td.scrollWidth > td.clientWidth + 1).length") == 0  # nothing spills over
        table = page.locator("#cases").bounding_box()
        assert table["x"] >= 0 and table["x"] + table["width"] <= 1366
        shown = page.locator("#shown")
        expect(shown).to_have_text(f"{len(rows)} of {len(rows)} cases shown")
        body_rows = page.locator("#cases tbody tr")

        def visible() -> list[str]:
            return page.evaluate("() => [...document.querySelectorAll('#cases tbody tr:not([hidden])')]"
                                 ".map(r => r.dataset.case)")

        for status in ("physician_review", "missing_documentation", "meets_criteria", "error"):
            page.select_option("#f-rec", status)
            expected = [c for c, r in summary.items() if (r["recommendation"] or "error") == status]
            assert visible() == expected and expected, status
            expect(shown).to_have_text(f"{len(expected)} of {len(rows)} cases shown")
        page.select_option("#f-rec", "physician_review")
        page.screenshot(path=shots / "02-physician-review.png")
        page.select_option("#f-rec", "")
        page.check("#f-review")
        assert visible() == [c for c, r in summary.items() if r["needs_review"] not in ("", "0")]
        page.uncheck("#f-review")
        page.select_option("#f-error", "yes")
        assert visible() == ["ZZ-error-case"]
        page.select_option("#f-error", "no")
        assert "ZZ-error-case" not in visible() and len(visible()) == len(rows) - 1
        page.click("#f-clear")
        assert len(visible()) == body_rows.count() == len(rows)
        page.fill("#f-q", "ZZ-err")
        assert visible() == ["ZZ-error-case"]
        page.click("#f-clear")

        first = page.locator("#cases tbody tr[data-rec=physician_review]").first
        blocked = summary[first.get_attribute("data-case")]["blocking_criteria"].split()
        expect(first.locator("td.blocking .chip")).to_have_count(len(blocked))
        first.locator("td.crit summary").click()  # the criteria, one compact cell: open, still on the screen
        expect(first.locator("td.crit .chips")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
        page.screenshot(path=shots / "03-criteria-open.png")
    assert errors == [] and all(u.startswith("file://") for u in requests)  # no network
    assert sum(counts.values()) == len(rows)
