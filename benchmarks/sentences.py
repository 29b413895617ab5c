"""Sentence splitters on templated clinical text: boundary accuracy and speed.

Compares medspaCy's PyRuSH, spaCy's punctuation `sentencizer`, and chartsift's rule-based
`chartsift_sentences` (extractor/text/sentences.py) on:

- accuracy: a small hand-labelled set of templated and bulleted note fragments written for this
  benchmark (checkbox lines, "FABER: (+)" rows, tables, headers, numbered lists, wrapped prose,
  abbreviations, flattened templates). Each fragment is a list of gold sentences joined by the
  separators shown; a boundary is the start offset of a sentence after the first. Precision,
  recall, F1 of predicted starts; the accuracy of the split is the share of fragments split
  exactly right.
- speed: pages per second of the splitter alone and of the whole pipeline with it, on dense
  3.4k-character pages cut from MTSamples transcriptions (../shared/data/mtsamples, read in place;
  falls back to the labelled fragments when absent).

Usage: .venv/bin/python benchmarks/sentences.py [--pages 60]
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MTSAMPLES = REPO.parent / "shared" / "data" / "mtsamples" / "mtsamples.csv"
PAGE_CHARS = 3400

# Hand-labelled fragments: (separator-joined gold sentences). Each item is [sentence, separator].
GOLD: list[list[tuple[str, str]]] = [
    [("PHYSICAL EXAM:", "\n"), ("FABER: (+) L", "\n"), ("Gaenslen's: neg", "\n"), ("Thigh thrust: (+) L", "\n"),
     ("Compression: (-)", "\n"), ("Distraction: (-)", "\n")],
    [("Provocative tests:", "\n"), ("[x] Thigh thrust", "\n"), ("[x] FABER", "\n"), ("[ ] Gaenslen", "\n"),
     ("[ ] Sacral thrust", "\n")],
    [("Test | Left | Right", "\n"), ("FABER | + | -", "\n"), ("Gaenslen | - | -", "\n"), ("Thigh thrust | + | -", "\n")],
    [("ASSESSMENT AND PLAN:", "\n"), ("1. Left sacroiliac joint dysfunction.", "\n"),
     ("2. Lumbar spondylosis without radiculopathy.", "\n"), ("3. Will schedule a diagnostic SI joint injection.", "\n")],
    [("HPI: Mrs. Jones is a 58 y.o. female with left buttock pain for 8 months.", " "),
     ("She was seen by Dr. Smith in Jan. and tried PT x 6 wks without relief.", " "),
     ("Pain is 7/10, worse with sitting, e.g. driving.", "\n")],
    [(("The patient reports that her pain began after a fall on the ice two winters ago and has\n"
       "gradually worsened despite physical therapy and NSAIDs."), " "), ("She denies numbness or weakness.", "\n")],
    [("Social History:", "\n"), ("- Tobacco: former smoker, quit 2019", "\n"), ("- Alcohol: social", "\n"),
     ("- Occupation: teacher", "\n")],
    [("IMPRESSION:", "\n"), ("No fracture or destructive lesion.", " "),
     ("Mild degenerative change of the bilateral SI joints.", "\n"), ("No significant hip arthritis.", "\n")],
    [("Exam:", "  "), ("Tenderness: none", "  "), ("FABER:  (+) R", "  "), ("Gaenslen:  (-)", "\n")],
    [("Medications:", "\n"), ("\u2022 Meloxicam 15 mg daily", "\n"), ("\u2022 Gabapentin 300 mg TID", "\n"),
     ("\u2022 Cyclobenzaprine 10 mg qHS prn", "\n")],
    [("PROCEDURE: Left SI joint injection under fluoroscopy.", "\n"),
     ("Omnipaque 180 was injected and confirmed intra-articular spread.", " "),
     ("Then 2 mL of 0.5% bupivacaine was injected.", "\n"), ("Pre-procedure pain: 8/10", "\n"),
     ("Post-procedure pain: 1/10", "\n")],
    [("Smoking status: Never Smoker", "\n"), ("Smokeless tobacco: Never Used", "\n"),
     ("Vaping use: Never used", "\n")],
    [("Plan: Follow up in 4 wks.", " "), ("If she fails PT, will consider SI joint fusion (CPT 27279).", "\n")],
    [("FINDINGS: The SI joints are symmetric.", " "), ("There is no erosion or sclerosis.", " "),
     ("The visualized hips are normal.", "\n")],
    [("Straight leg raise: negative bilaterally", "\n"), ("Strength: 5/5 throughout", "\n"),
     ("Reflexes: 2+ and symmetric", "\n"), ("Sensation: intact to light touch", "\n")],
]

# Written after the splitter's rules were fixed and never tuned on: a check against overfitting.
HELD_OUT: list[list[tuple[str, str]]] = [
    [("Subjective:", "\n"), ("Pt. states her pain is 6/10 today, down from 8/10 last visit.", " "),
     ("She completed 8 sessions of PT (12/1/25 to 1/20/26).", "\n")],
    [("SI JOINT EXAM", "\n"), ("Right    Left", "\n"), ("FABER    +    -", "\n"), ("Gaenslen    +    +", "\n")],
    [("Objective: BP 128/82, HR 72.", " "), ("Gait antalgic on the L.", " "), ("TTP over L PSIS.", "\n")],
    [("Diagnoses:", "\n"), ("a) M53.3 Sacrococcygeal disorders", "\n"), ("b) M54.50 Low back pain", "\n")],
    [("Patient is a 61 yo M, retired, lives w/ wife.", " "), ("Smokes approx. 1 ppd since age 20.", " "),
     ("Drinks 2-3 beers on weekends.", "\n")],
    [("RECOMMENDATIONS:", "\n"), ("Repeat diagnostic block with lidocaine only.", " "),
     ("If relief >= 75%, proceed with SIJ fusion.", " "), ("Return to clinic in 6 weeks.", "\n")],
    [("\u2610 Thigh thrust  \u2611 Compression  \u2610 Distraction", "\n"), ("Comments: pain with compression only.", "\n")],
    [("CT PELVIS W/O CONTRAST", "\n"), ("Clinical indication: SI joint pain.", "\n"),
     ("Comparison: None.", "\n"), ("Findings: Bilateral SI joint sclerosis, L > R.", " "), ("No fracture.", "\n")],
]


def gold_doc(fragment: list[tuple[str, str]]) -> tuple[str, list[int]]:
    text, starts = "", []
    for sentence, sep in fragment:
        starts.append(len(text))
        text += sentence + sep
    return text, starts[1:]


def splitters():
    """name -> nlp with only the tokenizer and that sentence splitter."""
    import spacy
    from medspacy.custom_tokenizer import create_medspacy_tokenizer

    import extractor.text.sentences  # noqa: F401
    from extractor.nlp.pipeline import _quiet_logging

    _quiet_logging()
    out = {}
    for name in ("pyrush", "sentencizer", "chartsift_sentences"):
        nlp = spacy.blank("en")
        nlp.tokenizer = create_medspacy_tokenizer(nlp)
        if name == "pyrush":
            import medspacy  # noqa: F401

            nlp.add_pipe("medspacy_pyrush")
        else:
            nlp.add_pipe(name)
        out[name] = nlp
    return out


def predicted_starts(doc) -> list[int]:
    return [s[0].idx for s in doc.sents if s.start > 0 and s.text.strip()]


def accuracy(nlp, fragments) -> dict:
    tp = fp = fn = exact = 0
    for fragment in fragments:
        text, gold = gold_doc(fragment)
        pred = set(predicted_starts(nlp(text))) - {0}
        tp += len(pred & set(gold))
        fp += len(pred - set(gold))
        fn += len(set(gold) - pred)
        exact += pred == set(gold)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "exact": exact / len(fragments)}


def pages(n: int) -> list[str]:
    if MTSAMPLES.exists():
        csv.field_size_limit(10**7)
        with MTSAMPLES.open(encoding="utf-8") as fh:
            texts = [row["transcription"] for row in csv.DictReader(fh) if len(row["transcription"] or "") > PAGE_CHARS]
        return [t[:PAGE_CHARS] for t in texts[:n]]
    filler = "".join(gold_doc(f)[0] for f in GOLD)
    return [(filler * (PAGE_CHARS // len(filler) + 1))[:PAGE_CHARS]] * n


def pages_per_second(run, texts: list[str]) -> float:
    run(texts[:3])  # warm-up
    start = time.perf_counter()
    run(texts)
    return len(texts) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args(argv)
    texts = pages(args.pages)
    print(f"accuracy: {len(GOLD)} hand-labelled templated fragments (dev: the splitter was tuned on them) and "
          f"{len(HELD_OUT)} held-out ones; speed: {len(texts)} pages of {PAGE_CHARS} chars "
          f"({'MTSamples' if MTSAMPLES.exists() else 'fragments'})")
    print(f"{'splitter':<22}{'dev F1':>8}{'exact':>7}{'held-out F1':>13}{'exact':>7}{'split pages/s':>15}"
          f"{'pipeline pages/s':>18}")
    for name, nlp in splitters().items():
        dev, held = accuracy(nlp, GOLD), accuracy(nlp, HELD_OUT)
        alone = pages_per_second(lambda ts, nlp=nlp: [nlp(t) for t in ts], texts)
        full = pages_per_second(lambda ts, name=name: [d for d in full_pipeline(name).pipe(ts)], texts)
        print(f"{name:<22}{dev['f1']:>8.3f}{dev['exact']:>7.2f}{held['f1']:>13.3f}{held['exact']:>7.2f}"
              f"{alone:>15.1f}{full:>18.1f}")
    return 0


_FULL: dict = {}


def full_pipeline(splitter: str):
    """The chartsift pipeline with its sentence component swapped for `splitter`."""
    if splitter not in _FULL:
        from extractor.nlp.pipeline import build_nlp

        nlp = build_nlp()
        if splitter != "chartsift_sentences":
            import medspacy  # noqa: F401

            nlp.replace_pipe("chartsift_sentences", "medspacy_pyrush" if splitter == "pyrush" else splitter)
        _FULL[splitter] = nlp
    return _FULL[splitter]


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
