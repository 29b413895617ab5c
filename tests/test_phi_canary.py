"""Document text is PHI: a canary patient name must never reach logs, stderr or error messages."""
from __future__ import annotations

import io
import json
import logging

import pytest
from loguru import logger as loguru_logger

from chartsift.cli import main

CANARY = "Zebulon Quackenbush"
CANARY_MRN = "MRN 99887766"
NOTE = f"""Patient: {CANARY}   DOB: 02/29/1964   {CANARY_MRN}
Date of Service: 03/02/2026
OFFICE VISIT
{CANARY} reports left buttock pain. FABER positive on the left. Gaenslen's: neg.
Social history: quit smoking 2019, 20 pack-years. Mother smokes.
"""


@pytest.fixture
def all_logs(caplog):
    """Every stdlib and loguru record at DEBUG, captured as text."""
    sink = io.StringIO()
    sink_id = loguru_logger.add(sink, level="DEBUG")
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    yield lambda: sink.getvalue() + "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    root.setLevel(old)
    loguru_logger.remove(sink_id)


@pytest.mark.parametrize("bad_name, bad_content", [
    pytest.param("notes.pdf", f"{CANARY} is not a pdf".encode(), id="not-a-pdf-holding-the-canary"),
    pytest.param("trunc.pdf", f"%PDF-1.4\n1 0 obj << /Title ({CANARY}) >>".encode(), id="truncated-pdf-holding-the-canary"),
])
def test_canary_never_in_logs_stderr_or_errors(tmp_path, capsys, all_logs, bad_name, bad_content):
    (tmp_path / "visit.txt").write_text(NOTE)
    (tmp_path / bad_name).write_bytes(bad_content)
    (tmp_path / "case.json").write_text(json.dumps({"case_id": "PHI-1", "documents": ["visit.txt", bad_name]}))
    assert main(["review", str(tmp_path), "--json"]) == 3
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["facts"], "the note was reviewed"
    errors = json.dumps(result["errors"]) + json.dumps(result["warnings"])
    for canary in (CANARY, "Quackenbush", CANARY_MRN, "02/29/1964"):
        assert canary not in all_logs(), "canary in logs"
        assert canary not in err, "canary on stderr"
        assert canary not in errors, "canary in error messages"
