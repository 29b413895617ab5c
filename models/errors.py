"""The closed catalogue of input error codes (DESIGN habit 8).

CLI, web and batch all report a failing document with one of these codes and a
message that names the file and the reason, never any document text.
"""
from __future__ import annotations

from enum import Enum

from .base import Strict


class ErrorCode(str, Enum):
    UNREADABLE_PATH = "unreadable_path"      # missing file, a directory, no permission
    CASE_UNREADABLE = "case_unreadable"      # a case folder whose case.json is not valid
    EMPTY_FILE = "empty_file"                # zero bytes
    UNSUPPORTED_TYPE = "unsupported_type"    # neither a PDF nor UTF-8 text
    NOT_A_PDF = "not_a_pdf"                  # named .pdf but no PDF structure
    ENCRYPTED = "encrypted"                  # password protected PDF
    TRUNCATED = "truncated"                  # PDF cut short / broken structure
    NO_PAGES = "no_pages"                    # a PDF with zero pages
    NO_TEXT_LAYER = "no_text_layer"          # warning: page(s) with no usable text
    OCR_UNREADABLE = "ocr_unreadable"        # warning: image page(s) that OCR could not read
    TOO_MANY_PAGES = "too_many_pages"        # over the configured page limit
    TOO_LARGE = "too_large"                  # over the configured byte limit
    TIMEOUT = "timeout"                      # processing exceeded its time limit
    MEMORY_LIMIT = "memory_limit"            # processing exceeded its memory limit
    WORKER_CRASH = "worker_crash"            # the worker process died
    INTERNAL_ERROR = "internal_error"        # a bug: reported without document text
    DUPLICATE_CASE_ID = "duplicate_case_id"  # batch: an earlier case of the input has the same id (not reviewed)
    UNKNOWN_CPT = "unknown_cpt"              # the request's CPT is no procedure of the policy (not reviewed)


#: Exit code of the CLI when any document of a case failed to load.
INPUT_ERROR_EXIT = 3


class DocumentError(Strict):
    """A document that could not be read (or a warning about part of it)."""

    document: str
    code: ErrorCode
    message: str
    pages: list[int] | None = None
