"""`tenderness` facts (SPEC section 4): palpated site, side, and whether it was tender.

A sentence is read when it holds a tenderness cue ("tender", "TTP", "nontender", "pain with
palpation", a "Palpation:" row). Each palpated site in it gets its polarity from:

1. an explicit result next to it ("R SIJ (+)", "(-) R greater trochanter tenderness",
   "right SIJ nontender", "GT negative"): each such marker belongs to the nearest site;
2. otherwise the nearest tenderness cue, which is negated by itself ("no tenderness over the
   greater trochanter, lumbar spine or coccyx", "Tenderness: none") or by ConText.

Conventions: lumbar spine and coccyx are midline sites and have no side; a site mentioned
twice in one sentence ("left sacroiliac joint, just medial to the PSIS") is one fact.
"""
from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from extractor.facts._clinical import TargetRuleSpec, Vocab, assertion_of, doc_text, sentences, sides_in, vocab_matches
from extractor.facts.tables import PAIR_VALUE, one_bilateral, split_cells, table_cells
from extractor.nlp.pipeline import doc_ents
from extractor.rules.loader import load_rules
from extractor.text.sentences import abbreviations
from models import Fact, Tenderness

RULE = "tenderness"


class TendernessRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    target_rules: list[TargetRuleSpec]
    anchors: list[Vocab]
    markers: list[Vocab]
    sites: list[Vocab]
    midline_sites: list[str]
    paired_midline_site: str = Field(description="regex of a lumbar site that keeps a side stated right at it (paraspinals)")
    side_table_row_unless: str = Field(description="regex of a side-table row label that names a maneuver, not a site")
    sided_sites: list[str] = Field(description="sites that take the examined side when the note names none")
    exam_side_header: str = Field(description="regex of an exam header naming the examined side, group 'side'")
    midline_other: str = Field(description="regex of `other` sites on the midline (pubic symphysis, sacrum): no side")
    plural_site: str = Field(description="regex of a site named in the plural: bilateral when it states no side")
    table_header: str = Field(description="regex of a pipe-table header cell holding the tenderness result")


@lru_cache(maxsize=1)
def rules() -> TendernessRules:
    return load_rules("tenderness", TendernessRules)


def extract(doc, ctx) -> list[Fact]:
    text = doc_text(doc)
    found: dict[tuple, Tenderness] = {}
    rows = table_rows(text) + side_table_rows(text)
    in_table = [(a, b) for a, b, _ in rows]
    items = [it for _, _, it in rows]
    last = -10  # end of the last sentence that gave tenderness findings
    for lo, hi in sentences(doc):
        end = lo + len(text[lo:hi].rstrip())  # a row's sentence ends with its line break
        if any(a <= lo and end <= b for a, b in in_table):
            continue
        # a palpation list goes on row by row: "R posterior SIJ tenderness (+). R greater trochanter (-)."
        found_here = sentence_sites(doc, text, lo, hi, inherit=not text[last:lo].strip(" \t\r\n.;|"))
        if found_here:
            last = end
        items.extend(found_here)
    for site, side, assertion, (s, e) in sorted(items, key=lambda it: it[3]):
        side = side or (None if side == _MIDLINE else _examined_side(text, s, site))
        key = (site, side, assertion)
        ev = ctx.evidence(s, e, rule=f"{RULE}:{site}")
        if key in found:
            if all(x.start != ev.start for x in found[key].evidence):
                found[key].evidence.append(ev)
            continue
        found[key] = Tenderness(site=site, side=side, assertion=assertion, evidence=[ev])
    return list(found.values())


#: side of a midline site: none, and none borrowed from the examined side
_MIDLINE = ""


def _midline_other(text: str, offset: int, site: str) -> bool:
    """An `other` site on the midline (pubic symphysis, lower sacrum) has no side."""
    return site == "other" and bool(re.match(rules().midline_other, text[offset:offset + 40], re.IGNORECASE))


_BARE_SIGN = {"+": "present", "-": "negated"}
_ROW = re.compile(r"^[ \t]*\|(?P<cells>.*)\|[ \t]*$", re.MULTILINE)


def table_rows(text: str) -> list[tuple[int, int, tuple]]:
    """Rows of pipe tables whose header names a tenderness column ("| Site | Tenderness |"):
    (row start, row end, (site, side, assertion, span)) with the site from the row's first cell
    and the result ((+)/(-), tender/nontender, positive/negative) from the tenderness column."""
    r = rules()
    out, column = [], None
    prev_end = -2
    for m in _ROW.finditer(text):
        cells = m.group("cells").split("|")
        if m.start() != prev_end + 1:
            column = None  # a new table
        prev_end = m.end()
        if column is None:
            column = next((i for i, c in enumerate(cells) if i and re.search(r.table_header, c, re.IGNORECASE)), -1)
            continue
        if column < 0 or column >= len(cells) or re.fullmatch(r"[\s:-]*", "".join(cells)):
            continue
        out.extend(_table_row(text, m, cells, column))
    return out


#: a table line: cells split by '|', tabs or 3+ spaces, or a row ending in a slash pair of results ("SIJ ..... + / -")
_LINE = re.compile(rf"^[^\n]*(?:\||\t| {{3,}}|(?<![\w/]){PAIR_VALUE}\s*/\s*{PAIR_VALUE}[ \t.]*$)[^\n]*$",
                   re.MULTILINE | re.IGNORECASE)


def side_table_rows(text: str) -> list[tuple[int, int, tuple]]:
    """Rows of exam tables with a column per side ("Site | Left | Right" over "Posterior SIJ | (+) | (-)"):
    (row start, row end, (site, side, assertion, span)) per side column, one `bilateral` item when
    both sides read the same (corpora/CONVENTIONS_2026-12.md C6), the whole row as the evidence."""
    r = rules()
    out = []
    for m in _LINE.finditer(text):
        cells = split_cells(m.group(0))
        if not cells:
            continue
        first_lo = text.index(cells[0], m.start())
        sites = vocab_matches(r.sites, text, first_lo, first_lo + len(cells[0]))
        if not sites:
            continue
        read = one_bilateral([(side, a) for side, cell in table_cells(text, first_lo) if (a := _cell_assertion(cell))])
        span = _word_bounds(text, first_lo, m.end(), first_lo, m.end())
        if re.search(r.side_table_row_unless, cells[0], re.IGNORECASE):
            continue
        site = sites[0][2]
        if site in r.midline_sites and not (site == "lumbar_spine" and [s for s, _ in read] == ["bilateral"]):
            # a midline site has no side; paired paraspinals read the same in both columns are bilateral
            read = list(dict.fromkeys((_MIDLINE, a) for _, a in read))
        out += [(m.start(), m.end(), (site, side, assertion, span)) for side, assertion in read]
    return out


def _cell_assertion(cell: str) -> str | None:
    """present / negated from one table cell: (+) / (-), +/-, pos / neg, tender / non-tender."""
    r = rules()
    bare = _BARE_SIGN.get(cell.strip())
    if bare:
        return bare
    found = vocab_matches(r.markers, cell) or vocab_matches(r.anchors, cell)
    return found[0][2] if found else None


def _table_row(text: str, m, cells: list[str], column: int) -> list[tuple[int, int, tuple]]:
    r = rules()
    first_lo = m.start("cells")
    first_hi = first_lo + len(cells[0])
    cell_lo = first_lo + sum(len(c) + 1 for c in cells[:column])
    cell_hi = cell_lo + len(cells[column])
    result = vocab_matches(r.markers, text, cell_lo, cell_hi) or vocab_matches(r.anchors, text, cell_lo, cell_hi)
    sites = vocab_matches(r.sites, text, first_lo, first_hi)
    bare = _BARE_SIGN.get(cells[column].strip())
    if not (result or bare) or not sites:
        return []
    assertion = bare or result[0][2]
    out, seen = [], set()
    for s, e, site in sites:
        if site in seen:
            continue  # "L PSIS / SIJ" is one site
        seen.add(site)
        midline = site in r.midline_sites or _midline_other(text, s, site)
        side = _MIDLINE if midline else next((x[2] for x in sides_in(text, first_lo, first_hi)), None)
        span = _word_bounds(text, first_lo, cell_hi, first_lo, cell_hi)
        out.append((m.start(), m.end(), (site, side, assertion, span)))
    return out


def _examined_side(text: str, offset: int, site: str) -> str | None:
    """Side of an exam that examines one side: its header says so ("EXAM (left side)"). Midline sites
    never get a side. A side stated for another finding (the SIJ found tender on the right, in the
    sentence before or on the same line) is not this site's: SPEC section 4, the side comes from where
    the finding is stated; the independent annotators of rounds 3-5 leave such a side null."""
    r = rules()
    if site not in r.sided_sites:
        return None
    header = None
    for m in re.finditer(r.exam_side_header, text[:offset], re.IGNORECASE | re.MULTILINE):
        header = m.group("side").lower()
    return header


#: a palpation list row without a cue of its own: short, its result a sign
_ROW_CHARS = 60
_SIGN = re.compile(r"\(\s*[+-]\s*\)")
_ROW_LEAD = re.compile(r"[\s\-*\u2022]*(?:(?:left|right|bilateral|bilat|both|L|R|lt|rt)\.?\s+)?", re.IGNORECASE)


def sentence_sites(doc, text: str, lo: int, hi: int, inherit: bool = False) -> list[tuple[str, str | None, str, tuple[int, int]]]:
    """(site, side, assertion, evidence span) for each palpated site of one sentence. `inherit`: the
    sentence right before gave tenderness findings, so a row with no cue of its own whose sites carry an
    explicit result ("R greater trochanter (-).") continues that palpation list."""
    r = rules()
    anchors = vocab_matches(r.anchors, text, lo, hi)
    if not anchors and (not inherit or re.search(r.side_table_row_unless, text[lo:hi], re.IGNORECASE)):
        return []
    sites = vocab_matches(r.sites, text, lo, hi)
    if not sites:
        return []
    clauses = _clauses(text, lo, hi)
    owned = _assign_markers(text, vocab_matches(r.markers, text, lo, hi), sites, clauses)
    if not anchors:
        # only a short row whose sites carry a sign ("R greater trochanter (-)."): "MRI of the SI joints negative"
        # or "Two L SIJ blocks positive" after a palpation sentence are no palpation rows
        if len(text[lo:hi].strip()) > _ROW_CHARS or not _ROW_LEAD.fullmatch(text, lo, sites[0][0]):
            return []  # a row starts with its site: "CT SACROILIAC JOINTS - 01/05" or "O: R PSIS fixation, (+)" is none
        signs = [m for m in vocab_matches(r.markers, text, lo, hi) if _SIGN.fullmatch(text[m[0]:m[1]])]
        owned = _assign_markers(text, signs, sites, clauses)
        sites = [site for i, site in enumerate(sites) if i in owned]
        owned = _assign_markers(text, signs, sites, clauses)
        if not sites:
            return []
        anchors = [(sites[0][0], sites[0][0], "present")]  # results only: every site has its own
    out = []
    for i, (s, e, site) in enumerate(sites):
        anchor = _governing_anchor(anchors, s, e, clauses)
        assertion = owned.get(i) or _anchor_assertion(doc, anchor)
        if (site == "lumbar_spine" and re.search(r.paired_midline_site, text[s:e], re.IGNORECASE)) or _midline_other(text, s, site):
            # only a side right at it: "L lumbar paraspinals", "paraspinals TTP bilaterally", "left sacrum"
            side = _site_side(text, sites, i, lo, hi, adjacent=True) or _MIDLINE
        elif site in r.midline_sites:
            side = _MIDLINE
        else:
            side = _site_side(text, sites, i, lo, hi)
        if side is None and re.search(r.plural_site, text[s:e], re.IGNORECASE):
            side = "bilateral"  # SPEC section 4: a plural site ("the greater trochanters", "SI joints") is both sides
        out.append((site, side, assertion, _evidence_span(text, s, e, anchor, clauses)))
    return _merge_sideless(out)


#: what may stand between a site and the side after it: "Trochanteric bursa nontender on the left"
_SIDE_LEAD = re.compile(r"[\s,(:]*(?:(?:is|are|non-?tender|tender(?:ness)?|not\s+tender|to\s+palpation|ttp|mildly|moderately|markedly|"
                        r"severely|exquisitely|equally|diffusely|also|\([+-]\))[\s,(]*)*"
                        r"(?:on\s+the|on|the)?\s*", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[;|]|(?<!\.)\.\s+(?=[A-Z(])")  # a dot leader ("SIJ ........ (+)") ends no clause
_WORD_BEFORE_DOT = re.compile(r"([A-Za-z]+)\.\s*$")


def _clauses(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    bounds, pos = [], lo
    for m in _CLAUSE_END.finditer(text, lo, hi):
        word = _WORD_BEFORE_DOT.search(text, max(lo, m.start() - 12), m.end())
        if word and word.group(1).lower() in abbreviations():
            continue  # "R GR. TROCHANTER (-)": an abbreviation's period ends no clause, in capitals either
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, hi))
    return bounds


def _clause_of(offset: int, clauses) -> int:
    return next((i for i, (a, b) in enumerate(clauses) if a <= offset < b), len(clauses) - 1)


def _assign_markers(text: str, markers, sites, clauses) -> dict[int, str]:
    """Each explicit result marker belongs to the nearest site of its clause ("no tenderness over
    X" only to a site after it)."""
    owned: dict[int, tuple[int, str]] = {}
    for ms, me, value in markers:
        if any(ms < e and s < me for s, e, _ in sites):
            continue  # a marker inside a site name is no marker
        clause = _clause_of(ms, clauses)
        forward = value == "negated" and re.match(r"no\b", text[ms:me], re.IGNORECASE)
        dists = [(_gap(ms, me, s, e), i) for i, (s, e, _) in enumerate(sites)
                 if _clause_of(s, clauses) == clause and not (forward and s < ms)]
        if not dists:
            continue
        dist, i = min(dists)
        if i not in owned or dist < owned[i][0]:
            owned[i] = (dist, value)
    return {i: v for i, (_, v) in owned.items()}


def _governing_anchor(anchors, s: int, e: int, clauses):
    """The cue that governs a site: one on it, else the nearest before it in its clause, else
    the nearest after it in its clause, else the nearest in the sentence."""
    clause = _clause_of(s, clauses)
    same = [a for a in anchors if _clause_of(a[0], clauses) == clause]
    on = [a for a in same if a[0] < e and s < a[1]]
    before = [a for a in same if a[1] <= s]
    after = [a for a in same if a[0] >= e]
    if on:
        return on[0]
    if before:
        return before[-1]
    if after:
        return after[0]
    return min(anchors, key=lambda a: _gap(a[0], a[1], s, e))


def _gap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(b0 - a1, a0 - b1, 0)


def _anchor_assertion(doc, anchor) -> str:
    """Assertion of a tenderness cue: negated by itself, else what ConText says of it."""
    a0, a1, polarity = anchor
    if polarity == "negated":
        return "negated"
    span = doc.char_span(a0, a1, alignment_mode="expand")
    for ent in doc_ents(doc):
        if span is not None and ent.start < span.end and span.start < ent.end and ent.label_ == "TENDERNESS":
            return assertion_of(ent)
    return "present"


#: what may stand between a side and the midline site right after it: "left L5-S1 paraspinals", "the right sacrum"
_ADJACENT_BEFORE = re.compile(r"\s*(?:the\s+)?(?:(?:lower|upper|mid|distal)\s+)?(?:[LS]\d(?:\s*-\s*[LS]?\d)?\s+)?", re.IGNORECASE)


#: what may stand between a midline site and a side word after it: "paraspinals TTP bilaterally", "tenderness on the left"
_ADJACENT_AFTER = re.compile(r"(?:\s*(?:(?:muscles?|region|tender(?:ness)?|ttp|to\s+palpation|mildly|moderately|markedly|"
                             r"is|are|on|the)\b|\([+-]\)))*\s*(?:on\s+the\s+)?", re.IGNORECASE)
#: one side worse than the other ("paraspinals TTP R>L") is both sides (SPEC section 4)
_WORSE = re.compile(r"\s*(?:[RL]|right|left)\s*>\s*(?:[RL]|right|left)\b", re.IGNORECASE)


def _site_side(text: str, sites, i: int, lo: int, hi: int, adjacent: bool = False) -> str | None:
    """Side word just before the site (after the previous site), or just after it; `adjacent`: a side
    before the site only when nothing but an article or a level stands between them."""
    s, e, _ = sites[i]
    before_lo = max(sites[i - 1][1] if i else lo, s - 30)
    before = sides_in(text, before_lo, s)
    if adjacent:
        before = [x for x in before if _ADJACENT_BEFORE.fullmatch(text[x[1]:s])]
    if before:
        return before[-1][2]
    if adjacent:
        after = [x for x in sides_in(text, e, min(hi, e + 40)) if x[2] in ("left", "right", "bilateral")
                 and _ADJACENT_AFTER.fullmatch(text[e:x[0]]) and text[x[0]].islower()]
        if after:
            return after[0][2]
        lead = _ADJACENT_AFTER.match(text, e, hi)
        return "bilateral" if _WORSE.match(text, lead.end(), hi) else None
    after_hi = min(sites[i + 1][0] if i + 1 < len(sites) else hi, e + 32)
    after = [x for x in sides_in(text, e, after_hi) if _SIDE_LEAD.fullmatch(text[e:x[0]])]
    return after[0][2] if after else None


def _evidence_span(text: str, s: int, e: int, anchor, clauses) -> tuple[int, int]:
    """The clause part from the cue to the site: 'No tenderness over the left greater trochanter'."""
    c0, c1 = clauses[_clause_of(s, clauses)]
    start, end = min(s, anchor[0]), max(e, anchor[1])
    start, end = max(start, c0) if c0 <= s else start, min(end, c1) if e <= c1 else end
    side_lo = max(c0, start - 8)
    if text[side_lo:start].strip():
        start = side_lo
    tail = text[end:min(c1, end + 5)]
    if tail.strip().startswith("(") and ")" in tail:
        end = end + tail.find(")") + 1
    return _word_bounds(text, start, end, c0, c1)


def _word_bounds(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    while start > lo and text[start - 1].isalnum():
        start -= 1
    while end < hi and text[end].isalnum():
        end += 1
    while start < end and not text[start].isalnum() and text[start] not in "(":
        start += 1
    return start, end


def _merge_sideless(items):
    """A site named again without a side in the same sentence is the sided mention."""
    sided = {(site, a) for site, side, a, _ in items if side}
    return [it for it in items if it[1] or (it[0], it[2]) not in sided]
