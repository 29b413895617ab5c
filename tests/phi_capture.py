"""The capture both PHI canary sweeps run under (tests/test_phi_sweep.py, tests/web/test_phi_web.py):
every log at DEBUG (stdlib root and loguru) and a private temporary folder."""
from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loguru import logger as loguru_logger


@contextmanager
def debug_capture(tmp_path: Path, monkeypatch, caplog) -> Iterator[tuple[io.StringIO, Path]]:
    """(loguru sink, temporary folder) while every log is at DEBUG; levels and sinks restored after."""
    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setenv("CHARTSIFT_OCR_CACHE", "off")
    monkeypatch.setattr(tempfile, "tempdir", None)
    sink = io.StringIO()
    sink_id = loguru_logger.add(sink, level="DEBUG", format="{message} {extra} {exception}")
    loguru_logger.enable("")
    caplog.set_level(logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    try:
        yield sink, tmp
    finally:
        root.setLevel(old)
        loguru_logger.remove(sink_id)
