"""Words a regex cannot match without: a cheap test that rules a regex out before it scans a text.

`required_words(pattern, flags)` reads from the parsed regex a few lower-case literal words one of
which every match contains (`\\b(?:degenerative\\s+)?sacroiliitis\\b` -> ("sacroiliitis",)); when none
of them is in `lowered_for_words(text)`, the regex has no match in the text. Used by the regex
matchers of the pipeline (extractor/nlp/matching.py) and the vocabularies of the fact modules.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from re import _constants as sre
from re import _parser as sre_parse

#: a regex is checked for its words first only when it has at most this many (one substring test each)
MAX_REQUIRED_WORDS = 6
#: letters an IGNORECASE regex matches to an ASCII letter that str.lower() does not map to one
_CASE_FOLD_ODDITIES = re.compile("[\u0130\u0131\u017f]")


#: what a case-insensitive regex also matches to an ASCII letter, where str.lower() gives something else
_REGEX_FOLD = str.maketrans({"\u017f": "s", "\u0131": "i", "\u0130": "i", "\u212a": "k"})


def regex_lower(text: str) -> str:
    """`text` lower-cased as a case-insensitive regex compares it ("ſix" -> "six", "APRİL" -> "april"):
    for looking up a matched word in a table of lower-case words."""
    return text.translate(_REGEX_FOLD).lower()


def lowered_for_words(text: str) -> str | None:
    """The text to look for required words in (lower-cased), or None when the word test cannot be used."""
    return None if _CASE_FOLD_ODDITIES.search(text) else text.lower()


@lru_cache(maxsize=4096)
def required_words(pattern: str, flags: int, limit: int | None = MAX_REQUIRED_WORDS) -> tuple[str, ...] | None:
    """Lower-case ASCII words, one of which every match of the regex contains (None: not known, or more
    than `limit`). Only literal characters the regex must match in a row count."""
    try:
        words = _required(sre_parse.parse(pattern, flags))
    except (re.error, RecursionError):
        return None
    return tuple(sorted(words)) if words and (limit is None or len(words) <= limit) else None


def needed_words(patterns: Iterable[tuple[str, int]]) -> tuple[str, ...] | None:
    """Words one of which every match of any of the regexes `(pattern, flags)` holds, however many
    (None: a regex names no such words). A word holding another of them is left out: the shorter one
    is found anyway."""
    per_pattern = [required_words(pattern, flags, None) for pattern, flags in patterns]
    if not per_pattern or not all(per_pattern):
        return None
    words = set().union(*per_pattern)
    return tuple(sorted(w for w in words if not any(u != w and u in w for u in words)))


def lacks_all(lowered: str | None, words: tuple[str, ...] | None) -> bool:
    """The text (`lowered_for_words` of it) holds none of `words`, so a regex needing one cannot match
    there. False when that is not known: no words, or a text the word test cannot read."""
    return bool(words) and lowered is not None and not any(map(lowered.__contains__, words))


@lru_cache(maxsize=256)
def requires_digit(pattern: str, flags: int) -> bool:
    """Every match of the regex holds a digit (`\\d` or a literal 0-9): a text without one has no match."""
    try:
        return _needs_digit(sre_parse.parse(pattern, flags))
    except (re.error, RecursionError):
        return False


def _needs_digit(sequence) -> bool:
    for op, arg in sequence:
        if op is sre.LITERAL and 48 <= arg <= 57:
            return True
        if op is sre.IN and arg and all(o is sre.CATEGORY and a is sre.CATEGORY_DIGIT or
                                        o is sre.LITERAL and 48 <= a <= 57 or
                                        o is sre.RANGE and 48 <= a[0] <= a[1] <= 57 for o, a in arg):
            return True
        if op is sre.SUBPATTERN and _needs_digit(arg[-1]):
            return True
        if op is sre.BRANCH and all(_needs_digit(branch) for branch in arg[1]):
            return True
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1 and _needs_digit(arg[2]):
            return True
    return False


def _required(sequence) -> set[str] | None:
    """Of the word sets each item of the sequence must contain, the one with the longest shortest word."""
    best: set[str] | None = None
    run: list[str] = []

    def consider(words: set[str] | None) -> None:
        nonlocal best
        if words and all(words) and (best is None or (min(map(len, words)), -len(words)) >
                                     (min(map(len, best)), -len(best))):
            best = words

    for op, arg in list(sequence) + [(None, None)]:
        if op is sre.LITERAL and arg < 128:
            run.append(chr(arg).lower())
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is sre.SUBPATTERN:
            consider(_required(arg[-1]))
        elif op is sre.BRANCH:
            branches = [_required(branch) for branch in arg[1]]
            if all(branches):
                consider(set().union(*branches))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            consider(_required(arg[2]))
    return best
