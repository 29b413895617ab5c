"""Values read from a spaCy doc many times per note, computed once and kept on the doc."""
from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc


def once_per_doc(doc: Doc, key: str, build):
    """`build(doc)`, computed on its first read and kept in `doc.user_data[key]`: for what fact modules
    read per mention but spaCy rebuilds from every token on each read (the doc does not change after
    the pipeline ran)."""
    value = doc.user_data.get(key)
    if value is None:
        value = doc.user_data[key] = build(doc)
    return value


TEXT_KEY = "chartsift.text"
_ENTS_KEY = "chartsift.ents"
_text_of, _ents_of = attrgetter("text"), attrgetter("ents")


def doc_text(doc: Doc) -> str:
    """`doc.text`, built once per doc (`process` stores it as it runs)."""
    return once_per_doc(doc, TEXT_KEY, _text_of)


def doc_ents(doc: Doc) -> tuple:
    """`doc.ents`, built once per doc."""
    return once_per_doc(doc, _ENTS_KEY, _ents_of)
