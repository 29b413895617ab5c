"""What a chart concludes about a therapeutic injection (SPEC section 4 `outcome`): failed / effective,
from the phrasing families of extractor/rules/relief.json."""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.rules.loader import load_rules


class ReliefRules(BaseModel):
    """extractor/rules/relief.json: what a chart concludes about a therapeutic injection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    outcome_failed: list[str]
    outcome_effective: list[str]
    pt_patient_verbs: list[str] = Field(description="words after 'PT' that make it the patient ('PT reports 80% "
                                        "relief'), not physical therapy; regexes, case-insensitive")
    other_percent_labels: list[str] = Field(description="labels of percentages that are not relief ('ODI: 42%', "
                                            "'SpO2: 98%'); regexes, case-insensitive, just before the percent")
    word_minutes: dict[str, int] = Field(description="minutes spelled out after a post-procedure score "
                                         "('post 2/10 at fifteen minutes')")
    failed_below_percent: float


def relief_rules() -> ReliefRules:
    """extractor/rules/relief.json, validated (cached by the loader)."""
    return load_rules("relief", ReliefRules)


@lru_cache(maxsize=1)
def _outcome_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r = relief_rules()
    return (re.compile("|".join(r.outcome_failed), re.IGNORECASE),
            re.compile("|".join(r.outcome_effective), re.IGNORECASE))


@lru_cache(maxsize=1)
def _failed_below() -> float:
    return load_rules("relief", ReliefRules).failed_below_percent


def outcome_from_relief(fact):
    """`fact` with outcome `failed` when it is a therapeutic injection that happened, the chart states no outcome,
    and its relief is under `failed_below_percent` (SPEC 5 II.H: "relief was under 50 %"); otherwise unchanged.
    Relief at or above it stays without outcome: pain may still have returned to baseline."""
    if fact.type != "injection" or fact.purpose != "therapeutic" or fact.outcome is not None \
            or fact.relief_percent is None or fact.assertion not in ("present", "historical") \
            or fact.relief_percent >= _failed_below():
        return fact
    return fact.model_copy(update={"outcome": "failed"})


def injection_outcome(sentence: str) -> str | None:
    """`failed` or `effective` when the sentence concludes so (failed wins), else None."""
    failed, effective = _outcome_cues()
    if failed.search(sentence):
        return "failed"
    return "effective" if effective.search(sentence) else None
