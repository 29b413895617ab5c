"""Procedure logs and ledgers (issue 15, family "relief, drugs or guidance of one block attributed to another
block of the same packet"): each dated entry owns the lines below it, bare results close an entry, and
all-caps notes say PT for the patient. Variants per family, with distractors that must give nothing."""
from __future__ import annotations

import json

import pytest

from chartsift.api import review
from extractor.facts.injection.numbers import entry_result_readings
from extractor.text.segment import segment_notes


def _injections(tmp_path, text: str, request_date: str = "2026-10-01"):
    (tmp_path / "note.txt").write_text(text)
    (tmp_path / "case.json").write_text(json.dumps({"case_id": "T", "request": {"cpt": "27279", "side": "left",
                                                                              "date": request_date}}))
    return sorted((f for f in review(tmp_path).facts if f.type == "injection"), key=lambda f: str(f.date))


_LOG = """{title}
{m1} Left SIJ diagnostic block #1
  Guidance: fluoroscopy. Contrast: Omnipaque 240, intra-articular spread. Agent: lidocaine 2% 2 mL.
  Relief: 90%.
{m2} Left SIJ diagnostic block #2
  Guidance: CT. Contrast: Isovue, intra-articular. Agent: bupivacaine 0.5% 2 mL.
  Relief: 80% for ~6 hours.
"""


@pytest.mark.parametrize("title, m1, m2", [
    pytest.param("TRI-COUNTY PAIN - PROCEDURE REPORTS", "02/10/2026", "03/10/2026", id="bare-dates"),
    pytest.param("Procedure ledger", "[02/10/2026]", "[03/10/2026]", id="bracketed-dates"),
    pytest.param("Injections (our office):", "- 02/10/2026", "- 03/10/2026", id="bulleted-dates"),
])
def test_each_log_entry_owns_the_lines_below_it(tmp_path, title, m1, m2):
    first, second = _injections(tmp_path, _LOG.format(title=title, m1=m1, m2=m2))
    assert (first.guidance, first.anesthetic, first.relief_percent) == ("fluoroscopy", "lidocaine", 90)
    assert (second.guidance, second.anesthetic, second.relief_percent) == ("ct", "bupivacaine", 80)


def test_one_line_entries_do_not_borrow_the_next_entry(tmp_path):
    text = ("Outside records review 09/28/2026\nProcedures:\n"
            " 06/15/2026 L SIJ diagnostic #2: fluoroscopy, Omnipaque arthrogram, intra-articular, 2% lidocaine; 7/10 -> 1/10.\n"
            " 07/20/2026 L SIJ therapeutic: fluoroscopy with contrast, intra-articular, 40 mg triamcinolone; 60% relief.\n")
    diagnostic = _injections(tmp_path, text)[0]
    assert (diagnostic.purpose, diagnostic.steroid) == ("diagnostic", None)


def test_a_log_entry_line_start_keeps_its_date(tmp_path):
    text = ("Letter 04/10/2026\nProcedures (our office):\n"
            "  12/02/2025 L SIJ therapeutic injection under fluoroscopy, 40 mg triamcinolone - pain back to baseline after 10 days.\n"
            "  02/10/2026 L SIJ diagnostic block, fluoroscopic, arthrogram, intra-articular, 2% lidocaine - 85% relief.\n")
    dates = [str(f.date) for f in _injections(tmp_path, text)]
    assert dates == ["2025-12-02", "2026-02-10"]


def test_segmenter_starts_a_dated_entry_at_its_own_line():
    text = _LOG.format(title="PROCEDURE REPORTS", m1="02/10/2026", m2="03/10/2026")
    starts = [text[n.start:].split("\n", 1)[0] for n in segment_notes(text)]
    assert starts[1:] == ["03/10/2026 Left SIJ diagnostic block #2"]


@pytest.mark.parametrize("line, percent", [
    pytest.param("R SIJ diagnostic block #1 - fluoroscopic, 0.5% bupivacaine: 90%.", 90, id="colon-close"),
    pytest.param("R SIJ block #2, contrast, 2% lidocaine - 85%", 85, id="dash-close"),
    pytest.param("L SIJ block, fluoro, 2% lidocaine -> 80 % x 4 hours.", 80, id="arrow-close"),
    pytest.param("After the L SIJ injection ODI: 42%.", None, id="distractor-odi"),
    pytest.param("L SIJ block today. SpO2: 98%.", None, id="distractor-spo2"),
    pytest.param("SIJ injection with 2% lidocaine: 2 mL.", None, id="distractor-concentration"),
])
def test_a_bare_percent_closing_an_entry(line, percent):
    found = entry_result_readings(line)
    assert (found[0].percent if found else None) == percent


@pytest.mark.parametrize("text, percent", [
    pytest.param("PROCEDURE NOTE  DOS 06/25/2026\nLT SIJ DIAGNOSTIC INJ #2 UNDER FLUORO. ISOVUE ARTHROGRAM, INTRAARTICULAR. "
                 "2ML 2% LIDOCAINE. PT REPORTS 90% RELIEF.", 90, id="caps-pt-reports"),
    pytest.param("PROCEDURE NOTE  DOS 06/25/2026\nLT SIJ DIAGNOSTIC INJ UNDER FLUORO, ISOVUE, INTRAARTICULAR. "
                 "PT STATES 80% RELIEF X 3 HRS.", 80, id="caps-pt-states"),
    pytest.param("Procedure note DOS 06/25/2026\nL SIJ diagnostic block under fluoro with contrast, intra-articular. "
                 "NRS 7 -> 1.", 86, id="nrs-arrow-sentence-end"),
])
def test_relief_in_all_caps_and_sentence_final_scores(tmp_path, text, percent):
    (fact,) = _injections(tmp_path, text)
    assert fact.relief_percent == percent


def test_physical_therapy_relief_is_not_the_injection_s(tmp_path):
    text = ("Procedure note DOS 06/25/2026\nL SIJ diagnostic block under fluoro with contrast, intra-articular.\n"
            "History: PT 6 weeks gave 30% relief.")
    (fact,) = _injections(tmp_path, text)
    assert fact.relief_percent is None


# ---------------------------------------------------------------- relief read in words and labels

@pytest.mark.parametrize("text, expected", [
    pytest.param("Relief ninety percent at 30 minutes", [90], id="words-ninety"),
    pytest.param("reports eighty-five percent relief", [85], id="words-hyphenated"),
    pytest.param("seventy five per cent improvement", [75], id="words-per-cent"),
    pytest.param("one hundred percent relief", [100], id="words-hundred"),
    pytest.param("fifty percent of her pain is in the buttock", [], id="distractor-words-share-of-pain"),
    pytest.param("a goal of fifty percent improvement", [], id="distractor-words-goal"),
])
def test_percent_in_words(text, expected):
    from extractor.facts.injection.numbers import percent_readings
    assert [r.percent for r in percent_readings(text)] == expected


@pytest.mark.parametrize("text, percent", [
    pytest.param("No steroid. Pain score before: 8/10. 30 minutes after: 2/10 for buttock pain.", 75, id="score-before-after"),
    pytest.param("Pain before 7/10, after 1/10.", 86, id="pain-before"),
    pytest.param("NRS before: 6/10; 20 min after: 1/10", 83, id="nrs-before"),
    pytest.param("She rated her pain before the visit 7/10 and now 5/10.", None, id="distractor-before-the-visit"),
])
def test_labelled_before_after_scores(text, percent):
    from extractor.facts.injection.numbers import score_series
    found = score_series(text)
    assert (found[0].percent() if found else None) == percent


_STEROID = ("PROCEDURE NOTE 12/15/2025\nPROCEDURE PERFORMED: Right sacroiliac joint injection, therapeutic. Fluoroscopic "
            "guidance, contrast, intra-articular. 40 mg triamcinolone with 1 mL 1% lidocaine. Pre 6/10, post 2/10.\n\n"
            "NURSE CALL-BACK 12/29/2025\n{later}\n")


@pytest.mark.parametrize("later, percent", [
    pytest.param("Two weeks after the injection pt states relief was only about 40% and is fading.", 40, id="stated-later"),
    pytest.param("Pt called: the steroid injection gave maybe 30% for about 10 days.", 30, id="stated-later-maybe"),
    pytest.param("Pt called, no new concerns; pain 5/10 today.", 67, id="distractor-no-stated-percent"),
])
def test_a_stated_percent_beats_one_computed_from_scores(tmp_path, later, percent):
    (fact,) = _injections(tmp_path, _STEROID.format(later=later))
    assert fact.relief_percent == percent
    if percent != 67:  # the computed percent stays on the fact as a conflict for the reviewer
        assert [c.attributes for c in fact.conflicts] == [{"relief_percent": 67}]


@pytest.mark.parametrize("text, expected", [
    pytest.param("She had an L4-5 ESI in March 2019 for leg pain that resolved; the current pain is different.",
                 [("historical", "2019-03-01", "therapeutic")], id="resolved-pain-not-the-injection"),
    pytest.param("Hx of an L5-S1 epidural steroid injection in 2021 for sciatica, which resolved then.",
                 [("historical", "2021-01-01", "therapeutic")], id="resolved-then"),
    pytest.param("No prior SI joint injections. Her leg pain resolved.", [], id="distractor-no-prior-injections"),
])
def test_a_resolved_condition_does_not_negate_the_injection(tmp_path, text, expected):
    facts = _injections(tmp_path, "OFFICE VISIT\nDate of service: 03/30/2026\n" + text)
    assert [(f.assertion, str(f.date), f.purpose) for f in facts] == expected


@pytest.mark.parametrize("text, outcome", [
    pytest.param("Two weeks later her pain is almost back where it was.", "failed", id="almost-back-where-it-was"),
    pytest.param("85% better x 5 hrs, then pain back to usual.", "failed", id="back-to-usual"),
    pytest.param("The epidural steroid injection helped for only two weeks.", "failed", id="helped-for-only-weeks"),
    pytest.param("The steroid injection only lasted about 10 days.", "failed", id="only-lasted-days"),
    pytest.param("The triamcinolone injection is still holding at five months.", "effective", id="still-holding"),
    pytest.param("Eleven weeks after the steroid injection she is still about 70% better.", "effective", id="still-pct-better"),
    pytest.param("Prior steroid injection in 2022 worked well at that time.", "effective", id="worked-well"),
    pytest.param("After the injection she went back to her usual activities.", None, id="distractor-usual-activities"),
    pytest.param("He is back to his usual self at work.", None, id="distractor-usual-self"),
])
def test_outcome_phrasing_families(text, outcome):
    from extractor.facts.injection.outcome import injection_outcome
    assert injection_outcome(text) == outcome


@pytest.mark.parametrize("text, assertion", [
    pytest.param("Assessment: R SIJ dysfunction.\nPlan:\n- R SIJ diagnostic block under fluoroscopy with contrast\n",
                 "hypothetical", id="bullet-under-plan-heading"),
    pytest.param("Impression: left SIJ pain.\nRECOMMENDATIONS\n1. Left SIJ injection, fluoroscopic, intra-articular.\n",
                 "hypothetical", id="numbered-under-recommendations"),
    pytest.param("Assessment:\n- R SIJ diagnostic block under fluoroscopy with contrast 09/20/2025 gave 80% relief.\n"
                 "Plan:\n- repeat in 2 weeks\n", "present", id="distractor-dated-result-under-assessment"),
])
def test_injections_listed_under_a_plan_heading_are_planned(tmp_path, text, assertion):
    (fact,) = _injections(tmp_path, "OFFICE VISIT\nDate of service: 10/06/2025\n" + text)
    assert fact.assertion == assertion


@pytest.mark.parametrize("text, expected", [
    pytest.param("L SIJ block 03/2025 - 80% relief.", [80], id="month-year-before-percent"),
    pytest.param("Block 2025 - 85% relief", [85], id="year-before-percent"),
    pytest.param("relief of 80-90%", [80], id="range-kept"),
])
def test_a_year_is_not_the_start_of_a_percent_range(text, expected):
    from extractor.facts.injection.numbers import percent_readings
    assert [r.percent for r in percent_readings(text)] == expected


def test_an_undated_note_measures_history_from_its_latest_date(tmp_path):
    text = "CONSULT\nLeft buttock pain. Labs 02/03/2026 reviewed.\nPMH: s/p L5-S1 ESI 03/2019 for L5 radiculopathy, resolved.\n"
    (fact,) = _injections(tmp_path, text)
    assert (fact.assertion, str(fact.date)) == ("historical", "2019-03-01")


@pytest.mark.parametrize("text, percent", [
    pytest.param("PAIN SCORE PRE-PROCEDURE: 8 out of 10.\nTECHNIQUE: contrast spread confirmed; 2 mL ropivacaine.\n"
                 "PAIN SCORE POST-PROCEDURE: 1 out of 10 at thirty minutes.", 88, id="dictated-out-of-ten"),
    pytest.param("Baseline pain 6 of 10. Needle placed under fluoroscopy. Post-block pain 0 of 10.", 100,
                 id="of-ten-baseline"),
    pytest.param("Flowsheet:\ntime  | NRS | intervention\n13:05 | 7   | pre-procedure\n13:48 | 1   | 30 min post\n"
                 "17:30 | 2   | phone check (5 h)\n", 86, id="flowsheet-clock-rows"),
    pytest.param("Vitals:\n13:05 | 98 | pulse\n13:20 | 96 | pulse\n", None, id="distractor-vitals-flowsheet"),
    pytest.param("Pain 8 out of 10 today; she hopes for relief.", None, id="distractor-one-score"),
])
def test_labelled_and_flowsheet_scores(text, percent):
    from extractor.facts.injection.numbers import score_series
    found = score_series(text)
    assert (found[0].percent() if found else None) == percent


_CONSULT = "CONSULT\nDate of service: 03/30/2026\n"


@pytest.mark.parametrize("text, expected", [
    pytest.param("She had two fluoroscopically guided, contrast-enhanced intra-articular diagnostic left SIJ blocks on "
                 "November 10 and December 1, 2025, with pain falling from 8/10 to 1/10 and from 7/10 to 1/10.",
                 [("2025-11-10", 88), ("2025-12-01", 86)], id="two-dates-two-score-series"),
    pytest.param("Left SIJ diagnostic blocks under fluoroscopy with contrast, intra-articular, on 03/03/2026 and "
                 "03/24/2026 gave 75% and 80% relief.", [("2026-03-03", 75), ("2026-03-24", 80)], id="two-dates-two-percents"),
    pytest.param("Left SIJ diagnostic blocks 01/05/2026, 01/26/2026 gave 90% and 85% relief respectively.",
                 [("2026-01-05", 90), ("2026-01-26", 85)], id="comma-dates-respectively"),
    pytest.param("Left SIJ injection 03/03/2026 gave 75% relief; seen again 03/24/2026.", [("2026-03-03", 75)],
                 id="distractor-visit-date-after"),
])
def test_respective_dates_and_numbers(tmp_path, text, expected):
    facts = _injections(tmp_path, _CONSULT + text)
    assert [(str(f.date), f.relief_percent) for f in facts] == expected


# ---------------------------------------------------------------- procedure logs laid out as tables

_TABLES = {
    "pipes-pct-relief": ("INJECTION LOG\nDate       | Procedure            | Side | Injectate             | Guidance | Contrast | % Relief\n"
                         "12/09/2025 | SIJ inj, diagnostic  | R    | lidocaine 2% 2 mL     | Fluoro   | Yes      | 90% x 2 hrs\n"
                         "01/13/2026 | SIJ inj, diagnostic  | R    | bupivacaine 0.5% 2 mL | Fluoro   |          | 80%\n",
                         [("2025-12-09", "right", 90, True), ("2026-01-13", "right", 80, None)]),
    "spaces-combined-guidance": ("PAIN PROCEDURES - INJECTION LOG\n"
                                 "Date        Procedure                                 Guidance/contrast     Agent              Relief\n"
                                 "03/03/2026  L SIJ diagnostic block, intra-articular   fluoro / Omnipaque    lidocaine 2%       80%\n"
                                 "03/24/2026  L SIJ diagnostic block, intra-articular   fluoro / Omnipaque    bupivacaine 0.5%   78%\n",
                                 [("2026-03-03", "left", 80, True), ("2026-03-24", "left", 78, True)]),
    "pre-post-columns": ("PROCEDURE LOG\nDate        Procedure                                   Pre NRS  Post NRS  Comment\n"
                         "12/08/2025  R SIJ diagnostic block, fluoro, contrast    5        1         IA arthrogram; lidocaine 2% 2 mL\n"
                         "01/05/2026  R SIJ diagnostic block, fluoro, contrast    8        1         IA arthrogram; lidocaine 2% 2 mL\n",
                         [("2025-12-08", "right", 80, True), ("2026-01-05", "right", 88, True)]),
    "leading-pipes-arrow-scores": ("| Date | Procedure | Side | Injectate | Guidance | Relief |\n"
                                   "| 12/09/2025 | SI joint inj, diagnostic, IA | R | lidocaine 2% 2 mL | fluoro w/ contrast | 10 -> 2 |\n",
                                   [("2025-12-09", "right", 80, True)]),
}


@pytest.mark.parametrize("name", list(_TABLES))
def test_injection_log_tables(tmp_path, name):
    text, expected = _TABLES[name]
    facts = _injections(tmp_path, text)
    assert [(str(f.date), f.side, f.relief_percent, f.contrast) for f in facts] == expected


def test_a_table_of_vitals_gives_no_injection(tmp_path):
    text = "VITALS\nDate        Time   BP       Pulse   SpO2\n03/03/2026  09:00  128/82   72      98%\n03/24/2026  09:10  130/80   70      97%\n"
    assert _injections(tmp_path, text) == []
