"""Policy files: `evaluator/policies/*.yaml` (package data), validated with extra="forbid".

A bad file fails at load with the file, the path in the tree (criterion ids where known) and the
allowed keys. Several files may hold revisions of one policy id: the one in force on a date is the
latest whose `effective` range covers it.
"""
from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from models.policy import NODE_MODELS, Policy, PolicySummary


class PolicyFileError(ValueError):
    """A policy file that does not match the policy schema."""


class UnknownPolicyError(KeyError):
    """No policy file has the requested id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown policy"


def parse_policy(name: str, text: str) -> Policy:
    """Validate the YAML text of a policy file named `name` (used in messages)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PolicyFileError(f"{name}: invalid YAML{where}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(data, err) for err in exc.errors()]
        raise PolicyFileError(f"{name}: " + "; ".join(problems)) from None


def _problem(data: Any, err: Any) -> str:
    loc: tuple = err["loc"]
    path = _readable_path(data, loc)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(Policy, loc[:-1])
        msg = f"unknown key {loc[-1]!r}" + (f"; allowed keys: {', '.join(allowed)}" if allowed else "")
    return f"{path}: {msg}" if path else msg


def _readable_path(data: Any, loc: tuple) -> str:
    """`criteria[1](II).of[6](II.G).where[0]`: the loc with union tags dropped and criterion ids shown."""
    text, node = "", data
    for part in loc:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and part < len(node) else None
            name = node.get("id") if isinstance(node, dict) else None
            text += f"[{part}]" + (f"({name})" if name else "")
        elif isinstance(node, dict) and part in node:
            node = node[part]
            text += f".{part}" if text else str(part)
        elif part in NODE_MODELS or str(part).startswith("function-"):
            continue  # a union tag or validator name pydantic puts in the loc
        else:
            node = None
            text += f".{part}" if text else str(part)
    return text


def _allowed_keys(model: Any, loc: tuple) -> list[str]:
    """Field names (aliases) of the model that holds the unknown key at `loc`."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    inner = _first_model(current)
    if inner is None:
        return []
    return sorted(f.alias or k for k, f in inner.model_fields.items())


def _step(annotation: Any, part: Any) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _step(args[0], part)
    if origin in (list, tuple) and isinstance(part, int):
        return args[0]
    if origin is dict:
        return args[1]
    if origin is Union or (origin is not None and "UnionType" in str(origin)):
        if isinstance(part, str) and part in NODE_MODELS:
            return NODE_MODELS[part]
        for arg in args:
            found = _step(arg, part)
            if found is not None:
                return found
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        by_alias = {(f.alias or k): f for k, f in annotation.model_fields.items()}
        field = annotation.model_fields.get(str(part)) or by_alias.get(str(part))
        return field.annotation if field else None
    return None


def _first_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _bundled() -> list[tuple[str, str]]:
    folder = resources.files("evaluator").joinpath("policies")
    return sorted((f"evaluator/policies/{p.name}", p.read_text(encoding="utf-8"))
                  for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def _policies(directory: str | None) -> tuple[tuple[str, Policy], ...]:
    if directory is None:
        files = _bundled()
    else:
        files = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(Path(directory).glob("*.yaml"))]
    return tuple((name, parse_policy(name, text)) for name, text in files)


def revisions(policy_id: str, directory: str | None = None) -> list[Policy]:
    """Every revision of `policy_id`, oldest first."""
    found = [p for _, p in _policies(directory) if p.id.lower() == policy_id.lower()]
    if not found:
        known = sorted({p.id for _, p in _policies(directory)})
        raise UnknownPolicyError(f"unknown policy {policy_id!r}; available: {', '.join(known)}")
    return sorted(found, key=lambda p: p.effective.from_)


def load_policy(policy_id: str, on: dt.date | None = None, directory: str | None = None) -> Policy:
    """The revision of `policy_id` in force on `on` (the latest revision when `on` is None or none covers it)."""
    found = revisions(policy_id, directory)
    if on is not None:
        covering = [p for p in found if p.effective.covers(on)]
        if covering:
            return covering[-1]
    return found[-1]


def available_policies(directory: str | None = None) -> list[PolicySummary]:
    return [PolicySummary(id=p.id, title=p.title, payer=p.payer, revision=p.revision,
                          effective_from=p.effective.from_, effective_to=p.effective.to,
                          pathways={pw.name: pw.cpt for pw in p.pathways}, file=name)
            for name, p in _policies(directory)]
