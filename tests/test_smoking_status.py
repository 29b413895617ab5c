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
    pytest.param("SHX: retired teacher. 0.5-1.0 pack cigarettes per day for 60 years.", ("current", "present", None, None),
                 id="pack-cigarettes-per-day-range"),
    pytest.param("Social: 1 pack of cigarettes a day.", ("current", "present", None, None), id="pack-of-cigarettes-a-day"),
    pytest.param("Quit smoking in 2010; used to smoke 1 pack cigarettes per day.", ("former", "present", D(2010, 1, 1), None),
                 id="distractor-pack-per-day-before-quitting"),
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
    # denial whose object is a tobacco product: never, not "smoking cigarettes" read as current use
    pytest.param("The patient denies smoking cigarettes.", ("never", "present", None, None), id="denies-smoking-cigarettes"),
    pytest.param("He denies ever smoking cigars or a pipe.", ("never", "present", None, None), id="denies-smoking-cigars-pipe"),
    pytest.param("She does not smoke cigarettes.", ("never", "present", None, None), id="does-not-smoke-cigarettes"),
    pytest.param("He never smoked cigarettes.", ("never", "present", None, None), id="never-smoked-cigarettes"),
    pytest.param("Negative for tobacco use.", ("never", "present", None, None), id="negative-for-tobacco"),
    pytest.param("Denies alcohol or drugs but smokes 1 ppd.", ("current", "present", None, None),
                 id="distractor-denies-other-substances-but-smokes"),
    pytest.param("Denies smoking since 2010.", ("former", "present", None, None), id="denies-smoking-since-is-former"),
    # advice or intent to quit, not quitting, continuing: current
    pytest.param("It was recommended that he should quit smoking.", ("current", "present", None, None),
                 id="advice-to-quit-is-current"),
    pytest.param("She has still not stopped smoking despite counseling.", ("current", "present", None, None),
                 id="has-not-stopped-is-current"),
    pytest.param("He hasn't quit smoking yet.", ("current", "present", None, None), id="hasnt-quit-is-current"),
    pytest.param("Still smokes about 10 cigarettes.", ("current", "present", None, None), id="still-smokes"),
    pytest.param("She continues to smoke against advice.", ("current", "present", None, None), id="continues-to-smoke"),
    pytest.param("He has been unable to quit smoking.", ("current", "present", None, None), id="unable-to-quit"),
    pytest.param("Smoking cessation was discussed at length.", ("current", "present", None, None),
                 id="cessation-counselling-is-current"),
    pytest.param("Smokes 5 cigarettes a day; tried to quit two years ago.", ("current", "present", None, None),
                 id="sij-016-failed-attempt-in-next-clause-is-current"),
    pytest.param("He attempted several times to quit, still smoking.", ("current", "present", None, None),
                 id="attempted-to-quit"),
    pytest.param("Denies tobacco, tried to quit drinking last year.", ("never", "present", None, None),
                 id="distractor-attempt-to-quit-another-substance"),
    pytest.param("Denies tobacco, wants to quit alcohol.", ("never", "present", None, None),
                 id="distractor-quitting-another-substance"),
    # reported quitting with a date, anchored to the note date
    pytest.param("Long smoking history of 30 pack-years and he reports quitting on July 27.",
                 ("former", "present", D(2025, 7, 27), 30.0), id="reports-quitting-on-date"),
    pytest.param("Smoked for years; she quit on 2/1/2024.", ("former", "present", D(2024, 2, 1), None),
                 id="quit-on-numeric-date-in-next-clause"),
    pytest.param("Tobacco: 1 ppd x 20 yrs; quit in 2015", ("former", "present", D(2015, 1, 1), 20.0),
                 id="quit-clause-without-tobacco-word"),
    pytest.param("Tobacco history: cigarettes in his 20s, stopping about 10 years ago.",
                 ("former", "present", D(2016, 1, 1), None), id="stopping-years-ago-far-from-tobacco-word"),
    pytest.param("Tobacco: quit 03/2015; smoked 1.5 ppd x 10 yrs", ("former", "present", D(2015, 3, 1), 15.0),
                 id="holdout-ho-007-past-amount-clause-is-not-current"),
    pytest.param("Has smoked 1 ppd for 10 years.", ("current", "present", None, 10.0),
                 id="distractor-present-perfect-smoked-is-current"),
    # amounts: mixed numbers and words are values; a range is no stated value (pack_years null)
    pytest.param("Used to smoke 2-1/2 packs per day for 32 years, quit in 1995.", ("former", "present", D(1995, 1, 1), 80.0),
                 id="mixed-number-hyphen"),
    pytest.param("Smoked 1 1/2 packs a day for 20 years, quit 2000.", ("former", "present", D(2000, 1, 1), 30.0),
                 id="mixed-number-space"),
    pytest.param("Smokes two and a half packs per day for 10 years.", ("current", "present", None, 25.0),
                 id="two-and-a-half-words"),
    pytest.param("Smokes 1/2 ppd x 20 years.", ("current", "present", None, 10.0), id="half-ppd-times-years"),
    pytest.param("Smokes 1-2 ppd for 20 years.", ("current", "present", None, None), id="ppd-range-is-null"),
    pytest.param("Former smoker, 20-30 pack-years.", ("former", "present", None, None), id="pack-year-range-is-null"),
    # the patient is the subject again after a clause break
    pytest.param("Single, lives with sister, and denies tobacco.", ("never", "present", None, None),
                 id="lives-with-sister-and-denies"),
    pytest.param("Lives with her husband, denies smoking.", ("never", "present", None, None),
                 id="lives-with-husband-denies"),
    # environmental exposure blanked; the patient's own status in the same clause still counts
    pytest.param("Nonsmoker, no smoking in the home.", ("never", "present", None, None),
                 id="own-status-beside-exposure"),
    # denial lists: tobacco among other negated substances
    pytest.param("No history of EtOH, tobacco or illicit drugs.", ("never", "present", None, None),
                 id="mtsamples-no-history-of-list-with-tobacco"),
    pytest.param("Negative for use of alcohol or tobacco.", ("never", "present", None, None),
                 id="mtsamples-negative-for-alcohol-or-tobacco"),
    pytest.param("Habits: he does not drink or smoke.", ("never", "present", None, None),
                 id="mtsamples-does-not-drink-or-smoke"),
    pytest.param("She doesn't drink, use drugs, or smoke.", ("never", "present", None, None),
                 id="doesnt-drink-use-drugs-or-smoke"),
    pytest.param("No cough or wheeze despite a 1 ppd habit.", ("current", "present", None, None),
                 id="distractor-no-symptoms-then-smoking-amount"),
    # another drug in the clause does not erase the tobacco status
    pytest.param("He quit smoking, but tested positive for cocaine last month.", ("former", "present", None, None),
                 id="mtsamples-quit-smoking-but-cocaine"),
    pytest.param("Smokes marijuana and cigarettes daily.", ("current", "present", None, None),
                 id="marijuana-and-cigarettes"),
    pytest.param("Heavy smoker with a thirty-five pack-year history.", ("current", "present", None, 35.0),
                 id="pack-years-in-words"),
    pytest.param("Smoking history of about twelve and a half pack years, currently 1/4 pack a day.",
                 ("current", "present", None, 12.5), id="pack-years-words-and-a-half"),
    pytest.param("He does not have a smoking history and drinks rarely.", ("never", "present", None, None),
                 id="mtsamples-does-not-have-a-smoking-history"),
    pytest.param("She is not an alcohol or tobacco user.", ("never", "present", None, None),
                 id="mtsamples-is-not-a-tobacco-user"),
    pytest.param("Currently he does have a history of tobacco abuse.", ("current", "present", None, None),
                 id="mtsamples-currently-tobacco-abuse"),
    pytest.param("Currently not smoking, quit in 2019.", ("former", "present", D(2019, 1, 1), None),
                 id="distractor-currently-not-smoking"),
    pytest.param("She smokes one pack a day for last 30 years.", ("current", "present", None, 30.0),
                 id="mtsamples-for-last-n-years"),
    pytest.param("Over the last few months he has gone back to smoking a pipe.", ("current", "present", None, None),
                 id="mtsamples-returned-to-smoking"),
    pytest.param("She resumed cigarettes after her divorce.", ("current", "present", None, None), id="resumed-cigarettes"),
    pytest.param("He started smoking again last year.", ("current", "present", None, None), id="started-smoking-again"),
    pytest.param("1-2 packs of cigarettes per day.", ("current", "present", None, None),
                 id="mtsamples-packs-of-cigarettes-per-day-range"),
    pytest.param("She does smoke about one and a half packs of cigarettes a day.", ("current", "present", None, None),
                 id="mtsamples-emphatic-does-smoke"),
    pytest.param("Smoked two packs of cigarettes a day until she quit in 2001.", ("former", "present", D(2001, 1, 1), None),
                 id="distractor-packs-of-cigarettes-until-quit"),
    pytest.param("Social History:\nSmoking status: Former Smoker\nQuit date: 01/15/2015\nPacks/day: 1.00\nYears: 20.00\n",
                 ("former", "present", D(2015, 1, 15), 20.0), id="structured-ehr-block"),
]

FAMILY = [
    pytest.param("Mother smokes.", id="mother-smokes"),
    pytest.param("Her husband smokes 1 ppd.", id="husband-smokes"),
    pytest.param("Family History: Father smoked, died of lung cancer.", id="family-history-section"),
    pytest.param("Her sister denies smoking.", id="relative-is-the-subject-of-denies"),
    pytest.param("Mother denied the use of alcohol, drugs, or tobacco during the pregnancy.",
                 id="mtsamples-mother-subject-beyond-context-scope"),
    pytest.param("His father also smoked two packs a day for many years.", id="father-smoked-amount"),
]

DISTRACTORS = [
    pytest.param("Counseled on the risks of smoking before fusion.", id="counseling-without-status"),
    pytest.param("Smoke detector in the home.", id="smoke-detector"),
    pytest.param("He smokes marijuana on weekends.", id="mtsamples-other-substance"),
    pytest.param("There is no smoking at home.", id="mtsamples-no-smoking-at-home"),
    pytest.param("Exposed to secondhand smoke as a child.", id="secondhand-smoke"),
    pytest.param("Lives in a smoke-free household.", id="smoke-free-household"),
    pytest.param("There are smokers in the household.", id="mtsamples-smokers-in-household"),
    pytest.param("No wheezing despite exposure to cigarette smoke.", id="distractor-no-symptom-exposure"),
]


# SPEC section 4 (2026-12-07): indirect statements; a problem-list "tobacco abuse" is current
CASES += [
    pytest.param("PROBLEM LIST:\n7. Tobacco abuse.", ("current", "present", None, None), id="problem-list-tobacco-abuse"),
    pytest.param("PMH: Chronic tobacco abuse, hypertension.", ("current", "present", None, None),
                 id="chronic-tobacco-abuse"),
    pytest.param("Plan: counseled on tobacco use disorder.", ("current", "present", None, None),
                 id="tobacco-use-disorder"),
    pytest.param("Social history: He is a tobacco user.", ("current", "present", None, None), id="a-tobacco-user"),
    pytest.param("SHX: Married. Rare cigarette use.", ("current", "present", None, None), id="rare-cigarette-use"),
    pytest.param("Nicotine dependence, cigarettes.", ("current", "present", None, None), id="nicotine-dependence"),
    pytest.param("He has a history of tobacco abuse, quit 2010.", ("former", "present", D(2010, 1, 1), None),
                 id="history-of-tobacco-abuse-quit"),
    pytest.param("Assessment: history of tobacco use.", ("former", "present", None, None), id="history-of-tobacco-use"),
    pytest.param("He quite smoking years ago.", ("former", "present", None, None), id="dictated-quite-for-quit"),
    # the same words negated stay never
    pytest.param("She is not a tobacco user.", ("never", "present", None, None), id="not-a-tobacco-user"),
    pytest.param("No tobacco abuse.", ("never", "present", None, None), id="no-tobacco-abuse"),
    pytest.param("Negative for use of alcohol or tobacco.", ("never", "present", None, None),
                 id="negative-list-of-substances"),
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


# Round 9 families (variants in our own words; each family has a distractor that must not change)
FAMILIES_R9 = [
    # a relative named as the subject inside the patient's clause starts that relative's part
    pytest.param("Social: lifelong nonsmoker, son smokes on the porch.", [("never", "present"), ("current", "family")],
                 id="relative-after-comma-in-patient-clause"),
    pytest.param("Smokes 1 ppd; wife, who works nights, also smokes.", [("current", "present"), ("current", "family")],
                 id="relative-with-appositive"),
    pytest.param("Both of his grandparents smoke. He has never smoked.", [("never", "present"), ("current", "family")],
                 id="both-of-relatives-smoke"),
    pytest.param("Former smoker. Mother and brother smoke.", [("former", "present"), ("current", "family")],
                 id="two-relatives-smoke"),
    # distractor: the patient living with a relative is no relative statement
    pytest.param("He smokes 1 ppd and lives with his mother.", [("current", "present")],
                 id="distractor-lives-with-mother"),
    # a tobacco question refused or not obtained is unknown
    pytest.param("Tobacco: patient refused to answer.", [("unknown", "present")], id="refused-to-answer"),
    pytest.param("Smoking - declines to disclose.", [("unknown", "present")], id="declines-to-disclose"),
    pytest.param("Tobacco use:\nnot documented in these records.", [("unknown", "present")], id="label-then-next-line"),
    pytest.param("Declined to answer questions about mood. Never smoker.", [("never", "present")],
                 id="distractor-declined-other-question"),
    # a tobacco form row answered by its ticked box
    pytest.param("Are you a smoker?  [x] yes  [ ] no", [("current", "present")], id="checkbox-yes"),
    pytest.param("Tobacco:  [ ] Current  [x] Former  [ ] Never", [("former", "present")], id="checkbox-former"),
    pytest.param("Smoke?  [ ] yes  [x] no     Alcohol?  [x] yes", [("never", "present")],
                 id="checkbox-answer-before-next-question"),
    pytest.param("Smoker: Yes \u2610 No \u2612", [("never", "present")], id="checkbox-box-after-label"),
    pytest.param("Cigarettes: Current \u2612  Former \u2610  Never \u2610", [("current", "present")],
                 id="checkbox-box-after-label-current"),
    pytest.param("Do you smoke?  [ ] yes  [x] no       Anyone in the household smoke?  yes, my brother, a pack a day",
                 [("never", "present"), ("current", "family")], id="form-row-next-question-household"),
    pytest.param("Social: Former smoker \u2612   Never smoker \u2610   Current \u2610", [("former", "present")],
                 id="checkbox-answer-word-before-tobacco-word"),
    pytest.param("Tobacco: none for the past 12 years.", [("former", "present")], id="labelled-none-for-the-past"),
    pytest.param("Stopping smoking was recommended again.", [("current", "present")], id="stopping-smoking-recommended"),
    # words that name nobody's status; past-tense "was a smoker"; a relative answering for the patient
    pytest.param("Echo: no thrombus or smoke effect in the appendage. Denies tobacco.", [("never", "present")],
                 id="distractor-echo-smoke-effect"),
    pytest.param("No smoker's cough. Nonsmoker.", [("never", "present")], id="distractor-smokers-cough"),
    pytest.param("Grandfather was a heavy smoker.", [("former", "family")], id="relative-was-a-smoker"),
    pytest.param("Wife denies tobacco or alcohol use for him.", [("never", "present")], id="relative-answers-for-patient"),
    pytest.param("Her husband denied smoking.", [("never", "family")], id="distractor-relative-own-denial"),
    pytest.param("He has about a 25-pack-a-year history of smoking.", [("former", "present")], id="pack-a-year-history"),
    # bare "Never tobacco" and "history of tobacco smoking" (no current use)
    pytest.param("SH: Never cigarettes. Rare wine.", [("never", "present")], id="never-cigarettes"),
    pytest.param("Remote history of cigarette smoking; none currently.", [("former", "present")],
                 id="history-of-cigarette-smoking"),
    pytest.param("No history of tobacco smoking.", [("never", "present")], id="distractor-no-history-of-smoking"),
    # advice or aids to quit are current use
    pytest.param("Plan: recommended tobacco cessation.", [("current", "present")], id="recommended-cessation"),
    pytest.param("Started varenicline to help her quit smoking.", [("current", "present")], id="cessation-aid-to-quit"),
    pytest.param("Quit smoking in 2015 with the help of nicotine patches.", [("former", "present")],
                 id="distractor-quit-with-patches"),
    # past amounts: a range smoked is former; pack-years stated in another sentence still count
    pytest.param("He smoked 2 to 3 packs a day in the army. Does not smoke now.", [("former", "present")],
                 id="smoked-range-of-packs"),
]


@pytest.mark.parametrize("text, expected", FAMILIES_R9)
def test_round9_families(note_ctx, text, expected):
    doc, ctx = note_ctx(text, NOTE_DATE)
    got = sorted((f.status, f.assertion) for f in extract(doc, ctx))
    assert got == sorted(expected)


def test_pack_years_from_another_statement(note_ctx):
    doc, ctx = note_ctx("She smokes a pack a day. Smoked 35 pack-years so far.", NOTE_DATE)
    (fact,) = extract(doc, ctx)
    assert (fact.status, fact.pack_years) == ("current", 35.0)


def test_years_smoked_more_than(note_ctx):
    doc, ctx = note_ctx("He smoked 2 packs a day for more than 15 years.", NOTE_DATE)
    (fact,) = extract(doc, ctx)
    assert fact.pack_years == 30.0
