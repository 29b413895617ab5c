"""planned_procedure facts: the SI joint fusion the chart plans (SPEC section 4)."""
from __future__ import annotations

import pytest

from extractor.facts import planned_procedure


def _facts(note_ctx, text):
    doc, ctx = note_ctx(text, "2026-02-23")
    facts = planned_procedure.extract(doc, ctx)
    for f in facts:
        for ev in f.evidence:
            assert text[ev.start:ev.end] == ev.text
    return [(f.assertion, f.approach, f.cpt, f.side) for f in facts]


@pytest.mark.parametrize("text, expected", [
    pytest.param("PLAN: Left minimally invasive sacroiliac joint fusion (CPT 27279) - will submit for authorization.",
                 [("hypothetical", "minimally_invasive", "27279", "left")], id="SIJ-001-mis-with-cpt"),
    pytest.param("P: Request auth for R SIJ fusion, minimally invasive (27279).",
                 [("hypothetical", "minimally_invasive", "27279", "right")], id="approach-after-mention"),
    pytest.param("Plan: right MIS SI joint fusion, CPT 27279; will start pre-authorization.",
                 [("hypothetical", "minimally_invasive", "27279", "right")], id="MIS-abbreviation"),
    pytest.param("Plan: refer for minimally invasive left SI joint fusion.",
                 [("hypothetical", "minimally_invasive", None, "left")], id="no-cpt"),
    pytest.param("Candidate for percutaneous iFuse fixation of the right sacroiliac joint.",
                 [("hypothetical", "minimally_invasive", None, "right")], id="ifuse-percutaneous"),
    pytest.param("Plan: open reduction and left SI joint arthrodesis (CPT 27280).",
                 [("hypothetical", "open", "27280", "left")], id="open-arthrodesis-27280"),
    pytest.param("Plan: embolization, then partial sacrectomy with right SI joint arthrodesis (open).",
                 [("hypothetical", "open", None, "right")], id="SIJ-025-open-in-parentheses"),
    pytest.param("Plan: surgeon recommends right open SI joint fusion (27280); family requests authorization.",
                 [("hypothetical", "open", "27280", "right")], id="SIJ-031-family-requests-is-not-family-history"),
    pytest.param("Will consider SIJ fusion if she fails PT.", [("hypothetical", None, None, None)],
                 id="consider-is-hypothetical"),
    pytest.param("CPT 27279 requested.", [("hypothetical", "minimally_invasive", "27279", None)],
                 id="cpt-alone-gives-approach"),
])
def test_planned_fusion(note_ctx, text, expected):
    assert _facts(note_ctx, text) == expected


@pytest.mark.parametrize("text, expected", [
    pytest.param("She is not a candidate for SI joint fusion at this time.", [("negated", None, None, None)],
                 id="not-a-candidate"),
    pytest.param("Patient declines sacroiliac joint fusion.", [("negated", None, None, None)], id="declines"),
])
def test_ruled_out_fusion(note_ctx, text, expected):
    assert _facts(note_ctx, text) == expected


@pytest.mark.parametrize("text", [
    pytest.param("Status post right SI joint fusion in 2019.", id="past-fusion-is-no-plan"),
    pytest.param("Prior L4-5 fusion; now SIJ pain.", id="lumbar-fusion"),
    pytest.param("Left SI joint injection under fluoroscopy.", id="injection-is-no-fusion"),
    pytest.param("Her mother underwent SI joint fusion.", id="relative-surgery"),
])
def test_distractors(note_ctx, text):
    assert _facts(note_ctx, text) == []


def test_one_fact_per_note_gathers_attributes(note_ctx):
    text = "Assessment: left SIJ dysfunction.\nPlan: SI joint fusion.\nCPT 27279, minimally invasive, left side."
    assert _facts(note_ctx, text) == [("hypothetical", "minimally_invasive", "27279", "left")]


# ---- staged surgery: the deferred side is not the planned side (held-out corpus family, own variants) ----

@pytest.mark.parametrize("text, side", [
    pytest.param("Plan: R minimally invasive SI joint fusion now; L side to be addressed later.", "right",
                 id="deferred-side-to-be-addressed-later"),
    pytest.param("Plan: left SIJ fusion (27279); the right to follow in 3 months if symptoms persist.", "left",
                 id="other-side-to-follow"),
    pytest.param("Plan: right SI joint fusion, left SIJ possibly later.", "right", id="other-side-possibly-later"),
    pytest.param("Plan: bilateral SI joint fusion (27279).", "bilateral", id="bilateral-is-not-deferred"),
    pytest.param("Plan: left SI joint fusion; right hip injection later this year.", "left",
                 id="distractor-other-procedure-side-kept-out-by-clause"),
])
def test_staged_side(note_ctx, text, side):
    doc, ctx = note_ctx(text, "2026-01-15")
    (fact,) = planned_procedure.extract(doc, ctx)
    assert fact.side == side
