"""extractor/nlp/medspacy_adapter.py gives exactly medspaCy's TargetMatcher and ConText results.

Two ways: the real pipeline over every corpus note and over notes built to stress overlapping
modifiers (the adapter's factories vs medspaCy's own on the same text), and random ConText graphs (random
rules, directions, scopes, overlapping modifiers, max_targets, terminations) compared pair by pair.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from medspacy.context import ConText, ConTextRule
from medspacy.context.context_graph import ConTextGraph
from medspacy.context.context_modifier import ConTextModifier
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from extractor.nlp import medspacy_adapter
from extractor.nlp.medspacy_adapter import LinearConText, LinearConTextGraph, LinearTargetMatcher

REPO = Path(__file__).resolve().parent.parent
CORPUS_NOTES = sorted((REPO / "corpora" / "sij").glob("*/*.txt"))
STRESS = [
    pytest.param("No evidence of FABER or Gaenslen, but positive thigh thrust. Denies smoking; never smoker, "
                 "former smoker? Possible sacroiliitis versus no sacroiliitis.\n" * 40, id="repeated-cues"),
    pytest.param("Denies no history of not negative for possible FABER positive negative Gaenslen. " * 30,
                 id="stacked-modifiers"),
    pytest.param("Date of Service: 03/02/2026\nLeft SI joint injection under fluoroscopy with contrast, 80% "
                 "relief. FABER positive on the left.\n" * 60, id="repeated-findings"),
    pytest.param("", id="empty"),
]


def _run(nlp, text: str) -> Doc:
    doc = nlp.make_doc(text)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _summary(doc: Doc) -> list:
    graph = doc._.context_graph
    ents = [(e.start, e.end, e.label_, e._.target_rule.metadata.get("id") if e._.target_rule else None,
             [(m.modifier_span, m.scope_span, m.category) for m in e._.modifiers],
             e._.is_negated, e._.is_uncertain, e._.is_historical, e._.is_hypothetical, e._.is_family)
            for e in doc.ents]
    edges = [((t.start, t.end), m.modifier_span, m.category) for t, m in graph.edges]
    return [ents, edges, [(m.modifier_span, m.scope_span) for m in graph.modifiers]]


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p.parent.name}/{p.name}") for p in CORPUS_NOTES])
def test_corpus_notes_give_medspacy_results(nlp, medspacy_nlp, path):
    text = path.read_text(encoding="utf-8")
    assert _summary(_run(nlp, text)) == _summary(_run(medspacy_nlp, text))


@pytest.mark.parametrize("text", STRESS)
def test_stress_notes_give_medspacy_results(nlp, medspacy_nlp, text):
    linear, original = _summary(_run(nlp, text)), _summary(_run(medspacy_nlp, text))
    assert linear == original
    if text:
        assert linear[0] and linear[1]  # the note really has entities and ConText edges to compare


def test_pipeline_is_built_from_the_adapter_factories(nlp, medspacy_nlp):
    assert nlp.pipe_names == medspacy_nlp.pipe_names
    built = {name: type(component) for name, component in nlp.pipeline}
    assert built["medspacy_target_matcher"] is LinearTargetMatcher
    assert built["medspacy_sectionizer"] is medspacy_adapter.DocTextSectionizer
    assert built["medspacy_context"] is LinearConText
    assert type(medspacy_nlp.get_pipe("medspacy_context")) is ConText


def test_other_medspacy_versions_are_refused():
    medspacy_adapter.check_medspacy_version(medspacy_adapter.WRITTEN_FOR)
    with pytest.raises(RuntimeError, match="written for medspaCy 1.3.1, found 1.4.0"):
        medspacy_adapter.check_medspacy_version("1.4.0")


CATEGORIES = ["NEGATED_EXISTENCE", "POSSIBLE_EXISTENCE", "HISTORICAL", "FAMILY", "TERMINATE", "PSEUDO"]
DIRECTIONS = ["FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO"]
LABELS = ["PROBLEM", "TEST", "TREATMENT"]


def _random_graph(seed: int, graph_class):
    rng = random.Random(seed)
    n_tokens = rng.randint(5, 120)
    doc = Doc(Vocab(), words=["w"] * n_tokens)
    targets, pos = [], 0
    while pos < n_tokens - 1:
        pos += rng.randint(0, 6)
        end = min(n_tokens, pos + rng.randint(1, 3))
        if pos < end:
            targets.append(Span(doc, pos, end, label=rng.choice(LABELS)))
        pos = end
    modifiers = []
    for _ in range(rng.randint(0, 25)):
        rule = ConTextRule(
            literal=f"cue{rng.randint(0, 3)}", category=rng.choice(CATEGORIES), direction=rng.choice(DIRECTIONS),
            allowed_types={rng.choice(LABELS)} if rng.random() < 0.2 else None,
            max_targets=rng.choice([None, None, 1, 2]),
            terminated_by={rng.choice(CATEGORIES)} if rng.random() < 0.3 else None)
        start = rng.randint(0, n_tokens - 1)
        end = min(n_tokens, start + rng.randint(1, 3))
        scope_start = max(0, start - rng.randint(0, 15))
        scope_end = min(n_tokens, end + rng.randint(0, 15))
        if rule.direction == "FORWARD":
            scope_start = end
        elif rule.direction == "BACKWARD":
            scope_end = start
        modifiers.append(ConTextModifier(rule, start, end, None, scope_start=scope_start, scope_end=scope_end))
    graph = graph_class(prune_on_modifier_overlap=rng.random() < 0.5)
    graph.targets, graph.modifiers = targets, modifiers
    graph.update_scopes()
    scopes = [m.scope_span for m in graph.modifiers]
    graph.apply_modifiers()
    edges = [((t.start, t.end), m.modifier_span, m.category) for t, m in graph.edges]
    return scopes, edges, [m.modifier_span for m in graph.modifiers]


@pytest.mark.parametrize("seed", range(300))
def test_random_context_graphs_give_medspacy_results(seed):
    assert _random_graph(seed, LinearConTextGraph) == _random_graph(seed, ConTextGraph)


def test_the_random_graphs_exercise_scope_limits_and_edges():
    """The comparison above would be empty if the generator made no limits or edges: it makes many."""
    limited = edges = 0
    for seed in range(300):
        scopes, found, _ = _random_graph(seed, ConTextGraph)
        edges += len(found)
        rng_free = _random_graph(seed, lambda **kw: _NoLimit(**kw))[0]
        limited += scopes != rng_free
    assert edges > 1000 and limited > 50


class _NoLimit(ConTextGraph):
    def update_scopes(self):
        return None


@pytest.mark.parametrize("ours, theirs", [("chartsift_target_matcher", "medspacy_target_matcher"),
                                          ("chartsift_sectionizer", "medspacy_sectionizer"),
                                          ("chartsift_context", "medspacy_context")])
def test_factories_take_medspacys_config(nlp, ours, theirs):
    from spacy.language import Language

    assert Language.get_factory_meta(ours).default_config == Language.get_factory_meta(theirs).default_config
