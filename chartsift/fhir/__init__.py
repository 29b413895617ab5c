"""FHIR R4 output along Da Vinci DTR and PAS (issue 18): a policy as a Questionnaire, a review as a Bundle.

`questionnaire(policy)` and `review_bundle(result, sources)` build JSON-ready dicts; `bundle_to_review`
reads a Bundle back into chartsift's own model. chartsift recommends, the payer decides: the Bundle never
holds a ClaimResponse or any other decision resource.
"""
from __future__ import annotations

from .bundle import review_bundle
from .check import FhirCheckError
from .documents import SourceFile
from .export import checked_bundle, checked_questionnaire, dumps, sources_of
from .questionnaire import criterion_ids, questionnaire
from .response import Override, missing_documentation
from .reverse import BundleReview, NotAChartsiftBundle, bundle_to_review
from .terms import NAMESPACE, code_systems

__all__ = ["NAMESPACE", "BundleReview", "FhirCheckError", "NotAChartsiftBundle", "Override", "SourceFile",
           "bundle_to_review", "checked_bundle", "checked_questionnaire", "code_systems", "criterion_ids", "dumps",
           "missing_documentation", "questionnaire", "review_bundle", "sources_of"]
