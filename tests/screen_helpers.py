"""Helpers of the screen tests: a stand-in per-case function and hostile PDF makers.

`fake_review` lets the pool, ledger and outputs be tested without the NLP: it reads the case's
documents and answers from their first line: `HANG` sleeps forever, `HOG` allocates until the
memory limit, `SEGV` kills its worker with SIGSEGV, `BADREPLY` returns neither a result nor an error, `RAISE` raises with chart-like text in the
message (which must never reach an output), `SLEEP <s>` sleeps; anything else is reviewed at once.
"""
from __future__ import annotations

import os
import signal
import time
import zlib
from pathlib import Path

from models import Determination, DocumentSummary, PolicyRef, Recommendation, Request, ReviewResult

SECRET = "Patient Jane Roe has lumbar pain"  # stands for chart text: must not appear in errors
FAKE_DELAY_ENV = "SCREEN_TEST_DELAY"


def fake_warm_up() -> None:
    time.sleep(0.05)


def _documents(paths: list[Path]) -> list[Path]:
    docs = []
    for p in paths:
        docs.extend(sorted(x for x in p.iterdir() if x.suffix in (".pdf", ".txt")) if p.is_dir() else [p])
    return docs


def _act(first_line: str) -> None:
    if first_line == "HANG":
        time.sleep(3600)
    elif first_line == "HOG":
        hog = []
        while True:
            hog.append(bytearray(64 * 1024 * 1024))
    elif first_line == "SEGV":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif first_line == "RAISE":
        raise ValueError(SECRET)
    elif first_line.startswith("SLEEP "):
        time.sleep(float(first_line.split()[1]))


def fake_review(payload: dict) -> dict:
    docs = _documents([Path(p) for p in payload["paths"]])
    summaries, statuses = [], []
    for doc in docs:
        text = doc.read_bytes().decode("latin-1")
        if text.startswith("BADREPLY"):
            return {"status": "maybe"}
        _act(text.split("\n", 1)[0].strip())
        summaries.append(DocumentSummary(name=doc.name, pages=text.count("\n") + 1))
        statuses.append("met" if "met" in text else "insufficient")
    time.sleep(float(os.environ.get(FAKE_DELAY_ENV, "0")))
    status = "met" if statuses and all(s == "met" for s in statuses) else "insufficient"
    result = ReviewResult(
        case_id=payload["case_id"], policy=PolicyRef(id=payload["policy_id"], revision="06/22"),
        request=Request.model_validate(payload["request"] or {}), documents=summaries, facts=[],
        determinations=[Determination(criterion=criterion, status=status, rationale="fake",
                                      missing=[] if status == "met" else ["procedure note of the injections"])
                        for criterion in ("II.G", "II")],
        recommendation=Recommendation(status="meets_criteria" if status == "met" else "missing_documentation",
                                      summary="fake"))
    return {"status": "done", "result_json": result.model_dump_json(), "pages": sum(s.pages for s in summaries)}


def make_cases(root: Path, n: int, special: dict[int, str] | None = None) -> Path:
    """`n` case folders under `root`/cases; `special` maps a case index to its first line."""
    cases = root / "cases"
    for i in range(n):
        folder = cases / f"case-{i:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        first = (special or {}).get(i, "note")
        (folder / "note.txt").write_text(f"{first}\ncase {i}\n{'met' if i % 2 else 'pending'}\n")
    return cases


# --- hostile PDFs --------------------------------------------------------------------------------


def _pdf(objects: list[bytes], root: int = 1, trailer_extra: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, trailer_extra, xref)
    return bytes(out)


def flate_bomb(expanded: int = 1 << 30) -> bytes:
    """A one-page PDF whose content stream is deflated twice: a few KB that inflate to `expanded` bytes."""
    inner = zlib.compressobj(9)
    chunk = b" " * (1 << 24)
    parts = [inner.compress(chunk) for _ in range(expanded // len(chunk))] + [inner.flush()]
    stream = zlib.compress(b"".join(parts), 9)
    content = (b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(stream)) + stream + b"\nendstream"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                 content])


def page_tree_loop() -> bytes:
    """A page tree whose /Kids point back at itself."""
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                 b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"])


def text_pdf(text: str) -> bytes:
    """A tiny valid PDF with one line of text per page."""
    stream = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                  b"/Resources << /Font << /F1 5 0 R >> >> >>"),
                 b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
                 b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"])


def encrypted_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "encrypted")
    pdf.output(str(path))


def hostile_files(folder: Path) -> dict[str, Path]:
    """One flat-PDF case per kind of hostile input; returns case id -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {"bomb": flate_bomb(), "loop": page_tree_loop(), "truncated": text_pdf("Office visit note " * 20)[:300],
             "not-a-pdf": (b"GIF89a this is no pdf at all\x00\x01\x02"), "empty": b""}
    paths = {}
    for name, data in files.items():
        paths[name] = folder / f"{name}.pdf"
        paths[name].write_bytes(data)
    paths["encrypted"] = folder / "encrypted.pdf"
    encrypted_pdf(paths["encrypted"])
    return paths


def live_pids_with_env(marker: str) -> list[int]:
    """Processes (other than this one) whose environment holds `marker` (how orphans are found).

    multiprocessing's resource tracker is not counted: it belongs to the parent, lives as long as it
    does (whether or not a pool runs) and exits when the parent dies (the kill -9 test shows it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker.encode() in (entry / "environ").read_bytes() and \
                    b"resource_tracker" not in (entry / "cmdline").read_bytes():
                status = (entry / "status").read_text()
                if "\nState:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found
