"""Document text is PHI: with every logger at DEBUG, a canary name in a note appears nowhere."""
from __future__ import annotations

import logging

import pytest

CANARY = "Quennell Vantablack-Oduya"
NOTE = (f"Patient: {CANARY}\nDOB: 01/02/1960\nHPI: {CANARY} has left buttock pain for 8 months.\n"
        "Social History: Former smoker, quit 2019, 20 pack-years. Husband smokes.\n"
        "PHYSICAL EXAM:\nFABER (+) L, Gaenslen (-) R\nThigh thrust not performed.\n"
        f"Plan: will check sacral thrust next visit. Patrick's test deferred. {CANARY} agrees.\n")


@pytest.fixture
def debug_everywhere(caplog):
    """Root logger and loguru at DEBUG, loguru captured in a list."""
    from loguru import logger

    captured: list[str] = []
    sink = logger.add(lambda message: captured.append(str(message)), level="DEBUG")
    caplog.set_level(logging.DEBUG)
    logging.getLogger().setLevel(logging.DEBUG)
    yield captured
    logger.remove(sink)


def _run_everything():
    from extractor.facts import provocative_test, smoking_status
    from extractor.nlp import pipeline
    from extractor.nlp.context import NoteContext
    from models import Note

    class Source:
        name = "canary.txt"
        text = NOTE

        def page_of(self, offset):
            return 1

        def bbox(self, start, end):
            return None

    class Identity:
        def to_original(self, start, end):
            return start, end

    nlp = pipeline.build_nlp()  # a fresh build: rule loading and component set-up log too
    docs = pipeline.process([NOTE, NOTE * 3], nlp=nlp)
    ctx = NoteContext(source=Source(), note=Note(start=0, end=len(NOTE)), offsets=Identity())
    facts = provocative_test.extract(docs[0], ctx) + smoking_status.extract(docs[0], ctx)
    nlp.max_length = 200  # the chunked path as well
    pipeline.process([NOTE], nlp=nlp)
    return facts


def test_canary_never_reaches_logs_or_streams(debug_everywhere, caplog, capfd):
    facts = _run_everything()
    assert facts, "the extractors ran on the note"
    out, err = capfd.readouterr()
    assert CANARY not in out
    assert CANARY not in err
    assert all(CANARY not in record.getMessage() for record in caplog.records)
    assert all(CANARY not in str(record.args) for record in caplog.records)
    assert all(CANARY not in message for message in debug_everywhere)


def test_pyrush_debug_logging_is_silenced(debug_everywhere, capfd):
    """PyRuSH (medspaCy's default splitter, used by benchmarks) logs sentences at DEBUG via loguru."""
    import medspacy  # noqa: F401
    import spacy

    from extractor.nlp.pipeline import build_nlp

    build_nlp()  # silences loguru for PyRuSH and medspaCy
    nlp = spacy.blank("en")
    nlp.add_pipe("medspacy_pyrush")
    nlp(NOTE)
    out, err = capfd.readouterr()
    assert CANARY not in out + err
    assert all(CANARY not in message for message in debug_everywhere)
