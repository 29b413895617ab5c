"""Conservative care at packet level: failure told of care as a whole, and merging one modality's facts.

`general_outcome_statements` reads "refractory to conservative care" in a note's text;
`apply_general_outcomes` gives that outcome to the treatments told on or before it (called by
`extractor.facts.injection.link.link_case`); `merge_conservative` is the domain merge of one modality's
facts from several notes, for the resolver.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from extractor.facts._conservative_rules import compiled_rules
from extractor.resolve.merge import RANKED
from models import ConservativeTreatment, Evidence


@dataclass(frozen=True)
class GeneralOutcome:
    """'Refractory to conservative care': told once, about every modality tried before it."""

    evidence: Evidence
    note_date: dt.date | None
    outcome: str = "failed"


def general_outcome_statements(text: str, ctx) -> list[GeneralOutcome]:
    """Statements in a note's text that conservative care as a whole failed."""
    rules = compiled_rules()
    return [GeneralOutcome(ctx.evidence(m.start(), m.end(), rule="conservative_treatment.general_failure"), ctx.date)
            for m in rules.general.finditer(text)]


def apply_general_outcomes(facts: list, statements: list[GeneralOutcome], note_date_of) -> list:
    """Present conservative treatments with no result (no outcome, or only "ongoing") take the failure told of care
    as a whole: "continues HEP" and later "failed conservative care including HEP" is a failed HEP.

    A general statement ("refractory to conservative care") covers the treatments told on or
    before its note, and is added to their evidence. Without such a statement a modality that
    states no outcome keeps outcome None: one modality failing says nothing of the others
    (SPEC section 4: attributes not stated are null, never guessed).
    """
    out = []
    for f in facts:
        if f.type == "conservative_treatment" and f.assertion == "present" and f.outcome in (None, "ongoing"):
            told = note_date_of(f)
            hits = [s for s in statements if s.note_date is None or told is None or told <= s.note_date]
            if hits:
                f = f.model_copy(update={"outcome": hits[0].outcome, "evidence": f.evidence + [hits[0].evidence]})
        out.append(f)
    return out


#: which outcome a merged modality keeps when notes disagree (the resolver's ranking, see
#: extractor.resolve.merge.RANKED)
MERGE_PRIORITY = RANKED[("conservative_treatment", "outcome")]


def merge_conservative(facts: list[ConservativeTreatment]) -> ConservativeTreatment:
    """One modality told in several notes (same key and assertion) as one fact.

    Earliest start, latest end, longest stated duration, the outcome by MERGE_PRIORITY, every
    piece of evidence once; the first fact's other fields. The resolver ranks the outcome the same way.
    """
    first = facts[0]
    starts = [(f.start_date, f.date_approximate) for f in facts if f.start_date]
    outcomes = [f.outcome for f in facts if f.outcome]
    evidence = []
    for f in facts:
        evidence += [e for e in f.evidence if e not in evidence]
    return first.model_copy(update={
        "start_date": min(starts)[0] if starts else None,
        "date_approximate": min(starts)[1] if starts else first.date_approximate,
        "end_date": max((f.end_date for f in facts if f.end_date), default=None),
        "duration_weeks": max((f.duration_weeks for f in facts if f.duration_weeks is not None), default=None),
        "outcome": min(outcomes, key=MERGE_PRIORITY.index) if outcomes else None,
        "evidence": evidence,
    })
