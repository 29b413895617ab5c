"""Page furniture: the header and footer lines a packet repeats on its pages (letterheads, fax banners,
"Page 2 of 3"), found once per document so that normalization can drop them and ingestion can tell an
empty page from a page of furniture."""
from __future__ import annotations

import math
import re
from collections import Counter

from extractor.text.normalize import line_key
from extractor.text.note_headers import is_note_header

_PAGE_NUMBER = re.compile(r"\bpage\s*\d{1,4}\s*(?:of|/)\s*\d{1,4}\b", re.IGNORECASE)


def repeated_page_lines(text: str, page_starts: list[int]) -> frozenset[str]:
    """Header and footer lines (as `line_key`s) found at the top or bottom of most pages, and page
    furniture found at the top or bottom of any page.

    A line counts when it is among the first 4 or last 3 non-blank lines of a page on at least
    half of the pages, and on 3 pages at least; or when it sits there and numbers the page
    ("FAX ... Page 2 of 3", "Page 1/2"), which a packet of one or two pages cannot show by
    repetition. Note titles and date-of-service lines never count, even when every note of a
    short packet starts on its own page with one.
    """
    pages = len(page_starts)
    counts: Counter[str] = Counter()
    furniture: set[str] = set()
    bounds = list(page_starts[1:]) + [len(text) + 1]
    for start, end in zip(page_starts, bounds):
        lines = [ln for ln in text[start:end - 1].split("\n") if ln.strip()]
        zone = {line_key(ln): ln for ln in lines[:4] + lines[-3:]}
        kept = {key: ln for key, ln in zone.items() if sum(c.isalnum() for c in key) >= 3 and not is_note_header(ln)}
        counts.update(kept.keys())
        furniture.update(key for key, ln in kept.items() if _PAGE_NUMBER.search(ln))
    needed = max(3, math.ceil(pages / 2))
    return frozenset(furniture | {key for key, n in counts.items() if n >= needed})
