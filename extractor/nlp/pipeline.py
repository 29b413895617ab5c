"""The one place that builds the medspaCy nlp (DESIGN: "the only place components are registered").

Pipeline, in order (no model download: a blank English model with explicit components):

1. medspaCy's clinical tokenizer;
2. `chartsift_sentences` (extractor/text/sentences.py): rule-based splitting that keeps template
   lines, checkbox rows and table rows apart, chosen over PyRuSH by benchmarks/sentences.py;
3. medspaCy TargetMatcher with the target rules of every rules file (below), so `doc.ents`
   holds every target with `ent.label_` = its category;
4. medspaCy Sectionizer with the rules of `extractor/rules/sections.json` (categories listed
   there), `ent._.section_category` / `extractor.nlp.context.doc_section(doc, offset)`;
5. medspaCy ConText over `doc.ents` with `extractor/rules/context.json` (see extractor/nlp/assertion.py);
   `assertion_of(ent)` maps its attributes to the SPEC assertion.

Target rules are data. Every `extractor/rules/*.json` that has a top-level key "target_rules"
contributes to the one TargetMatcher. Each item is validated strictly (`TargetRuleSpec`,
extra="forbid"): {"literal": str, "category": UPPER_SNAKE str, "pattern": optional spaCy token
pattern list or regex string, "attributes": optional dict, "id": optional rule id}. The other keys
of a rules file belong to its fact module, which validates them with its own model; this module
looks only at "target_rules" (`TargetRulesFile`, extra="allow" at top level). Each matched span
sets its "attributes" as span extensions (`ent._.<name>`, registered here with default None) and
carries `ent._.target_rule` (medspaCy) whose `metadata["id"]` is "<file>:<id or index>", the rule
id to put on Evidence.

`get_nlp()` returns the per-process nlp (built once); `process(texts)` runs it over note texts,
splitting any text longer than `nlp.max_length` into chunks at line breaks and running the
components over the re-joined doc, so offsets always index the original text.
"""
from __future__ import annotations

import re
import threading
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from extractor.nlp.medspacy_import import import_medspacy, import_spacy

# spaCy without its command-line package (extractor/nlp/medspacy_import.py): this module is where a
# process first imports spaCy, so it comes before the spaCy imports below
import_spacy()

from spacy.language import Language
from spacy.tokens import Doc

from extractor.nlp.assertion import assertion_of, register_span_flags  # noqa: F401  (re-exported)
from extractor.nlp.context import doc_section  # noqa: F401  (re-exported)
from extractor.nlp.doc_cache import TEXT_KEY, doc_ents, doc_text, once_per_doc  # noqa: F401  (re-exported)
from extractor.rules.loader import load_rules, parse_rules, rules_text

_UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9_]*$")


class TargetRuleSpec(BaseModel):
    """One target rule of a rules file's "target_rules" list."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    literal: str = Field(min_length=1)
    category: str
    pattern: list[dict] | str | None = None
    attributes: dict | None = None
    id: str | None = None

    @field_validator("category")
    @classmethod
    def _upper_snake(cls, value: str) -> str:
        if not _UPPER_SNAKE.match(value):
            raise ValueError("category must be UPPER_SNAKE, e.g. PROVOCATIVE_TEST")
        return value


class TargetRulesFile(BaseModel):
    """The part of a rules file the pipeline reads: other keys belong to the fact module."""

    model_config = ConfigDict(extra="allow")

    target_rules: list[TargetRuleSpec] = Field(default_factory=list)


class SectionRuleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    literal: str = Field(min_length=1)
    category: str
    pattern: list[dict] | str | None = None


class SectionRules(BaseModel):
    """extractor/rules/sections.json: section categories, header rules, sentence abbreviations."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str | None = None
    categories: dict[str, str] = Field(description="section category -> what it holds")
    section_attributes: dict[str, dict[str, bool]] = Field(default_factory=dict)
    section_rules: list[SectionRuleSpec]
    sentence_abbreviations: list[str] = Field(default_factory=list)

    @field_validator("section_rules")
    @classmethod
    def _known_categories(cls, rules, info):
        known = set(info.data.get("categories", {}))
        unknown = sorted({r.category for r in rules} - known)
        if unknown:
            raise ValueError(f"unknown section categories {unknown}; declare them in 'categories'")
        return rules


def rule_files() -> list[str]:
    """Names (without .json) of every rules file shipped in extractor/rules."""
    folder = resources.files("extractor").joinpath("rules")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def target_rules():
    """medspaCy TargetRules from the "target_rules" of every rules file, validated."""
    import_medspacy()
    from medspacy.target_matcher import TargetRule
    from spacy.tokens import Span


    out = []
    for name in rule_files():
        text = rules_text(name)
        if '"target_rules"' not in text:
            continue
        spec = parse_rules(name, text, TargetRulesFile)
        for i, r in enumerate(spec.target_rules):
            for attr in r.attributes or {}:
                if not Span.has_extension(attr):  # medspaCy sets them as span extensions
                    Span.set_extension(attr, default=None)
            out.append(TargetRule(literal=r.literal, category=r.category, pattern=r.pattern,
                                  attributes=r.attributes, metadata={"id": f"{name}:{r.id or i}"}))
    return out


def section_rules() -> SectionRules:
    return load_rules("sections", SectionRules)


#: the factories of the TargetMatcher, Sectionizer and ConText (extractor/nlp/medspacy_adapter.py)
TARGET_MATCHER, SECTIONIZER, CONTEXT = "chartsift_target_matcher", "chartsift_sectionizer", "chartsift_context"


def build_nlp() -> Language:
    """A fresh nlp with every component and rule (prefer `get_nlp()`: building costs ~1 s)."""
    import_medspacy()  # registers medspaCy factories and extensions (without QuickUMLS)
    import spacy
    from medspacy.custom_tokenizer import create_medspacy_tokenizer
    from medspacy.section_detection import SectionRule

    import extractor.text.sentences  # noqa: F401  (registers chartsift_sentences)
    from extractor.nlp.assertion import SPAN_ATTRIBUTES, context_rules
    import extractor.nlp.medspacy_adapter  # noqa: F401  (registers the chartsift_* medspaCy factories)
    from extractor.nlp.matching import native_word_sets

    _quiet_logging()
    register_span_flags()
    nlp = spacy.blank("en")
    nlp.tokenizer = create_medspacy_tokenizer(nlp)
    nlp.add_pipe("chartsift_sentences")
    # medspaCy's components as extractor/nlp/medspacy_adapter.py builds them (linear in a note's length, the doc
    # text read once per doc), under medspaCy's own component names
    nlp.add_pipe(TARGET_MATCHER, name="medspacy_target_matcher").add(target_rules())
    sections = section_rules()
    sectionizer = nlp.add_pipe(SECTIONIZER, name="medspacy_sectionizer", config={
        "rules": None, "require_start_line": True, "apply_sentence_boundary": True,
        "span_attrs": {k: dict(v) for k, v in sections.section_attributes.items()} or None})
    sectionizer.add([SectionRule(literal=r.literal, category=r.category, pattern=r.pattern)
                     for r in sections.section_rules])
    rules, terminating = context_rules()
    context = nlp.add_pipe(CONTEXT, name="medspacy_context", config={
        "rules": None, "span_attrs": SPAN_ATTRIBUTES, "terminating_types": terminating,
        # a cue inside a target is part of its name, not a modifier (medspaCy's own overlap test misses containment)
        "prune_on_target_overlap": True})
    context.add(rules)
    native_word_sets(nlp)  # word sets as lexeme flags: checked in C, not by a Python predicate per state
    return nlp


def _quiet_logging() -> None:
    """PyRuSH/medspaCy log tokens (PHI) at DEBUG through loguru: silence them before any text runs
    (the extractor loads them, so the extractor silences them; the face silences the rest)."""
    from loguru import logger

    logger.disable("PyRuSH")
    logger.disable("medspacy")


_NLP: Language | None = None
_LOCK = threading.Lock()


def get_nlp() -> Language:
    """The one nlp of this process, built on first use."""
    global _NLP
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                _NLP = build_nlp()
    return _NLP


def process(texts: list[str], nlp: Language | None = None, batch_size: int = 16) -> list[Doc]:
    """Docs for note texts, in order; texts over `nlp.max_length` are chunked, offsets intact."""
    nlp = nlp or get_nlp()
    short = [(i, t) for i, t in enumerate(texts) if len(t) <= nlp.max_length]
    docs: list[Doc | None] = [None] * len(texts)
    for (i, text), doc in zip(short, nlp.pipe((t for _, t in short), batch_size=batch_size)):
        doc.user_data[TEXT_KEY] = text  # what doc.text would rebuild: spaCy's tokenizer keeps every character
        docs[i] = doc
    for i, text in enumerate(texts):
        if docs[i] is None:
            docs[i] = _process_long(nlp, text)
    return docs  # type: ignore[return-value]


def _process_long(nlp: Language, text: str) -> Doc:
    """Tokenize in chunks cut at line breaks, join the token docs, then run every component once."""
    pieces = [nlp.make_doc(chunk) for chunk in _chunks(text, nlp.max_length)]
    doc = Doc.from_docs(pieces, ensure_whitespace=False)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _chunks(text: str, size: int) -> list[str]:
    """Consecutive pieces of at most `size` characters, cut after a newline (else a space) when possible."""
    out, pos = [], 0
    while pos < len(text):
        end = min(pos + size, len(text))
        if end < len(text):
            cut = max(text.rfind("\n", pos, end), text.rfind(" ", pos, end) if "\n" not in text[pos:end] else -1)
            end = cut + 1 if cut > pos else end
        out.append(text[pos:end])
        pos = end
    return out
