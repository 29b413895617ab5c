"""`chartsift review --pdf` and the web's PDF download: the review as a PDF a reviewer attaches to the case file.

Decision summary first, then one row per criterion (status, confidence, rationale; the
needs-review ones marked), every quote with its document and page, a crop of each cited
PDF page region with the evidence box drawn, and, from the web, the overrides with their
notes and the case's audit entries. fpdf2 core fonts only: every string goes through
`to_latin1` (characters it cannot spell become '?'). A page that cannot be rendered loses
its crop, never the export: the quote stays. Document text is PHI: nothing here logs it.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from evaluator import criteria_tree, policy_of
from models import Evidence, ReviewResult

from .packet import FIXED_DATE, to_latin1

log = logging.getLogger(__name__)

FONT = "Helvetica"
MARGIN = 40.0
#: points of page around the evidence box in a crop, and the render scale (pixels per point)
CROP_PAD_X, CROP_PAD_Y = 72.0, 16.0
CROP_SCALE = 2.0
_STATUS = {"met": "MET", "not_met": "NOT MET", "insufficient": "INSUFFICIENT"}


@dataclass
class ReviewerPart:
    """What the web adds: the reviewer's state of the case (all strings already formatted for people)."""

    summary: list[tuple[str, str]] = field(default_factory=list)  # label, value: final decision, reviewer, dates
    overrides: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # criterion, from, to, who/when, note
    audit: list[tuple[str, str, str, str]] = field(default_factory=list)  # when, who, action, target


def _t(text: object) -> str:
    """Safe for a core font: latin-1, anything else replaced."""
    return to_latin1(str(text)).encode("latin-1", "replace").decode("latin-1")


def _conf(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else "-"


class _Doc(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="pt", format="letter")
        self.title_line = _t(title)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_creation_date(FIXED_DATE)
        self.alias_nb_pages("{nb}")

    def footer(self) -> None:
        self.set_y(-28)
        self.set_font(FONT, size=7)
        self.cell(0, 10, f"{self.title_line} - page {self.page_no()} of {{nb}}", align="C")

    def heading(self, text: str, size: float = 12) -> None:
        self.ln(6)
        self.set_font(FONT, style="B", size=size)
        self.multi_cell(0, size + 3, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)

    def para(self, text: str, size: float = 9, style: str = "", indent: float = 0) -> None:
        self.set_font(FONT, style=style, size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.epw - indent, size + 3, _t(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _crop(path: Path, ev: Evidence):
    """The page region around `ev.bbox` with the box drawn (a PIL image), or None when it cannot be rendered."""
    try:
        import pypdfium2 as pdfium
        from PIL import ImageDraw

        x0, top, x1, bottom = ev.bbox  # type: ignore[misc]
        doc = pdfium.PdfDocument(str(path))
        try:
            page = doc[ev.page - 1]  # type: ignore[operator]
            w_pt, h_pt = page.get_size()
            left, upper = max(0.0, x0 - CROP_PAD_X), max(0.0, top - CROP_PAD_Y)
            right, lower = min(w_pt, x1 + CROP_PAD_X), min(h_pt, bottom + CROP_PAD_Y)
            if right - left < 2 or lower - upper < 2:
                return None
            # crop = (left, bottom, right, top) margins in points, pdfium's order
            image = page.render(scale=CROP_SCALE, crop=(left, h_pt - lower, w_pt - right, upper)).to_pil()
        finally:
            doc.close()
        image = image.convert("RGB")
        draw = ImageDraw.Draw(image)
        s = CROP_SCALE
        draw.rectangle([(x0 - left - 2) * s, (top - upper - 2) * s, (x1 - left + 2) * s, (bottom - upper + 2) * s],
                       outline=(220, 30, 30), width=3)
        return image
    except Exception as exc:  # noqa: BLE001 - a bad page loses its crop, never the export
        log.warning("evidence crop skipped: page %s could not be rendered (%s)", ev.page, type(exc).__name__)
        return None


def render_pdf(result: ReviewResult, pdf_paths: Mapping[str, Path] | None = None,
               reviewer: ReviewerPart | None = None) -> bytes:
    """The review as PDF bytes. `pdf_paths`: document name -> the PDF file its evidence boxes are on."""
    pdf_paths = pdf_paths or {}
    doc = _Doc(f"chartsift review {result.case_id} - {result.policy.id} rev {result.policy.revision}")
    doc.add_page()
    doc.heading(f"Review of case {result.case_id}", 15)
    doc.para(f"Policy {result.policy.id} rev {result.policy.revision} "
             f"({(result.policy.pathway or 'both pathways').replace('_', ' ')}); chartsift "
             f"{result.chartsift_version or '-'}")
    req = result.request
    doc.para(f"Request: CPT {req.cpt or '-'}, side {req.side or '-'}, received {req.date or '-'}, "
             f"ICD-10 {', '.join(req.icd10) or '-'}")
    _summary(doc, result, reviewer)
    _criteria(doc, result)
    _quotes(doc, result, pdf_paths)
    if reviewer is not None:
        _overrides(doc, reviewer.overrides)
        _audit(doc, reviewer.audit)
    return bytes(doc.output())


def _summary(doc: _Doc, result: ReviewResult, reviewer: ReviewerPart | None) -> None:
    doc.heading("Decision summary")
    if reviewer is not None:
        for label, value in reviewer.summary:
            doc.para(f"{label}: {value}", size=10, style="B" if label.lower().startswith("final") else "")
    rec = result.recommendation
    doc.para(f"chartsift recommendation: {rec.status} (confidence {_conf(rec.confidence)})", size=11, style="B")
    doc.para(rec.summary)
    if result.needs_review:
        doc.para(f"Needs review: {len(result.needs_review)} of {len(result.determinations)} criteria below the "
                 f"confidence threshold, marked 'check' below: {', '.join(result.needs_review)}")
    for flag in result.flags:
        doc.para(f"Flag: {flag.kind}" + (f" - {flag.message}" if flag.message else ""))
    for err in result.errors:
        doc.para(f"Document error [{err.code.value}] {err.document}")


def _criteria(doc: _Doc, result: ReviewResult) -> None:
    doc.heading("Criteria")
    review = set(result.needs_review)
    widths = (52, 70, 36, 36)
    with doc.table(col_widths=(*widths, doc.epw - sum(widths)), text_align="LEFT", line_height=11,
                   first_row_as_headings=True) as table:
        doc.set_font(FONT, size=8)
        table.row([_t(h) for h in ("Criterion", "Status", "Conf.", "Check", "Rationale")])
        depth = _tree(result)
        for d in sorted(result.determinations, key=lambda d: depth.get(d.criterion, (len(depth), 0))[0]):
            rationale = d.rationale + "".join(f"\nMissing: {m}" for m in d.missing)
            indent = "- " * depth.get(d.criterion, (0, 0))[1]
            table.row([_t(indent + d.criterion), _t(_STATUS.get(d.status, d.status)), _conf(d.confidence),
                       "check" if d.criterion in review else "", _t(rationale)])
    doc.set_font(FONT, size=9)


def _tree(result: ReviewResult) -> dict[str, tuple[int, int]]:
    """Criterion -> (its place in the policy tree, its depth): the table lists a parent before its children, as the
    web app's criteria tree does (the evaluator gives children first). Empty for a policy it does not know."""
    try:
        return {row.criterion: (i, row.depth) for i, row in enumerate(criteria_tree(policy_of(result.policy)))}
    except (KeyError, ValueError, LookupError):
        return {}


def _quotes(doc: _Doc, result: ReviewResult, pdf_paths: Mapping[str, Path]) -> None:
    doc.heading("Evidence quoted")
    facts = {f.id: f for f in result.facts}
    crops: dict[tuple, str | None] = {}  # region -> criterion it was shown under
    any_quote = False
    for d in result.determinations:
        evidence = [ev for fid in d.evidence if fid in facts for ev in facts[fid].evidence]
        if not evidence:
            continue
        any_quote = True
        doc.para(f"{d.criterion} ({_STATUS.get(d.status, d.status)})", size=10, style="B")
        for ev in evidence:
            doc.para(f"\"{' '.join(ev.text.split())}\"", indent=12)
            doc.para(f"{ev.document}, page {ev.page or '-'}", size=8, style="I", indent=12)
            path = pdf_paths.get(ev.document)
            if path is None or ev.bbox is None or ev.page is None:
                continue
            key = (ev.document, ev.page, tuple(ev.bbox))
            if key in crops:  # each region once: a parent criterion cites its children's quotes again
                if crops[key] is not None:
                    doc.para(f"(page region shown under {crops[key]})", size=7, style="I", indent=12)
                continue
            image = _crop(path, ev)
            crops[key] = d.criterion if image is not None else None
            if image is None:
                continue
            width = min(doc.epw - 12, image.width / CROP_SCALE)  # type: ignore[attr-defined]
            height = width * image.height / image.width  # type: ignore[attr-defined]
            if doc.get_y() + height > doc.h - doc.b_margin:
                doc.add_page()
            doc.image(image, x=doc.l_margin + 12, y=doc.get_y() + 2, w=width, h=height)
            doc.set_draw_color(170)
            doc.rect(doc.l_margin + 12, doc.get_y() + 2, width, height)
            doc.set_draw_color(0)
            doc.set_y(doc.get_y() + height + 6)
    if not any_quote:
        doc.para("No criterion cites evidence.")


def _overrides(doc: _Doc, overrides: Sequence[tuple[str, str, str, str, str]]) -> None:
    doc.heading("Reviewer overrides")
    if not overrides:
        doc.para("None.")
    for criterion, before, after, who, note in overrides:
        doc.para(f"{criterion}: {before} -> {after} ({who})", style="B")
        doc.para(f"Note: {note or '-'}", indent=12)


def _audit(doc: _Doc, entries: Sequence[tuple[str, str, str, str]]) -> None:
    doc.heading("Audit entries of the case")
    if not entries:
        doc.para("None.")
        return
    widths = (90, 80, 70)
    with doc.table(col_widths=(*widths, doc.epw - sum(widths)), text_align="LEFT", line_height=10,
                   first_row_as_headings=True) as table:
        doc.set_font(FONT, size=7)
        table.row(["When", "Who", "Action", "Target"])
        for row in entries:
            table.row([_t(c) for c in row])
    doc.set_font(FONT, size=9)


def pdf_documents(paths: Sequence[Path], names: Sequence[str] | None = None) -> dict[str, Path]:
    """Document name -> path for the PDF files among `paths` (names default to the file names)."""
    names = names or [p.name for p in paths]
    return {name: p for name, p in zip(names, paths, strict=False) if p.suffix.lower() == ".pdf" and p.is_file()}

