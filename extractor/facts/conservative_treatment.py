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
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Doc, Span

from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import TargetRuleSpec, assertion_of, doc_ents, doc_text
from extractor.rules.loader import load_rules
from extractor.text.durations import date_range, stated_weeks
from models import ConservativeTreatment
from models.facts import Modality, Outcome


class ConservativeRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    modality_of_category: dict[str, Modality]
    outcomes: dict[Outcome, list[str]]
    outcome_priority: list[Outcome]
    section_outcomes: dict[Modality, dict[str, Outcome]]
    clause_breaks: str
    gap_breaks: str
    pronoun_followup: str
    negation_cues: list[str]
    performed_cues: str
    soft_hypothetical_modifiers: list[str]
    end_date_cues: str
    start_date_cues: str
    range_joiners: str
    general_failure: list[str]
    negated_target_prefix: str
    continuing_cues: str
    negation_modifiers: list[str]
    plan_cues_before: str
    negation_after: str
    excluded_sections: list[str] = Field(default_factory=list,
                                         description="sections whose drug and therapy words are no care (allergies)")


class _Compiled:
    def __init__(self, r: ConservativeRules):
        self.rules = r
        self.outcomes = {k: re.compile("|".join(v), re.IGNORECASE) for k, v in r.outcomes.items()}
        self.rank = {o: i for i, o in enumerate(r.outcome_priority)}
        self.clause = re.compile(r.clause_breaks, re.IGNORECASE)
        self.gap = re.compile(r.gap_breaks, re.IGNORECASE)
        self.pronoun = re.compile(r.pronoun_followup, re.IGNORECASE)
        self.negation = re.compile("|".join(r.negation_cues), re.IGNORECASE)
        self.performed = re.compile(r.performed_cues, re.IGNORECASE)
        self.end_cue = re.compile(r.end_date_cues, re.IGNORECASE)
        self.start_cue = re.compile(r.start_date_cues, re.IGNORECASE)
        self.joiner = re.compile(r.range_joiners, re.IGNORECASE)
        self.general = re.compile("|".join(r.general_failure), re.IGNORECASE)
        self.negated_target = re.compile(r.negated_target_prefix, re.IGNORECASE)
        self.continuing = re.compile(r.continuing_cues, re.IGNORECASE)
        self.negators = {m.lower() for m in r.negation_modifiers}
        self.plan_before = re.compile(r.plan_cues_before, re.IGNORECASE)
        self.negation_after = re.compile(r.negation_after, re.IGNORECASE)


@lru_cache(maxsize=1)
def compiled_rules() -> _Compiled:
    return _Compiled(load_rules("conservative_treatment", ConservativeRules))


@dataclass
class _Mention:
    ent: Span
    modality: str
    assertion: str
    window: tuple[int, int]  # doc char offsets of the text the mention governs
    outcome: str | None = None


def extract(doc: Doc, ctx) -> list[ConservativeTreatment]:
    """Conservative-treatment facts of one note, one per (modality, assertion)."""
    rules = compiled_rules()
    mentions = [e for e in doc_ents(doc) if e.label_ in rules.rules.modality_of_category
                and doc_section(doc, e.start_char) not in rules.rules.excluded_sections]
    by_sentence: dict[int, list[Span]] = {}
    for ent in mentions:
        by_sentence.setdefault(ent.sent.start, []).append(ent)
    found: list[_Mention] = []
    for ents in by_sentence.values():
        found += _sentence_mentions(ents, rules)
    groups: dict[tuple[str, str], list[_Mention]] = {}
    for m in found:
        groups.setdefault((m.modality, m.assertion), []).append(m)
    if ("medication", "present") in groups:  # all drugs are one fact: "declines opioids" beside NSAIDs tried
        groups.pop(("medication", "negated"), None)
    facts = [_fact(ms, doc, ctx, rules) for ms in groups.values()]
    return [_therapy_note(f, doc, ctx, rules) if f.modality == "physical_therapy" else f for f in facts]


_TITLE_CHARS = 200
_PROSE = re.compile(r"[;]|[.!?]\s*$")
_EPISODE = re.compile(r"^[ \t]*(?:episode|episode of care|dates? of (?:service|care|treatment)|start of care|plan of care|"
                      r"treatment (?:dates|period)|duration|course)\b[^\n]*", re.IGNORECASE | re.MULTILINE)


def _therapy_note(fact: ConservativeTreatment, doc: Doc, ctx, rules: _Compiled) -> ConservativeTreatment:
    """A PT note (discharge summary, progress note) titled as such: its episode line dates the PT."""
    lead = len(doc_text(doc)) - len(doc_text(doc).lstrip())
    line = doc_text(doc)[lead:].split("\n", 1)[0]
    title_end = 0 if _PROSE.search(line) else min(_TITLE_CHARS, lead + len(line))  # a title line, not a sentence
    titled = any(e.label_ == "PHYSICAL_THERAPY" and e.start_char < title_end for e in doc_ents(doc))
    if fact.assertion != "present" or not (titled or ctx.note.kind == "therapy"):
        return fact
    update: dict = {}
    episode = _EPISODE.search(doc_text(doc))
    if episode:
        start, end, approx, _ = date_range(episode.group(), ctx.date, rules.joiner, rules.start_cue, rules.end_cue)
        weeks = stated_weeks(episode.group())
        for name, value in (("start_date", start), ("end_date", end), ("duration_weeks", weeks)):
            if getattr(fact, name) is None and value is not None:
                update[name] = value
        if "start_date" in update:
            update["date_approximate"] = approx
        update["evidence"] = fact.evidence + [ctx.evidence(episode.start(), episode.end(), rule="conservative_treatment.episode")]
    if fact.outcome is None:
        cues = [o for _, _, o in _cues(doc_text(doc), 0, len(doc_text(doc)), rules) if o != "ongoing"]
        if cues:
            update["outcome"] = _best(cues, rules)
    return fact.model_copy(update=update) if update else fact


def _sentence_mentions(ents: list[Span], rules: _Compiled) -> list[_Mention]:
    sent = ents[0].sent
    windows = _windows(ents, rules)
    out = [_Mention(e, rules.rules.modality_of_category[e.label_], _assertion(e, w, rules), w)
           for e, w in zip(ents, windows)]
    _give_outcomes(out, sent, rules)
    return out


def _windows(ents: list[Span], rules: _Compiled) -> list[tuple[int, int]]:
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


def _assertion(ent: Span, window: tuple[int, int], rules: _Compiled) -> str:
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


def _negation_is_outcome(ent: Span, rules: _Compiled) -> bool:
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


def _treatment_negator(ent: Span, rules: _Compiled) -> bool:
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


def _soft_plan(ent: Span, rules: _Compiled) -> bool:
    soft = set(rules.rules.soft_hypothetical_modifiers)
    doc = ent.doc
    plans = [m for m in ent._.modifiers if m.category == "HYPOTHETICAL"]
    return bool(plans) and all(doc[m.modifier_span[0]:m.modifier_span[1]].text.lower() in soft for m in plans)


def _cues(text: str, start: int, end: int, rules: _Compiled) -> list[tuple[int, int, str]]:
    """(start, end, outcome) cues in text[start:end], the higher-priority one on overlap."""
    found = [(start + m.start(), start + m.end(), o) for o, p in rules.outcomes.items()
             for m in p.finditer(text[start:end])]
    found.sort(key=lambda c: (rules.rank[c[2]], c[0]))
    kept: list[tuple[int, int, str]] = []
    for c in found:
        if all(c[1] <= k[0] or k[1] <= c[0] for k in kept):
            kept.append(c)
    return kept


def _give_outcomes(mentions: list[_Mention], sent: Span, rules: _Compiled) -> None:
    """Outcome cues of a sentence to its mentions (see the module docstring).

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
    for c_start, c_end, outcome in _cues(text, sent.start_char, sent.end_char, rules):
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
            near = min(inside, key=lambda i: _distance(mentions[i].ent, c_start, c_end))
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
        m.outcome = _best(mine, rules) or _best(_section_outcome(m, rules), rules)


def _clauses(text: str, start: int, end: int, rules: _Compiled) -> list[tuple[int, int]]:
    cuts = [start] + [start + m.start() for m in rules.clause.finditer(text[start:end])] + [end]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a] or [(start, end)]


def _distance(ent: Span, start: int, end: int) -> int:
    return max(ent.start_char - end, start - ent.end_char, 0)


def _followup_cues(sent: Span, rules: _Compiled) -> list[str]:
    """Outcome told by the next sentence about the same care: "It did not help."."""
    doc = sent.doc
    if sent.end >= len(doc):
        return []
    nxt = doc[sent.end].sent
    if any(e.label_ in rules.rules.modality_of_category for e in nxt.ents) or not rules.pronoun.match(nxt.text):
        return []
    return [o for _, _, o in _cues(doc_text(doc), nxt.start_char, nxt.end_char, rules)]


def _section_outcome(m: _Mention, rules: _Compiled) -> list[str]:
    section = doc_section(m.ent.doc, m.ent.start_char)
    value = rules.rules.section_outcomes.get(m.modality, {}).get(section or "")
    return [value] if value else []


def _best(outcomes: list[str], rules: _Compiled) -> str | None:
    return min(outcomes, key=lambda o: rules.rank[o]) if outcomes else None


def _fact(ms: list[_Mention], doc: Doc, ctx, rules: _Compiled) -> ConservativeTreatment:
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
    outcome = _best([m.outcome for m in ms if m.outcome], rules) if assertion == "present" else None
    sentences = list(dict.fromkeys(m.ent.sent for m in ms))
    evidence = [ctx.span_evidence(s, rule=_rule_id(next(m.ent for m in ms if m.ent.sent == s))) for s in sentences]
    return ConservativeTreatment(modality=ms[0].modality, assertion=assertion, outcome=outcome,
                                 start_date=first[0] if first else None, end_date=max(ends) if ends else None,
                                 duration_weeks=duration, date_approximate=approx_start, evidence=evidence)


def _rule_id(ent: Span) -> str:
    rule = getattr(ent._, "target_rule", None)
    return (rule.metadata or {}).get("id", "conservative_treatment") if rule is not None else "conservative_treatment"
