"""Perturbation robustness on an annotated corpus (issue 9): F1 change per perturbation family.

    .venv/bin/python benchmarks/perturb.py [corpora/sij] [--family NAME ...] [--seed 0]

Each family rewrites every .txt document of a copy of the corpus (in a temporary folder) the way
faxes, EHR exports and OCR do, and the copy is scored with `chartsift.evaluate`. Gold quotes stay
valid: a perturbation records, for every output character, the original character it came from
(as extractor.text.normalize does), and each gold quote is located in the original document and
replaced by the perturbed text of the same span. So the scores measure what the perturbation does
to extraction, not to quote matching.

Formatting-only families (wrapping, hyphenation, case, spacing, zero-width characters, fax headers)
should move fact micro F1 by at most 0.02; `ocr` changes characters and is reported, not gated.
Exit code 1 when a formatting-only family moves F1 by more than the tolerance.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TOLERANCE = 0.02
WRAP = 58
FAX = "From: 555-0100 To: 555-0199  FAX  Page {page} of {pages}  11/27/2026 10:{page:02d} AM  Medical Records"
LINES_PER_PAGE = 40
OCR_SWAPS = {"l": "1", "I": "l", "O": "0", "o": "0", "S": "5", "B": "8", "rn": "m", "m": "rn", "e": "c", "cl": "d"}
OCR_RATE = 0.02

#: a perturbed text: (characters, index of the original character each one came from)
Mapped = tuple[list[str], list[int]]


def _identity(text: str) -> Mapped:
    return list(text), list(range(len(text)))


def wrap(text: str, rng: random.Random, hyphenate: bool = False) -> Mapped:
    """Re-wrap every line longer than WRAP at a space (one-for-one: a space becomes a newline); with
    `hyphenate`, a long word crossing the margin is split with '-\\n' instead."""
    chars, src = [], []
    column = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            column = -1
        elif column >= WRAP and ch == " ":
            ch, column = "\n", -1
        elif hyphenate and column >= WRAP and ch.isalpha() and _inside_long_word(text, i):
            chars += ["-", "\n"]
            src += [i, i]
            column = 0
        chars.append(ch)
        src.append(i)
        column += 1
    return chars, src


def _inside_long_word(text: str, i: int) -> bool:
    start = i
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    end = i
    while end < len(text) and text[end].isalpha():
        end += 1
    return end - start >= 8 and i - start >= 3 and end - i >= 3


def hyphenate(text: str, rng: random.Random) -> Mapped:
    return wrap(text, rng, hyphenate=True)


def per_char(transform: Callable[[str], str]) -> Callable[[str, random.Random], Mapped]:
    def perturb(text: str, rng: random.Random) -> Mapped:
        chars, src = [], []
        for i, ch in enumerate(text):
            for out in transform(ch):
                chars.append(out)
                src.append(i)
        return chars, src
    return perturb


def zero_width(text: str, rng: random.Random) -> Mapped:
    """A zero-width space, joiner or soft hyphen inside one word in three."""
    chars, src = [], []
    for i, ch in enumerate(text):
        chars.append(ch)
        src.append(i)
        if ch.isalpha() and i + 1 < len(text) and text[i + 1].isalpha() and rng.random() < 0.06:
            chars.append(rng.choice(["\u200b", "\u200c", "\u200d", "\u00ad", "\ufeff"]))
            src.append(i)
    return chars, src


def fax_header(text: str, rng: random.Random) -> Mapped:
    """A fax header line atop every page of LINES_PER_PAGE lines (the first page too), pages split by form feeds."""
    lines = text.split("\n")
    pages = max(1, -(-len(lines) // LINES_PER_PAGE))
    chars, src, pos = [], [], 0
    for number, line in enumerate(lines):
        if number % LINES_PER_PAGE == 0:
            header = ("\f" if number else "") + FAX.format(page=number // LINES_PER_PAGE + 1, pages=pages) + "\n"
            chars += list(header)
            src += [pos] * len(header)
        chars += list(line) + ["\n"]
        src += list(range(pos, pos + len(line))) + [pos + len(line)]
        pos += len(line) + 1
    return chars[:-1], src[:-1]  # no newline after the last line


def ocr(text: str, rng: random.Random) -> Mapped:
    """OCR confusions (l/1, O/0, rn/m, cl/d, e/c) at OCR_RATE of the eligible characters."""
    chars, src, i = [], [], 0
    while i < len(text):
        pair, one = text[i:i + 2], text[i]
        if pair in OCR_SWAPS and rng.random() < OCR_RATE:
            out, used = OCR_SWAPS[pair], 2
        elif one in OCR_SWAPS and rng.random() < OCR_RATE:
            out, used = OCR_SWAPS[one], 1
        else:
            out, used = one, 1
        chars += list(out)
        src += [i] * len(out)
        i += used
    return chars, src


FAMILIES: dict[str, tuple[Callable[[str, random.Random], Mapped], bool]] = {
    "wrap": (wrap, True),
    "hyphenate": (hyphenate, True),
    "upper": (per_char(str.upper), True),
    "lower": (per_char(str.lower), True),
    "double_spaces": (per_char(lambda ch: "  " if ch == " " else ch), True),
    "zero_width": (zero_width, True),
    "fax_header": (fax_header, True),
    "ocr": (ocr, False),
}


def map_span(src: list[int], start: int, end: int) -> tuple[int, int] | None:
    """[start, end) of the original as a span of the perturbed text (None if nothing of it is left)."""
    from bisect import bisect_left

    s = bisect_left(src, start)
    e = bisect_left(src, end)
    return (s, e) if e > s else None


def _find(text: str, quote: str) -> tuple[int, int] | None:
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    pattern = r"\s+".join(re.escape(w) for w in quote.split())
    match = re.search(pattern, text, re.IGNORECASE)
    return match.span() if match else None


def perturb_case(case: Path, family: str, rng: random.Random) -> int:
    """Perturb the case's .txt documents in place and remap its gold quotes; returns quotes not remapped."""
    transform, _ = FAMILIES[family]
    originals = {p.name: p.read_text(encoding="utf-8") for p in case.glob("*.txt")}
    maps = {}
    for name, text in originals.items():
        chars, src = transform(text, rng)
        maps[name] = ("".join(chars), src)
        (case / name).write_text(maps[name][0], encoding="utf-8")
    gold_path = case / "gold.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    lost = 0
    for fact in gold.get("facts", []):
        for ev in fact.get("evidence", []):
            if ev.get("document") not in maps:
                continue
            span = _find(originals[ev["document"]], ev["quote"])
            new = map_span(maps[ev["document"]][1], *span) if span else None
            if new is None:
                lost += 1
                continue
            ev["quote"] = maps[ev["document"]][0][new[0]:new[1]]
    gold_path.write_text(json.dumps(gold, indent=1, ensure_ascii=False), encoding="utf-8")
    return lost


def score(corpus: Path) -> dict[str, float]:
    from chartsift import evaluate

    report = evaluate(corpus)
    return {"f1": report.facts.micro.f1, "det": report.determinations.accuracy, "evidence": report.facts.evidence_found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO / "corpora" / "sij")
    parser.add_argument("--family", action="append", choices=sorted(FAMILIES), help="only these families")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    base = score(args.corpus)
    print(f"{'family':15} {'fact F1':>8} {'dF1':>7} {'det acc':>8} {'d det':>7} {'evidence':>8}  quotes lost  gate")
    print(f"{'(none)':15} {base['f1']:8.3f} {'':7} {base['det']:8.3f} {'':7} {base['evidence']:8.3f}")
    failed = False
    for family in args.family or list(FAMILIES):
        with tempfile.TemporaryDirectory(prefix=f"chartsift-perturb-{family}-") as tmp:
            copy = Path(tmp) / args.corpus.name
            shutil.copytree(args.corpus, copy)
            rng = random.Random(f"{args.seed}-{family}")
            lost = sum(perturb_case(case, family, rng) for case in sorted(copy.iterdir())
                       if (case / "gold.json").is_file())
            got = score(copy)
        delta = got["f1"] - base["f1"]
        gated = FAMILIES[family][1]
        verdict = ("ok" if abs(delta) <= TOLERANCE else "FAIL") if gated else "report only"
        failed |= gated and abs(delta) > TOLERANCE
        print(f"{family:15} {got['f1']:8.3f} {delta:+7.3f} {got['det']:8.3f} {got['det'] - base['det']:+7.3f} "
              f"{got['evidence']:8.3f}  {lost:11d}  {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
