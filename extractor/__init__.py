"""Documents in, facts out: ingest -> normalize -> segment notes -> nlp -> facts -> resolve."""
