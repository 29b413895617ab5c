"""Reading relief numbers from text: stated percentages, hours, pre/post pain-score series and
pain diaries (no spaCy: regexes over a note's text). `extractor.facts.injection.relief` turns them
into statements about injections."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from extractor.facts.injection.outcome import relief_rules
from extractor.text.regex_words import regex_lower
from extractor.text.temporal import NUMBER_WORDS

_N = r"\d{1,3}(?:\.\d+)?"
_TENS = {"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_UNITS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9}
#: a percent written in words: "ninety percent", "eighty-five per cent", "one hundred percent", "fifteen percent"
_WORD_N = (r"(?:(?:one |a )?hundred|fifteen|(?:" + "|".join(_TENS) + r")(?:[- ](?:"
           + "|".join(_UNITS) + r"))?)(?=\s+(?:percent|per cent)\b)")
_PCT = rf"(?P<p>(?<![\d./]){_N}|{_WORD_N})(?:\s*(?:-|–|to)\s*(?P<p2>{_N}|{_WORD_N}))?\s*(?:%|percent\b|per cent\b)"


def pct_value(raw: str) -> float:
    """The number of a percent group: digits or words ("eighty-five" -> 85, "one hundred" -> 100)."""
    if raw[0].isdigit():
        return float(raw)
    words = raw.lower().replace("-", " ").split()
    if words[-1] == "hundred":
        return 100.0
    if words == ["fifteen"]:
        return 15.0
    return float(_TENS[words[0]] + (_UNITS[words[1]] if len(words) > 1 else 0))
_RELIEF_AFTER = re.compile(
    r"~?" + _PCT + r"\)?(?!\s*(?:of\b|lidocaine|bupivacaine|ropivacaine|\w*caine|marcaine|xylocaine|sensorcaine))"
    r"\s*(?:(?:pain|symptom|symptomatic|overall|immediate|sustained|temporary|initial|transient|partial)\s+)*"
    r"(?:relief|improvement|reduction|better|improved|decrease|benefit|resolution|relieved)\b", re.IGNORECASE)
_RELIEF_BEFORE = re.compile(
    r"\b(?:relief|improvement|reduction|improved|decreased?|reduced|relieved|better|benefit|helped|gave|provided)\s*"
    r"(?:(?:of|by|was|is|at|in pain|approximately|approx\.?|about|roughly|around|nearly|almost|over|greater than"
    r"|more than|at least|maybe|perhaps|only|>|~|\(|:|=|,|-|\"|“)\s*){0,4}~?" + _PCT + r"(?!\s*(?:of\b|\w*caine))", re.IGNORECASE)
_RELIEF_WORDS = {
    100.0: re.compile(r"(?<!near-)(?<!near )(?<!nearly )(?<!almost )(?<!near)\b(?:complete|total|full|100\s*%)\s+"
                      r"(?:pain\s+)?relief\b", re.IGNORECASE),
    0.0: re.compile(r"\b(?:no|without(?: any)?|did not (?:get|have|experience) any|zero)\s+(?:pain\s+)?relief\b", re.IGNORECASE),
}
_NOT_RELIEF = re.compile(r"\b(?:goal|target|aim|expect\w*|hope\w*|anticipat\w*|would consider|needs?|require\w*)\b", re.IGNORECASE)
# a vague count ("for several hours") states no duration (SPEC 4: relief_hours only when stated)
_WORDNUM = "|".join(sorted((w for w in NUMBER_WORDS if " " not in w and w not in ("several", "few")), key=len, reverse=True))
_HOURS = re.compile(
    r"\b(?:for|lasting|lasted|x|over|duration of|up to)\s+(?:about|approximately|approx\.?|roughly|around|nearly|"
    r"~|only|just|almost)?\s*(?P<h>\d+(?:\.\d+)?|" + _WORDNUM + r")(?:\s*(?:-|–|to)\s*(?P<h2>\d+(?:\.\d+)?))?"
    r"\s*(?P<u>hours?|hrs?|h|minutes?|mins?)\b", re.IGNORECASE)

HOURS_OF = re.compile(r"\b(?P<h>\d+(?:\.\d+)?|" + _WORDNUM + r")\s*(?P<u>hours?|hrs?|h|minutes?|mins?)\s+of\s+"
                       r"(?:\w+\s+)?(?:pain\s+)?relief\b", re.IGNORECASE)
PAIN_SCORE = re.compile(r"(?<![\d.])(?P<s>\d{1,2}(?:\.\d)?)\s*/\s*10\b")
_PRE = re.compile(r"\b(?:pre[- ]?(?:procedure|procedural|injection|block|op|operative)?|baseline|before(?:\s+the)?"
                  r"\s+(?:injection|procedure|block)|(?<=score )before|(?<=pain )before|(?<=NRS )before|(?<=VAS )before)\b(?:\s+(?:pain|score|VAS|NRS|pain score))?\s*[:=(]?\s*$", re.IGNORECASE)
_TRAIL = re.compile(r"\s*(?:at|@)\s*(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b", re.IGNORECASE)
_STATED_AFTER = re.compile(r"\s*\(\s*~?(?P<p>\d{1,3})\s*%\s*\)")
_PRE_AFTER = re.compile(r"\s*(?:pre(?:[- ]?(?:procedure|injection|block))?|before|baseline)\b", re.IGNORECASE)
_TIME = re.compile(r"(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b", re.IGNORECASE)
_FROM_TO = re.compile(r"\bfrom\s+(?P<a>\d{1,2})\s*(?:/\s*10)?\s+(?:to|down to)\s+(?P<b>\d{1,2})\s*/\s*10\b"
                      r"|\b(?:VAS|NRS|pain score|pain)\s+(?:\w+\s+){0,2}from\s+(?P<e>\d{1,2})\s+(?:to|down to)\s+(?P<f>\d{1,2})\b"
                      r"|(?P<c>\d{1,2})\s*/\s*10\s*(?:->|→|=>)\s*(?P<d>\d{1,2})\s*/\s*10\b"
                      r"|\b(?:VAS|NRS|pain(?: score)?)\s*:?\s*(?P<g>\d{1,2})\s*(?:->|→|=>|-->)\s*(?P<h>\d{1,2})\b(?!\s*[/%])(?!\.\d)"
                      # "NRS pre 5, NRS post 1", "pre NRS 7 / post NRS 2": labelled scores without "/10"
                      r"|(?:\b(?:VAS|NRS)\s+)?\bpre(?:[- ]?(?:procedure|block|injection))?\s*(?:VAS|NRS)?\s*[:=]?\s*(?P<i>\d{1,2})\b"
                      r"(?!\s*/\s*10)(?!\s*(?:%|mg|ml|mL|cc))[,;/ \t]+(?:(?:VAS|NRS)\s+)?post(?:[- ]?(?:procedure|block|injection))?"
                      r"\s*(?:VAS|NRS)?\s*[:=]?\s*(?P<j>\d{1,2})\b(?!\s*(?:/|%|mg|ml|mL|cc))",
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
            value = pct_value(m.group("p"))
            if value <= 100:
                found.append(Reading(m.start(), m.end(), percent=value))
    for value, pattern in _RELIEF_WORDS.items():
        for m in pattern.finditer(text):
            if not any(m.start() < r.end and r.start < m.end() for r in found):
                found.append(Reading(m.start(), m.end(), percent=value))
    return sorted(found, key=lambda r: r.start)


#: a bare percent closing a procedure-log entry: "0.5% bupivacaine: 90%.", "... 2% lidocaine - 85%", "-> 80 %"
_ENTRY_RESULT = re.compile(r"(?:[:=]|\s[-\u2013>\u2192]|->)\s*~?" + _PCT + r"(?=\s*(?:[.;]|$|\n|\(|,?\s+(?:x|for|lasting)\s+\d))",
                           re.IGNORECASE)
#: labels of percentages that are not relief: "ODI: 42%", "SpO2: 98%", "EF - 55%"
_OTHER_PERCENT = re.compile(r"\b(?:" + "|".join(relief_rules().other_percent_labels) + r")\W{0,3}$", re.IGNORECASE)


def entry_result_readings(text: str) -> list[Reading]:
    """A percent that closes an injection log entry with no relief word: "R SIJ block #1 - fluoroscopic,
    0.5% bupivacaine: 90%." (the caller checks that the sentence names an injection)."""
    out = []
    for m in _ENTRY_RESULT.finditer(text):
        value = pct_value(m.group("p"))
        if value <= 100 and not _OTHER_PERCENT.search(text[max(0, m.start() - 25):m.start()]):
            out.append(Reading(m.start("p"), m.end(), percent=value))
    return out[-1:]  # the entry's result is its last number


def _is_goal(text: str, m: re.Match[str]) -> bool:
    """'25% improvement goal', 'goal of 50% reduction': targets, not results."""
    return bool(_NOT_RELIEF.search(text[max(0, m.start() - 25):m.start()])
                or _NOT_RELIEF.match(text[m.end():m.end() + 12].strip(" ,.")))


def relief_hours(text: str) -> float | None:
    """Duration of relief stated in minutes or hours ("lasting about 6 hours" -> 6, "for 30 min" -> 0.5)."""
    m = _HOURS.search(text) or HOURS_OF.search(text)
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
    scores = list(PAIN_SCORE.finditer(text))
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
                                   pct_value(stated.group("p")) if stated else None))
        i = j
    out += [d for d in diary_series(text) if not any(d.start < s.end and s.start < d.end for s in out)]
    out += [t for t in table_series(text) if not any(t.start < s.end and s.start < t.end for s in out)]
    out += [t for t in flowsheet_series(text) if not any(t.start < s.end and s.start < t.end for s in out)]
    out += [t for t in labelled_series(text) if not any(t.start < s.end and s.start < t.end for s in out)]
    for m in _FROM_TO.finditer(text):
        if not any(s.start <= m.start() < s.end for s in out):
            pre, post = next((m.group(a), m.group(b)) for a, b in (("a", "b"), ("c", "d"), ("e", "f"), ("g", "h"),
                                                                    ("i", "j"))
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


_ROW = (r"(?:(?P<pre>pre(?:[- ]?(?:procedure|procedural|injection|block))?|baseline)"
        r"|(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)(?:\s+post)?)"
        r"[ \t]*[:|=-]?[ \t|.]+(?:(?:NRS|VAS|pain(?:\s+score)?)[ \t]*[:=]?[ \t]*)?(?P<s>\d{1,2}(?:\.\d)?)"
        r"(?:\s*[-\u2013]\s*(?P<s2>\d{1,2}(?:\.\d)?))?(?:\s*/\s*10)?")
_TABLE_ROW = re.compile(rf"^[ \t|]*{_ROW}[ \t|]*$", re.IGNORECASE | re.MULTILINE)
_ROW_CELL = re.compile(rf"[ \t]*{_ROW}[ \t]*", re.IGNORECASE)
_LINE = re.compile(r"[^\n]+")


def _cells_as_lines(text: str) -> str:
    """The text with a table written on one line made rows: "Pre NRS 5 | 15 min NRS 1 | 60 min NRS 1",
    after an optional caption ending in ':'. Only a line whose cells each read as a row (label and
    score) and start with a pre/baseline cell is split; '|' and the caption's ':' become line breaks,
    so the text keeps its length and offsets."""
    if text.count("|") < 2:
        return text  # most statements hold no table: no pass over their lines

    def split(m: re.Match[str]) -> str:
        line = m.group()
        if line.count("|") < 2:
            return line
        cut = line.rfind(":", 0, line.find("|"))
        cells = line[cut + 1:].split("|")
        rows = [_ROW_CELL.fullmatch(c) for c in cells if c.strip()]
        if len(rows) < 2 or not all(rows) or not rows[0].group("pre"):
            return line
        out = line.replace("|", "\n")
        return out if cut < 0 else out[:cut] + "\n" + out[cut + 1:]
    return _LINE.sub(split, text)


_OUT_OF = r"(?P<s>\d{1,2}(?:\.\d)?)\s*(?:/\s*10|out of (?:10|ten)|of 10)\b"
_WORD_MINUTES = dict(relief_rules().word_minutes)  # "post 2/10 at fifteen minutes"
_LABELLED_PRE = re.compile(r"\b(?:pre[- ]?(?:procedure|procedural|injection|block)?|baseline)\b[^\n\d]{0,25}?(?<![\d.])"
                           + _OUT_OF, re.IGNORECASE)
_LABELLED_POST = re.compile(r"\bpost[- ]?(?:procedure|procedural|injection|block)?\b[^\n\d]{0,25}?(?<![\d.])" + _OUT_OF
                            + r"(?:\s*(?:at|@)\s*(?P<t>\d+|" + "|".join(_WORD_MINUTES) + r")\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b)?",
                            re.IGNORECASE)
_LABELLED_REACH = 600  # characters between a labelled pre score and its post score: one procedure note


def labelled_series(text: str) -> list[ScoreSeries]:
    """A pre score and a post score each under its own label, sentences apart, in dictation's words too:
    "PAIN SCORE PRE-PROCEDURE: 8 out of 10. TECHNIQUE: ... PAIN SCORE POST-PROCEDURE: 1 out of 10 at thirty
    minutes." The first post after the pre (before another pre) counts."""
    out = []
    pres = list(_LABELLED_PRE.finditer(text))
    for k, pre in enumerate(pres):
        limit = min(pre.end() + _LABELLED_REACH, pres[k + 1].start() if k + 1 < len(pres) else len(text))
        post = _LABELLED_POST.search(text, pre.end(), limit)
        if post is None:
            continue
        minutes = None
        if post.group("t"):
            raw = post.group("t").lower()
            value = float(raw) if raw.isdigit() else float(_WORD_MINUTES[raw])
            minutes = value * (1 if post.group("u").lower().startswith("m") else 60)
        out.append(ScoreSeries(pre.start(), post.end(), float(pre.group("s")), ((minutes, float(post.group("s"))),)))
    return out


#: a nurse's flowsheet row: clock time, score, then what the row is ("13:05 | 7 | pre-procedure",
#: "13:48 | 1 | 30 min post", "17:30  2  phone check (5 h)")
_FLOW_ROW = re.compile(r"^[ \t]*\d{1,2}:\d{2}[ \t]*[|,;]?[ \t]*(?P<s>\d{1,2}(?:\.\d)?)(?:\s*/\s*10)?[ \t]*[|,;]?[ \t]*"
                       r"(?P<label>[^\n]*)$", re.MULTILINE)
_FLOW_PRE = re.compile(r"\b(?:pre[- ]?(?:procedure|injection|block)?|baseline)\b", re.IGNORECASE)
_FLOW_TIME = re.compile(r"(?P<t>\d+(?:\.\d+)?)\s*(?P<u>min(?:ute)?s?|h|hrs?|hours?)\b", re.IGNORECASE)


def flowsheet_series(text: str) -> list[ScoreSeries]:
    """Flowsheet rows line after line, the first labelled pre/baseline, the next ones timed in their label."""
    out = []
    rows = list(_FLOW_ROW.finditer(text))
    k = 0
    while k < len(rows):
        if not _FLOW_PRE.search(rows[k].group("label")):
            k += 1
            continue
        run = [rows[k]]
        while k + len(run) < len(rows) and text[run[-1].end():rows[k + len(run)].start()].strip("\r") == "\n" \
                and not _FLOW_PRE.search(rows[k + len(run)].group("label")):
            run.append(rows[k + len(run)])
        posts = []
        for r in run[1:]:
            t = _FLOW_TIME.search(r.group("label"))
            minutes = None if t is None else float(t.group("t")) * (1 if t.group("u").lower().startswith("m") else 60)
            posts.append((minutes, float(r.group("s"))))
        if posts:
            out.append(ScoreSeries(run[0].start(), run[-1].end(), float(run[0].group("s")), tuple(posts)))
        k += len(run)
    return out


def table_series(text: str) -> list[ScoreSeries]:
    """A pain-score table, one row a line: a pre/baseline row, then rows of time after the block and score.

    "Time   NRS / Pre   8 / 15 min   1 / 2 hr   2", or in pipes "| Pre | 8 |" (a nurse's post-procedure
    assessment): the first row
    within the anesthetic window counts, as for other series; a range ("0-1") counts as its higher
    score (the smaller relief). Rows must follow one another, line after line; a table without a
    pre/baseline row gives nothing.
    """
    out = []
    text = _cells_as_lines(text)
    rows = list(_TABLE_ROW.finditer(text))
    k = 0
    while k < len(rows):
        if not rows[k].group("pre"):
            k += 1
            continue
        run = [rows[k]]
        while k + len(run) < len(rows):
            nxt = rows[k + len(run)]
            if nxt.group("pre") or text[run[-1].end():nxt.start()].strip("\r") != "\n":
                break
            run.append(nxt)
        if len(run) > 1:
            posts = tuple((float(r.group("t")) * (1 if r.group("u").lower().startswith("m") else 60),
                           float(r.group("s2") or r.group("s"))) for r in run[1:])
            out.append(ScoreSeries(run[0].start(), run[-1].end(), float(run[0].group("s")), posts))
        k += len(run)
    return out
