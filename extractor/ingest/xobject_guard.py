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
import zlib
from collections import Counter

#: drawings of form XObjects one page may expand to (real documents: a few, a form per logo or stamp)
MAX_FORM_DRAWINGS = 10_000
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do\b")
_MAY_HOLD_FORMS = (b"/Form", b"/ObjStm")
_FLATE = re.compile(rb"/(?:FlateDecode|Fl)\b")


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
    check_raw_forms(data, limit)
    memo: dict[int, int] = {}
    try:
        document = _document(data)
        for objid, form in _every_form(document):  # reachable from a page or not: a page tree may loop
            if objid not in memo:
                memo[objid] = _drawings(_stream_data(form), _resources_of(form), memo, {objid}, limit)
            if memo[objid] > limit:
                raise FormLoop(False, limit)
        for content, resources in _pages(document):  # parsed lazily: errors arise while iterating
            if _drawings(content, resources, memo, set(), limit) > limit:
                raise FormLoop(False, limit)
    except FormLoop:
        raise
    except Exception:  # noqa: BLE001 - unparseable here (fuzz findings): PDFium and pdfplumber decide what it is
        return


_OBJ = re.compile(rb"(?<![0-9])(\d{1,10})\s+\d{1,5}\s+obj\b")
_XOBJECT_DICT = re.compile(rb"/XObject\s*<<(.*?)>>", re.DOTALL)
_REF = re.compile(rb"/([^\s/<>\[\]()]+)\s*(\d{1,10})\s+\d{1,5}\s+R")
_STREAM_AT = re.compile(rb"stream\r?\n")
MAX_FORM_CONTENT = 16 << 20


def check_raw_forms(data: bytes, limit: int = MAX_FORM_DRAWINGS) -> None:
    """The same count over the objects as they lie in the file, with no parser: what PDFium finds when it
    rebuilds a broken file, pdfminer may refuse to read at all (fuzz finding oom-2: a looping page tree
    and an invalid dictionary before a fan-out of forms). Every definition of an object number counts, as a
    file made of several bodies may have PDFium take any of them; a form's count is its worst definition's.

    Names resolve as PDFium resolves them: a form with no /Resources draws with its caller's, and one
    whose resources hold no /XObject dictionary looks its names up in the page's (fuzz findings of
    2026-11-27: a damaged "/Resources" or "/XObject" key turned a chain of forms into a form drawing
    itself twice through inherited names, which PDFium expanded until memory ran out). Page names are
    those of every page object in the file, as a damaged file may not say which page is which."""
    page_names: dict[bytes, int] = {}
    forms: dict[int, list[tuple[bytes, bytes]]] = {}  # object number -> (dictionary, body) of each definition
    marks = list(_OBJ.finditer(data))
    for mark, following in zip(marks, marks[1:] + [None]):
        body = data[mark.end():following.start() if following else len(data)]
        head = body.split(b"stream", 1)[0]
        if _PAGE.search(head):
            page_names.update(_names(head))
        if b"/Form" in head:
            forms.setdefault(int(mark.group(1)), []).append((head, body))
    # every definition of a form number counts, not only the last: PDFium may take an earlier one
    # (fuzz findings oom-4/oom-5 of 2026-12-08: files made of several bodies that reuse object numbers,
    # where a later non-form object of the same number hid the page-names loop from a last-wins map)
    defs: dict[int, list[tuple[dict[bytes, int] | None, bytes]]] = {
        objid: [((_names(head) if _XOBJECT_KEY.search(head) else page_names) if _RESOURCES.search(head) else None,
                 body) for head, body in found]
        for objid, found in forms.items()}
    memo: dict[tuple[int, int, int], int] = {}

    def drawings(objid: int, stack: set[int], caller: dict[bytes, int]) -> int:
        if objid in stack:
            raise FormLoop(True)
        worst = 0
        for index, (own, body) in enumerate(defs[objid]):
            names = own if own is not None else caller
            key = (objid, index, id(names))
            if key not in memo:
                total = 0
                for name, count in Counter(m.group(1) for m in _DO.finditer(_raw_content(body))).items():
                    child = names.get(name)
                    if child in defs:
                        total += count * (1 + drawings(child, stack | {objid}, names))
                        if total > limit:
                            break
                memo[key] = total
            worst = max(worst, memo[key])
        return worst

    try:
        for objid in defs:
            if drawings(objid, set(), page_names) > limit:
                raise FormLoop(False, limit)
    except RecursionError:  # forms nested hundreds deep: no real document does that
        raise FormLoop(False, limit) from None


_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_RESOURCES = re.compile(rb"/Resources(?![A-Za-z])")
_XOBJECT_KEY = re.compile(rb"/XObject\s*<<")


def _names(head: bytes) -> dict[bytes, int]:
    """name -> object number of the /XObject dictionaries in an object's dictionary."""
    return {m.group(1): int(m.group(2)) for d in _XOBJECT_DICT.finditer(head) for m in _REF.finditer(d.group(1))}


def _raw_content(body: bytes) -> bytes:
    """A stream object's data, inflated (bounded) when its dictionary says FlateDecode."""
    head, _, rest = body.partition(b"stream")
    start = _STREAM_AT.match(b"stream" + rest)
    raw = rest[start.end() - 6:] if start else rest
    raw = raw.split(b"endstream", 1)[0]
    for _ in range(len(_FLATE.findall(head))):
        try:
            raw = zlib.decompressobj().decompress(raw, MAX_FORM_CONTENT)
        except zlib.error:
            return b""
    return raw


def _document(data: bytes):
    from pdfminer.pdfdocument import PDFDocument, PDFXRefFallback
    from pdfminer.pdfparser import PDFParser

    parser = PDFParser(io.BytesIO(data))
    document = PDFDocument(parser)
    # PDFium rebuilds a damaged cross-reference table from the objects themselves: look objects up
    # the same way, or a form the table hides (a corrupt entry) escapes the count (fuzz finding oom-1)
    scan = PDFXRefFallback()
    try:
        scan.load(parser)
        document.xrefs.append(scan)
    except Exception:  # noqa: BLE001, S110 - the table as it is, then
        pass
    return document


def _every_form(document):
    """(object id, stream) of every form XObject the file defines (fuzz finding oom-2: a looping page
    tree hid a fan-out of forms from the page walk, which PDFium then found)."""
    from pdfminer.pdftypes import PDFStream

    ids = sorted({objid for xref in document.xrefs for objid in xref.get_objids()})
    for objid in ids:
        try:
            obj = document.getobj(objid)
        except Exception:  # noqa: BLE001, S112 - a broken object draws nothing here
            continue
        if isinstance(obj, PDFStream) and _name(obj.get("Subtype")) == "Form":
            yield objid, obj


def _resources_of(form) -> dict:
    from pdfminer.pdftypes import resolve1

    resources = resolve1(form.get("Resources"))
    return resources if isinstance(resources, dict) else {}


def _pages(document):
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import resolve1

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
    """Form drawings that `content` makes, counting what each drawn form draws in turn.

    A name a form's own resources lack is looked up in the page's, as PDFium does (fuzz finding oom-3:
    a form whose /XObject key was misspelt drew its caller by a name only the page defined). Such a
    form's count depends on the page that draws it, so it is not memoized; `resources` of the first
    call are the page's."""
    drawings, _ = _count(content, resources, memo, stack, limit, _forms(resources))
    return drawings


def _count(content: bytes, resources, memo: dict[int, int], stack: set[int], limit: int,
           page_forms: dict) -> tuple[int, bool]:
    """(drawings, whether they depend only on `resources`, not on the page that draws `content`)."""
    from pdfminer.pdftypes import resolve1

    forms = _forms(resources)
    total, own_only = 0, True
    for raw_name, count in Counter(m.group(1) for m in _DO.finditer(content)).items():
        name = raw_name.decode("latin-1")
        found = forms.get(name) or page_forms.get(name)
        own_only = own_only and name in forms  # a name the form lacks may be the page's
        if found is None:
            continue
        objid, stream = found
        if objid in stack:
            raise FormLoop(True)
        inner_drawings = memo.get(objid)
        if inner_drawings is None:
            stack.add(objid)
            inner = resolve1(stream.get("Resources")) or resources  # a form without resources uses its page's
            inner_drawings, context_free = _count(_stream_data(stream), inner, memo, stack, limit, page_forms)
            stack.discard(objid)
            if context_free:
                memo[objid] = inner_drawings
            own_only = own_only and context_free
        total += count * (1 + inner_drawings)
        if total > limit:
            return total, own_only
    return total, own_only


def _stream_data(stream) -> bytes:
    from pdfminer.pdftypes import resolve1

    try:
        return resolve1(stream).get_data() or b""
    except Exception:  # noqa: BLE001 - a broken stream draws nothing here
        return b""


def _name(value) -> str:
    return getattr(value, "name", str(value))
