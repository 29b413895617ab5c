"""Which drug a sentence says was injected: the first named that is neither negated nor only for the skin."""
from __future__ import annotations

import re

_NEGATED_DRUG = re.compile(r"\b(?:no|without|not|w/o|held)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)


def injected_drug(text: str, names: dict[str, re.Pattern[str]], skin: re.Pattern[str] | None) -> str | None:
    """The first drug named in `text` that was injected (not negated, not only for the skin)."""
    hits = sorted((m.start(), name, m) for name, p in names.items() for m in p.finditer(text))
    for _, name, m in hits:
        if _NEGATED_DRUG.search(text[max(0, m.start() - 25):m.start()]):
            continue
        if skin is not None and skin.search(text[max(0, m.start() - 40):m.end() + 20]):
            continue
        return name
    return None
