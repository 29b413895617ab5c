"""Concurrent uploads of different charts against `chartsift serve` (a small run of benchmarks/web_load.py):
every review equals the CLI's, no "database is locked", nothing but 2xx/3xx answers."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.load


def _web_load():
    spec = importlib.util.spec_from_file_location("web_load", ROOT / "benchmarks" / "web_load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["web_load"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_concurrent_uploads_all_match_the_cli(served, monkeypatch):
    web_load = _web_load()
    monkeypatch.setattr(web_load, "PASSWORD", served.password)
    folders = web_load.case_folders(ROOT / "corpora" / "sij", 6)
    outcomes = web_load.run_load(served.url, ["load0", "load1", "load2", "load3"], folders)
    web_load.compare_with_cli(outcomes)
    report = web_load.summary(outcomes)
    assert report["completed"] == len(folders) and report["problems"] == {}
    assert len({o.result["case_id"] for o in outcomes}) == len(folders)
    assert "database is locked" not in (served.data_dir / "serve.log").read_text(errors="replace")
