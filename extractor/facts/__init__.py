"""Fact extractors: one module per fact type of SPEC section 4.

Each module `extractor/facts/<type>.py` exposes one public function,
`extract(doc: spacy.tokens.Doc, ctx: extractor.nlp.context.NoteContext) -> list[models.Fact]`,
reads its targets from `doc.ents` (label = the UPPER_SNAKE category of its target rules in
`extractor/rules/<type>.json`), takes the assertion from `extractor.nlp.pipeline.assertion_of(ent)`
and builds every Evidence through `ctx.span_evidence` / `ctx.evidence` with a rule id.
"""
