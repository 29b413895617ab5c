"""CPU per stage of a warm review of one dense 30-page case, next to the floor of the whole chain.

    .venv/bin/python benchmarks/stages.py [--pages 30] [--repeat 7] [--profile FILE]

The case: one packet made by benchmarks/screen.py's `make_packets(dense=True)` (corpus notes with
each paragraph reflowed into full-width lines, run on without page breaks, ~4,200 characters a
page), made once under --work. The nlp is built and every rules file loaded by a first review, then
the case is reviewed --repeat times through `chartsift.api.review_case` + `model_dump_json` (what
`chartsift review --json` does). Each stage is timed with `time.process_time` by wrapping the
function that does it, in place, for the run:

  pdf text      extractor.case._ingest_all (PDFium text and character boxes, layout)
  segmentation  extractor.extract.prepare_notes (page furniture, note segmentation, normalization)
  nlp           extractor.nlp.pipeline.process (medspaCy nlp over the notes), and, measured apart
                after each repeat on the same note texts, each of its components
  <fact type>   extractor.facts.<type>.extract, one row per fact module
  link/resolve  extractor.extract.link_across_notes + extractor.resolve.merge.resolve
  evaluation    evaluator.evaluate_case + hold_not_met
  confidence    evaluator.confidence.score_review
  rendering     ReviewResult.model_dump_json
  other         the rest of the review (case loading, OCR marks, the result model)

Prints CPU milliseconds per stage (median over the repeats, and the range), the total, and the floor
measured alternately with the review on the same packet: PDFium text with every character's box
(`get_text_range` + `FPDFText_GetLooseCharBox` for each character, no layout) plus spaCy's English
tokenizer over the page texts; the review's CPU as a multiple of the floor sum.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def dense_case(work: Path, pages: int) -> Path:
    """The case folder of one dense packet of about `pages` pages, made once."""
    import shutil

    import screen

    root = work / f"dense-{pages}"
    folder = root / "cases" / "BENCH-0000"
    if not (folder / "packet.pdf").exists():
        shutil.rmtree(root, ignore_errors=True)
        screen.make_packets(root, 1, pages=(pages, pages), dense=True)
    return folder


class Stopwatch:
    """CPU seconds per stage; nested stages are subtracted from the stage around them."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stack: list[list] = []

    def wrap(self, stage: str, fn):
        def timed(*args, **kwargs):
            frame = [stage, time.process_time(), 0.0]
            self._stack.append(frame)
            try:
                return fn(*args, **kwargs)
            finally:
                self._stack.pop()
                took = time.process_time() - frame[1]
                self.spent[stage] += took - frame[2]
                if self._stack:
                    self._stack[-1][2] += took
        timed.__wrapped__ = fn
        return timed


def patched(watch: Stopwatch) -> list[tuple[object, str, object]]:
    """Wrap every stage function in place; returns what to put back."""
    import importlib

    from chartsift import api
    from extractor import case, extract
    from extractor.nlp import pipeline

    targets = [(case, "_ingest_all", "pdf text"), (extract, "prepare_notes", "segmentation"),
               (pipeline, "process", "nlp"), (extract, "link_across_notes", "link/resolve"),
               (case, "extract_case", "other"), (api, "evaluate_case", "evaluation"),
               (api, "hold_not_met", "evaluation"), (api, "score_review", "confidence")]
    targets.append((extract, "resolve", "link/resolve"))
    for name in extract.FACT_MODULES:
        targets.append((importlib.import_module(f"extractor.facts.{name}"), "extract", name))
    saved = []
    for module, attr, stage in targets:
        original = getattr(module, attr)
        saved.append((module, attr, original))
        setattr(module, attr, watch.wrap(stage, original))
    return saved


def review_once(folder: Path) -> dict[str, float]:
    from chartsift.api import review_case

    watch = Stopwatch()
    saved = patched(watch)
    try:
        start = time.process_time()
        reviewed = watch.wrap("other", review_case)(folder)
        watch.wrap("rendering", reviewed.result.model_dump_json)()
        total = time.process_time() - start
    finally:
        for module, attr, original in saved:
            setattr(module, attr, original)
    spent = dict(watch.spent)
    spent["total"] = total
    return spent


def nlp_components(folder: Path) -> dict[str, float]:
    """CPU seconds of each nlp component over the case's note texts (tokenizer first)."""
    from extractor.case import _ingest_all
    from extractor.extract import prepare_notes
    from extractor.nlp.pipeline import get_nlp

    nlp = get_nlp()
    sources, _, _ = _ingest_all([folder / "packet.pdf"], None)
    texts = [p.text for s in sources for p in prepare_notes(s)]
    spent = defaultdict(float)
    for text in texts:
        start = time.process_time()
        doc = nlp.make_doc(text)
        spent["tokenizer"] += time.process_time() - start
        for name, component in nlp.pipeline:
            start = time.process_time()
            doc = component(doc)
            spent[name] += time.process_time() - start
    return dict(spent)


def floor(pdf: Path) -> tuple[float, float, int]:
    """CPU seconds of PDFium text + every character's loose box, of spaCy's English tokenizer over the
    page texts, and the page count."""
    import ctypes
    from itertools import repeat

    import pypdfium2 as pdfium
    import spacy
    from pypdfium2 import raw

    from extractor.ingest.pdftext import _char_calls

    _, loose_box = _char_calls(raw)
    start = time.process_time()
    texts = []
    document = pdfium.PdfDocument(str(pdf))
    for page in document:
        textpage = page.get_textpage()
        count = textpage.count_chars()
        texts.append(textpage.get_text_range(0, count))
        rects = (ctypes.c_float * (4 * count))()
        handle, base = ctypes.cast(textpage.raw, ctypes.c_void_p).value, ctypes.addressof(rects)
        all(map(loose_box, repeat(handle, count), range(count), range(base, base + 16 * count, 16)))
        textpage.close()
        page.close()
    document.close()
    text_s = time.process_time() - start
    tokenizer = _blank_tokenizer(spacy)
    start = time.process_time()
    for text in texts:
        tokenizer(text)
    return text_s, time.process_time() - start, len(texts)


_TOKENIZER = None


def _blank_tokenizer(spacy):
    global _TOKENIZER
    if _TOKENIZER is None:
        _TOKENIZER = spacy.blank("en").tokenizer
    return _TOKENIZER


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--work", default="/tmp/chartsift-bench-stages")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of --repeat reviews instead of timing")
    args = parser.parse_args()
    folder = dense_case(Path(args.work), args.pages)
    from chartsift.api import review

    result = review(folder)  # warm: the nlp, every rules and policy file
    pages = sum(d.pages for d in result.documents)
    if args.profile:
        import cProfile

        cProfile.runctx("for _ in range(n): review(folder).model_dump_json()", globals(),
                        {"review": review, "folder": folder, "n": args.repeat}, args.profile)
        return
    runs, components, floors = [], [], []
    for _ in range(args.repeat):  # review and floor alternate: a busy spell of the shared machine hits both
        runs.append(review_once(folder))
        floors.append(floor(folder / "packet.pdf"))
        components.append(nlp_components(folder))
    print(f"dense case: {pages} pages; CPU ms per case (per page), median (range) of {args.repeat}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    order = ["pdf text", "segmentation", "nlp", *_facts(), "link/resolve", "evaluation", "confidence",
             "rendering", "other", "total"]
    for stage in order:
        values = [r.get(stage, 0.0) * 1000 for r in runs]
        print(f"  {stage:<24} {statistics.median(values):8.1f} ({min(values):.1f}-{max(values):.1f})"
              f"  {statistics.median(values) / pages:6.2f} per page")
    print("  nlp components, apart:  " + "  ".join(
        f"{name} {statistics.median(c[name] for c in components) * 1000:.1f}" for name in components[0]))
    text_ms = statistics.median(f[0] for f in floors) * 1000
    token_ms = statistics.median(f[1] for f in floors) * 1000
    total = statistics.median(r["total"] for r in runs) * 1000
    ratios = [r["total"] / (f[0] + f[1]) for r, f in zip(runs, floors)]
    print(f"floor: PDFium text + boxes {text_ms:.1f} + spaCy tokenizer {token_ms:.1f} = {text_ms + token_ms:.1f} CPU ms "
          f"({(text_ms + token_ms) / pages:.2f} per page); review {total:.1f} CPU ms = {total / (text_ms + token_ms):.2f}x "
          f"the floor sum (per repeat {min(ratios):.2f}-{max(ratios):.2f}x); {1000 * pages / total:.1f} pages per CPU-second")


def _facts() -> list[str]:
    from extractor.extract import FACT_MODULES

    return list(FACT_MODULES)


if __name__ == "__main__":
    main()
