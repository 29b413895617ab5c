"""ICD-10-CM code lists with ranges (`M53.2X6-M53.2X8`, `S32.810A-S32.811S`).

Codes compare position by position after dropping the dot and upper-casing: digits sort before
letters, so the placeholder `X` and the 7th-character extensions (A, D, G, K, P, S ...) order as the
code book does. A single code in a list also covers its subcodes (`M46.1` covers `M46.10`); a
range covers codes at least as long as its bounds whose leading characters fall inside it.
"""
from __future__ import annotations

import re

_CODE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")


def normalize(code: str) -> str:
    """`m53.2x6 ` -> `M532X6`; raises ValueError when it is not an ICD-10-CM code."""
    compact = code.strip().upper().replace(".", "")
    if not _CODE.match(compact):
        raise ValueError(f"not an ICD-10-CM code: {code!r}")
    return compact


def display(code: str) -> str:
    """`M532X6` -> `M53.2X6`."""
    compact = normalize(code)
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def in_entry(code: str, entry: str) -> bool:
    """Whether `code` is the entry, a subcode of it, or inside the entry's inclusive range."""
    target = normalize(code)
    if "-" not in entry:
        return target.startswith(normalize(entry))
    low, high = (normalize(part) for part in entry.split("-", 1))
    if len(target) < len(low):
        return False
    return low <= target[:len(low)] and target[:len(high)] <= high


def in_list(code: str, entries: list[str]) -> bool:
    """Whether `code` lies in any entry; a malformed code is in none."""
    try:
        normalize(code)
    except ValueError:
        return False
    return any(in_entry(code, entry) for entry in entries)
