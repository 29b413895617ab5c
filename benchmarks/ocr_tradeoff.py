"""OCR trade-off: CPU seconds per dense scanned page against the scan-vs-text fact F1 gap, per setting.

    python benchmarks/ocr_tradeoff.py [--pages 4] [--repeat 3] [--corpus corpora/sij] [--only NAME ...]

Each setting is a set of the reading knobs of `extractor.ingest.ocr` / `ocr_engine` (dpi, Tesseract's
page-segmentation mode, the skew below which a page is read unturned, the despeckling window,
cropping to the inked area, extra Tesseract options). For each:

- CPU per dense page: `--pages` pages of the dense scanned packet of benchmarks/ocr.py (~3.4 k
  characters a page, faxed at 200 dpi, 1-bit, skewed, speckled) rendered and read one after another in
  this process; CPU seconds of this process and its children (Tesseract), median over the pages of
  every repeat (the settings alternate within each repeat, so a busy spell of the shared machine hits
  all of them); the range is over the repeats' medians;
- accuracy: `chartsift evaluate CORPUS --as-scan` (OCR cache off, pages read in parallel worker
  processes as a review does): fact micro F1 of the text and of the scan, their gap, and the whole
  scan evaluation's CPU seconds per scanned page (review included);
- pages in parallel (`--parallel`): wall seconds of reading the dense packet with 1 and 2 worker
  processes (CPU per page does not change with workers; wall does).
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ocr import scanned_packet

from extractor.ingest import ocr, ocr_engine

NO_INVERT = ("-c", "tessedit_do_invert=0")
#: name -> knob values; "today" is the code's defaults before this benchmark
SETTINGS: dict[str, dict] = {
    "today (300 dpi, psm 3, deskew all, median 3)": {},
    "200 dpi": {"OCR_DPI": 200},
    "250 dpi": {"OCR_DPI": 250},
    "psm 6": {"PAGE_PSM": 6},
    "skip deskew under 2 deg": {"DESKEW_BELOW_DEGREES": 2.0},
    "crop margins": {"CROP_MARGINS": True},
    "no inverted retry": {"TESSERACT_OPTIONS": NO_INVERT},
    "no median filter": {"MEDIAN_FILTER": 0},
    "200 dpi + crop + no inverted retry": {"OCR_DPI": 200, "CROP_MARGINS": True, "TESSERACT_OPTIONS": NO_INVERT},
    "200 dpi + crop + no inverted retry + skip deskew": {"OCR_DPI": 200, "CROP_MARGINS": True,
                                                         "TESSERACT_OPTIONS": NO_INVERT, "DESKEW_BELOW_DEGREES": 2.0},
}
_DEFAULTS = {"OCR_DPI": (ocr, ocr.OCR_DPI), "PAGE_PSM": (ocr_engine, ocr_engine.PAGE_PSM),
             "DESKEW_BELOW_DEGREES": (ocr_engine, ocr_engine.DESKEW_BELOW_DEGREES),
             "MEDIAN_FILTER": (ocr_engine, ocr_engine.MEDIAN_FILTER),
             "CROP_MARGINS": (ocr_engine, ocr_engine.CROP_MARGINS),
             "TESSERACT_OPTIONS": (ocr_engine, ocr_engine.TESSERACT_OPTIONS)}


def apply(setting: dict) -> None:
    """Every knob at the code's default, then the setting's values (worker processes are forked: they inherit)."""
    for name, (module, default) in _DEFAULTS.items():
        setattr(module, name, setting.get(name, default))


def _cpu() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def dense_page_cpu(data: bytes, pages: int) -> list[float]:
    out = []
    for index in range(pages):
        start = _cpu()
        image = ocr_engine.render_page(data, index, ocr.OCR_DPI)
        ocr_engine.read_image(image, ocr.OCR_DPI)
        out.append(_cpu() - start)
    return out


def scan_accuracy(corpus: Path) -> dict:
    from chartsift.evaluation import evaluate

    start = _cpu()
    report = evaluate(corpus, as_scan=True)
    spent = _cpu() - start
    scan = report.scan
    return {"text": report.facts.micro.f1, "scan": scan.facts.micro.f1, "cpu": spent}


def parallel_wall(data: bytes, pages: int) -> dict[int, float]:
    out = {}
    for workers in (1, 2):
        start = time.perf_counter()
        ocr.read_pages(data, list(range(1, pages + 1)), workers=workers)
        out[workers] = time.perf_counter() - start
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=4, help="dense scanned pages read per setting and repeat")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", default="corpora/sij", help="corpus scored as scans ('' to skip accuracy)")
    parser.add_argument("--only", nargs="*", help="settings whose name starts with one of these")
    parser.add_argument("--accuracy", nargs="*", help="score only the settings whose name starts with one of these "
                        "(default: every setting; each scan evaluation reads the whole corpus by OCR)")
    parser.add_argument("--parallel", action="store_true", help="also time the dense packet with 1 and 2 workers")
    args = parser.parse_args()
    os.environ[ocr.CACHE_ENV] = "off"
    settings = {k: v for k, v in SETTINGS.items() if not args.only or any(k.startswith(o) for o in args.only)}
    with tempfile.TemporaryDirectory(prefix="chartsift-ocr-tradeoff-") as tmp:
        data = scanned_packet(Path(tmp), args.pages).read_bytes()
        cpu: dict[str, list[list[float]]] = {name: [] for name in settings}
        for r in range(args.repeat):
            names = list(settings)
            for name in names[r % len(names):] + names[:r % len(names)]:
                apply(settings[name])
                cpu[name].append(dense_page_cpu(data, args.pages))
        print(f"dense scanned pages: {args.pages} per setting x {args.repeat} repeats; load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print("| setting | CPU s per dense page, median (range of repeats) | text F1 | scan F1 | gap "
              "| scan evaluation CPU s |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, setting in settings.items():
            medians = [statistics.median(run) for run in cpu[name]]
            every = statistics.median([x for run in cpu[name] for x in run])
            cells = [f"{every:.2f} ({min(medians):.2f}-{max(medians):.2f})"]
            if args.corpus and (args.accuracy is None or any(name.startswith(a) for a in args.accuracy)):
                apply(setting)
                acc = scan_accuracy(Path(args.corpus))
                cells += [f"{acc['text']:.3f}", f"{acc['scan']:.3f}", f"{acc['text'] - acc['scan']:.3f}",
                          f"{acc['cpu']:.0f}"]
            else:
                cells += ["", "", "", ""]
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        if args.parallel:  # today's setting and the last one
            for name, setting in [next(iter(settings.items())), list(settings.items())[-1]]:
                apply(setting)
                wall = parallel_wall(data, args.pages)
                print(f"pages in parallel, {name}: {args.pages} pages, 1 worker {wall[1]:.1f} s wall, "
                      f"2 workers {wall[2]:.1f} s ({wall[1] / wall[2]:.2f}x)")
    apply({})


if __name__ == "__main__":
    main()
