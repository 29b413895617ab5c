"""Model fields <-> FHIR extensions, generically, so every field a review model carries travels.

A field becomes one extension per value (a list repeats the extension), `url` its name, `value[x]` by
Python type. Reading back, the model's own annotation says whether a field is a list. This is what lets a
field added to the review models later (a `confidence`, say) travel through the Bundle with no change here.
"""
from __future__ import annotations

import base64
import datetime as dt
import re
import types
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

_VALUE_KEYS = ("valueBoolean", "valueInteger", "valueDecimal", "valueDate", "valueString", "valueCode")
#: characters a FHIR string may not hold (below U+0020 except tab, CR, LF): a page break's form feed, say
FORBIDDEN_IN_STRING = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def value_extension(url: str, value: Any) -> dict[str, Any]:
    """One extension holding one scalar (bool, int, float, date or str)."""
    if isinstance(value, bool):
        return {"url": url, "valueBoolean": value}
    if isinstance(value, int):
        return {"url": url, "valueInteger": value}
    if isinstance(value, float):
        return {"url": url, "valueDecimal": value}
    if isinstance(value, dt.date):
        return {"url": url, "valueDate": value.isoformat()}
    if isinstance(value, str):
        if FORBIDDEN_IN_STRING.search(value):  # kept exact, as base64 of its UTF-8
            return {"url": url, "valueBase64Binary": base64.b64encode(value.encode("utf-8")).decode("ascii")}
        return {"url": url, "valueString": value}
    raise TypeError(f"no FHIR value type for a {type(value).__name__}")


def scalar_of(extension: dict[str, Any]) -> Any:
    """The value of a simple extension (dates come back as ISO strings: the model parses them)."""
    for key in _VALUE_KEYS:
        if key in extension:
            return extension[key]
    if "valueBase64Binary" in extension:
        return base64.b64decode(extension["valueBase64Binary"]).decode("utf-8")
    raise ValueError(f"extension {extension.get('url')!r} holds no simple value")


def field_extensions(model: BaseModel, skip: Iterable[str] = (), url=lambda name: name,
                     keep: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Every field of `model` not in `skip` whose value differs from its default (always those in `keep`)."""
    skip, keep = set(skip), set(keep)
    out: list[dict[str, Any]] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        if name in skip or value is None or (name not in keep and not info.is_required() and value == info.get_default(
                call_default_factory=True)):
            continue
        out.extend(scalar_extensions(url(name), value))
    return out


def scalar_extensions(url: str, value: Any) -> list[dict[str, Any]]:
    values = value if isinstance(value, (list, tuple)) else [value]
    return [value_extension(url, v) for v in values if v is not None]


def grouped(extensions: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Extensions by url, in order."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ext in extensions:
        out[ext["url"]].append(ext)
    return out


def field_values(model: type[BaseModel], extensions: dict[str, list[dict[str, Any]]],
                 url=lambda name: name, skip: Iterable[str] = ()) -> dict[str, Any]:
    """Field name -> value for every field of `model` not in `skip` found among `extensions` (see `grouped`)."""
    data: dict[str, Any] = {}
    skip = set(skip)
    for name, info in model.model_fields.items():
        found = extensions.get(url(name))
        if not found or name in skip:
            continue
        values = [scalar_of(e) for e in found]
        data[name] = values if is_list(info.annotation) else values[0]
    return data


def is_list(annotation: Any) -> bool:
    """list[...], or an Optional / union of one."""
    if get_origin(annotation) in (list, tuple):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(is_list(arg) for arg in get_args(annotation) if arg is not type(None))
    return False
