"""The exception the extractor raises for bad input: a code from the closed catalogue.

Its message names the file and the reason, never any document text (PHI).
"""
from __future__ import annotations

from models import DocumentError, ErrorCode


class InputError(Exception):
    def __init__(self, code: ErrorCode, document: str, reason: str, pages: list[int] | None = None):
        self.code = ErrorCode(code)
        self.document = document
        self.reason = reason
        self.pages = pages
        super().__init__(f"{self.code.value}: {document}: {reason}")

    def to_model(self) -> DocumentError:
        return DocumentError(document=self.document, code=self.code, message=self.reason, pages=self.pages)
