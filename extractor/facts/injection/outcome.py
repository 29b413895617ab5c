"""What a chart concludes about a therapeutic injection (SPEC section 4 `outcome`): failed / effective,
from the phrasing families of extractor/rules/relief.json."""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from extractor.rules.loader import load_rules


class ReliefRules(BaseModel):
    """extractor/rules/relief.json: what a chart concludes about a therapeutic injection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    outcome_failed: list[str]
    outcome_effective: list[str]


@lru_cache(maxsize=1)
def _outcome_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r = load_rules("relief", ReliefRules)
    return (re.compile("|".join(r.outcome_failed), re.IGNORECASE),
            re.compile("|".join(r.outcome_effective), re.IGNORECASE))


def injection_outcome(sentence: str) -> str | None:
    """`failed` or `effective` when the sentence concludes so (failed wins), else None."""
    failed, effective = _outcome_cues()
    if failed.search(sentence):
        return "failed"
    return "effective" if effective.search(sentence) else None
