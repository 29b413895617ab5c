"""Logging policy: document text is PHI and never reaches a log.

medspaCy's PyRuSH sentencizer logs tokens at DEBUG through loguru; loguru's handlers are
removed for PyRuSH and our own loggers never format document text.
"""
from __future__ import annotations

import logging


def quiet_third_party_logging() -> None:
    """Silence the libraries known to log document content (idempotent)."""
    try:
        from loguru import logger as loguru_logger
    except ImportError:  # pragma: no cover - loguru comes with PyRuSH
        return
    loguru_logger.disable("PyRuSH")
    loguru_logger.disable("medspacy")
    for name in ("pdfminer", "pdfplumber", "PIL", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
