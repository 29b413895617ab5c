"""`pain_pattern` facts (SPEC section 4): side, radiation, location, duration and ADL impact
of the current pain. One fact per note that describes the pain; the resolver keeps the latest.

Read from pain statements: sentences with a pain word (or a "CC:", "Location:", "Radiation:",
"ADL:" row) outside the exam, plan and procedure parts, leaving out sentences about relief,
injections, provocative tests, scores and other people.

- `location`: the places the pain is, including where it radiates ("radiating down the thigh
  and calf" -> thigh, leg); places under a negation ("no radiation to the legs") or an
  unticked box are not locations.
- `radiating`: true when the pain reaches below the knee ("down the leg", "to the foot") or is
  radicular/dermatomal; false when the chart says it does not radiate ("non-radiating",
  "never below the knee", "no sciatica", "Radiation below knee: [x] no") or that it radiates
  only above the knee; null when unstated.
- `duration_months`: "for 14 months", "x 2 years", "of 18 months' duration", "since 2024"
  (anchored to the note's date of service; whole months).
- `adl_impact`: a limitation cue and a daily activity in one sentence ("unable to sit through a
  movie", "limits walking and sleep", "interferes with ADLs"); false for "independent in ADLs".
"""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.facts._clinical import (
    Vocab,
    checkbox_answer,
    combine_sides,
    doc_text,
    section_at,
    sentences,
    sides_in,
    unchecked_spans,
    vocab_matches,
)
from extractor.facts.imaging import report_spans
from extractor.rules.loader import load_rules
from extractor.text.regex_words import regex_lower
from extractor.text.temporal import NUMBER_WORDS, find_dates
from models import Fact, PainPattern

RULE = "pain_pattern"
_UNIT_MONTHS = {"y": 12.0, "m": 1.0, "w": 12 / 52}


class PainRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    pain_words: str
    statement_labels: str
    skip_sentence: str
    skip_sections: list[str]
    locations: list[Vocab]
    radiation_cues: str
    radicular_cues: str
    below_knee: list[str]
    negation_cues: str
    negated_radiation: str
    scope_ends: str
    duration: list[str]
    since_date: str
    adl_general: str
    adl_cues: str
    activities: str
    adl_negated: str
    below_knee_pain: str = Field(description="regex: back/buttock pain told together with pain below the knee "
                                 "('low back pain with shin pain'; not a comma list of separate pains) is radiating")
    negated_symptom_words: str = Field(description="regex: what a 'no ...' clause must name to negate the places in it")
    number_words: dict[str, int] = Field(default_factory=dict, description="count words beyond the shared ones "
                                         "(extractor/text/temporal.py): 'sixteen', 'twenty'; 'twenty-two' adds its parts")
    foreign_parts: str = Field(description="regex of body parts that are not this pain's: a side before them is theirs")


@lru_cache(maxsize=1)
def rules() -> PainRules:
    return load_rules("pain_pattern", PainRules)


def extract(doc, ctx) -> list[Fact]:
    if _is_report(doc_text(doc)):  # note kinds from the segmenter are too coarse to rely on
        return []
    text = doc_text(doc)
    found = {"side": [], "radiating": [], "location": [], "duration": None, "adl": []}
    spans: list[tuple[int, int, str]] = []
    previous = False  # the sentence before was a pain statement
    for lo, hi in sentences(doc):
        if section_at(doc, lo) in rules().skip_sections:
            previous = False
            continue
        statement = _is_statement(text, lo, hi)
        if statement:
            _read_statement(text, lo, hi, ctx.date, found, spans)
        elif previous and re.search(rules().negated_radiation, text[lo:hi], re.IGNORECASE):
            # "Pain stays over the L PSIS. Does not go below the knee.": the next sentence goes on about that pain
            found["radiating"].append(False)
            spans.append((lo, hi, "statement"))
        previous = statement
        adl = adl_of(text, lo, hi)
        if adl is not None:
            found["adl"].append(adl)
            spans.append((lo, hi, "adl"))
    if not spans:
        return []
    fact = PainPattern(
        side=combine_sides(found["side"]),
        radiating=_radiating(found["radiating"]),
        location=found["location"] or None,
        duration_months=found["duration"],
        adl_impact=(True in found["adl"]) if found["adl"] else None,
        evidence=_evidence(ctx, text, spans),
    )
    if fact.side is None and fact.radiating is None and not fact.location and fact.duration_months is None \
            and fact.adl_impact is None:
        return []
    return [fact]


def _is_report(text: str) -> bool:
    """A radiology report: a study block with FINDINGS or IMPRESSION (its history line is no pain history)."""
    return any(re.search(r"^\s*(?:FINDINGS|IMPRESSION)\s*:", text[a:b], re.IGNORECASE | re.MULTILINE) for a, b in report_spans(text))


def _is_statement(text: str, lo: int, hi: int) -> bool:
    r = rules()
    sentence = text[lo:hi]
    if re.search(r.skip_sentence, sentence, re.IGNORECASE):
        return False
    line_start = text.rfind("\n", 0, lo) + 1
    labelled = bool(re.match(r.statement_labels, text[line_start:hi], re.IGNORECASE)) and line_start >= lo - 2
    return labelled or bool(re.search(r.pain_words, sentence, re.IGNORECASE))


def _read_statement(text: str, lo: int, hi: int, anchor, found: dict, spans: list) -> None:
    r = rules()
    negated = _negated_spans(text, lo, hi) + unchecked_spans(text, lo, hi)
    sentence_used = False
    anchors = [(m.start(), m.end()) for m in re.finditer(r.pain_words, text[lo:hi], re.IGNORECASE)]
    anchors = [(lo + a, lo + b) for a, b in anchors]
    for s, e, place in vocab_matches(r.locations, text, lo, hi):
        if any(a <= s < b for a, b in negated):
            continue
        sentence_used = True
        anchors.append((s, e))
        if place not in found["location"]:
            found["location"].append(place)
    sides = {(a, side) for s, _ in anchors for a, b, side in sides_in(text, max(lo, s - 25), s)
             if not any(x <= a < y for x, y in negated)
             and not re.search(r.foreign_parts, text[b:s], re.IGNORECASE)}
    found["side"].extend(side for _, side in sorted(sides))
    radiating = radiation_of(text, lo, hi)
    if radiating is not None:
        found["radiating"].append(radiating)
        sentence_used = True
    if found["duration"] is None:
        found["duration"] = duration_months(text[lo:hi], anchor)
        sentence_used = sentence_used or found["duration"] is not None
    if sentence_used:
        spans.append((lo, hi, "statement"))


def _negated_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans from a negation cue to the end of its clause, when the clause is about radiation."""
    r = rules()
    out = []
    for m in re.finditer(r.negation_cues, text[lo:hi], re.IGNORECASE):
        start = lo + m.start()
        end_m = re.compile(r.scope_ends, re.IGNORECASE).search(text, lo + m.end(), hi)
        end = end_m.start() if end_m else hi
        if re.search(r.radiation_cues, text[start:end], re.IGNORECASE) \
                or re.search(r.negated_symptom_words, text[start:end], re.IGNORECASE) \
                and re.match(r"(?:no|denies|without)\b", m.group(0), re.IGNORECASE):
            out.append((start, end))
    return out


def radiation_of(text: str, lo: int, hi: int) -> bool | None:
    """True: below the knee or radicular; False: stated not to radiate, or only above the knee."""
    r = rules()
    sentence = text[lo:hi]
    line_start = text.rfind("\n", 0, lo) + 1
    row = text[line_start:hi]
    if re.match(r"[ \t]*Radiat\w*(?:\s+below\s+(?:the\s+)?knee)?\s*:", row, re.IGNORECASE):
        answer = checkbox_answer(row)
        if answer is not None:
            return answer
    if re.search(r.negated_radiation, sentence, re.IGNORECASE):
        return False
    negated = _negated_spans(text, lo, hi)
    below = re.search(r.below_knee_pain, sentence, re.IGNORECASE)
    if below and not any(a <= lo + below.end() - 1 < b for a, b in negated):
        return True  # "low back pain with right shin pain": the back pain reaches below the knee
    if not re.search(r.radiation_cues, sentence, re.IGNORECASE):
        return None
    if re.search(r.radicular_cues, sentence, re.IGNORECASE):
        return True
    targets = [v for s, e, v in vocab_matches(rules().locations, text, lo, hi)
               if not any(a <= s < b for a, b in negated)]
    cue = re.search(r"\b(?:radiat\w*|travel\w*|spread\w*|shoot\w*|extend\w*|into|down)\b", sentence, re.IGNORECASE)
    if cue is None:
        return None
    after = [v for s, e, v in vocab_matches(rules().locations, text, lo + cue.start(), hi)]
    if any(v in r.below_knee for v in after if v in targets):
        return True
    if any(v in ("thigh", "groin") for v in after):
        return False
    return None


def _radiating(values: list[bool]) -> bool | None:
    if not values:
        return None
    return True in values


def duration_months(sentence: str, anchor) -> float | None:
    """Months the pain has lasted, from a stated duration or a start date before `anchor`."""
    r = rules()
    for pattern in r.duration:
        m = re.search(pattern, sentence, re.IGNORECASE)
        if m:
            return _months(m.group("n"), m.group("unit"))
    since = re.search(r.since_date, sentence, re.IGNORECASE)
    if since and anchor is not None:
        window = sentence[since.start():since.end() + 30]
        lead = since.end() - since.start()
        dates = [d for d in find_dates(window, anchor) if d.start <= lead and d.end > lead and d.date <= anchor]
        if dates:
            start = dates[0].date
            return float((anchor.year - start.year) * 12 + anchor.month - start.month)
    return None


def _count_word(raw: str) -> float:
    """'sixteen' -> 16, 'twenty-two' / 'twenty two' -> 22, shared words ('two', 'a few'); 1 when unknown."""
    words = {**NUMBER_WORDS, **rules().number_words}
    if raw in words:
        return float(words[raw])
    parts = re.split(r"[\s-]+", raw)
    if len(parts) == 2 and parts[0] in rules().number_words and parts[1] in NUMBER_WORDS:
        return float(words[parts[0]] + NUMBER_WORDS[parts[1]])
    return 1.0


def _months(n: str, unit: str) -> float:
    raw = regex_lower(n).strip()
    raw = re.sub(r"\s+", " ", raw)
    count = float(raw) if re.fullmatch(r"\d+(?:\.\d+)?", raw) else _count_word(raw)
    months = count * _UNIT_MONTHS[unit.lower()[0]]
    return round(months) if unit.lower()[0] in "ym" and months == round(months) else round(months, 1)


def adl_of(text: str, lo: int, hi: int) -> bool | None:
    """True when the sentence says the pain limits daily activities, False when it says it does not."""
    r = rules()
    sentence = text[lo:hi]
    line_start = text.rfind("\n", 0, lo) + 1
    row = text[line_start:hi]
    if re.match(r"[ \t]*(?:ADL|Functional)\w*[^:\n]{0,20}:", row, re.IGNORECASE):
        answer = checkbox_answer(row)
        if answer is not None:
            return answer
    if re.search(r.adl_negated, sentence, re.IGNORECASE):
        return False
    general = re.search(r.adl_general, sentence, re.IGNORECASE)
    cue = re.search(r.adl_cues, sentence, re.IGNORECASE)
    if cue and (general or re.search(r.activities, sentence[cue.start():], re.IGNORECASE)):
        return True
    if general and re.search(r"\binterfer\w*|\baffect\w*|\bimpact\w*", sentence, re.IGNORECASE):
        return True
    return None


def _evidence(ctx, text: str, spans: list[tuple[int, int, str]]):
    seen, out = set(), []
    for s, e, kind in spans:
        while s < e and text[s] in " \t\n":
            s += 1
        while e > s and text[e - 1] in " \t\n":
            e -= 1
        if (s, e) in seen or s >= e:
            continue
        seen.add((s, e))
        out.append(ctx.evidence(s, e, rule=f"{RULE}:{kind}"))
    return out
