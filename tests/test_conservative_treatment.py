"""Conservative-treatment facts of one note: modality, assertion, outcome, dates, duration."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.facts.conservative_treatment import extract
from extractor.resolve.conservative import apply_general_outcomes, merge_conservative
from extractor.text.durations import stated_weeks
from models import ConservativeTreatment, Evidence

D = "2025-09-08"


def _facts(note_ctx, text, date=D):
    doc, ctx = note_ctx(text, date)
    facts = extract(doc, ctx)
    for f in facts:  # the evidence-offset invariant
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return facts


def _by_modality(note_ctx, text, date=D):
    return {(f.modality, f.assertion): f for f in _facts(note_ctx, text, date)}


@pytest.mark.parametrize("text, modality", [
    pytest.param("She tried ibuprofen 600 mg TID.", "medication", id="nsaid"),
    pytest.param("Gabapentin 300 mg at night.", "medication", id="gabapentinoid"),
    pytest.param("Cyclobenzaprine as needed for spasm.", "medication", id="muscle-relaxant"),
    pytest.param("Tramadol 50 mg twice daily.", "medication", id="opioid"),
    pytest.param("She completed 8 weeks of formal physical therapy.", "physical_therapy", id="pt-words"),
    pytest.param("PT x 6 weeks.", "physical_therapy", id="pt-abbrev"),
    pytest.param("PT 6 wks (04/2025-05/2025) - no relief", "physical_therapy", id="pt-number-weeks"),
    pytest.param("PT: lumbopelvic stabilization, no change.", "physical_therapy", id="pt-label-then-treatment"),
    pytest.param("PT: done, no help.", "physical_therapy", id="pt-label-lower-case-word-comma"),
    pytest.param("Continues the home exercise program most days.", "home_exercise", id="hep-words"),
    pytest.param("HEP daily since January.", "home_exercise", id="hep-abbrev"),
    pytest.param("Chiropractic adjustments for 2 months.", "chiropractic", id="chiropractic"),
    pytest.param("OMT with her DO twice.", "osteopathic_manipulation", id="omt"),
    pytest.param("Activity modification and avoiding prolonged sitting.", "activity_modification", id="activity-mod"),
    pytest.param("She is on modified duty at work.", "activity_modification", id="modified-duty"),
    pytest.param("She cut back her hours at the bakery.", "activity_modification", id="cut-back-hours"),
    pytest.param("Switched to day shifts, no lifting since June.", "activity_modification", id="no-lifting"),
])
def test_modality(note_ctx, text, modality):
    assert [f.modality for f in _facts(note_ctx, text)] == [modality]


@pytest.mark.parametrize("text", [
    pytest.param("PT/INR 1.1, PTT 30.", id="coagulation-lab"),
    pytest.param("PT 12.5 sec.", id="prothrombin-time"),
    pytest.param("PT STATES SHE FELL AT WORK.", id="pt-as-patient"),
    pytest.param("PT: BRANDVOLD, LISE K   DOB 1961-06-30", id="pt-label-with-patient-name-in-capitals"),
    pytest.param("PT: Abernathy, Colette R.", id="pt-label-with-patient-name"),
    pytest.param("Hep C negative.", id="hepatitis-not-hep"),
    pytest.param("Wears an SI belt during work.", id="si-belt-is-not-a-modality"),
    pytest.param("Lisinopril 10 mg daily.", id="non-analgesic-drug"),
])
def test_distractors(note_ctx, text):
    assert _facts(note_ctx, text) == []


@pytest.mark.parametrize("text, assertion", [
    pytest.param("Denies PT.", "negated", id="denies"),
    pytest.param("She has not tried PT.", "negated", id="has-not-tried"),
    pytest.param("She has never tried physical therapy.", "negated", id="never-tried"),
    pytest.param("She has not taken any medication for this pain.", "negated", id="no-medication"),
    pytest.param("Will start PT twice weekly.", "hypothetical", id="will-start"),
    pytest.param("Recommend PT 2-3x/week for 6 weeks.", "hypothetical", id="recommend-pt-frequency"),
    pytest.param("She declined physical therapy.", "negated", id="declined"),
    pytest.param("Prognosis good with compliance to a home exercise program.", "hypothetical",
                 id="prognosis-boilerplate"),
    pytest.param("The patient was given ibuprofen and her fever resolved.", "present", id="resolved-is-not-denial"),
    pytest.param("If she fails PT, consider injection.", "hypothetical", id="if-she-fails"),
    pytest.param("Her mother did physical therapy for her back.", "family", id="family"),
    pytest.param("PT for 6 weeks did not help.", "present", id="did-not-help-is-outcome"),
    pytest.param("No improvement with physical therapy.", "present", id="no-improvement-is-outcome"),
    pytest.param("She was unable to tolerate PT due to pain.", "present", id="unable-to-tolerate-is-outcome"),
    pytest.param("She completed 8 weeks of PT from May through June 2025.", "present", id="month-may-not-modal"),
])
def test_assertion(note_ctx, text, assertion):
    facts = _facts(note_ctx, text)
    assert [f.assertion for f in facts] == [assertion]


@pytest.mark.parametrize("text, outcome", [
    pytest.param("Ibuprofen without meaningful relief.", "failed", id="without-relief"),
    pytest.param("PT x 6 weeks, no improvement.", "failed", id="no-improvement"),
    pytest.param("She failed physical therapy.", "failed", id="failed"),
    pytest.param("PT 6 wk (-) benefit", "failed", id="minus-benefit"),
    pytest.param("Physical therapy helped significantly.", "improved", id="helped"),
    pytest.param("Completed 6 weeks of PT which helped temporarily.", "failed", id="helped-temporarily"),
    pytest.param("OMT was attempted twice with transient benefit.", "failed", id="transient-benefit"),
    pytest.param("She has been doing a home exercise program for the past 3 months.", "ongoing",
                 id="has-been-doing"),
    pytest.param("Neurontin and oxycodone have not been effective.", "failed", id="have-not-been-effective"),
    pytest.param("Continues the home exercise program.", "ongoing", id="continues"),
    pytest.param("She was unable to tolerate PT due to pain.", "not_tolerated", id="not-tolerated"),
    pytest.param("Gabapentin stopped due to drowsiness.", "not_tolerated", id="side-effect"),
    pytest.param("NSAIDs contraindicated due to CKD.", "contraindicated", id="contraindicated"),
])
def test_outcome(note_ctx, text, outcome):
    assert [f.outcome for f in _facts(note_ctx, text)] == [outcome]


def test_outcomes_by_clause(note_ctx):
    """SIJ-001: PT failed, and home exercise too: "but the pain is unchanged" is a result, "continues" only a status."""
    text = ("She completed 8 weeks of formal physical therapy (lumbopelvic stabilization) from May through "
            "June 2025 and\ncontinues the home exercise program most days, but the pain is unchanged.\n")
    got = _by_modality(note_ctx, text)
    pt, hep = got[("physical_therapy", "present")], got[("home_exercise", "present")]
    assert (pt.outcome, pt.duration_weeks, pt.start_date, pt.end_date) == \
        ("failed", 8, dt.date(2025, 5, 1), dt.date(2025, 6, 1))
    assert (hep.outcome, hep.duration_weeks, hep.start_date) == ("failed", None, None)  # SPEC: the pain persists


def test_drugs_are_one_medication_fact(note_ctx):
    text = ("She has tried ibuprofen 600 mg three times daily since January of this year, later switched to "
            "meloxicam 15 mg daily, without meaningful relief.\n")
    (f,) = _facts(note_ctx, text)
    assert (f.modality, f.start_date, f.date_approximate, f.outcome) == \
        ("medication", dt.date(2025, 1, 1), True, "failed")


@pytest.mark.parametrize("text, start, end", [
    pytest.param("PT 12 sessions from 1/5 to 2/20.", dt.date(2025, 1, 5), dt.date(2025, 2, 20), id="range"),
    pytest.param("PT 6 weeks (6/2/25-7/14/25), not helpful.", dt.date(2025, 6, 2), dt.date(2025, 7, 14),
                 id="range-in-parens"),
    pytest.param("HEP daily since January.", dt.date(2025, 1, 1), None, id="since-month"),
    pytest.param("She completed PT in June 2025.", None, dt.date(2025, 6, 1), id="completed-in"),
])
def test_dates(note_ctx, text, start, end):
    (f,) = _facts(note_ctx, text)
    assert (f.start_date, f.end_date) == (start, end)


@pytest.mark.parametrize("text, weeks", [
    pytest.param("PT x 6 weeks", 6, id="x-weeks"),
    pytest.param("8 weeks of formal PT", 8, id="weeks-of"),
    pytest.param("a 6-week course", 6, id="hyphenated"),
    pytest.param("6-8 weeks of therapy", 6, id="range-lower"),
    pytest.param("PT 2x/week", None, id="frequency-is-not-duration"),
    pytest.param("3 months ago", None, id="relative-date-is-not-duration"),
    pytest.param("naproxen for 3 months", None, id="months-are-not-weeks-by-convention"),
    pytest.param("PT x 6 wks", 6, id="wks"),
])
def test_stated_weeks(text, weeks):
    assert stated_weeks(text) == weeks


def _care(modality, outcome=None, assertion="present"):
    ev = Evidence(document="n.txt", start=0, end=2, text="PT")
    return ConservativeTreatment(modality=modality, outcome=outcome, assertion=assertion, evidence=[ev])


def test_no_failure_default_without_a_statement():
    """One modality failing says nothing of the others: unstated outcomes stay None (SPEC section 4)."""
    facts = [_care("physical_therapy", "failed"), _care("activity_modification"), _care("home_exercise", "ongoing"),
             _care("medication", assertion="negated")]
    got = apply_general_outcomes(facts, [], lambda f: None)
    assert [f.outcome for f in got] == ["failed", None, "ongoing", None]


def test_no_failure_no_default():
    facts = [_care("physical_therapy", "improved"), _care("activity_modification")]
    assert [f.outcome for f in apply_general_outcomes(facts, [], lambda f: None)] == ["improved", None]


@pytest.mark.parametrize("text, modality, outcome", [
    pytest.param("In March she began celecoxib, later gabapentin, neither of which helped, and she has reduced "
                 "her hours and avoids lifting since March.", "activity_modification", "failed",
                 id="regression-sij-009-neither-helped-shared"),
    pytest.param("In March she began celecoxib, later gabapentin, neither of which helped.", "medication", "failed",
                 id="regression-sij-009-neither-helped"),
    pytest.param("Discharge plan: independent with home exercise program; continue daily.", "home_exercise",
                 "ongoing", id="regression-sij-005-continuing-plan-is-present"),
    pytest.param("Retired early from carpentry because of the pain.", "activity_modification", "ongoing",
                 id="regression-sij-006-retired-is-a-lasting-change"),
])
def test_regressions(note_ctx, text, modality, outcome):
    facts = {f.modality: f for f in _facts(note_ctx, text)}
    assert facts[modality].assertion == "present" and facts[modality].outcome == outcome


def test_regression_sij_005_pt_discharge_summary_episode(note_ctx):
    text = ("HARBORVIEW PHYSICAL THERAPY - DISCHARGE SUMMARY\nDischarge date: 03/14/2025\n\n"
            "Episode: 10 weeks (01/06/2025 - 03/14/2025), 18 visits - lumbopelvic and hip strengthening.\n"
            "Outcome: Goals not met. Pain unchanged at 7/10.\n")
    pt = _by_modality(note_ctx, text, "2025-03-14")[("physical_therapy", "present")]
    assert (pt.start_date, pt.end_date, pt.duration_weeks, pt.outcome) == \
        (dt.date(2025, 1, 6), dt.date(2025, 3, 14), 10, "failed")


def test_year_alone_is_no_start_date(note_ctx):
    (f,) = _facts(note_ctx, "12 weeks of physical therapy in 2025 with no improvement.\n")
    assert (f.start_date, f.duration_weeks, f.outcome) == (None, 12, "failed")


def test_regression_sij_007_medication_section_outcome_is_for_medications_only(note_ctx):
    text = ("Meds: NSAIDs contraindicated (CKD stage 3); acetaminophen scheduled and duloxetine 60 mg since "
            "March 2025 without relief.\nSince March she avoids stairs and prolonged standing.\n")
    got = {f.modality: (f.assertion, f.outcome) for f in _facts(note_ctx, text, "2025-11-14")}
    # "Since March she avoids ..." is a lasting change with no result: ongoing (CONVENTIONS_2026-12 C1; SIJ-007 gold)
    assert got == {"medication": ("present", "failed"), "activity_modification": ("present", "ongoing")}


def test_general_failure_statement_covers_earlier_care(note_ctx):
    from extractor.resolve.conservative import general_outcome_statements

    text = "ASSESSMENT: Left SI joint dysfunction, refractory to conservative care and injection therapy.\n"
    _, ctx = note_ctx(text, "2026-02-23")
    statements = general_outcome_statements(text, ctx)
    assert [s.evidence.text for s in statements] == ["refractory to conservative care"]
    early, late = _care("activity_modification"), _care("home_exercise")
    dates = {id(early): dt.date(2025, 9, 8), id(late): dt.date(2026, 3, 1)}
    got = apply_general_outcomes([early, late], statements, lambda f: dates[id(f)])
    # the later one is not covered by the statement, and nothing else says it failed
    assert [f.outcome for f in got] == ["failed", None]
    assert [len(f.evidence) for f in got] == [2, 1]
    assert got[0].evidence[-1].text == "refractory to conservative care"


def test_merge_conservative():
    def care(start, end, weeks, outcome, doc):
        ev = Evidence(document=doc, start=0, end=2, text="PT")
        return ConservativeTreatment(modality="physical_therapy", start_date=start, end_date=end,
                                     duration_weeks=weeks, outcome=outcome, evidence=[ev])

    merged = merge_conservative([care(dt.date(2025, 5, 1), None, 8, "ongoing", "a.txt"),
                                 care(None, dt.date(2025, 7, 1), 6, "failed", "b.txt"),
                                 care(dt.date(2025, 4, 1), dt.date(2025, 6, 1), None, "improved", "a.txt")])
    assert (merged.start_date, merged.end_date, merged.duration_weeks, merged.outcome, len(merged.evidence)) == \
        (dt.date(2025, 4, 1), dt.date(2025, 7, 1), 8, "failed", 2)


# ---------------------------------------------------------------- phrasing families of other EHR styles

@pytest.mark.parametrize("text, modality, assertion", [
    pytest.param("Quit playing softball last spring because of the buttock pain.", "activity_modification", "present",
                 id="activity-gave-up-sport"),
    pytest.param("He had to give up his pickup basketball games.", "activity_modification", "present",
                 id="activity-had-to-give-up"),
    pytest.param("Now takes the elevator instead of the stairs at the office.", "activity_modification", "present",
                 id="activity-elevator"),
    pytest.param("Partial weight bearing with a walker since the fall.", "activity_modification", "present",
                 id="activity-weight-bearing"),
    pytest.param("She does core exercises at home every evening.", "home_exercise", "present", id="hep-at-home"),
    pytest.param("Physical therapy: declined because of cost.", "physical_therapy", "negated", id="pt-colon-declined"),
    pytest.param("PT - refused by patient.", "physical_therapy", "negated", id="pt-dash-refused"),
    pytest.param("PT 03/02/2026 - 04/10/2026, 9 visits.", "physical_therapy", "present", id="pt-followed-by-date"),
])
def test_other_ehr_modalities(note_ctx, text, modality, assertion):
    assert [(f.modality, f.assertion) for f in _facts(note_ctx, text, "2026-06-01")] == [(modality, assertion)]


@pytest.mark.parametrize("text", [
    pytest.param("He quit smoking in 2019.", id="quit-smoking-is-no-activity-modification"),
    pytest.param("She enjoys pickleball and swimming.", id="hobby-without-change"),
    pytest.param("She stays at home most days with her kids.", id="at-home-without-exercise"),
    pytest.param("Signed: J. Rivera, PT, DPT", id="pt-credential"),
    pytest.param("PT 13.2, INR 1.0", id="prothrombin-number-still-lab"),
])
def test_other_ehr_distractors(note_ctx, text):
    assert _facts(note_ctx, text, "2026-06-01") == []


@pytest.mark.parametrize("text, modality, outcome", [
    pytest.param("Naproxen and tizanidine, neither has really helped.", "medication", "failed", id="neither-really"),
    pytest.param("Ibuprofen is not helping anymore.", "medication", "failed", id="not-helping"),
    pytest.param("PT 6 weeks with minimal gain.", "physical_therapy", "failed", id="minimal-gain"),
    pytest.param("Chiropractic x 10 visits, no lasting progress.", "chiropractic", "failed", id="no-progress"),
    pytest.param("OMT 4 sessions, temporary relief only.", "osteopathic_manipulation", "failed", id="temporary-only"),
    pytest.param("Tylenol with partial relief.", "medication", "improved", id="partial-relief"),
    pytest.param("Tylenol with only partial relief.", "medication", "failed", id="only-partial-is-failure"),
    pytest.param("She keeps up her HEP 3x/week still.", "home_exercise", "ongoing", id="hep-still"),
    pytest.param("Home stretching routine daily.", "home_exercise", "ongoing", id="home-routine-daily"),
    pytest.param("HEP since March.", "home_exercise", "ongoing", id="hep-since"),
    pytest.param("She did PT, 4 visits, and stopped because of her work schedule.", "physical_therapy", None,
                 id="stopped-for-logistics-is-no-outcome"),
])
def test_other_ehr_outcomes(note_ctx, text, modality, outcome):
    facts = {f.modality: f for f in _facts(note_ctx, text, "2026-06-01")}
    assert facts[modality].outcome == outcome


def test_outcome_stays_in_its_clause(note_ctx):
    """A result told of one item of a ';' list is not the result of the next items."""
    text = "Naproxen with partial relief; PT since 04/2026; avoids heavy lifting.\n"
    got = {f.modality: f.outcome for f in _facts(note_ctx, text, "2026-06-01")}
    # PT "since 04/2026" is current care with no result: ongoing by its own cue, not the naproxen's relief;
    # "avoids heavy lifting" is a lasting change with no result: ongoing (CONVENTIONS_2026-12 C1)
    assert got == {"medication": "improved", "physical_therapy": "ongoing", "activity_modification": "ongoing"}


def test_declined_drug_beside_tried_drugs_is_one_medication_fact(note_ctx):
    text = "NSAIDs are contraindicated because of her CKD, and she declines opioids.\n"
    assert [(f.modality, f.assertion, f.outcome) for f in _facts(note_ctx, text, "2026-06-01")] == \
        [("medication", "present", "contraindicated")]


@pytest.mark.parametrize("text, start, end", [
    pytest.param("8 wks of PT (Mar-Apr 2026), no help.", dt.date(2026, 3, 1), dt.date(2026, 4, 1), id="month-pair"),
    pytest.param("PT January to February 2026 without benefit.", dt.date(2026, 1, 1), dt.date(2026, 2, 1),
                 id="month-pair-words"),
    pytest.param("PT 02/09/2026 - 03/20/2026, 10 visits.", dt.date(2026, 2, 9), dt.date(2026, 3, 20),
                 id="pt-numeric-range"),
])
def test_other_ehr_dates(note_ctx, text, start, end):
    (f,) = _facts(note_ctx, text, "2026-06-01")
    assert (f.start_date, f.end_date) == (start, end)


@pytest.mark.parametrize("text, outcome", [
    pytest.param("Naproxen provided minimal analgesia.", "failed", id="minimal-analgesia"),
    pytest.param("Tramadol had minimal effect.", "failed", id="minimal-effect"),
    pytest.param("Under IV sedation, analgesics were given.", None, id="distractor-procedural-sedation"),
    pytest.param("Cyclobenzaprine caused sedation.", "not_tolerated", id="sedation-as-side-effect"),
])
def test_mtsamples_outcome_families(note_ctx, text, outcome):
    assert [f.outcome for f in _facts(note_ctx, text)] == [outcome]


@pytest.mark.parametrize("text, modality, outcome", [
    # relapse: it helped, then it stopped helping -> failed (SPEC: tried, and the pain persists)
    pytest.param("PT helped at first, then the pain came back.", "physical_therapy", "failed", id="helped-then-came-back"),
    pytest.param("Ibuprofen since 03/2025 - helped initially, now little effect.", "medication", "failed",
                 id="helped-initially-now-little-effect"),
    pytest.param("Completed 8 weeks of physical therapy - still painful.", "physical_therapy", "failed",
                 id="completed-still-painful"),
    pytest.param("Chiropractic adjustments gave relief that wore off within days.", "chiropractic", "failed",
                 id="relief-wore-off"),
    pytest.param("Meloxicam worked for a month but has stopped helping.", "medication", "failed",
                 id="stopped-helping"),
    pytest.param("Home exercises helped, then her symptoms returned to baseline.", "home_exercise", "failed",
                 id="returned-to-baseline"),
    # distractors: the same words that do not say the care failed
    pytest.param("PT helped; she came back for a follow-up visit.", "physical_therapy", "improved",
                 id="came-back-for-a-visit-is-no-relapse"),
    pytest.param("Continues physical therapy twice a week.", "physical_therapy", "ongoing", id="continues-is-ongoing"),
])
def test_relapse_is_failure(note_ctx, text, modality, outcome):
    facts = [f for f in _facts(note_ctx, text) if f.modality == modality]
    assert [f.outcome for f in facts] == [outcome]


@pytest.mark.parametrize("text", [
    pytest.param("LABORATORY DATA: His initial blood work, PT was 11 and PTT 27.", id="prothrombin-time-was-n"),
    pytest.param("Coags: PT of 12.4, INR 1.0.", id="prothrombin-time-of-n"),
    pytest.param("ALLERGIES: Include IV DYE, SULFA, NSAIDS, COMPAZINE, and DEMEROL.", id="allergy-list"),
    pytest.param("ALLERGIES:\nIbuprofen (hives), codeine.", id="allergy-section-lines"),
])
def test_no_care_in_labs_and_allergies(note_ctx, text):
    assert _facts(note_ctx, text) == []


@pytest.mark.parametrize("text, modality", [
    pytest.param("She was seen by PT 12 times over 6 weeks.", "physical_therapy", id="pt-n-times-is-therapy"),
    pytest.param("MEDICATIONS: Ibuprofen 600 mg tid.\nALLERGIES: Sulfa.", "medication", id="medication-beside-allergies"),
])
def test_care_beside_labs_and_allergies_is_kept(note_ctx, text, modality):
    assert [f.modality for f in _facts(note_ctx, text)] == [modality]


# ---------------------------------------------------------------- family: told helped in one note, failed in another

def _dated_care(modality, outcome, day, doc="n.txt"):
    from extractor.resolve.merge import DatedFact

    ev = Evidence(document=doc, start=day.toordinal() % 1000, end=day.toordinal() % 1000 + 2, text="PT")
    return DatedFact(ConservativeTreatment(modality=modality, outcome=outcome, evidence=[ev]), day)


@pytest.mark.parametrize("outcomes, merged", [
    # helped first, failed later, and the other way round: a failure told anywhere stands (SPEC: improved only
    # when the chart "does not later call it failed"; a later note misreading a summary must not undo it)
    pytest.param(["improved", "failed"], "failed", id="helped-then-failed"),
    pytest.param(["failed", "improved"], "failed", id="failed-then-a-later-summary-says-benefit"),
    pytest.param(["not_tolerated", "ongoing"], "not_tolerated", id="stopped-for-side-effects-then-a-status"),
    pytest.param(["not_tolerated", "failed"], "not_tolerated", id="stopped-for-pain-then-failed-care-in-general"),
    # distractors: no failure told, so the result stands over a status, and a lone status stays
    pytest.param(["improved", "ongoing"], "improved", id="helped-then-continues"),
    pytest.param(["ongoing", None], "ongoing", id="status-then-nothing"),
    pytest.param([None, None], None, id="nothing-told"),
])
def test_packet_outcome_ranks_failure_over_benefit(outcomes, merged):
    from extractor.resolve.merge import resolve

    days = [dt.date(2025, 6, 2), dt.date(2026, 1, 12)]
    found = [_dated_care("physical_therapy", o, d, doc=f"{i}.txt") for i, (o, d) in enumerate(zip(outcomes, days))]
    (fact,) = resolve(found)
    assert fact.outcome == merged


# ---------------------------------------------------------------- family: helped at first, then faded

@pytest.mark.parametrize("text, modality, outcome", [
    pytest.param("Formal PT for 8 weeks helped initially, then the pain came back where it started.",
                 "physical_therapy", "failed", id="helped-initially-then-back"),
    pytest.param("Naproxen gave some relief at first but it no longer does anything.", "medication", "failed",
                 id="relief-at-first-no-longer"),
    pytest.param("Her home program was helpful early on; she says \"not anymore.\"", "home_exercise", "failed",
                 id="helpful-early-on-not-anymore"),
    pytest.param("Chiropractic: initially helpful, pain crept back within a month.", "chiropractic", "failed",
                 id="initially-helpful-crept-back"),
    pytest.param("Six OMT visits; the improvement faded after each one.", "osteopathic_manipulation", "failed",
                 id="improvement-faded"),
    pytest.param("PT 10 weeks - helped the first couple of weeks, then nothing.", "physical_therapy", "failed",
                 id="first-couple-of-weeks-then-nothing"),
    pytest.param("Light duty since May, which made a difference at first; pain back up by August.",
                 "activity_modification", "failed", id="activity-pain-back-up"),
    pytest.param("Gabapentin and celecoxib, short-term gains only.", "medication", "failed", id="short-term-gains"),
    # distractors: it helped and nothing says it faded
    pytest.param("Formal PT for 8 weeks helped a great deal.", "physical_therapy", "improved", id="helped-no-fading"),
    pytest.param("Meloxicam started at first visit has helped her sitting tolerance.", "medication", "improved",
                 id="at-first-visit-is-no-fading"),
])
def test_helped_at_first_then_faded_is_failure(note_ctx, text, modality, outcome):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == modality]
    assert [f.outcome for f in facts] == [outcome]


@pytest.mark.parametrize("text, modality, outcome", [
    # a negated result with a qualifier, a perfect tense, a verb of lessening
    pytest.param("Eight weeks of PT without durable benefit.", "physical_therapy", "failed", id="without-durable"),
    pytest.param("Tramadol and acetaminophen with limited benefit.", "medication", "failed", id="limited-benefit"),
    pytest.param("Diclofenac and duloxetine have not controlled the pain.", "medication", "failed",
                 id="have-not-controlled"),
    pytest.param("She started duloxetine in May, which has not reduced the pain.", "medication", "failed",
                 id="has-not-reduced"),
    pytest.param("PT twice weekly through June made no difference.", "physical_therapy", "failed",
                 id="made-no-difference"),
    pytest.param("PT improved his stamina but not the buttock pain.", "physical_therapy", "failed",
                 id="improved-function-but-not-the-pain"),
    # distractors
    pytest.param("Ibuprofen without difficulty swallowing; it helps her pain.", "medication", "improved",
                 id="without-is-no-result"),
    pytest.param("PT improved her pain, but not her sleep.", "physical_therapy", "improved",
                 id="but-not-something-else"),
])
def test_negated_result_families(note_ctx, text, modality, outcome):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == modality]
    assert [f.outcome for f in facts] == [outcome]


@pytest.mark.parametrize("text, outcomes", [
    pytest.param("PT 07/2025-08/2025, 6 weeks; HEP ongoing; no change.",
                 {"physical_therapy": "failed", "home_exercise": "failed"}, id="status-yields-to-a-free-result"),
    pytest.param("Continues the home program; still no improvement.", {"home_exercise": "failed"},
                 id="continues-still-no-improvement"),
    # distractors: a result of another mention of the clause does not replace a status
    pytest.param("PT helped a lot and she continues HEP daily.",
                 {"physical_therapy": "improved", "home_exercise": "ongoing"}, id="own-status-kept"),
    pytest.param("PT 8 weeks, no relief; continues HEP daily.",
                 {"physical_therapy": "failed", "home_exercise": "ongoing"}, id="result-in-other-clause"),
])
def test_status_and_result(note_ctx, text, outcomes):
    got = {f.modality: f.outcome for f in _facts(note_ctx, text, "2025-11-03")}
    assert got == outcomes


def test_packet_outcome_medication_failure_outranks_one_drug_not_tolerated():
    """All drugs are one medication fact: one drug stopped for drowsiness beside drugs that failed is a failed trial."""
    from extractor.resolve.merge import resolve

    found = [_dated_care("medication", "not_tolerated", dt.date(2025, 6, 2), "a.txt"),
             _dated_care("medication", "failed", dt.date(2026, 1, 12), "b.txt")]
    (fact,) = resolve(found)
    assert fact.outcome == "failed"


def test_general_failure_replaces_a_status():
    """'Continues HEP' in one note and 'failed conservative care' later: the HEP failed (a status is no result)."""
    from extractor.resolve.conservative import GeneralOutcome

    ev = Evidence(document="n.txt", start=0, end=2, text="PT")
    statement = GeneralOutcome(ev, dt.date(2026, 1, 5))
    facts = [_care("home_exercise", "ongoing"), _care("physical_therapy", "improved")]
    got = apply_general_outcomes(facts, [statement], lambda f: dt.date(2025, 9, 1))
    assert [f.outcome for f in got] == ["failed", "improved"]


# ---------------------------------------------------------------- family: activity modification in everyday words

@pytest.mark.parametrize("text", [
    # an activity given up: a sport, a class, a chore, any hobby told as a gerund
    pytest.param("He gave up his Saturday tennis league in the spring.", id="gave-up-league"),
    pytest.param("She stepped back from teaching spin classes.", id="stepped-back-from-classes"),
    pytest.param("Has stopped mopping and carrying the laundry basket.", id="stopped-chore-gerund"),
    pytest.param("He is holding off on deer hunting this season.", id="holding-off-on"),
    pytest.param("She no longer mows the lawn.", id="no-longer-mows"),
    # a move to lighter work, an activity swapped for a gentler one
    pytest.param("Moved from stocking shelves to a seated cashier position in May.", id="moved-to-seated-position"),
    pytest.param("The plant reassigned him to a desk-based inspection role.", id="reassigned-desk-based-role"),
    pytest.param("Switched from jogging to the elliptical since the summer.", id="swapped-activity"),
    # less work
    pytest.param("Her clinic hours were cut; she reduced her schedule to 2 days a week.", id="reduced-schedule"),
    pytest.param("Went down to three-day weeks at the warehouse, then to part-time.", id="went-to-part-time"),
    pytest.param("He now works from home to avoid the drive.", id="now-works-from-home"),
    pytest.param("Restricted to light duty work by occupational health.", id="restricted-to-light-duty"),
    # advice to spare the joint, weight-bearing orders
    pytest.param("Counseled to limit stair climbing and bending.", id="counseled-to-limit"),
    pytest.param("Lifting precautions reviewed with the patient.", id="lifting-precautions"),
    pytest.param("Ortho: PWB RLE with crutches x 6 weeks.", id="partial-weight-bearing"),
])
def test_activity_modification_families(note_ctx, text):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == "activity_modification"]
    assert [f.assertion for f in facts] in (["present"], ["hypothetical"])


@pytest.mark.parametrize("text", [
    # work and activity told unchanged: negated activity modification
    pytest.param("He has not modified his activities at all.", id="has-not-modified"),
    pytest.param("No change in her duties at the bakery.", id="no-change-in-duties"),
    pytest.param("Still working full-duty on the line, 12-hour shifts.", id="still-full-duty"),
    pytest.param("Not willing to cut hours right now.", id="not-willing-to-cut"),
    pytest.param("Says she cannot afford light duty.", id="cannot-afford-light-duty"),
])
def test_activity_unchanged_is_negated(note_ctx, text):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == "activity_modification"]
    assert [f.assertion for f in facts] == ["negated"]


@pytest.mark.parametrize("text", [
    # distractors: stopping care or a habit, a symptom, an x-ray view, a drug that stopped working
    pytest.param("She stopped taking naproxen in May.", id="stopped-taking-a-drug"),
    pytest.param("He stopped smoking in 2019.", id="stopped-smoking"),
    pytest.param("Meloxicam stopped working after a month.", id="stopped-working-is-failure"),
    pytest.param("Weight-bearing AP view of the pelvis obtained.", id="weight-bearing-x-ray"),
    pytest.param("She moved to Ohio in 2019.", id="moved-house"),
    pytest.param("Works from home as an accountant.", id="works-from-home-without-change"),
    pytest.param("Strongly advised to stop smoking.", id="advised-to-stop-smoking"),
    pytest.param("Instructed to avoid caffeinated drinks.", id="instructed-to-avoid-caffeine"),
    pytest.param("He did quit chewing tobacco.", id="quit-chewing-tobacco"),
    pytest.param("The drain stopped draining on day 2.", id="device-stopped-gerund"),
])
def test_activity_modification_distractors(note_ctx, text):
    assert [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == "activity_modification"] == []


@pytest.mark.parametrize("text, outcome", [
    # C1: a lasting change or a drug "since" a date, with no result: ongoing
    pytest.param("Cut her hours to 6-hour shifts since August.", "ongoing", id="since-is-ongoing"),
    pytest.param("She has stopped vacuuming and now drives only short trips.", "ongoing", id="now-is-ongoing"),
    pytest.param("Stopped golf since June; no change in the pain.", "failed", id="since-with-a-result"),
    pytest.param("Off work for 3 weeks in 2023 after the fall.", None, id="over-with-no-result"),
])
def test_lasting_change_is_ongoing(note_ctx, text, outcome):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == "activity_modification"]
    assert [f.outcome for f in facts] == [outcome]


@pytest.mark.parametrize("text, start, end", [
    # giving an activity up dates the start of the modification, not its end
    pytest.param("He stopped cycling in June, which has not helped.", dt.date(2025, 6, 1), None, id="stopped-in-month"),
    pytest.param("Quit her bowling league in 03/2025.", dt.date(2025, 3, 1), None, id="quit-in-month-year"),
    # distractor: care that ended keeps its end date
    pytest.param("PT from May until July 2025, no change.", dt.date(2025, 5, 1), dt.date(2025, 7, 1), id="pt-ended"),
])
def test_giving_up_an_activity_starts_the_modification(note_ctx, text, start, end):
    (f,) = _facts(note_ctx, text, "2025-11-03")
    assert (f.start_date, f.end_date) == (start, end)


# ---------------------------------------------------------------- family: each checkbox and each negation owns its own items

@pytest.mark.parametrize("text, assertions", [
    pytest.param("Tried: [x] NSAIDs  [ ] PT  [x] Home exercises  [ ] Chiropractor",
                 {"medication": "present", "physical_therapy": "negated", "home_exercise": "present",
                  "chiropractic": "negated"}, id="boxes-before-items"),
    pytest.param("Prior care: ( ) OMT (x) physical therapy", {"osteopathic_manipulation": "negated",
                                                             "physical_therapy": "present"}, id="round-boxes"),
    pytest.param("                      Yes   No\nChiropractor          [X]   [ ]\nPhysical therapy      [ ]   [X]\n",
                 {"chiropractic": "present", "physical_therapy": "negated"}, id="yes-no-columns-after-item"),
    # a negation reaches over a list of care items, not over a clause of its own
    pytest.param("Denies any chiropractic care or PT.", {"chiropractic": "negated", "physical_therapy": "negated"},
                 id="one-negation-a-list"),
    pytest.param("No PT, chiropractic, or OMT so far.", {"physical_therapy": "negated", "chiropractic": "negated",
                                                        "osteopathic_manipulation": "negated"}, id="no-then-list"),
    pytest.param("Declines all medications while nursing, including ibuprofen and acetaminophen.",
                 {"medication": "negated"}, id="declines-all-including-list"),
    pytest.param("Declines any pain medication (personal preference), including acetaminophen and NSAIDs.",
                 {"medication": "negated"}, id="declines-parenthesis-including-list"),
    pytest.param("She does not wish to be on any medication now.", {"medication": "negated"}, id="not-wish-to-be-on"),
    pytest.param("Treated without surgery, with eight weeks of toe-touch weight bearing.",
                 {"activity_modification": "present"}, id="without-surgery-is-no-denial-of-the-care"),
    pytest.param("No fever or weight loss. Has stopped running and uses a sit-stand desk.",
                 {"activity_modification": "present"}, id="negated-symptoms-before"),
    pytest.param("No operative indication for the fracture; partial weight bearing with a walker.",
                 {"activity_modification": "present"}, id="no-indication-then-care"),
])
def test_checkbox_and_negation_scope(note_ctx, text, assertions):
    got = {f.modality: f.assertion for f in _facts(note_ctx, text, "2025-11-03")}
    assert got == assertions


# ---------------------------------------------------------------- family: a plan the packet later shows carried out

def _planned(modality, assertion, day, doc, start=None, weeks=None):
    from extractor.resolve.merge import DatedFact

    ev = Evidence(document=doc, start=0, end=2, text="PT")
    return DatedFact(ConservativeTreatment(modality=modality, assertion=assertion, start_date=start,
                                           duration_weeks=weeks, evidence=[ev]), day)


def test_plan_later_done_is_one_present_fact():
    """C2: "Refer PT" on 01/13, PT told done in a later note: one present PT fact with both quotes."""
    from extractor.resolve.merge import resolve

    plan = _planned("physical_therapy", "hypothetical", dt.date(2026, 1, 13), "a.txt")
    done = _planned("physical_therapy", "present", dt.date(2026, 4, 2), "b.txt")
    (fact,) = resolve([plan, done])
    assert (fact.assertion, fact.start_date, len(fact.evidence)) == ("present", None, 2)


@pytest.mark.parametrize("plan_day, done_day, done_start, n_facts, start", [
    # the care was done before the plan: a new course is planned, the plan stays hypothetical
    pytest.param(dt.date(2026, 4, 2), dt.date(2026, 1, 13), None, 2, None, id="plan-after-the-care"),
    # the later note dates the care itself: its start stands
    pytest.param(dt.date(2026, 1, 13), dt.date(2026, 4, 2), dt.date(2026, 2, 2), 1, dt.date(2026, 2, 2),
                 id="stated-start-kept"),
    # the care told in the plan's own note: folded too
    pytest.param(dt.date(2026, 1, 13), dt.date(2026, 1, 13), None, 1, None, id="same-note"),
])
def test_plan_fold_distractors(plan_day, done_day, done_start, n_facts, start):
    from extractor.resolve.merge import resolve

    facts = resolve([_planned("physical_therapy", "hypothetical", plan_day, "a.txt"),
                     _planned("physical_therapy", "present", done_day, "b.txt", start=done_start)])
    assert len(facts) == n_facts
    assert [f.start_date for f in facts if f.assertion == "present"] == [start]


def test_plan_of_another_modality_is_not_folded():
    from extractor.resolve.merge import resolve

    facts = resolve([_planned("chiropractic", "hypothetical", dt.date(2026, 1, 13), "a.txt"),
                     _planned("physical_therapy", "present", dt.date(2026, 4, 2), "b.txt")])
    assert sorted((f.modality, f.assertion) for f in facts) == [("chiropractic", "hypothetical"),
                                                                ("physical_therapy", "present")]


@pytest.mark.parametrize("text, modality", [
    pytest.param("plan cont chiro, f/u 4 wks", "chiropractic", id="cont-abbreviation"),
    pytest.param("Plan: cont. meloxicam 15 mg daily.", "medication", id="cont-period"),
])
def test_continued_care_in_a_plan_is_present(note_ctx, text, modality):
    facts = [f for f in _facts(note_ctx, text, "2025-11-03") if f.modality == modality]
    assert [(f.assertion, f.outcome) for f in facts] == [("present", "ongoing")]


@pytest.mark.parametrize("text, modality, outcome", [
    # an activity change told as lasting, no result stated: current care (CONVENTIONS_2026-12 C1)
    pytest.param("She gave up her Tuesday tennis league in the spring.", "activity_modification", "ongoing",
                 id="gave-up-league"),
    pytest.param("He now avoids lifting anything heavier than a laundry basket.", "activity_modification",
                 "ongoing", id="avoids-lifting"),
    pytest.param("Switched to a desk job last year because of the pain.", "activity_modification",
                 "ongoing", id="switched-to-desk-job"),
    # distractors: the change is over, or a result is told
    pytest.param("She was on light duty for 6 weeks, then returned to full duty.", "activity_modification", None,
                 id="light-duty-ended"),
    pytest.param("She was on restricted duty until her follow-up visit in May.", "activity_modification", None,
                 id="restricted-until"),
    pytest.param("She stopped jogging, which has not changed the pain.", "activity_modification", "failed",
                 id="stopped-jogging-no-change"),
    pytest.param("Ortho: nonoperative, weight bearing as tolerated with a walker.", "activity_modification", None,
                 id="weight-bearing-order-is-no-lasting-change"),
    # a home programme told in the present tense or with a frequency is current
    pytest.param("She does the stretches from her home program in the evenings.", "home_exercise", "ongoing",
                 id="does-home-program"),
    pytest.param("Home exercises about three times a week, sometimes less.", "home_exercise", "ongoing",
                 id="home-exercises-frequency"),
    pytest.param("Cut her hours since August; HEP nightly.", "home_exercise", "ongoing", id="hep-nightly"),
    pytest.param("Her HEP compliance has been good.", "home_exercise", "ongoing",
                 id="hep-compliance"),
    pytest.param("She was taught a home exercise program at her last visit.", "home_exercise", None,
                 id="hep-taught-no-status"),
])
def test_standing_status(note_ctx, text, modality, outcome):
    facts = {f.modality: f for f in _facts(note_ctx, text)}
    assert facts[modality].assertion == "present" and facts[modality].outcome == outcome


@pytest.mark.parametrize("text, expected", [
    # a result told between two mentions belongs to the one whose window holds it, not the nearer name
    pytest.param("He completed 6 weeks of physical therapy in the fall with no change and still does the home "
                 "exercises most days.", {"physical_therapy": "failed", "home_exercise": "ongoing"},
                 id="pt-no-change-then-hep"),
    pytest.param("Chiropractic adjustments over the summer gave no relief and she continues her HEP.",
                 {"chiropractic": "failed", "home_exercise": "ongoing"}, id="chiro-no-relief-then-hep"),
])
def test_result_goes_to_its_window(note_ctx, text, expected):
    got = {f.modality: f.outcome for f in _facts(note_ctx, text)}
    assert got == expected


@pytest.mark.parametrize("text, outcome", [
    # "helped too little" told without the words "no relief": the pain persists, so the care failed
    pytest.param("Celecoxib and tramadol since December - \"barely touches it\".", "failed", id="barely-touches"),
    pytest.param("Tried ibuprofen OTC w/o much help.", "failed", id="wo-much-help"),
    pytest.param("Naproxen since March - partial help at night only.", "failed", id="partial-only"),
    pytest.param("Gabapentin and oxycodone, neither of which has controlled the pain.", "failed",
                 id="neither-controlled"),
    pytest.param("Meloxicam and duloxetine since July, inadequate relief.", "failed", id="inadequate-relief"),
    pytest.param("Acetaminophen since February; \"does nothing for it.\"", "failed", id="does-nothing"),
    pytest.param("Oxycodone prn since January - pain still 8/10.", "failed", id="pain-still-score"),
    pytest.param("Gabapentin since March, but the pain persists.", "failed", id="pain-persists"),
    pytest.param("Acetaminophen 1 g TID since April. No relief.", "failed", id="next-sentence-no-relief"),
    pytest.param("Naproxen and then celecoxib, neither of which has changed the pain.", "failed",
                 id="neither-changed"),
    # distractors: a result that is no failure stays what it is
    pytest.param("Tylenol since May, pain continues to improve.", "ongoing", id="continues-to-improve"),
    pytest.param("Naproxen since May; the pain is much better controlled.", "improved", id="better-controlled"),
    pytest.param("Ibuprofen since May gave significant relief.", "improved", id="significant-relief"),
])
def test_too_little_effect_is_failed(note_ctx, text, outcome):
    assert [f.outcome for f in _facts(note_ctx, text, "2026-06-01")] == [outcome]

