#!/usr/bin/env python3
"""Regexes and phrase lists still written in Python under extractor/ (the rest is in extractor/rules/*.json).

    python tools/python_knowledge.py [--root DIR]

A regex is a call of `re.compile/search/match/fullmatch/finditer/findall/sub/subn/split` whose pattern
holds literal text (a pattern built only from a rules file's strings is not counted; one that wraps
them in literal glue such as r"\\b(?:" ... ")" is). A phrase list is an assignment of a list, tuple, set
or dict literal of three or more strings (dict: keys). Prints, per module, the names they are bound to
(a module constant, else the function they stand in), so docs/python_knowledge.md can give each a reason.
"""
from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from pathlib import Path

RE_FUNCS = {"compile", "search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split"}


def _literal(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) for n in ast.walk(node))


def _strings(node: ast.AST) -> tuple[int, int]:
    """(string elements, all elements) of a list/tuple/set literal or of a dict literal's keys."""
    elts = node.elts if isinstance(node, (ast.List, ast.Tuple, ast.Set)) else node.keys if isinstance(node, ast.Dict) else []
    return sum(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in elts), len(elts)


def census(path: Path) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    regexes: list[tuple[int, str]] = []
    lists: list[tuple[int, str]] = []

    def visit(node: ast.AST, where: str) -> None:
        for child in ast.iter_child_nodes(node):
            here = where
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                here = f"{child.name}()"
            elif isinstance(child, (ast.Assign, ast.AnnAssign)) and node is tree:
                target = child.targets[0] if isinstance(child, ast.Assign) else child.target
                here = ast.unparse(target)
            if (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in RE_FUNCS
                    and isinstance(child.func.value, ast.Name) and child.func.value.id == "re"
                    and child.args and _literal(child.args[0])):
                regexes.append((child.lineno, here))
            if isinstance(child, (ast.Assign, ast.AnnAssign)) and child.value is not None:
                strings, n = _strings(child.value)
                if strings >= 3 and strings == n:
                    target = child.targets[0] if isinstance(child, ast.Assign) else child.target
                    lists.append((child.lineno, ast.unparse(target) if node is tree else f"{where} {ast.unparse(target)}"))
            visit(child, here)

    visit(tree, "module")
    return regexes, lists


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1], help="the repository root")
    args = ap.parse_args(argv)
    total_re = total_lists = 0
    for path in sorted((args.root / "extractor").rglob("*.py")):
        regexes, lists = census(path)
        if not regexes and not lists:
            continue
        total_re += len(regexes)
        total_lists += len(lists)
        counts = Counter(w for _, w in regexes)
        names = [f"{w} x{n}" if n > 1 else w for w, n in counts.items()]
        line = f"{path.relative_to(args.root)}: {len(regexes)} regexes"
        line += f" ({', '.join(names)})" if names else ""
        if lists:
            line += f"; {len(lists)} phrase lists ({', '.join(w for _, w in lists)})"
        print(line)
    print(f"total: {total_re} regexes, {total_lists} phrase lists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
