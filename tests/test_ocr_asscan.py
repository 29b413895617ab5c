"""`chartsift evaluate --as-scan`: corpus cases rendered as fax-like image-only PDFs (no OCR run here)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from PIL import Image

from chartsift.evaluation.asscan import PACKET_NAME, SCAN_DPI, case_as_scan, fax_page
from chartsift.evaluation.corpus import load_corpus

CORPUS = Path(__file__).resolve().parents[1] / "corpora" / "sij"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    case = load_corpus(CORPUS)[0]
    folder = tmp_path_factory.mktemp("scan") / case.case_dir.name
    return case, folder, case_as_scan(case, folder)


def test_a_case_becomes_one_image_only_packet_with_its_request(scanned):
    case, folder, rename = scanned
    assert set(rename) == {n for n in case.documents if n.endswith(".txt")}
    assert set(rename.values()) == {PACKET_NAME}
    spec = json.loads((folder / "case.json").read_text(encoding="utf-8"))
    assert spec["case_id"] == case.case_id and spec["documents"] == [PACKET_NAME]
    pdf = pdfium.PdfDocument(folder / PACKET_NAME)
    try:
        assert len(pdf) >= 2
        for page in pdf:
            assert page.get_size() == pytest.approx((612, 792), abs=1)
            textpage = page.get_textpage()
            assert textpage.count_chars() == 0  # no text layer: only OCR can read it
            textpage.close()
            page.close()
    finally:
        pdf.close()


def test_the_same_case_is_scanned_the_same_way_twice(scanned, tmp_path):
    case, folder, _ = scanned
    case_as_scan(case, tmp_path / "again")
    first, again = (pdfium.PdfDocument(f / PACKET_NAME) for f in (folder, tmp_path / "again"))
    try:
        assert len(first) == len(again)
        for a, b in zip(first, again):
            assert np.array_equal(np.asarray(a.render(scale=0.5).to_pil()), np.asarray(b.render(scale=0.5).to_pil()))
    finally:
        first.close()
        again.close()


def _text_image() -> Image.Image:
    pixels = np.full((400, 300), 255, dtype=np.uint8)
    pixels[100:110, 40:260] = 0
    return Image.fromarray(pixels)


@pytest.mark.parametrize("skew", [pytest.param(0.0, id="straight"), pytest.param(1.0, id="skewed")])
def test_a_fax_page_is_one_bit_speckled_and_stamped(skew):
    rng = np.random.default_rng(3)
    page = fax_page(_text_image(), rng, header="NOV-27-2026 09:14 FROM: CLINIC P.001/002", skew=skew)
    pixels = np.asarray(page.convert("L"))
    assert page.mode == "1" and page.size == (300, 400)
    assert (pixels[:30] < 128).sum() > 50  # the fax machine's header line
    speckles = (pixels[200:] < 128).mean()  # below the text: only noise
    assert 0.0005 < speckles < 0.01
    rows = np.nonzero((pixels[60:160] < 128).sum(axis=1) > 30)[0]
    assert (len(rows) >= 12) is (skew != 0.0)  # a skewed bar spreads over more rows


def test_scan_dpi_is_fax_fine_mode():
    assert SCAN_DPI == 200


def test_evaluate_takes_as_scan():
    from chartsift.cli import build_parser

    args = build_parser().parse_args(["evaluate", str(CORPUS), "--as-scan", "--as-pdf"])
    assert args.as_scan and args.as_pdf
