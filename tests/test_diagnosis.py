"""diagnosis facts: condition, ICD-10 code, assertion (SPEC section 4)."""
from __future__ import annotations

import pytest

from extractor.facts import diagnosis


def _facts(note_ctx, text):
    doc, ctx = note_ctx(text, "2025-09-08")
    facts = diagnosis.extract(doc, ctx)
    for f in facts:
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return {(f.condition, f.icd10, f.assertion) for f in facts}


@pytest.mark.parametrize("text, expected", [
    pytest.param("ASSESSMENT:\nLeft sacroiliac joint dysfunction (M53.3), clinically well localized.",
                 {("sacroiliac_joint_dysfunction", "M53.3", "present")}, id="SIJ-001-phrase-with-code"),
    pytest.param("A/P: Sacroiliitis, right (M46.1).", {("sacroiliitis", "M46.1", "present")},
                 id="code-after-side-word"),
    pytest.param("Assessment: Right SI joint dysfunction, degenerative sacroiliitis (M46.1).",
                 {("sacroiliac_joint_dysfunction", None, "present"), ("sacroiliitis", "M46.1", "present")},
                 id="SIJ-004-code-belongs-to-nearest-phrase"),
    pytest.param("Dx: M46.1", {("sacroiliitis", "M46.1", "present")}, id="code-alone"),
    pytest.param("Chronic axial mechanical low back pain (M54.50) x 3 years.",
                 {("mechanical_low_back_pain", "M54.50", "present")}, id="code-prefix-m54-5"),
    pytest.param("Assessment: right L5 radiculopathy (M54.17).", {("lumbar_radiculopathy", "M54.17", "present")},
                 id="radiculopathy"),
    pytest.param("Aspirate grew MSSA. Assessment: septic right sacroiliac joint (pyogenic sacroiliitis).",
                 {("sij_infection", None, "present")}, id="SIJ-023-septic-is-infection-not-sacroiliitis"),
    pytest.param("Now solitary metastasis to the right sacral ala (C79.51).", {("sacral_tumor", "C79.51", "present")},
                 id="sacral-metastasis"),
    pytest.param("Assessment: right sacral insufficiency fracture (M80.08XA).",
                 {("sacral_insufficiency_fracture", "M80.08XA", "present")}, id="insufficiency-fracture"),
    pytest.param("Assessment: Pelvic ring disruption (S32.810A) with post-traumatic lumbosacral kyphotic deformity.",
                 {("pelvic_ring_fracture", "S32.810A", "present"), ("spinal_deformity", None, "present")},
                 id="pelvic-ring-and-deformity"),
    pytest.param("Assessment: postpartum pelvic girdle pain.", {("pelvic_girdle_pain", None, "present")},
                 id="pelvic-girdle-pain"),
    pytest.param("PMH: Fibromyalgia (M79.7), diagnosed 2019, followed by rheumatology.",
                 {("fibromyalgia", "M79.7", "present")}, id="fibromyalgia-present"),
    pytest.param("Somatic symptom (somatoform) disorder per psychiatry, on sertraline.",
                 {("somatoform_disorder", None, "present")}, id="somatic-symptom-disorder"),
    pytest.param("I am requesting authorization for fusion for left SI joint dysfunction.",
                 {("sacroiliac_joint_dysfunction", None, "present")}, id="request-does-not-make-dx-hypothetical"),
])
def test_diagnoses(note_ctx, text, expected):
    assert _facts(note_ctx, text) == expected


@pytest.mark.parametrize("text, expected", [
    pytest.param("No history of fibromyalgia.", {("fibromyalgia", None, "negated")}, id="no-history-of"),
    pytest.param("Denies fibromyalgia.", {("fibromyalgia", None, "negated")}, id="denies"),
    pytest.param("PMH: DM2. Fibromyalgia: [ ] yes [x] no  Somatoform / pain behavior: [ ] yes [x] no",
                 {("fibromyalgia", None, "negated"), ("somatoform_disorder", None, "negated")},
                 id="SIJ-002-checkbox-answers"),
    pytest.param("Fibromyalgia (-)   Tobacco: current", {("fibromyalgia", None, "negated")}, id="minus-marker"),
    pytest.param("Fibromyalgia: [x] yes [ ] no", {("fibromyalgia", None, "present")}, id="checkbox-yes"),
    pytest.param("Impression: lumbar spondylosis without radiculopathy (M47.816).",  # SIJ-006
                 {("lumbar_radiculopathy", None, "negated")}, id="negated-dx-takes-no-code"),
    pytest.param("No history of widespread or generalized pain disorder.",
                 {("generalized_pain_disorder", None, "negated")}, id="generalized-pain-disorder"),
    pytest.param("Spine alignment normal, no deformity.", {("spinal_deformity", None, "negated")},
                 id="deformity-needs-spine-context"),
    pytest.param("Assessment: rule out fibromyalgia.", {("fibromyalgia", None, "possible")}, id="rule-out"),
    pytest.param("r/o sacroiliitis", {("sacroiliitis", None, "possible")}, id="r-o"),
    pytest.param("Mother has fibromyalgia.", {("fibromyalgia", None, "family")}, id="family-member"),
    pytest.param("FAMILY HISTORY: Sister with fibromyalgia.", {("fibromyalgia", None, "family")},
                 id="family-history-section"),
])
def test_assertions(note_ctx, text, expected):
    assert _facts(note_ctx, text) == expected


@pytest.mark.parametrize("text", [
    pytest.param("EXAM: MRI SI JOINTS\nIMPRESSION: No sacroiliitis, fracture or septic arthritis.",
                 id="radiology-impression-is-imaging"),
    pytest.param("MRI pelvis 7/7/25: no fracture, tumor or infection.", id="imaging-summary-in-office-note"),
    pytest.param("Severe hand deformity from rheumatoid arthritis.", id="deformity-without-spine"),
    pytest.param("Left-sided low back and buttock pain for 14 months.", id="pain-description-is-not-dx"),
    pytest.param("Vitals: BP 130/80, HR 72. Room B12.", id="no-code-no-phrase"),
    pytest.param("Assessment: C5-6 cervical radiculopathy.", id="cervical-radiculopathy-is-not-lumbar"),
    pytest.param("Assessment: left SI joint pain and low back pain.", id="symptom-only-assessment"),
    pytest.param("IMPRESSION: No fracture, tumor, infection or sacroiliitis.", id="impression-line-without-header"),
])
def test_distractors(note_ctx, text):
    assert _facts(note_ctx, text) == set()
