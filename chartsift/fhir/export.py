"""What the CLI, the batch and the web app call: a checked Bundle of one review, and its JSON."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from models import ReviewResult

from .bundle import review_bundle
from .check import check_bundle, check_questionnaire
from .documents import SourceFile
from .questionnaire import questionnaire
from .response import Override


def sources_of(documents: list[Path], texts: dict[str, str] | None = None) -> list[SourceFile]:
    """The SourceFiles of a case's documents (those that can be read); `texts`: name -> extracted text,
    only when the user asked for the text in the Bundle."""
    out = []
    for path in documents:
        try:
            source = SourceFile.from_path(path)
        except OSError:
            continue  # the review reports the document's error; the Bundle still names it
        if texts and source.name in texts:
            source = SourceFile(**{**source.__dict__, "text": texts[source.name]})
        out.append(source)
    return out


def checked_bundle(result: ReviewResult, sources: list[SourceFile], *, overrides: list[Override] | None = None,
                   generated: dt.datetime | None = None) -> dict[str, Any]:
    """The review's Bundle, refused (FhirCheckError) unless fhir.resources and chartsift's own checks pass."""
    from evaluator import load_policy

    policy = load_policy(result.policy.id, result.request.date)
    bundle = review_bundle(result, sources, overrides=overrides, generated=generated, policy=policy)
    check_bundle(bundle, questionnaire(policy))
    return bundle


def checked_questionnaire(policy: Any) -> dict[str, Any]:
    form = questionnaire(policy)
    check_questionnaire(form)
    return form


def dumps(resource: dict[str, Any]) -> str:
    """Compact JSON (a pretty-printed Bundle is 3-4 times larger: the answers nest deep)."""
    return json.dumps(resource, ensure_ascii=False, separators=(",", ":")) + "\n"
