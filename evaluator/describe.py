"""Short reviewer phrases for facts, used in rationales ("2026-02-03 left, 90% relief")."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models import FactBase

_WORDS = {
    "sacroiliac_joint": "SIJ", "posterior_sij": "posterior SIJ", "si_joint": "SI joint", "xray": "radiograph",
    "ct": "CT", "mri": "MRI", "faber": "FABER", "gaenslen": "Gaenslen", "lumbar_spine": "lumbar spine",
}


def word(value: Any) -> str:
    """A vocabulary value in reviewer words."""
    text = str(value)
    return _WORDS.get(text, text.replace("_", " "))


def _number(value: float) -> str:
    return f"{value:g}"


def _injection(f: Any) -> str:
    parts = [f"{word(f.site)} {f.purpose or ''} injection".replace("  ", " "), str(f.date or "undated")]
    parts += [f.side] if f.side else []
    text = " ".join(parts)
    if f.relief_percent is not None:
        text += f", {_number(f.relief_percent)}% relief"
    return text


def _treatment(f: Any) -> str:
    text = word(f.modality)
    if f.duration_weeks is not None:
        text += f" {_number(f.duration_weeks)} weeks"
    if f.start_date or f.end_date:
        text += f" ({f.start_date or '?'} to {f.end_date or '?'})"
    return text + (f", {word(f.outcome)}" if f.outcome else "")


def _imaging(f: Any) -> str:
    text = " ".join(p for p in (word(f.modality), word(f.site), f.side or "", str(f.date or "undated")) if p)
    if f.findings_present:
        text += ": " + ", ".join(map(word, f.findings_present))
    elif f.findings_absent:
        text += ": no " + ", ".join(map(word, f.findings_absent))
    return text


def _pain(f: Any) -> str:
    parts = [f.side or "side not stated", {True: "radiating", False: "non-radiating"}.get(f.radiating, "")]
    parts += ["/".join(map(word, f.location or []))]
    parts += [{True: "limits ADLs", False: "no ADL limitation"}.get(f.adl_impact, "")]
    return "pain " + ", ".join(p for p in parts if p)


_DESCRIBERS: dict[str, Callable[[Any], str]] = {
    "injection": _injection,
    "conservative_treatment": _treatment,
    "imaging": _imaging,
    "pain_pattern": _pain,
    "tenderness": lambda f: f"tenderness {word(f.site)}" + (f" {f.side}" if f.side else ""),
    "provocative_test": lambda f: f"{word(f.test)} {f.result or 'no result'}" + (f" {f.side}" if f.side else ""),
    "smoking_status": lambda f: f"smoking {f.status}",
    "diagnosis": lambda f: f"{word(f.condition)}" + (f" ({f.icd10})" if f.icd10 else ""),
    "planned_procedure": lambda f: "planned " + " ".join(p for p in (word(f.approach or ""), f.cpt or "") if p),
}


def describe(fact: FactBase) -> str:
    """One phrase for a fact, with its assertion when it is not `present`."""
    kind = getattr(fact, "type", "")
    text = _DESCRIBERS[kind](fact) if kind in _DESCRIBERS else kind
    if fact.assertion != "present":
        text += f" ({fact.assertion})"
    return text


def brief(fact: FactBase) -> str:
    """A dated event without its kind ("2026-02-03 left, 90% relief"), for lists under a heading."""
    if getattr(fact, "type", "") != "injection":
        return describe(fact)
    f: Any = fact
    text = " ".join(p for p in (str(f.date or "undated"), f.side or "") if p)
    return text + (f", {_number(f.relief_percent)}% relief" if f.relief_percent is not None else "")


def describe_all(facts: list[FactBase]) -> str:
    return "; ".join(describe(f) for f in facts)
