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


def relief_rules() -> ReliefRules:
    """extractor/rules/relief.json, validated (cached by the loader)."""
    return load_rules("relief", ReliefRules)


@lru_cache(maxsize=1)
def _outcome_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r = relief_rules()
    return (re.compile("|".join(r.outcome_failed), re.IGNORECASE),
            re.compile("|".join(r.outcome_effective), re.IGNORECASE))


def injection_outcome(sentence: str) -> str | None:
    """`failed` or `effective` when the sentence concludes so (failed wins), else None."""
    failed, effective = _outcome_cues()
    if failed.search(sentence):
        return "failed"
    return "effective" if effective.search(sentence) else None
