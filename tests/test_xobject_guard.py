"""extractor.ingest.xobject_guard resolves form names as PDFium does (fuzz findings of 2026-11-27): a form with
no /Resources draws with its caller's names, one with resources but no /XObject dictionary with the
page's; a loop through either is refused before PDFium expands it, and forms that resolve to a
different, finite form are not."""
from __future__ import annotations

import pytest
from hostile_harness import load_make_hostile

from extractor.ingest.xobject_guard import FormLoop, check_forms

mh = load_make_hostile()
FORM = mh.FORM + b"%s"
_page = mh.form_page_pdf
LEAF = mh.stream(mh.text_content(["leaf"]), FORM % b" /Resources << /Font << /F1 4 0 R >> >>")


@pytest.mark.parametrize("data", [
    pytest.param(mh.inherited_names_loop(), id="no-resources-inherits-callers-names"),
    pytest.param(mh.page_names_loop(), id="no-xobject-dict-uses-page-names"),
    pytest.param(mh.names_loop_crossover(), id="fuzz-oom3-names-of-what-draws-the-form"),
    pytest.param(_page([mh.stream(b"/X Do", FORM % b""), LEAF]), id="page-form-without-resources-draws-itself"),
])
def test_loops_through_inherited_names_are_refused(data):
    with pytest.raises(FormLoop) as raised:
        check_forms(data)
    assert raised.value.loop


@pytest.mark.parametrize("data", [
    pytest.param(_page([mh.stream(b"/Y Do", FORM % b" /Resources << /XObject << /Y 7 0 R >> >>"),
                        mh.stream(b"/Z Do", FORM % b""), LEAF], b"/X 6 0 R /Z 8 0 R"),
                 id="inherited-name-reaches-a-leaf"),
    pytest.param(_page([mh.stream(b"/Y Do /Y Do", FORM % b" /Resources << /XObject << /Y 7 0 R >> >>"),
                        mh.stream(b"/W Do", FORM % b" /Resources << /Font << /F1 4 0 R >> >>"), LEAF],
                       b"/X 6 0 R /W 8 0 R"), id="page-name-reaches-a-leaf"),
    pytest.param(mh.good_note_pdf(), id="plain-text-page"),
])
def test_finite_forms_pass(data):
    check_forms(data)
