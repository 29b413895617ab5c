"""Linking relief statements to injection facts, within a note and across a packet.

`link_relief` attaches statements read by `extractor.facts.injection.relief.note_statements` to injection
facts; `absorb_undated` folds retellings and carried-out plans into the injections they tell
of; `link_case` is the packet-level hook (called by
`extractor.extract.link_across_notes` after every note is extracted).
"""
from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections import Counter

from extractor.facts.injection.outcome import outcome_from_relief
from extractor.facts.injection.relief import SCORES_RULE, STATEMENT_RULE, ReliefStatement, note_statements
from extractor.resolve.conservative import apply_general_outcomes, general_outcome_statements
from extractor.resolve.merge import DatedFact
from extractor.text.temporal import DateMention
from models import Conflict

LINKABLE = ("present", "historical")
NoteKey = tuple[str, int]


def link_relief(facts: list, statements: list[ReliefStatement], note_of) -> list:
    """Injection facts with relief filled from `statements`; other facts unchanged, order kept.

    `note_of(fact) -> NoteKey | None` says which note a fact was told in. A statement goes to
    the injection it names by date (and site, side, purpose when stated); else, in the note it
    was told in, the injection of that note; else the latest compatible injection dated on or
    before the statement's note. Ambiguous statements ("two blocks gave 86% and 80%") link only
    by an explicit date. A fact that already has a different relief keeps it and records the
    statement as a conflict; a statement already on a fact is not linked twice.
    """
    facts = list(facts)
    injections = [i for i, f in enumerate(facts) if f.type == "injection"]
    # the quotes the injections hold, counted, kept up to date as statements are applied (a packet
    # of 1,000 pages has thousands of statements and facts: no rescan of every fact per statement)
    quoted = Counter(_key(e) for i in injections for e in facts[i].evidence)
    for st in sorted(statements, key=lambda s: (s.note_date or dt.date.min, s.doc_start)):
        if st.refers_to_injection is False or (quoted[_key(st.evidence)] > 0 and not st.respective):
            continue  # a statement already on an injection is not linked twice
        idx = choose_injection(st, facts, note_of, injections)
        if idx is not None and st.respective and facts[idx].relief_percent == st.percent \
                and any(_key(e) == _key(st.evidence) for e in facts[idx].evidence):
            continue  # one number of a sentence of several, already on its injection
        if idx is not None:
            old, facts[idx] = facts[idx], _apply(facts[idx], st)
            quoted.subtract(_key(e) for e in old.evidence)
            quoted.update(_key(e) for e in facts[idx].evidence)
    return facts


def _key(evidence) -> tuple:
    return evidence.document, evidence.start, evidence.end, evidence.rule


def _compatible(st: ReliefStatement, fact) -> bool:
    return (fact.type == "injection" and fact.assertion in LINKABLE
            and (st.site is None or st.site == fact.site)
            and (st.side is None or fact.side is None or st.side == fact.side or "bilateral" in (st.side, fact.side)))


def _same_date(mention: DateMention, date: dt.date | None) -> bool:
    if date is None:
        return False
    if mention.approximate:
        return (mention.date.year, mention.date.month) == (date.year, date.month)
    return mention.date == date


def choose_injection(st: ReliefStatement, facts: list, note_of, injections: list[int] | None = None) -> int | None:
    """Index in `facts` of the injection a statement belongs to, or None (`injections`: the indices of
    the injection facts, when the caller knows them)."""
    cands = [i for i in (range(len(facts)) if injections is None else injections) if _compatible(st, facts[i])]
    if st.dates:
        dated = [i for i in cands if any(_same_date(d, facts[i].date) for d in st.dates)]
        if dated:
            return _prefer(st, dated, facts, note_of)
    if st.percent is None and st.hours is None and st.outcome is None:
        return None  # a retelling without numbers or conclusion links by its date only
    if st.plural_only and st.purpose and not st.dates:  # "the steroid injections gave 20%": one bilateral procedure
        both = [i for i in cands if facts[i].side == "bilateral" and facts[i].date is not None
                and facts[i].purpose == st.purpose
                and (st.note_date is None or facts[i].date <= st.note_date)]
        if len(both) == 1:
            return both[0]
    if st.ambiguous or any(d.date != st.note_date for d in st.dates):
        return None  # it names a date that no compatible injection has
    here = [i for i in cands if note_of(facts[i]) == st.note_key]
    if st.refers_to_injection is None:
        cands = here
    # relief follows its injection: the nearest one told before it in the same document
    before = [i for i in cands if facts[i].evidence[0].document == st.evidence.document
              and facts[i].evidence[0].start <= st.doc_start]
    if st.purpose:
        before = [i for i in before if facts[i].purpose in (None, st.purpose)]
    if before:
        return max(before, key=lambda i: facts[i].evidence[0].start)
    if here:
        return None  # only injections told after it in its note: it speaks of an earlier one
    earlier = [i for i in cands if facts[i].date is not None and st.note_date is not None
               and facts[i].date <= st.note_date]
    if st.purpose:
        earlier = [i for i in earlier if facts[i].purpose in (None, st.purpose)] or []
    if not earlier:
        return None
    return max(earlier, key=lambda i: (facts[i].date, facts[i].evidence[0].start))


def _prefer(st: ReliefStatement, idxs: list[int], facts: list, note_of) -> int | None:
    """Among injections of the named date: the same note's, then the stated purpose's; one or none."""
    for narrowed in ([i for i in idxs if note_of(facts[i]) == st.note_key],
                     [i for i in idxs if st.purpose and facts[i].purpose == st.purpose], idxs):
        if len(narrowed) == 1:
            return narrowed[0]
    return None if st.ambiguous else idxs[0]


def _apply(fact, st: ReliefStatement):
    same_span = [e for e in fact.evidence if (e.document, e.start, e.end) == (st.evidence.document,
                                                                            st.evidence.start, st.evidence.end)]
    evidence = fact.evidence + [st.evidence]
    if same_span:  # the mention's own sentence: mark it as the relief statement too, once
        evidence = [st.evidence if e is same_span[0] else e for e in fact.evidence if e is same_span[0]
                    or e not in same_span]
    if st.outcome is not None and fact.purpose == "therapeutic":
        fact = fact.model_copy(update={"outcome": st.outcome})  # the chart's conclusion; a later one replaces it
    if st.percent is None:
        update = {} if same_span else {"evidence": evidence}
        if st.hours is not None and fact.relief_hours is None:
            update["relief_hours"] = st.hours
        return fact.model_copy(update=update) if update else fact
    if fact.relief_percent is None or fact.relief_percent == st.percent:
        hours = fact.relief_hours if fact.relief_hours is not None else st.hours
        return fact.model_copy(update={"relief_percent": st.percent, "relief_hours": hours, "evidence": evidence})
    if _computed_only(fact) and st.evidence.rule != SCORES_RULE and not st.ambiguous:
        # a percent the chart states beats one computed from scores ("pre 6, post 2" in the procedure note,
        # "relief was only about 40% and is fading" at the two-week call)
        return fact.model_copy(update={"evidence": evidence, **_stated_over_computed(fact, st.percent, st.hours)})
    conflict = Conflict(attributes={k: v for k, v in (("relief_percent", st.percent), ("relief_hours", st.hours))
                                    if v is not None}, evidence=[st.evidence])
    return fact.model_copy(update={"conflicts": fact.conflicts + [conflict]})


def _computed_only(fact) -> bool:
    """The fact's relief percent came from pain scores: a scores quote, and no stated-percent quote."""
    rules = [e.rule for e in fact.evidence]
    return SCORES_RULE in rules and not any(e.rule == STATEMENT_RULE and _STATED.search(e.text) for e in fact.evidence)


def _stated_over_computed(fact, percent, hours) -> dict:
    """The update that puts a stated percent (and its hours) on `fact` in place of the one computed from its
    scores, which stays on the fact as a conflict for the reviewer."""
    kept = Conflict(attributes={"relief_percent": fact.relief_percent},
                    evidence=[e for e in fact.evidence if e.rule == SCORES_RULE])
    return {"relief_percent": percent, "relief_hours": hours if hours is not None else fact.relief_hours,
            "conflicts": fact.conflicts + [kept]}


_STATED = re.compile(r"\d\s*%|percent|per cent", re.IGNORECASE)


# ---------------------------------------------------------------- the packet-level hook

def absorb_undated(facts: list, note_of, note_dates: dict) -> list:
    """Drop undated injection mentions of a later note when the packet holds the dated injection.

    "Two diagnostic left SIJ blocks gave 86% and 80% relief" in a follow-up retells injections
    that the procedure notes date: it is no injection of its own. With exactly one dated
    candidate (same site, compatible side, on or before the note) the mention's evidence and
    relief move onto it; with several, the mention is dropped (which one it meant is unsaid).
    """
    out = list(facts)
    drop: set[int] = set()
    injections = [j for j, g in enumerate(facts) if g.type == "injection"]
    dated: dict[str | None, list[int]] = {}  # site -> the dated, linkable injections of it, in order
    for j in injections:
        if facts[j].date is not None and facts[j].assertion in LINKABLE:
            dated.setdefault(facts[j].site, []).append(j)
    for i in injections:
        f = facts[i]
        if f.assertion == "hypothetical":
            j = _carried_out(i, facts, _dated_on_or_before(note_of(f), note_dates), injections)
            if j is not None:  # a plan the packet later reports is a mention of that injection
                drop.add(i)
                out[j] = out[j].model_copy(update={"evidence": out[j].evidence + f.evidence})
            continue
        if f.date is not None or f.assertion not in LINKABLE:
            continue
        when = note_dates.get(note_of(f))
        cands = [j for j in dated.get(f.site, ()) if j != i and (when is None or facts[j].date <= when)
                 and (f.side is None or facts[j].side is None or f.side == facts[j].side)]
        if not cands:
            continue
        drop.add(i)
        if len(cands) > 1:  # "Two diagnostic left SIJ blocks gave 86% and 80%": a quote for each of them
            cands = [j for j in cands if f.purpose is None or facts[j].purpose in (None, f.purpose)]
        for j in cands:
            update = {"evidence": out[j].evidence + [e for e in f.evidence if e not in out[j].evidence]}
            if len(cands) == 1 and out[j].relief_percent is None and f.relief_percent is not None:
                update.update(relief_percent=f.relief_percent, relief_hours=f.relief_hours)
            elif len(cands) == 1 and f.relief_percent not in (None, out[j].relief_percent) and _computed_only(out[j]) \
                    and not _computed_only(f):  # a stated percent beats one computed from scores, as in _apply
                update.update(_stated_over_computed(out[j], f.relief_percent, f.relief_hours))
            out[j] = out[j].model_copy(update=update)
    return [f for i, f in enumerate(out) if i not in drop]


def _dated_on_or_before(key, note_dates: dict) -> dt.date | None:
    """The note's date of service, or, for a piece without one (a plan the segmenter split off the bottom of a
    dated consult), the date of the nearest dated note above it in the same document: the plan is no older."""
    if key is None or note_dates.get(key) is not None:
        return note_dates.get(key) if key is not None else None
    above = [(start, when) for (doc, start), when in note_dates.items() if doc == key[0] and start < key[1] and when]
    return max(above)[1] if above else None


def _carried_out(i: int, facts: list, planned_on: dt.date | None, injections: list[int]) -> int | None:
    """The first present injection of the planned site (and date, if the plan gives one) after the plan."""
    plan = facts[i]
    if planned_on is None:
        return None
    later = [j for j in injections if (g := facts[j]).assertion in LINKABLE and g.date
             and g.site == plan.site and g.date > planned_on and (plan.date is None or g.date == plan.date)
             and (plan.side is None or g.side is None or plan.side == g.side)]
    return min(later, key=lambda j: facts[j].date) if later else None


def note_finder(prepared: list):
    """`note_of(fact)`: the note a fact's first quote lies in, by binary search (packets run to 1,000 pages)."""
    by_doc: dict[str, list[tuple[int, int]]] = {}
    for p in prepared:
        by_doc.setdefault(p.context.source.name, []).append((p.context.note.start, p.context.note.end))
    starts = {doc: [s for s, _ in sorted(spans)] for doc, spans in by_doc.items()}
    spans_sorted = {doc: sorted(spans) for doc, spans in by_doc.items()}

    def note_of(fact) -> NoteKey | None:
        ev = fact.evidence[0]
        i = bisect_right(starts.get(ev.document, []), ev.start) - 1
        if i < 0:
            return None
        s, e = spans_sorted[ev.document][i]
        return (ev.document, s) if s <= ev.start < max(e, s + 1) else None

    return note_of


def link_case(found: list, prepared: list) -> list:
    """Packet-level links after every note is extracted (called by extractor.extract).

    `found` is a list of `extractor.resolve.merge.DatedFact`, `prepared` of `extractor.extract.PreparedNote`.
    Undated retellings of dated injections are absorbed, then relief statements of every note are
    linked to injections; then conservative care declared failed as a whole ("refractory to
    conservative care") gives its outcome to the conservative treatments told on or before it.
    """
    note_of = note_finder(prepared)

    note_dates = {(p.context.source.name, p.context.note.start): p.context.date for p in prepared}
    facts = absorb_undated([d.fact for d in found], note_of, note_dates)
    statements = [st for p in prepared for st in note_statements(p.text, p.context)]
    facts = link_relief(facts, statements, note_of)
    general = [g for p in prepared for g in general_outcome_statements(p.text, p.context)]
    facts = apply_general_outcomes(facts, general, lambda f: note_dates.get(note_of(f)))
    facts = [outcome_from_relief(f) for f in facts]  # relief from every note is linked by now
    return [DatedFact(f, note_dates.get(note_of(f))) for f in facts]
