"""Dependency hygiene (issue 9): the pinned versions carry the security fixes, and pdfplumber's
`repair` (which runs Ghostscript on the untrusted file) is never called.

The vulnerability audit itself needs the network: `tools/audit_deps.py` (run by .ci/run); its
decisions (snapshot ranges, PyPI answers, exit codes) are tested here offline.
"""
from __future__ import annotations

import json
import re
import sys
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


# --- the known-vulnerability audit run by .ci/run (tools/audit_deps.py), its decisions offline ---

def _audit_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("audit_deps", REPO / "tools" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module          # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


SNAPSHOT = {"read_on": "2026-11-27", "reviewed": {
    "numpy": [{"id": "PYSEC-2019-38", "fixed": "1.16.1"}, {"id": "PYSEC-2021-856", "fixed": "1.19.1"}],
    "spacy": []}}


@pytest.mark.parametrize("name, version, expected", [
    pytest.param("numpy", "1.16.0", ["PYSEC-2019-38", "PYSEC-2021-856"], id="old-numpy-both"),
    pytest.param("numpy", "1.19.0", ["PYSEC-2021-856"], id="between-fixes"),
    pytest.param("numpy", "1.19.1", [], id="exactly-fixed"),
    pytest.param("NumPy", "1.26.4", [], id="current-pin-any-case"),
    pytest.param("spacy", "3.7.5", [], id="reviewed-no-advisories"),
])
def test_snapshot_flags_only_versions_before_the_fix(name, version, expected):
    audit = _audit_module().audit_from_snapshot(name, version, SNAPSHOT)
    assert [v["id"] for v in audit.vulns] == expected
    assert audit.source == "snapshot 2026-11-27"


def test_snapshot_does_not_speak_for_packages_it_never_reviewed():
    assert _audit_module().audit_from_snapshot("requests", "2.0.0", SNAPSHOT) is None


def _fake_pypi(monkeypatch, module, answers):
    monkeypatch.setattr(module, "_get_json", lambda url, timeout: answers.get(url))


@pytest.mark.parametrize("answers, strict, code, line", [
    pytest.param({"https://pypi.org/pypi/demo/json": {"info": {"version": "1.0"}, "vulnerabilities": []}},
                 True, 0, "0 known vulnerabilities, 0 unaudited", id="latest-clean"),
    pytest.param({"https://pypi.org/pypi/demo/json": {"info": {"version": "1.0"}, "vulnerabilities": [
        {"id": "GHSA-x", "fixed_in": ["1.1"]}]}}, False, 1, "VULNERABLE demo==1.0: GHSA-x (fixed in 1.1)", id="latest-vulnerable"),
    pytest.param({"https://pypi.org/pypi/demo/json": {"info": {"version": "1.0"}, "vulnerabilities": [
        {"id": "GHSA-x", "fixed_in": ["1.1"], "withdrawn": "2026-01-01"}]}}, True, 0, "0 known", id="withdrawn-ignored"),
    pytest.param({"https://pypi.org/pypi/demo/json": {"info": {"version": "2.0"}},
                  "https://pypi.org/pypi/demo/1.0/json": {"vulnerabilities": [{"id": "PYSEC-1", "fixed_in": []}]}},
                 False, 1, "PYSEC-1 (fixed in none)", id="older-pin-release-endpoint"),
    pytest.param({"https://pypi.org/pypi/demo/json": {"info": {"version": "2.0"}}}, True, 2, "UNAUDITED demo==1.0",
                 id="older-pin-unaudited-strict"),
    pytest.param({}, False, 0, "1 unaudited", id="unreachable-not-strict"),
])
def test_audit_exit_codes(tmp_path, monkeypatch, capsys, answers, strict, code, line):
    module = _audit_module()
    _fake_pypi(monkeypatch, module, answers)
    (tmp_path / "c.txt").write_text("# pins\ndemo==1.0\n")
    (tmp_path / "s.json").write_text(json.dumps(SNAPSHOT))
    argv = [str(tmp_path / "c.txt"), "--snapshot", str(tmp_path / "s.json"), "--no-pip-audit"] + (["--strict"] if strict else [])
    assert module.main(argv) == code
    assert line in capsys.readouterr().out


def test_snapshot_covers_every_pin_held_back_by_spacy_3_7_5():
    snapshot = json.loads((REPO / ".ci" / "advisories.json").read_text())
    pins = {_audit_module().canonical(n) for n, _ in _audit_module().read_pins(REPO / "constraints.txt")}
    held_back = {"numpy", "spacy", "thinc", "blis", "confection", "weasel", "smart-open", "cython", "scipy"}
    assert held_back <= pins
    assert held_back <= set(snapshot["reviewed"])
