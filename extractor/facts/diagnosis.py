"""`diagnosis` facts (SPEC section 4): condition, with the ICD-10-CM code the chart gives.

Conditions are found by the phrases of `rules/diagnosis.json` ("left SI joint dysfunction",
"pyogenic sacroiliitis", "sacral chordoma") and by ICD-10 codes alone ("M46.1"), mapped to a
condition by the longest code prefix listed there. A code next to a phrase ("sacroiliitis
(M46.1)") is that diagnosis's `icd10`.

Assertion: ConText on the DIAGNOSIS target ("no history of fibromyalgia", "denies
fibromyalgia" -> negated; "mother has fibromyalgia" -> family), refined by what ConText
misses on forms: an answer after the phrase ("Fibromyalgia: [ ] yes [x] no", "Fibromyalgia
(-)" -> negated) and "r/o"/"rule out"/"suspected" before it (-> possible).

Conventions: radiology reports and office-note summaries of imaging ("MRI pelvis: no fracture,
tumor or infection") are read by the imaging extractor, not here, so a finding is not also a
diagnosis (nor is what an IMPRESSION line excludes); a symptom alone ("SI joint pain", "low back
pain") is no diagnosis, though its ICD-10 code is; one fact per condition and assertion per note,
with every mention as evidence.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.facts._clinical import (
    CHECKED,
    UNCHECKED,
    TargetRuleSpec,
    Vocab,
    assertion_of,
    checkbox_answer,
    doc_text,
    line_bounds,
    section_at,
    sentence_bounds,
    vocab_matches,
)
from extractor.facts.imaging import report_spans
from extractor.nlp.pipeline import doc_ents
from extractor.rules.loader import load_rules
from models import Diagnosis, Fact

RULE = "diagnosis"


class ConditionVocab(Vocab):
    requires: str | None = Field(default=None, description="regex the sentence must also hold")
    sections: list[str] | None = Field(default=None, description="sections the phrase counts in")
    excludes_near: str | None = Field(default=None, description="regex that, within 50 characters before or 30 after "
                                      "in the sentence, names another region ('right arm radiculopathy' is no lumbar one)")
    assertions: list[str] | None = Field(default=None, description="the only assertions the phrase counts with "
                                         "('no widespread pain' beside fibromyalgia is a denied disorder; affirmed, a symptom)")


class CodeMap(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str
    condition: str


class DiagnosisRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    conditions: list[ConditionVocab]
    icd10_pattern: str
    icd10: list[CodeMap]
    code_link_chars: int = Field(gt=0)
    negative_answer: str
    positive_answer: str
    possible_cues: str
    imaging_summary: str
    resolved_after: str = Field(description="regex after a mention: a condition since resolved is history ('H/o X, resolved')")
    row_status_negated: str = Field(description="regex after a mention, past a side word and a code column: the row "
                                    "excludes it ('Fibromyalgia   M79.7   Excluded', 'radiculopathy ruled out by MRI')")
    row_status_possible: str = Field(description="the same, for a row kept open ('Somatic symptom disorder  --  Rule out')")
    row_status_resolved: str = Field(description="the same, for a problem resolved ('... M54.16   Resolved 2019')")
    resolved_before: str = Field(description="regex of the row text before a mention: a problem list's status column "
                                 "('Resolved  M54.16  Lumbar radiculopathy (2021)') makes it history")
    imaging_line_label: str = Field(description="regex (case-sensitive: radiology capitals) of a line opening with a study label ('MRI PELVIS W/O: ...')")


@lru_cache(maxsize=1)
def rules() -> DiagnosisRules:
    return load_rules("diagnosis", DiagnosisRules)


def condition_of_code(code: str) -> str | None:
    """Condition of an ICD-10-CM code by its longest listed prefix ("M54.50" -> M54.5)."""
    norm = code.upper()
    best = max((m for m in rules().icd10 if norm.startswith(m.prefix.upper())), key=lambda m: len(m.prefix),
               default=None)
    return best.condition if best else None


def extract(doc, ctx) -> list[Fact]:
    text = doc_text(doc)
    blocks = report_spans(text)
    found: dict[tuple[str, str], Diagnosis] = {}
    for mention in mentions(doc, text):
        s = mention["span"][0]
        if _read_by_imaging(text, s, blocks) or mention["assertion"] == "negated" and _impression_line(text, s):
            continue
        if mention["assertion"] in ("negated", "family"):
            mention["icd10"] = None  # a code names the patient's diagnosis, never a denied one
        key = (mention["condition"], mention["assertion"])
        ev = ctx.evidence(*mention["evidence"], rule=f"{RULE}:{mention['rule']}")
        fact = found.get(key)
        if fact is None:
            found[key] = Diagnosis(condition=mention["condition"], icd10=mention["icd10"],
                                   assertion=mention["assertion"], evidence=[ev])
            continue
        fact.icd10 = fact.icd10 or mention["icd10"]
        if all(x.start != ev.start for x in fact.evidence):
            fact.evidence.append(ev)
    return list(found.values())


def mentions(doc, text: str) -> list[dict]:
    """Every condition phrase and every mapped code that no phrase claims."""
    r = rules()
    codes = [(m.start(1), m.end(1), m.group(1)) for m in re.finditer(r.icd10_pattern, text)]
    linked: set[int] = set()
    out = []
    for s, e, condition, assertions in _phrases(doc, text):
        code = _adjacent_code(text, s, e, codes)
        mention = _mention(doc, text, s, e, condition, code[2] if code else None, "phrase", code)
        if assertions is not None and mention["assertion"] not in assertions:
            continue
        if code is not None:
            linked.add(code[0])
        out.append(mention)
    for cs, ce, code in codes:
        condition = condition_of_code(code)
        if cs in linked or condition is None:
            continue
        out.append(_mention(doc, text, cs, ce, condition, code, "icd10", None))
    return out


def _phrases(doc, text: str) -> list[tuple[int, int, str, list[str] | None]]:
    r = rules()
    by_value = {}
    for v in r.conditions:
        by_value.setdefault(id(v), v)
    hits = []
    for s, e, value in vocab_matches(r.conditions, text):
        entry = _entry_at(r.conditions, value, text, s, e)
        lo, hi = sentence_bounds(doc, s)
        if entry.requires and not re.search(entry.requires, text[lo:hi], re.IGNORECASE):
            continue
        if entry.sections and section_at(doc, s) not in entry.sections:
            continue
        if entry.excludes_near and not _NAMES_LOW_BACK.search(text[s:e]) \
                and re.search(entry.excludes_near, text[max(lo, s - 50):min(hi, e + 30)], re.IGNORECASE):
            continue  # the mention names no region of its own, and another one stands beside it
        hits.append((s, e, value, entry.assertions))
    return hits


_NAMES_LOW_BACK = re.compile(r"\b(?:lumbar|lumbosacral|L\d|S1)\b", re.IGNORECASE)


def _entry_at(conditions, value: str, text: str, s: int, e: int):
    """The vocabulary entry whose pattern made the hit text[s:e], matched in place (a pattern may end on a
    boundary that only the following text makes, e.g. 'septic sacroiliac' + ' arthropathy'); failing
    that, the first entry of the value (never an error: the hit was made by one of them)."""
    of_value = [v for v in conditions if v.value == value]
    for entry in of_value:
        for pattern in entry.patterns:
            m = re.compile(pattern, re.IGNORECASE).match(text, s)
            if m is not None and m.end() == e:
                return entry
    return of_value[0]


def _adjacent_code(text: str, s: int, e: int, codes) -> tuple[int, int, str] | None:
    """A code right after the phrase ("(M46.1)", ", M53.3") or right before it ("M53.3 - ...")."""
    limit = rules().code_link_chars
    after = [c for c in codes if e <= c[0] <= e + limit and re.fullmatch(r"[\s,:(\-\u2013]*", text[e:c[0]])]
    if after:
        return after[0]
    before = [c for c in codes if s - 12 <= c[1] <= s and re.fullmatch(r"[\s:\-–)(]*", text[c[1]:s])]
    return before[-1] if before else None


def _mention(doc, text: str, s: int, e: int, condition: str, icd10: str | None, rule: str, code) -> dict:
    end = max(e, code[1] + (1 if text[code[1]:code[1] + 1] == ")" else 0)) if code else e
    start = min(s, code[0]) if code else s
    start = _with_side_word(text, start)
    return {"span": (s, e), "evidence": (start, end), "condition": condition, "icd10": icd10, "rule": rule,
            "assertion": _assertion(doc, text, s, e)}


def _with_side_word(text: str, start: int) -> int:
    m = re.search(r"\b(?:left|right|bilateral|L|R)\s+$", text[max(0, start - 12):start], re.IGNORECASE)
    return start - (len(m.group(0))) if m else start


def _assertion(doc, text: str, s: int, e: int) -> str:
    r = rules()
    line_lo, line_hi = line_bounds(text, s)
    tail = text[e:line_hi]
    answer = _form_answer(text, line_lo, tail)
    if answer is not None:
        return "present" if answer else "negated"
    if re.match(r.negative_answer, tail, re.IGNORECASE) or re.match(r.row_status_negated, tail, re.IGNORECASE):
        return "negated"
    if re.match(r.row_status_possible, tail, re.IGNORECASE):
        return "possible"
    if re.match(r.row_status_resolved, tail, re.IGNORECASE):
        return "historical"
    positive = bool(re.match(r.positive_answer, tail, re.IGNORECASE))
    ent_assertion = _ent_assertion(doc, s, e)
    if re.match(r.resolved_before, text[line_lo:s], re.IGNORECASE) and ent_assertion in ("present", "negated"):
        return "historical"  # a problem list row whose status reads Resolved / Inactive
    if ent_assertion == "negated" and re.match(r.resolved_after, tail, re.IGNORECASE):
        return "historical"  # "resolved" is ConText negation, yet the condition was there
    if ent_assertion in ("family", "negated"):
        return ent_assertion
    if ent_assertion == "hypothetical":  # "requesting fusion for SI joint dysfunction": the diagnosis stands
        ent_assertion = "present"
    if re.search(r.possible_cues, text[max(line_lo, s - 30):s], re.IGNORECASE):
        return "possible"
    if positive:
        return "present"
    return ent_assertion


_BOX = rf"(?:{CHECKED})|(?:{UNCHECKED})"
# the rest of a form question after the condition: more items, then "?" or ":" ("/ chronic pain syndrome?")
_QUESTION_REST = re.compile(r"[^.;\[\]\n\u2610-\u2612]{0,80}?[?:]")
# answer words before their boxes: "Y [ ]  N [x]"
_WORD_BOXES = re.compile(rf"^\s*(?:yes|y)\s*(?P<yes>{_BOX})\s*(?:no|n)\s*(?P<no>{_BOX})\s*(?:$|[|;,])", re.IGNORECASE)
# two bare boxes, answered under a "Yes  No" header line above
_TWO_BOXES = re.compile(rf"^[^\[\]\n\u2610-\u2612:?]{{0,80}}?(?P<first>{_BOX})\s*(?P<second>{_BOX})\s*$")
_YES_NO_HEADER = re.compile(r"(?im)^[^\n\[\]]*\b(?P<first>yes|y|no|n)[ \t]+(?P<second>yes|y|no|n)[ \t]*$")


def _form_answer(text: str, line_lo: int, tail: str) -> bool | None:
    """The ticked answer of a form row naming the condition: right after it ("Fibromyalgia: [ ] yes [x] no"),
    after the other items of the same question ("Fibromyalgia / chronic pain syndrome?  [ ] yes  [x] no"),
    as words before boxes ("... Y [ ]  N [x]"), or bare boxes under a "Yes  No" header line."""
    answer = checkbox_answer(tail[:40])
    if answer is not None:
        return answer
    rest = _QUESTION_REST.match(tail)
    after = tail[rest.end():] if rest else tail
    answer = checkbox_answer(after[:40]) if rest else None
    if answer is not None:
        return answer
    m = _WORD_BOXES.match(after)
    if m:
        yes, no = (bool(re.fullmatch(CHECKED, m.group(g))) for g in ("yes", "no"))
        return yes if yes != no else None
    m = _TWO_BOXES.match(tail)
    if m:
        header = list(_YES_NO_HEADER.finditer(text, max(0, line_lo - 400), line_lo))
        if header and {header[-1].group("first")[0].lower(), header[-1].group("second")[0].lower()} == {"y", "n"}:
            first, second = (bool(re.fullmatch(CHECKED, m.group(g))) for g in ("first", "second"))
            if first != second:
                return first == (header[-1].group("first")[0].lower() == "y")
    return None


_FALLBACK_NEGATION = re.compile(r"\b(?:no|denies|denied|without|negative\s+for|free\s+of)\b[^.;:\n]{0,40}$", re.IGNORECASE)


def _ent_assertion(doc, s: int, e: int) -> str:
    """ConText's assertion of the DIAGNOSIS target on the mention; when another target took the
    words (overlapping rules of other fact types), a plain negation cue before it still counts."""
    span = doc.char_span(s, e, alignment_mode="expand")
    for ent in doc_ents(doc) if span is not None else ():
        if ent.start < span.end and span.start < ent.end and ent.label_ == "DIAGNOSIS":
            return assertion_of(ent)
    line_start = doc_text(doc).rfind("\n", 0, s) + 1
    return "negated" if _FALLBACK_NEGATION.search(doc_text(doc)[line_start:s]) else "present"


def _impression_line(text: str, offset: int) -> bool:
    """A line labelled FINDINGS/IMPRESSION in capitals: what it excludes ("No sacroiliitis") is a radiology
    finding's absence (read by imaging) even when the note lost its study header."""
    line_start = text.rfind("\n", 0, offset) + 1
    # radiology labels are written in capitals; a clinic's "Impression:" is its assessment
    return bool(re.match(r"\s*(?:FINDINGS?|IMPRESSIONS?|CONCLUSIONS?)\s*:", text[line_start:offset]))


def _read_by_imaging(text: str, offset: int, blocks: list[tuple[int, int]]) -> bool:
    """A mention the imaging extractor reads: anywhere in a radiology report (one with FINDINGS or
    IMPRESSION), or in a sentence that summarizes a study ("MRI pelvis 7/7/25: no fracture ...")."""
    r = rules()
    for a, b in blocks:
        if a <= offset < b and re.search(r"^\s*(?:FINDINGS?|IMPRESSIONS?|CONCLUSIONS?)\s*:", text[a:b], re.IGNORECASE | re.MULTILINE):
            return True
    line_start = text.rfind("\n", 0, offset) + 1
    if re.match(r.imaging_line_label, text[line_start:offset]):
        return True  # a radiology results line, label in capitals: "MRI PELVIS W/O: ... No sacroiliitis"
    ends = [m.end() for m in re.finditer(r"[.;]\s", text[line_start:offset])]
    cut = line_start + (ends[-1] if ends else 0)
    return bool(re.search(r.imaging_summary, text[cut:offset]))
