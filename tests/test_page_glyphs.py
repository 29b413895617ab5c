"""A page that draws more characters than MAX_PAGE_GLYPHS (4x the 20,000-character text limit) is refused
as too large before its words are built, by both backends (fuzz findings timeout-4/-5 of 2026-12-08:
pdfplumber spent 4-7 s, over 30 s under the fuzzer, building a dict per character of a page later
refused for its text). A page whose bold is set by overprinting (each glyph drawn 3 times) stays under
it and reads as before."""
from __future__ import annotations

import pytest
from hostile_harness import load_make_hostile

from extractor.ingest.errors import InputError
from extractor.ingest.pdftext import MAX_PAGE_GLYPHS
from extractor.ingest.reader import MAX_PAGE_CHARS, ingest
from models import ErrorCode

mh = load_make_hostile()
BACKENDS = ("pypdfium2", "pdfplumber")


def _overprinted_page(lines: int = 250, copies: int = 3) -> bytes:
    """`lines` lines of 76 characters at 2.5 pt, each drawn `copies` times 0.3 pt apart (overprint bold)."""
    body = bytearray()
    for i in range(lines):
        line = b"%03d " % i + b"back pain over the sacroiliac joint, worse when standing up from sitting "[:96]
        for k in range(copies):
            body += b"BT /F1 2.5 Tf %.1f %d Td (%s) Tj ET\n" % (40 + 0.3 * k, 780 - 3 * i, line)
    return mh.pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>", mh.FONT,
                   (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                    b"/Contents 5 0 R >>"), mh.stream(bytes(body), compress=True)])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("data", [
    pytest.param(mh.glyph_flood(), id="100k-characters-drawn"),
    pytest.param(mh.glyph_flood_timeout4(), id="fuzz-timeout4"),
    pytest.param(mh.glyph_flood_timeout5(), id="fuzz-timeout5"),
])
def test_a_page_drawing_too_many_characters_is_too_large(data, backend):
    with pytest.raises(InputError) as raised:
        ingest(data, name="flood.pdf", backend=backend)
    assert raised.value.code == ErrorCode.TOO_LARGE
    assert raised.value.pages == [1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_glyph_flood_is_refused_by_the_glyph_count(backend):
    with pytest.raises(InputError, match=f"draws 100,000 characters, over the limit of {MAX_PAGE_GLYPHS:,}"):
        ingest(mh.glyph_flood(), name="flood.pdf", backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_overprinted_bold_page_under_the_glyph_limit_reads(backend):
    doc = ingest(_overprinted_page(), name="bold.pdf", backend=backend)
    assert 19_000 < len(doc.text) <= MAX_PAGE_CHARS  # 57,000 glyphs drawn, each line kept once
    assert doc.text.count("sacroiliac joint") == 250
