"""Conservative care (SPEC section 4): modality, duration, start/end dates, outcome.

A mention is a target of extractor/rules/conservative_treatment.json (one category per
modality). One fact per (modality, assertion) per note; the resolver merges notes.

What a mention governs: its local window, from the previous mention of the sentence to the
next one, the gap between two mentions cut at its last connector (", ", " and ", " later ").
Dates and durations come from the window ("8 weeks of formal PT from May through June 2025":
8 weeks, May 1 to June 1). Outcome cues are matched in the whole sentence and given out by
clause: a cue in a clause with mentions goes to the nearest one (to all of them when it opens
or closes the clause: "NSAIDs and PT, all without relief"); a cue in a clause without mentions
("..., but the pain is unchanged") goes to every mention that has none of its own; a following
sentence that starts with "It/These/None of these" gives its cue the same way.

Assertions: ConText's, except that "historical" is present (past care is care that happened),
negation cues that are outcomes ("did not help", "without relief", "unable to tolerate") leave
the mention present, and plan words such as "recommended" yield to completed care in the same
sentence ("PT was recommended and she completed 6 weeks"). An SI belt is bracing, not activity
modification: no fact. Duration: only when stated in weeks ("x 6 weeks"; corpus convention).
"""
from __future__ import annotations

import itertools

from spacy.tokens import Doc, Span

from extractor.facts._conservative_assertion import mention_assertion
from extractor.facts._conservative_episode import therapy_note
from extractor.facts._conservative_outcome import best_outcome, give_outcomes
from extractor.facts._conservative_rules import CompiledRules, Mention, compiled_rules
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import doc_ents, doc_text
from extractor.text.durations import date_range, stated_weeks
from models import ConservativeTreatment


def extract(doc: Doc, ctx) -> list[ConservativeTreatment]:
    """Conservative-treatment facts of one note, one per (modality, assertion)."""
    rules = compiled_rules()
    mentions = [e for e in doc_ents(doc) if e.label_ in rules.rules.modality_of_category
                and doc_section(doc, e.start_char) not in rules.rules.excluded_sections]
    by_sentence: dict[int, list[Span]] = {}
    for ent in mentions:
        by_sentence.setdefault(ent.sent.start, []).append(ent)
    found: list[Mention] = []
    for ents in by_sentence.values():
        found += _sentence_mentions(ents, rules)
    groups: dict[tuple[str, str], list[Mention]] = {}
    for m in found:
        groups.setdefault((m.modality, m.assertion), []).append(m)
    if ("medication", "present") in groups:  # all drugs are one fact: "declines opioids" beside NSAIDs tried
        groups.pop(("medication", "negated"), None)
    facts = [_fact(ms, doc, ctx, rules) for ms in groups.values()]
    return [therapy_note(f, doc, ctx, rules) if f.modality == "physical_therapy" else f for f in facts]


def _sentence_mentions(ents: list[Span], rules: CompiledRules) -> list[Mention]:
    sent = ents[0].sent
    windows = _windows(ents, rules)
    out = [Mention(e, rules.rules.modality_of_category[e.label_], mention_assertion(e, w, rules), w)
           for e, w in zip(ents, windows)]
    give_outcomes(out, sent, rules)
    return out


def _windows(ents: list[Span], rules: CompiledRules) -> list[tuple[int, int]]:
    """Each mention's window: neighbouring gaps cut at their last connector."""
    text = doc_text(ents[0].doc)
    sent = ents[0].sent
    cuts = [sent.start_char]
    for a, b in itertools.pairwise(ents):
        gap = text[a.end_char:b.start_char]
        last = None
        for last in rules.gap.finditer(gap):
            pass
        cuts.append(a.end_char + (last.start() if last else len(gap)))
    cuts.append(sent.end_char)
    return [(cuts[i], cuts[i + 1]) for i in range(len(ents))]


def _fact(ms: list[Mention], doc: Doc, ctx, rules: CompiledRules) -> ConservativeTreatment:
    starts, ends, weeks = [], [], []
    for m in ms:
        window = doc_text(doc)[m.window[0]:m.window[1]]
        start, end, approx, _ = date_range(window, ctx.date, rules.joiner, rules.start_cue, rules.end_cue)
        if start:
            starts.append((start, approx))
        if end:
            ends.append(end)
        w = stated_weeks(window)
        if w is not None:
            weeks.append(w)
    if ms[0].modality == "activity_modification" and not starts and ends:
        # "stopped cycling a year ago", "quit golf in June": giving an activity up is when the modification began
        starts, ends = [(min(ends), True)], []
    first = min(starts) if starts else None
    approx_start = bool(first and first[1])
    duration = max(weeks) if weeks else None
    assertion = ms[0].assertion
    outcome = best_outcome([m.outcome for m in ms if m.outcome], rules) if assertion == "present" else None
    if assertion == "present" and outcome is None and not ends and _standing(ms, doc, rules):
        outcome = "ongoing"  # "stopped golf in spring", "does her HEP most days": current care, no result (C1)
    sentences = list(dict.fromkeys(m.ent.sent for m in ms))
    evidence = [ctx.span_evidence(s, rule=_rule_id(next(m.ent for m in ms if m.ent.sent == s))) for s in sentences]
    return ConservativeTreatment(modality=ms[0].modality, assertion=assertion, outcome=outcome,
                                 start_date=first[0] if first else None, end_date=max(ends) if ends else None,
                                 duration_weeks=duration, date_approximate=approx_start, evidence=evidence)


def _standing(ms: list[Mention], doc: Doc, rules: CompiledRules) -> bool:
    """Care told as current with no result: a lasting activity change, a home programme done now (rules
    `standing_status`), unless its window tells it ended ("light duty x 6 weeks, then full duty")."""
    pattern = rules.standing.get(ms[0].modality)
    if pattern is None:
        return False
    windows = [doc_text(doc)[m.window[0]:m.window[1]] for m in ms]
    return any(pattern.search(w) for w in windows) and not any(rules.ended.search(w) for w in windows)


def _rule_id(ent: Span) -> str:
    rule = getattr(ent._, "target_rule", None)
    return (rule.metadata or {}).get("id", "conservative_treatment") if rule is not None else "conservative_treatment"
