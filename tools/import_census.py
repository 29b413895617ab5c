#!/usr/bin/env python3
"""Imports inside functions and import cycles among the project's modules, read from the source.

    python tools/import_census.py [--root DIR] [--list]

Counts, per package (chartsift, extractor, evaluator, models), the `import` / `from ... import`
statements that stand inside a function body (a lazy import), and finds the import cycles among the
project's modules counting those too (strongly connected components of more than one module). As in
tests/test_architecture.py, a package's `__init__` re-exporting its own submodule is no cycle of
behaviour: the edges between a package's `__init__` and its own submodules are left out. `--list` names each lazy import with its file and
line, so a reviewer can check that each says why (start-up speed, an optional dependency), never a
cycle it hides. Prints numbers and module names only.
"""
from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

PACKAGES = ("chartsift", "extractor", "evaluator", "models")


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(root: Path) -> dict[str, Path]:
    return {module_name(root, p): p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))}


def lazy_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Import statements with a function among their enclosing nodes."""
    out: list[ast.Import | ast.ImportFrom] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and in_function:
                out.append(child)
            walk(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    walk(tree, False)
    return out


def imported_modules(name: str, path: Path, tree: ast.AST, known: set[str]) -> set[str]:
    """Project modules `name` imports, anywhere in its source."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
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


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    component.append(x)
                    if x == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def census(root: Path) -> dict:
    mods = modules(root)
    known = set(mods)
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in mods.items()}
    lazy = {name: lazy_imports(tree) for name, tree in trees.items()}
    inits = {name for name, path in mods.items() if path.name == "__init__.py"}
    graph = {name: {w for w in imported_modules(name, mods[name], trees[name], known)
                    if not (name in inits and w.startswith(name + ".")) and not (w in inits and name.startswith(w + "."))}
             for name in mods}
    return {
        "lazy_by_package": {pkg: sum(len(v) for k, v in lazy.items() if k.split(".")[0] == pkg) for pkg in PACKAGES},
        "lazy": [(str(mods[k].relative_to(root)), node.lineno) for k, v in sorted(lazy.items()) for node in v],
        "cycles": cycles(graph),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1], help="the repository root")
    ap.add_argument("--list", action="store_true", help="name every import inside a function")
    args = ap.parse_args(argv)
    result = census(args.root)
    total = sum(result["lazy_by_package"].values())
    print(f"imports inside functions: {total} ("
          + ", ".join(f"{k} {v}" for k, v in result["lazy_by_package"].items()) + ")")
    print(f"import cycles (imports inside functions counted): {len(result['cycles'])}")
    for component in result["cycles"]:
        print("  cycle:", " <-> ".join(component))
    if args.list:
        for path, line in result["lazy"]:
            print(f"  {path}:{line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
