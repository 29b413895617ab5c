"""extractor/nlp/matching.py: the sped-up medspaCy matchers give exactly what medspaCy's own give."""
from __future__ import annotations

import pytest

from extractor.nlp import matching

TEXTS = [
    pytest.param("Patient denies tobacco use. No tenderness over the left SI joint.", id="negation-sets"),
    pytest.param("FABER: negative on the right. Patrick's test positive L. Gaenslen's neg.", id="provocative-sets"),
    pytest.param("PATRICK'S TEST POSITIVE L. THIGH THRUST NEG. NO TENDERNESS.", id="capitals-lower-sets"),
    pytest.param("Mother had lumbar fusion. Pt may consider SI joint fusion if the block fails.",
                 id="family-and-hypothetical"),
    pytest.param("s/p L SIJ injection 03/02/2026 with 80% relief for 6 hours. PT x 8 weeks, failed NSAIDs.",
                 id="regex-targets"),
    pytest.param("HPI:\nLeft buttock pain.\nEXAM:\nTTP R PSIS.\nPLAN:\nRepeat diagnostic SI joint block.",
                 id="sections"),
    pytest.param("", id="empty"),
]


def _reading(doc) -> list:
    """Everything the fact modules read off a doc that the matchers decide."""
    ents = [(e.start_char, e.end_char, e.label_, e._.target_rule.metadata.get("id"),
             [(m.category, m.modifier_span, m.scope_span) for m in e._.modifiers]) for e in doc.ents]
    sections = [t._.section_category for t in doc]
    graph = doc._.context_graph
    modifiers = [(m.category, m.modifier_span) for m in graph.modifiers] if graph is not None else []
    return [ents, sections, modifiers]


@pytest.mark.parametrize("text", TEXTS)
def test_same_results_as_medspacy(nlp, medspacy_nlp, text):
    fast, plain = _reading(nlp(text)), _reading(medspacy_nlp(text))
    assert fast == plain
    if text:
        assert fast[0], "every non-empty text here names at least one target"


def test_word_sets_became_flags(nlp):
    matchers = [v for _, c in nlp.pipeline for v in vars(c).values() if isinstance(v, matching.MedspacyMatcher)]
    assert any(type(getattr(m, matching._REGEX_ATTRIBUTE)) is matching.DocTextRegexMatcher for m in matchers)
    flagged = [bit for bit in matching._FREE_FLAGS if bit in nlp.vocab.lex_attr_getters]
    assert flagged, "no word set of the rules was turned into a lexeme flag"


def _matcher_pair(nlp, rules: list[tuple[str, list[str]]]):
    """medspaCy's RegexMatcher and ours, holding the same rules."""
    from medspacy.common.regex_matcher import RegexMatcher

    theirs, ours = RegexMatcher(nlp.vocab), matching.DocTextRegexMatcher(nlp.vocab)
    for m in (theirs, ours):
        for label, patterns in rules:
            m.add(label, patterns)
    return theirs, ours


@pytest.mark.parametrize("pattern, text", [
    pytest.param(r"ICE: Rad", "SERVICE: Radiology today", id="inside-tokens-widens"),
    pytest.param(r"\bSI joint\b", "left SI joint and right SI joint", id="aligned-twice"),
    pytest.param(r"xyz", "nothing here", id="no-match"),
])
def test_regex_matcher_reads_text_once_same_matches(nlp, pattern, text):
    doc = nlp.make_doc(text)
    theirs, ours = _matcher_pair(nlp, [("RULE", [pattern])])
    assert ours(doc) == theirs(doc)


@pytest.mark.parametrize("pattern, words", [
    pytest.param(r"\bsacroiliitis\b", ("sacroiliitis",), id="one-word"),
    pytest.param(r"\b(?:degenerative\s+|inflammatory\s+)?sacroiliitis\b", ("sacroiliitis",), id="optional-prefix"),
    pytest.param(r"\b(?:fusion|arthrodesis)\s+of\b", ("arthrodesis", "fusion"), id="branch-words"),
    pytest.param(r"\b(?-i:SNRBs?)\b|\bselective\s+nerve\b", ("selective", "snrb"), id="case-sensitive-lowered"),
    pytest.param(r"(?:abc)+d", ("abc",), id="repeat-at-least-once"),
    pytest.param(r"(?:abc)*d", ("d",), id="optional-repeat-not-required"),
    pytest.param(r"\d+\s+mg", ("mg",), id="classes-break-words"),
    pytest.param(r"[A-Z]+\d", None, id="no-literal"),
    pytest.param(r"a|[bc]", None, id="branch-without-word"),
    pytest.param(r"\b(?:a|b|c|d|e|f|g)\b", None, id="too-many-words"),
])
def test_required_words(pattern, words):
    import re

    assert matching.required_words(pattern, re.IGNORECASE) == words


@pytest.mark.parametrize("pattern, text", [
    pytest.param(r"\bsacroiliitis\b", "Dx: SACROILIITIS, left.", id="capitals"),
    pytest.param(r"\bsacroiliitis\b", "Dx: \u017facroiliitis, left.", id="long-s-matches-s"),
    pytest.param(r"\bsacroiliitis\b", "Dx: SACRO\u0130L\u0130\u0130T\u0130S, left.", id="dotted-capital-i"),
    pytest.param(r"\bsacroiliitis\b", "Dx: sacro\u0131l\u0131\u0131t\u0131s, left.", id="dotless-i"),
    pytest.param(r"\bsacroiliitis\b", "lumbar strain only", id="absent"),
])
def test_regex_matcher_word_check_keeps_matches(nlp, pattern, text):
    doc = nlp.make_doc(text)
    theirs, ours = _matcher_pair(nlp, [("RULE", [pattern])])
    assert ours(doc) == theirs(doc)
    assert bool(theirs(doc)) == ("strain" not in text)


@pytest.mark.parametrize("text, expected", [
    pytest.param("Dx: sacroiliitis, left.", [(4, 16, "sacroiliitis")], id="word-present"),
    pytest.param("Dx: \u017facroiliitis, left.", [(4, 16, "sacroiliitis")], id="long-s-still-found"),
    pytest.param("Dx: lumbar strain.", [], id="word-absent"),
    pytest.param("S/P SI JOINT FUSION", [(4, 19, "fusion")], id="capitals"),
])
def test_vocab_word_check_keeps_matches(text, expected):
    from extractor.facts._clinical import Vocab, vocab_matches

    vocab = [Vocab(value="sacroiliitis", patterns=[r"\b(?:degenerative\s+)?sacroiliitis\b"]),
             Vocab(value="fusion", patterns=[r"\bS\.?I\.?\s+joint\s+fusion\b", r"\bSIJF\b"])]
    assert vocab_matches(vocab, text) == expected


RULES = [("SITE", [r"\bSI\s+joint\b", r"\bsacroiliac\b"]), ("DRUG", [r"\d+\s*mg\b", r"\bkenalog\b", r"[A-Z]{4,}"]),
         ("SITE", [r"\bpiriformis\b"]), ("PLAN", [r"\b(?:will|plan(?:ned)?)\s+(?:repeat|proceed)\b"])]


@pytest.mark.parametrize("text", [
    pytest.param("Left SI joint: KENALOG 40 mg. Will repeat. Sacroiliac and piriformis.", id="every-rule"),
    pytest.param("Plan: proceed. 80 mg only.", id="some-rules-some-words"),
    pytest.param("KENALOG ſI JOINT İNJECTION", id="case-fold-letters-run-every-rule"),
    pytest.param("nothing of the kind", id="no-rule-word"),
])
def test_regex_matcher_word_index_keeps_medspacy_order(nlp, text):
    """Rules chosen per doc by the words present run in medspaCy's order: matches equal, order included."""
    doc = nlp.make_doc(text)
    theirs, ours = _matcher_pair(nlp, RULES)
    assert ours(doc) == theirs(doc)
    ours.add("LATE", [r"\bnothing\b"])  # a rule added after a call is seen by the next one
    theirs.add("LATE", [r"\bnothing\b"])
    assert ours(doc) == theirs(doc)
