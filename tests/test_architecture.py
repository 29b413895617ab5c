"""The house's import rules, read from the source (imports inside functions count too).

- no import cycle among the project's modules;
- the layers: `models` imports nothing of ours; `extractor` and `evaluator` import only `models`
  (and themselves); `chartsift` is the face over all three (import-linter checks the same in
  `make test` from pyproject.toml, this test also sees imports inside functions).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("models", "extractor", "evaluator", "chartsift")
ALLOWED = {"models": {"models"}, "extractor": {"extractor", "models"}, "evaluator": {"evaluator", "models"},
           "chartsift": set(PACKAGES)}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules `name` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path, set(_modules())) for name, path in _modules().items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


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
    known = set(_modules())
    assert _imports("extractor.nlp.probe", source, known) == {"extractor.text.temporal", "extractor.nlp.pipeline"}
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
