"""provocative_test facts: one table row per phrasing family, negation, not-performed, distractors."""
from __future__ import annotations

import pytest

from extractor.facts.provocative_test import extract

# (text, expected set of (test, side, result, assertion))
CASES = [
    pytest.param("FABER (+) L", {("faber", "left", "positive", "present")}, id="sign-after-test-side-letter"),
    pytest.param("FABER: (+) right", {("faber", "right", "positive", "present")}, id="colon-sign-side-word"),
    pytest.param("Positive Patrick's test on the left.", {("faber", "left", "positive", "present")},
                 id="positive-patricks-on-the-left"),
    pytest.param("Gaenslen's: neg", {("gaenslen", None, "negative", "present")}, id="colon-neg-is-negative-result"),
    pytest.param("Gaenslen test negative bilaterally.", {("gaenslen", "bilateral", "negative", "present")},
                 id="negative-bilaterally"),
    pytest.param("Thigh thrust/P4 reproduces pain on the right.", {("thigh_thrust", "right", "positive", "present")},
                 id="thigh-thrust-p4-reproduces-pain"),
    pytest.param("Thigh thrust reproduces her concordant pain.", {("thigh_thrust", None, "positive", "present")},
                 id="reproduces-concordant-pain"),
    pytest.param("Posterior shear test positive on the left.", {("thigh_thrust", "left", "positive", "present")},
                 id="posterior-shear-is-thigh-thrust"),
    pytest.param("SI compression test positive, distraction test negative.",
                 {("compression", None, "positive", "present"), ("distraction", None, "negative", "present")},
                 id="two-tests-two-results"),
    pytest.param("Sacral thrust (-)", {("sacral_thrust", None, "negative", "present")}, id="sacral-thrust-minus"),
    pytest.param("FABER (+) L, Gaenslen (-) R.",
                 {("faber", "left", "positive", "present"), ("gaenslen", "right", "negative", "present")},
                 id="one-line-two-tests-opposite-results"),
    pytest.param("Patrick's test positive on the left, negative on the right.",
                 {("faber", "left", "positive", "present"), ("faber", "right", "negative", "present")},
                 id="one-test-two-sides-two-results"),
    pytest.param("Gaenslen positive ipsilateral to her right-sided pain.", {("gaenslen", "right", "positive", "present")},
                 id="ipsilateral-takes-the-side-of-the-sentence"),
    pytest.param("Left FABER positive.", {("faber", "left", "positive", "present")}, id="side-before-test"),
    pytest.param("Provocative tests: 4/5 positive (thigh thrust, compression, distraction, FABER).",
                 {("thigh_thrust", None, "positive", "present"), ("compression", None, "positive", "present"),
                  ("distraction", None, "positive", "present"), ("faber", None, "positive", "present")},
                 id="counted-list-of-positive-tests"),
    pytest.param("Test | Left | Right\nFABER | + | -\nGaenslen | neg | pos\n",
                 {("faber", "left", "positive", "present"), ("faber", "right", "negative", "present"),
                  ("gaenslen", "left", "negative", "present"), ("gaenslen", "right", "positive", "present")},
                 id="table-with-left-right-columns"),
    # an unchecked box documents no result: negated, result null (never a made-up negative)
    pytest.param("[x] FABER positive\n[ ] Gaenslen positive\n",
                 {("faber", None, "positive", "present"), ("gaenslen", None, None, "negated")},
                 id="checkbox-checked-vs-unchecked"),
    pytest.param("SI joint exam:\nCompression: (+) bilaterally", {("compression", "bilateral", "positive", "present")},
                 id="template-row-bilateral"),
    pytest.param("Patrick's test not performed.", {("faber", None, None, "negated")}, id="not-performed"),
    pytest.param("Gaenslen: deferred", {("gaenslen", None, None, "negated")}, id="deferred"),
    pytest.param("Unable to perform thigh thrust due to pain.", {("thigh_thrust", None, None, "negated")},
                 id="unable-to-perform"),
    # regressions named after the corpus case that found them
    pytest.param("Thigh thrust: positive R. Distraction: positive.",
                 {("thigh_thrust", "right", "positive", "present"), ("distraction", None, "positive", "present")},
                 id="sij-006-side-letter-ends-sentence"),
    pytest.param("Exam: tender over the left SI joint. Compression positive. Distraction negative.",
                 {("compression", None, "positive", "present"), ("distraction", None, "negative", "present")},
                 id="sij-009-bare-test-names-in-sij-exam"),
    pytest.param("SIJ exam: compression test not performed (healing rib fracture).",
                 {("compression", None, None, "negated")}, id="sij-006-reason-names-another-region"),
    pytest.param("thigh thrust +L, compression +, Gaenslen +L",
                 {("thigh_thrust", "left", "positive", "present"), ("compression", None, "positive", "present"),
                  ("gaenslen", "left", "positive", "present")}, id="sij-011-sign-glued-to-side"),
    pytest.param("R trochanter (-)  Thigh thrust R (+) Compression (+) Gaenslen R (+)",
                 {("thigh_thrust", "right", "positive", "present"), ("compression", None, "positive", "present"),
                  ("gaenslen", "right", "positive", "present")}, id="sij-019-result-after-test-wins"),
    pytest.param("EXAM: R trochanter (-)  Thigh thrust R (+)  Compression (+)  FABER R (+)",
                 {("thigh_thrust", "right", "positive", "present"), ("compression", None, "positive", "present"),
                  ("faber", "right", "positive", "present")}, id="sij-019-cells-with-results-after"),
    pytest.param("(+) thigh thrust R          (+) compression R          (-) distraction R",
                 {("thigh_thrust", "right", "positive", "present"), ("compression", "right", "positive", "present"),
                  ("distraction", "right", "negative", "present")}, id="sij-004-cells-with-results-before"),
    pytest.param("Compression test reproduces her left-sided pain.", {("compression", "left", "positive", "present")},
                 id="sij-001-side-of-reproduced-pain"),
    pytest.param("EXAM (left side)\n  Site / test     Result\n  Thigh thrust    +\n  FABER           -\n",
                 {("thigh_thrust", "left", "positive", "present"), ("faber", "left", "negative", "present")},
                 id="sij-005-table-caption-gives-side"),
    # a list caption with one side gives it to the rows below that state none
    pytest.param("Provocative testing (R):\n  Thigh thrust ....... positive\n  Distraction ........ negative\n",
                 {("thigh_thrust", "right", "positive", "present"), ("distraction", "right", "negative", "present")},
                 id="holdout-ho-001-list-caption-side"),
    pytest.param("SIJ provocation, left side:\n- Compression: positive\n- Gaenslen: positive\n",
                 {("compression", "left", "positive", "present"), ("gaenslen", "left", "positive", "present")},
                 id="list-caption-side-words"),
    pytest.param("Provocative tests:\n- FABER: positive\n- Thigh thrust: positive R\n",
                 {("faber", None, "positive", "present"), ("thigh_thrust", "right", "positive", "present")},
                 id="distractor-caption-without-side"),
    pytest.param("Exam (left):\n\nFABER positive.", {("faber", None, "positive", "present")},
                 id="distractor-caption-after-blank-line"),
    # a column header that names one side gives it to the rows below (no colon): "Result (R)"
    pytest.param("Provocation           Result (R)\nThigh thrust          Pos\nCompression           Pos\nFABER   Neg\n",
                 {("thigh_thrust", "right", "positive", "present"), ("compression", "right", "positive", "present"),
                  ("faber", "right", "negative", "present")}, id="side-column-header"),
    pytest.param("Maneuver    Left side\nGaenslen    positive\nDistraction    negative\n",
                 {("gaenslen", "left", "positive", "present"), ("distraction", "left", "negative", "present")},
                 id="side-column-header-words"),
    pytest.param("Visit for left buttock pain today.\nTests                 Result\nThigh thrust          Pos\n",
                 {("thigh_thrust", None, "positive", "present")}, id="distractor-prose-line-above-table"),
    pytest.param("Exam (R side):   Thigh thrust  pos  |  Compression  pos  |  Gaenslen  neg",
                 {("thigh_thrust", "right", "positive", "present"), ("compression", "right", "positive", "present"),
                  ("gaenslen", "right", "negative", "present")}, id="inline-heading-exam-side"),
    pytest.param("Exam: thigh thrust positive, Gaenslen negative on the left.",
                 {("thigh_thrust", None, "positive", "present"), ("gaenslen", "left", "negative", "present")},
                 id="distractor-exam-label-without-side"),
    # a heading that opens the tests' own line gives its one side to the tests after it that state none
    pytest.param("Provocation (R):  FABER (+)  Gaenslen (-)  Thigh thrust (+)",
                 {("faber", "right", "positive", "present"), ("gaenslen", "right", "negative", "present"),
                  ("thigh_thrust", "right", "positive", "present")}, id="inline-heading-side-in-parentheses"),
    pytest.param("Special tests L: compression positive, distraction negative.",
                 {("compression", "left", "positive", "present"), ("distraction", "left", "negative", "present")},
                 id="inline-heading-side-letter"),
    pytest.param("SIJ maneuvers (left side): thigh thrust pos | Gaenslen pos | FABER not done",
                 {("thigh_thrust", "left", "positive", "present"), ("gaenslen", "left", "positive", "present"),
                  ("faber", "left", None, "negated")}, id="inline-heading-pipes-and-not-done"),
    pytest.param("Exam: Provocative tests (right): FABER positive, Gaenslen positive on the left.",
                 {("faber", "right", "positive", "present"), ("gaenslen", "left", "positive", "present")},
                 id="inline-heading-own-side-wins"),
    pytest.param("Left knee: well-healed TKA scar. FABER (+)", {("faber", None, "positive", "present")},
                 id="distractor-inline-label-not-a-heading-of-tests"),
    pytest.param("SIJ tests - FABER R: pos / distraction: neg",
                 {("faber", "right", "positive", "present"), ("distraction", None, "negative", "present")},
                 id="distractor-label-that-is-a-tests-own-row"),
    pytest.param("MRI L4-5: mild bulge. FABER (+), thigh thrust (+)",
                 {("faber", None, "positive", "present"), ("thigh_thrust", None, "positive", "present")},
                 id="distractor-level-is-no-side"),
    # the reason a test was not done names no side and no result of the test
    pytest.param("Gaenslen not done (R TKA, cannot hang leg).", {("gaenslen", None, None, "negated")},
                 id="holdout-ho-005-reason-names-a-side"),
    pytest.param("FABER deferred due to painful left hip.", {("faber", None, None, "negated")},
                 id="deferred-reason-with-result-word"),
    pytest.param("Thigh thrust not performed because of right knee replacement.",
                 {("thigh_thrust", None, None, "negated")}, id="not-performed-because-side"),
    pytest.param("FABER not performed on the left.", {("faber", "left", None, "negated")},
                 id="distractor-side-of-the-skipped-test-itself"),
    pytest.param("SIJ exam: thigh thrust positive. Fitted with an SI compression binder.",
                 {("thigh_thrust", None, "positive", "present")}, id="si-compression-binder-is-a-device"),
    pytest.param("Will check FABER next visit.", {("faber", None, None, "hypothetical")}, id="plan-is-hypothetical"),
    pytest.param("Negative FABER and Gaenslen bilaterally.",
                 {("faber", "bilateral", "negative", "present"), ("gaenslen", "bilateral", "negative", "present")},
                 id="negative-prefix-list"),
]

DISTRACTORS = [
    pytest.param("Straight leg raise positive on the left.", id="slr-is-not-an-sij-test"),
    pytest.param("Seen with Dr. Patrick's team today.", id="patrick-the-doctor"),
    pytest.param("Patrick's wife drove him to the visit.", id="patrick-the-patient-name"),
    pytest.param("History of L1 compression fracture.", id="compression-fracture"),
    pytest.param("Wears compression stockings for edema.", id="compression-stockings"),
    pytest.param("Special tests include FABER and Gaenslen.", id="mention-without-result"),
    pytest.param("Spurling's test positive on the right.", id="cervical-test"),
    pytest.param("Orthopedic tests: axial compression negative. Shoulder distraction negative bilaterally.",
                 id="mtsamples-axial-compression-shoulder-distraction"),
    pytest.param("COMPRESSION:\nCompression decreases swelling after a sprain.", id="mtsamples-rice-instructions"),
    pytest.param("Neck exam: compression test reproduces his neck pain.", id="mtsamples-cervical-compression"),
    pytest.param("Shoulder distraction test was positive.", id="mtsamples-shoulder-distraction"),
    pytest.param("SIJ exam: ASLR positive L, improved with pelvic compression belt.", id="holdout-ho-011-compression-belt"),
]


def _summary(facts):
    return {(f.test, f.side, f.result, f.assertion) for f in facts}


@pytest.mark.parametrize("text, expected", CASES)
def test_phrasing_families(note_ctx, text, expected):
    doc, ctx = note_ctx(text)
    assert _summary(extract(doc, ctx)) == expected


@pytest.mark.parametrize("text", DISTRACTORS)
def test_distractors_give_no_fact(note_ctx, text):
    doc, ctx = note_ctx(text)
    assert extract(doc, ctx) == []


def test_one_fact_per_test_and_side_with_all_evidence(note_ctx):
    text = "Exam: FABER (+) L.\nImpression: positive FABER on the left."
    doc, ctx = note_ctx(text)
    facts = extract(doc, ctx)
    assert len(facts) == 1
    assert [e.text for e in facts[0].evidence] == ["FABER (+) L", "positive FABER on the left"]


def test_evidence_quotes_the_text_with_rule_and_section(note_ctx):
    text = "PHYSICAL EXAM:\nGaenslen's: neg\n"
    doc, ctx = note_ctx(text)
    (fact,) = extract(doc, ctx)
    ev = fact.evidence[0]
    assert text[ev.start:ev.end] == ev.text == "Gaenslen's: neg"
    assert ev.rule and ev.rule.startswith("provocative_test:")
    assert ev.section == "physical_exam"


@pytest.mark.parametrize("text, expected", [
    pytest.param("Test | Left | Right\nFABER | (+) | (+)\n", {("faber", "bilateral", "positive", "present")},
                 id="both-columns-positive-is-bilateral"),
    pytest.param("Test      Left     Right\nGaenslen      (-)      (-)\n", {("gaenslen", "bilateral", "negative", "present")},
                 id="aligned-both-negative-is-bilateral"),
    pytest.param("Test | Left | Right\nFABER | (+) | (-)\n",
                 {("faber", "left", "positive", "present"), ("faber", "right", "negative", "present")},
                 id="different-columns-stay-two-facts"),
])
def test_table_columns_reading_the_same_are_one_bilateral_finding(note_ctx, text, expected):
    doc, ctx = note_ctx(text)
    assert {(f.test, f.side, f.result, f.assertion) for f in extract(doc, ctx)} == expected



# Round 9: rows ending in a slash pair of results under a caption that gives the side order, and
# whitespace tables whose header leaves the label column blank (extractor/facts/tables.py)
@pytest.mark.parametrize("text, expected", [
    pytest.param("Provocation (L / R):\n  Gaenslen ............ neg / pos\n  Thigh thrust ........ (+) / (+)\n",
                 {("gaenslen", "left", "negative", "present"), ("gaenslen", "right", "positive", "present"),
                  ("thigh_thrust", "bilateral", "positive", "present")}, id="slash-pair-left-first"),
    pytest.param("SIJ exam, rt/lt:\n  FABER   + / -\n",
                 {("faber", "right", "positive", "present"), ("faber", "left", "negative", "present")},
                 id="slash-pair-caption-words"),
    pytest.param("Exam:\n  FABER   + / -\n", {("faber", None, "positive", "present")},
                 id="distractor-slash-pair-without-side-order"),
    pytest.param("               Left    Right\nThigh thrust   (+)     (-)\nFABER          (-)     (-)\n",
                 {("thigh_thrust", "left", "positive", "present"), ("thigh_thrust", "right", "negative", "present"),
                  ("faber", "bilateral", "negative", "present")}, id="blank-label-header"),
])
def test_round9_side_order_rows(note_ctx, text, expected):
    doc, ctx = note_ctx(text)
    assert _summary(extract(doc, ctx)) == expected
