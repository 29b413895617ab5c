"""Form XObject guard: how many times a page's content would draw a form, counted before PDFium sees it.

A form XObject can draw other forms. Thirty forms that each draw the next one twice make a page of
2^30 drawings (a "billion laughs" in 2 KB), and two forms that draw each other and themselves do the
same through a loop: PDFium expands them while loading the page and aborts the process when memory
runs out (no exception reaches Python); pdfminer spins for minutes. This module walks the form graph
with pdfminer's object parser (no page is interpreted): the number of drawings of each form is
computed once (memoized, so the walk is linear in the forms), a form reachable from itself is a loop.
Files whose structure pdfminer cannot parse are left to the real parsers to report.
"""
from __future__ import annotations

import io
import re
from collections import Counter

#: drawings of form XObjects one page may expand to (real documents: a few, a form per logo or stamp)
MAX_FORM_DRAWINGS = 10_000
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_MAY_HOLD_FORMS = (b"/Form", b"/ObjStm")


class FormLoop(Exception):
    """Form XObjects that draw themselves, or a page that would expand to too many drawings."""

    def __init__(self, loop: bool, drawings: int = 0):
        self.loop = loop
        self.drawings = drawings
        super().__init__("form XObjects draw each other in a loop" if loop else
                         f"form XObjects expand to more than {MAX_FORM_DRAWINGS:,} drawings on one page")


def check_forms(data: bytes, limit: int = MAX_FORM_DRAWINGS) -> None:
    """Raise FormLoop if some page's forms loop or expand past `limit` drawings."""
    if not any(marker in data for marker in _MAY_HOLD_FORMS):
        return
    memo: dict[int, int] = {}
    try:
        for content, resources in _pages(data):  # parsed lazily: errors arise while iterating
            if _drawings(content, resources, memo, set(), limit) > limit:
                raise FormLoop(False, limit)
    except FormLoop:
        raise
    except Exception:  # noqa: BLE001 - unparseable here (fuzz findings): PDFium and pdfplumber decide what it is
        return


def _pages(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFXRefFallback
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    parser = PDFParser(io.BytesIO(data))
    document = PDFDocument(parser)
    # PDFium rebuilds a damaged cross-reference table from the objects themselves: look objects up
    # the same way, or a form the table hides (a corrupt entry) escapes the count (fuzz finding oom-1)
    scan = PDFXRefFallback()
    try:
        scan.load(parser)
        document.xrefs.append(scan)
    except Exception:  # noqa: BLE001 - the table as it is, then
        pass
    for page in PDFPage.create_pages(document):
        resources = resolve1(page.resources) or {}
        if _forms(resources):
            yield b"\n".join(_stream_data(s) for s in page.contents), resources


def _forms(resources) -> dict:
    """name -> form XObject stream of a resource dictionary."""
    from pdfminer.pdftypes import PDFStream, resolve1

    xobjects = resolve1(resources.get("XObject")) if isinstance(resources, dict) else None
    found = {}
    for name, ref in (xobjects or {}).items() if isinstance(xobjects, dict) else ():
        stream = resolve1(ref)
        if isinstance(stream, PDFStream) and _name(stream.get("Subtype")) == "Form":
            found[name] = (getattr(ref, "objid", id(stream)), stream)
    return found


def _drawings(content: bytes, resources, memo: dict[int, int], stack: set[int], limit: int) -> int:
    """Form drawings that `content` makes, counting what each drawn form draws in turn."""
    from pdfminer.pdftypes import resolve1

    forms = _forms(resources)
    total = 0
    for raw_name, count in Counter(m.group(1) for m in _DO.finditer(content)).items():
        name = raw_name.decode("latin-1")
        if name not in forms:
            continue
        objid, stream = forms[name]
        if objid in stack:
            raise FormLoop(True)
        if objid not in memo:
            stack.add(objid)
            inner = resolve1(stream.get("Resources")) or resources  # a form without resources uses its page's
            memo[objid] = _drawings(_stream_data(stream), inner, memo, stack, limit)
            stack.discard(objid)
        total += count * (1 + memo[objid])
        if total > limit:
            return total
    return total


def _stream_data(stream) -> bytes:
    from pdfminer.pdftypes import resolve1

    try:
        return resolve1(stream).get_data() or b""
    except Exception:  # noqa: BLE001 - a broken stream draws nothing here
        return b""


def _name(value) -> str:
    return getattr(value, "name", str(value))
