"""The provocative-test rules file (extractor/rules/provocative_test.json), validated and compiled once."""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.nlp.pipeline import TargetRuleSpec
from extractor.rules.loader import load_rules


class NameGuard(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    rule_ids: list[str]
    titles: list[str]
    must_be_followed_by: str


class BareGuard(BaseModel):
    """Bare "compression"/"distraction" count only among SIJ tests, never "compression fracture"."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rule_ids: list[str]
    sentence_must_match: str
    must_not_be_followed_by: str
    must_not_be_preceded_by: str


class RegionGuard(BaseModel):
    """Cervical/shoulder "compression test" or "distraction test" is not an SIJ test."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    tests: list[str]
    region: str
    sij: str
    immediately_before: str


class ProvocativeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    results: dict[str, list[str]] = Field(description="positive / negative / not_performed -> regexes")
    bare_signs: dict[str, str]
    unchecked_box: str
    sides: dict[str, list[str]]
    ipsilateral: str
    person_name_guard: NameGuard
    bare_name_guard: BareGuard
    other_region_guard: RegionGuard
    reason_after_not_performed: str
    device_after_name: str
    inline_caption: str = Field(description="words that make a same-line label a heading of tests "
                                "('Provocation (L):', 'Tests R:'), whose one side the tests after it take")


class CompiledRules:
    def __init__(self, rules: ProvocativeRules):
        self.rules = rules
        self.results = {k: re.compile("|".join(v), re.IGNORECASE) for k, v in rules.results.items()}
        self.signs = {k: re.compile(v) for k, v in rules.bare_signs.items()}
        self.unchecked = re.compile(rules.unchecked_box)
        self.sides = {k: re.compile("|".join(v), re.IGNORECASE) for k, v in rules.sides.items()}
        self.ipsilateral = re.compile(rules.ipsilateral, re.IGNORECASE)
        self.name_follow = re.compile(rules.person_name_guard.must_be_followed_by, re.IGNORECASE)
        self.bare_sentence = re.compile(rules.bare_name_guard.sentence_must_match, re.IGNORECASE)
        self.bare_not_followed = re.compile(rules.bare_name_guard.must_not_be_followed_by, re.IGNORECASE)
        self.bare_not_preceded = re.compile(rules.bare_name_guard.must_not_be_preceded_by, re.IGNORECASE)
        self.other_region = re.compile(rules.other_region_guard.region, re.IGNORECASE)
        self.sij_region = re.compile(rules.other_region_guard.sij, re.IGNORECASE)
        self.region_before = re.compile(rules.other_region_guard.immediately_before, re.IGNORECASE)
        self.reason = re.compile(rules.reason_after_not_performed, re.IGNORECASE)
        self.device = re.compile(rules.device_after_name, re.IGNORECASE)
        self.inline_caption = re.compile(rules.inline_caption, re.IGNORECASE)


@lru_cache(maxsize=1)
def compiled_rules() -> CompiledRules:
    return CompiledRules(load_rules("provocative_test", ProvocativeRules))
