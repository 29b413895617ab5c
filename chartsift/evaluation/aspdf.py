"""`--as-pdf`: the same corpus case as one faxed PDF packet, so the text layer's effects are scored.

Each text document becomes one note of `packet.pdf` (letterhead, a fax header and page numbers on
every page, via `chartsift.packet.render_packet`); PDF documents of a case are kept as they are. Gold
quotes name their document, so the mapping old name -> new name goes to the scorer.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from models import CaseRequest

from .corpus import CASE_FILE, CorpusCase

PACKET_NAME = "packet.pdf"
FAX_HEADER = "FAX  From: Riverside Spine & Pain  To: Utilization Management  Page {page} of {pages}"


def case_as_pdf(case: CorpusCase, out_dir: Path) -> dict[str, str]:
    """Write the case as a case folder at `out_dir` holding a PDF packet; returns gold name -> new name."""
    from chartsift.packet import render_packet  # fpdf2 loads on use: `import chartsift` stays light

    out_dir.mkdir(parents=True, exist_ok=True)
    texts = [name for name in case.documents if not name.lower().endswith(".pdf")]
    kept = [name for name in case.documents if name.lower().endswith(".pdf")]
    rename: dict[str, str] = {}
    documents: list[str] = []
    if texts:
        notes = [(case.case_dir / name).read_text(encoding="utf-8") for name in texts]
        render_packet(notes, out_dir / PACKET_NAME, header=FAX_HEADER)
        rename.update({name: PACKET_NAME for name in texts})
        documents.append(PACKET_NAME)
    for name in kept:
        shutil.copyfile(case.case_dir / name, out_dir / name)
        documents.append(name)
    spec = CaseRequest(case_id=case.case_id, request=case.request, documents=documents)
    (out_dir / CASE_FILE).write_text(spec.model_dump_json(exclude_none=True), encoding="utf-8")
    return rename
