"""Normalization: what it cleans, and an offset map that is exact for any input."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extractor.text.furniture import repeated_page_lines
from extractor.text.normalize import (
    LIGATURES,
    TextStyle,
    document_view,
    line_key,
    normalize,
    text_style,
)

# every (original char, cleaned char) pair a substitution may produce
_ALLOWED_CHANGES = {("\f", "\n"), ("\v", "\n"), ("\r", "\n"), ("\u2028", "\n"), ("\u2029", "\n"), ("\x85", "\n"),
                    ("\n", " ")}


def _allowed(orig: str, new: str) -> bool:
    if orig == new or (orig, new) in _ALLOWED_CHANGES or orig.upper() == new:  # capitals: a caseless text
        return True
    if orig in LIGATURES:
        return new in LIGATURES[orig] or new in LIGATURES[orig].upper()  # capitals: a caseless text
    if new == " ":
        return orig.isspace() or orig in "\u00a0\u2007\u202f"
    if new in "'\"-":
        return orig in "\u2018\u2019\u201b\u2032\u201c\u201d\u201f\u2010\u2011\u2012\u2013\u2014\u2212"
    return False


def check_map(original: str, drop: frozenset[str] = frozenset()) -> None:
    norm = normalize(original, drop)
    offsets = norm.offsets
    assert len(offsets) == len(norm.text)
    if len(offsets):
        assert offsets.min() >= 0 and offsets.max() < len(original)
        assert np.all(np.diff(offsets) >= 0)
    for i, ch in enumerate(norm.text):
        assert _allowed(original[offsets[i]], ch), (i, original[offsets[i]], ch)
    n = len(norm.text)
    for s, e in [(0, n), (0, 0), (n, n), (n // 3, n // 2), (n // 2, n), (-5, n + 5)]:
        a, b = norm.to_original(s, e)
        assert 0 <= a <= b <= len(original)
    if not drop:  # letters and digits are never dropped unless they sit on a repeated header line
        kept = set(offsets.tolist())
        assert all(i in kept for i, ch in enumerate(original) if ch.isascii() and ch.isalnum())


PIECES = ["radio-\ngraph", "\x00", "\ud800", "\udfff", "\ufb01", "\ufb03", "\u200b", "\u00a0", "\r\n", "\f", "\n\n",
          "FINDINGS:", "- bullet", "[x] ", "\t", "The patient ", "denies pain.", "\n", "FAX 555 Page 3 of 12\n",
          "\u2019", "\u00ad", "\ufeff", "\x7f", "\x9f", "\U0001F600", "1. ", "L4-\n5"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=300))
def test_map_exact_for_arbitrary_unicode(original):
    check_map(original)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=60).map("".join))
def test_map_exact_for_clinical_shaped_text(original):
    check_map(original)
    check_map(original, frozenset({line_key("FAX 555 Page 3 of 12")}))


@settings(max_examples=5, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=20, max_size=40), st.integers(0, 2**16))
def test_map_exact_on_100k_characters(pieces, seed):
    rng = np.random.default_rng(seed)
    original = "".join(pieces[i] for i in rng.integers(0, len(pieces), 12000))[:100_000]
    check_map(original)


@pytest.mark.parametrize("original, expected", [
    pytest.param("a\x00b\x07c", "abc", id="nul-and-control-deleted"),
    pytest.param("ab\ud800c", "abc", id="lone-surrogate-deleted"),
    pytest.param("\ufb01nal \ufb02exion", "final flexion", id="ligatures-expanded"),
    pytest.param("zero\u200bwidth\ufeff", "zerowidth", id="zero-width-deleted"),
    pytest.param("left\u00a0SI joint", "left SI joint", id="nbsp-to-space"),
    pytest.param("Patrick\u2019s test \u2013 positive", "Patrick's test - positive", id="smart-quotes-and-dashes"),
    pytest.param("the radio-\ngraph shows", "the radiograph shows", id="hyphen-across-line-break"),
    pytest.param("at L4-\n5 disc", "at L4-5 disc", id="level-range-across-line-break"),
    pytest.param("a former non-\nsmoker and ex-\nsmoker", "a former non-smoker and ex-smoker", id="compound-hyphen-kept"),
    pytest.param("MRI PELVIS WITHOUT CONTR-\nAST; NON-\nTENDER", "MRI PELVIS WITHOUT CONTRAST; NON-TENDER",
                 id="capitals-word-across-line-break"),
    pytest.param("Plan: PT-\nHome program. Follow-\nUp Visit", "Plan: PT-\nHome program. Follow-\nUp Visit",
                 id="distractor-capital-after-a-dash-is-a-new-word"),
    pytest.param("Plan:\n- PT\n-\nNSAIDs", "Plan:\n- PT\n-\nNSAIDs", id="dash-lines-untouched"),
    pytest.param("one.\r\nTwo", "one.\nTwo", id="crlf-to-lf"),
    pytest.param("page one.\fpage two", "page one.\npage two", id="form-feed-to-newline"),
])
def test_cleanups(original, expected):
    assert normalize(original).text == expected


WRAPPED = ("The patient reports left buttock pain radiating to the posterior thigh for eight\n"
           "months, worse with sitting and climbing stairs and lying on the left side at\n"
           "night. She denies numbness.\n")


NARROW = ("She reports left buttock pain for eight months, worse with\n"
          "sitting and stairs, and she cannot lie on her left side at\n"
          "night because of it. No numbness or tingling in the legs.\n")


@pytest.mark.parametrize("original, joined, kept", [
    pytest.param(WRAPPED, ["eight months", "side at night"], ["numbness.\n"], id="mid-sentence-wraps-joined"),
    pytest.param("She has pain in the left buttock that is\nworse with sitting", ["is worse"], [],
                 id="lowercase-continuation-joined"),
    pytest.param(WRAPPED + "FINDINGS:\nMild sclerosis", [], ["FINDINGS:\nMild"], id="header-kept"),
    pytest.param(WRAPPED + "Plan includes the following and more items than one line holds\n- PT\n- NSAIDs",
                 [], ["holds\n- PT", "PT\n- NSAIDs"], id="bullets-kept"),
    pytest.param(WRAPPED + "Tests done today with results that follow on\n[x] FABER\n[ ] Gaenslen",
                 [], ["on\n[x] FABER", "FABER\n[ ] Gaenslen"], id="checkboxes-kept"),
    pytest.param(WRAPPED + "Date\tTest\tResult\n02/03/2026\tFABER\tpositive", [], ["Result\n02/03"], id="table-rows-kept"),
    pytest.param(WRAPPED + "\nASSESSMENT\nSacroiliitis", [], ["\n\nASSESSMENT\nSacroiliitis"], id="blank-line-and-caps-kept"),
    pytest.param(WRAPPED + "Thigh thrust (+) R, compression (+), Gaenslen (+) R, FABER (+) and also the\nR.\nNext",
                 ["FABER (+) and also the R."], ["R.\nNext"], id="side-letter-wrapped-alone-joined"),
    pytest.param(WRAPPED + "Compression and distraction tests are positive today on the left side and\nR. Smith agrees",
                 ["side and R. Smith"], [], id="capital-initial-is-not-a-bullet"),
    pytest.param(WRAPPED + "Smoking history is relevant for this request as\nTobacco: never", [], ["as\nTobacco: never"],
                 id="label-line-kept"),
    pytest.param(WRAPPED.upper(), ["EIGHT MONTHS", "SIDE AT NIGHT"], ["NUMBNESS.\n"], id="capitals-text-wraps-joined"),
    pytest.param(WRAPPED + "THERAPEUTIC CORTICOSTEROID SIJ INJECTION CONTRAINDICATED: BRITTLE\nT1DM WITH DKA IN 2023.\n",
                 ["BRITTLE T1DM"], [], id="full-width-capitals-line-of-a-cased-text-joined"),
    pytest.param(NARROW + "NORTHGATE IMAGING CENTER - RADIOLOGY REPORTS\nMRI PELVIS WITHOUT CONTRAST\n", [],
                 ["REPORTS\nMRI PELVIS"], id="distractor-shorter-capitals-title-kept"),
    pytest.param(NARROW + "| PT, stabilization | 03/03/2025 - 04/11/2025 (11\nvisits) | no change |\n", ["(11 visits)"], [],
                 id="wrapped-pipe-table-row-joined"),
    pytest.param(NARROW + "| Test | Left | Right\n| FABER | + | - |\n", [], ["Right\n| FABER"],
                 id="distractor-next-pipe-row-kept"),
    pytest.param(NARROW + "Prior treatments:  [X] NSAIDs   [X] Physical therapy   [X]\nChiropractic   [ ] Osteopathic\n",
                 ["[X] Chiropractic"], [], id="checkbox-label-wrapped-joined"),
    pytest.param(NARROW + "Prior treatments:  [X] NSAIDs   [X] Physical therapy   [X]\n[ ] Osteopathic\n", [],
                 ["[X]\n[ ] Osteopathic"], id="distractor-checkbox-then-checkbox-kept"),
    pytest.param(NARROW + "  FABER .............. positive, pain at R SIJ\nSLR negative b/l.\n", [],
                 ["R SIJ\nSLR"], id="distractor-dot-leader-row-kept"),
    pytest.param(NARROW + "MRI lumbar spine     | 02/24/2026 | Mild disc desiccation;\nno stenosis or compression.\n",
                 ["desiccation; no stenosis"], [], id="table-last-cell-goes-on-in-lower-case"),
    pytest.param(NARROW + "Physical therapy      10 weeks     no benefit\nnaproxen              6 months     no benefit\n", [],
                 ["benefit\nnaproxen"], id="distractor-lower-case-next-row-with-cells-kept"),
    pytest.param(NARROW + "MRI lumbar spine     | 02/24/2026 | Mild disc desiccation.\nNo stenosis per report.\n", [],
                 ["desiccation.\nNo stenosis"], id="distractor-capitalized-line-after-a-row-kept"),
    pytest.param(NARROW + "05-Jan-2026  R     diagnostic   bupivacaine 0.5% 2 mL     \n        yes  yes       8    1\n",
                 ["2 mL      " + " " * 8 + "yes  yes"], [], id="full-width-table-row-wrapped-into-an-indented-line"),
    pytest.param(NARROW + "  SIJ tenderness            +     left side more than right\n  Trochanter tenderness     -\n",
                 [], ["right\n  Trochanter"], id="distractor-indented-table-next-row-kept"),
    pytest.param(NARROW + "05-Jan-2026  R     diagnostic   lidocaine\n        yes  yes       8    1\n",
                 [], ["lidocaine\n        yes"], id="distractor-short-row-above-an-indented-line-kept"),
    pytest.param(NARROW + "Thigh thrust: pos R. Compression: pos. Distraction: pos. Gaenslen:\npos R. FABER: neg.\n",
                 ["Gaenslen: pos R."], [], id="full-line-of-fields-wraps-after-a-label"),
    pytest.param(NARROW + "Thigh thrust: pos R. Compression: pos. Distraction: pos. Gaenslen:\n- pos R\n", [],
                 ["Gaenslen:\n- pos R"], id="distractor-bullet-after-a-label-kept"),
    pytest.param(NARROW + "Exam:\nFABER positive on the left.\n", [], ["Exam:\nFABER"], id="distractor-short-label-line-kept"),
    pytest.param(WRAPPED.upper() + "\nASSESSMENT\nSACROILIITIS, RIGHT\nPLAN\nINJECTION", [],
                 ["\nASSESSMENT\nSACROILIITIS, RIGHT\nPLAN\nINJECTION"], id="distractor-short-capitals-headings-kept"),
    pytest.param(WRAPPED.upper() + "SEE ALSO THE RADIOLOGY REPORT FROM THE OUTSIDE HOSPITAL\nFINDINGS: NONE", [],
                 ["HOSPITAL\nFINDINGS: NONE"], id="distractor-capitals-label-line-kept"),
    pytest.param(WRAPPED + "SHORT LINE IN CAPITALS HERE AND THERE AND THEN SOME MORE\nNext line", [],
                 ["MORE\nNext line"], id="distractor-capitals-heading-in-a-cased-text-kept"),
])
def test_line_wraps(original, joined, kept):
    text = normalize(original).text
    for phrase in joined:
        assert phrase in text
    for phrase in kept:
        assert phrase in text


def test_drop_lines_removed_and_mapped():
    original = "FAX 03/05/2026 Page 1 of 3\nOFFICE VISIT\nFAX 03/05/2026 Page 2 of 3\nFABER positive"
    norm = normalize(original, frozenset({line_key("FAX 01/01/2020 Page 9 of 9")}))
    assert "FAX" not in norm.text and "OFFICE VISIT" in norm.text
    start = norm.text.index("FABER")
    s, e = norm.to_original(start, start + len("FABER positive"))
    assert original[s:e] == "FABER positive"


@pytest.mark.parametrize("original, expected", [
    pytest.param("(R):\n  Thigh thrust positive\n\fFAX Page 2 of 3\n  Compression positive\n",
                 "(R):\n  Thigh thrust positive\n  Compression positive\n", id="header-atop-a-page-leaves-no-gap"),
    pytest.param("Plan follows.\nFAX Page 1 of 3\n\fNext page.", "Plan follows.\nNext page.", id="footer-leaves-no-gap"),
    pytest.param("last line\fFAX Page 2 of 3\nFirst line", "last line\nFirst line", id="form-feed-alone-parts-the-pages"),
    pytest.param("x.\n\n\fFAX Page 2 of 3\nY.", "x.\n\nY.", id="distractor-blank-line-of-the-page-kept"),
])
def test_dropped_lines_leave_one_break(original, expected):
    norm = normalize(original, frozenset({line_key("FAX Page 1 of 3")}))
    assert norm.text == expected
    check_map(original, frozenset({line_key("FAX Page 1 of 3")}))


def test_to_original_covers_whole_ligature():
    original = "con\ufb01rmed"
    norm = normalize(original)
    start = norm.text.index("fi")
    assert norm.to_original(start + 1, start + 2) == (3, 4)
    assert original[slice(*norm.to_original(0, len(norm.text)))] == original


def _pages(*pages: str) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + 1
    return "\f".join(pages), starts


BODIES = ["left buttock pain", "FABER positive", "Gaenslen negative", "plan: injection"]


@pytest.mark.parametrize("pages, expected, absent", [
    pytest.param([f"FAX (555) 010-0100  Page {i} of 4\n{body}" for i, body in enumerate(BODIES, start=1)],
                 {"fax (#) #-# page # of #"}, ["faber positive"], id="fax-header-digits-masked"),
    pytest.param([f"Riverside Spine Center\nOFFICE VISIT\nDate of Service: 0{i}/01/2026\nText {i}" for i in range(1, 5)],
                 {"riverside spine center"}, ["office visit", "date of service: #/#/#"], id="titles-and-dos-never-repeated"),
    pytest.param(["Header line here\nbody", "Header line here\nbody"], set(), [], id="two-pages-too-few"),
    pytest.param(["From: 555-0100  FAX  Page 1 of 2  Medical Records\nOFFICE VISIT\nbody",
                  "From: 555-0100  FAX  Page 2 of 2  Medical Records\nmore body"],
                 {"from: #-# fax page # of # medical records"}, ["office visit"], id="page-numbered-fax-line-of-two-pages"),
    pytest.param(["Riverside Spine\nbody text\nPage 1/1"], {"page #/#"}, [], id="page-footer-of-one-page"),
    pytest.param([("Riverside Spine\nbody\nbody\nbody\nbody\nPT completed page 2 of 3 of the intake form today.\n"
                   "more\nmore\nmore\nmore")],
                 set(), ["pt completed page # of # of the intake form today."], id="distractor-page-words-inside-the-page"),
])
def test_repeated_page_lines(pages, expected, absent):
    text, starts = _pages(*pages)
    found = repeated_page_lines(text, starts)
    assert expected <= found
    for key in absent:
        assert key not in found


NOTE = ("HPI: Left buttock pain for eight months, worse with sitting. R SIJ tender. FABER (+) R, Gaenslen (+) R.\n"
        "Tried PT for 6 weeks and naproxen since January without relief. Plan: L SIJ diagnostic block.\n")
TABLE = "Date         Side   Type          Relief\n05-Jan-2026  R      diagnostic    80%\n26-Jan-2026  R      diagnostic    70%\n"


def _doubled(text: str) -> str:
    return text.replace(" ", "  ")


@pytest.mark.parametrize("text, expected", [
    pytest.param(NOTE, TextStyle(), id="mixed-case-single-gaps"),
    pytest.param(_doubled(NOTE), TextStyle(doubled=True), id="every-gap-doubled"),
    pytest.param(NOTE.lower(), TextStyle(caseless=True), id="all-lower-case"),
    pytest.param(_doubled(NOTE.lower()), TextStyle(doubled=True, caseless=True), id="doubled-and-lower-case"),
    pytest.param(NOTE.upper(), TextStyle(), id="distractor-all-capitals-keep-their-case"),
    pytest.param(NOTE.replace(". ", ".  "), TextStyle(), id="distractor-two-spaces-after-sentences"),
    pytest.param(TABLE + NOTE, TextStyle(), id="distractor-table-column-gaps"),
    pytest.param("no fracture. mild sclerosis.", TextStyle(), id="distractor-short-lower-case-line"),
    pytest.param(NOTE.lower().replace("hpi", "HPI").replace("sij", "SIJ").replace("faber", "FABER"), TextStyle(),
                 id="distractor-lower-case-prose-with-capital-acronyms"),
])
def test_text_style(text, expected):
    assert text_style(text) == expected


@pytest.mark.parametrize("original, style, expected", [
    pytest.param(_doubled(NOTE), None, NOTE, id="doubled-gaps-halved"),
    pytest.param(_doubled(TABLE + NOTE), None, TABLE + NOTE, id="doubled-table-keeps-its-columns"),
    pytest.param(NOTE.lower(), None, NOTE.upper(), id="caseless-note-read-in-capitals"),
    pytest.param("r sij tender.", TextStyle(caseless=True), "R SIJ TENDER.", id="short-note-of-a-caseless-document"),
    pytest.param("l  sij  block.", TextStyle(doubled=True), "l sij block.", id="short-note-of-a-doubled-document"),
    pytest.param("r sij tender.", None, "r sij tender.", id="distractor-short-text-decides-nothing"),
    pytest.param("R SIJ  tender.", TextStyle(), "R SIJ  tender.", id="distractor-plain-document-style-kept"),
    pytest.param(NOTE.replace(". ", ".  "), None, NOTE.replace(". ", ".  "), id="distractor-sentence-gaps-kept"),
    pytest.param("stra\u00dfe " * 10, TextStyle(caseless=True), "STRA\u00dfE " * 10, id="longer-capital-stays-lower"),
])
def test_style_passes(original, style, expected):
    norm = normalize(original, style=style)
    assert norm.text == expected
    assert original[slice(*norm.to_original(0, len(norm.text)))] == original
    check_map(original)


def test_document_view_keeps_lines_and_maps_back():
    original = _doubled("office visit\ndate of service: 02/03/2026\f" + NOTE.lower())
    view = document_view(original)
    assert view.text == "OFFICE VISIT\nDATE OF SERVICE: 02/03/2026\f" + NOTE.upper()
    at = view.text.index("\f") + 1
    assert original[view.offsets[at] - 1] == "\f" and original[view.offsets[at]] == "h"
