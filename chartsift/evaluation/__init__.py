"""Measure chartsift against annotated corpora (SPEC section 6): `evaluate`, `check_corpus`, the scorer."""
from __future__ import annotations

from .check import Problem, check_corpus
from .corpus import CorpusCase, CorpusError, Gold, GoldEvidence, load_corpus
from .runner import evaluate
from .scorer import CaseRun, score

__all__ = ["CaseRun", "CorpusCase", "CorpusError", "Gold", "GoldEvidence", "Problem", "check_corpus",
           "evaluate", "load_corpus", "score"]
