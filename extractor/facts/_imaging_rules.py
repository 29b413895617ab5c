"""The imaging rules file (extractor/rules/imaging.json), validated once."""
from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.facts._clinical import Vocab
from extractor.rules.loader import load_rules


class ImagingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    modalities: list[Vocab]
    sites: list[Vocab]
    header: str
    study_end: str
    report_labels: str
    findings_labels: str
    not_findings_labels: str
    findings: list[Vocab]
    negation_cues: str
    scope_ends: str
    uncertain_cues: str
    post_negation_cues: str = Field(description="regex anchored after a finding: '... is withdrawn', '... not seen' make it absent")
    signature_line: str = Field(description="regex: a signature line between a report and its addendum ('Electronically signed: ...')")
    addendum_cues: str = Field(description="regex: from an addendum or revised impression on, a report's statements replace earlier ones")
    hypothetical_cues: str
    plan_labels: str
    done_cues: str
    historical_cues: str
    negated_study_before: str
    birth_date_label: str = Field(description="regex: a letterhead line naming a birth, fax or print date gives no study date")
    list_separator: str = Field(description="regex: what separates the items of a list of studies (', ', 'and', '+')")
    finding_verbs: str = Field(description="regex: after these a site names a finding's place, not another study ('MRI showed ... SI joint')")
    plan_heading: str = Field(description="regex of a plan heading line ('PLAN', 'Plan:'): study lines under it are orders")
    order_today: str = Field(description="regex: 'today' in a plan orders a study for today, it does not report one")


@lru_cache(maxsize=1)
def rules() -> ImagingRules:
    return load_rules("imaging", ImagingRules)
