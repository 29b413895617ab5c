"""Put each error's snippet back in its sentence, so the report shows it highlighted in context."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from models.evaluation import EvaluationError

CONTEXT_CHARS = 120


def find_span(snippet: str, text: str) -> tuple[int, int] | None:
    """[start, end) of `snippet` in `text`, any whitespace run matching any other, case folded."""
    words = snippet.split()
    if not words:
        return None
    found = re.search(r"\s+".join(re.escape(w) for w in words), text, flags=re.IGNORECASE)
    return found.span() if found else None


def around(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """Up to `width` characters before and after [start, end), cut at a word boundary, one line each."""
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    if start - width > 0 and " " in before:
        before = "…" + before.split(" ", 1)[1]
    if end + width < len(text) and " " in after:
        after = after.rsplit(" ", 1)[0] + "…"
    return " ".join(before.split()) + (" " if before[-1:].isspace() else ""), \
        (" " if after[:1].isspace() else "") + " ".join(after.split())


def add_context(errors: Iterable[EvaluationError], texts: Mapping[str, str]) -> None:
    """Fill `context_before`/`context_after` of errors whose snippet is found in their document."""
    for error in errors:
        text = texts.get(error.document or "")
        if not text or not error.snippet:
            continue
        span = find_span(error.snippet, text)
        if span is not None:
            error.context_before, error.context_after = around(text, *span)
