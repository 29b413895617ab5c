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
