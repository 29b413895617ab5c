"""extractor.ingest.xobject_guard resolves form names as PDFium does (fuzz findings of 2026-11-27): a form with
no /Resources draws with its caller's names, one with resources but no /XObject dictionary with the
page's; a loop through either is refused before PDFium expands it, and forms that resolve to a
different, finite form are not."""
from __future__ import annotations

import pytest
from hostile_harness import load_make_hostile

from extractor.ingest.xobject_guard import FormLoop, check_forms, check_raw_forms

mh = load_make_hostile()
FORM = mh.FORM + b"%s"
_page = mh.form_page_pdf
LEAF = mh.stream(mh.text_content(["leaf"]), FORM % b" /Resources << /Font << /F1 4 0 R >> >>")


@pytest.mark.parametrize("data", [
    pytest.param(mh.inherited_names_loop(), id="no-resources-inherits-callers-names"),
    pytest.param(mh.page_names_loop(), id="no-xobject-dict-uses-page-names"),
    pytest.param(mh.names_loop_crossover(), id="fuzz-oom3-names-of-what-draws-the-form"),
    pytest.param(mh.earlier_form_definition_oom4(), id="fuzz-oom4-earlier-definition-of-a-form-number"),
    pytest.param(mh.earlier_form_definition_oom5(), id="fuzz-oom5-earlier-definition-of-a-form-number"),
    pytest.param(mh.redefined_loop_form(), id="loop-form-defined-again-as-a-plain-stream"),
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


def test_a_form_defined_twice_counts_both_definitions_and_a_finite_update_still_reads():
    """Fuzz findings oom-4/-5 of 2026-12-08: a later definition of a loop's form number must not hide the
    earlier one, which PDFium may take (its xref table points there). An ordinary redefinition (an
    incremental update replacing a leaf form by another leaf) is no loop and reads."""
    from extractor.ingest.reader import ingest

    updated = _page([mh.stream(b"/Y Do", FORM % b" /Resources << /XObject << /Y 7 0 R >> >>"), LEAF])
    updated += b"7 0 obj\n" + mh.stream(mh.text_content(["leaf again"]), FORM % b" /Resources << /Font << /F1 4 0 R >> >>")
    updated += b"\nendobj\n"
    check_forms(updated)
    assert "leaf" in ingest(updated, name="updated.pdf").text
    check_raw_forms(updated)
    with pytest.raises(FormLoop):  # the walk over the file as it lies (the one PDFium's rebuilds follow)
        check_raw_forms(mh.redefined_loop_form())
