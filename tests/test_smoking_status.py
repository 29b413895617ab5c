"""smoking_status facts: one table row per phrasing family, family members, distractors."""
from __future__ import annotations

import datetime as dt

import pytest

from extractor.facts.smoking_status import extract

NOTE_DATE = "2026-03-14"
D = dt.date

# (text, expected (status, assertion, quit_date, pack_years))
CASES = [
    pytest.param("Tobacco: never", ("never", "present", None, None), id="tobacco-colon-never"),
    pytest.param("Never smoker.", ("never", "present", None, None), id="never-smoker"),
    pytest.param("Nonsmoker.", ("never", "present", None, None), id="nonsmoker"),
    pytest.param("She has never smoked.", ("never", "present", None, None), id="has-never-smoked"),
    pytest.param("Denies tobacco, vaping.", ("never", "present", None, None), id="denies-tobacco-vaping"),
    pytest.param("Does not smoke.", ("never", "present", None, None), id="does-not-smoke"),
    pytest.param("Quit smoking 2019, 20 pack-years.", ("former", "present", D(2019, 1, 1), 20.0),
                 id="quit-year-pack-years"),
    pytest.param("Former smoker, quit in March 2020.", ("former", "present", D(2020, 3, 1), None),
                 id="former-smoker-quit-month"),
    pytest.param("Ex-smoker.", ("former", "present", None, None), id="ex-smoker"),
    pytest.param("She used to be a smoker, not anymore.", ("former", "present", None, None),
                 id="mtsamples-used-to-be-a-smoker"),
    pytest.param("He has a 40+ pack-year history and still smokes.", ("current", "present", None, 40.0),
                 id="pack-years-with-plus"),
    pytest.param("Quit smoking 2 months ago.", ("former", "present", D(2026, 1, 1), None),
                 id="quit-months-ago-is-first-of-month"),
    pytest.param("Smoked half a pack a day for 10 years, quit 5 years ago.", ("former", "present", D(2021, 1, 1), 5.0),
                 id="half-a-pack-times-years-quit-years-ago-is-jan-1"),
    pytest.param("Stopped smoking 3 weeks ago.", ("former", "present", D(2026, 2, 21), None),
                 id="quit-weeks-ago-keeps-the-day"),
    pytest.param("Smokes 1 pack per day for the past 15 years.", ("current", "present", None, 15.0),
                 id="for-the-past-n-years"),
    pytest.param("Smokes 1 ppd x 30 yrs.", ("current", "present", None, 30.0), id="ppd-times-years"),
    pytest.param("She smokes 1/2 ppd.", ("current", "present", None, None), id="half-ppd-no-years"),
    pytest.param("Smokes 10 cigarettes a day for 20 years.", ("current", "present", None, 10.0),
                 id="cigarettes-per-day-to-packs"),
    pytest.param("Current every day smoker.", ("current", "present", None, None), id="current-every-day-smoker"),
    pytest.param("Smokes 1 ppd, trying to quit.", ("current", "present", None, None), id="trying-to-quit-is-current"),
    pytest.param("Tobacco use: Yes - 1 ppd", ("current", "present", None, None), id="tobacco-use-yes"),
    pytest.param("Uses e-cigarettes daily.", ("current", "present", None, None), id="vaping-counts-as-current"),
    pytest.param("Smoking status: unknown", ("unknown", "present", None, None), id="status-unknown"),
    # regressions found reading MTSamples output (paraphrased, never copied)
    pytest.param("She is a nonsmoker and lives with her husband.", ("never", "present", None, None),
                 id="mtsamples-spouse-after-patient-status"),
    pytest.param("He stopped smoking 8 years ago but chews tobacco daily.", ("current", "present", None, None),
                 id="mtsamples-quit-smoking-but-smokeless-tobacco"),
    pytest.param("Denies tobacco or drug use; was a heavy drinker until he quit in 1990.",
                 ("never", "present", None, None), id="mtsamples-quit-drinking-is-not-quit-smoking"),
    pytest.param("FHX/SHX: Father had MI. The patient stopped smoking in 1995.",
                 ("former", "present", D(1995, 1, 1), None), id="mtsamples-combined-family-social-header"),
    pytest.param("Social History:\nSmoking status: Former Smoker\nQuit date: 01/15/2015\nPacks/day: 1.00\nYears: 20.00\n",
                 ("former", "present", D(2015, 1, 15), 20.0), id="structured-ehr-block"),
]

FAMILY = [
    pytest.param("Mother smokes.", id="mother-smokes"),
    pytest.param("Her husband smokes 1 ppd.", id="husband-smokes"),
    pytest.param("Family History: Father smoked, died of lung cancer.", id="family-history-section"),
]

DISTRACTORS = [
    pytest.param("Counseled on the risks of smoking before fusion.", id="counseling-without-status"),
    pytest.param("Smoke detector in the home.", id="smoke-detector"),
    pytest.param("He smokes marijuana on weekends.", id="mtsamples-other-substance"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_phrasing_families(note_ctx, text, expected):
    doc, ctx = note_ctx(text, NOTE_DATE)
    (fact,) = extract(doc, ctx)
    assert (fact.status, fact.assertion, fact.quit_date, fact.pack_years) == expected


@pytest.mark.parametrize("text", FAMILY)
def test_other_people_are_family_never_the_patient(note_ctx, text):
    doc, ctx = note_ctx(text, NOTE_DATE)
    facts = extract(doc, ctx)
    assert facts and all(f.assertion == "family" for f in facts)


@pytest.mark.parametrize("text", DISTRACTORS)
def test_distractors_give_no_status(note_ctx, text):
    doc, ctx = note_ctx(text, NOTE_DATE)
    assert extract(doc, ctx) == []


def test_patient_and_spouse_in_one_note(note_ctx):
    doc, ctx = note_ctx("Never smoker. Husband smokes.", NOTE_DATE)
    by_assertion = {f.assertion: f.status for f in extract(doc, ctx)}
    assert by_assertion == {"present": "never", "family": "current"}


def test_conflicting_statements_keep_current_and_record_conflict(note_ctx):
    doc, ctx = note_ctx("HPI: never smoker.\nSocial History: smokes 1 ppd.", NOTE_DATE)
    (fact,) = extract(doc, ctx)
    assert fact.status == "current"
    assert [c.attributes for c in fact.conflicts] == [{"status": "never"}]


def test_evidence_points_into_the_note(note_ctx):
    text = "Social History: Tobacco: never. Alcohol: rare."
    doc, ctx = note_ctx(text, NOTE_DATE)
    (fact,) = extract(doc, ctx)
    ev = fact.evidence[0]
    assert text[ev.start:ev.end] == ev.text == "Tobacco: never."
    assert ev.section == "social_history" and ev.rule.startswith("smoking_status:")
