"""ICD-10-CM list membership: both sides of every range boundary of CP.MP.126's code list."""
from __future__ import annotations

import pytest

from evaluator import icd10, load_policy


def policy_codes() -> list[str]:
    return load_policy("CP.MP.126").node("codes").codes  # type: ignore[attr-defined]


@pytest.mark.parametrize("code, inside", [
    # M43.27-M43.28 fusion of spine, lumbosacral to sacrococcygeal
    pytest.param("M43.26", False, id="M43-below-range"),
    pytest.param("M43.27", True, id="M43-low-bound"),
    pytest.param("M43.28", True, id="M43-high-bound"),
    pytest.param("M43.29", False, id="M43-above-range"),
    # M53.2X6-M53.2X8 spinal instabilities with the X placeholder
    pytest.param("M53.2X5", False, id="M53-below-range"),
    pytest.param("M53.2X6", True, id="M53-low-bound"),
    pytest.param("M53.2X7", True, id="M53-inside"),
    pytest.param("M53.2X8", True, id="M53-high-bound"),
    pytest.param("M53.2X9", False, id="M53-above-range"),
    pytest.param("M53.26", False, id="M53-placeholder-missing"),
    pytest.param("m53.2x7", True, id="M53-lower-case"),
    pytest.param("M532X7", True, id="M53-without-dot"),
    # S32.810A-S32.811S pelvic fractures with 7th characters
    pytest.param("S32.809S", False, id="S32-below-range"),
    pytest.param("S32.810A", True, id="S32-low-bound"),
    pytest.param("S32.810S", True, id="S32-810-sequela"),
    pytest.param("S32.811A", True, id="S32-811-initial"),
    pytest.param("S32.811S", True, id="S32-high-bound"),
    pytest.param("S32.812A", False, id="S32-above-range"),
    pytest.param("S32.810", False, id="S32-without-7th-character"),
    pytest.param("S32.82XA", False, id="S32-other-fracture"),
    # single codes
    pytest.param("M46.1", True, id="sacroiliitis"),
    pytest.param("M46.10", True, id="subcode-of-listed-code"),
    pytest.param("M46.0", False, id="neighbour-of-listed-code"),
    pytest.param("C79.51", True, id="secondary-bone-neoplasm"),
    pytest.param("C79.52", False, id="secondary-marrow-neoplasm"),
    pytest.param("M53.3", True, id="sacrococcygeal-disorder"),
    pytest.param("M54.50", False, id="low-back-pain"),
    pytest.param("", False, id="empty"),
    pytest.param("46.1", False, id="malformed"),
])
def test_policy_code_list(code, inside):
    assert icd10.in_list(code, policy_codes()) is inside


@pytest.mark.parametrize("code, compact", [
    pytest.param(" m53.2x6 ", "M532X6", id="spaces-and-case"),
    pytest.param("S32.811A", "S32811A", id="seventh-character"),
])
def test_normalize(code, compact):
    assert icd10.normalize(code) == compact
    assert icd10.display(code) == compact[:3] + "." + compact[3:]


@pytest.mark.parametrize("bad", ["", "M", "123.4", "M53.2X6X7"])
def test_normalize_rejects_malformed(bad):
    with pytest.raises(ValueError, match="not an ICD-10-CM code"):
        icd10.normalize(bad)
