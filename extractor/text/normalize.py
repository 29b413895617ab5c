"""Text clean-up before NLP, with an exact offset map back to the original text.

`normalize` runs a fixed sequence of passes; each pass rewrites the text and records, for
every output character, the index of the input character it came from (a numpy int array).
Composing the passes gives one map from the cleaned text into the original, so evidence
offsets always point into the document text. Characters are only ever deleted, replaced
one-for-one or expanded (a ligature into its letters), never moved, so the map is
non-decreasing and every character that is kept unchanged maps to the identical original.

Two passes depend on how a whole document is typed (`TextStyle`, decided once per document by
`text_style` so every note of it is read alike; a lone note decides for itself): a document with
every word gap doubled has its gaps halved, and a caseless one (no capitals at all, as some EHR
exports and hurried typists give) is read in capitals, since an all-capitals note is a form the
rules already read (fax and legacy printouts) while a lower-case one loses every cue that capitals
give ("R SIJ", "PT", "ASSESSMENT:"). `document_view` gives the same view of a whole document for
note segmentation.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

# one character -> one character (the map is unchanged)
_ONE_FOR_ONE = str.maketrans({
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u205f": " ", "\u3000": " ", "\u1680": " ",
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"', "\u201f": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\f": "\n", "\v": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\u0085": "\n",
})
#: the one-for-one replacements that keep every line break as it is (for `document_view`)
_VIEW_ONE_FOR_ONE = {k: v for k, v in _ONE_FOR_ONE.items() if v != "\n"}
LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
             "\ufb05": "st", "\ufb06": "st", "\u0132": "IJ", "\u0133": "ij", "\u0152": "OE", "\u0153": "oe"}
# NUL and other C0/C1 controls (not tab/newline), lone surrogates, zero-width and soft hyphens
_DELETE = re.compile(r"\r(?=\n)|[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff"
                     r"\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u034f\u061c\u180e\ufffe\uffff]")
_LIGATURE = re.compile("[" + "".join(LIGATURES) + "]")
_HYPHEN_BREAK = re.compile(r"(?<=\w)-\n[ \t]*(?=\w)")
_WORD_BEFORE = re.compile(r"[^\W\d_]+$")
_WORD_AFTER = re.compile(r"[^\W\d_]*")
#: words whose line-end hyphen is part of a compound ("non-\nsmoker" -> "non-smoker", not "nonsmoker")
COMPOUND_PREFIXES = frozenset({"non", "ex", "self", "well", "half", "semi", "anti", "multi", "follow", "left", "right",
                               "long", "short", "full", "part", "low", "high", "one", "two", "three", "four", "six",
                               "pack", "year", "week", "month", "day", "sacro", "post", "pre", "x"})
_DIGITS = re.compile(r"\d+")
_SPACE_RUN = re.compile(r"(?<=\S) +(?=\S)")
#: a note whose word gaps are this share even runs of spaces (and has this many gaps) is double-spaced
DOUBLED_SHARE = 0.8
MIN_DOUBLED_GAPS = 20
_SPACES = re.compile(r"\s+")
#: a text is caseless when fewer than this share of its letters are capitals (and it has this many letters)
CASELESS_SHARE = 0.01
MIN_CASELESS_LETTERS = 40

# line shapes that a line break must be kept before (or after)
# (a single capital with a period is a side or an initial wrapped to the line start: "FABER (+)\nR. ...")
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25cf\u25aa\u25e6\u2023\u00b7o>]\s|\d{1,2}[.)]\s|[a-z][.)]\s|[A-Z]\)\s|\(\w{1,2}\)\s)")
_CHECKBOX = re.compile(r"^\s*(?:\[[ xX\u2713\u2714]?\]|\([ xX]?\)|[\u2610\u2611\u2612\u25a1\u25a0])")
_LABEL = re.compile(r"^\s*[A-Z][A-Za-z0-9/&(),' -]{0,40}:(?:\s|$)")
_TABLE_ROW = re.compile(r"\t|\S {3,}\S|\||\.{4,}")  # tab, column gap, pipe, dot leaders ("FABER ...... positive")
_CHECKBOX_END = re.compile(r"(?:\[[ xX\u2713\u2714]?\]|[\u2610\u2611\u2612])$")
_INLINE_LABEL_END = re.compile(r"[.;,]\s+[A-Za-z][\w'/ -]{0,30}:$")
#: an all-capitals line this share of the typical full line or longer is wrapped text, not a heading
HEADING_SHARE = 0.8
_SENTENCE_END = re.compile(r"[.!?:;]['\")\]]?\s*$")


@dataclass(frozen=True)
class TextStyle:
    """How a whole document is typed (see the module docstring)."""

    doubled: bool = False   # every word gap doubled ("left  SI  joint")
    caseless: bool = False  # no capitals ("r sij tender, faber (+)")


def text_style(text: str) -> TextStyle:
    """The style of `text`: doubled word gaps (DOUBLED_SHARE of at least MIN_DOUBLED_GAPS gaps are even runs
    of spaces) and caselessness (under CASELESS_SHARE of at least MIN_CASELESS_LETTERS letters are capitals)."""
    runs = [len(m.group()) for m in _SPACE_RUN.finditer(text)]
    doubled = len(runs) >= MIN_DOUBLED_GAPS and sum(n % 2 == 0 for n in runs) >= DOUBLED_SHARE * len(runs)
    letters = sum(map(str.isalpha, text))
    upper = sum(map(str.isupper, text))
    caseless = letters >= MIN_CASELESS_LETTERS and upper < CASELESS_SHARE * letters
    return TextStyle(doubled, caseless)


@dataclass
class NormalizedText:
    """Cleaned text and, for each of its characters, the index of its source in the original."""

    text: str
    offsets: np.ndarray  # int64, len(text); non-decreasing
    original_length: int

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """[start, end) of the cleaned text as offsets into the original text (clamped)."""
        n = len(self.text)
        start = min(max(start, 0), n)
        end = min(max(end, start), n)
        s = int(self.offsets[start]) if start < n else self.original_length
        e = int(self.offsets[end - 1]) + 1 if end > start else s
        return s, max(s, e)


def line_key(line: str) -> str:
    """A line compared across pages: digits masked, spacing collapsed, case folded."""
    cleaned = line if line.isprintable() else "".join(ch for ch in line if ch.isprintable())
    return _SPACES.sub(" ", _DIGITS.sub("#", cleaned)).strip().casefold()


def normalize(text: str, drop_lines: frozenset[str] = frozenset(), style: TextStyle | None = None) -> NormalizedText:
    """Clean `text` for NLP; see the module docstring for what the offset map guarantees. `style` is
    the style of the document `text` comes from (default: the style of `text` itself)."""
    return _run(text, _passes(drop_lines, style))


def document_view(text: str, style: TextStyle | None = None) -> NormalizedText:
    """`text` as note segmentation reads it: invisible characters (zero-width, soft hyphens, controls)
    deleted, odd spaces, quotes and dashes made plain, the style passes applied (gaps halved, capitals
    for a caseless text) and words broken across lines joined ("CONTR-\nAST"). Other line breaks, form
    feeds and line starts stay as they are, so lines and pages read as in the original."""
    style = text_style(text) if style is None else style
    return _run(text, [lambda t: _substitute(t, _DELETE, lambda m: ""), lambda t: (t.translate(_VIEW_ONE_FOR_ONE), None),
                       *_style_passes(style), lambda t: _substitute(t, _HYPHEN_BREAK, _join_hyphenated)])


def visible(text: str) -> str:
    """`text` without its invisible characters (what `_DELETE` removes)."""
    return _DELETE.sub("", text)


Pass = Callable[[str], "tuple[str, np.ndarray | None]"]


def _run(text: str, passes: list[Pass]) -> NormalizedText:
    offsets = np.arange(len(text), dtype=np.int64)
    current = text
    for step in passes:
        current, index = step(current)
        if index is not None:
            offsets = offsets[index]
    return NormalizedText(current, offsets, len(text))


def _passes(drop_lines: frozenset[str], style: TextStyle | None) -> list[Pass]:
    return [
        lambda t: _substitute(t, _DELETE, lambda m: ""),
        lambda t: _drop_lines(t, drop_lines),  # before form feeds become line breaks
        lambda t: (t.translate(_ONE_FOR_ONE), None),
        lambda t: _substitute(t, _LIGATURE, lambda m: LIGATURES[m.group()]),
        *_style_passes(style),
        lambda t: _substitute(t, _HYPHEN_BREAK, _join_hyphenated),
        _unwrap_lines,
    ]


def _style_passes(style: TextStyle | None) -> list[Pass]:
    """The passes `style` calls for; with no style, each pass decides from the text it is given."""
    if style is None:
        return [_undouble_spaces, _capitals]
    passes: list[Pass] = []
    if style.doubled:
        passes.append(lambda t: _undouble_spaces(t, check=False))
    if style.caseless:
        passes.append(lambda t: _capitals(t, check=False))
    return passes


def _undouble_spaces(text: str, check: bool = True) -> tuple[str, np.ndarray | None]:
    """A note typed or exported with every word gap doubled ("left  SI  joint") gets each gap halved, so
    its gaps read as words apart, not as the columns of a table (3+ spaces) or flattened labels (2+)."""
    if check and not text_style(text).doubled:
        return text, None
    return _substitute(text, _SPACE_RUN, lambda m: m.group()[:(len(m.group()) + 1) // 2])


def _capitals(text: str, check: bool = True) -> tuple[str, np.ndarray | None]:
    """A caseless text in capitals, one character for one (a letter whose capital is longer, "\u00df", stays)."""
    if check and not text_style(text).caseless:
        return text, None
    upper = text.upper()
    if len(upper) == len(text):
        return upper, None
    return "".join(u if len(u := ch.upper()) == 1 else ch for ch in text), None


def _join_hyphenated(m: re.Match[str]) -> str | None:
    """A word broken across lines: "radio-\ngraph" -> "radiograph", "CONTR-\nAST" -> "CONTRAST", "non-\nsmoker" ->
    "non-smoker", "L4-\n5" -> "L4-5"; anything else (a dash ending a list line) is left alone."""
    before, after = m.string[m.start() - 1], m.string[m.end()]
    if before.isdigit() and after.isdigit():
        return "-"
    word = _WORD_BEFORE.search(m.string, max(0, m.start() - 30), m.start())
    if word is None or not (after.islower() or word.group().isupper() and _WORD_AFTER.match(m.string, m.end()).group().isupper()):
        return None  # a word goes on in its own case: "radio-\ngraph", "CONTR-\nAST" (not "Follow-\nUp" titles)
    if word.group().lower() in COMPOUND_PREFIXES:
        return "-"
    return "" if len(word.group()) >= 2 else None


def _substitute(text: str, pattern: re.Pattern[str],
                repl: Callable[[re.Match[str]], str | None]) -> tuple[str, np.ndarray | None]:
    """Replace each match (a None replacement leaves it as it is); replacement characters map to
    the first character of their match, which is the original hyphen for the "-" kept above."""
    parts: list[str] = []
    index: list[np.ndarray] = []
    pos = 0
    for m in pattern.finditer(text):
        new = repl(m)
        if new is None:
            continue
        s, e = m.span()
        if s > pos:
            parts.append(text[pos:s])
            index.append(np.arange(pos, s, dtype=np.int64))
        if new:
            parts.append(new)
            index.append(np.full(len(new), s, dtype=np.int64))
        pos = e
    if not parts and pos == 0:
        return text, None
    if pos < len(text):
        parts.append(text[pos:])
        index.append(np.arange(pos, len(text), dtype=np.int64))
    return "".join(parts), (np.concatenate(index) if index else np.empty(0, dtype=np.int64))


_PAGE_LINE = re.compile(r"[^\n\f]+")


def _drop_lines(text: str, drop_lines: frozenset[str]) -> tuple[str, np.ndarray | None]:
    """Delete repeated header/footer lines with one line break or form feed of theirs, so the lines around
    them meet as if they were never printed ("... (R):" above a fax header, "Thigh thrust ... positive"
    below it), parted by one break."""
    if not drop_lines:
        return text, None
    keep = np.ones(len(text), dtype=bool)
    found = False
    for m in _PAGE_LINE.finditer(text):
        if line_key(m.group()) not in drop_lines:
            continue
        start, end = m.span()
        if end < len(text):
            end += 1 + (text[end] == "\n" and text[end + 1:end + 2] == "\f")  # its break ("\n\f": both)
        elif start and text[start - 1] == "\f" and text[start - 2:start - 1] == "\n":
            start -= 1
        if start >= 2 and text[start - 2:start] == "\n\f":
            start -= 1  # a page seam "\n\f" above it: one break is enough
        keep[start:end] = False
        found = True
    if not found:
        return text, None
    index = np.flatnonzero(keep)
    bounds = np.flatnonzero(np.diff(np.concatenate(([0], keep.view(np.int8), [0]))))  # kept runs [a, b)
    return "".join(text[a:b] for a, b in zip(bounds[::2], bounds[1::2])), index


def _unwrap_lines(text: str) -> tuple[str, np.ndarray | None]:
    """A line break inside a sentence becomes a space (one-for-one, so the map is unchanged)."""
    lines = text.split("\n")
    if len(lines) < 2:
        return text, None
    width = _wrap_width(lines)
    capitals = not any(ch.islower() for ch in text)  # every line looks like a heading: case tells nothing
    chars = list(text)
    pos = 0
    for prev, nxt in pairwise(lines):
        pos += len(prev)
        if _joins(prev, nxt, width, capitals):
            chars[pos] = " "
        pos += 1
    return "".join(chars), None


def _wrap_width(lines: list[str]) -> int:
    """Typical length of a full line: the 90th percentile of non-blank line lengths."""
    lengths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    return lengths[int(0.9 * (len(lengths) - 1))] if lengths else 0


def _is_heading(line: str, width: int) -> bool:
    """An all-capitals line of a word or more ("ASSESSMENT"), not a lone side letter ("R."), nor a capitals
    sentence (it ends with a period) or a full line of one wrapped (HEADING_SHARE of the width or more)."""
    return (line.isupper() and sum(c.isalpha() for c in line) >= 2 and not line.endswith((".", "!", "?"))
            and len(line) < HEADING_SHARE * width)


def _wrapped_row(p: str, n: str) -> bool:
    """A template row broken across lines: a pipe-table row not yet closed ("| PT | 03/2025 (11" then
    "visits) | no change |"), or a checkbox whose label went to the next line ("[X] PT   [X]" then "Chiropractic")."""
    if p.startswith("|") and not p.endswith("|"):
        return not n.startswith("|") and n.endswith("|")
    return bool(_CHECKBOX_END.search(p)) and not _CHECKBOX.match(n)


def _cell_goes_on(prev: str, nxt: str, width: int) -> bool:
    """A table row goes on on the next line, whatever ends it: its last cell in lower case on a line of no
    cells ("MRI L-spine | 02/24/2026 | Mild disc desiccation;" then "no stenosis or neural compression."),
    or a full-width row wrapped into an indented line of its further cells ("05-Jan-2026  R  diagnostic" then
    "        yes  yes       8    1")."""
    p, n = prev.strip(), nxt.strip()
    if not _TABLE_ROW.search(p) or p.endswith("|"):
        return False
    if not _TABLE_ROW.search(n) and n[0].islower():
        return True
    deeper = len(nxt) - len(nxt.lstrip(" ")) >= max(2, len(prev) - len(prev.lstrip(" ")) + 2)  # not the next row
    return deeper and len(prev) >= HEADING_SHARE * width and not _BULLET.match(nxt) and not _CHECKBOX.match(nxt)


def _joins(prev: str, nxt: str, width: int, capitals: bool = False) -> bool:
    """Whether the break between `prev` and `nxt` is a wrap in the middle of a sentence. In a text all in
    `capitals` no line tells a heading by its case: a full-width line without a sentence end wraps."""
    p, n = prev.strip(), nxt.strip()
    if not p or not n:
        return False
    if _cell_goes_on(prev, nxt, width):
        return True
    if _SENTENCE_END.search(p) and not (_INLINE_LABEL_END.search(p) and len(p) >= max(0.6 * width, 30)):
        return False  # a full line of inline fields may wrap after a label ("... Distraction: pos. Gaenslen:" + "pos R.")
    if _BULLET.match(nxt) or _CHECKBOX.match(nxt) or _LABEL.match(nxt):
        return False
    if _wrapped_row(p, n):
        return True
    if _TABLE_ROW.search(p) or _TABLE_ROW.search(n) or _is_heading(p, width) or not capitals and _is_heading(n, width):
        return False
    if n[0].islower():
        return True
    return len(p) >= max(0.6 * width, 30)
