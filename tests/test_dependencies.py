"""Dependency hygiene (issue 9): the pinned versions carry the security fixes, and pdfplumber's
`repair` (which runs Ghostscript on the untrusted file) is never called.

The vulnerability audit itself needs the network: `.venv/bin/pip-audit -r constraints.txt --no-deps
--disable-pip` (in .ci/run), not a unit test.
"""
from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = ("chartsift", "extractor", "evaluator", "models", "benchmarks", "corpora")
#: pdfplumber.repair(...), pdfplumber.open(..., repair=True), from pdfplumber.repair import ..., gs_path=
PDFPLUMBER_REPAIR = re.compile(r"pdfplumber\.repair|\brepair\s*=\s*True|from\s+pdfplumber(?:\.\w+)*\s+import[^\n]*\brepair\b"
                               r"|\bgs_path\s*=|\brepair_setting\s*=|pdfplumber\.repair\b|_repair\(\s*path_or_fp")
FLOORS = {"pdfminer.six": (20251107,), "setuptools": (78, 1, 1)}


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


@pytest.mark.parametrize("package, floor", [pytest.param(k, v, id=k) for k, v in FLOORS.items()])
def test_installed_versions_carry_the_security_fixes(package, floor):
    assert _version_tuple(version(package)) >= floor


@pytest.mark.parametrize("package, floor", [pytest.param(k, v, id=k) for k, v in FLOORS.items()])
def test_constraints_pin_versions_with_the_security_fixes(package, floor):
    pins = dict(line.split("==") for line in (REPO / "constraints.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    assert _version_tuple(pins[package]) >= floor


def test_pyproject_floor_for_pdfminer():
    assert re.search(r'"pdfminer\.six>=(\d+)"', (REPO / "pyproject.toml").read_text()).group(1) >= "20251107"


def test_pdfplumber_repair_is_never_used():
    hits = []
    for folder in CODE:
        for path in (REPO / folder).rglob("*.py"):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if PDFPLUMBER_REPAIR.search(line):
                    hits.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert hits == []


@pytest.mark.parametrize("line", [
    pytest.param("pdfplumber.repair(path)", id="module-function"),
    pytest.param("pdfplumber.open(fp, repair=True)", id="open-flag"),
    pytest.param("from pdfplumber.repair import repair", id="import"),
    pytest.param("pdfplumber.open(fp, repair=True, gs_path='/usr/bin/gs')", id="gs-path"),
])
def test_the_repair_pattern_catches_each_way_of_calling_it(line):
    assert PDFPLUMBER_REPAIR.search(line)


def test_the_repair_pattern_leaves_ocr_repair_alone():
    assert not PDFPLUMBER_REPAIR.search("norm = repair_ocr_note(normalize(text), source, 0)")
