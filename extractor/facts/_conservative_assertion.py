"""The assertion of a conservative-care mention (extractor/facts/conservative_treatment.py): ConText's,
except that "historical" is present, negation cues that are outcomes ("did not help") leave the mention
present, a checkbox owns its item, and plan words yield to completed care in the same sentence."""
from __future__ import annotations

import re

from spacy.tokens import Span

from extractor.facts._conservative_rules import CompiledRules, compiled_rules
from extractor.nlp.pipeline import assertion_of, doc_ents, doc_text


def mention_assertion(ent: Span, window: tuple[int, int], rules: CompiledRules) -> str:
    assertion = assertion_of(ent)
    text = doc_text(ent.doc)
    before = text[window[0]:ent.start_char]
    sentence = ent.sent.text
    if assertion == "negated" and (_negation_is_outcome(ent, rules) or not _treatment_negator(ent, rules)
                                   or not _negator_governs(ent, window)):
        assertion = _without_negation(ent)  # "did not help" is an outcome; "fever resolved" negates no care
    box = _checkbox(ent, window)
    if box is not None and assertion in ("present", "negated", "historical"):
        assertion = "present" if box else "negated"  # "[ ] Chiropractic  [x] Home exercise": each box owns its item
    if assertion == "present" and rules.plan_before.search(before):
        assertion = "hypothetical"  # "prognosis good with compliance to a home exercise program"
    continuing = rules.continuing.search(sentence) and not _CONDITIONAL.search(sentence)
    if assertion == "hypothetical" and (_only_months(ent) or continuing
                                        or _soft_plan(ent, rules) and rules.performed.search(sentence)):
        assertion = _without_negation(ent, hypothetical=False)
    after = text[ent.end_char:window[1]]
    if assertion in ("present", "historical") and (rules.negation.search(before) or rules.negation_after.match(after)
                                                   or rules.negated_target.match(ent.text)):
        assertion = "negated"  # "has never tried PT", "Still no medications.", "PT: declined"
    return "present" if assertion == "historical" else assertion


_BOX = re.compile(r"\[\s*([xX✓✔]?)\s*\]|\(\s*([xX]?)\s*\)|([☒☑☐])")


def _box_checked(m: re.Match) -> bool:
    return bool(m.group(1) or m.group(2) or m.group(3) in ("☒", "☑"))


def _checkbox(ent: Span, window: tuple[int, int]) -> bool | None:
    """A checkbox row's answer for this item: the box just before it in its window and line ("[x] PT"), or a
    Yes/No pair of boxes right after it ("Chiropractor  [X]  [ ]": the first box is Yes); None when no box."""
    text = doc_text(ent.doc)
    line_start = text.rfind("\n", 0, ent.start_char) + 1
    before = text[max(line_start, window[0]):ent.start_char]
    boxes = list(_BOX.finditer(before))
    if boxes and not before[boxes[-1].end():].strip(" \t:-.").count(" ") > 3:
        return _box_checked(boxes[-1])
    line_end = text.find("\n", ent.end_char)
    after = text[ent.end_char:line_end if line_end >= 0 else len(text)]
    pair = re.match(r"^[\s.:_-]*(\[\s*[xX✓✔]?\s*\]|\(\s*[xX]?\s*\)|[☒☑☐])\s*(\[\s*[xX✓✔]?\s*\]|\(\s*[xX]?\s*\)|[☒☑☐])", after)
    if pair:
        yes, no = (_box_checked(_BOX.match(pair.group(k))) for k in (1, 2))
        if yes != no:
            return yes
    return None


def _negator_governs(ent: Span, window: tuple[int, int]) -> bool:
    """Some negating modifier reaches this item: nothing but a list of care items, connectors and a few
    words lie between ("denies any chiropractic care or PT", "PT: declined"), not a clause of its own ("no
    operative indication for the fracture, protected weight bearing"; "without surgery with twelve weeks of ...")."""
    doc = ent.doc
    text = doc_text(doc)
    care = [e for e in doc_ents(doc) if e.label_ in compiled_rules().rules.modality_of_category]
    for m in ent._.modifiers:
        if m.category not in ("NEGATED_EXISTENCE", "NOT_PERFORMED"):
            continue
        span = doc[m.modifier_span[0]:m.modifier_span[1]]
        if span.start_char < ent.end_char and span.end_char > ent.start_char:
            return True
        a, b = (span.end_char, ent.start_char) if span.end_char <= ent.start_char else (ent.end_char, span.start_char)
        between = list(text[a:b])
        for e in care:  # other care items of the same list do not count
            if a <= e.start_char and e.end_char <= b:
                between[e.start_char - a:e.end_char - a] = " " * (e.end_char - e.start_char)
        rest = re.sub(r"\([^()]*\)", " ", "".join(between))  # "(personal preference)"
        words = [w for w in re.findall(r"[A-Za-z]+", rest) if w.lower() not in _LIST_WORDS]
        if len(words) <= _NEGATOR_WORDS and not re.search(r"[;:]|\[\s*[xX]\s*\]", rest):
            return True
    return False


_LIST_WORDS = {"or", "and", "nor", "any", "a", "an", "the", "of", "prior", "previous", "formal", "trial", "trials",
               "course", "courses", "with", "her", "his", "their", "for", "this", "pain", "all", "other", "including",
               "such", "as", "e", "g", "eg", "like", "either", "medication", "medications", "meds", "to", "be", "on"}
_NEGATOR_WORDS = 2  # plain words a negation reaches over to the care it denies ("has not yet tried PT")


_CONDITIONAL = re.compile(r"\b(?:if|unless|will (?:start|begin|try|initiate|refer))\b", re.IGNORECASE)


def _negation_is_outcome(ent: Span, rules: CompiledRules) -> bool:
    """Every negating modifier is part of an outcome cue ("did not help", "unable to tolerate")."""
    doc = ent.doc
    negating = [m for m in ent._.modifiers if m.category in ("NEGATED_EXISTENCE", "NOT_PERFORMED")]
    if not negating:
        return False
    for m in negating:
        start = doc[m.modifier_span[0]].idx
        around = doc_text(doc)[max(ent.sent.start_char, start - 20):min(ent.sent.end_char, start + 45)]
        if not any(rules.outcomes[o].search(around) for o in ("failed", "not_tolerated", "contraindicated")):
            return False
    return True


def _treatment_negator(ent: Span, rules: CompiledRules) -> bool:
    """Some negating modifier is one that can deny care ("no", "denies", "declined"), not "resolved"."""
    doc = ent.doc
    for m in ent._.modifiers:
        if m.category in ("NEGATED_EXISTENCE", "NOT_PERFORMED"):
            text = doc[m.modifier_span[0]:m.modifier_span[1]].text.lower()
            if text in rules.negators or text.split()[0] in rules.negators:
                return True
    return False


def _only_months(ent: Span) -> bool:
    """ConText read the month "May" ("from May through June") as the modal "may"."""
    doc = ent.doc
    plans = [doc[m.modifier_span[0]:m.modifier_span[1]] for m in ent._.modifiers if m.category == "HYPOTHETICAL"]
    return bool(plans) and all(p.text == "May" and p.start > p.sent.start for p in plans)


def _without_negation(ent: Span, hypothetical: bool = True) -> str:
    ext = ent._
    if ext.is_family:
        return "family"
    if ext.is_negated and not hypothetical:
        return "negated"
    if hypothetical and ext.is_hypothetical:
        return "hypothetical"
    if ext.is_uncertain:
        return "possible"
    return "present"


def _soft_plan(ent: Span, rules: CompiledRules) -> bool:
    soft = set(rules.rules.soft_hypothetical_modifiers)
    doc = ent.doc
    plans = [m for m in ent._.modifiers if m.category == "HYPOTHETICAL"]
    return bool(plans) and all(doc[m.modifier_span[0]:m.modifier_span[1]].text.lower() in soft for m in plans)
