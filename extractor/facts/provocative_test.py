"""provocative_test facts (SPEC section 4) — first skeleton; the extractor lands in the next commit."""
from __future__ import annotations


def extract(doc, ctx) -> list:
    return []
