"""Dates of an injection mention (extractor/facts/injection/mentions.py): "six weeks later" counted from the
previous injection of the site, relative dates that count from the injection rather than date it, and
the date-of-service label of a packet note the segmenter kept whole."""
from __future__ import annotations

import datetime as dt
import re

from extractor.text.temporal import NUMBER_WORDS, DateMention, find_dates

_LATER = re.compile(r"\b(?P<n>\d{1,2}|" + "|".join(w for w in NUMBER_WORDS if " " not in w and len(w) > 2)
                    + r")\s+(?P<u>days?|weeks?|wks?|months?)\s+later\b", re.IGNORECASE)
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}


def counted_from_previous(text: str, site: str, events: list) -> DateMention | None:
    """ "Repeat L SIJ block six weeks later": the previous dated injection of that site, plus the interval."""
    m = _LATER.search(text)
    prev = next((e for e in reversed(events) if e.site == site and e.date is not None), None)
    if m is None or prev is None or m.group("u").lower().startswith("m"):
        return None  # months are not a day count
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    when = prev.date + dt.timedelta(days=n * _UNIT_DAYS[m.group("u")[0].lower()])
    return DateMention(m.start(), m.end(), when, prev.approximate, True)


def may_date_injection(d, text: str, assertion: str, note_date) -> bool:
    """'3 months after the injection' counts from the injection; a done injection is not in the future."""
    if d.relative and re.search(r"(?:after|later|afterwards)$", text[d.start:d.end], re.IGNORECASE):
        return False
    return not (assertion == "present" and note_date is not None and d.date > note_date)


_DOS_LABEL = r"\b(?:date of service|DOS|date of procedure|procedure date)\s*[:#-]?\s*"
DOS = re.compile(_DOS_LABEL, re.IGNORECASE)  # a date-of-service label
DOS_BEFORE = re.compile(_DOS_LABEL + "$", re.IGNORECASE)  # ... ending the text before a date


def block_date(text: str, offset: int, default):
    """The date of the last date-of-service label before `offset` (a packet note the segmenter kept whole)."""
    labels = list(DOS.finditer(text, 0, offset))
    if not labels:
        return default
    found = find_dates(text[labels[-1].end():labels[-1].end() + 20], default)
    return found[0].date if found and found[0].start == 0 else default
