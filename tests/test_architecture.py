"""The house's import rules, read from the source (imports inside functions count too).

- no import cycle among the project's modules;
- the layers: `models` imports nothing of ours; `extractor` and `evaluator` import only `models`
  (and themselves); `chartsift` is the face over all three (import-linter checks the same in
  `make test` from pyproject.toml, this test also sees imports inside functions).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from import_census import PACKAGES, cycles, imported_modules, modules

ALLOWED = {"models": {"models"}, "extractor": {"extractor", "models"}, "evaluator": {"evaluator", "models"},
           "chartsift": set(PACKAGES)}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `name` imports, anywhere in its source (tools/import_census.py reads them)."""
    return imported_modules(name, path, ast.parse(path.read_text(encoding="utf-8")), known)


_MODULES = modules(ROOT)
GRAPH = {name: _imports(name, path, set(_MODULES)) for name, path in _MODULES.items()}
_cycles = cycles


def _is_package_init(name: str) -> bool:
    return (ROOT / name.replace(".", "/") / "__init__.py").is_file()


def test_no_import_cycles():
    # a package's __init__ re-exporting its own submodule is no cycle of behaviour: leave those edges out
    graph = {v: {w for w in ws if not (_is_package_init(v) and w.startswith(v + "."))
                 and not (_is_package_init(w) and v.startswith(w + "."))} for v, ws in GRAPH.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("layer", PACKAGES)
def test_layers(layer):
    wrong = sorted(f"{v} -> {w}" for v, ws in GRAPH.items() if v.split(".")[0] == layer
                   for w in ws if w.split(".")[0] not in ALLOWED[layer])
    assert wrong == []


def test_the_graph_sees_imports_inside_functions_and_relative_ones(tmp_path):
    """A guard on the test itself: imports inside functions and relative imports are edges."""
    source = tmp_path / "probe.py"
    source.write_text("from __future__ import annotations\n"
                      "def f():\n    from extractor.text import temporal\n"
                      "def g():\n    from .pipeline import process\n", encoding="utf-8")
    known = set(_MODULES)
    assert _imports("extractor.nlp.probe", source, known) == {"extractor.text.temporal", "extractor.nlp.pipeline"}
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
