"""Calibrated confidence on every fact, determination and the recommendation (SPEC section 3).

`score_review` reads features from the review itself (what the extraction found and how: mention
counts, conflicts, the rules that fired, sections, OCR, the composite's branches; see `features`),
applies the calibrated model in `model-v4.json` (trained by `tools/train_confidence.py` with
scikit-learn on first-seen reviews of the development corpora, cross-validated by case) and lists
the criteria below the routing threshold in `needs_review`. Pure arithmetic on a JSON file: no
scikit-learn at review time, no network, deterministic.
"""
from __future__ import annotations

from .features import determination_features, fact_features, recommendation_features
from .model import DEFAULT_MODEL, ConfidenceModel, load_model, score_review

__all__ = ["DEFAULT_MODEL", "ConfidenceModel", "determination_features", "fact_features", "load_model",
           "recommendation_features", "score_review"]
