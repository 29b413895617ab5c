"""The review result of SPEC section 3."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Strict
from .document import DocumentSummary
from .errors import DocumentError
from .facts import Fact
from .request import Request

Status = Literal["met", "not_met", "insufficient"]
STATUSES: tuple[str, ...] = ("met", "not_met", "insufficient")
RecommendationStatus = Literal["meets_criteria", "missing_documentation", "physician_review"]
Pathway = Literal["minimally_invasive", "open"]


class PolicyRef(Strict):
    id: str
    revision: str
    pathway: Pathway | None = Field(default=None, description="null when both pathways were evaluated")


class Determination(Strict):
    criterion: str
    status: Status
    rationale: str
    evidence: list[str] = Field(default_factory=list, description="ids of the facts that decided it")
    missing: list[str] = Field(default_factory=list, description="what document would settle an insufficient")
    text: str | None = Field(default=None, description="the policy's own wording of the criterion")
    pathway: Pathway | None = None
    confidence: float | None = Field(default=None, ge=0, le=1, description="calibrated probability that the "
                                     "status is right (evaluator/confidence)")


class Recommendation(Strict):
    status: RecommendationStatus
    summary: str
    confidence: float | None = Field(default=None, ge=0, le=1, description="calibrated probability that the "
                                     "recommendation is right (evaluator/confidence)")


class Flag(Strict):
    kind: str
    evidence: list[str] = Field(default_factory=list)
    message: str | None = None


class ReviewResult(Strict):
    case_id: str
    policy: PolicyRef
    request: Request
    documents: list[DocumentSummary]
    facts: list[Fact]
    determinations: list[Determination]
    recommendation: Recommendation
    flags: list[Flag] = Field(default_factory=list)
    needs_review: list[str] = Field(default_factory=list, description="criteria whose confidence is below the "
                                    "routing threshold, lowest first: the ones a reviewer should check")
    errors: list[DocumentError] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    chartsift_version: str | None = None
