"""OCR-aware repair: misread clinical words become known words, numbers and known words stay as read."""
from __future__ import annotations

import numpy as np
import pytest

from extractor.ingest.ocr import OcrResult
from extractor.ingest.ocr_repair import repair_ocr_note, repair_text, vocabulary
from extractor.ingest.reader import IngestedDocument
from extractor.text.normalize import normalize


@pytest.mark.parametrize("read, meant", [
    pytest.param("FA BER positive on the left", "FABER positive on the left", id="split-word"),
    pytest.param("Gaens-len test negative", "Gaenslen test negative", id="hyphen-inside-word"),
    pytest.param("Gaens- len test negative", "Gaenslen test negative", id="hyphen-space-inside-word"),
    pytest.param("0steoarthritis of the hip", "Osteoarthritis of the hip", id="zero-for-O"),
    pytest.param("fluor0scopy guided", "fluoroscopy guided", id="zero-for-o"),
    pytest.param("cornpression test", "compression test", id="rn-for-m"),
    pytest.param("tendemess over the SIJ", "tenderness over the SIJ", id="m-for-rn"),
    pytest.param("1umbar spine", "lumbar spine", id="one-for-l"),
    pytest.param("sacro|liac joint", "sacroiliac joint", id="bar-for-i"),
    pytest.param("FA8ER positive", "FABER positive", id="eight-for-B-all-caps"),
    pytest.param("lido caine 1 mL", "lidocaine 1 mL", id="split-drug-name"),
    pytest.param("L SlJ tenderness", "L SIJ tenderness", id="l-for-I-in-abbreviation"),
    pytest.param("Left S!J injection", "Left SIJ injection", id="bang-for-I"),
    pytest.param("R S!IJ injection", "R SIJ injection", id="bang-before-I"),
    pytest.param("Gaensien L (+)", "Gaenslen L (+)", id="i-for-l"),
    pytest.param("over the Sl joint", "over the SI joint", id="two-letter-abbreviation"),
    pytest.param("MRI S! JOINTS", "MRI SI JOINTS", id="two-letter-with-bang"),
    pytest.param("XR S| JOINTS", "XR SI JOINTS", id="two-letter-with-bar"),
    pytest.param("Left S!lJ dysfunction", "Left SIJ dysfunction", id="I-read-as-bang-l"),
    pytest.param("(+) Gaenslen R (+) FABERR", "(+) Gaenslen R (+) FABER R", id="side-run-into-test"),
    pytest.param("Trochanter tenderness\u201d\t-", "Trochanter tenderness\t-", id="speck-read-as-closing-quote"),
    pytest.param("contrast, lA, lidocaine", "contrast, IA, lidocaine", id="two-letter-intra-articular"),
    pytest.param("(-} lumbar (+] compression {-)", "(-) lumbar (+) compression (-)", id="sign-in-parentheses"),
])
def test_misread_clinical_words_are_repaired(read, meant):
    assert repair_text(read)[0] == meant


@pytest.mark.parametrize("text", [
    pytest.param("relief 1O0% after injection", id="percent"),
    pytest.param("seen on 1O/12/2025 in clinic", id="date"),
    pytest.param("pain 8/1O at rest", id="score"),
    pytest.param("L5-S1 disc, S1 joint", id="levels"),
    pytest.param("non-radiating pain, non-smoker", id="compound-hyphen"),
    pytest.param("Patrick's test and thigh thrust", id="known-words"),
    pytest.param("at rest, in bed, up to 20 mg", id="short-words-not-joined"),
    pytest.param("Dr. Okafor and Mr. Smith", id="names"),
    pytest.param("turn the modern clay", id="ordinary-words-near-known-ones"),
    pytest.param("Follow up in 6 weeks", id="two-words-each-known"),
    pytest.param("Is it ok? In the clinic, Il", id="two-letter-words"),
    pytest.param("Wow! Great news!!", id="exclamation-marks"),
    pytest.param("CLEAR LUMBAR POSTERIOR ANTERIOR FEVER", id="capitals-ending-in-L-or-R"),
    pytest.param('She said "it hurts" today', id="quoted-words"),
    pytest.param("He called it \u201cthe bad hip\u201d then", id="curly-quoted-words"),
    pytest.param("range (+/-) and {x}", id="other-brackets"),
])
def test_numbers_known_words_and_ordinary_words_stay_as_read(text):
    assert repair_text(text) == (text, None)


def test_clean_corpus_notes_are_left_as_they_are():
    """The annotated notes are typed text: any repair there would be a false one."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "corpora"
    notes = sorted(root.glob("sij/*/*.txt")) + sorted(root.glob("demo/*/*.txt"))
    assert notes
    changed = [p.name for p in notes if repair_text(p.read_text(encoding="utf-8"))[1] is not None]
    assert changed == []


def test_the_vocabulary_comes_from_the_rule_files():
    words = vocabulary()
    assert {"faber", "gaenslen", "sacroiliac", "fluoroscopy", "tenderness", "compression"} <= words
    assert {"spondylolisthesis", "paraspinal"} <= words  # ocr_vocabulary.json


def _ocr_doc(text: str, ocr_chars: slice) -> IngestedDocument:
    confidence = np.full(len(text), np.nan, dtype=np.float32)
    confidence[ocr_chars] = 88.0
    return IngestedDocument(name="scan.pdf", sha256="x", media_type="pdf", text=text, page_starts=[0],
                            ocr=OcrResult(pages=[1], confidence={1: 88.0}, char_confidence=confidence))


def test_repaired_offsets_still_point_into_the_ocr_text():
    text = "Exam: FA BER positive, cornpression positive."
    doc = _ocr_doc(text, slice(0, len(text)))
    norm = repair_ocr_note(normalize(text), doc, 0)
    assert norm.text == "Exam: FABER positive, compression positive."
    for word, quoted in (("FABER", "FA BER"), ("compression", "cornpression")):
        start = norm.text.index(word)
        s, e = norm.to_original(start, start + len(word))
        assert text[s:e] == quoted


def test_only_ocr_text_is_repaired():
    text = "FA BER typed. FA BER scanned."
    doc = _ocr_doc(text, slice(14, len(text)))
    assert repair_ocr_note(normalize(text), doc, 0).text == "FA BER typed. FABER scanned."


def test_a_document_without_ocr_is_left_alone():
    text = "FA BER positive"
    doc = IngestedDocument(name="n.txt", sha256="x", media_type="text", text=text, page_starts=[0])
    norm = normalize(text)
    assert repair_ocr_note(norm, doc, 0) is norm
