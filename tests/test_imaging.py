"""imaging facts: modality, site, side, date, findings present/absent (SPEC section 4)."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.facts import imaging

REPORTS = """NORTHGATE IMAGING CENTER - RADIOLOGY REPORTS

EXAM: XR SACROILIAC JOINTS, 3 VIEWS
Exam date: 10/02/2025
CLINICAL HISTORY: Left buttock pain. Rule out fracture.
FINDINGS: Mild subchondral sclerosis along the iliac side of the left SI joint. Joint spaces preserved.
IMPRESSION: Mild degenerative change of the left sacroiliac joint. No fracture, erosion or destructive lesion.

EXAM: XR LEFT HIP, 2 VIEWS
Exam date: 10/02/2025
FINDINGS: Hip joint space well maintained. No osteophytes. No fracture.
IMPRESSION: No radiographic evidence of left hip osteoarthritis.

EXAM: MRI PELVIS (SACROILIAC JOINT PROTOCOL) WITHOUT CONTRAST
Exam date: 10/20/2025
IMPRESSION: Mild degenerative change of the left SI joint. No fracture, tumor, infection or inflammatory sacroiliitis.

Exam date: 12/01/2025   MRI LUMBAR SPINE W/O CONTRAST
FINDINGS: Mild L4-5 disc desiccation without herniation. No central canal or foraminal stenosis.
IMPRESSION: Mild L5-S1 facet arthropathy. No neural compression.
"""


def _facts(note_ctx, text, date="2026-01-15"):
    doc, ctx = note_ctx(text, date)
    facts = imaging.extract(doc, ctx)
    for f in facts:
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return facts


def _row(f):
    return (f.modality, f.site, f.side, f.date.isoformat() if f.date else None, f.assertion,
            sorted(f.findings_present), sorted(f.findings_absent))


def test_radiology_report_with_four_studies(note_ctx):
    rows = sorted(_row(f) for f in _facts(note_ctx, REPORTS))
    assert rows == sorted([
        ("xray", "si_joint", "bilateral", "2025-10-02", "present", ["degenerative_change"],
         ["fracture", "infection", "inflammatory_arthropathy", "tumor"]),
        ("xray", "hip", "left", "2025-10-02", "present", [], ["fracture", "hip_osteoarthritis"]),
        ("mri", "si_joint", "bilateral", "2025-10-20", "present", ["degenerative_change"],
         ["fracture", "infection", "inflammatory_arthropathy", "tumor"]),
        ("mri", "lumbar_spine", None, "2025-12-01", "present", ["degenerative_change"], ["neural_compression"]),
    ])


def test_clinical_history_is_not_a_finding(note_ctx):
    xr = next(f for f in _facts(note_ctx, REPORTS) if f.site == "si_joint" and f.modality == "xray")
    assert "fracture" not in xr.findings_present


@pytest.mark.parametrize("text, expected", [
    pytest.param("XR PELVIS AP    Date: 08/04/2025\nIMPRESSION: No fracture. SI joints without erosion or ankylosis.",
                 ("xray", "pelvis", None, "2025-08-04"), id="pelvis-has-no-side"),
    pytest.param("CT SACROILIAC JOINTS WITHOUT CONTRAST    Date: 08/20/2025\nIMPRESSION: No diastasis.",
                 ("ct", "si_joint", "bilateral", "2025-08-20"), id="both-si-joints-bilateral"),
    pytest.param("Exam date: 07/28/2025   MRI LEFT SACROILIAC JOINT\nIMPRESSION: No fracture.",
                 ("mri", "si_joint", "left", "2025-07-28"), id="one-si-joint-keeps-its-side"),
    pytest.param("XR HIP LEFT     Exam date: 06/02/2025\nIMPRESSION: Left hip joint space preserved.",
                 ("xray", "hip", "left", "2025-06-02"), id="side-after-site"),
    pytest.param("DOS: 12/01/2025 XR LEFT HIP - IMPRESSION: No hip OA.", ("xray", "hip", "left", "2025-12-01"),
                 id="dos-prefixed-one-line-report"),
    pytest.param("07/21/2025 CT RIGHT SI JOINT: no fracture.", ("ct", "si_joint", "right", "2025-07-21"),
                 id="date-prefixed-header"),
    pytest.param("CT PELVIS WITH CONTRAST      Exam date: February 16, 2026\nIMPRESSION: Lytic sacral mass.",
                 ("ct", "pelvis", None, "2026-02-16"), id="month-name-date"),
    pytest.param("XR SCOLIOSIS SURVEY, STANDING     Exam date: 08/18/2025\nIMPRESSION: Degenerative levoscoliosis.",
                 ("xray", "lumbar_spine", None, "2025-08-18"), id="scoliosis-survey-is-spine"),
    pytest.param("BONE SCAN PELVIS\nIMPRESSION: No abnormal uptake.", ("bone_scan", "pelvis", None, "2026-01-15"),
                 id="bone-scan-dated-by-the-note"),
])
def test_study_headers(note_ctx, text, expected):
    facts = _facts(note_ctx, text)
    assert [(f.modality, f.site, f.side, f.date.isoformat() if f.date else None) for f in facts] == [expected]


@pytest.mark.parametrize("sentence, site, present, absent", [
    pytest.param("No fracture or destructive lesion.", "si_joint", [], ["fracture", "infection", "tumor"],
                 id="destructive-is-tumor-and-infection"),
    pytest.param("No significant degenerative change of the hip.", "pelvis", [], ["hip_osteoarthritis"],
                 id="degeneration-of-the-hip-is-hip-oa"),
    pytest.param("No canal stenosis or nerve root impingement.", "lumbar_spine", [], ["neural_compression"],
                 id="stenosis-impingement"),
    pytest.param("Mild facet arthropathy.", "lumbar_spine", ["degenerative_change"], [], id="facet-arthropathy"),
    pytest.param("Bilateral sacroiliitis with erosions.", "si_joint", ["inflammatory_arthropathy"], [],
                 id="sacroiliitis-erosions"),
    pytest.param("Left septic sacroiliitis with osteomyelitis. No underlying neoplasm.", "si_joint",
                 ["infection"], ["tumor"], id="septic-sacroiliitis-is-infection"),
    pytest.param("Mild disc desiccation without herniation.", "lumbar_spine", ["degenerative_change"],
                 ["neural_compression"], id="without-scopes-forward-only"),
    pytest.param("Severe foraminal stenosis with compression of the exiting right L5 nerve root.", "lumbar_spine",
                 ["neural_compression"], [], id="compression-present"),
    pytest.param("Moderate left hip osteoarthritis.", "hip", ["hip_osteoarthritis"], [], id="hip-oa-present"),
    pytest.param("Small marginal osteophytes.", "si_joint", ["degenerative_change"], [],
                 id="osteophytes-outside-the-hip"),
    pytest.param("Symphyseal widening, suggesting instability. No tumor.", "pelvis", ["instability"], ["tumor"],
                 id="widening-instability"),
    pytest.param("No fracture, mild degenerative change.", "si_joint", ["degenerative_change"], ["fracture"],
                 id="severity-word-ends-negation"),
    pytest.param("Sclerosis; metastasis cannot be excluded.", "pelvis", ["degenerative_change"], [],
                 id="hedged-finding-is-neither"),
])
def test_findings(sentence, site, present, absent):
    found_present, found_absent = imaging.sentence_findings(sentence, 0, len(sentence), site)
    assert (sorted(found_present), sorted(found_absent)) == (sorted(present), sorted(absent))


@pytest.mark.parametrize("text, expected", [
    # CONVENTIONS: "XR pelvis + R hip today" in a plan is an order; the packet's report is the study
    # (resolve folds the undated order into it; HO-004's report came 8 days after the order)
    pytest.param("A/P: Sacroiliitis, right (M46.1). XR pelvis + R hip today. CT SI joints and MRI L-spine ordered.",
                 {("xray", "pelvis", None, None, "hypothetical"), ("xray", "hip", "right", None, "hypothetical"),
                  ("ct", "si_joint", "bilateral", None, "hypothetical"),
                  ("mri", "lumbar_spine", None, None, "hypothetical")}, id="SIJ-002-plan-line"),
    pytest.param("Prior MRI of the SI joints in May 2023 showed no fracture or tumor.",
                 {("mri", "si_joint", "bilateral", "2023-05-01", "historical")}, id="SIJ-011-prior-study"),
    pytest.param("MRI lumbar spine 1/12/2025 showed mild facet arthropathy, no stenosis.",
                 {("mri", "lumbar_spine", None, "2025-01-12", "present")}, id="dated-summary"),
    pytest.param("MRI left SI joint 7/29: septic arthritis with sacral osteomyelitis, no neoplasm.",
                 {("mri", "si_joint", "left", "2025-07-29", "present")}, id="SIJ-026-summary-line"),
    pytest.param("MRI recommended.\nMRI of the SI joints recommended if pain persists.",
                 {("mri", "si_joint", "bilateral", None, "hypothetical")}, id="recommended-is-hypothetical"),
])
def test_office_note_mentions(note_ctx, text, expected):
    facts = _facts(note_ctx, text, "2025-08-04")
    assert {(f.modality, f.site, f.side, f.date.isoformat() if f.date else None, f.assertion) for f in facts} == expected


def test_summary_findings(note_ctx):
    facts = _facts(note_ctx, "MRI lumbar spine 1/12/2025 showed mild facet arthropathy, no stenosis.")
    assert (facts[0].findings_present, facts[0].findings_absent) == (["degenerative_change"], ["neural_compression"])


@pytest.mark.parametrize("text", [
    pytest.param("Hip flexor strength 5/5 bilaterally.", id="hip-flexor-is-no-study"),
    pytest.param("XR left knee: mild osteoarthritis.", id="knee-xray-is-no-hip-study"),
    pytest.param("Left SI joint injection under CT guidance.", id="ct-guidance-is-no-study"),
    pytest.param("She has not had any MRI of the lumbar spine.", id="no-study-done"),
    pytest.param("Left buttock pain over the SI joint.", id="no-modality"),
])
def test_distractors(note_ctx, text):
    assert _facts(note_ctx, text) == []


def test_date_of_plain_report_is_date_of_service(note_ctx):
    facts = _facts(note_ctx, "EXAM: XR PELVIS\nIMPRESSION: No fracture.", "2026-03-02")
    assert facts[0].date == dt.date(2026, 3, 2)


def test_plan_done_later_is_evidence_of_the_study(note_ctx):
    """SIJ-010: "MRI L-spine" planned on 9/22, the report of 10/1 shows it done: one fact, both quotes."""
    from extractor.resolve.merge import DatedFact, resolve

    plan_doc, plan_ctx = note_ctx("P: XR SI joints today; MRI L-spine.", "2025-09-22")
    report_doc, report_ctx = note_ctx("Exam date: 10/1/25   MRI LUMBAR SPINE\nIMPRESSION: No neural compression.",
                                      "2025-10-01")
    found = [DatedFact(f, dt.date(2025, 9, 22)) for f in imaging.extract(plan_doc, plan_ctx)]
    found += [DatedFact(f, dt.date(2025, 10, 1)) for f in imaging.extract(report_doc, report_ctx)]
    mri = [f for f in resolve(found) if f.modality == "mri"]
    assert [(f.assertion, f.date) for f in mri] == [("present", dt.date(2025, 10, 1))]
    assert "MRI L-spine" in [ev.text for ev in mri[0].evidence]


def test_plan_never_done_stays_hypothetical(note_ctx):
    from extractor.resolve.merge import DatedFact, resolve

    doc, ctx = note_ctx("Follow-up: MRI lumbar spine ordered.", "2025-11-17")
    facts = resolve([DatedFact(f, dt.date(2025, 11, 17)) for f in imaging.extract(doc, ctx)])
    assert [(f.modality, f.site, f.assertion, f.date) for f in facts] == [("mri", "lumbar_spine", "hypothetical", None)]


@pytest.mark.parametrize("impression, absent", [
    pytest.param("IMPRESSION: Normal right hip, no osteoarthritis.\n", ["hip_osteoarthritis"], id="SIJ-008-split-report"),
    pytest.param("IMPRESSION: Normal right hip.\n", None, id="no-finding-no-fact"),
])
def test_findings_split_from_their_header(note_ctx, impression, absent):
    """A packet split between 'XR RIGHT HIP    Exam date: 12/15/2025' and its IMPRESSION: the
    findings opening the next note take the study whose header closes the text before it."""
    from extractor.nlp.context import NoteContext
    from models import Note

    header = "XR RIGHT HIP    Exam date: 12/15/2025\n"
    whole = header + impression
    doc, ctx = note_ctx(impression, "2025-12-15")
    source = type(ctx.source)(whole)
    ctx = NoteContext(source=source, note=Note(start=len(header), end=len(whole), date_of_service=ctx.date),
                      offsets=_Shift(len(header)))
    facts = imaging.extract(doc, ctx)
    if absent is None:
        assert facts == []
        return
    assert [(f.modality, f.site, f.side, f.date, f.findings_absent) for f in facts] == \
        [("xray", "hip", "right", dt.date(2025, 12, 15), absent)]
    assert all(whole[ev.start:ev.end] == ev.text for ev in facts[0].evidence)


class _Shift:
    def __init__(self, base: int):
        self.base = base

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return start + self.base, end + self.base


# ---- report and note shapes found on the independent held-out corpus (own variants, not its text) ----

@pytest.mark.parametrize("text, expected", [
    pytest.param("DATE: 03/02/2026   EXAM: CT PELVIS WITHOUT CONTRAST\nIMPRESSION: No fracture.",
                 ("ct", "pelvis", None, "2026-03-02"), id="date-label-before-exam-label"),
    pytest.param("Exam date: 11/05/2025  STUDY: XR LEFT HIP 2 VIEWS\nIMPRESSION: No hip OA.",
                 ("xray", "hip", "left", "2025-11-05"), id="exam-date-label-before-study-label"),
    pytest.param("10/14/2025 07:40  XR PELVIS AP (PORTABLE)\nIMPRESSION: No fracture.",
                 ("xray", "pelvis", None, "2025-10-14"), id="date-and-time-before-modality"),
    pytest.param("12/01/2025 4:05 PM  MRI LUMBAR SPINE\nIMPRESSION: No stenosis.",
                 ("mri", "lumbar_spine", None, "2025-12-01"), id="date-and-pm-time-before-modality"),
])
def test_holdout_header_shapes(note_ctx, text, expected):
    facts = _facts(note_ctx, text)
    assert [(f.modality, f.site, f.side, f.date.isoformat() if f.date else None) for f in facts] == [expected]


def test_demographic_labels_do_not_end_the_report(note_ctx):
    text = ("CT SACROILIAC JOINTS WITHOUT CONTRAST\nDate of exam: 02/02/2026\nPatient: Doe, Jane\nMRN: 123\n"
            "CLINICAL: buttock pain.\nFINDINGS: Subchondral sclerosis of the iliac side.\n"
            "IMPRESSION:\n1. Mild degenerative change.\n2. No erosions or fracture.")
    (fact,) = _facts(note_ctx, text)
    assert fact.findings_present == ["degenerative_change"]
    assert sorted(fact.findings_absent) == ["fracture", "inflammatory_arthropathy"]


def test_site_prefixed_impression_label(note_ctx):
    text = "01/09/2026  CT ABDOMEN AND PELVIS WITH CONTRAST\nPELVIS IMPRESSION:\n1. Left sacral ala fracture.\n2. No lytic lesion."
    (fact,) = _facts(note_ctx, text)
    assert (fact.site, fact.findings_present, fact.findings_absent) == ("pelvis", ["fracture"], ["tumor"])


@pytest.mark.parametrize("sentence, site, present, absent", [
    pytest.param("Destructive sacral mass, likely chordoma.", "pelvis", ["tumor"], [], id="destructive-mass-is-tumor"),
    pytest.param("Destructive lytic tumor of the left ilium.", "pelvis", ["tumor"], [], id="destructive-tumor"),
    pytest.param("Destructive process of the right SI joint.", "si_joint", ["infection", "tumor"], [],
                 id="destructive-process-stays-both"),
])
def test_destructive_families(sentence, site, present, absent):
    found_present, found_absent = imaging.sentence_findings(sentence, 0, len(sentence), site)
    assert (sorted(found_present), sorted(found_absent)) == (sorted(present), sorted(absent))


@pytest.mark.parametrize("text, expected", [
    pytest.param("PLAN\nCT pelvis + b/l hips, MRI L-spine. Return in 4 weeks.",
                 {("ct", "pelvis", None, None, "hypothetical"), ("ct", "hip", "bilateral", None, "hypothetical"),
                  ("mri", "lumbar_spine", None, None, "hypothetical")}, id="study-line-under-plan-heading-is-an-order"),
    pytest.param("Plan:\nXR SI JOINTS TODAY; MRI PELVIS.",
                 {("xray", "si_joint", "bilateral", None, "hypothetical"), ("mri", "pelvis", None, None, "hypothetical")},
                 id="today-in-a-plan-orders"),
    pytest.param("XR pelvis 05/04/2025 (read at another hospital): SI joints normal, no fracture.",
                 {("xray", "pelvis", None, "2025-05-04", "present")}, id="site-after-colon-is-a-finding-place"),
    pytest.param("Imaging: XR SI joints today shows mild sclerosis.",
                 {("xray", "si_joint", "bilateral", "2026-01-15", "present")}, id="today-outside-a-plan-is-done"),
])
def test_holdout_prose_families(note_ctx, text, expected):
    facts = _facts(note_ctx, text)
    assert {(f.modality, f.site, f.side, f.date.isoformat() if f.date else None, f.assertion) for f in facts} == expected


# ---- the honorific "Mr" is no MRI (case-sensitive: capital M, small r, a name after it) ----

SEEN = "Office visit\nDate of service: 01/05/2026\n"


@pytest.mark.parametrize("text, expected", [
    pytest.param(SEEN + "Mr. Jones reports left SI joint pain for 8 months. Mr Jones had an MRI of the pelvis "
                 "12/01/2025 showing sacroiliitis.\n",
                 {("mri", "pelvis", None, "2025-12-01", ("inflammatory_arthropathy",), ())},
                 id="line-start-period-and-mid-sentence-no-period"),
    pytest.param(SEEN + "Mr Smith has right sacroiliac joint pain.\nMRI SI joints 11/03/2025: no sacroiliitis.\n",
                 {("mri", "si_joint", "bilateral", "2025-11-03", (), ("inflammatory_arthropathy",))},
                 id="line-start-no-period-then-report-line"),
    pytest.param(SEEN + "Mr. O'Brien describes left hip and SI joint pain; XR pelvis 10/01/2025 showed mild "
                 "degenerative change.\n",
                 {("xray", "pelvis", None, "2025-10-01", ("degenerative_change",), ())}, id="apostrophe-name"),
    pytest.param(SEEN + "Seen with Mr. McDonald for left SI joint pain. Prior MRI of the lumbar spine in 2024 "
                 "showed no stenosis.\n",
                 {("mri", "lumbar_spine", None, "2024-01-01", (), ("neural_compression",))}, id="mc-name-mid-sentence"),
    pytest.param(SEEN + "Mr. ABC is a 60-year-old man with left SI joint pain.\nMr. T reports lumbar spine pain "
                 "radiating to the left hip.\n", set(), id="anonymized-names-capitals-and-initial"),
    pytest.param(SEEN + "Per Mr Jones, left SI joint pain began after a fall; Mr. Jones wants the MRI repeated.\n",
                 set(), id="honorific-beside-a-site-and-no-study"),
    pytest.param(SEEN + "Mrs. Jones reports left SI joint pain. Ms. Smith, her daughter, notes pelvis pain.\n", set(),
                 id="mrs-and-ms-name-no-study"),
])
def test_honorific_is_no_mri(note_ctx, text, expected):
    facts = _facts(note_ctx, text, "2026-01-05")
    got = {(f.modality, f.site, f.side, f.date.isoformat() if f.date else None, tuple(sorted(f.findings_present)),
            tuple(sorted(f.findings_absent))) for f in facts}
    assert got == expected
    assert not [ev.text for f in facts for ev in f.evidence if ev.text.startswith("Mr")]


@pytest.mark.parametrize("text, expected", [
    pytest.param("MR Pelvis 01/02/2026: sacroiliitis.", ("mri", "pelvis", None, "2026-01-02"), id="MR-title-case-site"),
    pytest.param("MR SACROILIAC JOINTS:\nIMPRESSION: No sacroiliitis.", ("mri", "si_joint", "bilateral", "2026-01-15"),
                 id="MR-capitals-report-header"),
    pytest.param("Mr pelvis 01/02/2026: sacroiliitis.", ("mri", "pelvis", None, "2026-01-02"),
                 id="Mr-then-lower-case-site-is-no-name"),
    pytest.param("Mr Pelvis Wo Contrast 01/02/2026: no fracture.", ("mri", "pelvis", None, "2026-01-02"),
                 id="Mr-title-case-order-name"),
    pytest.param("Mr L-spine 01/02/2026: mild facet arthropathy.", ("mri", "lumbar_spine", None, "2026-01-02"),
                 id="Mr-then-spine-abbreviation"),
    pytest.param("Mr Sacroiliac Joints 01/02/2026: no sacroiliitis.", ("mri", "si_joint", "bilateral", "2026-01-02"),
                 id="Mr-then-title-case-joint"),
])
def test_mr_written_as_a_modality_stays_mri(note_ctx, text, expected):
    facts = _facts(note_ctx, text)
    assert [(f.modality, f.site, f.side, f.date.isoformat() if f.date else None) for f in facts] == [expected]


@pytest.mark.parametrize("text, expected", [
    pytest.param("Mr. Jones", [], id="honorific-period"),
    pytest.param("Mr Jones", [], id="honorific-no-period"),
    pytest.param("Mr. O'Brien", [], id="honorific-apostrophe-name"),
    pytest.param("Mr. McDonald", [], id="honorific-mc-name"),
    pytest.param("Mr. Abdul Lumley", [], id="honorific-name-like-a-study-word"),
    pytest.param("Mr. XYZ's", [], id="honorific-anonymized-possessive"),
    pytest.param("Mrs. Jones, Ms. Smith", [], id="mrs-ms"),
    pytest.param("MR pelvis", ["mri"], id="MR-lower-case-site"),
    pytest.param("MR Pelvis 01/02/2026", ["mri"], id="MR-title-case-site"),
    pytest.param("MRI L-spine", ["mri"], id="MRI-abbreviated-site"),
    pytest.param("MR of the sacrum", ["mri"], id="MR-of"),
    pytest.param("MR arthrogram", ["mri"], id="MR-arthrogram"),
    pytest.param("mri pelvis", ["mri"], id="mri-lower-case"),
    pytest.param("MR SACROILIAC JOINTS:", ["mri"], id="MR-capitals-header"),
    pytest.param("Mr pelvis", ["mri"], id="Mr-lower-case-word-is-no-name"),
    pytest.param("Mr Arthrogram Of The Right Hip", ["mri"], id="Mr-title-case-technique"),
    pytest.param("MR. JONES", ["mri"], id="capitals-honorific-cannot-be-told-by-case"),
    pytest.param("MR-compatible pacemaker; MR conditional implant", [], id="compatible-conditional-stay-excluded"),
])
def test_modality_vocabulary_and_the_honorific(text, expected):
    from extractor.facts._clinical import vocab_matches

    assert [v for *_, v in vocab_matches(imaging.rules().modalities, text)] == expected


@pytest.mark.parametrize("line, found", [
    pytest.param("Mr. Jones had an MRI pelvis", False, id="honorific-line"),
    pytest.param("Mr O'Brien: MR PELVIS 01/02/2026", False, id="honorific-no-period-line"),
    pytest.param("MR PELVIS 01/02/2026: sacroiliitis", True, id="MR-capitals-line"),
    pytest.param("Mr Pelvis Wo Contrast  01/02/2026", True, id="Mr-title-case-order-line"),
])
def test_honorific_opens_no_report_header(line, found):
    import re

    assert bool(re.match(imaging.rules().header, line, re.IGNORECASE)) is found


# ---- hedged findings, withdrawn findings, addenda (issue 15 family: a radiology addendum that withdraws
# or corrects a finding; a hedge names no finding present) -------------------------------------------

@pytest.mark.parametrize("sentence, site, present, absent", [
    pytest.param("Possible early erosive change of the left iliac surface.", "si_joint", [], [], id="possible"),
    pytest.param("Marrow edema along the iliac side, suspicious for early sacroiliitis.", "si_joint", [], [],
                 id="suspicious-for"),
    pytest.param("Subchondral T1 foci, question early erosions.", "si_joint", [], [], id="question-early"),
    pytest.param("Mild marrow edema; inflammatory arthropathy not excluded.", "si_joint", [], [],
                 id="not-excluded-after"),
    pytest.param("Lucency concerning for a lytic lesion.", "pelvis", [], [], id="concerning-for"),
    pytest.param("Possible tiny erosion; no fracture.", "si_joint", [], ["fracture"],
                 id="hedge-stays-in-its-clause"),
    pytest.param("No fracture, possible early sacroiliitis.", "si_joint", [], ["fracture"],
                 id="hedge-after-a-negated-clause"),
    pytest.param("The term sacroiliitis is withdrawn.", "si_joint", [], ["inflammatory_arthropathy"],
                 id="finding-withdrawn"),
    pytest.param("Erosions are not seen.", "si_joint", [], ["inflammatory_arthropathy"], id="not-seen-after"),
    pytest.param("Sclerosis of the left SI joint is confirmed.", "si_joint", ["degenerative_change"], [],
                 id="distractor-affirmed-after"),
    pytest.param("Findings compatible with sacroiliitis.", "si_joint", ["inflammatory_arthropathy"], [],
                 id="distractor-compatible-with-is-affirmed"),
    pytest.param("The joint in question shows mild sclerosis.", "si_joint", ["degenerative_change"], [],
                 id="distractor-joint-in-question"),
])
def test_hedged_and_withdrawn_findings(sentence, site, present, absent):
    found_present, found_absent = imaging.sentence_findings(sentence, 0, len(sentence), site)
    assert (sorted(found_present), sorted(found_absent)) == (sorted(present), sorted(absent))


@pytest.mark.parametrize("report, present, absent", [
    pytest.param("MRI SACROILIAC JOINTS W/O    01/12/2026\nImpression: Subchondral edema; findings compatible with "
                 "sacroiliitis.\nADDENDUM 01/14/2026 (Dr. Vale): The focus is a vascular channel, not an erosion. "
                 "No erosions or inflammatory change. Mild degenerative change only.",
                 ["degenerative_change"], ["inflammatory_arthropathy"], id="addendum-with-date-and-reader"),
    pytest.param("EXAM: MRI BILATERAL SACROILIAC JOINTS\nFINDINGS: Erosive change left iliac side. No fracture.\n"
                 "ADDENDUM: On review with STIR images there is no erosion and no sacroiliitis.",
                 [], ["fracture", "inflammatory_arthropathy"], id="addendum-label"),
    pytest.param("EXAM: CT PELVIS\nIMPRESSION: Left sacral ala fracture.\nCorrected report: no fracture; the "
                 "line is a nutrient canal.", [], ["fracture"], id="corrected-report"),
    pytest.param("EXAM: MRI SACROILIAC JOINTS\nIMPRESSION: No fracture.\nADDENDUM: A nondisplaced left sacral "
                 "fracture is seen on the coronal images.", ["fracture"], [], id="addendum-adds-a-finding"),
    pytest.param("MRI SACROILIAC JOINTS WITHOUT CONTRAST\nExam date: 04/08/2026\nImpression: Possible early erosive "
                 "change right SIJ - correlate for sacroiliitis. Mild sclerosis.\nElectronically signed: R. Okafor, MD "
                 "04/08/2026 17:40\n\nADDENDUM 04/10/2026: The foci are vascular channels. No erosions. No findings "
                 "of sacroiliitis.\nR. Okafor, MD", ["degenerative_change"], ["inflammatory_arthropathy"],
                 id="addendum-after-signature-and-blank-line"),
    pytest.param("XR LEFT HIP - 12/29/2025\nFINDINGS: Joint space narrowing suggesting mild osteoarthritis.\n"
                 "ADDENDUM 12/31/2025: The narrowing was rotation. The finding of osteoarthritis is withdrawn.",
                 [], ["hip_osteoarthritis"], id="finding-withdrawn-in-addendum"),
    pytest.param("05/04/2026 MRI SACROILIAC JOINTS\nFINDINGS: Mild edema. No erosions. No fracture.\nADDENDUM "
                 "05/06/2026: The statement \"No erosions\" in the original report is retracted.",
                 ["inflammatory_arthropathy"], ["fracture"], id="retracted-negation-affirms"),
    pytest.param("05/26/2026  MRI LUMBAR SPINE W/O: Mild L5-S1 disc bulge. Foraminal narrowing with possible "
                 "contact of the L5 root.\n  ADDENDUM 05/28/2026: No contact of the L5 root. No neural compression.",
                 ["degenerative_change"], ["neural_compression"], id="indented-addendum-under-a-one-line-report"),
    pytest.param("EXAM: MRI PELVIS\nIMPRESSION: Sacral mass S1-S4.\nADDENDUM: The S1 signal is marrow, not tumor; "
                 "the mass spans S2-S4.", ["tumor"], [], id="addendum-narrows-but-keeps-the-finding"),
    pytest.param("EXAM: MRI SACROILIAC JOINTS\nIMPRESSION: Bilateral erosions, active sacroiliitis.\nADDENDUM: "
                 "Ordering provider notified. No fracture.", ["inflammatory_arthropathy"], ["fracture"],
                 id="distractor-addendum-that-leaves-the-finding"),
])
def test_addendum_replaces_what_the_report_said(note_ctx, report, present, absent):
    facts = _facts(note_ctx, report)
    assert len(facts) == 1
    assert (sorted(facts[0].findings_present), sorted(facts[0].findings_absent)) == (sorted(present), sorted(absent))


def test_addendum_of_another_report_is_not_attached(note_ctx):
    text = ("EXAM: XR PELVIS\nIMPRESSION: Erosions of both SI joints.\n\nOFFICE NOTE\nAddendum: patient called, "
            "no fracture on outside films.")
    xr = [f for f in _facts(note_ctx, text) if f.site == "pelvis"]
    assert [(f.findings_present, f.findings_absent) for f in xr] == [(["inflammatory_arthropathy"], [])]


# ---- report dates in other shapes (issue 15 family: a dated study read as undated) ------------------

@pytest.mark.parametrize("text, expected", [
    pytest.param("Exm Date: OCT 07, 2025@11:02  Procedure: XR SACROILIAC JOINTS 3V\nReport: Mild sclerosis. "
                 "No erosions.\n", [("xray", "si_joint", "2025-10-07", ["degenerative_change"],
                                     ["inflammatory_arthropathy"])], id="month-name-date-procedure-label"),
    pytest.param("JUN 02, 2026  XR HIP LEFT: Preserved joint space. No osteoarthritis.\n"
                 "JUN 09, 2026  MRI LUMBAR SPINE: No stenosis.\n",
                 [("mri", "lumbar_spine", "2026-06-09", [], ["neural_compression"]),
                  ("xray", "hip", "2026-06-02", [], ["hip_osteoarthritis"])], id="month-name-date-prefix"),
    pytest.param("Sept 3, 2025 CT PELVIS - no fracture.\n", [("ct", "pelvis", "2025-09-03", [], ["fracture"])],
                 id="abbreviated-month"),
    pytest.param("LAKESIDE RADIOLOGY - 01/08/2026\nXR PELVIS AP: No fracture.\nMRI LUMBAR SPINE: No stenosis.\n",
                 [("mri", "lumbar_spine", "2026-01-08", [], ["neural_compression"]),
                  ("xray", "pelvis", "2026-01-08", [], ["fracture"])], id="letterhead-date"),
    pytest.param("Patient: DOE, JANE   DOB 06/03/1960\nXR PELVIS AP: No fracture.\n",
                 [("xray", "pelvis", None, [], ["fracture"])], id="distractor-birth-date-is-no-study-date"),
    pytest.param("Procedure: CT-guided aspiration, right sacroiliac joint.\n", [], id="distractor-ct-guided-procedure"),
])
def test_report_date_shapes(note_ctx, text, expected):
    rows = sorted((f.modality, f.site, f.date.isoformat() if f.date else None, sorted(f.findings_present),
                   sorted(f.findings_absent)) for f in _facts(note_ctx, text, None))
    assert rows == sorted(expected)


def test_letterhead_date_does_not_override_the_date_of_service(note_ctx):
    facts = _facts(note_ctx, "LAKESIDE RADIOLOGY - printed 02/01/2026\nXR PELVIS AP: No fracture.\n", "2026-01-08")
    assert [f.date for f in facts] == [dt.date(2026, 1, 8)]


# ---- one report header naming two studies (their findings sentences name the site they speak of) ----

@pytest.mark.parametrize("text, expected", [
    pytest.param("Exam Date: OCT 06, 2025  XR PELVIS 1V / XR HIP RT 2V\n Report: SI joints maintained with mild "
                 "subchondral sclerosis. No fracture. Right hip: normal joint space, no osteoarthritis.\n",
                 {("pelvis", ("degenerative_change",), ("fracture",)), ("hip", (), ("hip_osteoarthritis",))},
                 id="shared-report-line-siteless-sentence-is-the-first-studys"),
    pytest.param("EXAM: XR PELVIS AND LEFT HIP\nFINDINGS: Left hip: mild joint space narrowing. SI joints: no "
                 "erosions.\n",
                 {("pelvis", (), ("inflammatory_arthropathy",)), ("hip", ("hip_osteoarthritis",), ())},
                 id="each-sentence-to-its-site"),
    pytest.param("EXAM: XR PELVIS AND LEFT HIP\nIMPRESSION: No fracture or dislocation.\n",
                 {("pelvis", (), ("fracture",)), ("hip", (), ("fracture",))}, id="distractor-siteless-sentence-is-shared"),
])
def test_shared_header_findings_go_to_the_site_named(note_ctx, text, expected):
    got = {(f.site, tuple(sorted(f.findings_present)), tuple(sorted(f.findings_absent))) for f in _facts(note_ctx, text)}
    assert got == expected


def test_plan_under_an_assessment_slash_plan_heading_is_an_order(note_ctx):
    text = "Assessment/Plan\n1. Left sacroiliitis\n2. Low back pain\nXR pelvis, XR L hip, MRI SI joints, MRI L-spine.\n"
    assert {f.assertion for f in _facts(note_ctx, text)} == {"hypothetical"}


@pytest.mark.parametrize("sentence, present, absent", [
    pytest.param("No degenerative change.", [], ["degenerative_change", "hip_osteoarthritis"], id="hip-no-degenerative-change"),
    pytest.param("Joint space preserved; no degenerative changes or fracture.", [],
                 ["degenerative_change", "fracture", "hip_osteoarthritis"], id="hip-no-degenerative-changes-list"),
    pytest.param("No degenerative arthritis.", [], ["hip_osteoarthritis"], id="distractor-degenerative-arthritis-is-oa"),
    pytest.param("Mild degenerative change of the hip.", ["hip_osteoarthritis"], [], id="distractor-present-is-oa-only"),
])
def test_hip_study_excluding_degenerative_change(sentence, present, absent):
    found_present, found_absent = imaging.sentence_findings(sentence, 0, len(sentence), "hip")
    assert (sorted(found_present), sorted(found_absent)) == (sorted(present), sorted(absent))


@pytest.mark.parametrize("text", [
    pytest.param("HOSPITAL RADIOLOGY   ** faxed 01/16/2026 14:22 **\nCT SIJ: no fracture.\n", id="fax-date"),
    pytest.param("FAMILY MEDICINE - PROGRESS NOTES\nPt: Doe, J   DOB 05/30/1968\nClinician: A. Smith, MD\n\n"
                 "--- 08/14/2025 ---\nS: pain.\nXR pelvis: no fx.\n", id="visit-separator-below-the-letterhead"),
])
def test_letterhead_date_distractors(note_ctx, text):
    assert [f.date for f in _facts(note_ctx, text, None)] == [None]


def test_a_study_line_is_no_letterhead(note_ctx):
    text = "CITY RADIOLOGY\n[01/07/2026] XR SACROILIAC JOINTS\nSIJs: no erosions.\nCT SIJ: no fracture.\n"
    assert {f.date for f in _facts(note_ctx, text, None) if f.modality == "ct"} == {None}


# ---- lists of studies in dictated prose: each site with the modality of its own list item ----------

@pytest.mark.parametrize("text, expected", [
    pytest.param("Imaging: CT of the SI joints, right hip radiographs and a lumbar MRI were reviewed.",
                 {("ct", "si_joint"), ("xray", "hip"), ("mri", "lumbar_spine")}, id="modality-after-site-items"),
    pytest.param("Imaging: SI joint radiographs and CT, right hip radiographs, lumbar MRI reviewed.",
                 {("xray", "si_joint"), ("xray", "hip"), ("mri", "lumbar_spine")},
                 id="mixed-order-items-no-ct-hip"),
    pytest.param("The CT of the SI joints and the lumbar MRI were reviewed.", {("ct", "si_joint"), ("mri", "lumbar_spine")},
                 id="two-items-two-modalities"),
    pytest.param("XR SI joints and R hip reviewed.", {("xray", "si_joint"), ("xray", "hip")},
                 id="distractor-item-without-modality-takes-the-one-before"),
    pytest.param("MRI of the SI joints and lumbar spine reviewed.", {("mri", "si_joint"), ("mri", "lumbar_spine")},
                 id="distractor-shared-modality"),
    pytest.param("The lumbar MRI reviewed today showed degenerative SI joint change only and a normal hip.",
                 {("mri", "lumbar_spine")}, id="sites-after-showed-are-findings-places"),
])
def test_prose_study_lists(note_ctx, text, expected):
    assert {(f.modality, f.site) for f in _facts(note_ctx, text, "2026-01-15")} == expected


def test_date_label_with_the_colon_after_the_date(note_ctx):
    text = ("EXAM DATE 04/01/2026: XR SI JOINTS AP/OBLIQUES + XR LEFT HIP\nFindings: SI joints symmetric, no "
            "erosions. Left hip: normal joint space, no degenerative change.\n")
    rows = {(f.site, f.date.isoformat() if f.date else None, tuple(sorted(f.findings_absent)))
            for f in _facts(note_ctx, text, None)}
    assert rows == {("si_joint", "2026-04-01", ("inflammatory_arthropathy",)),
                    ("hip", "2026-04-01", ("degenerative_change", "hip_osteoarthritis"))}


def _findings_by_study(note_ctx, text):
    return {(f.modality, f.site): (sorted(f.findings_present), sorted(f.findings_absent))
            for f in _facts(note_ctx, text)}


@pytest.mark.parametrize("text, expected", [
    # a combined report whose lines are labelled by part ("SI joints:", "Left hip:") keeps going past the
    # labels, and each part's findings are that study's, also a later sentence of the same line
    pytest.param("VALLEY RADIOLOGY\n03/02/2026 XR SI JOINTS; XR LEFT HIP 2 VIEWS\n"
                 "SI joints: no erosions, no widening.\nLeft hip: normal joint space. No osteoarthritis.\n",
                 {("xray", "si_joint"): ([], ["inflammatory_arthropathy", "instability"]),
                  ("xray", "hip"): ([], ["hip_osteoarthritis"])}, id="site-part-labels"),
    pytest.param("XR PELVIS AP + R HIP 2V 02/16/2026\nPelvis: symphysis normal, no diastasis. No fracture.\n"
                 "R hip: Normal. No osteoarthritis.\n",
                 {("xray", "pelvis"): ([], ["fracture", "instability"]),
                  ("xray", "hip"): ([], ["hip_osteoarthritis"])}, id="pelvis-and-hip-parts"),
    # a modality label under a two-modality header is that study's part, not a new study
    pytest.param("04/13/2026 CT SACROILIAC JOINTS W/O; MRI LUMBAR SPINE W/O\n"
                 "CT: SI joints normal. No fracture or erosion.\nMRI: no stenosis, no nerve root compression.\n",
                 {("ct", "si_joint"): ([], ["fracture", "inflammatory_arthropathy"])}, id="modality-part-labels"),
    # a patient line inside the report header does not end the report
    pytest.param("XR PELVIS AP   DATE: 10/06/2025\nPt: DOE, JANE\nFINDINGS: No fracture or diastasis.\n",
                 {("xray", "pelvis"): ([], ["fracture", "instability"])}, id="patient-line-in-header"),
    # distractor: a label of another kind still ends the report
    pytest.param("XR PELVIS AP   DATE: 10/06/2025\nFINDINGS: No fracture.\nPlan: hip x-ray; rule out hip osteoarthritis.\n",
                 {("xray", "pelvis"): ([], ["fracture"])}, id="plan-label-ends-report"),
])
def test_part_labels_of_a_combined_report(note_ctx, text, expected):
    got = _findings_by_study(note_ctx, text)
    assert {k: v for k, v in got.items() if k in expected} == expected
