"""Render text notes as a realistic faxed PDF packet (fpdf2, core fonts only).

Used by the demo (`corpora/demo/make_demo.py`), by `chartsift evaluate --as-pdf` and by the
ingestion tests and benchmarks. Every page carries the letterhead, an optional header line
repeated on every page (a fax header; `{page}` and `{pages}` are filled in) and a
"Page N of M" footer. Each note starts on a new page; long notes break pages automatically.
Output is deterministic: fixed creation date, no random ids.

Core PDF fonts are latin-1 only, so text is transliterated first (`to_latin1`).
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

DEFAULT_LETTERHEAD = "Riverside Spine & Pain Center | 400 Oak Street, Springfield | Tel 555-0100"
FIXED_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FONT = "Helvetica"
FONT_SIZE = 10.0
LINE_HEIGHT = 13.0
MARGIN = 54.0

#: Characters outside latin-1 that clinical notes use, with their closest latin-1 spelling.
_TRANSLITERATIONS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2022": "*", "\u25cf": "*", "\u25aa": "*", "\u2023": "*", "\u2043": "-",
    "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u2248": "~", "\u2192": "->",
    "\u2610": "[ ]", "\u2611": "[x]", "\u2612": "[x]", "\u2713": "x", "\u2714": "x",
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "",
    "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0131": "i", "\u0152": "OE", "\u0153": "oe",
}


def to_latin1(text: str) -> str:
    """`text` spelled with latin-1 characters only (what the PDF core fonts can show)."""
    out = []
    for ch in text:
        if ch in _TRANSLITERATIONS:
            out.append(_TRANSLITERATIONS[ch])
        elif ord(ch) < 256:
            out.append(ch)
        else:
            decomposed = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
            out.append(decomposed or "?")
    return "".join(out)


class _Packet(FPDF):
    """An fpdf2 document with a letterhead, a repeated header line and page-number footer."""

    def __init__(self, letterhead: str, header_line: str | None):
        super().__init__(orientation="portrait", unit="pt", format="letter")
        self.letterhead = to_latin1(letterhead)
        self.header_line = to_latin1(header_line) if header_line else None
        self.set_margins(MARGIN, MARGIN + 36, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 12)
        self.set_creation_date(FIXED_DATE)
        self.alias_nb_pages("{nb}")

    def header(self) -> None:
        if self.header_line:
            self.set_font(FONT, size=8)
            self.set_xy(MARGIN, 20)
            line = self.header_line.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}")
            self.cell(0, 10, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, style="B", size=11)
        self.set_xy(MARGIN, 36)
        self.cell(0, 14, self.letterhead, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.line(MARGIN, 54, self.w - MARGIN, 54)
        self.set_xy(MARGIN, MARGIN + 36)
        self.set_font(FONT, size=FONT_SIZE)

    def footer(self) -> None:
        self.set_font(FONT, size=8)
        self.set_xy(MARGIN, self.h - MARGIN + 10)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")
        self.set_font(FONT, size=FONT_SIZE)


def new_packet(letterhead: str = DEFAULT_LETTERHEAD, header: str | None = None) -> FPDF:
    """An empty packet document; add pages with `add_note`, `add_two_column_page`, `add_table`."""
    return _Packet(letterhead, header)


def add_note(pdf: FPDF, text: str) -> None:
    """Write one note, starting on a new page; lines of `text` are kept, long ones wrap."""
    pdf.add_page()
    pdf.set_font(FONT, size=FONT_SIZE)
    pdf.multi_cell(0, LINE_HEIGHT, to_latin1(text).rstrip("\n"), align="L",
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def add_two_column_page(pdf: FPDF, left: str, right: str, title: str | None = None) -> None:
    """A page set in two columns: `left` fills the left column, then `right` the right one.
    Both must fit on the page (ValueError otherwise)."""
    pdf.add_page()
    if title:
        pdf.set_font(FONT, style="B", size=FONT_SIZE)
        pdf.cell(0, LINE_HEIGHT, to_latin1(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(LINE_HEIGHT / 2)
    pdf.set_font(FONT, size=FONT_SIZE)
    gutter = 24.0
    width = (pdf.w - 2 * MARGIN - gutter) / 2
    top = pdf.get_y()
    room = pdf.h - pdf.b_margin - top
    for column in (left, right):
        lines = pdf.multi_cell(width, LINE_HEIGHT, to_latin1(column), dry_run=True, output="LINES")
        if len(lines) * LINE_HEIGHT > room:
            raise ValueError("two-column text must fit on one page")
    pdf.set_xy(MARGIN, top)
    pdf.multi_cell(width, LINE_HEIGHT, to_latin1(left), align="L")
    pdf.set_xy(MARGIN + width + gutter, top)
    pdf.multi_cell(width, LINE_HEIGHT, to_latin1(right), align="L")


def add_table(pdf: FPDF, rows: Sequence[Sequence[str]], new_page: bool = False) -> None:
    """A bordered table; the first row is the heading."""
    if new_page or pdf.page == 0:
        pdf.add_page()
    pdf.ln(LINE_HEIGHT / 2)
    pdf.set_font(FONT, size=FONT_SIZE - 1)
    with pdf.table(text_align="LEFT", line_height=LINE_HEIGHT) as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(to_latin1(str(cell)))
    pdf.set_font(FONT, size=FONT_SIZE)


def render_packet(notes: Sequence[str], out: Path | str, *, letterhead: str = DEFAULT_LETTERHEAD,
                  header: str | None = None, two_column_pages: Collection[int] = (),
                  table_rows: Mapping[int, Sequence[Sequence[str]]] | None = None) -> int:
    """Write `notes` as one PDF packet at `out`; returns the number of pages.

    `two_column_pages`: indices of notes set in two columns (the note's text is split at the
    blank line nearest its middle). `table_rows`: note index -> table rows (first row is the
    heading) printed after that note's text.
    """
    pdf = new_packet(letterhead, header)
    for index, text in enumerate(notes):
        if index in two_column_pages:
            left, right = _split_in_two(text)
            add_two_column_page(pdf, left, right)
        else:
            add_note(pdf, text)
        if table_rows and index in table_rows:
            add_table(pdf, table_rows[index])
    return write(pdf, out)


def write(pdf: FPDF, out: Path | str) -> int:
    """Save `pdf` at `out` (parents created); returns its page count."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return pdf.page


def _split_in_two(text: str) -> tuple[str, str]:
    """Split at the paragraph break nearest the middle (or the line break, if no paragraphs)."""
    middle = len(text) // 2
    for sep in ("\n\n", "\n"):
        cuts = [i for i in range(len(text)) if text.startswith(sep, i)]
        if cuts:
            cut = min(cuts, key=lambda i: abs(i - middle))
            return text[:cut].rstrip("\n"), text[cut:].lstrip("\n")
    return text, ""
