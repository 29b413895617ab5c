"""Annotated corpora (SPEC section 6): the gold models, loading case folders, reading their documents.

Gold facts are the fact models of `models.facts` with quote evidence instead of offsets, so the
enums and keys of the gold files stay single-sourced with the extractor's output.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import Field, TypeAdapter, ValidationError, create_model, field_validator

from models import FACT_MODELS, FACT_TYPES, STATUSES, CaseRequest, Request, Strict
from models.review import RecommendationStatus

GOLD_FILE = "gold.json"
CASE_FILE = "case.json"
DOCUMENT_SUFFIXES = (".pdf", ".txt")
RECOMMENDATION = "recommendation"
RECOMMENDATION_STATUSES: tuple[str, ...] = RecommendationStatus.__args__  # type: ignore[attr-defined]

FactType = Literal[FACT_TYPES]  # type: ignore[valid-type]


class GoldEvidence(Strict):
    """A verbatim quote from one document of the case."""

    document: str
    quote: str = Field(min_length=1)


def _gold_model(model: type) -> type:
    return create_model(f"Gold{model.__name__}", __base__=model,
                        evidence=(list[GoldEvidence], Field(min_length=1)))


#: fact type -> its gold model (the fact model with quote evidence)
GOLD_FACT_MODELS: dict[str, type] = {name: _gold_model(model) for name, model in FACT_MODELS.items()}
if TYPE_CHECKING:
    GoldFact = Any
else:
    GoldFact = Annotated[Union[tuple(GOLD_FACT_MODELS.values())],  # noqa: UP007 - a union built at run time
                         Field(discriminator="type")]
GOLD_FACT_ADAPTER: TypeAdapter[Any] = TypeAdapter(GoldFact)


class Gold(Strict):
    """A case's `gold.json`."""

    case_id: str | None = Field(default=None, description="when given, must equal case.json's case_id")
    facts: list[GoldFact] = Field(default_factory=list)  # type: ignore[valid-type]
    determinations: dict[str, str] = Field(default_factory=dict,
                                           description="criterion id (or 'recommendation') -> status")
    complete: bool | list[FactType] = Field(  # type: ignore[valid-type]
        default=True, description="true: every fact type is annotated completely; else the types that are")

    @field_validator("complete")
    @classmethod
    def _no_duplicate_types(cls, value: bool | list[str]) -> bool | list[str]:
        if isinstance(value, list) and len(set(value)) != len(value):
            raise ValueError("a fact type is listed twice in 'complete'")
        return value

    @field_validator("determinations")
    @classmethod
    def _known_statuses(cls, value: dict[str, str]) -> dict[str, str]:
        for criterion, status in value.items():
            allowed = RECOMMENDATION_STATUSES if criterion == RECOMMENDATION else STATUSES
            if status not in allowed:
                raise ValueError(f"{criterion}: status {status!r} is not one of {', '.join(allowed)}")
        return value

    def scored_types(self) -> frozenset[str]:
        """Fact types whose predictions count (false positives included)."""
        return frozenset(FACT_TYPES) if self.complete is True else frozenset(self.complete or ())


@dataclass(frozen=True)
class CorpusCase:
    """One annotated case folder."""

    case_dir: Path
    case_id: str
    request: Request | None
    documents: tuple[str, ...]
    gold: Gold

    @property
    def pathway(self) -> str | None:
        return pathway_of(self.request)


class CorpusError(ValueError):
    """A corpus that cannot be loaded; the message names the case and file."""


def pathway_of(request: Request | None) -> str | None:
    """The CP.MP.126 pathway of a request's CPT code (SPEC section 5); None when not stated."""
    cpt = request.cpt if request else None
    return {"27279": "minimally_invasive", "27280": "open"}.get(cpt or "")


def case_dirs(corpus_dir: Path) -> list[Path]:
    """Case folders of a corpus: its sub-folders holding a case.json or a gold.json, by name."""
    return sorted(p for p in Path(corpus_dir).iterdir()
                  if p.is_dir() and ((p / GOLD_FILE).is_file() or (p / CASE_FILE).is_file()))


def read_case_request(case_dir: Path) -> CaseRequest | None:
    path = case_dir / CASE_FILE
    if not path.is_file():
        return None
    return CaseRequest.model_validate_json(path.read_text(encoding="utf-8"))


def document_names(case_dir: Path, case_request: CaseRequest | None) -> tuple[str, ...]:
    """The case's documents: case.json's list, else every .pdf and .txt of the folder (SPEC section 2)."""
    if case_request is not None and case_request.documents is not None:
        return tuple(case_request.documents)
    return tuple(sorted(p.name for p in case_dir.iterdir()
                        if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES))


def load_case(case_dir: Path) -> CorpusCase:
    """Load one case folder; raise CorpusError naming the case and file on any invalid content."""
    case_dir = Path(case_dir)
    try:
        case_request = read_case_request(case_dir)
    except (ValidationError, OSError, ValueError) as exc:
        raise CorpusError(f"{case_dir.name}/{CASE_FILE}: invalid ({_first_error(exc)})") from None
    try:
        gold = Gold.model_validate_json((case_dir / GOLD_FILE).read_text(encoding="utf-8"))
    except (ValidationError, OSError, ValueError) as exc:
        raise CorpusError(f"{case_dir.name}/{GOLD_FILE}: invalid ({_first_error(exc)}); "
                          "run `chartsift corpus check`") from None
    case_id = case_request.case_id if case_request else case_dir.name
    request = case_request.request if case_request else None
    return CorpusCase(case_dir, case_id, request, document_names(case_dir, case_request), gold)


def load_corpus(corpus_dir: Path) -> list[CorpusCase]:
    """Every annotated case of a corpus folder, sorted by folder name."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: not a folder")
    cases = [load_case(d) for d in case_dirs(corpus_dir)]
    if not cases:
        raise CorpusError(f"{corpus_dir}: no case folders (sub-folders with a {GOLD_FILE})")
    return cases


def read_document_text(path: Path) -> str:
    """The text a reader can see in a document: a text file as is, a PDF's text layer (pages joined by \\f)."""
    if path.suffix.lower() != ".pdf":
        return path.read_text(encoding="utf-8")
    import pdfplumber

    pages: list[str] = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            pages.append(page.extract_text() or "")
            page.close()
    return "\f".join(pages)


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        return f"{where}: {err['msg']}" if where else err["msg"]
    return type(exc).__name__ if isinstance(exc, OSError) else str(exc).splitlines()[0]


def raw_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))
