"""The fact vocabulary of SPEC section 4: one model per type, joined on `type`.

Attributes the chart does not state are `None`, never guessed.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal, Union

from pydantic import Field

from .base import Assertion, Side, Strict
from .evidence import Evidence

PainLocation = Literal["posterior_sij", "buttock", "groin", "lower_back", "thigh", "leg"]
TendernessSite = Literal["posterior_sij", "greater_trochanter", "lumbar_spine", "coccyx", "other"]
ProvocativeTestName = Literal["thigh_thrust", "compression", "distraction", "gaenslen", "faber", "sacral_thrust"]
InjectionSite = Literal["sacroiliac_joint", "epidural", "facet", "trochanteric_bursa", "other"]
InjectionPurpose = Literal["diagnostic", "therapeutic"]
#: what the chart concludes about a therapeutic injection (SPEC section 4, 2026-12-07)
InjectionOutcome = Literal["failed", "effective"]
Guidance = Literal["fluoroscopy", "ct", "ultrasound", "none"]
Modality = Literal["medication", "activity_modification", "physical_therapy", "home_exercise",
                   "chiropractic", "osteopathic_manipulation"]
Outcome = Literal["failed", "improved", "ongoing", "not_tolerated", "contraindicated"]
ImagingModality = Literal["xray", "ct", "mri", "bone_scan"]
ImagingSite = Literal["si_joint", "pelvis", "hip", "lumbar_spine"]
Finding = Literal["fracture", "tumor", "infection", "instability", "inflammatory_arthropathy",
                  "hip_osteoarthritis", "neural_compression", "degenerative_change"]
SmokingStatus = Literal["current", "former", "never", "unknown"]
Condition = Literal["sacroiliac_joint_dysfunction", "sacroiliitis", "fibromyalgia", "somatoform_disorder",
                    "generalized_pain_disorder", "pelvic_ring_fracture", "sacral_tumor", "sij_infection",
                    "spinal_deformity", "lumbar_radiculopathy", "mechanical_low_back_pain",
                    "sacral_insufficiency_fracture", "pelvic_girdle_pain", "hip_osteoarthritis"]
Approach = Literal["minimally_invasive", "open"]


class Conflict(Strict):
    """A statement that disagreed with the one the fact kept (kept for the reviewer)."""

    attributes: dict[str, Any]
    evidence: list[Evidence]


class FactBase(Strict):
    #: attributes that identify a fact when outputs are matched to gold (SPEC section 4 "key")
    KEY: ClassVar[tuple[str, ...]] = ()

    id: str = ""
    assertion: Assertion = "present"
    evidence: list[Evidence] = Field(min_length=1)
    date_approximate: bool = Field(default=False, description="a date given only as a month or season")
    conflicts: list[Conflict] = Field(default_factory=list)
    needs_verification: bool = Field(default=False, description="every evidence of the fact is OCR text read "
                                     "with low confidence: the reviewer should check it on the page image")
    confidence: float | None = Field(default=None, ge=0, le=1, description="calibrated probability that the fact "
                                     "is right (type, key, assertion and attributes), from evaluator/confidence")

    def key(self) -> tuple[Any, ...]:
        return (self.type,) + tuple(getattr(self, k) for k in self.KEY)  # type: ignore[attr-defined]


class PainPattern(FactBase):
    type: Literal["pain_pattern"] = "pain_pattern"
    side: Side | None = None
    radiating: bool | None = None
    location: list[PainLocation] | None = None
    duration_months: float | None = None
    adl_impact: bool | None = None


class Tenderness(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("site", "side")
    type: Literal["tenderness"] = "tenderness"
    site: TendernessSite
    side: Side | None = None


class ProvocativeTest(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("test", "side")
    type: Literal["provocative_test"] = "provocative_test"
    test: ProvocativeTestName
    side: Side | None = None
    result: Literal["positive", "negative"] | None = None


class Injection(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("site", "date")
    type: Literal["injection"] = "injection"
    site: InjectionSite
    date: dt.date | None = None
    side: Side | None = None
    purpose: InjectionPurpose | None = None
    guidance: Guidance | None = None
    contrast: bool | None = None
    intra_articular: bool | None = None
    anesthetic: str | None = None
    steroid: str | None = None
    relief_percent: float | None = Field(default=None, ge=0, le=100)
    relief_hours: float | None = Field(default=None, ge=0)
    outcome: InjectionOutcome | None = None


class ConservativeTreatment(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("modality",)
    type: Literal["conservative_treatment"] = "conservative_treatment"
    modality: Modality
    duration_weeks: float | None = Field(default=None, ge=0)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    outcome: Outcome | None = None


class Imaging(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("modality", "site", "date")
    type: Literal["imaging"] = "imaging"
    modality: ImagingModality
    site: ImagingSite
    date: dt.date | None = None
    side: Side | None = None
    findings_present: list[Finding] = Field(default_factory=list)
    findings_absent: list[Finding] = Field(default_factory=list)


class Smoking(FactBase):
    type: Literal["smoking_status"] = "smoking_status"
    status: SmokingStatus
    quit_date: dt.date | None = None
    pack_years: float | None = Field(default=None, ge=0)


class Diagnosis(FactBase):
    KEY: ClassVar[tuple[str, ...]] = ("condition",)
    type: Literal["diagnosis"] = "diagnosis"
    condition: Condition
    icd10: str | None = None


class PlannedProcedure(FactBase):
    type: Literal["planned_procedure"] = "planned_procedure"
    approach: Approach | None = None
    cpt: str | None = None
    side: Side | None = None


Fact = Annotated[
    Union[PainPattern, Tenderness, ProvocativeTest, Injection, ConservativeTreatment,
          Imaging, Smoking, Diagnosis, PlannedProcedure],
    Field(discriminator="type"),
]

FACT_MODELS: dict[str, type[FactBase]] = {
    m.model_fields["type"].default: m  # type: ignore[misc]
    for m in (PainPattern, Tenderness, ProvocativeTest, Injection, ConservativeTreatment,
              Imaging, Smoking, Diagnosis, PlannedProcedure)
}
FACT_TYPES: tuple[str, ...] = tuple(FACT_MODELS)
