"""Speed-ups of medspaCy's matchers that keep their results exactly (used by extractor/pipeline.py).

medspaCy's RegexMatcher reads `doc.text_with_ws` once per regex rule, and spaCy rebuilds that
string from every token on each read: with ~70 regex target rules that was a third of the NLP's
time. `DocTextRegexMatcher` is the same matcher reading the text once per doc; `share_doc_text`
puts it in place in every MedspacyMatcher of an nlp (target matcher, sectionizer, ConText).
"""
from __future__ import annotations

from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char
from spacy.language import Language
from spacy.tokens import Doc

_REGEX_ATTRIBUTE = "_MedspacyMatcher__regex_matcher"


class DocTextRegexMatcher(RegexMatcher):
    """medspaCy's RegexMatcher, building the doc text once per call instead of once per rule."""

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        matches: list[tuple[int, int, int]] = []
        if not self._patterns:
            return matches
        text = doc.text_with_ws
        for match_id, patterns in self._patterns.items():
            on_match = self._callbacks[match_id]
            for pattern in patterns:
                for found in pattern.finditer(text):
                    span = self._span(doc, found.start(), found.end())
                    if len(span):
                        matches.append((match_id, span.start, span.end))
                    if on_match is not None:
                        on_match(self, doc, len(matches) - 1, matches)
        return matches

    def _span(self, doc: Doc, start: int, end: int):
        """The tokens of a match, widened to token boundaries as medspaCy's `resolve_*` settings say."""
        span = doc.char_span(start, end)
        if span is not None:
            return span
        first = get_token_for_char(doc, start, resolve=self.resolve_start)
        last = get_token_for_char(doc, end, resolve=self.resolve_end)
        return doc[first.i: len(doc) if last is None else last.i]


def share_doc_text(nlp: Language) -> None:
    """Swap the RegexMatcher of every medspaCy matcher in `nlp` for `DocTextRegexMatcher` (same rules)."""
    for _, component in nlp.pipeline:
        for value in vars(component).values():
            if isinstance(value, MedspacyMatcher):
                regex = getattr(value, _REGEX_ATTRIBUTE)
                if type(regex) is RegexMatcher:
                    regex.__class__ = DocTextRegexMatcher
