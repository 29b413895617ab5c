"""Smoking status (SPEC section 4): status, quit_date, pack_years; one fact per note and person.

Each SMOKING target (extractor/rules/smoking_status.json) is read in its clause (the part of its
sentence between semicolons). The clause is classified by regex families tried in a fixed order
(explicit "unknown", labelled statuses such as "Tobacco: never" / "former smoker", quitting,
current use, denial); the first family that matches decides. ConText's negation is not used for
the status: "denies tobacco" is the status `never`, asserted `present`. Mentions of another
person ("mother smokes", "husband smokes", a family-history section) give a fact with assertion
`family`, never the patient's status.

Within a note the patient's statements merge into one fact: current > former > never > unknown
(a reviewer must see current use); statements of another status are kept as `conflicts`.
Structured lines that follow a statement ("Quit date: 2015", "Packs/day: 1", "Years: 20") add
their attributes and evidence.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field
from spacy.tokens import Doc, Span

from extractor.facts._clinical import CHECKED, UNCHECKED
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import TargetRuleSpec, assertion_of, doc_ents, doc_text
from extractor.rules.loader import load_rules
from extractor.text.temporal import find_dates
from models import Conflict, Smoking

STATUS_RANK = {"current": 0, "former": 1, "never": 2, "unknown": 3}
_YEAR = re.compile(r"\b(?P<y>(?:19|20)\d\d)\b")
FOLLOW_SENTENCES = 4
_YEAR_UNIT = re.compile(r"\b(?:years?|yrs?)\b", re.IGNORECASE)
_CONTRAST = re.compile(r"\b(?:but|however|although|though|whereas)\b", re.IGNORECASE)
_MONTH_UNIT = re.compile(r"\b(?:months?|mos?)\b", re.IGNORECASE)


class StatusPattern(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    status: str = Field(pattern="^(current|former|never|unknown)$")
    pattern: str
    nicotine_product: bool = False


class SmokingRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    status_order: list[str]
    statuses: dict[str, list[StatusPattern]]
    nicotine_products_count_as_current: bool
    pack_years: list[str]
    packs_per_day: list[str]
    years_smoked: list[str]
    amount_words: dict[str, float]
    cigarettes_per_pack: int = Field(gt=0)
    quit_cue: str
    structured_follow_lines: str
    tobacco_words: str
    environmental_exposure: str = Field(description="exposure phrases blanked before classification")
    other_substance_smoked: str
    relative_subject: str
    number_words: dict[str, float]
    checkbox_answers: dict[str, str] = Field(description="ticked box label -> status on a tobacco form row")
    proxy_report: str = Field(description="a relative answering for the patient: the status is the patient's")


class _Compiled:
    def __init__(self, rules: SmokingRules):
        self.rules = rules
        self.families = [(f"{group}-{i}", p, re.compile(p.pattern, re.IGNORECASE))
                         for group in rules.status_order for i, p in enumerate(rules.statuses[group])]
        self.pack_years = [re.compile(p, re.IGNORECASE) for p in rules.pack_years]
        self.ppd = [re.compile(p, re.IGNORECASE) for p in rules.packs_per_day]
        self.years = [re.compile(p, re.IGNORECASE) for p in rules.years_smoked]
        self.quit = re.compile(rules.quit_cue, re.IGNORECASE)
        self.follow = re.compile(rules.structured_follow_lines, re.IGNORECASE)
        self.tobacco_words = re.compile(rules.tobacco_words, re.IGNORECASE)
        self.environmental = re.compile(rules.environmental_exposure, re.IGNORECASE)
        self.other_smoked = re.compile(rules.other_substance_smoked, re.IGNORECASE)
        self.relative_subject = re.compile(rules.relative_subject, re.IGNORECASE)
        self.proxy = re.compile(rules.proxy_report, re.IGNORECASE)
        labels = "|".join(re.escape(k) for k in sorted(rules.checkbox_answers, key=len, reverse=True))
        self.ticked = re.compile(rf"(?:{CHECKED})\s*(?P<label>{labels})\b", re.IGNORECASE)
        self.ticked_after = re.compile(rf"\b(?P<label>{labels})\s*(?:{CHECKED})", re.IGNORECASE)
        self.box_first = re.compile(rf"(?:{CHECKED}|{UNCHECKED})\s*(?:{labels})\b", re.IGNORECASE)
        self.label_first = re.compile(rf"\b(?:{labels})\s*(?:{CHECKED}|{UNCHECKED})", re.IGNORECASE)


@lru_cache(maxsize=1)
def _rules() -> _Compiled:
    return _Compiled(load_rules("smoking_status", SmokingRules))


@dataclass
class Statement:
    status: str
    assertion: str
    rule: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    quit_date: dt.date | None = None
    approximate: bool = False
    pack_years: float | None = None


def extract(doc: Doc, ctx) -> list[Smoking]:
    """The patient's smoking status in this note (and other people's, as `family`)."""
    rules = _rules()
    text = doc_text(doc)
    statements: dict[tuple[int, int], Statement] = {}
    for ent in doc_ents(doc):
        if ent.label_ != "SMOKING":
            continue
        whole = _label_clause(doc, _clause(ent))
        clause = _person_part(text, whole, ent.start_char, rules)
        if clause in statements:
            if assertion_of(ent) == "family" and clause == whole:
                statements[clause].assertion = "family"
            continue
        stmt = _classify(doc, clause, ent, ctx, rules, cut=clause != whole)
        if stmt is not None:
            statements[clause] = stmt
    return _merge(list(statements.values()), doc, ctx)


def _clause(ent: Span) -> tuple[int, int]:
    """Character range of the ';'-separated part of the sentence that holds `ent`, with the parts
    after it that mention no tobacco word ("1 ppd x 20 yrs; quit in 2015" is one statement)."""
    sent = ent.sent
    text = sent.text
    rel = ent.start_char - sent.start_char
    start = text.rfind(";", 0, rel) + 1
    end = text.find(";", rel)
    others = [e.start_char - sent.start_char for e in sent.ents if e.label_ == "SMOKING"]
    while end >= 0:
        nxt = text.find(";", end + 1)
        stop = len(text) if nxt < 0 else nxt
        if any(end < o < stop for o in others):
            break
        end = nxt
    return sent.start_char + start, sent.start_char + (len(text) if end < 0 else end)


def _label_clause(doc: Doc, clause: tuple[int, int]) -> tuple[int, int]:
    """A clause that is only a label ("Tobacco history:", split off as its own sentence) reads on into the
    sentence after it, up to that sentence's first ';'."""
    text = doc_text(doc)
    if not text[clause[0]:clause[1]].rstrip().endswith(":"):
        return clause
    span = doc.char_span(clause[0], clause[1], alignment_mode="expand")
    if span is None or span[-1].sent.end >= len(doc):
        return clause
    nxt = doc[span[-1].sent.end].sent
    semi = text.find(";", nxt.start_char, nxt.end_char)
    return clause[0], semi if semi >= 0 else nxt.end_char


def _checkbox_status(text: str, offset: int, rules: _Compiled) -> str | None:
    """A tobacco form row: the label of the first ticked box after the tobacco word, before the next question."""
    # the row's label may hold the answer word before the tobacco word ("Never smoker \u2612"): read from the
    # previous box, question mark or line start
    box = [m.end() for m in _ANY_BOX.finditer(text, 0, offset)]
    offset = max([text.rfind("?", 0, offset) + 1, text.rfind("\n", 0, offset) + 1] + box[-1:])
    question = text.find("?", offset)
    stop = len(text) if question < 0 else text.find("?", question + 1)
    window = text[offset:len(text) if stop < 0 else stop]
    if not re.search(UNCHECKED, window):
        return None  # a form row offers several boxes; one ticked box alone is a list item
    # a form puts every box before its label ("[ ] yes [x] no") or every box after it ("Yes \u2612 No \u2610")
    after = len(rules.label_first.findall(window)) > len(rules.box_first.findall(window))
    m = (rules.ticked_after if after else rules.ticked).search(window)
    return rules.rules.checkbox_answers[m.group("label").lower()] if m else None


_ANY_BOX = re.compile(f"{CHECKED}|{UNCHECKED}")
_FORM_GAP = re.compile(r"[ \t]{4,}(?=[A-Z])")


def _person_part(text: str, clause: tuple[int, int], offset: int, rules: _Compiled) -> tuple[int, int]:
    """The part of a clause about one person: a relative named as a subject inside it ("never smoker,
    daughter smokes in the house"; "smokes 1 ppd. Her brother, who lives with her, also smokes")
    starts that relative's part, which runs to the next such subject."""
    lo, hi = clause
    cuts = [m.start("subj") for m in rules.relative_subject.finditer(text, lo, hi)]
    if "?" in text[lo:hi]:  # a form row's next question: "[x] never        Does anyone at home smoke?"
        cuts += [m.end() for m in _FORM_GAP.finditer(text, lo, hi) if "?" in text[lo:m.start()]]
    cuts = [c for c in cuts if text[lo:c].strip(" \t\n,.:;-")]  # a relative at the clause's start cuts nothing
    start = max((c for c in cuts if c <= offset), default=lo)
    end = min((c for c in cuts if c > offset), default=hi)
    return start, end


def _classify(doc: Doc, clause: tuple[int, int], ent: Span, ctx, rules: _Compiled, cut: bool = False) -> Statement | None:
    # "no smoking at home", "secondhand smoke": exposure, not the patient's status (blanked, same length)
    text = _blank(rules.environmental, doc_text(doc)[clause[0]:clause[1]])
    if not rules.tobacco_words.search(_blank(rules.other_smoked, text)):
        return None  # "smokes marijuana": another substance, no tobacco status
    boxed = _checkbox_status(text, ent.start_char - clause[0], rules)
    if boxed is not None:
        # a form row asks the patient: ConText's family scope from a later "does anyone at home smoke" does not apply
        other = rules.relative_subject.match(text) or doc_section(doc, clause[0]) == "family_history"
        assertion = "family" if other else "present"
        stmt = Statement(status=boxed, assertion=assertion, rule="smoking_status:checkbox", spans=[clause])
        _attributes(stmt, doc, clause, ctx, rules)
        return stmt
    for rule_id, family, pattern in rules.families:
        if not pattern.search(text):
            continue
        if family.nicotine_product and not rules.rules.nicotine_products_count_as_current:
            continue
        led_by_relative = rules.relative_subject.match(text) is not None
        if led_by_relative and rules.proxy.search(text):
            # "Husband denied tobacco use for her": a relative answering for the patient
            other_person = doc_section(doc, clause[0]) == "family_history"
        elif cut:  # ConText's family scope spans the sentence; the part names its person
            other_person = led_by_relative or doc_section(doc, clause[0]) == "family_history"
        else:
            other_person = assertion_of(ent) == "family" or led_by_relative
        assertion = "family" if other_person else "present"
        stmt = Statement(status=family.status, assertion=assertion, rule=f"smoking_status:{rule_id}",
                         spans=[clause])
        _attributes(stmt, doc, clause, ctx, rules)
        return stmt
    return None


def _blank(pattern: re.Pattern, text: str) -> str:
    """`text` with the matches of `pattern` replaced by spaces (offsets kept)."""
    return pattern.sub(lambda m: " " * len(m.group()), text)


def _attributes(stmt: Statement, doc: Doc, clause: tuple[int, int], ctx, rules: _Compiled) -> None:
    """Quit date and pack-years from the clause and the structured lines right after it."""
    spans = [clause] + _follow_lines(doc, clause, rules)
    text = " ; ".join(doc_text(doc)[s:e] for s, e in spans)
    if len(spans) > 1:
        stmt.spans = spans
    stmt.pack_years = pack_years(text, rules)
    if stmt.status == "former":
        stmt.quit_date, stmt.approximate = quit_date(text, ctx.date, rules)


def _follow_lines(doc: Doc, clause: tuple[int, int], rules: _Compiled) -> list[tuple[int, int]]:
    out = []
    sent = doc.char_span(clause[0], clause[1], alignment_mode="expand")
    if sent is None:
        return out
    current = sent[-1].sent
    for _ in range(FOLLOW_SENTENCES):
        if current.end >= len(doc):
            break
        current = doc[current.end].sent
        if not rules.follow.match(current.text):
            break
        out.append((current.start_char, current.end_char))
    return out


def pack_years(text: str, rules: _Compiled | None = None) -> float | None:
    """Pack-years stated, or packs per day x years smoked when both are stated."""
    rules = rules or _rules()
    for pattern in rules.pack_years:
        m = pattern.search(text)
        if m:
            return _number(m.group("n"), rules)
    ppd = _packs_per_day(text, rules)
    years = next((float(m.group("years")) for p in rules.years for m in [p.search(text)] if m), None)
    if ppd is None or years is None:
        return None
    return round(ppd * years, 1)


def _number(raw: str, rules: _Compiled) -> float | None:
    """A count in digits or words ("20", "thirty-five", "thirteen and a half")."""
    try:
        return float(raw)
    except ValueError:
        pass
    raw = raw.lower()
    half = raw.endswith("and a half")
    words = re.split(r"[- ]+", raw.removesuffix("and a half").strip())
    values = [rules.rules.number_words.get(w) for w in words]
    if None in values:
        return None
    return sum(values) + (0.5 if half else 0)


def _packs_per_day(text: str, rules: _Compiled) -> float | None:
    """Packs per day of the first amount stated; None when that amount is a range ("1-2 ppd")."""
    for pattern in rules.ppd:
        for m in pattern.finditer(text):
            if _RANGE.fullmatch(m.group("amount").strip()):
                return None  # a range is no stated value: never a guessed midpoint
            amount = _amount(m.group("amount"), rules)
            unit = (m.groupdict().get("unit") or "pack").lower()
            if amount is None:
                continue
            if unit.startswith("cig"):
                return amount / rules.rules.cigarettes_per_pack
            return amount
    return None


_MIXED = re.compile(r"(?P<whole>\d+)\s*(?:-|\s)\s*(?P<num>\d+)\s*/\s*(?P<den>\d+)")
_RANGE = re.compile(r"(?P<lo>\d+(?:\.\d+)?)\s*(?:-|to)\s*(?P<hi>\d+(?:\.\d+)?)", re.IGNORECASE)
_AND_HALF = re.compile(r"(?P<whole>\w+)\s+and\s+a\s+half")


def _amount(raw: str, rules: _Compiled) -> float | None:
    """A number as written: 1.5, 1/2, a mixed number (2-1/2, 2 1/2), a word (half, two), "two and a half"."""
    raw = raw.strip().lower()
    words = rules.rules.amount_words
    if raw in words:
        return words[raw]
    half = _AND_HALF.fullmatch(raw)
    if half:
        whole = words.get(half.group("whole"))
        return whole + 0.5 if whole is not None else None
    mixed = _MIXED.fullmatch(raw)
    if mixed:
        den = float(mixed.group("den"))
        return float(mixed.group("whole")) + float(mixed.group("num")) / den if den else None
    if "/" in raw:
        num, den = (float(x) for x in raw.split("/"))
        return num / den if den else None
    try:
        return float(raw)
    except ValueError:
        return None


def quit_date(text: str, anchor: dt.date | None, rules: _Compiled | None = None) -> tuple[dt.date | None, bool]:
    """The date after the quit cue: a full or partial date, a relative one anchored to the note
    date ("quit 2 months ago"), or a year alone (January 1st, approximate)."""
    rules = rules or _rules()
    cue = rules.quit.search(text)
    if cue is None:
        return None, False
    after = text[cue.start():]
    contrast = _CONTRAST.search(after)  # "quit smoking, but used cocaine last month": not the quit date
    after = after[:contrast.start()] if contrast else after
    mentions = [m for m in find_dates(after, anchor) if m.start < 80]
    if mentions:
        m = mentions[0]
        return _granular(m.date, after[m.start:m.end]) if m.relative else m.date, m.approximate or m.relative
    year = _YEAR.search(after[:60])
    if year:
        return dt.date(int(year.group("y")), 1, 1), True
    return None, False


def _granular(date: dt.date, phrase: str) -> dt.date:
    """A relative date as precise as its unit: "5 years ago" -> Jan 1st, "2 months ago" -> the 1st."""
    if _YEAR_UNIT.search(phrase):
        return date.replace(month=1, day=1)
    if _MONTH_UNIT.search(phrase):
        return date.replace(day=1)
    return date


def _merge(statements: list[Statement], doc: Doc, ctx) -> list[Smoking]:
    out = []
    for assertion in ("present", "family"):
        group = sorted((s for s in statements if s.assertion == assertion), key=lambda s: STATUS_RANK[s.status])
        if group:
            out.append(_fact(group, doc, ctx))
    return out


def _fact(group: list[Statement], doc: Doc, ctx) -> Smoking:
    def evidence(stmt: Statement):
        return [ctx.evidence(s, e, rule=stmt.rule, section=doc_section(doc, s)) for s, e in stmt.spans]

    best = group[0]
    same = [s for s in group if s.status == best.status]
    quit = next((s for s in same if s.quit_date), None)
    # pack-years are lifetime exposure: a figure stated in another status's statement still counts
    packs = next((s.pack_years for s in same + group if s.pack_years is not None), None)
    conflicts = [Conflict(attributes={"status": s.status}, evidence=evidence(s))
                 for s in group if s.status != best.status]
    return Smoking(status=best.status, assertion=best.assertion,
                   quit_date=quit.quit_date if quit else None,
                   date_approximate=quit.approximate if quit else False,
                   pack_years=packs, evidence=[ev for s in same for ev in evidence(s)], conflicts=conflicts)
