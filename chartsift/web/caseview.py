"""What the case page and the exports show: the review result, its evidence, the reviewer's decisions."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chartsift.fhir import Override
from chartsift.render import fact_summary
from models import ReviewResult

from .models import Case, Decision, Document
from .storage import REFUSAL_MESSAGES


@dataclass
class EvidenceRow:
    quote: str
    document: str
    doc_id: int | None
    page: int | None
    bbox: str | None
    fact_id: str


@dataclass
class CriterionRow:
    criterion: str
    status: str
    rationale: str
    missing: list[str]
    text: str | None
    evidence: list[EvidenceRow] = field(default_factory=list)
    decision: Decision | None = None
    confidence: float | None = None
    needs_review: bool = False


@dataclass
class DocumentProblem:
    code: str
    message: str


def document_errors(docs: list[Document], result: ReviewResult | None) -> dict[str, DocumentProblem]:
    """Display name -> why the document is not reviewed: refused at upload (known before any review), or its coded
    error in the review result."""
    problems = {e.document: DocumentProblem(e.code.value, e.message) for e in result.errors} if result else {}
    for doc in docs:
        if doc.error_code is not None:
            problems[doc.display_name] = DocumentProblem(doc.error_code, REFUSAL_MESSAGES[doc.error_code])
    return problems


def load_result(case: Case) -> ReviewResult | None:
    return ReviewResult.model_validate_json(case.result_json) if case.result_json else None


def evidence_rows(result: ReviewResult, fact_ids: list[str], doc_ids: dict[str, int]) -> list[EvidenceRow]:
    facts = {f.id: f for f in result.facts}
    rows = []
    for fid in fact_ids:
        for ev in facts[fid].evidence if fid in facts else []:
            bbox = ",".join(f"{v:g}" for v in ev.bbox) if ev.bbox else None
            rows.append(EvidenceRow(" ".join(ev.text.split()), ev.document, doc_ids.get(ev.document), ev.page,
                                    bbox, fid))
    return rows


def latest_decisions(session: Session, case: Case) -> tuple[dict[str, Decision], Decision | None, list[Decision]]:
    """The newest decision per criterion and the newest final decision, of the case's current revision,
    and the full history (all revisions)."""
    history = session.scalars(select(Decision).where(Decision.case_pk == case.id).order_by(Decision.id)).all()
    per: dict[str, Decision] = {}
    final = None
    for d in history:
        if d.revision != case.revision:
            continue
        if d.criterion is None:
            final = d
        else:
            per[d.criterion] = d
    return per, final, list(history)


def criterion_rows(result: ReviewResult, doc_ids: dict[str, int], decisions: dict[str, Decision]) -> list[CriterionRow]:
    """One row per determination; those that need review (confidence below the threshold) first, lowest
    confidence first, then the rest in the policy's order."""
    review = {c: i for i, c in enumerate(result.needs_review)}
    rows = [CriterionRow(d.criterion, d.status, d.rationale, list(d.missing), d.text,
                         evidence_rows(result, d.evidence, doc_ids), decisions.get(d.criterion),
                         d.confidence, d.criterion in review)
            for d in result.determinations]
    return sorted(rows, key=lambda r: (not r.needs_review, review.get(r.criterion, 0)))


def fact_rows(result: ReviewResult, doc_ids: dict[str, int]) -> list[dict]:
    return [{"fact": f, "summary": fact_summary(f), "evidence": evidence_rows(result, [f.id], doc_ids)}
            for f in result.facts]


def decision_dict(d: Decision) -> dict:
    return {"criterion": d.criterion, "action": d.action, "status": d.status, "note": d.note,
            "user": d.user.name, "at": d.created_at.isoformat(), "revision": d.revision}


def export_json(case: Case, result: ReviewResult, history: list[Decision]) -> dict:
    """The SPEC review JSON with the reviewer's decisions of this revision added under `review`."""
    data = result.model_dump(mode="json")
    current = [decision_dict(d) for d in history if d.revision == case.revision]
    final = next((d for d in reversed(current) if d["criterion"] is None), None)
    data["review"] = {"revision": case.revision, "decisions": [d for d in current if d["criterion"] is not None],
                      "final_decision": final}
    return data


def overrides_in_force(history: list[Decision], revision: int) -> list[Override]:
    """The reviewers' overrides of this revision that still stand (the newest decision per criterion is an
    override), for the FHIR export's `override` answers."""
    newest: dict[str, Decision] = {}
    for d in history:
        if d.revision == revision and d.criterion is not None:
            newest[d.criterion] = d
    return [Override(criterion=c, status=d.status or "", reviewer=d.user.name, note=d.note,
                     at=d.created_at.isoformat()) for c, d in newest.items() if d.action == "override"]
