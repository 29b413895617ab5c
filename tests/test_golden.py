"""Golden reviews: every annotated case's review JSON, as text and as a PDF packet, equals the file
committed under tests/golden/ (regenerate with `make golden` in a commit that means to change output)."""
from __future__ import annotations

import difflib

import pytest
from golden_reviews import cases, golden_path, review_json


@pytest.mark.parametrize(("corpus", "case", "rendering"), cases(), ids=lambda v: v)
def test_review_equals_golden(corpus, case, rendering):
    path = golden_path(corpus, case, rendering)
    assert path.is_file(), f"no golden review {path.name}: run `make golden` and review the new file"
    expected = path.read_text(encoding="utf-8")
    actual = review_json(corpus, case, rendering)
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "now", n=2))
        pytest.fail(f"review of {corpus}/{case} ({rendering}) differs from its golden file:\n{diff[:6000]}")


def test_every_annotated_case_has_a_golden_review():
    """A case added to a corpus without its golden review is caught, and no golden file is stale."""
    expected = {golden_path(*c) for c in cases()}
    on_disk = set(golden_path("x", "y", "z").parents[1].rglob("*.json"))
    assert on_disk == expected
