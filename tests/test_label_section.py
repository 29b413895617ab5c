"""`_clinical.label_section` (bisection over the labels of a text) answers as the plain scan from the
text's start that it replaced, for every offset."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.facts import _clinical


def _scan(text: str, offset: int) -> str | None:
    last = None
    for m in _clinical._LABEL.finditer(text, 0, offset + 1):
        if m.start("label") <= offset:
            last = m
    if last is None:
        return None
    label = last.group("label").strip()
    return next((section for pattern, section in _clinical._SECTION_OF_LABEL if pattern.match(label)), None)


PIECES = ["Plan", "Exam", "PE", "FH", "Social history", "Assessment", "Findings", "smoker", "x", " ", "\t",
          ":", "\n", "  ", "a/p", "(R)", "Impression"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_every_offset_gets_the_section_of_the_scan(pieces):
    text = "".join(pieces)
    for offset in range(len(text) + 1):
        assert _clinical.label_section(text, offset) == _scan(text, offset)


@pytest.mark.parametrize("text, offset, section", [
    pytest.param("Exam: FABER +\nPlan: injection", 8, "physical_exam", id="in-exam"),
    pytest.param("Exam: FABER +\nPlan: injection", 22, "plan", id="in-plan"),
    pytest.param("Exam: FABER +\nPlan: injection", 15, "physical_exam", id="plan-label-before-its-colon"),
    pytest.param("FH: mother smoker", 12, "family_history", id="family"),
    pytest.param("no label here", 5, None, id="none"),
])
def test_label_sections(text, offset, section):
    assert _clinical.label_section(text, offset) == section
