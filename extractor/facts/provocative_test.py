"""SIJ provocative tests (SPEC section 4): test, side, result, one fact per (test, side) per note.

A test mention is a PROVOCATIVE_TEST target (extractor/rules/provocative_test.json). Its result
and side are read from the text it governs: from the mention to the next test mention of the
sentence ("FABER (+) L, Gaenslen (-) R"), plus a prefix just before it ("positive FABER",
"left Patrick's"). Inside that text each comma/semicolon clause pairs its sides with its
result ("positive on the left, negative on the right"). A row of a table whose header names
Left/Right columns gives one result per column. When the governed text states no result, the
ConText modifiers of the mention decide (lists: "FABER, Gaenslen and thigh thrust negative").

Assertions: "not performed"/"deferred" -> negated with result null; a negative result is
present + negative (ConText's negation of a test is its result, not its absence);
hypothetical/family/possible/historical come from ConText. A present mention with no result
is no fact ("special tests include FABER"): a provocative-test fact always says what was found.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from extractor.facts._clinical import keep_first_present
from extractor.facts._provocative_rules import CompiledRules, compiled_rules
from extractor.facts.tables import block_caption, inline_caption, list_caption, one_bilateral, table_cells
from extractor.nlp.assertion import modifier_categories
from extractor.nlp.context import doc_section
from extractor.nlp.pipeline import assertion_of, doc_ents, doc_text
from models import ProvocativeTest

# a clause break between two mentions; a run of spaces separates the cells of a template row
CLAUSE_PUNCT = re.compile(r"[,;:.]| {2,}|\t")
CLAUSE_BREAK = re.compile(r"[,;]|\band\b(?=\s+(?:negative|positive|neg|pos)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    start: int  # character offsets in the doc text
    end: int
    kind: str  # "result" or "side"
    value: str


def extract(doc: Doc, ctx) -> list[ProvocativeTest]:
    """Provocative-test facts of one note, merged per (test, side)."""
    rules = compiled_rules()
    mentions = _collapse_synonyms([e for e in doc_ents(doc) if e.label_ == "PROVOCATIVE_TEST" and _is_test(e, rules)])
    groups = _coordinated(mentions)
    facts: dict[tuple, ProvocativeTest] = {}
    for i, group in enumerate(groups):
        nxt = groups[i + 1][0] if i + 1 < len(groups) and groups[i + 1][0].sent == group[-1].sent else None
        prv = groups[i - 1][-1] if i > 0 and groups[i - 1][-1].sent == group[0].sent else None
        for fact in _facts_of(group, prv, nxt, ctx, rules):
            keep_first_present(facts, (fact.test, fact.side), fact)
    return list(facts.values())


_SYNONYM_GAP = re.compile(r"^[\s/(),-]*(?:or|aka|i\.e\.)?[\s/(),-]*$", re.IGNORECASE)


def _collapse_synonyms(mentions: list[Span]) -> list[Span]:
    """"Thigh thrust/P4", "FABER (Patrick's)": two names of one test are one mention (the last)."""
    out: list[Span] = []
    for ent in mentions:
        if out and out[-1]._.provocative_test == ent._.provocative_test and out[-1].sent == ent.sent \
                and _SYNONYM_GAP.match(doc_text(ent.doc)[out[-1].end_char:ent.start_char]):
            out[-1] = ent
            continue
        out.append(ent)
    return out


def _is_test(ent: Span, rules: CompiledRules) -> bool:
    """Drop ambiguous words that are not the test here: "Patrick's" as a person's name ("Dr.
    Patrick's note", "Patrick's wife"), bare "compression" outside SIJ testing ("compression fracture")."""
    rule_id = _rule_id(ent).split(":")[-1]
    following = doc_text(ent.doc)[ent.end_char:ent.end_char + 40]
    window = _window(ent)
    if ent._.provocative_test in rules.rules.other_region_guard.tests and rules.device.match(following):
        return False  # "pelvic compression belt": a device
    if ent._.provocative_test in rules.rules.other_region_guard.tests and (
            rules.region_before.search(doc_text(ent.doc)[max(0, ent.start_char - 30):ent.start_char])
            or (rules.other_region.search(window) and not rules.sij_region.search(window))):
        return False
    if rule_id in rules.rules.person_name_guard.rule_ids:
        before = ent.doc[ent.start - 1].lower_ if ent.start else ""
        return before not in rules.rules.person_name_guard.titles and bool(rules.name_follow.match(following))
    if rule_id in rules.rules.bare_name_guard.rule_ids:
        others = [e for e in ent.sent.ents if e.label_ == "PROVOCATIVE_TEST" and e != ent
                  and _rule_id(e).split(":")[-1] not in rules.rules.bare_name_guard.rule_ids]
        preceding = doc_text(ent.doc)[max(0, ent.start_char - 40):ent.start_char]
        return (bool(others) or bool(rules.bare_sentence.search(window))) \
            and not rules.bare_not_followed.match(following) and not rules.bare_not_preceded.search(preceding)
    return True


GUARD_WINDOW_CHARS = 250


def _window(ent: Span) -> str:
    """The text around a mention that says which body region is examined."""
    text = doc_text(ent.doc)
    return text[max(0, ent.start_char - GUARD_WINDOW_CHARS):ent.end_char + GUARD_WINDOW_CHARS]


def _facts_of(group: list[Span], prv: Span | None, nxt: Span | None, ctx, rules: CompiledRules) -> list[ProvocativeTest]:
    """Facts of a coordinated list of mentions ("FABER and Gaenslen negative bilaterally"): the
    list shares the prefix of its first mention and the text governed by its last."""
    first, last_ent = group[0], group[-1]
    doc = first.doc
    prefix_start = _prefix_start(first, prv, rules)
    end_char = _governed_end(last_ent, nxt, rules)
    cues = _without_reason(_own_cues(_cues(doc_text(doc), prefix_start, first.start_char, rules),
                                     _cues(doc_text(doc), last_ent.end_char, end_char, rules)), doc_text(doc), rules)
    unchecked = bool(rules.unchecked.search(doc_text(doc)[max(doc[first.sent.start].idx, first.start_char - 6):first.start_char]))
    out = []
    for ent in group:
        table = _table_results(ent, rules)
        if table:
            out += [_fact(ent, side, result, "present", ent.start_char, ent.sent.end_char, ctx) for side, result in table]
            continue
        pairs = _pair(cues, doc_text(doc), ent, rules)
        categories = modifier_categories(ent)
        not_performed = unchecked or any(c.value == "not_performed" for c in cues) or "NOT_PERFORMED" in categories
        for side, result, last in pairs or [(None, None, ent.end_char)]:
            assertion, result = _decide(assertion_of(ent), categories, None if unchecked else result, not_performed)
            if assertion is not None:
                start = min([c.start for c in cues if c.start < ent.start_char] + [ent.start_char])
                out.append(_fact(ent, side, result, assertion, start, max(last, ent.end_char), ctx))
    return out


def _without_reason(cues: list[Cue], text: str, rules: CompiledRules) -> list[Cue]:
    """Drop the cues of the reason a test was not done: "Gaenslen not done (R TKA)" has no side,
    "FABER deferred due to painful hip" no result."""
    skipped = next((c for c in cues if c.value == "not_performed"), None)
    if skipped is None:
        return cues
    reason = rules.reason.search(text, skipped.end, max(c.end for c in cues))
    if reason is None:
        return cues
    return [c for c in cues if c.start < reason.start() or c is skipped]


def _own_cues(prefix: list[Cue], postfix: list[Cue]) -> list[Cue]:
    """Cues that belong to the mention: results and sides written after it win over those just
    before it, which may close the previous finding ("R trochanter (-)  Thigh thrust R (+)")."""
    chosen = []
    for kind in ("result", "side"):
        after = [c for c in postfix if c.kind == kind]
        chosen += after or [c for c in prefix if c.kind == kind]
    return sorted(chosen, key=lambda c: c.start)


_LIST_GAP = re.compile(r"^[\s,]*(?:and|or|&|as\s+well\s+as)?[\s,]*$", re.IGNORECASE)


def _coordinated(mentions: list[Span]) -> list[list[Span]]:
    """Mentions joined only by commas/"and"/"or" form one list that shares its cues."""
    groups: list[list[Span]] = []
    for ent in mentions:
        prev = groups[-1][-1] if groups else None
        if prev is not None and prev.sent == ent.sent and _LIST_GAP.match(doc_text(ent.doc)[prev.end_char:ent.start_char]):
            groups[-1].append(ent)
        else:
            groups.append([ent])
    return groups


def _decide(assertion: str, categories: set[str], result: str | None, not_performed: bool):
    """(assertion, result) of a mention, or (None, None) when it states nothing about the test."""
    if not_performed and result is None:
        return "negated", None
    if assertion in ("family", "hypothetical", "possible", "historical"):
        return assertion, result
    if result is None:
        if "POSITIVE_RESULT" in categories:
            result = "positive"
        elif "NEGATED_EXISTENCE" in categories:
            result = "negative"
    if result is None:
        return None, None
    return "present", result


def _fact(ent: Span, side, result, assertion, start: int, end: int, ctx) -> ProvocativeTest:
    evidence = ctx.evidence(start, end, rule=_rule_id(ent), section=_section(ent.doc, start))
    return ProvocativeTest(test=ent._.provocative_test, side=side, result=result, assertion=assertion,
                           evidence=[evidence])


def _section(doc: Doc, offset: int) -> str | None:
    return doc_section(doc, offset)


def _rule_id(ent: Span) -> str:
    rule = getattr(ent._, "target_rule", None)
    return (rule.metadata or {}).get("id", "provocative_test") if rule is not None else "provocative_test"


def _cues(text: str, start: int, end: int, rules: CompiledRules) -> list[Cue]:
    """Result and side cues in text[start:end], longest first on overlap, in text order."""
    if end <= start:
        return []
    chunk = text[start:end]
    found: list[Cue] = []
    order = ("not_performed", "negative", "positive")
    for value in order:
        found += [Cue(start + m.start(), start + m.end(), "result", value)
                  for m in rules.results[value].finditer(chunk)]
    if not any(c.kind == "result" for c in found):
        for value, pattern in rules.signs.items():
            found += [Cue(start + m.start(), start + m.end(), "result", value) for m in pattern.finditer(chunk)]
    for value, pattern in rules.sides.items():
        found += [Cue(start + m.start(), start + m.end(), "side", value) for m in pattern.finditer(chunk)]
    found = [c for c in found if not _after_unchecked_box(text, c, rules)]
    return _non_overlapping(found)


def _after_unchecked_box(text: str, cue: Cue, rules: CompiledRules) -> bool:
    before = text[max(0, cue.start - 5):cue.start]
    return bool(rules.unchecked.search(before)) and cue.kind == "result"


def _non_overlapping(cues: list[Cue]) -> list[Cue]:
    """Longest cue wins among overlapping cues of one kind (a side may sit inside a result phrase)."""
    kept: list[Cue] = []
    for c in sorted(cues, key=lambda c: (-(c.end - c.start), c.start)):
        if all(c.end <= k.start or k.end <= c.start or k.kind != c.kind for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


def _pair(cues: list[Cue], text: str, ent: Span, rules: CompiledRules) -> list[tuple[str | None, str | None, int]]:
    """(side, result, end of the last cue used) for each side stated; sides take their clause's result."""
    if not cues:
        return []
    results = [c for c in cues if c.kind == "result" and c.value != "not_performed"]
    sides = [c for c in cues if c.kind == "side"]
    default = results[0].value if results else None
    if not sides:
        ipsi = _ipsilateral_side(ent, rules) or _caption_side(ent, rules)
        last = max(c.end for c in cues)
        return [(ipsi, default, last)]
    out = []
    for side in sides:
        result = _clause_result(side, results, text) or default
        used = [side.end] + [r.end for r in results if r.value == result]
        out.append((side.value, result, min(max(used), side.end + 60)))
    return out


def _clause_result(side: Cue, results: list[Cue], text: str) -> str | None:
    """The result stated in the same comma/semicolon clause as `side`."""
    for r in results:
        lo, hi = min(r.start, side.start), max(r.end, side.end)
        if not CLAUSE_BREAK.search(text[lo:hi]):
            return r.value
    return None


def _caption_side(ent: Span, rules: CompiledRules) -> str | None:
    """The one side a caption gives all rows below it: a table's ("EXAM (left side)") or a
    list's ("Provocative testing (R):"), or a heading that opens the tests' own line
    ("Provocation (L):  Thigh thrust (+)  Compression (+)", "Tests R: FABER (+), ...")."""
    text = doc_text(ent.doc)
    for read in (block_caption, list_caption, lambda t, _: _inline_heading(ent, t, rules)):
        caption = read(text, ent.start_char)  # the first caption that names one side ("Result (R)" over the rows)
        if caption and not caption.rstrip().endswith(":") and (len(caption.strip()) > 60 or caption.rstrip().endswith(".")):
            continue  # a sentence of prose above the table ("Visit ... left buttock pain."), no caption
        found = [value for value, pattern in rules.sides.items() if pattern.search(caption)] if caption else []
        if len(found) == 1:
            return found[0]
    return None


def _inline_heading(ent: Span, text: str, rules: CompiledRules) -> str | None:
    """A same-line label that heads the tests after it: it names tests in general ('Provocation',
    'Tests') and holds no test mention of its own ('thigh thrust R: pos / compression: pos' is that
    test's row)."""
    span = inline_caption(text, ent.start_char)
    if span is None:
        return None
    lo, hi = span
    label = text[lo:hi]
    if not rules.inline_caption.search(label):
        return None
    own = any(lo <= e.start_char and e.end_char <= hi for e in ent.doc.ents
              if e is not ent and getattr(e._, "provocative_test", None))
    return None if own else label


def _ipsilateral_side(ent: Span, rules: CompiledRules) -> str | None:
    """For "FABER positive ipsilaterally": the side stated elsewhere in the same sentence."""
    sent = ent.sent.text
    if not rules.ipsilateral.search(sent):
        return None
    for value, pattern in rules.sides.items():
        if pattern.search(sent):
            return value
    return None


def _prefix_start(ent: Span, prv: Span | None, rules: CompiledRules) -> int:
    """Start of the words right before the mention that belong to it ("positive left FABER").

    Only words after the last clause break before the mention count (",", ";", ":", a gap of
    spaces between template cells): "Thigh thrust R (+)  Compression (+)" leaves "(+)" to the
    thigh thrust, "(+) thigh thrust R     (+) compression R" gives the second "(+)" to compression.
    Between two mentions with no break, the words belong to the first one."""
    doc = ent.doc
    floor_char = prv.end_char if prv is not None else ent.sent.start_char
    breaks = list(CLAUSE_PUNCT.finditer(doc_text(doc), floor_char, ent.start_char))
    if prv is not None and not breaks:
        return ent.start_char
    start_char = breaks[-1].end() if breaks else floor_char
    i = ent.start
    while i > 0 and i > ent.start - 4 and doc[i - 1].idx >= start_char:
        tok = doc[i - 1]
        if tok.is_punct and tok.text not in "()+-":
            break
        i -= 1
    while i < ent.start and doc[i].is_space:
        i += 1
    return doc[i].idx if i < ent.start else ent.start_char


def _governed_end(ent: Span, nxt: Span | None, rules: CompiledRules) -> int:
    """End of the text a mention governs: the next mention's prefix, or the end of the sentence."""
    if nxt is None:
        return ent.sent.end_char
    return max(ent.end_char, _prefix_start(nxt, ent, rules))


def _table_results(ent: Span, rules: CompiledRules) -> list[tuple[str, str]]:
    """(side, result) per Left/Right column when the mention starts a row of such a table."""
    cells = table_cells(doc_text(ent.doc), ent.start_char)
    out = []
    for side, cell in cells:
        cues = _cues(cell, 0, len(cell), rules)
        result = next((c.value for c in cues if c.kind == "result"), None)
        if result in ("positive", "negative"):
            out.append((side, result))
    return one_bilateral(out)
