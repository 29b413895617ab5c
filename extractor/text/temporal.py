"""Dates in clinical text: absolute formats, partial dates and relative expressions.

Relative expressions ("two weeks later", "3 months ago", "last month") and dates without a
year ("3/2", "in January") are anchored to the note's date of service. A date given only as
a month is the 1st of that month and is marked approximate (SPEC section 4).
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from extractor.text.regex_words import lacks_all, lowered_for_words, needed_words, regex_lower, requires_digit

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "a few": 3,
                "couple of": 2, "a couple of": 2}
_MON = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|wk|month|mo|year|yr)s?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("mdy", re.compile(r"\b(?P<m>\d{1,2})[/.-](?P<d>\d{1,2})[/.-](?P<y>(?:19|20)?\d\d)\b")),
    ("dmony", re.compile(r"\b(?P<d>\d{1,2})[- ]" + _MON + r"[- ],?\s*(?P<y>(?:19|20)?\d\d)\b", re.I)),
    ("mondy", re.compile(r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("mond", re.compile(r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?![/\d])", re.I)),
    ("mony", re.compile(r"\b(?P<q>(?:early|mid|late)[- ])?" + _MON + r",?\s+(?:of\s+)?(?P<y>(?:19|20)\d\d)\b", re.I)),
    ("my", re.compile(r"\b(?P<m>\d{1,2})/(?P<y>(?:19|20)\d\d)\b")),
    ("md", re.compile(r"(?<![\d/])\b(?P<m>\d{1,2})/(?P<d>\d{1,2})\b(?![/\d%])")),
    ("mon", re.compile(r"\b(?:in|since|during|of|from|until|through|by|early|mid|late|last|this past)[- ]+(?P<q>(?:early|mid|late)[- ])?"
                       + _MON + r"\b(?!\s+\d)", re.I)),
    ("rel", re.compile(_NUM + r"\s+" + _UNIT + r"\s+(?P<dir>ago|later|prior|before|earlier|after(?:wards)?)\b", re.I)),
    ("rel_in", re.compile(r"\bin\s+" + _NUM + r"\s+" + _UNIT + r"\b(?!\s+(?:ago|prior|before))", re.I)),
    ("last", re.compile(r"\b(?P<dir>last|past|previous|next)\s+(?P<unit>week|month|year)\b", re.I)),
    ("day", re.compile(r"\b(?P<word>today|yesterday|tomorrow)\b", re.I)),
    ("year", re.compile(r"\b(?:in|since|quit|until|from|during)\s+(?P<y>(?:19|20)\d\d)\b(?![/-])", re.I)),
]

_DIGIT = re.compile(r"\d")
#: (kind, pattern, every match holds a digit, words one of which every match holds), from the parsed patterns
_RULED_OUT_BY = [(kind, pattern, requires_digit(pattern.pattern, pattern.flags),
                  needed_words([(pattern.pattern, pattern.flags)]))
                 for kind, pattern in _PATTERNS]


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: dt.date
    approximate: bool = False
    relative: bool = False


def find_dates(text: str, anchor: dt.date | None = None) -> list[DateMention]:
    """Every date mention in `text`, left to right, without overlaps (the longest wins)."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    digits = _DIGIT.search(text) is not None
    lowered = lowered_for_words(text)
    for kind, pattern, needs_digit, words in _RULED_OUT_BY:
        if (needs_digit and not digits) or lacks_all(lowered, words):
            continue  # most sentences hold no digit and few date words: a pattern that needs them finds nothing
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            mention = _interpret(kind, m, anchor)
            if mention is not None:
                found.append(mention)
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def parse_date(text: str, anchor: dt.date | None = None) -> dt.date | None:
    """The first date in `text`, or None."""
    mentions = find_dates(text, anchor)
    return mentions[0].date if mentions else None


def _year(raw: str) -> int:
    y = int(raw)
    return y + 2000 if y < 100 and y < 70 else (y + 1900 if y < 100 else y)


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _before_anchor(month: int, day: int, anchor: dt.date | None) -> dt.date | None:
    """A month/day without a year: the latest such date not after the anchor."""
    if anchor is None:
        return None
    date = _safe(anchor.year, month, day)
    if date and date > anchor + dt.timedelta(days=31):
        date = _safe(anchor.year - 1, month, day)
    return date


def _shift(anchor: dt.date, n: int, unit: str, sign: int) -> dt.date:
    unit = unit.lower()
    if unit.startswith("d"):
        return anchor + dt.timedelta(days=sign * n)
    if unit.startswith("w"):
        return anchor + dt.timedelta(weeks=sign * n)
    months = n * (12 if unit.startswith("y") else 1) * sign
    y, m = divmod(anchor.month - 1 + months, 12)
    return _safe(anchor.year + y, m + 1, min(anchor.day, calendar.monthrange(anchor.year + y, m + 1)[1])) or anchor


def _number(raw: str) -> int:
    raw = regex_lower(raw)
    return int(raw) if raw.isdigit() else NUMBER_WORDS[raw]


def _interpret(kind: str, m: re.Match[str], anchor: dt.date | None) -> DateMention | None:
    g = m.groupdict()
    date: dt.date | None
    approx = relative = False
    if kind in ("iso", "mdy"):
        date = _safe(_year(g["y"]), int(g["m"]), int(g["d"]))
    elif kind in ("dmony", "mondy"):
        date = _safe(_year(g["y"]), MONTHS[regex_lower(g["mon"])], int(g["d"]))
    elif kind == "mond":
        date = _before_anchor(MONTHS[regex_lower(g["mon"])], int(g["d"]), anchor)
    elif kind == "mony":
        date, approx = _safe(int(g["y"]), MONTHS[regex_lower(g["mon"])], _quarter_day(g.get("q"))), True
    elif kind == "my":
        date, approx = _safe(int(g["y"]), int(g["m"]), 1), True
    elif kind == "md":
        if not (1 <= int(g["m"]) <= 12 and 1 <= int(g["d"]) <= 31) or _is_score(m) or _is_quantity(m):
            return None
        date = _before_anchor(int(g["m"]), int(g["d"]), anchor)
    elif kind == "mon":
        month_start = _before_anchor(MONTHS[regex_lower(g["mon"])], 1, anchor)
        if month_start and anchor and re.match(r"(?:last|this past)\b", m.group(0), re.I) and \
                month_start > anchor.replace(day=1) - dt.timedelta(days=1):
            month_start = month_start.replace(year=month_start.year - 1)  # "last October" is a past October
        date = month_start.replace(day=_quarter_day(g.get("q") or _leading_q(m))) if month_start else None
        approx = True
    elif kind in ("rel", "rel_in", "last", "day"):
        date, relative = _relative(kind, g, anchor), True
        approx = kind == "last" or (kind != "day" and g.get("unit", "").lower()[:1] in ("m", "y"))
    else:  # "year": a year alone is January 1st
        date, approx = _safe(int(g["y"]), 1, 1), True
    if date is None:
        return None
    return DateMention(m.start(), m.end(), date, approx, relative)


_SCORE_CONTEXT = re.compile(r"(pain|score|vas|nrs|rated?|level|pre|post|min|\bh|hrs?|hours?|baseline|/10)\W*$", re.I)


_SCORE_PAIR = re.compile(r"/\s*10\s*(?:to|->|→|-|and|then)\s*$", re.I)  # "from 8/10 to 2/10"


# A fraction of a quantity ("1/2 pack per day", "3/4 of a pack", "1/2 tab", "1/4 mile"): no date.
_QUANTITY_AFTER = re.compile(
    r"\s*(?:of an? |of the )?(?:packs?|ppd|ppw|pk|cigarettes?|cigs?|cigars?|tabs?|tablets?|pills?|caps(?:ules)?|"
    r"mg|mcg|ml|cc|cups?|glass(?:es)?|drinks?|beers?|bottles?|miles?|inch(?:es)?|hours?|hrs?|"
    r"doses?|patch(?:es)?|teaspoons?|tsp|tablespoons?|tbsp)\b", re.I)


def _is_quantity(m: re.Match[str]) -> bool:
    """'1/2 pack per day' is half a pack, not January 2nd."""
    return bool(_QUANTITY_AFTER.match(m.string, m.end()))


def _is_score(m: re.Match[str]) -> bool:
    """'8/10' after pain words or before 'pain' is a pain score, not August 10th."""
    if m.group("d") != "10":
        return False
    before = m.string[max(0, m.start() - 25):m.start()]
    after = m.string[m.end():m.end() + 12].lower()
    return bool(_SCORE_CONTEXT.search(before.rstrip(" :=-(,")) or _SCORE_CONTEXT.search(before)
                or _SCORE_PAIR.search(before)) \
        or after.lstrip(" ,").startswith(("pain", "on ", "at ", "->", "to ")) or after.startswith((" to", ",", " ->"))


def _leading_q(m: re.Match[str]) -> str | None:
    word = m.group(0).split()[0].split("-")[0].lower()
    return word + " " if word in ("early", "mid", "late") else None


def _quarter_day(q: str | None) -> int:
    if not q:
        return 1
    return {"early": 1, "mid": 15, "late": 25}[regex_lower(q.strip(" -"))]


def _relative(kind: str, g: dict, anchor: dt.date | None) -> dt.date | None:
    if anchor is None:
        return None
    if kind == "day":
        return anchor + dt.timedelta(days={"today": 0, "yesterday": -1, "tomorrow": 1}[regex_lower(g["word"])])
    if kind == "last":
        sign = 1 if g["dir"].lower() == "next" else -1
        return _shift(anchor, 1, g["unit"], sign)
    sign = -1 if kind == "rel" and g["dir"].lower() in ("ago", "prior", "before", "earlier") else 1
    return _shift(anchor, _number(g["n"]), g["unit"], sign)
