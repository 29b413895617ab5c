"""The data contract of chartsift (SPEC sections 2-4): pydantic models only, no spaCy, no I/O."""
from .base import ASSERTIONS, SIDES, Assertion, Side, Strict
from .document import Document, DocumentSummary, Note, NoteKind
from .errors import INPUT_ERROR_EXIT, DocumentError, ErrorCode
from .evaluation import EvaluationReport
from .evidence import Evidence
from .facts import (
                    FACT_MODELS,
                    FACT_TYPES,
                    Conflict,
                    ConservativeTreatment,
                    Diagnosis,
                    Fact,
                    FactBase,
                    Imaging,
                    Injection,
                    PainPattern,
                    PlannedProcedure,
                    ProvocativeTest,
                    Smoking,
                    Tenderness,
)
from .policy import LeafTrace, Policy, PolicyEvaluation, PolicySummary
from .request import URGENCIES, CaseRequest, Patient, Request, Urgency
from .review import (
                    STATUSES,
                    Determination,
                    Flag,
                    Pathway,
                    PolicyRef,
                    Recommendation,
                    RecommendationStatus,
                    ReviewResult,
                    Status,
)

__all__ = [
    "ASSERTIONS", "SIDES", "Assertion", "Side", "Strict", "Document", "DocumentSummary", "Note", "NoteKind",
    "INPUT_ERROR_EXIT", "DocumentError", "ErrorCode", "Evidence", "FACT_MODELS", "FACT_TYPES", "Conflict",
    "ConservativeTreatment", "Diagnosis", "Fact", "FactBase", "Imaging", "Injection", "PainPattern",
    "PlannedProcedure", "ProvocativeTest", "Smoking", "Tenderness", "CaseRequest", "Patient", "Request", "URGENCIES", "Urgency",
    "STATUSES",
    "Determination", "Flag", "Pathway", "PolicyRef", "Recommendation", "RecommendationStatus",
    "ReviewResult", "Status", "LeafTrace", "Policy", "PolicyEvaluation", "PolicySummary",
]
