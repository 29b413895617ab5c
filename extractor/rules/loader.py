"""Loads the clinical knowledge in `extractor/rules/*.json` (DESIGN habit 1).

Each rules file is validated by a pydantic model with `extra="forbid"`; a bad rule fails at
load with the file, the path of the bad entry and the allowed keys. Loaded rules are cached
and returned as frozen models, so callers cannot mutate a shared vocabulary.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import TypeVar

from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class RuleFileError(ValueError):
    """A rules file that does not match its schema."""


def rules_text(name: str) -> str:
    """Raw JSON text of `extractor/rules/<name>.json`, read as package data."""
    return resources.files("extractor").joinpath("rules", f"{name}.json").read_text(encoding="utf-8")


def parse_rules(name: str, text: str, model: type[M]) -> M:
    """Validate rules JSON against `model`, with an error that says exactly what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleFileError(f"extractor/rules/{name}.json: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                allowed = _allowed_keys(model, err["loc"])
                msg += f"; allowed keys: {', '.join(allowed)}" if allowed else ""
            problems.append(f"{loc}: {msg}")
        raise RuleFileError(f"extractor/rules/{name}.json: " + "; ".join(problems)) from None


@lru_cache(maxsize=None)
def load_rules(name: str, model: type[M]) -> M:
    """The validated, cached rules of `extractor/rules/<name>.json`."""
    return parse_rules(name, rules_text(name), model)


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the sub-model that holds the unknown key at `loc`."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        current = _inner_model(field.annotation) if field else None
    return sorted(current.model_fields) if current else []


def _inner_model(annotation) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None
