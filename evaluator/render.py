"""Plain views of policies and evaluations for the CLI and reports (no I/O here)."""
from __future__ import annotations

from typing import Any

from models import FactBase
from models.policy import AtLeastNode, Condition, Filter, NodeBase, Policy, PolicyEvaluation, ValueLeaf, children

_LEAF_PARAMS = ("n", "days", "months", "within_days", "distinct", "attribute", "fail_wins", "absence_documented")


def _condition(name: str, cond: Condition) -> str:
    parts = []
    for key in sorted(cond.model_fields_set):
        value = getattr(cond, key)
        key = "in" if key == "in_" else key
        parts.append(f"{name}={value}" if key == "eq" else f"{name} {key} {value}")
    return " and ".join(parts)


def _filter(where: Filter) -> str:
    return ", ".join(_condition(name, cond) for name, cond in where.items()) or "any"


def describe_check(node: NodeBase) -> str:
    """What a leaf checks, in one line: `injection where ...; fails when ...; n=2, days=14`."""
    fact = getattr(node, "fact", None)
    if fact is None:
        codes = getattr(node, "codes", None)
        return f"request ICD-10-CM code in {', '.join(codes)}" if codes else ""
    text = f"{fact} where " + " | ".join(_filter(w) for w in getattr(node, "where", []))
    fails = getattr(node, "fails_when", [])
    if fails:
        text += "; not met when " + " | ".join(_filter(w) for w in fails)
    for other, filters in getattr(node, "excluded_by", {}).items():
        text += f"; not met when {other} " + " | ".join(_filter(w) for w in filters)
    if isinstance(node, ValueLeaf):
        text += f"; test {_condition(node.attribute, node.test)}"
    params = [f"{p}={getattr(node, p)}" for p in _LEAF_PARAMS
              if getattr(node, p, None) not in (None, False) and p in node.model_fields_set]
    return text + (f"; {', '.join(params)}" if params else "")


def policy_tree(policy: Policy) -> list[str]:
    """The criterion tree, indented, each node with its id, operator, label, wording and check."""
    lines: list[str] = []

    def visit(node: NodeBase, depth: int) -> None:
        pad = "  " * depth
        op = f"[at_least {node.n}]" if isinstance(node, AtLeastNode) else f"[{node.op}]"
        head = " ".join(p for p in (node.id or "-", op, node.label or "") if p)
        lines.append(pad + head)
        if node.text:
            lines.append(pad + "    \u201c" + node.text + "\u201d")
        check = describe_check(node)
        if check:
            lines.append(pad + "    checks: " + check)
        for child in children(node):
            visit(child, depth + 1)

    for top in policy.criteria:
        visit(top, 0)
    return lines


def determination_rows(result: PolicyEvaluation, facts: list[FactBase]) -> list[dict[str, Any]]:
    """One row per criterion for --text / --html: status, rationale, missing, and the quotes that show it
    (document, page, text of each piece of evidence of the facts it cites)."""
    by_id = {f.id: f for f in facts}
    rows = []
    for d in result.determinations:
        quotes = [{"fact": fid, "document": ev.document, "page": ev.page, "text": ev.text,
                   "start": ev.start, "end": ev.end}
                  for fid in d.evidence if fid in by_id for ev in by_id[fid].evidence]
        rows.append({"criterion": d.criterion, "status": d.status, "pathway": d.pathway, "rationale": d.rationale,
                     "missing": list(d.missing), "text": d.text, "quotes": quotes})
    return rows
