"""Logging policy: document text is PHI and never reaches a log.

medspaCy's PyRuSH sentencizer logs tokens at DEBUG through loguru; loguru's handlers are
removed for PyRuSH and our own loggers never format document text.
"""
from __future__ import annotations

import logging
import sys


def quiet_third_party_logging() -> None:
    """Silence the libraries known to log document content (idempotent).

    loguru (PyRuSH's and medspaCy's logger) is silenced here when it is loaded; when it is not, nothing
    has logged through it yet, and `extractor.nlp.pipeline.build_nlp`, which loads medspaCy, silences it
    then. Importing loguru only to silence it would cost every CLI command a tenth of a second or more."""
    loguru = sys.modules.get("loguru")
    if loguru is not None:
        loguru.logger.disable("PyRuSH")
        loguru.logger.disable("medspacy")
    for name in ("pdfminer", "pdfplumber", "PIL", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
