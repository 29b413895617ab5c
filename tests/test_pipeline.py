"""The NLP pipeline: sentences on templated text, sections, target rules as data, ConText assertions."""
from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.nlp import pipeline
from extractor.rules.loader import RuleFileError, parse_rules
from extractor.text.sentences import sentence_starts


def _sentences(text: str) -> list[str]:
    starts = sentence_starts(text) + [len(text)]
    return [text[a:b].strip() for a, b in itertools.pairwise(starts) if text[a:b].strip()]


@pytest.mark.parametrize("text, expected", [
    pytest.param("FABER: (+) L\nGaenslen's: neg\n", ["FABER: (+) L", "Gaenslen's: neg"], id="template-rows"),
    pytest.param("[x] FABER\n[ ] Gaenslen\n", ["[x] FABER", "[ ] Gaenslen"], id="checkbox-lines"),
    pytest.param("Test | Left | Right\nFABER | + | -\n", ["Test | Left | Right", "FABER | + | -"], id="table-rows"),
    pytest.param("PLAN:\n1. SI joint injection.\n2. PT.\n", ["PLAN:", "1. SI joint injection.", "2. PT."],
                 id="numbered-list-numbers-do-not-split"),
    pytest.param("Pain began after a fall and has\ngradually worsened. She denies numbness.",
                 ["Pain began after a fall and has\ngradually worsened.", "She denies numbness."],
                 id="soft-wrapped-prose-stays-together"),
    pytest.param("Seen by Dr. Smith. Pain 7/10.", ["Seen by Dr. Smith.", "Pain 7/10."], id="title-abbreviation"),
    pytest.param("Follow up in 4 wks. If she fails PT, consider fusion.",
                 ["Follow up in 4 wks.", "If she fails PT, consider fusion."], id="unit-abbreviation-ends-sentence"),
    pytest.param("Exam:  Tenderness: none  FABER:  (+) R", ["Exam:", "Tenderness: none", "FABER:  (+) R"],
                 id="flattened-template-labels"),
    pytest.param("- Tobacco: never\n- Alcohol: social\n", ["- Tobacco: never", "- Alcohol: social"], id="bullets"),
    pytest.param("PAIN OVER R PSIS, POST. THIGH. R GR. TROCHANTER NONTENDER.",
                 ["PAIN OVER R PSIS, POST. THIGH.", "R GR. TROCHANTER NONTENDER."], id="anatomical-abbreviations-in-capitals"),
    pytest.param("Ant. and post. thigh pain. Gr. trochanter (-).", ["Ant. and post. thigh pain.", "Gr. trochanter (-)."],
                 id="anatomical-abbreviations-in-a-cased-text"),
    pytest.param("GAENSLEN POS. FABER NEG. THIGH THRUST POS.", ["GAENSLEN POS.", "FABER NEG.", "THIGH THRUST POS."],
                 id="distractor-pos-neg-end-their-statement"),
    pytest.param("  THIGH THRUST ....... POSITIVE\n  FABER .............. POSITIVE\n",
                 ["THIGH THRUST ....... POSITIVE", "FABER .............. POSITIVE"], id="dot-leaders-in-capitals"),
    pytest.param("Pain is worse... She denies numbness.", ["Pain is worse...", "She denies numbness."],
                 id="distractor-ellipsis-ends-its-sentence"),
    pytest.param("RENATA IS A 51 Y.O. FEMALE WITH PAIN. SHE POINTS TO THE PSIS.",
                 ["RENATA IS A 51 Y.O. FEMALE WITH PAIN.", "SHE POINTS TO THE PSIS."], id="years-old-abbreviation-in-capitals"),
])
def test_sentence_splitting(text, expected):
    assert _sentences(text) == expected


def test_doc_sentences_follow_the_splitter(nlp):
    doc = nlp("FABER: (+) L\nGaenslen's: neg\n")
    assert [s.text.strip() for s in doc.sents] == ["FABER: (+) L", "Gaenslen's: neg"]


@pytest.mark.parametrize("text, sentences", [
    pytest.param("TOBACCO HISTORY NOT OBTAINED - UNKNOWN.\n", ["TOBACCO HISTORY NOT OBTAINED - UNKNOWN."],
                 id="capitals-sentence-opening-with-a-header-stays-whole"),
    pytest.param("TOBACCO HISTORY\nNever smoker.\n", ["TOBACCO HISTORY", "Never smoker."], id="distractor-header-line"),
])
def test_header_words_split_only_headers(nlp, text, sentences):
    assert [s.text.strip() for s in nlp(text).sents if s.text.strip()] == sentences


@pytest.mark.parametrize("text, offset_of, expected", [
    pytest.param("HPI: left buttock pain.\nSocial History: never smoker.\n", "never", "social_history", id="social"),
    pytest.param("PHYSICAL EXAM:\nFABER (+) L\n", "FABER", "physical_exam", id="exam-caps-no-colon"),
    pytest.param("Family History: mother with RA.\n", "mother", "family_history", id="family"),
    pytest.param("Assessment and Plan: SIJ dysfunction.\n", "SIJ", "assessment_plan", id="assessment-plan"),
    pytest.param("IMPRESSION:\nNo fracture.\n", "fracture", "impression", id="impression"),
    pytest.param("PHYSICAL EXAM\nFABER (+) L\n", "FABER", "physical_exam", id="capitals-header-ends-its-line"),
    pytest.param("HPI: pain.\nPHYSICAL EXAM FABER positive on the left.\n", "FABER", "physical_exam",
                 id="capitals-header-before-lower-case-text"),
    pytest.param("SOCIAL HISTORY: NEVER SMOKER.\n", "NEVER", "social_history", id="capitals-header-with-colon"),
    pytest.param("PROCEDURES PERFORMED\n1. Debridement of the thigh.\n", "Debridement", "procedure",
                 id="capitals-header-with-a-qualifier-word-on-its-line"),
    pytest.param("HPI: pain.\nMEDICATIONS PRESCRIBED:\nBaclofen 10 mg qhs.\n", "Baclofen", "medications",
                 id="capitals-header-with-a-qualifier-and-colon"),
    pytest.param("HPI: PAIN.\nHISTORY OF RIGHT NEPHRECTOMY FOR RENAL CELL CARCINOMA.\n", "NEPHRECTOMY", "hpi",
                 id="distractor-capitals-prose-opening-with-a-header-word"),
    pytest.param("PLAN: INJECTION.\nTOBACCO HISTORY NOT OBTAINED - UNKNOWN.\n", "NOT OBTAINED", "assessment_plan",
                 id="distractor-capitals-sentence-is-not-a-header"),
    pytest.param("IMPRESSION:\nNo fracture.\nXIMPRESSION\nmore\n", "more", "impression", id="distractor-header-inside-a-word"),
])
def test_sections(nlp, text, offset_of, expected):
    from extractor.nlp.context import doc_section

    doc = nlp(text)
    assert doc_section(doc, text.index(offset_of)) == expected


def test_section_categories_are_declared():
    rules = pipeline.section_rules()
    assert {"hpi", "past_medical_history", "medications", "social_history", "family_history", "physical_exam",
            "imaging", "procedure", "assessment_plan", "impression"} <= set(rules.categories)


# ConText assertions on PROVOCATIVE_TEST / SMOKING targets: the gaps medspaCy users report.
@pytest.mark.parametrize("text, target, expected", [
    pytest.param("Screening is negative for tobacco use.", "tobacco", "negated", id="is-negative-for"),
    pytest.param("ROS is -ve for   tobacco use.", "tobacco", "negated", id="minus-ve-for-across-spaces"),
    pytest.param("Gaenslen's: neg", "Gaenslen", "negated", id="colon-neg"),
    pytest.param("FABER (-) bilaterally", "FABER", "negated", id="minus-sign"),
    pytest.param("FABER (+) L, Gaenslen (-) R", "FABER", "present", id="plus-sign-not-reached-by-later-minus"),
    pytest.param("[ ] FABER", "FABER", "negated", id="unchecked-box"),
    pytest.param("FABER not performed.", "FABER", "negated", id="not-performed"),
    pytest.param("Gaenslen deferred due to pain.", "Gaenslen", "negated", id="deferred"),
    pytest.param("Will check FABER next visit.", "FABER", "hypothetical", id="will-check"),
    pytest.param("If she fails PT, will repeat Gaenslen.", "Gaenslen", "hypothetical", id="if-she-fails"),
    pytest.param("Recommend thigh thrust testing.", "thigh thrust", "hypothetical", id="recommend"),
    pytest.param("Mother smokes.", "smokes", "family", id="mother-smokes"),
    pytest.param("Husband smokes in the house.", "smokes", "family", id="husband-smokes"),
    pytest.param("Family History: father smoked.", "smoked", "family", id="family-history-section"),
    pytest.param("History of smoking.", "smoking", "historical", id="history-of"),
    pytest.param("FABER positive on the left.", "FABER", "present", id="positive-stays-present"),
])
def test_assertions(nlp, text, target, expected):
    doc = nlp(text)
    ent = next(e for e in doc.ents if e.text.lower().startswith(target.lower()))
    assert pipeline.assertion_of(ent) == expected


def test_not_performed_sets_its_own_flag(nlp):
    (ent,) = [e for e in nlp("FABER not performed.").ents]
    assert ent._.is_negated and ent._.is_not_performed


def test_target_rules_come_from_every_rules_file_with_the_key():
    rules = pipeline.target_rules()
    ids = {r.metadata["id"].split(":")[0] for r in rules}
    assert {"provocative_test", "smoking_status"} <= ids
    assert {r.category for r in rules} >= {"PROVOCATIVE_TEST", "SMOKING"}


@pytest.mark.parametrize("data, message", [
    pytest.param({"target_rules": [{"literal": "x", "category": "X", "colour": "red"}]}, "allowed keys",
                 id="unknown-key-in-a-rule"),
    pytest.param({"target_rules": [{"literal": "x", "category": "lower_case"}]}, "UPPER_SNAKE",
                 id="category-not-upper-snake"),
    pytest.param({"target_rules": [{"category": "X"}]}, "literal", id="missing-literal"),
])
def test_bad_target_rules_fail_naming_the_problem(data, message):
    with pytest.raises(RuleFileError, match=message):
        parse_rules("bad", json.dumps(data), pipeline.TargetRulesFile)


def test_other_keys_of_a_rules_file_belong_to_its_module():
    spec = parse_rules("ok", json.dumps({"target_rules": [], "vocab": {"a": 1}}), pipeline.TargetRulesFile)
    assert spec.target_rules == []


def test_get_nlp_is_built_once():
    assert pipeline.get_nlp() is pipeline.get_nlp()


def test_process_keeps_order_and_offsets(nlp):
    texts = ["FABER (+) L", "", "Never smoker."]
    docs = pipeline.process(texts, nlp=nlp)
    assert [d.text for d in docs] == texts
    assert [e.label_ for e in docs[0].ents] == ["PROVOCATIVE_TEST"]


def test_long_texts_are_chunked_with_offsets_intact():
    nlp = pipeline.build_nlp()
    nlp.max_length = 300
    text = "Social History: never smoker.\n" + "FABER (+) L, Gaenslen (-) R.\n" * 40
    (doc,) = pipeline.process([text], nlp=nlp)
    assert doc.text == text
    tests = [e for e in doc.ents if e.label_ == "PROVOCATIVE_TEST"]
    assert len(tests) == 80
    assert all(text[e.start_char:e.end_char] == e.text for e in tests)
    last = tests[-1]
    assert pipeline.assertion_of(last) == "negated"
    from extractor.nlp.context import doc_section

    assert doc_section(doc, last.start_char) == "social_history"


def _section_by_char_span(doc, offset):
    """What doc_section answered before its token tables: spaCy's own lookup, one span per call."""
    tok = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return tok[0]._.section_category if tok is not None and len(tok) else None


SECTION_TEXTS = [
    pytest.param("HPI:\nLeft buttock pain.\nEXAM:\nTTP R PSIS.  FABER +\n\nPLAN:\nRepeat SI block.", id="three-sections"),
    pytest.param("No header at all, just  two  spaces\tand a tab.\n", id="no-sections"),
    pytest.param("IMPRESSION:\nNo fracture.\nXIMPRESSION\nmore\n", id="header-inside-a-word"),
    pytest.param("  \n\nPAST MEDICAL HISTORY: HTN\nSOCIAL HISTORY: smoker\nMEDICATIONS: none ", id="leading-space"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("text", SECTION_TEXTS)
def test_doc_section_agrees_with_spacy_char_span_at_every_offset(nlp, text):
    from extractor.nlp.context import doc_section

    doc = nlp(text)
    offsets = range(-2, len(text) + 3)
    assert [doc_section(doc, i) for i in offsets] == [_section_by_char_span(doc, i) for i in offsets]
    assert any(_section_by_char_span(doc, i) for i in offsets) == ("HPI" in text or "HISTORY" in text
                                                                  or "IMPRESSION" in text)


@given(st.text(alphabet=st.sampled_from(list("HPI:EXAMPLN \n\t.abc")), max_size=80))
@settings(max_examples=60, deadline=None)
def test_doc_section_agrees_with_spacy_char_span_on_random_text(nlp, text):
    from extractor.nlp.context import doc_section

    doc = nlp(text)
    assert [doc_section(doc, i) for i in range(len(text) + 1)] == \
        [_section_by_char_span(doc, i) for i in range(len(text) + 1)]


def test_sentence_starts_hand_each_caller_its_own_list():
    text = "Left buttock pain.\nFABER positive. Plan: SI joint injection."
    first = sentence_starts(text)
    first.append(999)
    assert sentence_starts(text) == [0, 19, 35]
