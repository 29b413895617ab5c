"""Shared fixtures: one NLP pipeline per test session (DESIGN habit 9)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    from extractor.nlp.pipeline import get_nlp

    return get_nlp()


@pytest.fixture(scope="session")
def medspacy_nlp():
    """The project's nlp built from medspaCy's own TargetMatcher, Sectionizer and ConText (and token matchers),
    without extractor/nlp/medspacy_adapter.py's factories or matching.py's word flags: the reference they match."""
    from extractor.nlp import matching, pipeline

    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "TARGET_MATCHER", "medspacy_target_matcher")
    patch.setattr(pipeline, "SECTIONIZER", "medspacy_sectionizer")
    patch.setattr(pipeline, "CONTEXT", "medspacy_context")
    patch.setattr(matching, "native_word_sets", lambda nlp: None)
    try:
        yield pipeline.build_nlp()
    finally:
        patch.undo()


class _IdentityOffsets:
    """Offset map of a note whose NLP text is the document text itself."""

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        return start, end


class _TextSource:
    """A one-page plain-text document: every offset is on page 1, no bbox."""

    def __init__(self, text: str, name: str = "note.txt"):
        self.name = name
        self.text = text

    def page_of(self, offset: int) -> int:
        return 1

    def bbox(self, start: int, end: int) -> None:
        return None


@pytest.fixture
def note_ctx(nlp):
    """Factory: note_ctx(text, date=None) -> (doc, NoteContext) for a plain-text note."""
    import datetime as dt

    from extractor.nlp.context import NoteContext
    from extractor.nlp.pipeline import process
    from models import Note

    def make(text: str, date: dt.date | str | None = None):
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        doc = process([text], nlp=nlp)[0]
        note = Note(start=0, end=len(text), date_of_service=date)
        return doc, NoteContext(source=_TextSource(text), note=note, offsets=_IdentityOffsets())

    return make


@pytest.fixture(autouse=True, scope="session")
def _ocr_cache_in_tmp(tmp_path_factory):
    """OCR readings (page text, PHI) are cached in a temporary folder during tests, never in ~/.cache."""
    import os

    previous = os.environ.get("CHARTSIFT_OCR_CACHE")
    os.environ["CHARTSIFT_OCR_CACHE"] = str(tmp_path_factory.mktemp("ocr-cache"))
    yield
    if previous is None:
        os.environ.pop("CHARTSIFT_OCR_CACHE", None)
    else:
        os.environ["CHARTSIFT_OCR_CACHE"] = previous
