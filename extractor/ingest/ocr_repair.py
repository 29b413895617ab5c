"""OCR-aware repair of clinical words before NLP, only in OCR text and only into known words.

OCR confuses 0/O, 1/l/I, rn/m, cl/d, vv/w, splits words ("FA BER") and leaves hyphens inside
words ("Gaens-len"). A token is repaired only when it is not a known word and exactly one repair
makes it one; known words are the literals of the project's own rule files
(`extractor/rules/*.json`) and `extractor/rules/ocr_vocabulary.json`. Numbers are never touched:
a token needs three letters, more letters than digits, and no percent sign, slash, colon or
decimal point next to it (so "10O%", "1O/12/2025", "S1" stay as read).

The repair is one more pass over a note's `NormalizedText`: its offset map is composed, so
evidence offsets still point into the OCR text of the document (the quote shows what was read).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from extractor.text.normalize import COMPOUND_PREFIXES, NormalizedText

_TOKEN = re.compile(r"[A-Za-z0-9|!]+")
_SIGN = re.compile(r"[({\[][+-][)}\]]")
#: a closing quote stuck to a word, with no opening quote before it on its line: a speck read as a quote
_STRAY_QUOTE = re.compile(r"(?<=[A-Za-z])[\u201d\"](?=[ \t]|$)", re.MULTILINE)
_WORD = re.compile(r"[a-z]{3,}")
_SPLIT = re.compile(r"\b([A-Za-z]{1,12})( )([A-Za-z]{1,12})\b")
_HYPHENATED = re.compile(r"\b([A-Za-z]{2,12})(- ?)([a-z]{2,12})\b")
#: one-character confusions (read -> meant) and multi-character ones
_SINGLE = {"0": "o", "1": "li", "|": "li", "!": "il", "l": "i", "I": "l", "i": "l", "5": "s", "8": "b"}
_MULTI = {"rn": "m", "m": "rn", "cl": "d", "vv": "w", "ii": "u", "!i": "i", "i!": "i", "!l": "i", "l!": "i"}
#: a side letter run into the word before it: "FABERR" -> "FABER R"
_SIDE_RUN_IN = re.compile(r"\b([A-Z]{4,})([LR])\b")
_NUMBER_NEIGHBOURS = set("%/:.,")
_CONFUSABLE = set("lI|0158")
MIN_LETTERS = 3


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Lower-case words of three letters or more in the rule files' literals and the OCR vocabulary."""
    words: set[str] = set()
    for entry in resources.files("extractor").joinpath("rules").iterdir():
        if entry.name.endswith(".json"):
            _collect(json.loads(entry.read_text(encoding="utf-8")), words)
    return frozenset(words)


@lru_cache(maxsize=1)
def short_words() -> frozenset[str]:
    """Two-letter words OCR repair may spell a token into (`short_words` of ocr_vocabulary.json)."""
    path = resources.files("extractor").joinpath("rules", "ocr_vocabulary.json")
    return frozenset(w.lower() for w in json.loads(path.read_text(encoding="utf-8")).get("short_words", []))


def _collect(node: Any, words: set[str]) -> None:
    if isinstance(node, str):
        words.update(_WORD.findall(node.lower()))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key != "description":
                _collect(value, words)
    elif isinstance(node, list):
        for value in node:
            _collect(value, words)


def repair_ocr_note(norm: NormalizedText, source: Any, base: int) -> NormalizedText:
    """`norm` (a note's normalized text starting at `base` in `source.text`) with the OCR confusions
    of its OCR characters repaired; unchanged when the note holds no OCR text."""
    ocr = getattr(source, "ocr", None)
    if ocr is None or ocr.char_confidence is None or not len(norm.text):
        return norm
    from_ocr = ~np.isnan(ocr.char_confidence[norm.offsets + base])
    if not from_ocr.any():
        return norm
    text, index = repair_text(norm.text, from_ocr)
    if index is None:
        return norm
    return NormalizedText(text, norm.offsets[index], norm.original_length)


def repair_text(text: str, from_ocr: np.ndarray | None = None,
                vocab: frozenset[str] | None = None) -> tuple[str, np.ndarray | None]:
    """Repaired text and, per output character, the index of its source character (None: no change)."""
    vocab = vocabulary() if vocab is None else vocab
    edits = (_joins(text, vocab) + _side_run_ins(text, vocab) + _token_edits(text, vocab) + _signs(text)
             + _stray_quotes(text))
    if from_ocr is not None:
        edits = [e for e in edits if from_ocr[e[0]:e[1]].all()]
    if not edits:
        return text, None
    parts: list[str] = []
    index: list[np.ndarray] = []
    pos = 0
    for start, end, new in sorted(edits):
        if start < pos:  # overlapping edits: the first wins
            continue
        parts.append(text[pos:start])
        index.append(np.arange(pos, start, dtype=np.int64))
        parts.append(new)
        index.append(_spread(start, end, len(new)))
        pos = end
    parts.append(text[pos:])
    index.append(np.arange(pos, len(text), dtype=np.int64))
    return "".join(parts), np.concatenate(index)


def _spread(start: int, end: int, count: int) -> np.ndarray:
    """Source indices for `count` new characters standing for [start, end): first -> start, last -> end-1."""
    if count <= 1:
        return np.full(count, start, dtype=np.int64)
    return start + np.rint(np.arange(count) * (end - 1 - start) / (count - 1)).astype(np.int64)


def _joins(text: str, vocab: frozenset[str]) -> list[tuple[int, int, str]]:
    """A known word split by a space ("FA BER") or broken by a hyphen ("Gaens-len"), neither part a known
    word ("Follow up" stays)."""
    edits = []
    for pattern in (_SPLIT, _HYPHENATED):
        for m in pattern.finditer(text):
            left, right = m.group(1), m.group(3)
            joined = left + right
            if pattern is _HYPHENATED and left.lower() in COMPOUND_PREFIXES:
                continue  # "non-radiating" is a compound, not a broken word
            if joined.lower() in vocab and left.lower() not in vocab and right.lower() not in vocab:
                edits.append((m.start(), m.end(), joined))
    return edits


def _side_run_ins(text: str, vocab: frozenset[str]) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), f"{m.group(1)} {m.group(2)}") for m in _SIDE_RUN_IN.finditer(text)
            if m.group(1).lower() in vocab and m.group().lower() not in vocab]


def _stray_quotes(text: str) -> list[tuple[int, int, str]]:
    edits = []
    for m in _STRAY_QUOTE.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not any(q in text[line_start:m.start()] for q in ('"', "\u201c")):
            edits.append((m.start(), m.end(), ""))
    return edits


def _signs(text: str) -> list[tuple[int, int, str]]:
    """"(-}", "{+)", "[-)" -> "(-)", "(+)": the exam's sign in parentheses, one character for one."""
    return [(m.start(), m.end(), f"({m.group()[1]})") for m in _SIGN.finditer(text) if m.group()[::2] != "()"]


def _token_edits(text: str, vocab: frozenset[str]) -> list[tuple[int, int, str]]:
    edits = []
    short = short_words()
    for m in _TOKEN.finditer(text):
        token = m.group()
        if len(token) == 2 and all(ch.isalpha() or ch in "!|" for ch in token) and token.lower() not in short:
            fixed = {c for c in _variants(token, depth=1) if c in short and len(c) == 2}
            if len(fixed) == 1:  # "Sl joint" -> "SI joint": two-letter words only from their own short list
                edits.append((m.start(), m.end(), fixed.pop().upper()))  # abbreviations: SI, IA
            continue
        if token.lower() in vocab or not _repairable(text, m.start(), m.end()):
            continue
        # a short word only by a one-for-one swap ("SlJ" -> "SIJ", never "clay" -> "day")
        candidates = {c for c in _variants(token) if c in vocab and (len(c) > 3 or len(c) == len(token) or "!" in token)}
        if len({c.lower() for c in candidates}) == 1:
            edits.append((m.start(), m.end(), _cased(token, candidates.pop())))
    return edits


def _repairable(text: str, start: int, end: int) -> bool:
    token = text[start:end]
    letters = sum(ch.isalpha() or ch in "!|" for ch in token)
    digits = sum(ch.isdigit() for ch in token)
    if letters < MIN_LETTERS or digits >= letters:
        return False
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (digits and (before in _NUMBER_NEIGHBOURS or after in _NUMBER_NEIGHBOURS))


def _variants(token: str, depth: int = 2) -> set[str]:
    """Spellings reachable with up to `depth` confusion swaps (lower-cased)."""
    frontier = {token}
    seen: set[str] = set()
    for _ in range(depth):
        nxt = set()
        for word in frontier:
            nxt.update(_one_swap(word))
        nxt -= seen
        seen |= nxt
        frontier = nxt
    return {w.lower() for w in seen}


def _one_swap(word: str) -> set[str]:
    out = set()
    for i, ch in enumerate(word):
        for meant in _SINGLE.get(ch, ""):
            out.add(word[:i] + meant + word[i + 1:])
    lower = word.lower()
    for read, meant in _MULTI.items():
        start = lower.find(read)
        while start >= 0:
            out.add(lower[:start] + meant + lower[start + len(read):])
            start = lower.find(read, start + 1)
    return out


def _cased(token: str, word: str) -> str:
    """`word` in the letter case of the token it replaces (ALL CAPS, Capitalised or lower)."""
    letters = [ch for ch in token if ch.isalpha()]
    steady = [ch for ch in letters if ch not in _CONFUSABLE]  # "SlJ": the S and J say it is upper case
    if len(letters) > 1 and steady and all(ch.isupper() for ch in steady):
        return word.upper()
    if token[0].isupper() or token[0] == "0":  # a zero reads as a capital O, a one as a small l
        return word.capitalize()
    return word.lower()
