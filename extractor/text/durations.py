"""Durations and month spans as clinical notes state them: "x 6 weeks", "6-8 weeks of PT", "Jul-Aug 2025"."""
from __future__ import annotations

import datetime as dt
import re

from extractor.text.temporal import NUMBER_WORDS, find_dates

_WORDS = "|".join(sorted((w for w in NUMBER_WORDS if " " not in w and w not in ("a", "an")), key=len, reverse=True))
_DURATION = re.compile(r"(?P<n>\d+(?:\.\d+)?|" + _WORDS + r")(?:\s*(?:-|–|to)\s*(?P<n2>\d+))?[\s-]*"
                       r"(?P<u>weeks?|wks?)\b(?!\s+(?:ago|prior|before|later|earlier|after))", re.IGNORECASE)
def stated_weeks(text: str) -> float | None:
    """A duration stated in weeks ("x 6 weeks" 6, "8 weeks of PT" 8, "6-8 weeks" 6; "3 months" None).

    Only weeks, the annotation convention of corpora/sij ("duration_weeks only when stated in
    weeks"): months and start/end dates stay in their own attributes for the evaluator to count.
    """
    m = _DURATION.search(text)
    if not m:
        return None
    raw = m.group("n").lower()
    n = float(raw) if raw[0].isdigit() else float(NUMBER_WORDS[raw])
    return n


_MONTH_PAIR = re.compile(r"\b(?P<m1>[A-Z][a-z]{2,8})\.?\s*(?:-|–|to|through|thru)\s*(?P<m2>[A-Z][a-z]{2,8}\.?\s*,?\s*(?:19|20)\d\d)\b")


def month_pair(text: str, anchor: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """ "Jul-Aug 2025": two months sharing one year (the first month takes the second's year)."""
    m = _MONTH_PAIR.search(text)
    if not m:
        return None
    end = find_dates(m.group("m2"), anchor)
    year = m.group("m2")[-4:]
    start = find_dates(f"{m.group('m1')} {year}", anchor)
    if not (start and end) or start[0].date > end[0].date:
        return None
    return start[0].date, end[0].date


_YEAR_ONLY = re.compile(r"^(?:in|since|quit|until|from|during)?\s*(?:19|20)\d\d$", re.IGNORECASE)  # "PT in 2025" says when, not when it started


def date_range(text: str, anchor: dt.date | None, joiner: re.Pattern[str], start_cue: re.Pattern[str],
               end_cue: re.Pattern[str]):
    """(start, end, start_approximate, date mentions) stated in a window: "from 1/5 to 2/20", "since January",
    "completed in June". `joiner` matches what joins two dates of one range, `end_cue` / `start_cue` the words
    that make a date an end or a start (the caller's rule file holds them)."""
    pair = month_pair(text, anchor)
    if pair:
        return pair[0], pair[1], True, []
    mentions = [d for d in find_dates(text, anchor) if not (d.relative and anchor and d.date > anchor)
                and not _YEAR_ONLY.search(text[d.start:d.end])]
    start = end = None
    approx = False
    i = 0
    while i < len(mentions):
        d = mentions[i]
        nxt = mentions[i + 1] if i + 1 < len(mentions) else None
        if nxt and joiner.match(text[d.end:nxt.start]):
            start, end, approx = start or d.date, nxt.date, d.approximate
            i += 2
            continue
        if end_cue.search(text[:d.start]) and not start_cue.search(text[max(0, d.start - 12):d.start]):
            end = d.date
        elif start is None:
            start, approx = d.date, d.approximate
        i += 1
    return start, end, approx, mentions
