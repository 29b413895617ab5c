"""Injections (SPEC section 4): site, date, side, purpose, guidance, contrast, drugs, relief.

A mention is an INJECTION_* target (extractor/rules/injection.json; the category names the
site). Mentions of one note with the same site, date and assertion are one event. An event
performed in this note (a procedure note: its kind, or procedure wording such as "needle",
"injected", "PROCEDURE:") takes the note's date of service unless the sentence states another,
and reads its attributes from the whole note (from its own mention to the next performed
event's when the note tells several); other mentions ("s/p left SIJ injection on 3/2") read
them from their own sentence only and take a date only when the sentence gives one.

Packets the segmenter keeps whole are read by their date-of-service labels: a mention right
after "DOS: 10/06/2025" (or a telegraphic line naming two attributes: "R SIJ dx block: fluoro,
contrast, IA, lidocaine") is the entry of that date, and attributes stop at the next label.
Injection logs laid out as tables give one fact per dated row (extractor/facts/injection/log.py).
Generic mentions ("repeat injection", "the 8/18 steroid injection") take the site of the note's
last named injection, or, when they give their own past date, of the joint the note names.

Choices: radiofrequency ablation is not an injection (no fact); medial branch blocks are facet;
lateral branch blocks, trigger points, piriformis and hip joint injections are "other".
A past injection told in a later note is an event that happened: ConText's "historical" becomes
present, except one dated more than a year before the note ("status post ESI in 2021"), which is
history before this episode of care (corpus convention). "Contraindicated"/"declined" negate
(date null, purpose kept); plan words make it hypothetical, with a date only if the plan gives
one. Purpose: a corticosteroid makes it therapeutic; an anesthetic without one, diagnostic; with
no drug named, the stated word ("diagnostic block", "therapeutic injection"). An anesthetic used
only for the skin ("skin wheal with 1% lidocaine") is not the injectate. Relief stated in the
note is linked here (extractor/facts/injection/relief.py); relief told in other notes is linked at packet level
by `extractor.facts.injection.link.link_case`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict
from spacy.tokens import Doc, Span

from extractor.facts.injection.assertion import injection_assertion
from extractor.facts.injection.dates import (
    DATED_LINE,
    DOS,
    DOS_BEFORE,
    ENTRY_START,
    block_date,
    counted_from_previous,
    heading_above,
    label_date,
    latest_date,
    line_before,
    may_date_injection,
)
from extractor.facts.injection.drugs import injected_drug
from extractor.facts.injection.link import link_relief
from extractor.facts.injection.relief import note_statements, side_in, site_in
from extractor.facts.injection.table import table_facts
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import TargetRuleSpec, assertion_of, doc_ents, doc_text
from extractor.rules.loader import load_rules
from extractor.text.temporal import find_dates
from models import Injection
from models.facts import Guidance, InjectionPurpose, InjectionSite


class InjectionRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    target_rules: list[TargetRuleSpec]
    site_of_category: dict[str, InjectionSite | Literal["unspecified"]]
    anesthetics: dict[str, list[str]]
    steroids: dict[str, list[str]]
    skin_anesthetic: list[str]
    guidance: dict[Guidance, list[str]]
    contrast_absent: list[str]
    contrast_present: list[str]
    intra_articular_absent: list[str]
    intra_articular_present: list[str]
    purpose_words: dict[InjectionPurpose, list[str]]
    procedure_cues: list[str]
    past_cues: list[str]
    excluded_sections: list[str]
    negation_cues: list[str]
    contraindication_cues: list[str]
    refusal_cues: list[str]  # a refusal of the injection is a negated fact too ("pt declines the second block")
    plan_cues_before_only: list[str]
    plan_cues: list[str]
    retelling_cues: list[str]
    result_cues: list[str]  # a result told with it ("2 confirmatory blocks >75%"): an injection done, never a plan item
    historical_after_days: int
    table: TableRules
    part_headings: dict[str, list[str]]  # heading lines of a note's parts: "plan" ones make a listed injection planned


class TableRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date_header: str
    other_headers: str
    columns: dict[str, str]
    yes: str
    no: str


InjectionRules.model_rebuild()


def _any(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


class _Compiled:
    def __init__(self, r: InjectionRules):
        self.rules = r
        self.anesthetics = {k: _any([rf"\b{v}\b" for v in vs]) for k, vs in r.anesthetics.items()}
        self.steroids = {k: _any([rf"\b{v}\b" for v in vs]) for k, vs in r.steroids.items()}
        self.skin = _any(r.skin_anesthetic)
        self.guidance = {k: _any(v) for k, v in r.guidance.items()}
        self.flags = {name: (_any(getattr(r, f"{name}_absent")), _any(getattr(r, f"{name}_present")))
                      for name in ("contrast", "intra_articular")}
        self.purpose = {k: _any(v) for k, v in r.purpose_words.items()}
        self.procedure = _any(r.procedure_cues)
        self.past = _any(r.past_cues)
        self.negation = _any(r.negation_cues)
        self.contraindication = _any(r.contraindication_cues)
        self.refusal = _any(r.refusal_cues)
        self.steroids_any = _any([rf"\b{v}\b" for vs in r.steroids.values() for v in vs])
        self.plan_before = _any(r.plan_cues_before_only)  # "if PT fails, then SIJ injection"; "after the block, then pain back"
        self.plan = _any(r.plan_cues)
        self.retelling = _any(r.retelling_cues)
        self.result = _any(r.result_cues)
        # a heading line of its own, one group per kind of part: "Plan:" over "- R SIJ block under fluoroscopy"
        self.part_heading = re.compile(r"(?im)^[ \t]*(?:" + "|".join(
            f"(?P<{kind}>{'|'.join(words)})" for kind, words in r.part_headings.items()) + r")[ \t]*:?[ \t]*$")
        # a plan label opening the mention's own line ("Plan: fluoroscopic L SIJ block x2; continue HEP", "A/P: ... ")
        self.inline_plan = re.compile(r"^[ \t]*(?:[-*\u2022]\s*)?(?:" + "|".join(r.part_headings["plan"]) +
                                      r"|a/p|p|assessment\s*(?:and|&|/)\s*plan)[ \t]*:", re.IGNORECASE)
        self.attribute_cues = [*self.anesthetics.values(), *self.steroids.values(), *self.guidance.values(),
                               *(p for pair in self.flags.values() for p in pair)]


@lru_cache(maxsize=1)
def _rules() -> _Compiled:
    return _Compiled(load_rules("injection", InjectionRules))


@dataclass
class _Event:
    site: str
    date: object
    approximate: bool
    assertion: str
    side: str | None
    performed: bool
    mentions: list[Span] = field(default_factory=list)


def extract(doc: Doc, ctx) -> list[Injection]:
    """Injection facts of one note, one per (site, date, assertion), relief in the note linked."""
    rules = _rules()
    mentions = [e for e in doc_ents(doc) if e.label_ in rules.rules.site_of_category]
    if not mentions and "\n" not in doc_text(doc):
        return []
    procedure_note = ctx.note.kind == "procedure" or len(rules.procedure.findall(doc_text(doc))) >= 2
    events: list[_Event] = []
    for ent in mentions:
        event = _event_of(ent, ctx, procedure_note, rules, events)
        if event is not None:
            _add(events, event)
            for when in _other_dates(ent, ctx, rules, event):  # "blocks on November 10 and December 1"
                _add(events, _Event(event.site, when, False, event.assertion, event.side, event.performed, [ent]))
    table, rows = table_facts(doc_text(doc), ctx, rules, _attributes)
    if table:  # a mention inside a row of the log is that row's injection, read from its cells
        events = [e for e in events if not any(a <= e.mentions[0].start_char < b for a, b in rows)]
    performed = [e for e in events if e.performed]
    facts = [_fact(e, _scope(e, performed, doc, rules), ctx, rules) for e in events]
    if table:  # the log's title and preamble are no injection of their own
        facts = table + [f for f in facts if f.date is not None or f.assertion != "present"]
    if not facts:
        return []
    key = (ctx.source.name, ctx.note.start)
    return link_relief(facts, note_statements(doc_text(doc), ctx), lambda f: key)


def _event_of(ent: Span, ctx, procedure_note: bool, rules: _Compiled, events: list[_Event]) -> _Event | None:
    site = rules.rules.site_of_category[ent.label_]
    generic = site == "unspecified"  # it refers to an injection; it is never the note's own
    sent = ent.sent
    if generic:  # "repeat injection", "the 8/18 intra-articular steroid injection"
        site = events[-1].site if events else _dated_site(ent, ctx)
        if site is None:  # only an injection the note names (or dates, at a joint it names) is "the injection"
            return None
    assertion = injection_assertion(ent, rules)
    if assertion is None:
        return None
    lo, hi = _own_stretch(ent, rules)
    said = sent.text  # spaCy joins the sentence's tokens on every read
    mentions = [d for d in find_dates(said, ctx.date) if may_date_injection(d, said, assertion, ctx.date)
                and lo <= d.start and d.end <= hi]
    at = ent.start_char - sent.start_char
    date = min(mentions, key=lambda d: min(abs(d.start - at), abs(d.end - at))) if mentions else None
    if date is None:
        date = counted_from_previous(said, site, events)
    past = bool(rules.past.search(said))
    told_done = bool(rules.result.search(said))
    if assertion == "present" and not past and date is None and ctx.note.kind != "procedure" and not told_done \
            and heading_above(doc_text(ent.doc), ent.start_char, rules.part_heading) == "plan":
        assertion = "hypothetical"  # "Plan:" over "- R SIJ diagnostic block under fluoroscopy": planned, not done
    if assertion == "present" and not past and date is None and ctx.note.kind != "procedure" and not told_done \
            and not rules.procedure.search(said) and rules.inline_plan.match(line_before(doc_text(ent.doc), ent.start_char)):
        assertion = "hypothetical"  # "Plan: fluoroscopic L SIJ diagnostic block x2; continue HEP": the plan's item
    telegraphic = sum(bool(p.search(said)) for p in rules.attribute_cues) >= 2 and \
        not rules.retelling.search(said)
    performed = (assertion == "present" and not past and (procedure_note or telegraphic) and not generic
                 and (date is None or date.date == ctx.date))
    side = side_in(doc_window(ent))
    if generic and side is None and events:
        side = events[-1].side  # "repeat injection", "second confirmatory block": the same joint's side
    block = block_date(doc_text(ent.doc), ent.start_char, ctx.date)
    if generic and date is not None and date.date in (block, ctx.date):
        date = None  # "DOS 06/01/2026: 60% relief after the steroid injection": the note's date, not its
    before = line_before(doc_text(ent.doc), sent.start_char + date.start) if date is not None else ""
    header = date is not None and bool(DOS_BEFORE.search(before))
    if date is not None and not header and not performed and ENTRY_START.match(before) and not date.relative \
            and not generic and (ctx.date is None or (ctx.date - date.date).days <= rules.rules.historical_after_days):
        # a log entry opening with its date ("02/10/2026 Right SIJ diagnostic block #1"), recent enough to
        # be this episode's care: the entry of that date, its attributes on the lines below it
        performed = assertion == "present" and not past
    if date is not None and block is not None and date.date == block:
        performed = assertion == "present" and not past and (procedure_note or telegraphic) and not generic
    if header and not performed:
        if rules.retelling.search(said) or generic:
            date = None  # the date of the visit that retells it, not of the injection
        else:  # "DOS: 10/06/2025  Right SIJ diagnostic injection #1.": the entry of that date
            performed = assertion == "present" and not past
    when, approx = (date.date, date.approximate) if date is not None else (block if performed else None, False)
    if assertion == "negated":
        when, approx = None, False
    told_on = ctx.date or (latest_date(doc_text(ent.doc)) if past or assertion_of(ent) in ("historical", "negated") else None)
    if assertion == "present" and when and told_on and not performed and \
            (told_on - when).days > rules.rules.historical_after_days:
        # told as past history before this episode of care; an undated note ("h/o L4-5 ESI in 2021") is
        # measured from the latest date it gives
        assertion = "historical"
    return _Event(site, when, approx, assertion, side, performed, [ent])


_PLURAL_MENTION = re.compile(r"(?:injections|blocks|shots|ESIs|MBBs)\b|\bx\s*[2-4]\b|\b(?:two|both|three|2|3)\b", re.IGNORECASE)


def _other_dates(ent: Span, ctx, rules: _Compiled, event: _Event) -> list[dt.date]:
    """More dates of a plural mention, each its own injection: "two diagnostic blocks on November 10 and
    December 1", "SIJ blocks 3/3 and 3/24"; only dates joined by "and", "," or "/" in the mention's own stretch."""
    if event.date is None or event.assertion not in ("present", "historical") or not _PLURAL_MENTION.search(doc_window(ent)):
        return []
    lo, hi = _own_stretch(ent, rules)
    said = ent.sent.text
    found = sorted((d for d in find_dates(said, ctx.date) if lo <= d.start and d.end <= hi and not d.relative
                    and may_date_injection(d, said, event.assertion, ctx.date)), key=lambda d: d.start)
    if len(found) < 2 or not all(re.fullmatch(r"\s*(?:,|and|&|/|,\s*and)\s*", said[a.end:b.start])
                                 for a, b in zip(found, found[1:])):
        return []
    return [d.date for d in found if d.date != event.date]


def _dated_site(ent: Span, ctx) -> str | None:
    """Site of a generic mention that gives its own date, from the joint the note is about."""
    dated = [d for d in find_dates(ent.sent.text, ctx.date)
             if not d.relative and (ctx.date is None or d.date < ctx.date)]
    return site_in(doc_text(ent.doc), near=ent.start_char) if dated else None


def doc_window(ent: Span) -> str:
    """The mention with the words just around it ("left SI joint injection", "SIJ injection, left")."""
    doc = ent.doc
    start = ent.start
    while start > ent.sent.start and ent.start - start < 8 and doc[start - 1].text not in (",", ";", ":", "."):
        start -= 1
    end = ent.end
    while end < ent.sent.end and end - ent.end < 4 and doc[end].lower_ not in ("and", "but", ";", "with", "then") \
            and not doc[end].ent_type_.startswith("INJECTION"):
        end += 1
    return doc[start:end].text


def _own_stretch(ent: Span, rules: _Compiled) -> tuple[int, int]:
    """[lo, hi) of the sentence (sentence offsets) that speaks of this mention: up to its neighbours."""
    sent = ent.sent
    others = [e for e in sent.ents if e.label_ in rules.rules.site_of_category and e != ent]
    lo = max([e.end_char for e in others if e.end_char <= ent.start_char], default=sent.start_char)
    hi = min([e.start_char for e in others if e.start_char >= ent.end_char], default=sent.end_char)
    return lo - sent.start_char, hi - sent.start_char


def _add(events: list[_Event], new: _Event) -> None:
    for e in events:
        if (e.site, e.date, e.assertion) == (new.site, new.date, new.assertion):
            if new.side and e.side and new.side != e.side:
                e.side = "bilateral"
            e.side = e.side or new.side
            e.performed = e.performed or new.performed
            e.mentions += new.mentions
            return
    events.append(new)


def _scope(event: _Event, performed: list[_Event], doc: Doc, rules: _Compiled) -> list[Span]:
    """Sentences an event's attributes are read from."""
    own = list(dict.fromkeys(m.sent for m in event.mentions))
    if not event.performed:
        return own
    first = event.mentions[0].start_char
    later = [e.mentions[0].start_char for e in performed if e.mentions[0].start_char > first]
    text = doc_text(doc)
    line_end = text.find("\n", first)  # a label on the mention's own line ("PROCEDURE: ... Date: 02/03") dates it
    # the next dated block: a label of another date ("Date: 12/03/2025" under its own heading belongs to it)
    later += [m.start() for m in DOS.finditer(text, first if line_end < 0 else line_end)
              if label_date(text, m) != event.date][:1]
    # the next line that opens with another date: the next entry of a log, named with an injection word or not
    later += [m.start() for m in DATED_LINE.finditer(text, first if line_end < 0 else line_end)
              if label_date(text, m, event.date) != event.date][:1]
    lo = first if len(performed) > 1 else 0
    hi = min(later) if later else len(doc_text(doc))
    excluded = set(rules.rules.excluded_sections)
    out = [s for s in doc.sents if lo <= s.start_char < hi or s.start_char <= first < s.end_char]
    return [s for s in out if s in own or (_section(doc, s.start_char) not in excluded
                                           and not rules.past.search(s.text))]


def _section(doc: Doc, offset: int) -> str | None:
    return doc_section(doc, offset)


def _fact(event: _Event, scope: list[Span], ctx, rules: _Compiled) -> Injection:
    found: dict[str, tuple[object, Span]] = {}
    for sent in scope:
        for name, value in _attributes(sent.text, rules).items():
            found.setdefault(name, (value, sent))
    values = {k: v for k, (v, _) in found.items()}
    purpose = _purpose(values, " ".join(s.text for s in scope), event, rules)
    sentences = list(dict.fromkeys([m.sent for m in event.mentions] + [s for _, s in found.values()]))
    evidence = [ctx.span_evidence(s, rule=_why(s, event, found)) for s in sentences]
    if event.assertion in ("negated", "family"):
        values = {}
    return Injection(site=event.site, date=event.date, date_approximate=event.approximate, side=event.side,
                     assertion=event.assertion, purpose=purpose,
                     guidance=values.get("guidance"), contrast=values.get("contrast"),
                     intra_articular=values.get("intra_articular"), anesthetic=values.get("anesthetic"),
                     steroid=values.get("steroid"), evidence=evidence)


def _why(sent: Span, event: _Event, found: dict) -> str:
    """Rule id of an evidence sentence: the target rule of its mention, else the attributes it gave."""
    mention = next((m for m in event.mentions if m.sent == sent), None)
    if mention is not None:
        rule = getattr(mention._, "target_rule", None)
        return (rule.metadata or {}).get("id", "injection") if rule is not None else "injection"
    return "injection." + ",".join(k for k, (_, s) in found.items() if s == sent)


def _attributes(text: str, rules: _Compiled) -> dict[str, object]:
    """Attributes a sentence states: drug names, guidance, contrast, intra-articular."""
    out: dict[str, object] = {}
    anesthetic = injected_drug(text, rules.anesthetics, rules.skin)
    steroid = injected_drug(text, rules.steroids, None)
    if anesthetic:
        out["anesthetic"] = anesthetic
    if steroid:
        out["steroid"] = steroid
    for value, pattern in rules.guidance.items():
        if pattern.search(text):
            out["guidance"] = value
            break
    for name, (absent, present) in rules.flags.items():
        if absent.search(text):
            out[name] = False
        elif present.search(text):
            out[name] = True
    return out


def _purpose(values: dict, text: str, event: _Event, rules: _Compiled) -> str | None:
    if values.get("steroid"):
        return "therapeutic"
    if values.get("anesthetic") and event.performed:
        return "diagnostic"
    for purpose in ("diagnostic", "therapeutic"):
        if rules.purpose[purpose].search(text):
            return purpose
    return "diagnostic" if values.get("anesthetic") else None
