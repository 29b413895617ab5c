"""The conservative-care rules file (extractor/rules/conservative_treatment.json), validated and compiled
once, and the mention record the conservative-care modules pass between them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Span

from extractor.nlp.pipeline import TargetRuleSpec
from extractor.rules.loader import load_rules
from models.facts import Modality, Outcome


class ConservativeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    modality_of_category: dict[str, Modality]
    outcomes: dict[Outcome, list[str]]
    outcome_priority: list[Outcome]
    section_outcomes: dict[Modality, dict[str, Outcome]]
    standing_status: dict[Modality, str] = Field(default_factory=dict,
                                                 description="per modality: a window telling current care (outcome ongoing)")
    ended_cues: str = "(?!)"
    clause_breaks: str
    gap_breaks: str
    pronoun_followup: str
    negation_cues: list[str]
    performed_cues: str
    soft_hypothetical_modifiers: list[str]
    end_date_cues: str
    start_date_cues: str
    range_joiners: str
    general_failure: list[str]
    negated_target_prefix: str
    continuing_cues: str
    negation_modifiers: list[str]
    plan_cues_before: str
    negation_after: str
    excluded_sections: list[str] = Field(default_factory=list,
                                         description="sections whose drug and therapy words are no care (allergies)")


class CompiledRules:
    def __init__(self, r: ConservativeRules):
        self.rules = r
        self.outcomes = {k: re.compile("|".join(v), re.IGNORECASE) for k, v in r.outcomes.items()}
        self.rank = {o: i for i, o in enumerate(r.outcome_priority)}
        self.clause = re.compile(r.clause_breaks, re.IGNORECASE)
        self.gap = re.compile(r.gap_breaks, re.IGNORECASE)
        self.pronoun = re.compile(r.pronoun_followup, re.IGNORECASE)
        self.negation = re.compile("|".join(r.negation_cues), re.IGNORECASE)
        self.performed = re.compile(r.performed_cues, re.IGNORECASE)
        self.end_cue = re.compile(r.end_date_cues, re.IGNORECASE)
        self.start_cue = re.compile(r.start_date_cues, re.IGNORECASE)
        self.joiner = re.compile(r.range_joiners, re.IGNORECASE)
        self.general = re.compile("|".join(r.general_failure), re.IGNORECASE)
        self.negated_target = re.compile(r.negated_target_prefix, re.IGNORECASE)
        self.continuing = re.compile(r.continuing_cues, re.IGNORECASE)
        self.negators = {m.lower() for m in r.negation_modifiers}
        self.plan_before = re.compile(r.plan_cues_before, re.IGNORECASE)
        self.negation_after = re.compile(r.negation_after, re.IGNORECASE)
        self.standing = {k: re.compile(v, re.IGNORECASE) for k, v in r.standing_status.items()}
        self.ended = re.compile(r.ended_cues, re.IGNORECASE)


@lru_cache(maxsize=1)
def compiled_rules() -> CompiledRules:
    return CompiledRules(load_rules("conservative_treatment", ConservativeRules))


@dataclass
class Mention:
    ent: Span
    modality: str
    assertion: str
    window: tuple[int, int]  # doc char offsets of the text the mention governs
    outcome: str | None = None
