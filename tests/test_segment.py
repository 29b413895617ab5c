"""Note segmentation: where notes begin, their dates of service, kinds and titles."""
from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chartsift.packet import render_packet
from extractor.ingest.reader import ingest
from extractor.rules.loader import RuleFileError, parse_rules, rules_text
from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import TextStyle, line_key
from extractor.text.segment import SegmentRules, segment_notes

D = dt.date

OFFICE = ("OFFICE VISIT\nDate of Service: 02/03/2026\nPatient: Doe, Jane  DOB: 04/05/1961\n\n"
          "HPI: Left buttock pain for eight months, worse sitting.\nIMPRESSION: SI joint dysfunction.\n"
          "MRI LUMBAR SPINE\nreviewed, mild facet arthropathy.\nPlan: diagnostic injection.\n")
PROCEDURE = ("PROCEDURE NOTE\nDate of procedure: 02/20/2026\n\nPROCEDURE: Left SI joint injection.\n"
             "Under fluoroscopic guidance with contrast, the needle was advanced.\n")
MRI = "MRI PELVIS WITHOUT CONTRAST\nExam date: 01/10/2026\n\nFINDINGS: Mild sclerosis.\nIMPRESSION: No fracture.\n"
PT = "Physical Therapy Evaluation\nVisit date: 11/02/2025\n\nPatient attended 12 visits with home exercise program.\n"


def _summary(text: str, drop: frozenset[str] = frozenset()) -> list[tuple]:
    notes = segment_notes(text, drop)
    assert notes[0].start == 0 and notes[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(notes))
    return [(n.kind, n.date_of_service, n.title) for n in notes]


@pytest.mark.parametrize("text, expected", [
    pytest.param(OFFICE + "\n" + PROCEDURE + "\n" + MRI + "\n" + PT, [
        ("office_visit", D(2026, 2, 3), "OFFICE VISIT"),
        ("procedure", D(2026, 2, 20), "PROCEDURE NOTE"),
        ("imaging", D(2026, 1, 10), "MRI PELVIS WITHOUT CONTRAST"),
        ("therapy", D(2025, 11, 2), "Physical Therapy Evaluation")], id="titled-notes-in-one-text"),
    pytest.param("Date of Service: 03/01/2026\nProvider: Dr. Smith\n\nHPI: pain.\n\n"
                 "DOS: 04/01/2026\nProvider: Dr. Smith\n\nHPI: better.\n", [
        ("other", D(2026, 3, 1), None), ("other", D(2026, 4, 1), None)], id="date-header-blocks-without-titles"),
    pytest.param("PROGRESS NOTE\nDate: 05/06/2026\nDate of Birth: 01/02/1950\nHPI: pain.\n", [
        ("office_visit", D(2026, 5, 6), "PROGRESS NOTE")], id="weak-date-label-in-header"),
    pytest.param("CONSULTATION\nDate of Birth: 01/02/1950\nHPI: pain since 03/04/2025.\n", [
        ("office_visit", None, "CONSULTATION")], id="birth-date-and-body-date-not-service"),
    pytest.param(OFFICE, [("office_visit", D(2026, 2, 3), "OFFICE VISIT")],
                 id="section-headers-and-imaging-mention-stay-in-note"),
    pytest.param("Exam: MRI left hip\nEXAM DATE: 01/02/2026\nTECHNIQUE: T1, T2.\nFINDINGS: normal.\nIMPRESSION: normal.\n",
                 [("imaging", D(2026, 1, 2), None)], id="kind-from-body-keywords"),
    pytest.param("MAPLE RIDGE IMAGING\n\nEXAM: XR SI JOINTS\nExam date: 09/02/2025\nIMPRESSION: mild sclerosis.\n\n"
                 "EXAM: MRI PELVIS\nExam date: 09/10/2025\nFINDINGS: normal.\nIMPRESSION: normal.\n\n"
                 "EXAM: XR LEFT HIP\nExam date: 09/02/2025\nFINDINGS: normal.\nIMPRESSION: normal.\n", [
        ("imaging", D(2025, 9, 2), "MAPLE RIDGE IMAGING"), ("imaging", D(2025, 9, 10), None),
        ("imaging", D(2025, 9, 2), None)], id="one-note-per-exam-date-after-its-exam-field"),
    pytest.param("OFFICE VISIT\nDOS: 01/05/2026\n\nHPI: pain.\nPrior block:\nDate of procedure: 12/01/2025\n", [
        ("office_visit", D(2026, 1, 5), "OFFICE VISIT")], id="date-field-inside-a-paragraph-stays"),
    pytest.param("CT HEAD AND CT CERVICAL SPINE\n\nREASON FOR EXAM: fall.\n\nCT HEAD WITHOUT CONTRAST\nFINDINGS: normal.\n\n"
                 "CT CERVICAL SPINE\nFINDINGS: spondylosis.\nIMPRESSION: no fracture.\n",
                 [("imaging", None, "CT HEAD AND CT CERVICAL SPINE")], id="undated-exam-headings-inside-one-report"),
    pytest.param("Patient seen today. Prior injection, date of procedure: 12/01/2025, gave 80% relief.\n",
                 [("other", None, None)], id="date-label-inside-sentence-not-a-header-block"),
])
def test_segment_text(text, expected):
    assert _summary(text) == expected


LOGS = [
    pytest.param("SPINE CENTER - PROCEDURES\nDOS 08/18/2025: R SIJ block, fluoroscopy, contrast; 80% relief.\n"
                 "DOS 09/08/2025: R SIJ block, fluoroscopy, contrast; 75% relief.\n", [
        ("procedure", D(2025, 8, 18), "SPINE CENTER - PROCEDURES"), ("procedure", D(2025, 9, 8), None)],
                 id="dos-entry-lines"),
    pytest.param("PAIN CENTER - PROCEDURE LOG\n06/23/2025 L SIJ diagnostic, fluoro, contrast, lidocaine - 80% relief.\n"
                 "07/14/2025 L SIJ diagnostic, fluoro, contrast, bupivacaine - 80% relief.\n", [
        ("procedure", D(2025, 6, 23), "PAIN CENTER - PROCEDURE LOG"), ("procedure", D(2025, 7, 14), None)],
                 id="bare-date-entry-lines-under-a-log-title"),
    pytest.param("Date of Service: 11/17/2025\nRight SIJ injection, fluoroscopy, contrast, bupivacaine; 80% relief.\n"
                 "Date of Service: 12/08/2025\nRight SIJ injection, fluoroscopy, contrast, lidocaine; 90% relief.\n", [
        ("procedure", D(2025, 11, 17), None), ("procedure", D(2025, 12, 8), None)], id="repeated-dos-label-without-blank"),
    pytest.param("RIDGE SPINE\nExam date: 10/06/2025  XR SI JOINTS: No fracture.\n"
                 "Exam date: 10/20/2025  CT RIGHT SI JOINT: No erosions.\n", [
        ("imaging", D(2025, 10, 6), "XR SI JOINTS"), ("imaging", D(2025, 10, 20), "CT RIGHT SI JOINT")],
                 id="exam-entry-lines-titled-by-their-exam"),
    pytest.param("ORTHOPEDICS - IMAGING\n\nXR PELVIS AP    Date: 08/04/2025\nIMPRESSION: No fracture.\n\n"
                 "CT SI JOINTS    Date: 08/20/2025\nIMPRESSION: Degenerative change.\n", [
        ("imaging", D(2025, 8, 4), "XR PELVIS AP"), ("imaging", D(2025, 8, 20), "CT SI JOINTS")],
                 id="exam-title-and-date-on-one-line"),
    pytest.param("RADIOLOGY\n\nExam date: 11/14/2025  XR SI JOINTS\nIMPRESSION: Sclerosis. No fracture.\n"
                 "Exam date: 11/28/2025  MRI PELVIS\nIMPRESSION: No sacroiliitis.\n", [
        ("imaging", D(2025, 11, 14), "XR SI JOINTS"), ("imaging", D(2025, 11, 28), "MRI PELVIS")],
                 id="impression-above-the-next-exam-closes-its-own-exam"),
    pytest.param("RADIOLOGY\n\nEXAM: XR SI JOINTS\nExam date: 11/14/2025\nIMPRESSION: Sclerosis.\n\n"
                 "EXAM: MRI PELVIS WITHOUT CONTR-\nAST\nExam date: 11/28/2025\nIMPRESSION: Normal.\n", [
        ("imaging", D(2025, 11, 14), "RADIOLOGY"), ("imaging", D(2025, 11, 28), None)],
                 id="exam-field-hyphenated-across-lines-still-opens-its-exam"),
    pytest.param("SPINE CLINIC\nOffice Note - Visit date: 07/07/2025\nPt: Doe, 46 M\n\nButtock pain.\n", [
        ("office_visit", D(2025, 7, 7), "Office Note")], id="title-dash-date-label"),
    pytest.param("ORTHO GROUP\nLetter of medical necessity - Date: May 4, 2026\nRe: Doe\n\nI request fusion.\n", [
        ("other", D(2026, 5, 4), "Letter of medical necessity")], id="sentence-case-strong-title-with-date"),
    pytest.param("Pre-operative note\nDate of Service: 04/20/2026\n\nCleared for surgery.\n", [
        ("office_visit", D(2026, 4, 20), "Pre-operative note")], id="pre-op-note-is-a-visit-not-a-procedure"),
    pytest.param("OFFICE VISIT\nDate of Service: 01/05/2026\n\nPrior injections:\n10/13/2025 right SIJ injection, 80% relief\n"
                 "11/03/2025 right SIJ injection, 90% relief\nExam: FABER positive.\n", [
        ("office_visit", D(2026, 1, 5), "OFFICE VISIT")], id="dated-list-inside-a-visit-stays"),
    pytest.param("SPINE SURGERY\nVisit date: 7/21/25\nPatient: Doe, 45 M\n\nChronic low back pain x 3 years.\n", [
        ("office_visit", D(2025, 7, 21), None)], id="kind-from-visit-date-label"),
    pytest.param("Date of Service: 03/30/2026\nPatient: Doe\n\nPrefers an open fusion.\nPlan: open left SI joint fusion.\n", [
        ("office_visit", D(2026, 3, 30), None)], id="kind-from-plan-line"),
    pytest.param("Date of Service: 03/30/2026\n\nFluoroscopy-guided left SI joint injection with contrast, 2 mL lidocaine."
                 "\nPlan: follow up in 2 weeks.\n", [("procedure", D(2026, 3, 30), None)],
                 id="injection-words-outweigh-a-plan-line"),
    pytest.param("OFFICE VISIT\nDate of Service: 01/05/2026\n\nTreatment so far:\n  Physical therapy      10 weeks     no benefit\n"
                 "  Naproxen              6 months     no benefit\n", [
        ("office_visit", D(2026, 1, 5), "OFFICE VISIT")], id="table-row-is-not-a-title"),
]


@pytest.mark.parametrize("text, expected", LOGS)
def test_segment_logs_and_one_line_headers(text, expected):
    assert _summary(text) == expected


PACKET = OFFICE + "\n" + PROCEDURE + "\n" + MRI + "\n" + PT


@pytest.mark.parametrize("perturbed", [
    pytest.param(PACKET.lower(), id="lower-case-packet"),
    pytest.param(PACKET.replace(" ", "  "), id="every-gap-doubled"),
    pytest.param(PACKET.lower().replace(" ", "  "), id="lower-case-and-doubled"),
    pytest.param(PACKET.upper(), id="capitals-packet"),
    pytest.param(PACKET.replace("OFFICE", "OFF\u200bICE").replace("Date of", "Da\u00adte\u00a0of").replace("NOTE", "\ufeffNOTE"),
                 id="zero-width-soft-hyphen-and-nbsp-in-headers"),
])
def test_caseless_or_doubled_packet_splits_like_the_clean_one(perturbed):
    """Titles and date labels are found in a document typed without capitals or with doubled word gaps;
    the notes begin at the same lines and keep the document's own words as titles."""
    clean = segment_notes(PACKET)
    notes = segment_notes(perturbed)
    assert [(n.kind, n.date_of_service) for n in notes] == [(n.kind, n.date_of_service) for n in clean]
    line_of = [perturbed[:n.start].count("\n") for n in notes]
    assert line_of == [PACKET[:n.start].count("\n") for n in clean]
    assert notes[-1].end == len(perturbed)
    assert [t.casefold() for t in (n.title for n in notes)] == [n.title.casefold() for n in clean]
    assert all(a.end == b.start for a, b in itertools.pairwise(notes))


@pytest.mark.parametrize("text, expected", [
    pytest.param(OFFICE + "\nfollow-up visit in six weeks with repeat imaging\nprocedure note to be faxed\n",
                 [("office_visit", D(2026, 2, 3), "OFFICE VISIT")], id="lower-case-title-words-in-a-cased-note"),
    pytest.param("office visit\ndate of service: 02/03/2026\n\nhpi: pain.\nPlan: diagnostic injection, Dr. Smith.\n"
                 "Procedure note to follow.\n", [("office_visit", D(2026, 2, 3), None)],
                 id="lower-case-header-of-a-cased-note-is-no-title"),
])
def test_lower_case_lines_of_a_cased_document_are_not_titles(text, expected):
    assert _summary(text) == expected


@pytest.mark.parametrize("field, opens", [
    pytest.param("IMPRESSION: Sclerosis. No fracture.", False, id="impression-ends-the-exam-above"),
    pytest.param("Final findings: normal.", False, id="findings-end-the-exam-above"),
    pytest.param("Plan: follow up.", False, id="plan-ends-the-visit-above"),
    pytest.param("EXAM: MRI PELVIS", True, id="distractor-exam-field-opens-the-exam-below"),
    pytest.param("Patient: Doe, Jane", True, id="distractor-patient-field-opens-the-note-below"),
])
def test_field_line_above_a_date_header(field, opens):
    text = f"Exam date: 11/14/2025  XR SI JOINTS\nIMPRESSION: Mild.\n{field}\nExam date: 11/28/2025  MRI PELVIS\nText.\n"
    notes = segment_notes(text)
    assert len(notes) == 2
    assert notes[1].start == text.index(field if opens else "Exam date: 11/28")


@pytest.mark.parametrize("text, pages", [
    pytest.param(OFFICE + "\f" + PROCEDURE, 2, id="form-feed-kept-in-the-view"),
    pytest.param(OFFICE + "\f\u200b" + "continued plan text.\n", 1, id="distractor-invisible-page-top-starts-nothing"),
    pytest.param(OFFICE + "\f" + "PROCEDURE\u00a0NOTE\nDate of procedure: 02/20/2026\n", 2, id="nbsp-title-atop-a-page"),
])
def test_pages_in_the_view(text, pages):
    notes = segment_notes(text)
    assert len(notes) == pages
    assert notes[-1].start == (text.index("\f") + 1 if pages == 2 else 0)


@pytest.mark.parametrize("field", [
    pytest.param("EXAM: MRI PELVIS WITHOUT CONTRAST\n", id="one-line"),
    pytest.param("EXAM: MRI PELVIS WITHOUT CONTR-\nAST\n", id="capitals-word-hyphenated-across-lines"),
    pytest.param("EXAM: MRI PELVIS WITH\u00adOUT CONTRAST\n", id="soft-hyphen-inside"),
])
def test_exam_field_opens_its_exam(field):
    text = "RADIOLOGY\n\nEXAM: XR SI JOINTS\nExam date: 11/14/2025\nIMPRESSION: Sclerosis.\n\n" + field + \
        "Exam date: 11/28/2025\nIMPRESSION: Normal.\n"
    assert [n.start for n in segment_notes(text)] == [0, text.index("EXAM: MRI")]


def test_style_given_for_the_whole_document():
    """A note cut from a caseless document is read as caseless even when too short to tell by itself."""
    text = "office visit\ndos: 02/03/2026\nr sij tender.\n"
    assert _summary(text) == [("other", D(2026, 2, 3), None)]  # too short to tell: "office visit" is no title
    notes = segment_notes(text, style=TextStyle(caseless=True))
    assert [(n.kind, n.date_of_service, n.title) for n in notes] == [("office_visit", D(2026, 2, 3), "office visit")]


def test_continuation_page_with_repeated_visit_header_not_split():
    page2 = "Patient: Doe, Jane\nDate of Service: 02/03/2026\nExam continues: FABER positive.\n"
    assert _summary(OFFICE + "\f" + page2) == [("office_visit", D(2026, 2, 3), "OFFICE VISIT")]


@pytest.mark.parametrize("page2, notes", [
    pytest.param("OFFICE VISIT\nExam continues: FABER positive.\n", 1, id="title-repeated-atop-continuation"),
    pytest.param("OFFICE VISIT\nDate of Service: 02/03/2026\nExam continues.\n", 1, id="title-and-same-date-repeated"),
    pytest.param("OFFICE VISIT\nDate of Service: 03/03/2026\nNew visit.\n", 2, id="same-title-new-date-is-new-note"),
    pytest.param("OFFICE VISIT\nDate: 03/03/2026\nNew visit.\n", 2, id="same-title-new-plain-date-is-new-note"),
])
def test_repeated_title_on_continuation_page(page2, notes):
    assert len(segment_notes(OFFICE + "\f" + page2)) == notes


def test_form_feed_alone_does_not_start_a_note():
    assert len(segment_notes(OFFICE + "\fcontinued text of the plan.\nMore plan.\n")) == 1


def test_note_starts_at_page_start_when_header_is_near_top():
    text = OFFICE + "\fRiverside Spine Center\n" + PROCEDURE
    notes = segment_notes(text)
    assert [n.start for n in notes] == [0, text.index("\f") + 1]


def test_fax_header_lines_never_start_notes_nor_give_dates():
    fax = "FAX Date: 03/05/2026 10:14 Page {} of 3"
    text = "\f".join(f"{fax.format(i)}\n{note}" for i, note in enumerate([OFFICE, PROCEDURE, "more plan text.\n"], 1))
    drop = frozenset({line_key(fax.format(1))})
    summary = _summary(text, drop)
    assert summary == [("office_visit", D(2026, 2, 3), "OFFICE VISIT"), ("procedure", D(2026, 2, 20), "PROCEDURE NOTE")]


def test_segment_rendered_pdf_packet(tmp_path):
    render_packet([OFFICE, PROCEDURE, MRI, PT], tmp_path / "p.pdf", header="FAX 555-0100  Page {page} of {pages}")
    doc = ingest(tmp_path / "p.pdf")
    drop = repeated_page_lines(doc.text, doc.page_starts)
    notes = segment_notes(doc.text, drop)
    assert [(n.kind, n.date_of_service) for n in notes] == [
        ("office_visit", D(2026, 2, 3)), ("procedure", D(2026, 2, 20)), ("imaging", D(2026, 1, 10)),
        ("therapy", D(2025, 11, 2))]
    assert [n.start for n in notes] == doc.page_starts


def test_empty_text_has_no_notes():
    assert segment_notes("") == []


def test_rules_reject_unknown_keys():
    data = json.loads(rules_text("segments"))
    data["titles"][0]["colour"] = "red"
    with pytest.raises(RuleFileError, match="colour"):
        parse_rules("segments", json.dumps(data), SegmentRules)


SEGMENT_PIECES = ["OFFICE VISIT\n", "PROCEDURE NOTE\n", "MRI PELVIS\n", "Date of Service: 02/03/2026\n", "DOS: 13/45/2026\n",
                  "Date: 1/2/25\n", "\f", "\n\n", "Patient: Doe\n", "EXAM: XR\n", "pain.\n", "\x00", "\ud800", "FAX 1\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SEGMENT_PIECES), st.text(max_size=8)), max_size=40).map("".join))
def test_notes_always_cover_the_text(text):
    notes = segment_notes(text, frozenset({line_key("FAX 2")}))
    if not text:
        assert notes == []
        return
    assert notes[0].start == 0 and notes[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(notes))
    assert all(n.start < n.end for n in notes)


@pytest.mark.parametrize("line, kind", [
    pytest.param("Mr. John Smith", None, id="honorific-name-line-is-no-imaging-title"),
    pytest.param("Mr O'Brien", None, id="honorific-no-period-name-line"),
    pytest.param("MR PELVIS WITHOUT CONTRAST", "imaging", id="distractor-MR-capitals-title"),
    pytest.param("Mr Pelvis Wo Contrast", "imaging", id="distractor-Mr-title-case-order-name"),
])
def test_honorific_name_line_is_no_imaging_title(line, kind):
    from extractor.text.segment import match_title

    rule = match_title(line)
    assert (rule.kind if rule else None) == kind


@pytest.mark.parametrize("text, date", [
    pytest.param("Pain Management New Patient\nService Date/Time: 9/16/2025 08:45 EDT\nPt: Doe\n\nButtock pain.\n",
                 D(2025, 9, 16), id="service-date-time-label"),
    pytest.param("Clinic Note\nVisit Date / Time: 4/8/2026 09:40\n\nButtock pain.\n", D(2026, 4, 8), id="visit-date-time-label"),
    pytest.param("Clinic Note\nDate/Time of call: 4/8/2026\n\nButtock pain.\n", None, id="other-date-time-is-no-visit-label"),
])
def test_date_and_time_labels_give_the_date_of_service(text, date):
    """A Cerner-style "Service Date/Time:" header is the note's date of service."""
    assert [d for _, d, _ in _summary(text)] == [date]
