"""`planned_procedure` facts (SPEC section 4): the SI joint fusion the chart plans or requests.

Assertion convention: the requested fusion is a plan, and SPEC says planned or recommended
events are `hypothetical`, so a planned fusion is `hypothetical` (also when ConText calls it
possible: "consider SI joint fusion"). A fusion the chart rules out ("not a candidate for SI
joint fusion", "declines fusion") is `negated`. A fusion already done ("s/p left SIJ fusion")
is no planned procedure and gives no fact; a family member's surgery neither.

One fact per note and assertion: approach, CPT and side are read from every mention of the
note (the first one that states each wins); the packet-level resolver keeps the latest note.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.facts._clinical import (
    TargetRuleSpec,
    Vocab,
    assertion_of,
    combine_sides,
    doc_text,
    sentence_bounds,
    sides_in,
    vocab_matches,
)
from extractor.nlp.pipeline import doc_ents
from extractor.rules.loader import load_rules
from models import Fact, PlannedProcedure

RULE = "planned_procedure"
_FAMILY = re.compile(r"\b(?:mother|father|sister|brother|daughter|son|aunt|uncle|family\s+history|FH)\b", re.IGNORECASE)


class PlannedProcedureRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    mentions: list[Vocab]
    approaches: list[Vocab]
    cpt: str
    not_planned: list[str]
    declined: list[str]
    deferred_side: str = Field(description="regex after a side word: that side is deferred ('L side to be considered later')")


@lru_cache(maxsize=1)
def rules() -> PlannedProcedureRules:
    return load_rules("planned_procedure", PlannedProcedureRules)


def extract(doc, ctx) -> list[Fact]:
    text = doc_text(doc)
    by_assertion: dict[str, list[dict]] = {}
    seen_sentences: set[tuple[int, int]] = set()
    for s, e, _ in vocab_matches(rules().mentions, text):
        lo, hi = _clause(text, *sentence_bounds(doc, s), s, e)
        mention = read_mention(doc, text, s, e, lo, hi)
        if mention is None or (lo, hi, mention["assertion"]) in seen_sentences:
            continue
        seen_sentences.add((lo, hi, mention["assertion"]))
        mention["evidence"] = ctx.evidence(lo, hi, rule=f"{RULE}:mention")
        by_assertion.setdefault(mention["assertion"], []).append(mention)
    return [_fact(assertion, mentions) for assertion, mentions in by_assertion.items()]


def read_mention(doc, text: str, s: int, e: int, lo: int, hi: int) -> dict | None:
    """Attributes of one fusion mention from its clause, or None when it is no plan."""
    r = rules()
    clause = text[lo:hi]
    if any(re.search(p, clause, re.IGNORECASE) for p in r.not_planned):
        return None
    assertion = _assertion(doc, s, e, clause)
    if assertion is None:
        return None
    approaches = {v for _, _, v in vocab_matches(r.approaches, text, lo, hi)}
    cpt = re.search(r.cpt, clause)
    return {
        "assertion": assertion,
        "approach": approaches.pop() if len(approaches) == 1 else None,
        "cpt": cpt.group(1) if cpt else None,
        "side": combine_sides(side for _, b, side in sides_in(text, lo, hi)
                              if not re.match(r.deferred_side, text[b:hi], re.IGNORECASE)),
    }


def _assertion(doc, s: int, e: int, clause: str) -> str | None:
    if any(re.search(p, clause, re.IGNORECASE) for p in rules().declined):
        return "negated"
    ent_assertion = "present"
    span = doc.char_span(s, e, alignment_mode="expand")
    for ent in doc_ents(doc):
        if span is not None and ent.label_ == "PLANNED_PROCEDURE" and ent.start < span.end and span.start < ent.end:
            ent_assertion = assertion_of(ent)
    if ent_assertion == "family" and _FAMILY.search(clause):
        return None  # a relative's surgery; ConText's family cue elsewhere in the sentence does not count
    return "negated" if ent_assertion == "negated" else "hypothetical"


def _clause(text: str, lo: int, hi: int, s: int, e: int) -> tuple[int, int]:
    """The part of the sentence around the mention, cut at semicolons."""
    left = text.rfind(";", lo, s)
    right = text.find(";", e, hi)
    lo = left + 1 if left >= 0 else lo
    hi = right if right >= 0 else hi
    while lo < hi and text[lo] in " \t\n-:":
        lo += 1
    while hi > lo and text[hi - 1] in " \t\n.;":
        hi -= 1
    return lo, hi


def _fact(assertion: str, mentions: list[dict]) -> PlannedProcedure:
    def first(name: str):
        return next((m[name] for m in mentions if m[name] is not None), None)

    cpt = first("cpt")
    approach = first("approach") or {"27279": "minimally_invasive", "27280": "open"}.get(cpt or "")
    return PlannedProcedure(assertion=assertion, approach=approach, cpt=cpt, side=first("side"),
                            evidence=[m["evidence"] for m in mentions])
