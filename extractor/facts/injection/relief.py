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
import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from extractor.rules.loader import load_rules
from extractor.text.regex_words import lacks_all, lowered_for_words, regex_lower
from extractor.text.sentences import sentence_starts
from extractor.text.temporal import NUMBER_WORDS, DateMention, find_dates
from models import Evidence

# ---------------------------------------------------------------- reading numbers

_N = r"\d{1,3}(?:\.\d+)?"
_PCT = rf"(?P<p>{_N})(?:\s*(?:-|–|to)\s*(?P<p2>{_N}))?\s*(?:%|percent\b|per cent\b)"
_RELIEF_AFTER = re.compile(
    r"~?" + _PCT + r"\)?(?!\s*(?:of\b|lidocaine|bupivacaine|ropivacaine|\w*caine|marcaine|xylocaine|sensorcaine))"
    r"\s*(?:(?:pain|symptom|symptomatic|overall|immediate|sustained|temporary|initial|transient|partial)\s+)*"
    r"(?:relief|improvement|reduction|better|improved|decrease|benefit|resolution|relieved)\b", re.IGNORECASE)
_RELIEF_BEFORE = re.compile(
    r"\b(?:relief|improvement|reduction|improved|decreased?|reduced|relieved|better|benefit|helped|gave|provided)\s*"
    r"(?:(?:of|by|was|is|at|in pain|approximately|approx\.?|about|roughly|around|nearly|almost|over|greater than"
    r"|more than|at least|maybe|perhaps|only|>|~|\(|:|=|,|-|\"|“)\s*){0,4}~?" + _PCT + r"(?!\s*(?:of\b|\w*caine))", re.IGNORECASE)
_RELIEF_WORDS = {
    100.0: re.compile(r"\b(?:complete|total|full|100\s*%)\s+(?:pain\s+)?relief\b", re.IGNORECASE),
    0.0: re.compile(r"\b(?:no|without(?: any)?|did not (?:get|have|experience) any|zero)\s+(?:pain\s+)?relief\b", re.IGNORECASE),
}
_NOT_RELIEF = re.compile(r"\b(?:goal|target|aim|expect\w*|hope\w*|anticipat\w*|would consider|needs?|require\w*)\b", re.IGNORECASE)
_WORDNUM = "|".join(sorted((w for w in NUMBER_WORDS if " " not in w), key=len, reverse=True))
_HOURS = re.compile(
    r"\b(?:for|lasting|lasted|x|over|duration of|up to)\s+(?:about|approximately|approx\.?|roughly|around|nearly|"
    r"~|only|just|almost)?\s*(?P<h>\d+(?:\.\d+)?|" + _WORDNUM + r")(?:\s*(?:-|–|to)\s*(?P<h2>\d+(?:\.\d+)?))?"
    r"\s*(?P<u>hours?|hrs?|h|minutes?|mins?)\b", re.IGNORECASE)

_HOURS_OF = re.compile(r"\b(?P<h>\d+(?:\.\d+)?|" + _WORDNUM + r")\s*(?P<u>hours?|hrs?|h|minutes?|mins?)\s+of\s+"
                       r"(?:\w+\s+)?(?:pain\s+)?relief\b", re.IGNORECASE)
_SCORE = re.compile(r"(?<![\d.])(?P<s>\d{1,2}(?:\.\d)?)\s*/\s*10\b")
_PRE = re.compile(r"\b(?:pre[- ]?(?:procedure|procedural|injection|block|op|operative)?|baseline|before(?:\s+the)?"
                  r"\s+(?:injection|procedure|block))\b(?:\s+(?:pain|score|VAS|NRS|pain score))?\s*[:=(]?\s*$", re.IGNORECASE)
_TRAIL = re.compile(r"\s*(?:at|@)\s*(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b", re.IGNORECASE)
_STATED_AFTER = re.compile(r"\s*\(\s*~?(?P<p>\d{1,3})\s*%\s*\)")
_PRE_AFTER = re.compile(r"\s*(?:pre(?:[- ]?(?:procedure|injection|block))?|before|baseline)\b", re.IGNORECASE)
_TIME = re.compile(r"(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<a>\d{1,2})\s*(?:/\s*10)?\s+(?:to|down to)\s+(?P<b>\d{1,2})\s*/\s*10\b"
                      r"|\b(?:VAS|NRS|pain score|pain)\s+(?:\w+\s+){0,2}from\s+(?P<e>\d{1,2})\s+(?:to|down to)\s+(?P<f>\d{1,2})\b"
                      r"|(?P<c>\d{1,2})\s*/\s*10\s*(?:->|→|=>)\s*(?P<d>\d{1,2})\s*/\s*10\b"
                      r"|\b(?:VAS|NRS|pain(?: score)?)\s*:?\s*(?P<g>\d{1,2})\s*(?:->|→|=>|-->)\s*(?P<h>\d{1,2})\b(?!\s*[/.%])",
                      re.IGNORECASE)
ANESTHETIC_WINDOW_MINUTES = 8 * 60


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


@dataclass(frozen=True)
class Reading:
    """Relief read from one stretch of text: [start, end) in that text."""

    start: int
    end: int
    percent: float | None = None
    hours: float | None = None
    from_scores: bool = False


def _num(raw: str) -> float:
    return float(raw) if raw[0].isdigit() else float(NUMBER_WORDS[regex_lower(raw)])


def percent_readings(text: str) -> list[Reading]:
    """Stated relief percentages in `text` (a sentence), left to right, without overlaps."""
    found: list[Reading] = []
    for pattern in (_RELIEF_AFTER, _RELIEF_BEFORE):
        for m in pattern.finditer(text):
            if any(m.start() < r.end and r.start < m.end() for r in found) or _is_goal(text, m):
                continue
            value = float(m.group("p"))
            if value <= 100:
                found.append(Reading(m.start(), m.end(), percent=value))
    for value, pattern in _RELIEF_WORDS.items():
        for m in pattern.finditer(text):
            if not any(m.start() < r.end and r.start < m.end() for r in found):
                found.append(Reading(m.start(), m.end(), percent=value))
    return sorted(found, key=lambda r: r.start)


def _is_goal(text: str, m: re.Match[str]) -> bool:
    """'25% improvement goal', 'goal of 50% reduction': targets, not results."""
    return bool(_NOT_RELIEF.search(text[max(0, m.start() - 25):m.start()])
                or _NOT_RELIEF.match(text[m.end():m.end() + 12].strip(" ,.")))


def relief_hours(text: str) -> float | None:
    """Duration of relief stated in minutes or hours ("lasting about 6 hours" -> 6, "for 30 min" -> 0.5)."""
    m = _HOURS.search(text) or _HOURS_OF.search(text)
    if not m:
        return None
    value = _num(m.group("h"))
    return round(value / 60, 2) if m.group("u").lower().startswith("m") else value


@dataclass(frozen=True)
class ScoreSeries:
    start: int
    end: int
    pre: float
    posts: tuple[tuple[float | None, float], ...]  # (minutes after, score)
    stated: float | None = None  # a percent written beside the scores

    def percent(self) -> int | None:
        """(pre - first post within the anesthetic window) / pre, rounded half up."""
        if self.stated is not None:
            return round_half_up(self.stated)
        inside = [s for t, s in self.posts if t is None or t <= ANESTHETIC_WINDOW_MINUTES]
        if self.pre <= 0 or not inside:
            return None
        return max(0, round_half_up((self.pre - inside[0]) / self.pre * 100))


def score_series(text: str) -> list[ScoreSeries]:
    """Pre/post pain-score series: "Pre-procedure 7/10. Post-procedure (30 min) 1/10", "from 8/10 to 2/10"."""
    scores = list(_SCORE.finditer(text))
    out: list[ScoreSeries] = []
    i = 0
    while i < len(scores):
        m = scores[i]
        lo = max(0, m.start() - 45)
        pre = _PRE.search(text[lo:m.start()]) or _PRE_AFTER.match(text, m.end())
        if pre and pre.re is _PRE_AFTER:
            lo = m.start() - pre.start()  # "7/10 pre, 1/10 at 30 min": the series starts at the score
        if not pre:
            i += 1
            continue
        posts, end, j = [], m.end(), i + 1
        while j < len(scores):
            gap = text[end:scores[j].start()]
            if _PRE.search(text[max(0, scores[j].start() - 45):scores[j].start()]) or len(gap) > 60 or "\n\n" in gap:
                break
            t = _TIME.search(gap)
            minutes = None if t is None else float(t.group("t")) * (1 if t.group("u").lower().startswith("m") else 60)
            posts.append((minutes, float(scores[j].group("s"))))
            end, j = scores[j].end(), j + 1
        trail = _TRAIL.match(text, end)
        if posts and trail:
            unit = 1 if trail.group("u").lower().startswith("m") else 60
            posts[-1] = (posts[-1][0] if posts[-1][0] is not None else float(trail.group("t")) * unit, posts[-1][1])
            end = trail.end()
        stated = _STATED_AFTER.match(text, end)
        if stated and posts:
            end = stated.end()
        if posts:
            out.append(ScoreSeries(lo + pre.start(), end, float(m.group("s")), tuple(posts),
                                   float(stated.group("p")) if stated else None))
        i = j
    out += [d for d in diary_series(text) if not any(d.start < s.end and s.start < d.end for s in out)]
    for m in _FROM_TO.finditer(text):
        if not any(s.start <= m.start() < s.end for s in out):
            pre, post = next((m.group(a), m.group(b)) for a, b in (("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"))
                             if m.group(a))
            out.append(ScoreSeries(m.start(), m.end(), float(pre), ((None, float(post)),)))
    return sorted(out, key=lambda s: s.start)


_DIARY_LINE = re.compile(r"^[^\n]*\b(?:diary|log)\b[^\n]*$", re.IGNORECASE | re.MULTILINE)
_DIARY_ENTRY = re.compile(r"(?P<h>\d{1,2}):?(?P<m>\d{2})\s*(?P<pre>pre(?:[- ]?(?:procedure|injection|block))?|baseline)?"
                          r"\s*[-:=]?\s*(?P<s>\d{1,2}(?:\.\d)?)(?:\s*/\s*10)?\s*(?=\||;|,|$)", re.IGNORECASE)


def diary_series(text: str) -> list[ScoreSeries]:
    """A pain diary written as clock times and scores on one line, the first labelled pre/baseline.

    "Pain diary: 10:15 baseline 8 | 10:45 - 1 | 12:45 - 2", "Diary 0800 pre 6/10; 0830 1/10; 1000 2/10":
    the minutes after the block come from the clock times (the first post within the anesthetic
    window counts, as for other series). A line without a pre/baseline label gives nothing.
    """
    out = []
    for line in _DIARY_LINE.finditer(text):
        entries = [e for e in _DIARY_ENTRY.finditer(line.group()) if int(e.group("h")) < 24 and int(e.group("m")) < 60]
        pre = next((k for k, e in enumerate(entries) if e.group("pre")), None)
        if pre is None or pre + 1 >= len(entries):
            continue
        clock = [int(e.group("h")) * 60 + int(e.group("m")) for e in entries]
        posts = tuple(((clock[k] - clock[pre]) % (24 * 60), float(entries[k].group("s")))
                      for k in range(pre + 1, len(entries)))
        out.append(ScoreSeries(line.start() + entries[pre].start(), line.start() + entries[-1].end(),
                               float(entries[pre].group("s")), posts))
    return out


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
_OTHER_TREATMENT = re.compile(r"\b(?:physical therapy|(?-i:PT)|therapy|medications?|chiropract\w*|exercises?|"
                              r"ibuprofen|naproxen|meloxicam|gabapentin|surgery|fusion|ablation|RFA)\b", re.IGNORECASE)
_SIDES = {"left": re.compile(r"\b(?:left|lt|L)\b(?!\s*\d)", 0), "right": re.compile(r"\b(?:right|rt|R)\b(?!\s*\d)", 0),
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
        if readings:
            first = readings[0]
            hours = relief_hours(sentence[first.start:]) if any(r.percent for r in readings) else None
            ambiguous = len({r.percent for r in readings}) > 1 or bool(_PCT_LIST.search(sentence))
            out.append(_statement(text, ctx, s, e, first.percent, hours, ambiguous, s + first.start))
            used.add(s)
        elif (m := _HOURS_OF.search(sentence)) is not None:  # "with 6 hours of relief": a duration alone
            out.append(_statement(text, ctx, s, e, None, relief_hours(sentence), False, s + m.start()))
            used.add(s)
    for ser in series:
        s = max((a for a, _ in spans if a <= ser.start), default=0)
        used.add(s)
        out.append(_statement(text, ctx, s, ser.end, ser.percent(), None, False, ser.start, ev_start=ser.start))
    after_injection = False  # the previous sentence named an injection: "Pain was back to baseline by week 3."
    for s, e in spans:  # "Therapeutic steroid injection in February did not help.": a dated retelling
        names = _INJECTION_REF.search(text[s:e]) is not None
        if s not in used and (names and _dates(text[s:e], ctx.date)
                              or (names or after_injection) and injection_outcome(text[s:e]) is not None):
            out.append(_statement(text, ctx, s, e, None, None, False, s))
        after_injection = names or _PURPOSE["therapeutic"].search(text[s:e]) is not None  # "... 80 mg methylprednisolone."
    # a conclusion without numbers speaks of a therapeutic injection (SPEC: outcome is what the chart
    # concludes about one), so it looks for one when it names no purpose
    out = [replace(st, purpose="therapeutic") if st.outcome and st.purpose is None and st.percent is None
           and st.hours is None else st for st in out]
    return [st for st in out if st.percent is not None or st.hours is not None or st.outcome is not None
            or (st.dates and st.refers_to_injection)]


class ReliefRules(BaseModel):
    """extractor/rules/relief.json: what a chart concludes about a therapeutic injection."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    outcome_failed: list[str]
    outcome_effective: list[str]


@lru_cache(maxsize=1)
def _outcome_cues() -> tuple[re.Pattern[str], re.Pattern[str]]:
    r = load_rules("relief", ReliefRules)
    return (re.compile("|".join(r.outcome_failed), re.IGNORECASE),
            re.compile("|".join(r.outcome_effective), re.IGNORECASE))


def injection_outcome(sentence: str) -> str | None:
    """`failed` or `effective` when the sentence concludes so (failed wins), else None."""
    failed, effective = _outcome_cues()
    if failed.search(sentence):
        return "failed"
    return "effective" if effective.search(sentence) else None


def _may_state_relief(sentence: str) -> bool:
    """False when the sentence holds none of the words every relief reading and `_HOURS_OF` match needs
    (a percent sign, "percent", "per cent", "relief"): most sentences, ruled out without their regexes."""
    return not lacks_all(lowered_for_words(sentence), _RELIEF_NEEDS)


_RELIEF_NEEDS = ("%", "percent", "per cent", "relief")


def _statement(text: str, ctx, s: int, e: int, percent, hours, ambiguous: bool, at: int,
               ev_start: int | None = None) -> ReliefStatement:
    context = text[s:e]
    kind = getattr(ctx.note, "kind", "other")
    refers: bool | None = True if _INJECTION_REF.search(context) or kind == "procedure" else None
    if not _INJECTION_REF.search(context) and _OTHER_TREATMENT.search(context):
        refers = False  # "PT gave 50% improvement"
    evidence = ctx.evidence(ev_start if ev_start is not None else s, e, rule="relief.statement")
    purpose = next((p for p, rx in _PURPOSE.items() if rx.search(context)), None)
    plural = bool(_PLURAL.search(context) and not _SINGULAR_REF.search(context))
    return ReliefStatement(
        evidence=evidence, note_key=(ctx.source.name, ctx.note.start), note_date=ctx.date,
        percent=percent, hours=hours, dates=_dates(context, ctx.date),
        site=site_in(context, at - s), side=side_in(context), purpose=purpose, refers_to_injection=refers,
        ambiguous=ambiguous or plural,
        plural_only=plural and not ambiguous,
        doc_start=evidence.start, outcome=injection_outcome(context) if refers is not False else None)


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
        if _SCORE.fullmatch(text) or (d.relative and re.search(r"(?:after|later|afterwards)$", text, re.IGNORECASE)) \
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
