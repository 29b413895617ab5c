"""Injection facts of one note: site, date, side, purpose, guidance, contrast, drugs, relief, assertion."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.facts.injection.mentions import extract

D = "2026-03-02"
PROC = ("PROCEDURE: Left sacroiliac joint injection, diagnostic, under fluoroscopic guidance\n"
        "TECHNIQUE: Prone position, sterile prep. Skin wheal with 1% lidocaine. A 22-gauge spinal needle was "
        "advanced into the inferior left SI joint under fluoroscopy. Intra-articular spread confirmed with 0.5 mL "
        "Omnipaque 240.\n2 mL of 0.5% bupivacaine injected. No corticosteroid was given.\n"
        "PAIN SCORES: Pre-procedure 7/10. Post-procedure (30 min) 1/10.\n")


def _facts(note_ctx, text, date=D):
    doc, ctx = note_ctx(text, date)
    facts = extract(doc, ctx)
    for f in facts:  # the evidence-offset invariant
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return facts


def _one(note_ctx, text, date=D):
    facts = _facts(note_ctx, text, date)
    assert len(facts) == 1, [f.model_dump(exclude={"evidence"}) for f in facts]
    return facts[0]


@pytest.mark.parametrize("text, site", [
    pytest.param("Left sacroiliac joint injection performed.", "sacroiliac_joint", id="sij-full"),
    pytest.param("Right SI joint block was performed.", "sacroiliac_joint", id="si-joint-block"),
    pytest.param("L SIJ diagnostic block: fluoroscopy, contrast, IA, lidocaine only.", "sacroiliac_joint",
                 id="sij-telegraphic"),
    pytest.param("Injection into the left sacroiliac joint was performed.", "sacroiliac_joint", id="into-the-joint"),
    pytest.param("R SIJ therapeutic, fluoro, contrast, IA, triamcinolone 40 mg.", "sacroiliac_joint",
                 id="sij-purpose-word-only"),
    pytest.param("L4-5 transforaminal epidural steroid injection performed.", "epidural", id="tfesi-words"),
    pytest.param("Right L5-S1 TFESI performed under fluoroscopy.", "epidural", id="tfesi-abbrev"),
    pytest.param("Caudal epidural injection performed.", "epidural", id="caudal"),
    pytest.param("Bilateral L4-5 medial branch blocks performed.", "facet", id="medial-branch-is-facet"),
    pytest.param("Lumbar facet joint injection performed.", "facet", id="facet-joint"),
    pytest.param("Right greater trochanteric bursa injection performed.", "trochanteric_bursa", id="bursa"),
    pytest.param("Trigger point injections performed in the left gluteus.", "other", id="trigger-point"),
    pytest.param("Left piriformis injection performed.", "other", id="piriformis"),
])
def test_site(note_ctx, text, site):
    assert _one(note_ctx, "PROCEDURE NOTE\n" + text + "\nNeedle placed, medication injected.").site == site


@pytest.mark.parametrize("text", [
    pytest.param("Left L4-5 radiofrequency ablation performed.", id="rfa-is-not-an-injection"),
    pytest.param("SI joint dysfunction, left. Tender over the SI joint.", id="sij-without-injection"),
    pytest.param("Flu shot given today. B12 injection monthly.", id="other-injections-without-site"),
    pytest.param("PT/INR 1.1. Pt tolerated exam.", id="lab-text"),
])
def test_no_injection(note_ctx, text):
    assert _facts(note_ctx, text) == []


def test_procedure_note_attributes(note_ctx):
    f = _one(note_ctx, PROC)
    got = f.model_dump(include={"site", "date", "side", "purpose", "guidance", "contrast", "intra_articular",
                                "anesthetic", "steroid", "relief_percent", "relief_hours", "assertion"})
    assert got == {"site": "sacroiliac_joint", "date": dt.date(2026, 3, 2), "side": "left", "purpose": "diagnostic",
                   "guidance": "fluoroscopy", "contrast": True, "intra_articular": True, "anesthetic": "bupivacaine",
                   "steroid": None, "relief_percent": 86, "relief_hours": None, "assertion": "present"}


@pytest.mark.parametrize("line, attr, value", [
    pytest.param("Injected 40 mg Kenalog with 1 mL 0.25% Marcaine.", "steroid", "triamcinolone", id="kenalog"),
    pytest.param("Injected 40 mg Kenalog with 1 mL 0.25% Marcaine.", "anesthetic", "bupivacaine", id="marcaine"),
    pytest.param("Injected 80 mg Depo-Medrol and ropivacaine.", "steroid", "methylprednisolone", id="depo-medrol"),
    pytest.param("Injected 80 mg Depo-Medrol and ropivacaine.", "purpose", "therapeutic", id="steroid-therapeutic"),
    pytest.param("Celestone 6 mg injected.", "steroid", "betamethasone", id="celestone"),
    pytest.param("2 mL of 2% lidocaine, no steroid.", "purpose", "diagnostic", id="anesthetic-only-diagnostic"),
    pytest.param("2 mL of 2% lidocaine, no Kenalog.", "steroid", None, id="negated-steroid"),
    pytest.param("Ultrasound-guided needle placement.", "guidance", "ultrasound", id="ultrasound"),
    pytest.param("CT-guided needle placement.", "guidance", "ct", id="ct"),
    pytest.param("Landmark-guided injection in the office.", "guidance", "none", id="landmark"),
    pytest.param("Performed without contrast due to allergy.", "contrast", False, id="without-contrast"),
    pytest.param("Iohexol confirmed spread.", "contrast", True, id="iohexol"),
    pytest.param("Isovue arthrogram obtained.", "intra_articular", True, id="arthrogram-ia"),
    pytest.param("Periarticular infiltration only.", "intra_articular", False, id="periarticular"),
])
def test_attribute_lines(note_ctx, line, attr, value):
    text = "PROCEDURE: Right SI joint injection.\nNeedle advanced with sterile prep.\n" + line + "\n"
    assert getattr(_one(note_ctx, text), attr) == value


def test_skin_wheal_lidocaine_is_not_the_injectate(note_ctx):
    text = ("PROCEDURE: Left SI joint injection.\nSkin wheal with 1% lidocaine. Needle advanced.\n"
            "Triamcinolone 40 mg injected.\n")
    f = _one(note_ctx, text)
    assert (f.anesthetic, f.steroid, f.purpose) == (None, "triamcinolone", "therapeutic")


@pytest.mark.parametrize("text, assertion, date", [
    pytest.param("Plan: will schedule a repeat SIJ injection.", "hypothetical", None, id="will-schedule"),
    pytest.param("Consider SI joint injection if no better.", "hypothetical", None, id="consider"),
    pytest.param("Plan: left SIJ injection scheduled for 3/20.", "hypothetical", dt.date(2026, 3, 20),
                 id="plan-with-date"),
    pytest.param("Therapeutic corticosteroid SIJ injection is contraindicated given diabetes.", "negated", None,
                 id="contraindicated"),
    pytest.param("She had a left SIJ injection on 2/3 with 80% relief.", "present", dt.date(2026, 2, 3),
                 id="past-with-date"),
    pytest.param("Status post L5-S1 epidural steroid injection in 2021.", "historical", dt.date(2021, 1, 1),
                 id="historical-before-episode"),
])
def test_assertion_and_date(note_ctx, text, assertion, date):
    f = _one(note_ctx, "OFFICE VISIT\nHPI: Left buttock pain.\n" + text + "\n")
    assert (f.assertion, f.date) == (assertion, date)


def test_contraindicated_keeps_purpose(note_ctx):
    f = _one(note_ctx, "Therapeutic corticosteroid SIJ injection is contraindicated given diabetes.\n")
    assert (f.assertion, f.purpose, f.date) == ("negated", "therapeutic", None)


def test_relief_in_same_sentence_links(note_ctx):
    f = _one(note_ctx, "She had a left SIJ injection on 2/3 with 80% relief for 6 hours.\n")
    assert (f.relief_percent, f.relief_hours) == (80, 6)


def test_dated_blocks_in_one_note(note_ctx):
    """SIJ-009: a packet note the segmenter kept whole; each block has its own date and drugs."""
    text = ("PROCEDURE NOTES\nDate of Service: 08/25/2025\n"
            "Left SIJ diagnostic block under fluoroscopy with contrast confirmation of intra-articular spread; "
            "1% lidocaine only.\n90% relief.\nTwo weeks later, Date of Service: 09/08/2025\n"
            "Repeat left SIJ diagnostic block, fluoroscopy, contrast, intra-articular; 0.5% bupivacaine only.\n"
            "80% relief.\nDate of Service: 10/06/2025\n"
            "Left SIJ intra-articular triamcinolone injection, fluoroscopic guidance with contrast.\n")
    facts = sorted(_facts(note_ctx, text, "2025-08-25"), key=lambda f: f.date)
    got = [(f.date.isoformat(), f.purpose, f.anesthetic, f.steroid, f.relief_percent) for f in facts]
    assert got == [("2025-08-25", "diagnostic", "lidocaine", None, 90),
                   ("2025-09-08", "diagnostic", "bupivacaine", None, 80),
                   ("2025-10-06", "therapeutic", None, "triamcinolone", None)]


def test_epidural_beside_sij_stays_apart(note_ctx):
    text = ("OFFICE VISIT\nPrior L5-S1 epidural steroid injection on 1/5 gave no relief. "
            "Left SI joint injection on 2/3 gave 90% relief.\n")
    got = sorted((f.site, f.date.isoformat(), f.relief_percent) for f in _facts(note_ctx, text))
    assert got == [("epidural", "2026-01-05", 0), ("sacroiliac_joint", "2026-02-03", 90)]


def test_regression_sij_004_injection_log_table(note_ctx):
    text = ("ST. ANSELM PM&R - SACROILIAC JOINT INJECTION LOG\nPatient: A. L.\n\n"
            "All injections intra-articular, fluoroscopic guidance, iohexol contrast arthrogram.\n"
            "Pain NRS pre and 30 min post.\n\n"
            "Date         Side  Type         Injectate                          IA   Contrast  Pre  Post\n"
            "05-Jan-2026  R     diagnostic   bupivacaine 0.5% 2 mL              yes  yes       8    1\n"
            "26-Jan-2026  R     diagnostic   lidocaine 2% 2 mL                  yes  yes       6    1\n"
            "23-Feb-2026  R     therapeutic  triamcinolone 40 mg + bupiv 0.25%  yes  no        7    6 (2-wk f/u)\n")
    facts = _facts(note_ctx, text, None)
    got = [(f.date.isoformat(), f.side, f.purpose, f.anesthetic, f.steroid, f.guidance, f.intra_articular,
            f.contrast, f.relief_percent) for f in facts]
    assert got == [
        ("2026-01-05", "right", "diagnostic", "bupivacaine", None, "fluoroscopy", True, True, 88),
        ("2026-01-26", "right", "diagnostic", "lidocaine", None, "fluoroscopy", True, True, 83),
        ("2026-02-23", "right", "therapeutic", "bupivacaine", "triamcinolone", "fluoroscopy", True, False, 14)]


def test_table_without_injection_site_is_ignored(note_ctx):
    text = ("LAB RESULTS\nDate         Pre  Post\n05-Jan-2026  8    1\n")
    assert _facts(note_ctx, text, None) == []


def test_regression_sij_008_scores_with_stated_percent(note_ctx):
    text = ("DOS: 04/13/2026\nR SIJ diagnostic block, fluoroscopic guidance, Omnipaque 240, intra-articular, "
            "0.5% bupivacaine 2 mL, no steroid.\nPain 7/10 pre, 1/10 at 30 min (85%).\n")
    f = _one(note_ctx, text, "2026-04-13")
    assert (f.date, f.relief_percent, f.contrast, f.purpose) == (dt.date(2026, 4, 13), 85, True, "diagnostic")


def test_regression_sij_021_generic_mention_does_not_take_the_note_date(note_ctx):
    text = "DOS 06/01/2026: 60% relief persisting 3 months after the steroid injection in the left SI joint.\n"
    assert all(f.date is None for f in _facts(note_ctx, text, "2026-06-01"))


def test_regression_sij_004_log_table_after_pdf_text_layer(note_ctx):
    """The same log once a PDF text layer has collapsed most column gaps to one space."""
    text = ("ST. ANSELM PM&R - SACROILIAC JOINT INJECTION LOG\n\n"
            "All injections intra-articular, fluoroscopic guidance, iohexol contrast arthrogram.\n\n"
            "Date\tSide Type\tInjectate\tIA Contrast Pre Post\n"
            "05-Jan-2026 R diagnostic bupivacaine 0.5% 2 mL\tyes yes\t8 1\n"
            "26-Jan-2026 R diagnostic lidocaine 2% 2 mL\tyes no\t6 1\n"
            "23-Feb-2026 R therapeutic triamcinolone 40 mg + bupiv 0.25% yes yes\t7 6 (2-wk f/u)\n")
    got = [(f.date.isoformat(), f.side, f.purpose, f.anesthetic, f.steroid, f.contrast, f.relief_percent)
           for f in _facts(note_ctx, text, None)]
    assert got == [("2026-01-05", "right", "diagnostic", "bupivacaine", None, True, 88),
                   ("2026-01-26", "right", "diagnostic", "lidocaine", None, False, 83),
                   ("2026-02-23", "right", "therapeutic", "bupivacaine", "triamcinolone", True, 14)]


@pytest.mark.parametrize("text, expected", [
    pytest.param("The 8/18 intra-articular steroid injection (Depo-Medrol) gave her about 30% relief for one week.",
                 [("sacroiliac_joint", "2025-08-18", "methylprednisolone", 30)], id="regression-sij-003-dated-generic"),
    pytest.param("Please ice the injection site as needed.", [], id="undated-generic-without-named-injection"),
    pytest.param("The patient was taken to the block room.", [], id="block-room"),
])
def test_generic_mentions(note_ctx, text, expected):
    note = "FOLLOW-UP\nLeft SI joint pain, improving.\n" + text + "\n"
    got = [(f.site, f.date.isoformat() if f.date else None, f.steroid, f.relief_percent)
           for f in _facts(note_ctx, note, "2025-09-22")]
    assert got == expected


def test_suggested_injection_is_hypothetical(note_ctx):
    f = _one(note_ctx, "Dr. R suggested that the patient try some cervical epidural steroid injections.\n")
    assert f.assertion == "hypothetical"


@pytest.mark.parametrize("text, expected", [
    pytest.param("s/p L SIJ inj 3/2 w/ 80% relief x 4h.", [("sacroiliac_joint", "2026-03-02", "left", 80, 4)],
                 id="telegraphic-history"),
    pytest.param("SIJ injection (2/3/26): 90% relief.", [("sacroiliac_joint", "2026-02-03", None, 90, None)],
                 id="date-in-parens"),
    pytest.param("She received a bilateral SIJ injection in January with 6 hours of relief.",
                 [("sacroiliac_joint", "2026-01-01", "bilateral", None, 6)], id="hours-of-relief-only"),
    pytest.param("Right SI joint block 3/10: pain improved from 8/10 to 2/10 after the block.",
                 [("sacroiliac_joint", "2026-03-10", "right", 75, None)], id="scores-from-to-not-a-date"),
    pytest.param("Left sacroiliac joint injection on 3/3: VAS decreased from 7 to 1.",
                 [("sacroiliac_joint", "2026-03-03", "left", 86, None)], id="vas-from-to-without-tenths"),
    pytest.param("She had 2 prior epidurals without benefit and a left SI joint injection in February that gave "
                 "75% relief for 3 hours.",
                 [("epidural", None, None, None, None), ("sacroiliac_joint", "2026-02-01", "left", 75, 3)],
                 id="two-injections-one-sentence-own-dates-and-sides"),
])
def test_history_phrasings(note_ctx, text, expected):
    got = sorted((f.site, f.date.isoformat() if f.date else None, f.side, f.relief_percent, f.relief_hours)
                 for f in _facts(note_ctx, "OFFICE VISIT\n" + text + "\n", "2026-04-01") if f.assertion == "present")
    assert got == expected


# ---------------------------------------------------------------- II.H: contraindication, not absence

@pytest.mark.parametrize("text", [
    pytest.param("Corticosteroid SI joint injection is contraindicated (steroid-induced psychosis).",
                 id="contraindicated"),
    pytest.param("She is not a candidate for a steroid SIJ injection due to uncontrolled diabetes (A1c 11.2).",
                 id="not-a-candidate-due-to"),
    pytest.param("No steroids given uncontrolled diabetes; therapeutic SI joint injection deferred.",
                 id="no-steroids-given-diabetes"),
    pytest.param("Cannot receive corticosteroid SIJ injection because of prior avascular necrosis.",
                 id="cannot-receive-because"),
])
def test_contraindication_is_a_negated_therapeutic_sij_injection(note_ctx, text):
    f = _one(note_ctx, "OFFICE VISIT\nHPI: Left buttock pain.\n" + text + "\n")
    assert (f.site, f.assertion, f.date) == ("sacroiliac_joint", "negated", None)


@pytest.mark.parametrize("text", [
    pytest.param("She has not had a steroid injection in the SI joint.", id="has-not-had"),
    pytest.param("No prior SI joint injections.", id="no-prior"),
    pytest.param("Never had a sacroiliac joint injection.", id="never-had"),
    pytest.param("She declined the therapeutic SIJ injection for now.", id="declined-is-no-contraindication"),
    pytest.param("Not a candidate for SI joint injection at this time.", id="not-a-candidate-without-reason"),
])
def test_plain_absence_is_no_injection_fact(note_ctx, text):
    """A chart that lacks an injection does not document a contraindication (II.H would be a false met)."""
    facts = _facts(note_ctx, "OFFICE VISIT\nHPI: Left buttock pain.\n" + text + "\n")
    assert [f for f in facts if f.assertion == "negated"] == []


@pytest.mark.parametrize("text, assertion", [
    pytest.param("Pt called: 80% better x 4 hrs after the L SIJ block, then pain back to baseline.", "present",
                 id="then-after-the-mention-is-narrative"),
    pytest.param("If PT fails, then a left SI joint injection.", "hypothetical", id="then-before-the-mention-is-plan"),
])
def test_then_is_a_plan_only_before_the_injection(note_ctx, text, assertion):
    f = _one(note_ctx, "TELEPHONE NOTE\n" + text + "\n")
    assert f.assertion == assertion


@pytest.mark.parametrize("text, assertion", [
    pytest.param("The pain does not go below the knee, she cannot sit long, she had a right SI joint injection "
                 "on 2/3 with 80% relief.", "present", id="negation-ends-at-a-new-subject"),
    pytest.param("Pain does not radiate, and he had a lumbar TFESI on 1/20 without benefit.", "present",
                 id="negation-ends-at-and-he"),
])
def test_negation_scope_ends_at_a_new_clause(note_ctx, text, assertion):
    f = _one(note_ctx, "OFFICE VISIT\n" + text + "\n")
    assert f.assertion == assertion


@pytest.mark.parametrize("text", [
    pytest.param("No PT, chiropractic, or SI joint injections so far.", id="negated-list-stays-negated"),
    pytest.param("She has not had an epidural, or any other injection.", id="negated-list-with-comma"),
])
def test_negated_lists_give_no_injection(note_ctx, text):
    facts = _facts(note_ctx, "OFFICE VISIT\n" + text + "\n")
    assert [f for f in facts if f.assertion == "present"] == []


@pytest.mark.parametrize("text, dates", [
    pytest.param("First L SIJ block 01/13 gave 90% relief. Repeat L SIJ block three weeks later: 80% relief.",
                 [dt.date(2026, 1, 13), dt.date(2026, 2, 3)], id="weeks-later-from-previous-block"),
    pytest.param("Right SIJ block on 2/2. Second right SIJ block 16 days later with fluoroscopy.",
                 [dt.date(2026, 2, 2), dt.date(2026, 2, 18)], id="days-later"),
    pytest.param("Right SIJ block on 2/2. Pain returned 3 months later.", [dt.date(2026, 2, 2)],
                 id="distractor-months-later-no-second-injection"),
])
def test_injection_dated_from_the_previous_one(note_ctx, text, dates):
    facts = _facts(note_ctx, "FOLLOW-UP\n" + text + "\n", "2026-04-28")
    assert sorted(f.date for f in facts if f.date) == dates


# ---- a procedure heading that opens its line with the date dates the entry below it (round 5) ----

@pytest.mark.parametrize("heading1, heading2", [
    pytest.param("PROCEDURE 11/04/2025 - R SIJ diagnostic block #1", "PROCEDURE 11/25/2025 - R SIJ diagnostic block #2",
                 id="caps-heading-dash"),
    pytest.param("Procedure note 11/04/2025: right SI joint block", "Procedure note 11/25/2025: repeat right SI joint block",
                 id="procedure-note-colon"),
    pytest.param("INJECTION 11/04/2025  Right SIJ diagnostic injection", "INJECTION 11/25/2025  Right SIJ diagnostic injection",
                 id="injection-heading-gap"),
])
def test_procedure_headings_with_dates_read_their_own_entries(note_ctx, heading1, heading2):
    text = (f"PAIN CLINIC RECORDS\n\n{heading1}\nFluoroscopic guidance, contrast with intra-articular spread. "
            f"2 mL 1% lidocaine. 85% relief at 30 min.\n\n{heading2}\n"
            f"Fluoroscopy, Omnipaque, intra-articular. 2 mL 0.5% bupivacaine. 80% relief.\n")
    facts = sorted(_facts(note_ctx, text, None), key=lambda f: f.date)
    got = [(f.date.isoformat(), f.guidance, f.contrast, f.intra_articular, f.anesthetic, f.relief_percent)
           for f in facts]
    assert got == [("2025-11-04", "fluoroscopy", True, True, "lidocaine", 85),
                   ("2025-11-25", "fluoroscopy", True, True, "bupivacaine", 80)]


def test_a_date_after_procedure_inside_prose_is_no_heading(note_ctx):
    """Only a heading that opens its line labels an entry: a retelling in prose reads its own sentence only."""
    text = ("OFFICE VISIT\nShe says the procedure 11/04/2025 (right SIJ injection) helped.\n"
            "Today: fluoroscopy is not needed; continue naproxen.\n")
    facts = _facts(note_ctx, text, "2026-01-10")
    assert [(f.date.isoformat(), f.guidance) for f in facts] == [("2025-11-04", None)]


# ---- an injection named after a plan label on its own line is the plan's item, not an injection done ----

@pytest.mark.parametrize("line, assertion", [
    pytest.param("Plan: fluoroscopic R SIJ diagnostic block x2; continue home exercises.", "hypothetical",
                 id="plan-label-first-item"),
    pytest.param("PLAN: XR SI joints and right hip. Fluoroscopic R SIJ blocks.", "hypothetical",
                 id="plan-label-later-sentence"),
    pytest.param("P: R SIJ dx block.", "hypothetical", id="p-label"),
    pytest.param("A/P: Right SI joint dysfunction (M53.3). Fluoro R SIJ steroid injection.", "hypothetical",
                 id="a-p-label"),
    pytest.param("Recommendations: image-guided right SI joint injection.", "hypothetical", id="recommendations-label"),
    # distractors: the line tells an injection done
    pytest.param("A/P: s/p R SIJ block with 80% relief for 6 hours.", "present", id="past-cue-in-a-p-line"),
    pytest.param("Plan: R SIJ block 2/10 gave 80% relief; proceed to surgery.", "present", id="dated-in-plan-line"),
    pytest.param("HPI: fluoroscopic R SIJ block last month helped.", "present", id="other-label"),
])
def test_injection_in_a_plan_line(note_ctx, line, assertion):
    f = _one(note_ctx, "OFFICE VISIT\n" + line + "\n")
    assert f.assertion == assertion


@pytest.mark.parametrize("text, negated", [
    pytest.param("Discussed a second confirmatory SIJ block - she declines for now.", True, id="declines-second-block"),
    pytest.param("Relief was below threshold; second SIJ block not pursued.", True, id="not-pursued"),
    pytest.param("Patient refused the diagnostic SI joint block.", True, id="refused-diagnostic-block"),
    # distractors: a refused steroid injection is no contraindication (II.H), an absence is no fact
    pytest.param("She declined the triamcinolone SIJ injection.", False, id="refused-steroid-is-no-fact"),
    pytest.param("Declines the therapeutic SI joint injection.", False, id="refused-therapeutic-is-no-fact"),
    pytest.param("No SI joint blocks so far.", False, id="absence"),
])
def test_refused_block_is_negated(note_ctx, text, negated):
    facts = _facts(note_ctx, "OFFICE VISIT\nHPI: Left buttock pain.\n" + text + "\n")
    assert any(f.assertion == "negated" and f.site == "sacroiliac_joint" for f in facts) == negated


@pytest.mark.parametrize("text, assertion", [
    pytest.param("A/P:\n 1. Sacroiliitis, right - M46.1\n 2. XR SI joints today.\n 3. R SIJ diagnostic block x2.\n",
                 "hypothetical", id="numbered-item-under-a-p-heading"),
    pytest.param("Assessment and Plan\n- Right SI joint dysfunction\n- Fluoroscopic R SIJ steroid injection\n",
                 "hypothetical", id="item-under-assessment-and-plan-heading"),
    # distractors: a retold, past or dated injection under the heading stays present
    pytest.param("A/P:\n 1. s/p R SIJ block with 80% relief.\n", "present", id="past-cue-under-a-p"),
    pytest.param("Assessment:\n R SIJ diagnostic block gave 80% relief.\n", "present", id="assessment-alone-is-no-plan"),
    pytest.param("A/P:\n 1. SI joint dysfunction, left - 2 confirmatory SIJ blocks >75%.\n", "present",
                 id="result-under-a-p-is-done"),
    pytest.param("Plan: two concordant R SIJ blocks; proceed to fusion.\n", "present", id="result-in-plan-line-is-done"),
])
def test_injection_under_an_assessment_and_plan_heading(note_ctx, text, assertion):
    f = _one(note_ctx, "OFFICE VISIT\n" + text)
    assert f.assertion == assertion
