"""Readable renderings of a review: `--text` rows and the `--html` page."""
from __future__ import annotations

import pytest

from chartsift.render_html import sentence_around

TEXT = "Pain is 8/10. FABER positive on the left, Gaenslen negative. Plan: PT.\nNext line"


@pytest.mark.parametrize("quote, before, after", [
    pytest.param("FABER positive on the left", "", ", Gaenslen negative.", id="quote-opens-sentence"),
    pytest.param("Gaenslen negative", "FABER positive on the left,", ".", id="quote-inside-sentence"),
    pytest.param("Gaenslen negative.", "FABER positive on the left,", "", id="quote-ends-sentence"),
    pytest.param("Plan: PT.", "", "", id="whole-line"),
])
def test_sentence_around(quote, before, after):
    start = TEXT.index(quote)
    assert sentence_around(TEXT, start, start + len(quote)) == (before, after)


def test_review_html_lists_every_criterion_and_escapes(tmp_path, capsys):
    from chartsift.cli import main

    note = tmp_path / "visit.txt"
    note.write_text("Date of Service: 03/02/2026\nOFFICE VISIT\nFABER positive on the left <script>x</script>.\n")
    out = tmp_path / "review.html"
    assert main(["review", str(note), "--cpt", "27279", "--html", str(out)]) == 0
    page = out.read_text()
    for criterion in ("II.A.1", "II.D", "II.G", "II.H", "III", "codes"):
        assert f"<strong>{criterion}</strong>" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<mark>FABER positive on the left" in page
