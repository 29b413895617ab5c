"""`chartsift corpus check`: reject gold files a scorer could not trust.

A gold file is rejected when a quote is not verbatim in its document, a fact's type, key or enum
value is not in SPEC (validated with the fact models themselves), a key is annotated twice, a
determination of the case's pathway is missing or unknown, or the determinations contradict
SPEC section 5's three-valued logic.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from models import STATUSES, CaseRequest

from .corpus import (
    CASE_FILE,
    GOLD_FACT_ADAPTER,
    GOLD_FILE,
    RECOMMENDATION,
    RECOMMENDATION_STATUSES,
    Gold,
    case_dirs,
    document_names,
    pathway_of,
    read_document_text,
)
from .criteria import logic, pathway_criteria

_RANK = {"not_met": 0, "insufficient": 1, "met": 2}


@dataclass(frozen=True)
class Problem:
    """One reason a corpus is rejected: case, file, where in the file, and why."""

    case: str
    file: str
    reason: str
    where: str = ""

    def __str__(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"{self.case}: {self.file}{where}: {self.reason}"


def check_corpus(corpus_dir: Path) -> list[Problem]:
    """Every problem of every case of a corpus folder (an empty list means it passes)."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        return [Problem(str(corpus_dir), "", "not a folder")]
    dirs = case_dirs(corpus_dir)
    if not dirs:
        return [Problem(corpus_dir.name, "", f"no case folders (sub-folders with a {GOLD_FILE})")]
    return [p for d in dirs for p in check_case(d)]


def check_case(case_dir: Path) -> list[Problem]:
    name = case_dir.name
    try:
        case_request = _read_case(case_dir)
    except ValueError as exc:
        return [Problem(name, CASE_FILE, str(exc))]
    gold_path = case_dir / GOLD_FILE
    if not gold_path.is_file():
        return [Problem(name, GOLD_FILE, "missing")]
    try:
        raw = json.loads(gold_path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        return [Problem(name, GOLD_FILE, f"not readable JSON ({type(exc).__name__})")]
    if not isinstance(raw, dict):
        return [Problem(name, GOLD_FILE, "must be a JSON object")]
    texts, problems = _document_texts(case_dir, case_request)
    problems += _check_shell(name, raw)
    if case_request is not None and raw.get("case_id") not in (None, case_request.case_id):
        problems.append(Problem(name, GOLD_FILE, f"case_id differs from {CASE_FILE}'s", "case_id"))
    facts: list[Any] = raw["facts"] if isinstance(raw.get("facts"), list) else []
    problems += _check_facts(name, facts, texts)
    if "determinations" not in raw:  # a facts-only gold (real notes that are no request): facts are scored alone
        return problems
    dets: dict[str, Any] = raw["determinations"] if isinstance(raw.get("determinations"), dict) else {}
    pathway = pathway_of(case_request.request if case_request else None)
    problems += _check_determinations(name, dets, pathway)
    return problems


def _read_case(case_dir: Path) -> CaseRequest | None:
    path = case_dir / CASE_FILE
    if not path.is_file():
        return None
    try:
        return CaseRequest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise ValueError(_validation_reason(exc)) from None
    except OSError as exc:
        raise ValueError(f"not readable ({type(exc).__name__})") from None


def _document_texts(case_dir: Path, case_request: CaseRequest | None) -> tuple[dict[str, str], list[Problem]]:
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    names = document_names(case_dir, case_request)
    if not names:
        problems.append(Problem(case_dir.name, CASE_FILE, "the case has no documents"))
    for doc in names:
        try:
            texts[doc] = read_document_text(case_dir / doc)
        except Exception as exc:  # noqa: BLE001 - any unreadable document is a corpus problem, named, without its text
            problems.append(Problem(case_dir.name, doc, f"document not readable ({type(exc).__name__})"))
    return texts, problems


def _check_shell(case: str, raw: dict[str, Any]) -> list[Problem]:
    """Top-level keys and `complete` (facts and determinations are checked item by item)."""
    shell = {k: v for k, v in raw.items() if k not in ("facts", "determinations")}
    shell["facts"], shell["determinations"] = [], {}
    problems: list[Problem] = []
    if not isinstance(raw.get("facts", []), list):
        problems.append(Problem(case, GOLD_FILE, "must be a list", "facts"))
    if not isinstance(raw.get("determinations", {}), dict):
        problems.append(Problem(case, GOLD_FILE, "must be an object", "determinations"))
    try:
        Gold.model_validate(shell)
    except ValidationError as exc:
        problems += [Problem(case, GOLD_FILE, _error_reason(e), _loc(e["loc"])) for e in exc.errors()]
    return problems


def _check_facts(case: str, facts: list[Any], texts: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[Any, ...], int] = {}
    for index, raw in enumerate(facts):
        where = f"facts[{index}]"
        try:
            fact = GOLD_FACT_ADAPTER.validate_python(raw)
        except ValidationError as exc:
            problems += [Problem(case, GOLD_FILE, _error_reason(e), _loc((where,) + tuple(e["loc"])))
                         for e in exc.errors()]
            continue
        identity = fact.key() + (fact.assertion,)
        if identity in seen:
            problems.append(Problem(case, GOLD_FILE, f"same type, key and assertion as facts[{seen[identity]}] "
                                    "(annotate one fact per key, with several quotes)", where))
        seen.setdefault(identity, index)
        problems += _check_quotes(case, where, fact.evidence, texts)
    return problems


def _check_quotes(case: str, where: str, evidence: list[Any], texts: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    for i, ev in enumerate(evidence):
        place = f"{where}.evidence[{i}]"
        if ev.document not in texts:
            problems.append(Problem(case, GOLD_FILE, f"document {ev.document!r} is not a readable document "
                                    f"of the case (documents: {', '.join(sorted(texts)) or 'none'})", place))
        elif not quote_in_text(ev.quote, texts[ev.document]):
            problems.append(Problem(case, GOLD_FILE, f"quote is not verbatim in {ev.document}", place))
    return problems


def quote_in_text(quote: str, text: str) -> bool:
    """True when `quote` occurs in `text` character for character, any whitespace run matching any other
    (a line wrap in the document may be a space in the quote); case is significant."""
    words = quote.split()
    if not words:
        return False
    return re.search(r"\s+".join(re.escape(w) for w in words), text) is not None


def _check_determinations(case: str, dets: dict[str, Any], pathway: str | None) -> list[Problem]:
    required = pathway_criteria(pathway)
    known = set(pathway_criteria(None))
    problems: list[Problem] = []
    for criterion, status in dets.items():
        where = f"determinations.{criterion}"
        allowed = RECOMMENDATION_STATUSES if criterion == RECOMMENDATION else STATUSES
        if criterion != RECOMMENDATION and criterion not in known:
            problems.append(Problem(case, GOLD_FILE, f"unknown criterion (known: {', '.join(sorted(known))})",
                                    where))
        elif status not in allowed:
            problems.append(Problem(case, GOLD_FILE, f"status {status!r} is not one of {', '.join(allowed)}",
                                    where))
    missing = [c for c in required + (RECOMMENDATION,) if c not in dets]
    if missing:
        problems.append(Problem(case, GOLD_FILE, f"missing criteria of the {pathway or 'both'} pathway"
                                f"{'' if pathway else 's'}: {', '.join(missing)}", "determinations"))
    if not problems:
        problems += [Problem(case, GOLD_FILE, reason, "determinations") for reason in logic_errors(dets, pathway)]
    return problems


def combine(kind: str, statuses: list[str]) -> str:
    """SPEC section 5's three-valued `all` / `any`."""
    if kind == "all":
        return "not_met" if "not_met" in statuses else "insufficient" if "insufficient" in statuses else "met"
    return "met" if "met" in statuses else "insufficient" if "insufficient" in statuses else "not_met"


def recommendation_for(statuses: list[str]) -> str:
    """SPEC section 3: physician_review on any not_met, else missing_documentation on any insufficient."""
    return {"not_met": "physician_review", "insufficient": "missing_documentation",
            "met": "meets_criteria"}[combine("all", statuses)]


def logic_errors(dets: dict[str, str], pathway: str | None) -> list[str]:
    """Where gold determinations contradict SPEC section 5's logic (parents against their children)."""
    errors: list[str] = []
    for parent, (kind, children, exact) in logic().items():
        if parent not in dets or not all(c in dets for c in children):
            continue
        implied = combine(kind, [dets[c] for c in children])
        if exact and dets[parent] != implied:
            errors.append(f"{parent} is {dets[parent]} but {kind} of {', '.join(children)} gives {implied}")
        if not exact and _RANK[dets[parent]] > _RANK[implied]:
            errors.append(f"{parent} is {dets[parent]} but its parts {', '.join(children)} allow at most {implied}")
    top = {"minimally_invasive": "II", "open": "I"}.get(pathway or "")
    deciding = [top, "III", "codes"] if top else []
    if deciding and all(c in dets for c in deciding) and RECOMMENDATION in dets:
        expected = recommendation_for([dets[c] for c in deciding])
        if dets[RECOMMENDATION] != expected:
            errors.append(f"recommendation is {dets[RECOMMENDATION]} but {', '.join(deciding)} give {expected}")
    return errors


def _loc(parts: tuple[Any, ...]) -> str:
    return ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in parts).replace(".[", "[")


def _error_reason(err: Any) -> str:
    """pydantic's message, with the allowed values it lists (never the quote or document text)."""
    return str(err["msg"])


def _validation_reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{_loc(tuple(err['loc']))}: {err['msg']}"
