"""`chartsift review --html`: the review as one self-contained page, quotes highlighted in their sentence."""
from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape

from extractor.ingest.reader import IngestedDocument
from models import Evidence, ReviewResult

from .render import fact_summary

#: how far a quote's sentence may reach on each side, in characters
CONTEXT = 220
_STOPS = ".!?\n\f"


@dataclass
class Quote:
    before: str
    quote: str
    after: str
    document: str
    page: int | None


def sentence_around(text: str, start: int, end: int) -> tuple[str, str]:
    """The text before and after [start, end) up to the sentence bounds (or CONTEXT chars)."""
    lo = start
    while lo > 0 and start - lo < CONTEXT and text[lo - 1] not in _STOPS:
        lo -= 1
    hi = end
    if end > start and text[end - 1] in ".!?":  # the quote ends its sentence
        return " ".join(text[lo:start].split()), ""
    while hi < len(text) and hi - end < CONTEXT and text[hi] not in _STOPS:
        hi += 1
    if hi < len(text) and text[hi] in ".!?":
        hi += 1
    return " ".join(text[lo:start].split()), " ".join(text[end:hi].split())


def _quote(ev: Evidence, texts: dict[str, str]) -> Quote:
    text = texts.get(ev.document)
    before, after = sentence_around(text, ev.start, ev.end) if text is not None else ("", "")
    return Quote(before, " ".join(ev.text.split()), after, ev.document, ev.page)


def render_html(result: ReviewResult, sources: list[IngestedDocument]) -> str:
    texts = {s.name: s.text for s in sources}
    facts = {f.id: f for f in result.facts}
    rows = []
    for d in result.determinations:
        quotes = [_quote(ev, texts) for fid in d.evidence if fid in facts for ev in facts[fid].evidence[:2]]
        rows.append({"d": d, "quotes": quotes})
    fact_rows = [{"fact": f, "summary": fact_summary(f), "quotes": [_quote(ev, texts) for ev in f.evidence]}
                 for f in result.facts]
    env = Environment(loader=PackageLoader("chartsift", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("review.html").render(result=result, rows=rows, fact_rows=fact_rows)
