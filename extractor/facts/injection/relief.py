"""Relief after an injection: read it (stated percent, hours, pre/post pain scores) and link it.

Relief is often told away from the injection it belongs to: in the procedure note ("PAIN SCORES:
Pre-procedure 7/10. Post-procedure (30 min) 1/10"), in a later visit ("80% relief for 6 hours
after the 3/2 injection") or in a pain diary ("pre 8/10, 30 min 2/10, 2 h 1/10, 6 h 4/10").
`note_statements` reads the statements of one note from its text alone (regexes, no spaCy);
`extractor.facts.injection.link` attaches them to injection facts; `extractor.facts.injection.link.link_case` is the packet-level hook
that `extractor.extract.link_across_notes` calls after every note is extracted.

Choices (SPEC section 4 leaves them to us):
- percent from scores = (pre - post) / pre * 100, rounded half up, where "post" is the FIRST
  score recorded after the block within the anesthetic window (8 hours, the longest a
  bupivacaine/ropivacaine block lasts; a post score without a time counts as within it). The
  first, not the lowest, is the annotation convention of corpora/sij (CONVENTIONS.md: "the post
  score is the first one after the block, e.g. 30 min"): "pre 8/10, 30 min 2/10, 2 h 1/10" is 75.
  A percent stated beside the scores ("7/10 pre, 1/10 at 30 min (85%)") wins over the computed one.
- a stated range ("80-90% relief", "for 4-6 hours") keeps its lower bound (conservative).
- relief_hours only from minutes/hours ("for three days" gives none); "complete relief" is 100,
  "no relief" is 0.
- percentages that are not relief are never read: "70% of her pain", "80% of the time",
  "25% improvement goal", "SpO2 98%", "2% lidocaine" (a relief word must govern the number).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from extractor.facts.injection.numbers import (
    HOURS_OF,
    PAIN_SCORE,
    entry_result_readings,
    percent_readings,
    relief_hours,
    score_series,
)
from extractor.facts.injection.outcome import injection_outcome, relief_rules
from extractor.text.regex_words import lacks_all, lowered_for_words
from extractor.text.sentences import sentence_starts
from extractor.text.temporal import DateMention, find_dates
from models import Evidence

# ---------------------------------------------------------------- statements of one note

_SITES = {
    "sacroiliac_joint": re.compile(r"\b(?:sacro-?iliac|SIJ|SIJI|SI(?=[- ]joint|\s+(?:injection|block|inj)))", re.IGNORECASE),
    "epidural": re.compile(r"\bepidural|\b(?-i:(?:TF|IL|L|C|T)?ESIs?)\b|transforaminal|interlaminar|caudal", re.IGNORECASE),
    "facet": re.compile(r"\bfacet|medial[- ]branch|\b(?-i:MBBs?)\b", re.IGNORECASE),
    "trochanteric_bursa": re.compile(r"trochanter\w*|\bbursa", re.IGNORECASE),
}
_INJECTION_REF = re.compile(r"\b(?:injections?|inj\b|blocks?|shots?|procedure|post[- ]?procedure|SIJI|(?:TF|IL|L)?ESI|"
                            r"epidurals?|arthrogram|MBB|"
                            r"diary|triamcinolone|kenalog|depo-?medrol|steroid)", re.IGNORECASE)
#: "PT" is physical therapy unless a verb of telling follows: "PT REPORTS 90% RELIEF" (all-caps notes) is the patient
_PT_PATIENT = r"(?!\s+(?:" + "|".join(relief_rules().pt_patient_verbs) + r")\b)"
_OTHER_TREATMENT = re.compile(r"\b(?:physical therapy|(?-i:PT)" + _PT_PATIENT + r"|therapy|medications?|chiropract\w*|exercises?|"
                              r"ibuprofen|naproxen|meloxicam|gabapentin|surgery|fusion|ablation|RFA)\b", re.IGNORECASE)
# "L-spine" / "L spine" is the lumbar spine, "R/O" rule out: no side
_SIDES = {"left": re.compile(r"\b(?:left|lt|L)\b(?!\s*\d)(?![\s-]*spine\b)", 0),
          "right": re.compile(r"\b(?:right|rt|R)\b(?!\s*\d)(?!/O\b)", 0),
          "bilateral": re.compile(r"\b(?:bilateral(?:ly)?|both|B/L|bilat)\b", re.IGNORECASE)}
_SIDE_WORDS = {"left": re.compile(r"\b(?:left|lt)\b", re.IGNORECASE), "right": re.compile(r"\b(?:right|rt)\b", re.IGNORECASE)}
_PURPOSE = {"therapeutic": re.compile(r"therapeutic|steroid|triamcinolone|kenalog|methylprednisolone|depo-?medrol|"
                                      r"dexamethasone|betamethasone|celestone|cortisone", re.IGNORECASE),
            "diagnostic": re.compile(r"diagnostic|confirmatory|comparative|anesthetic block", re.IGNORECASE)}
_PLURAL = re.compile(r"\b(?:injections|blocks|shots|both|each|respectively)\b", re.IGNORECASE)


#: "both R SIJ blocks", "both left-sided injections": two events on one side, not a bilateral one
_BOTH_ONE_SIDE = re.compile(r"\bboth\s+(?:\w+\s+){0,2}?(?:left|right|lt|rt|(?-i:L|R))\b(?![\s-]*(?:and|&|/)\s*(?:left|right|(?-i:L|R))\b)",
                            re.IGNORECASE)


def side_in(text: str) -> str | None:
    """left / right / bilateral stated in `text` (both left and right -> bilateral)."""
    if _SIDES["bilateral"].search(text) and not _BOTH_ONE_SIDE.search(text):
        return "bilateral"
    found = {s for s, p in _SIDE_WORDS.items() if p.search(text)}
    if not found:
        found = {s for s in ("left", "right") if _SIDES[s].search(text)}
    if len(found) == 2:
        return "bilateral"
    return found.pop() if found else None


def site_in(text: str, near: int | None = None) -> str | None:
    """The injection site named in `text`, the one nearest to offset `near` if several."""
    hits = [(abs(m.start() - near) if near is not None else m.start(), site)
            for site, p in _SITES.items() for m in p.finditer(text)]
    return min(hits)[1] if hits else None


@dataclass(frozen=True)
class ReliefStatement:
    """Relief stated in one note, with what it says about the injection it belongs to."""

    evidence: Evidence
    note_key: tuple[str, int]  # (document, note start): which note it was told in
    note_date: dt.date | None
    percent: float | None
    hours: float | None
    dates: tuple[DateMention, ...] = ()
    site: str | None = None
    side: str | None = None
    purpose: str | None = None
    #: True: names an injection; None: names no treatment (links only within its own note); False: other care
    refers_to_injection: bool | None = None
    ambiguous: bool = False  # several injections or several numbers in one statement
    plural_only: bool = False  # ambiguous only by plural wording, one number ("steroid injections gave 20%")
    doc_start: int = 0  # offset of the statement in the document text
    extra_evidence: tuple[Evidence, ...] = field(default=())
    outcome: str | None = None  # what it concludes about a therapeutic injection: failed / effective
    respective: bool = False  # one of several numbers of a sentence, each dated ("on 3/3 and 3/24 ... 75% and 80%")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentences of a note's text, by the pipeline's own splitter (no spaCy needed)."""
    starts = sentence_starts(text) or [0]
    return [(s, e) for s, e in zip(starts, starts[1:] + [len(text)]) if text[s:e].strip()]


def note_statements(text: str, ctx) -> list[ReliefStatement]:
    """Every relief statement of one note (`text` is the note's NLP text, `ctx` its NoteContext).

    Read once per note: the injection facts and the packet's relief linking both ask. A later call
    gets copies (their Evidence too), so neither caller can change what the other holds.
    """
    cached = getattr(ctx, "relief_statements", None)  # tests may pass a context of their own
    if cached is not None and cached[0] == text:
        return [replace(st, evidence=st.evidence.model_copy()) for st in cached[1]]
    found = _note_statements(text, ctx)
    if hasattr(ctx, "relief_statements"):
        ctx.relief_statements = (text, found)
    return found


def _note_statements(text: str, ctx) -> list[ReliefStatement]:
    spans = sentence_spans(text)
    out: list[ReliefStatement] = []
    used: set[int] = set()
    series = score_series(text)
    for s, e in spans:
        sentence = text[s:e]
        if not _may_state_relief(sentence):
            continue
        readings = [r for r in percent_readings(sentence)
                    if not any(x.start <= s + r.start < x.end for x in series)]
        if not readings and _INJECTION_REF.search(sentence):
            readings = [r for r in entry_result_readings(sentence)
                        if not any(x.start <= s + r.start < x.end for x in series)]
        pairs = _respective(sentence, readings, ctx.date)
        if pairs:  # "blocks on 3/3 and 3/24 gave 75% and 80% relief": each number its own injection
            for when, r in pairs:
                st = _statement(text, ctx, s, e, r.percent, None, False, s + r.start)
                out.append(replace(st, dates=(when,), ambiguous=False, plural_only=False, respective=True))
            used.add(s)
        elif readings:
            first = readings[0]
            hours = relief_hours(sentence[first.start:]) if any(r.percent for r in readings) else None
            ambiguous = len({r.percent for r in readings}) > 1 or bool(_PCT_LIST.search(sentence))
            out.append(_statement(text, ctx, s, e, first.percent, hours, ambiguous, s + first.start))
            used.add(s)
        elif (m := HOURS_OF.search(sentence)) is not None:  # "with 6 hours of relief": a duration alone
            out.append(_statement(text, ctx, s, e, None, relief_hours(sentence), False, s + m.start()))
            used.add(s)
    by_sentence: dict[int, list] = {}
    for ser in series:
        s = max((a for a, _ in spans if a <= ser.start), default=0)
        by_sentence.setdefault(s, []).append(ser)
    for s, group in by_sentence.items():
        used.add(s)
        e = next((b for a, b in spans if a == s), group[-1].end)
        dated = _respective(text[s:e], group, ctx.date, offset=s) if len(group) > 1 else None
        for k, ser in enumerate(group):
            # "Pre 6/10, post 1/10 at 30 minutes; relief lasted 4 hours": the duration after the scores, up to the next series
            upto = group[k + 1].start if k + 1 < len(group) else e
            hours = relief_hours(text[ser.end:upto]) if ser.end < upto else None
            st = _statement(text, ctx, s, ser.end, ser.percent(), hours, False, ser.start, ev_start=ser.start,
                            rule=SCORES_RULE if ser.stated is None else STATEMENT_RULE)
            if dated:  # "blocks on November 10 and December 1, pain from 8/10 to 1/10 and from 7/10 to 1/10"
                st = replace(st, dates=(dated[k][0],), ambiguous=False, plural_only=False, respective=True)
            out.append(st)
    after_injection = False  # the previous sentence named an injection: "Pain was back to baseline by week 3."
    for s, e in spans:  # "Therapeutic steroid injection in February did not help.": a dated retelling
        sentence = text[s:e]
        names = _INJECTION_REF.search(sentence) is not None
        if s not in used:
            conclusion = injection_outcome(sentence) if names or after_injection else None
            if names and _dates(sentence, ctx.date) or conclusion is not None:
                out.append(_statement(text, ctx, s, e, None, None, False, s, outcome=conclusion))
        # "... 80 mg methylprednisolone." names the injection the next sentence concludes about
        after_injection = names or _PURPOSE["therapeutic"].search(sentence) is not None
    return [st for st in out if st.percent is not None or st.hours is not None or st.outcome is not None
            or (st.dates and st.refers_to_injection)]


def _respective(sentence: str, readings: list, anchor: dt.date | None, offset: int = 0) -> list | None:
    """[(date, reading)] when a sentence names as many injection dates as it gives relief numbers, in the same
    order (dates first): "two blocks on 3/3 and 3/24 gave 75% and 80% relief", "... on November 10 and
    December 1, with pain falling from 8/10 to 1/10 and from 7/10 to 1/10". None otherwise."""
    if len(readings) < 2 or len({getattr(r, "percent", None) for r in readings}) < 1:
        return None
    dates = sorted({d.date: d for d in find_dates(sentence, anchor) if not d.relative and not PAIN_SCORE.fullmatch(
        sentence[d.start:d.end]) and (anchor is None or d.date <= anchor)}.values(), key=lambda d: d.start)
    first = min(r.start - offset for r in readings)
    if len(dates) != len(readings) or any(d.end > first for d in dates):
        return None
    return list(zip(dates, sorted(readings, key=lambda r: r.start)))


def _may_state_relief(sentence: str) -> bool:
    """False when the sentence holds none of the words every relief reading and `HOURS_OF` match needs
    (a percent sign, "percent", "per cent", "relief"): most sentences, ruled out without their regexes."""
    return not lacks_all(lowered_for_words(sentence), _RELIEF_NEEDS)


_RELIEF_NEEDS = ("%", "percent", "per cent", "relief")  # number words come with "percent"


#: evidence rule of a relief statement; SCORES_RULE: a percent computed from pre/post pain scores, which a
#: percent the chart states for the same injection replaces (SPEC: computed "when only scores are given")
STATEMENT_RULE = "relief.statement"
SCORES_RULE = "relief.scores"


def _statement(text: str, ctx, s: int, e: int, percent, hours, ambiguous: bool, at: int,
               ev_start: int | None = None, outcome: str | None = None, rule: str = STATEMENT_RULE) -> ReliefStatement:
    """A statement of `text[s:e]`; `outcome`: its conclusion when the caller has read it already."""
    context = text[s:e]
    kind = getattr(ctx.note, "kind", "other")
    refers: bool | None = True if _INJECTION_REF.search(context) or kind == "procedure" else None
    if not _INJECTION_REF.search(context) and _OTHER_TREATMENT.search(context):
        refers = False  # "PT gave 50% improvement"
    evidence = ctx.evidence(ev_start if ev_start is not None else s, e, rule=rule)
    purpose = next((p for p, rx in _PURPOSE.items() if rx.search(context)), None)
    outcome = None if refers is False else outcome or injection_outcome(context)
    if outcome and purpose is None and percent is None and hours is None:
        purpose = "therapeutic"  # a conclusion without numbers speaks of a therapeutic injection (SPEC outcome)
    plural = bool(_PLURAL.search(context) and not _SINGULAR_REF.search(context))
    return ReliefStatement(
        evidence=evidence, note_key=(ctx.source.name, ctx.note.start), note_date=ctx.date,
        percent=percent, hours=hours, dates=_dates(context, ctx.date),
        site=site_in(context, at - s), side=side_in(context), purpose=purpose, refers_to_injection=refers,
        ambiguous=ambiguous or plural,
        plural_only=plural and not ambiguous,
        doc_start=evidence.start, outcome=outcome)


def _dates(context: str, anchor: dt.date | None) -> tuple[DateMention, ...]:
    """Dates a statement gives its injection: "the 3/2 injection", "block on 2/24".

    Only dates next to an injection word count ("Follow-up 3/9: 25% better" dates the
    follow-up, not the injection); never a pain score ("6 h 4/10"), a date counted from
    another event ("3 months after the injection") or a future date.
    """
    refs = [m.span() for m in _INJECTION_REF.finditer(context)]
    out = []
    for d in find_dates(context, anchor) + day_of_month(context, anchor):
        text = context[d.start:d.end]
        if PAIN_SCORE.fullmatch(text) or (d.relative and re.search(r"(?:after|later|afterwards)$", text, re.IGNORECASE)) \
                or (anchor is not None and d.date > anchor):
            continue
        if _VISIT_LABEL.match(context, d.end):
            continue  # "06/15/2026 F/U: steroid injections gave 20%": the date of the visit that tells it
        if any(-_NEAR <= s - d.end <= _NEAR or -_NEAR <= d.start - e <= _NEAR for s, e in refs):
            out.append(d)
    return tuple(out)


_NEAR = 30
_VISIT_LABEL = re.compile(r"\s*[:\-]?\s*(?:F/U|follow[- ]?up|office visit|OV|visit|clinic visit|phone (?:call|note)|"
                          r"telephone (?:call|encounter)|telehealth|RN note)\b", re.IGNORECASE)
_ORDINAL_DAY = re.compile(r"\b(?:on|from|of) the (?P<d>[1-9]|[12]\d|3[01])(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?(?:week|day|visit|session|time|injection|block))",
                          re.IGNORECASE)


def day_of_month(context: str, anchor: dt.date | None) -> list[DateMention]:
    """ "the block on the 3rd" in a note of 03/04: the latest date on or before the note with that day."""
    if anchor is None:
        return []
    out = []
    for m in _ORDINAL_DAY.finditer(context):
        day, month, year = int(m.group("d")), anchor.month, anchor.year
        for _ in range(3):
            try:
                when = dt.date(year, month, day)
            except ValueError:
                when = None
            if when is not None and when <= anchor:
                out.append(DateMention(m.start("d") - 0, m.end(), when, False, True))
                break
            month, year = (month - 1, year) if month > 1 else (12, year - 1)
    return out


_PCT_LIST = re.compile(r"\d\s*%\s*(?:,|and|&|or|to)\s*\d{1,3}\s*%", re.IGNORECASE)
_SINGULAR_REF = re.compile(r"\b(?:the|this|that|her|his|last|most recent|latest|first|second|#\d)\s+"
                           r"(?:\w+\s+){0,3}(?:injection|block|procedure|shot)\b(?!s)", re.IGNORECASE)
