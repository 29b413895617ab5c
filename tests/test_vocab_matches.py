"""`_clinical.vocab_matches` (entries ruled out by substring tests before any regex runs) answers as
running every entry's regex over the text, for the real vocabularies of the fact modules."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.facts import _clinical, diagnosis, imaging, pain_pattern, planned_procedure, tenderness

VOCABULARIES = {
    "diagnosis.conditions": lambda: diagnosis.rules().conditions,
    "imaging.modalities": lambda: imaging.rules().modalities,
    "imaging.sites": lambda: imaging.rules().sites,
    "imaging.findings": lambda: imaging.rules().findings,
    "pain_pattern.locations": lambda: pain_pattern.rules().locations,
    "tenderness.sites": lambda: tenderness.rules().sites,
    "tenderness.markers": lambda: tenderness.rules().markers,
    "tenderness.anchors": lambda: tenderness.rules().anchors,
    "planned_procedure.mentions": lambda: planned_procedure.rules().mentions,
    "planned_procedure.approaches": lambda: planned_procedure.rules().approaches,
}


def _every_regex(vocab, text: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
    """The plain reading: each entry's regex over text[lo:hi], no word test; the same overlap rule."""
    hits = [(m.start(), m.end(), v.value) for v in vocab
            if not (v.unless and re.search(v.unless, text[lo:hi], re.IGNORECASE))
            for m in v.regex().finditer(text, lo, hi)]
    return _clinical.longest_without_overlaps(hits)


def _words_of(vocab) -> list[str]:
    """Literal words of the vocabulary's patterns (what the word test looks for), and pieces of them."""
    words = {w for v in vocab for p in v.patterns for w in re.findall(r"[A-Za-z0-9]{2,}", p)}
    return sorted(words | {w[:3] for w in words} | {w.upper() for w in words})


@pytest.mark.parametrize("name", list(VOCABULARIES))
@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_word_test_changes_no_answer(name, data):
    vocab = VOCABULARIES[name]()
    pieces = st.sampled_from(_words_of(vocab) + [" ", "-", "/", ".", "\n", "İ", "ſ", "ı", "SI", "L5-S1"])
    text = data.draw(st.lists(pieces, max_size=12).map(" ".join))
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text)))
    assert _clinical.vocab_matches(vocab, text, lo, hi) == _every_regex(vocab, text, lo, hi)


@pytest.mark.parametrize("name, text, found", [
    pytest.param("diagnosis.conditions", "Assessment: sacroiliitis, left.", True, id="sacroiliitis"),
    pytest.param("diagnosis.conditions", "Assessment: SACROILIITIS, LEFT.", True, id="capitals"),
    pytest.param("imaging.modalities", "MRI pelvis 01/02/2026: normal.", True, id="mri"),
    pytest.param("imaging.modalities", "Exact factors reviewed with the patient.", False, id="distractor-mr-ct-inside-words"),
    pytest.param("pain_pattern.locations", "Pain in the left buttock and groin.", True, id="buttock-groin"),
    pytest.param("pain_pattern.locations", "Relationship discussed.", False, id="distractor-nothing-named"),
])
def test_real_phrasings(name, text, found):
    vocab = VOCABULARIES[name]()
    got = _clinical.vocab_matches(vocab, text)
    assert got == _every_regex(vocab, text, 0, len(text))
    assert bool(got) == found
