"""One case in, everything the face needs out: the one function `chartsift.api` calls.

read_case(paths) = ingest each document (a bad one becomes a coded error, the rest go on) ->
the fact stages of `extractor.extract` -> low-confidence marks on facts read from OCR words ->
the pages no reading could use, and their coded warnings.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path

from extractor.extract import extract_case
from extractor.ingest.document import IngestedDocument
from extractor.ingest.errors import InputError
from extractor.ingest.ocr import mark_low_confidence, page_warnings
from extractor.ingest.reader import ingest
from models import DocumentError, DocumentSummary, Fact

log = logging.getLogger("chartsift.ingest")


@dataclass
class ExtractedCase:
    sources: list[IngestedDocument]  # the documents that could be read, in order
    documents: list[DocumentSummary]  # one per path, in order, with its notes (or its error)
    errors: list[DocumentError]
    facts: list[Fact]
    latest_date: dt.date | None  # the latest date of service seen
    warnings: list[str] = field(default_factory=list)  # coded page warnings (ocr_unreadable, no_text_layer)

    @property
    def unread_pages(self) -> dict[str, list[int]]:
        """Document name -> pages no reading could get text from (after OCR)."""
        return {s.name: list(s.unreadable_pages) for s in self.sources if s.unreadable_pages}


def read_case(paths: list[Path], max_pages: int | None = None) -> ExtractedCase:
    """Read every document of a case and extract its facts."""
    sources, summaries, errors = _ingest_all(paths, max_pages)
    extracted = extract_case(sources)
    mark_low_confidence(extracted.facts, sources)
    for summary in summaries:
        summary.notes = extracted.notes.get(summary.name, []) if summary.error is None else []
    return ExtractedCase(sources=sources, documents=summaries, errors=errors, facts=extracted.facts,
                         latest_date=extracted.latest_date, warnings=page_warnings(sources))


def _ingest_all(paths: list[Path], max_pages: int | None):
    sources: list[IngestedDocument] = []
    summaries: list[DocumentSummary] = []
    errors: list[DocumentError] = []
    for number, path in enumerate(paths, start=1):
        try:
            source = ingest(path, name=path.name, max_pages=max_pages)
        except InputError as exc:
            # code and reason only: file names often carry the patient's name (the review's errors name the file)
            log.warning("document %d of the case not reviewed: %s: %s", number, exc.code.value, exc.reason)
            errors.append(exc.to_model())
            summaries.append(DocumentSummary(name=path.name, pages=0, error=exc.to_model()))
            continue
        sources.append(source)
        summaries.append(DocumentSummary(name=source.name, pages=len(source.page_starts), sha256=source.sha256,
                                         unreadable_pages=source.unreadable_pages,
                                         ocr_pages=source.ocr.pages if source.ocr else [],
                                         ocr_confidence=source.ocr.confidence if source.ocr else {}))
    return sources, summaries, errors
