"""Shared fixtures: one NLP pipeline per test session (DESIGN habit 9)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    from extractor.pipeline import get_nlp

    return get_nlp()
