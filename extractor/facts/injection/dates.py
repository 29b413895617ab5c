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


#: a date-of-service label; a bare "Date:" counts unless a word comes just before it ("Quit date:", "Birth date:")
_LABEL = r"(?:\b(?:date of service|DOS|date of procedure|procedure date)|(?<![A-Za-z] )\bdate(?=\s*:))\s*[:#-]?\s*"
#: a procedure heading that opens its line with the date ("PROCEDURE 01/08/2026 - L SIJ block #1",
#: "==== PROCEDURE NOTE ====  10/07/2025", "Procedure note 2/3/26:"): what follows is the entry of that date, as after a DOS label
_HEADING = r"(?<![^\n])[ \t=*#-]*(?:procedure|injection)(?:\s+(?:note|report))?[ \t=*#:-]*"
DOS = re.compile(rf"(?:{_LABEL}|{_HEADING}(?=\d{{1,2}}/\d{{1,2}}/\d{{2,4}}))", re.IGNORECASE)  # a date-of-service label
DOS_BEFORE = re.compile(rf"(?:{_LABEL}|{_HEADING})$", re.IGNORECASE)  # ... ending the text before a date


#: the line opens with the date ("02/10/2026 Right SIJ diagnostic block #1", "[05/12/2026] Left SIJ ...",
#: "- 03/03/2026: L SIJ block"): a log entry of that date, like one after a date-of-service label
ENTRY_START = re.compile(r"^[ \t]*(?:[-*\u2022]\s*)?\[?$")


def line_before(text: str, offset: int) -> str:
    """The text of the line before `offset` (a heading the sentencizer cut off: "PROCEDURE | 01/08/2026 - ...")."""
    return text[text.rfind("\n", 0, offset) + 1:offset]


def block_date(text: str, offset: int, default):
    """The date of the last date-of-service label before `offset` (a packet note the segmenter kept whole),
    or of a label later on the same line ("PROCEDURE: L SIJ injection      Date: 02/03/2026")."""
    line_end = text.find("\n", offset)
    labels = list(DOS.finditer(text, offset, len(text) if line_end < 0 else line_end))[:1] \
        or list(DOS.finditer(text, 0, offset))[-1:]
    if not labels:
        return default
    return label_date(text, labels[-1], default)


def label_date(text: str, label: re.Match[str], default=None):
    """The date a date-of-service label gives (the date right after it), else `default`."""
    found = find_dates(text[label.end():label.end() + 20], default)
    return found[0].date if found and found[0].start == 0 else default


#: a line that opens with a date ("02/10/2026 ...", "- 03/03/2026 ...", "[05/12/2026] ..."): the next entry of a log
DATED_LINE = re.compile(r"(?m)^[ \t]*(?:[-*\u2022][ \t]*)?\[?(?=\d{1,2}/\d{1,2}/\d{2,4}\b)")


def latest_date(text: str) -> dt.date | None:
    """The latest date a note without a date of service gives (its own date, near enough)."""
    dates = [d.date for d in find_dates(text) if not d.relative]
    return max(dates) if dates else None


def heading_above(text: str, offset: int, headings: re.Pattern[str], reach: int = 800) -> str | None:
    """The kind (the group name in `headings`) of the nearest heading line of its own above `offset`'s line,
    within `reach` characters; a heading on the offset's own line is not one (the plan cues read it)."""
    line_start = text.rfind("\n", 0, offset) + 1
    last = None
    for m in headings.finditer(text, max(0, line_start - reach), line_start):
        last = m
    return last.lastgroup if last is not None else None
