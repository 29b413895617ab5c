"""Speed-ups of medspaCy's matchers that keep their results exactly (used by extractor/nlp/pipeline.py).

medspaCy's RegexMatcher reads `doc.text_with_ws` once per regex rule, and spaCy rebuilds that
string from every token on each read: with ~70 regex target rules that was a third of the NLP's
time. `DocTextRegexMatcher` is the same matcher reading the text once per doc; `DocTextMedspacyMatcher`
is medspaCy's MedspacyMatcher built with it, and extractor/nlp/medspacy_adapter.py's components (target
matcher, sectionizer, ConText) are built with that.
It also skips a rule whose regex needs a word the doc does not hold: `required_words` reads from
the parsed regex a few literal words one of which every match contains (most target rules name
one word, e.g. "sacroiliitis"), and one substring test on the lower-cased text rules it out.
The rules are indexed by those words once per matcher, so a doc costs one test per word and runs
only the rules whose words it holds (in medspaCy's order): notes are short, the per-doc work counts.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from medspacy.common.medspacy_matcher import MedspacyMatcher
from medspacy.common.regex_matcher import RegexMatcher
from medspacy.common.util import get_token_for_char
from spacy.attrs import LOWER
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc

from extractor.nlp.doc_cache import doc_text, once_per_doc
from extractor.text.regex_words import lowered_for_words, required_words

_REGEX_ATTRIBUTE = "_MedspacyMatcher__regex_matcher"
_LOWERED_KEY = "chartsift.lowered_for_words"


def _lowered(doc: Doc) -> str | None:
    return lowered_for_words(doc_text(doc))


class DocTextRegexMatcher(RegexMatcher):
    """medspaCy's RegexMatcher, building the doc text once per call instead of once per rule."""

    def add(self, *args, **kwargs) -> None:
        super().add(*args, **kwargs)
        self.__dict__.pop("_plan", None)

    def _rule_plan(self) -> tuple[list[tuple], list[int], dict[str, list[int]]]:
        """(match id, its callback, pattern, its required words) in medspaCy's order; the rules needing no
        word; and for each required word the rules it lets run. Read once per matcher: notes are short,
        so the work per doc counts."""
        plan = self.__dict__.get("_plan")
        if plan is None:
            rules = [(match_id, self._callbacks[match_id], pattern, required_words(pattern.pattern, pattern.flags))
                     for match_id, patterns in self._patterns.items() for pattern in patterns]
            by_word: dict[str, list[int]] = {}
            for i, (*_, words) in enumerate(rules):
                for word in words or ():
                    by_word.setdefault(word, []).append(i)
            plan = self._plan = (rules, [i for i, (*_, words) in enumerate(rules) if not words], by_word)
        return plan

    def __call__(self, doc: Doc) -> list[tuple[int, int, int]]:
        matches: list[tuple[int, int, int]] = []
        if not self._patterns:
            return matches
        # the text and its lower-cased copy, once per doc for the three matchers of the pipeline (target
        # matcher, sectionizer, ConText): the components never change a doc's text
        text = doc_text(doc)
        lowered = once_per_doc(doc, _LOWERED_KEY, _lowered)
        rules, wordless, by_word = self._rule_plan()
        if lowered is None:
            chosen: Iterable[int] = range(len(rules))
        else:  # each word looked for once per doc; a rule needing words the doc lacks cannot match there
            runs = set(wordless)
            for word in filter(lowered.__contains__, by_word):
                runs.update(by_word[word])
            chosen = sorted(runs)  # medspaCy's order
        for i in chosen:
            match_id, on_match, pattern, _ = rules[i]
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


class DocTextMedspacyMatcher(MedspacyMatcher):
    """medspaCy's MedspacyMatcher built with `DocTextRegexMatcher` for its regex rules (same rules, same results)."""

    def __init__(self, nlp: Language, name: str = "medspacy_matcher", phrase_matcher_attr: str = "LOWER",
                 prune: bool = True):
        super().__init__(nlp, name=name, phrase_matcher_attr=phrase_matcher_attr, prune=prune)
        setattr(self, _REGEX_ATTRIBUTE, DocTextRegexMatcher(nlp.vocab))


#: the lexeme flag bits spaCy leaves free (FLAG19..FLAG63); each can stand for one word set of a pattern
_FREE_FLAGS = tuple(range(19, 64))
_TOKEN_MATCHER_ATTRIBUTE = "_MedspacyMatcher__matcher"
#: token attributes whose value is the lexeme's string: the matcher's TEXT is ORTH
_LEXEME_TEXT = {"LOWER": "lower_", "ORTH": "orth_", "TEXT": "orth_"}


def native_word_sets(nlp: Language) -> None:
    """Rebuild the token Matcher of every medspaCy matcher with `{"LOWER"/"ORTH": {"IN": [...]}}` word
    sets turned into lexeme flags (`{"FLAGnn": True}`): the same test, but spaCy checks a flag in C where
    an "IN" set is a Python predicate called for every pattern state at every token. The word sets at
    the start of patterns (tested at every token) get the free flag bits first; the rest stay sets.

    The first-token tests left over (word sets beyond the free bits, regexes on a token's text) share one
    more flag, the gate: true for a word that passes any of them. Such a first token tests the gate in C,
    and `GatedMatcher` keeps a match only when its first token passes the rule's own tests, so the
    matches are exactly those of the tests themselves (each test reads the lexeme's text alone, and a
    first token without an operator matches exactly one token), in the matcher's order."""
    matchers = [value for _, component in nlp.pipeline for value in vars(component).values()
                if isinstance(value, MedspacyMatcher)]
    uses: Counter = Counter()
    for matcher in matchers:
        for rule in matcher.rule_map.values():
            if isinstance(rule.pattern, list):
                uses.update(_word_sets(rule.pattern))
    free = sum(bit not in nlp.vocab.lex_attr_getters for bit in _FREE_FLAGS)
    ranked = [key for key, _ in uses.most_common()]
    if len(ranked) >= free:  # not every set gets a bit: the last free bit is the gate
        free -= 1
    flags = {key: _add_flag(nlp, key) for key in ranked[:free]}
    tests = [test for matcher in matchers for rule in matcher.rule_map.values()
             for test in _gated_tests(rule, flags)]
    gate = _add_gate(nlp, set(tests)) if tests else None
    for matcher in matchers:
        _rebuild(nlp, matcher, flags, gate)


def _word_sets(pattern: list[dict]) -> list[tuple[tuple[str, frozenset], int]]:
    """((attribute, words), weight) of each word set of a pattern; sets tried at every token weigh most."""
    found, leading = [], True
    for token in pattern:
        for attr, value in token.items():
            key = _set_key(attr, value)
            if key is not None:
                found.append(key)
                if leading:
                    found.extend([key] * 1000)
        leading = leading and token.get("OP") in ("?", "*")
    return found


def _set_key(attr: str, value) -> tuple[str, frozenset] | None:
    if attr in ("LOWER", "ORTH") and isinstance(value, dict) and list(value) == ["IN"] \
            and all(isinstance(v, str) for v in value["IN"]):
        return attr, frozenset(value["IN"])
    return None


def _lexeme_test(attr: str, value) -> tuple[str, str, frozenset | str] | None:
    """("in", attribute, words) or ("regex", attribute, pattern) for a test on the lexeme's text that a
    gate can stand for; None for any other test."""
    if attr not in _LEXEME_TEXT or not isinstance(value, dict) or len(value) != 1:
        return None
    (op, arg), = value.items()
    if op == "IN" and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
        return "in", _LEXEME_TEXT[attr], frozenset(arg)
    if op == "REGEX" and isinstance(arg, str):
        return "regex", _LEXEME_TEXT[attr], arg
    return None


def _gated_tests(rule, flags: dict) -> list[tuple[str, str, frozenset | str]]:
    """The tests of a rule's first token that the gate stands for: those without a flag, on a first
    token without an operator, of a rule without a callback (a callback sees the matcher's own list)."""
    pattern = rule.pattern
    if not isinstance(pattern, list) or not pattern or "OP" in pattern[0] or rule.on_match is not None:
        return []
    first = pattern[0]
    return [test for attr, value in first.items()
            if _set_key(attr, value) not in flags and (test := _lexeme_test(attr, value)) is not None]


def _passes(test: tuple[str, str, frozenset | str], text: str) -> bool:
    kind, _, arg = test
    return text in arg if kind == "in" else _compiled(arg).search(text) is not None  # type: ignore[arg-type]


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)  # as spaCy's REGEX predicate: no flags


def _free_bit(nlp: Language) -> int:
    return next(bit for bit in _FREE_FLAGS if bit not in nlp.vocab.lex_attr_getters)


def _add_flag(nlp: Language, key: tuple[str, frozenset]) -> str:
    attr, words = key
    lower = nlp.vocab.lex_attr_getters[LOWER]
    getter = (lambda s: lower(s) in words) if attr == "LOWER" else (lambda s: s in words)
    return f"FLAG{nlp.vocab.add_flag(getter, flag_id=_free_bit(nlp))}"


def _add_gate(nlp: Language, tests: set) -> str:
    """A flag true for a word that passes any of `tests` (computed once per word of the vocabulary)."""
    lower = nlp.vocab.lex_attr_getters[LOWER]
    tests_of = {attr: [t for t in tests if t[1] == attr] for attr in set(_LEXEME_TEXT.values())}

    def gate(s: str) -> bool:
        lowered = lower(s)
        return any(_passes(t, lowered) for t in tests_of["lower_"]) or any(_passes(t, s) for t in tests_of["orth_"])
    return f"FLAG{nlp.vocab.add_flag(gate, flag_id=_free_bit(nlp))}"


class GatedMatcher:
    """A spaCy Matcher whose gated rules' matches are kept only where their first token passes the rule's
    own tests (see `native_word_sets`); everything else is the wrapped matcher's."""

    def __init__(self, matcher, checks: dict[int, list[tuple[str, str, frozenset | str]]]):
        self.matcher = matcher
        self.checks = checks

    def __call__(self, doc, **kwargs):
        matches = self.matcher(doc, **kwargs)
        checks = self.checks
        return [m for m in matches if m[0] not in checks or
                all(_passes(t, getattr(doc[m[1]], t[1])) for t in checks[m[0]])]

    def __len__(self) -> int:
        return len(self.matcher)

    def __getattr__(self, name: str):
        return getattr(self.matcher, name)


def _rebuild(nlp: Language, matcher: MedspacyMatcher, flags: dict, gate: str | None) -> None:
    """A new token Matcher holding the same rules in the same order, word sets replaced by their flags and
    the gated first-token tests by the gate."""
    rules = [(rule_id, rule) for rule_id, rule in matcher.rule_map.items() if isinstance(rule.pattern, list)]
    gated = {rule_id: _gated_tests(rule, flags) for rule_id, rule in rules} if gate else {}
    if not any(gated.values()) and \
            not any(_set_key(a, v) in flags for _, rule in rules for t in rule.pattern for a, v in t.items()):
        return
    old = getattr(matcher, _TOKEN_MATCHER_ATTRIBUTE)
    new = Matcher(nlp.vocab, validate=False)  # the rules passed validation in the matcher it replaces; FLAGnn keys are not in its schema
    checks: dict[int, list] = {}
    for rule_id, rule in rules:
        tests = gated.get(rule_id)
        pattern = [_native(t, flags) for t in rule.pattern]
        if tests:
            pattern[0] = {a: v for a, v in pattern[0].items() if _lexeme_test(a, v) not in tests}
            pattern[0][gate] = True
            checks[nlp.vocab.strings.add(rule_id)] = tests
        new.add(rule_id, [pattern], on_match=rule.on_match)
    if len(new) != len(old):
        raise RuntimeError("token matcher rebuilt with a different number of rules")
    setattr(matcher, _TOKEN_MATCHER_ATTRIBUTE, GatedMatcher(new, checks) if checks else new)


def _native(token: dict, flags: dict) -> dict:
    return {flags.get(_set_key(a, v), a): (True if _set_key(a, v) in flags else v) for a, v in token.items()}
