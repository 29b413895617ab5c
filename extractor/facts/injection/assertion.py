"""The assertion of an injection mention (extractor/facts/injection/mentions.py): ConText's, with the cues
peculiar to injections — a contraindication is the only negation that makes a fact, an outcome
("without relief") negates nothing, plans make it hypothetical. `rules` is injection's compiled rules."""
from __future__ import annotations

import re

from spacy.tokens import Span

from extractor.nlp.pipeline import assertion_of, doc_text


def injection_assertion(ent: Span, rules) -> str | None:
    """ConText's assertion, with injection-specific cues: contraindicated, plans; None for no fact.

    A negated injection stands for a documented contraindication only (CONVENTIONS, SIJ-007;
    II.H counts it): "steroid injection contraindicated", "not a candidate for corticosteroid
    injection due to ...") and a refused diagnostic block ("pt declines the second block", "second block not
    pursued"; corpus gold VA-008, PT-011, FB-012) are negated facts; a refused steroid injection is not (as a
    negated therapeutic fact it would meet II.H, which needs a contraindication). A plain absence ("has not had an SI joint injection",
    "no prior injections") gives no fact.
    """
    assertion = assertion_of(ent)
    assertion = "present" if assertion == "historical" else assertion
    sent = ent.sent.text
    after = doc_text(ent.doc)[ent.end_char:ent.sent.end_char]
    if assertion == "negated" and (_negation_is_outcome(ent) or _negation_in_other_clause(ent)
                                   or _negation_is_resolution(ent)):
        assertion = "present"  # "epidurals without benefit and a left SIJ injection": an outcome, not a denial
    if assertion == "present" and rules.negation.search(after):
        assertion = "negated"
    if assertion in ("present", "hypothetical") and (rules.refusal.search(after) or rules.refusal.search(
            doc_text(ent.doc)[max(ent.sent.start_char, ent.start_char - 40):ent.start_char])):
        assertion = "negated"  # "discussed a second block - pt declines", "refused the diagnostic block"
    if assertion == "negated":  # a documented contraindication, or a refused diagnostic block
        if rules.contraindication.search(sent):
            return "negated"
        # a refused steroid injection is no contraindication: as a negated therapeutic fact it would meet II.H
        refused = rules.refusal.search(sent) and not rules.purpose["therapeutic"].search(sent) \
            and not rules.steroids_any.search(sent)
        return "negated" if refused else None
    before = doc_text(ent.doc)[ent.sent.start_char:ent.start_char]
    planned = rules.plan.search(sent) or rules.plan_before.search(before)
    if assertion == "present" and planned and not rules.procedure.search(sent):
        return "hypothetical"
    return assertion


_OUTCOME_NEGATION = re.compile(r"^(?:without|no|w/o|not|did not|didn't)\s+(?:any |much |significant |lasting |real )?"
                               r"(?:relief|benefit|improvement|help|change|effect)", re.IGNORECASE)


_NEW_SUBJECT = re.compile(r"[,;]\s*(?:and\s+|but\s+)?(?:he|she|they|the patient|patient|pt)\s+(?!and\b|or\b)\w+",
                          re.IGNORECASE)


def _negation_in_other_clause(ent: Span) -> bool:
    """Every negating cue lies before a new clause with its own subject: "it does not go past the knee,
    he cant tie his shoes, he had a L5-S1 TFESI" (ConText's window runs on through the comma)."""
    doc = ent.doc
    negating = [m for m in ent._.modifiers if m.category in ("NEGATED_EXISTENCE", "NOT_PERFORMED")]
    return bool(negating) and all(
        m.modifier_span[1] <= ent.start and _NEW_SUBJECT.search(doc[m.modifier_span[1]:ent.start].text)
        for m in negating)


def _negation_is_resolution(ent: Span) -> bool:
    """Every negating cue says a condition resolved ("ESI in March 2019 for leg pain that resolved"): an
    injection is an event and cannot resolve, so the cue speaks of the pain it treated."""
    negating = [m for m in ent._.modifiers if m.category == "NEGATED_EXISTENCE"]
    return bool(negating) and all(ent.doc[m.modifier_span[0]:m.modifier_span[1]].text.lower().startswith("resol")
                                  for m in negating)


def _negation_is_outcome(ent: Span) -> bool:
    doc = ent.doc
    negating = [m for m in ent._.modifiers if m.category == "NEGATED_EXISTENCE"]
    return bool(negating) and all(_OUTCOME_NEGATION.match(doc_text(doc)[doc[m.modifier_span[0]].idx:ent.sent.end_char])
                                  for m in negating)
