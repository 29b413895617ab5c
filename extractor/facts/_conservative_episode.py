"""A physical therapy note's episode of care (extractor/facts/conservative_treatment.py): a note titled as
PT, or of the therapy kind, takes the dates and weeks of its episode line and an outcome told anywhere in it."""
from __future__ import annotations

import re

from spacy.tokens import Doc

from extractor.facts._conservative_outcome import best_outcome, outcome_cues
from extractor.facts._conservative_rules import CompiledRules
from extractor.nlp.pipeline import doc_ents, doc_text
from extractor.text.durations import date_range, stated_weeks
from models import ConservativeTreatment

_TITLE_CHARS = 200
_PROSE = re.compile(r"[;]|[.!?]\s*$")
_EPISODE = re.compile(r"^[ \t]*(?:episode|episode of care|dates? of (?:service|care|treatment)|start of care|plan of care|"
                      r"treatment (?:dates|period)|duration|course)\b[^\n]*", re.IGNORECASE | re.MULTILINE)


def therapy_note(fact: ConservativeTreatment, doc: Doc, ctx, rules: CompiledRules) -> ConservativeTreatment:
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
        cues = [o for _, _, o in outcome_cues(doc_text(doc), 0, len(doc_text(doc)), rules) if o != "ongoing"]
        if cues:
            update["outcome"] = best_outcome(cues, rules)
    return fact.model_copy(update=update) if update else fact
