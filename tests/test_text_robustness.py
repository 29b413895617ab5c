"""Arbitrary unicode into normalization, segmentation, the NLP pipeline and every fact extractor (issue 9).

Text arrives from faxes, OCR and senders' software: lone surrogates, NUL, C0/C1 controls, bidi
overrides, zero-width characters, ligatures, form feeds, and sometimes millions of characters.
Whatever comes in, each stage ends in a typed result (never an untyped exception) and every offset
it hands out lies inside the text it was given. Example counts stay modest (the NLP is the cost);
benchmarks/fuzz.py runs the same properties with a long budget.
"""
from __future__ import annotations

import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.extract import FACT_MODULES, extract_notes, prepare_notes
from extractor.ingest.reader import IngestedDocument
from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import normalize
from extractor.text.segment import segment_notes

#: characters that break naive text code, mixed with clinical words so the rules actually fire
NASTY = ["\x00", "\ud800", "\udfff", "\u202e", "\u200b", "\ufeff", "\u00ad", "\f", "\r", "\r\n", "\x85", "\u2028",
         "\ufb01", "\t", "\x1b", "\ufffd", "\u0301", "-\n", "  ", "\n\n", "\U0001f600", "\u0130", "\u1e9e"]
WORDS = ["left", "right", "SI joint", "injection", "FABER", "positive", "negative", "Gaenslen", "thigh thrust",
         "80%", "relief", "no", "denies", "MRI", "03/02/2026", "Date of Service:", "OFFICE VISIT", "smoker",
         "quit 2019", "physical therapy", "6 weeks", "fluoroscopy", "contrast", "pain", "buttock", "L4-5",
         "tenderness", "PSIS", "pack-years", "27279", "M46.1", "hip", "x-ray", "fibromyalgia", ".", ":", "\n"]

chartish = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NASTY), st.text(max_size=8)),
                    max_size=200).map(" ".join)
anything = st.one_of(st.text(max_size=400), chartish,
                     st.text(alphabet=st.characters(codec=None, categories=("Cc", "Cs", "Zs", "Zl", "Zp", "Cf",
                                                                              "Mn", "Lu", "Nd")), max_size=300))
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.data_too_large])


def _document(text: str) -> IngestedDocument:
    """A text note whose pages are split at form feeds, as a PDF's would be."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f"]
    return IngestedDocument(name="note.txt", sha256="0" * 64, media_type="text", text=text, page_starts=starts)


@FAST
@given(text=anything)
def test_normalize_maps_every_character_inside_the_original(text):
    drop = repeated_page_lines(text, [0])
    norm = normalize(text, drop)
    assert len(norm.offsets) == len(norm.text)
    if len(norm.text):
        assert 0 <= norm.offsets.min() and norm.offsets.max() < len(text)
        assert (norm.offsets[1:] >= norm.offsets[:-1]).all(), "the map is non-decreasing"
    for start, end in [(0, len(norm.text)), (len(norm.text) // 3, len(norm.text) // 2), (-5, 10**9)]:
        s, e = norm.to_original(start, end)
        assert 0 <= s <= e <= len(text)
    assert not any("\ud800" <= ch <= "\udfff" or ch == "\x00" for ch in norm.text), "NUL/surrogates reach the NLP"


@FAST
@given(text=anything)
def test_segments_cover_the_text_inside_its_bounds(text):
    for note in segment_notes(text):
        assert 0 <= note.start <= note.end <= len(text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(text=anything)
def test_pipeline_and_every_fact_extractor_keep_offsets_inside_the_text(nlp, text):
    doc = _document(text)
    prepared = prepare_notes(doc)
    for p in prepared:
        assert 0 <= p.context.note.start <= p.context.note.end <= len(text)
    found = extract_notes(prepared)
    for dated in found:
        for ev in dated.fact.evidence:
            assert 0 <= ev.start <= ev.end <= len(text), (ev.start, ev.end, len(text))
            assert ev.text == text[ev.start:ev.end] or ev.text.strip() in text


@pytest.mark.parametrize("module", [pytest.param(m, id=m) for m in FACT_MODULES])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(text=chartish)
def test_each_fact_extractor_alone_on_clinical_noise(note_ctx, module, text):
    extract = importlib.import_module(f"extractor.facts.{module}").extract
    cleaned = normalize(text).text  # what the NLP is ever given
    doc, ctx = note_ctx(cleaned, "2026-03-02")
    for fact in extract(doc, ctx):
        for ev in fact.evidence:
            assert 0 <= ev.start <= ev.end <= len(cleaned)


@pytest.mark.parametrize("text", [
    pytest.param("\x00" * 2_000_000, id="2M-NUL"),
    pytest.param("\ud800\udfff\u202e" * 700_000, id="2.1M-surrogates-and-rtl"),
    pytest.param(("left SI joint injection 80% relief. FABER positive.\n" * 40_000)[:2_000_000], id="2M-clinical"),
    pytest.param("a" * 2_000_000, id="2M-one-word"),
])
def test_two_million_characters_normalize_and_segment(text):
    norm = normalize(text, repeated_page_lines(text, [0]))
    assert len(norm.offsets) == len(norm.text) <= len(text) * 3
    for note in segment_notes(text):
        assert 0 <= note.start <= note.end <= len(text)


@pytest.mark.slow  # ~30-60 s each: linear now (pieces of 40k characters, linear medspaCy and label lookup)
@pytest.mark.parametrize("text", [
    pytest.param(("Date of Service: 03/02/2026\nLeft SI joint injection under fluoroscopy with contrast, "
                  "80% relief. FABER positive on the left.\n" * 20_000)[:2_000_000], id="2M-clinical"),
    pytest.param("\x00\ud800 x \u202e\n" * 300_000, id="2.1M-controls"),
])
def test_two_million_characters_through_the_whole_fact_pipeline(nlp, text):
    doc = _document(text)
    found = extract_notes(prepare_notes(doc))
    for dated in found:
        for ev in dated.fact.evidence:
            assert 0 <= ev.start <= ev.end <= len(text)
            assert text[ev.start:ev.end] == ev.text
    if "FABER" in text:  # the clinical text is read to its end, not given up on
        assert max(ev.end for dated in found for ev in dated.fact.evidence) > len(text) - 10_000
