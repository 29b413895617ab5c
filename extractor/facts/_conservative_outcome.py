"""Outcome cues of conservative care (extractor/facts/conservative_treatment.py): matched in a
sentence and given out clause by clause to its mentions, or told by the following sentence."""
from __future__ import annotations

import itertools

from spacy.tokens import Span

from extractor.facts._conservative_rules import CompiledRules, Mention
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import doc_text


def outcome_cues(text: str, start: int, end: int, rules: CompiledRules) -> list[tuple[int, int, str]]:
    """(start, end, outcome) cues in text[start:end], the higher-priority one on overlap."""
    found = [(start + m.start(), start + m.end(), o) for o, p in rules.outcomes.items()
             for m in p.finditer(text[start:end])]
    found.sort(key=lambda c: (rules.rank[c[2]], c[0]))
    kept: list[tuple[int, int, str]] = []
    for c in found:
        if all(c[1] <= k[0] or k[1] <= c[0] for k in kept):
            kept.append(c)
    return kept


def give_outcomes(mentions: list[Mention], sent: Span, rules: CompiledRules) -> None:
    """Outcome cues of a sentence to its mentions (see the docstring of conservative_treatment.py).

    A result told in a clause with mentions holds for the other mentions of that clause only
    ("acetaminophen with partial relief; home PT since July": PT gets nothing); a result told in
    a clause without mentions ("...; no improvement") or by a following sentence holds for every
    mention that has no result of its own: a status ("HEP ongoing; no change") yields to it.
    """
    text = doc_text(sent.doc)
    clauses = _clauses(text, sent.start_char, sent.end_char, rules)
    clause_of = [next((k for k, c in enumerate(clauses) if c[0] <= m.ent.start_char < c[1]), len(clauses) - 1)
                 for m in mentions]
    own: dict[int, list[str]] = {}
    in_clause: dict[int, list[str]] = {}
    free: list[str] = []
    for c_start, c_end, outcome in outcome_cues(text, sent.start_char, sent.end_char, rules):
        k = next((k for k, c in enumerate(clauses) if c[0] <= c_start < c[1]), len(clauses) - 1)
        inside = [i for i, m in enumerate(mentions) if clause_of[i] == k]
        if not inside:
            free.append(outcome)
            continue
        if outcome != "ongoing":
            in_clause.setdefault(k, []).append(outcome)
        if outcome != "ongoing" and (c_start >= max(mentions[i].ent.end_char for i in inside)
                                     or c_end <= min(mentions[i].ent.start_char for i in inside)):
            for i in inside:
                own.setdefault(i, []).append(outcome)
        else:
            # the mention whose window holds the cue ("PT in the fall with no change and still does the HEP": PT's),
            # else the nearest one
            holder = [i for i in inside if mentions[i].window[0] <= c_start < mentions[i].window[1]]
            near = holder[0] if len(holder) == 1 else min(inside, key=lambda i: _distance(mentions[i].ent, c_start, c_end))
            own.setdefault(near, []).append(outcome)
    free += _followup_cues(sent, rules)
    for i, m in enumerate(mentions):
        results = [o for o in own.get(i, []) if o != "ongoing"]
        statuses = [o for o in own.get(i, []) if o == "ongoing"]  # "HEP ongoing; no change": the result wins
        if results:
            mine = results
        elif statuses:  # its own status beats a result of another mention of the clause ("PT helped and she continues HEP")
            mine = [o for o in free if o != "ongoing"] or statuses
        else:
            mine = in_clause.get(clause_of[i]) or free
        m.outcome = best_outcome(mine, rules) or best_outcome(_section_outcome(m, rules), rules)


def _clauses(text: str, start: int, end: int, rules: CompiledRules) -> list[tuple[int, int]]:
    part = text[start:end]
    # a break inside parentheses ("celecoxib (partial help only; pain persists)") splits no clause of the sentence
    cuts = [start] + [start + m.start() for m in rules.clause.finditer(part)
                      if part.count("(", 0, m.start()) <= part.count(")", 0, m.start())] + [end]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a] or [(start, end)]


def _distance(ent: Span, start: int, end: int) -> int:
    return max(ent.start_char - end, start - ent.end_char, 0)


def _followup_cues(sent: Span, rules: CompiledRules) -> list[str]:
    """Outcome told by the next sentence about the same care: "It did not help."."""
    doc = sent.doc
    if sent.end >= len(doc):
        return []
    nxt = doc[sent.end].sent
    if any(e.label_ in rules.rules.modality_of_category for e in nxt.ents) or not rules.pronoun.match(nxt.text):
        return []
    return [o for _, _, o in outcome_cues(doc_text(doc), nxt.start_char, nxt.end_char, rules)]


def _section_outcome(m: Mention, rules: CompiledRules) -> list[str]:
    section = doc_section(m.ent.doc, m.ent.start_char)
    value = rules.rules.section_outcomes.get(m.modality, {}).get(section or "")
    return [value] if value else []


def best_outcome(outcomes: list[str], rules: CompiledRules) -> str | None:
    return min(outcomes, key=lambda o: rules.rank[o]) if outcomes else None
