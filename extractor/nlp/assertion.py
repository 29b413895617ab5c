"""ConText rules as data, and the mapping of ConText attributes to SPEC assertions.

`extractor/rules/context.json` holds our ConText rules (key "context_rules", the same fields as
medspaCy's `ConTextRule`). Unless it sets "use_medspacy_defaults": false, medspaCy's packaged
English rules are loaded first, minus the literals listed in "drop_default_literals" (cues that
misfire on chart text). Categories beyond medspaCy's five:

- NOT_PERFORMED: "not performed", "deferred", "unable to perform": sets `is_negated` and
  `is_not_performed` (a provocative test not done: assertion negated, result null).
- POSITIVE_RESULT: "(+)", "positive", "reproduces pain": sets `is_positive`; it also bounds the
  scope of a neighbouring negation cue so "FABER (+) L, Gaenslen (-)" negates only Gaenslen.
- OTHER_PERSON: "husband", "spouse", "roommate": another person than the patient (family).
- PATIENT_SUBJECT: "she", "patient", "denies": the patient is the subject again; a PSEUDO cue
  that modifies nothing and ends the scope of FAMILY/OTHER_PERSON cues.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.nlp.medspacy_import import import_medspacy
from extractor.rules.loader import load_rules
from models import Assertion

Direction = Literal["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]

#: ConText category -> span attributes it sets (every category of context.json must be here).
SPAN_ATTRIBUTES: dict[str, dict[str, bool]] = {
    "NEGATED_EXISTENCE": {"is_negated": True},
    "POSSIBLE_EXISTENCE": {"is_uncertain": True},
    "HISTORICAL": {"is_historical": True},
    "HYPOTHETICAL": {"is_hypothetical": True},
    "FAMILY": {"is_family": True},
    "OTHER_PERSON": {"is_family": True},
    "NOT_PERFORMED": {"is_negated": True, "is_not_performed": True},
    "POSITIVE_RESULT": {"is_positive": True},
    "PATIENT_SUBJECT": {},
}
CUSTOM_SPAN_FLAGS = ("is_not_performed", "is_positive")


class ContextRuleSpec(BaseModel):
    """One ConText modifier rule (fields of medspaCy's ConTextRule that make sense as data)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    literal: str = Field(min_length=1)
    category: Literal[tuple(SPAN_ATTRIBUTES)]  # type: ignore[valid-type]
    pattern: list[dict] | str | None = None
    direction: Direction = "BIDIRECTIONAL"
    max_scope: int | None = Field(default=None, gt=0)
    max_targets: int | None = Field(default=None, gt=0)
    allowed_types: list[str] | None = None
    excluded_types: list[str] | None = None
    terminated_by: list[str] | None = None
    comment: str | None = Field(default=None, description="why the rule exists (phrasing family)")


class ContextRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    use_medspacy_defaults: bool = True
    drop_default_literals: list[str] = Field(default_factory=list)
    #: category -> categories that end its scope when met (ConText's `terminating_types`)
    terminating_types: dict[str, list[str]] = Field(default_factory=dict)
    context_rules: list[ContextRuleSpec]


def context_rules():
    """medspaCy `ConTextRule`s: the packaged defaults (minus dropped literals) then ours."""
    import_medspacy()
    from medspacy.context import ConTextRule


    spec = load_rules("context", ContextRules)
    rules = []
    if spec.use_medspacy_defaults:
        dropped = {lit.lower() for lit in spec.drop_default_literals}
        rules = [r for r in ConTextRule.from_json(_default_rules_path()) if r.literal.lower() not in dropped]
    for i, r in enumerate(spec.context_rules):
        rules.append(ConTextRule(
            literal=r.literal, category=r.category, pattern=r.pattern, direction=r.direction,
            max_scope=r.max_scope, max_targets=r.max_targets,
            allowed_types=set(r.allowed_types) if r.allowed_types else None,
            excluded_types=set(r.excluded_types) if r.excluded_types else None,
            terminated_by=set(r.terminated_by) if r.terminated_by else None,
            metadata={"id": f"context:{i}"},
        ))
    return rules, {k: list(v) for k, v in spec.terminating_types.items()}


def _default_rules_path() -> str:
    """medspaCy's packaged English ConText rules (site-packages/resources/en, as medspaCy finds them)."""

    return str(Path(import_medspacy().__file__).resolve().parents[1] / "resources" / "en" / "context_rules.json")


def register_span_flags() -> None:
    from spacy.tokens import Span

    for name in ("is_negated", "is_uncertain", "is_historical", "is_hypothetical", "is_family",
                 *CUSTOM_SPAN_FLAGS):
        if not Span.has_extension(name):
            Span.set_extension(name, default=False)


def assertion_of(ent) -> Assertion:
    """SPEC assertion of a target span from its ConText (and section) attributes.

    Precedence: family (never the patient's) > negated > hypothetical > possible > historical.
    """
    ext = ent._
    if ext.is_family and not _patient_reclaims(ent):
        return "family"
    if ext.is_negated:
        return "negated"
    if ext.is_hypothetical:
        return "hypothetical"
    if ext.is_uncertain:
        return "possible"
    if ext.is_historical:
        return "historical"
    return "present"


_CLAUSE_BREAK = re.compile(r"[,;]|\b(?:and|but)\b", re.IGNORECASE)
PERSON_CATEGORIES = ("FAMILY", "OTHER_PERSON")


@lru_cache(maxsize=1)
def _patient_words() -> frozenset[str]:
    """The words of the PATIENT_SUBJECT rules of context.json ("she", "denies", ...)."""
    words: set[str] = set()
    for rule in load_rules("context", ContextRules).context_rules:
        if rule.category == "PATIENT_SUBJECT" and isinstance(rule.pattern, list):
            for token in rule.pattern:
                words.update(w.lower() for w in (token.get("LOWER") or {}).get("IN", []))
    return frozenset(words)


def _patient_reclaims(ent) -> bool:
    """True when every person cue of `ent` is followed, after a clause break, by the patient as
    subject again ("lives with sister, and denies tobacco"). ConText misses it when the patient
    word is also a negation cue ("denies"): overlapping modifiers keep one, the negation."""
    persons = [m for m in ent._.modifiers if m.category in PERSON_CATEGORIES]
    if not persons:
        return False
    doc, words = ent.doc, _patient_words()
    for m in persons:
        end = m.modifier_span[1]
        if end > ent.start:
            return False
        between = doc[end:ent.start]
        brk = _CLAUSE_BREAK.search(between.text)
        if brk is None:
            return False
        after = doc.char_span(between.start_char + brk.end(), between.end_char, alignment_mode="expand")
        if after is None or not any(t.lower_ in words for t in after):
            return False
    return True


def modifier_categories(ent) -> set[str]:
    """ConText categories of the modifiers that modify `ent`."""
    return {m.category for m in ent._.modifiers}
