"""The one place medspaCy is adapted (used by extractor/nlp/pipeline.py), written for medspaCy 1.3.1.

Three spaCy factories stand in for medspaCy's: "chartsift_target_matcher", "chartsift_sectionizer" and
"chartsift_context" take the same config keys and defaults as medspaCy's "medspacy_target_matcher",
"medspacy_sectionizer" and "medspacy_context", and build their matcher as `DocTextMedspacyMatcher`
(extractor/nlp/matching.py: the doc text read once per doc, not once per regex rule). They reach into
medspaCy's private matcher attributes and copy `ConText.__call__`, so importing this module checks that
the installed medspaCy is the version they were written for.

Their TargetMatcher and ConText are also linear in the length of a note:

medspaCy does two things per note that grow with the square of its length:

- TargetMatcher adds its matches to `doc.ents` one at a time (`doc.ents += (span,)`), and spaCy
  rebuilds and rechecks every entity on each assignment;
- ConText compares every modifier with every other modifier (`update_scopes`) and with every
  target (`apply_modifiers`, and the pruning of modifiers inside a target).

On a 30-page note of repeated findings that was minutes (issue 9's 2-million-character note would
have taken hours). The classes below give exactly medspaCy's results: the same entities (a match
that overlaps an earlier one is skipped, as there), and the same ConText scopes and edges in the
same order, because they only leave out pairs whose spans can never meet. A modifier's scope only
ever shrinks, each end staying between where it started and the modifier's own tokens, so two
modifiers whose "hulls" (scope joined with the modifier's tokens) do not touch never limit each
other, and a target outside a modifier's final scope is never modified by it. medspaCy's warning
for a skipped overlapping match quotes the matched text (PHI); it is not repeated here.
"""
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any, Literal

from medspacy import __version__ as MEDSPACY_VERSION
from medspacy.context import ConText, ConTextRule
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from medspacy.section_detection import Sectionizer, SectionRule
from medspacy.target_matcher import TargetMatcher, TargetRule
from medspacy.util import tuple_overlaps
from spacy.language import Language
from spacy.tokens import Doc, Span

from extractor.nlp.matching import DocTextMedspacyMatcher

#: the medspaCy release the classes below were written against (private attributes, a copied __call__)
WRITTEN_FOR = "1.3.1"


def check_medspacy_version(found: str) -> None:
    """Refuse a medspaCy other than the one this adapter was written for: its private names may differ."""
    if found != WRITTEN_FOR:
        raise RuntimeError(f"extractor/nlp/medspacy_adapter.py was written for medspaCy {WRITTEN_FOR}, "
                           f"found {found}: check its TargetMatcher, Sectionizer and ConText against the new "
                           f"release, then update WRITTEN_FOR")


check_medspacy_version(MEDSPACY_VERSION)


@Language.factory("chartsift_target_matcher")
class LinearTargetMatcher(TargetMatcher):
    """TargetMatcher whose "ents" results are assigned once per doc instead of once per match."""

    def __init__(self, nlp: Language, name: str = "medspacy_target_matcher", rules: str | None = None,
                 phrase_matcher_attr: str = "LOWER", result_type: Literal["ents", "group"] | None = "ents",
                 span_group_name: str = "medspacy_spans", prune: bool = True):
        super().__init__(nlp, name=name, rules=None, phrase_matcher_attr=phrase_matcher_attr,
                         result_type=result_type, span_group_name=span_group_name, prune=prune)
        self._TargetMatcher__matcher = DocTextMedspacyMatcher(nlp, name=name, phrase_matcher_attr=phrase_matcher_attr,
                                                              prune=prune)
        if rules:
            self.add(TargetRule.from_json(rules))

    def __call__(self, doc: Doc):
        if not self.result_type or self.result_type.lower() != "ents":
            return super().__call__(doc)
        matcher = self._TargetMatcher__matcher
        taken = bytearray(len(doc))
        for ent in doc.ents:
            taken[ent.start:ent.end] = b"\x01" * (ent.end - ent.start)
        added = []
        for rule_id, start, end in matcher(doc):
            rule = matcher.rule_map[self.nlp.vocab.strings[rule_id]]
            span = Span(doc, start=start, end=end, label=rule.category)
            # set even on a match that is skipped below, as medspaCy does: span extensions live in
            # doc.user_data by offsets and label, so a skipped duplicate's rule shows on the kept one
            span._.target_rule = rule
            for attribute, value in (rule.attributes or {}).items():
                setattr(span._, attribute, value)
            if any(taken[start:end]):  # medspaCy: the earlier entity supersedes this one
                continue
            taken[start:end] = b"\x01" * (end - start)
            added.append(span)
        if added:
            doc.ents = tuple(doc.ents) + tuple(added)
        return doc


def _hull(modifier: ConTextModifier) -> tuple[int, int]:
    start, end = modifier.modifier_span
    scope_start, scope_end = modifier.scope_span
    return min(start, scope_start, scope_end), max(end, scope_start, scope_end)


class _Window:
    """Indices of intervals that may touch [lo, hi], by a sorted list of starts and the longest length."""

    def __init__(self, intervals: list[tuple[int, int]]):
        self.intervals = intervals
        self.order = sorted(range(len(intervals)), key=lambda k: intervals[k][0])
        self.starts = [intervals[k][0] for k in self.order]
        self.longest = max((e - s for s, e in intervals), default=0)

    def touching(self, lo: int, hi: int) -> list[int]:
        first = bisect_left(self.starts, lo - self.longest)
        last = bisect_right(self.starts, hi)
        return sorted(k for k in self.order[first:last] if self.intervals[k][1] >= lo)


class LinearConTextGraph(ConTextGraph):
    """ConTextGraph comparing only modifiers and targets whose spans can meet; same results, same order."""

    def update_scopes(self):
        modifiers = self.modifiers
        if len(modifiers) < 2:
            return
        window = _Window([_hull(m) for m in modifiers])
        for i, modifier1 in enumerate(modifiers[:-1]):
            lo, hi = window.intervals[i]
            for j in window.touching(lo, hi):
                if j > i:
                    modifier2 = modifiers[j]
                    modifier1.limit_scope(modifier2)
                    modifier2.limit_scope(modifier1)

    def apply_modifiers(self):
        targets = list(self.targets)
        if self.prune_on_modifier_overlap and targets:
            spans = _Window([(t.start, t.end) for t in targets])
            self.modifiers = [m for m in self.modifiers if not any(
                tuple_overlaps((targets[k].start, targets[k].end), m.modifier_span)
                for k in spans.touching(*m.modifier_span))]
        scopes = [m.scope_span if m.scope_span[0] <= m.scope_span[1] else (0, -1) for m in self.modifiers]
        window = _Window(scopes)
        for target in targets:
            for k in window.touching(target.start, target.end):
                modifier = self.modifiers[k]
                if modifier.modifies(target):
                    modifier.modify(target)
        edges = []
        for modifier in self.modifiers:
            modifier.reduce_targets()
            for target in modifier._targets:
                edges.append((target, modifier))
        self.edges = edges


@Language.factory("chartsift_sectionizer")
class DocTextSectionizer(Sectionizer):
    """medspaCy's Sectionizer built with `DocTextMedspacyMatcher`."""

    def __init__(self, nlp: Language, name: str = "medspacy_sectionizer", rules: str | None = "default",
                 language_code: str = "en", max_section_length: int | None = None,
                 phrase_matcher_attr: str = "LOWER", require_start_line: bool = False,
                 require_end_line: bool = False, newline_pattern: str = r"[\n\r]+[\s]*$",
                 input_span_type: Literal["ents", "group"] | None = "ents",
                 span_group_name: str = "medspacy_spans",
                 span_attrs: Literal["default"] | dict[str, dict[str, Any]] | None = "default",
                 apply_sentence_boundary: bool = False):
        super().__init__(nlp, name=name, rules=None, language_code=language_code,
                         max_section_length=max_section_length, phrase_matcher_attr=phrase_matcher_attr,
                         require_start_line=require_start_line, require_end_line=require_end_line,
                         newline_pattern=newline_pattern, input_span_type=input_span_type,
                         span_group_name=span_group_name, span_attrs=span_attrs,
                         apply_sentence_boundary=apply_sentence_boundary)
        self._Sectionizer__matcher = DocTextMedspacyMatcher(nlp, name=name, phrase_matcher_attr=phrase_matcher_attr)
        rule_path = self.DEFAULT_RULES_FILEPATH if rules == "default" else rules
        if rule_path:
            self.add(SectionRule.from_json(rule_path))


@Language.factory("chartsift_context")
class LinearConText(ConText):
    """medspaCy's ConText (`ConText.__call__` of medspaCy 1.3.1) with `LinearConTextGraph`."""

    def __init__(self, nlp: Language, name: str = "medspacy_context", rules: str | None = "default",
                 language_code: str = "en", phrase_matcher_attr: str = "LOWER",
                 allowed_types: set[str] | None = None, excluded_types: set[str] | None = None,
                 terminating_types: dict[str, Iterable[str]] | None = None, max_scope: int | None = None,
                 max_targets: int | None = None, prune_on_modifier_overlap: bool = True,
                 prune_on_target_overlap: bool = False,
                 span_attrs: Literal["default"] | dict[str, dict[str, Any]] | None = "default",
                 input_span_type: Literal["ents", "group"] = "ents",
                 span_group_name: str = "medspacy_spans"):
        super().__init__(nlp, name=name, rules=None, language_code=language_code,
                         phrase_matcher_attr=phrase_matcher_attr, allowed_types=allowed_types,
                         excluded_types=excluded_types, terminating_types=terminating_types, max_scope=max_scope,
                         max_targets=max_targets, prune_on_modifier_overlap=prune_on_modifier_overlap,
                         prune_on_target_overlap=prune_on_target_overlap, span_attrs=span_attrs,
                         input_span_type=input_span_type, span_group_name=span_group_name)
        self._ConText__matcher = DocTextMedspacyMatcher(nlp, name=name, phrase_matcher_attr=phrase_matcher_attr,
                                                        prune=prune_on_modifier_overlap)
        rule_path = self.DEFAULT_RULES_FILEPATH if rules == "default" else rules
        if rule_path:
            self.add(ConTextRule.from_json(rule_path))

    def __call__(self, doc: Doc, targets: str | None = None) -> Doc:
        if not targets and self.input_span_type == "ents":
            targets = doc.ents
        elif not targets and self.input_span_type == "group":
            targets = doc.spans[self.span_group_name]
        elif targets:
            targets = getattr(doc._, targets)
        graph = LinearConTextGraph(prune_on_modifier_overlap=self.prune_on_target_overlap)
        graph.targets = targets
        matcher = self._ConText__matcher
        graph.modifiers = [ConTextModifier(matcher.rule_map[self.nlp.vocab[match_id].text], start, end, doc,
                                           max_scope=self.max_scope)
                           for match_id, start, end in matcher(doc)]
        graph.update_scopes()
        graph.apply_modifiers()
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        if self.context_attributes_mapping:
            self.set_context_attributes(graph.edges)
        doc._.context_graph = graph
        return doc
