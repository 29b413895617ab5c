"""What the case page and the exports show: the review result, its evidence, the reviewer's decisions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from chartsift.fhir import Override
from chartsift.render import fact_summary
from evaluator import criteria_tree, not_needed, policy_of, reevaluate
from models import Recommendation, ReviewResult
from models.policy import PolicyEvaluation

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
    original_status: str | None = None   # chartsift's status
    changed: str | None = None           # "override" (the reviewer's status) | "re-evaluated" (from its parts)
    depth: int = 0                       # named criteria above it in the policy tree
    not_needed: bool = False             # an alternative that a met "any of" does not need


@dataclass
class Reviewed:
    """The case as the reviewer's decisions make it: the review re-evaluated with the overrides in force,
    chartsift's own recommendation beside it, and the final decision."""

    result: ReviewResult
    evaluation: PolicyEvaluation
    overrides: dict[str, Decision]
    final: Decision | None

    @property
    def recommendation(self) -> Recommendation:
        return self.evaluation.recommendation

    @property
    def original(self) -> Recommendation:
        return self.result.recommendation

    @property
    def changed(self) -> dict[str, str]:
        """criterion -> "override" | "re-evaluated", for every status the reviewer's decisions changed."""
        before = {d.criterion: d.status for d in self.result.determinations}
        return {d.criterion: "override" if d.criterion in self.overrides else "re-evaluated"
                for d in self.evaluation.determinations if d.status != before.get(d.criterion)}


def reviewed_state(result: ReviewResult, decisions: dict[str, Decision], final: Decision | None) -> Reviewed:
    """`result` re-evaluated with the reviewer's standing overrides (the newest decision per criterion)."""
    overrides = {c: d for c, d in decisions.items() if d.action == "override" and d.status}
    return Reviewed(result, reevaluate(result, {c: d.status or "" for c, d in overrides.items()}), overrides, final)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time (SQLite hands it back naive; it was written in UTC) as an aware UTC time."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


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


def criterion_rows(reviewed: Reviewed, doc_ids: dict[str, int], decisions: dict[str, Decision]) -> list[CriterionRow]:
    """One row per determination, in the policy tree's order (a parent before its children, with its depth),
    each with the status the reviewer's decisions give it and chartsift's beside it. Those that need review
    (confidence below the threshold) are marked, not moved; the alternatives a met "any of" does not need are
    marked and carry no missing-documentation line."""
    result = reviewed.result
    policy = policy_of(result.policy)
    tree = {row.criterion: (i, row.depth) for i, row in enumerate(criteria_tree(policy))}
    current = {d.criterion: d for d in reviewed.evaluation.determinations}
    spare = not_needed(policy, {c: d.status for c, d in current.items()})
    changed = reviewed.changed
    review = set(result.needs_review)
    rows = []
    for d in result.determinations:
        now = current.get(d.criterion, d)
        rows.append(CriterionRow(
            d.criterion, now.status, now.rationale, [] if d.criterion in spare else list(now.missing), d.text,
            evidence_rows(result, now.evidence, doc_ids), decisions.get(d.criterion), d.confidence,
            d.criterion in review, original_status=d.status, changed=changed.get(d.criterion),
            depth=tree.get(d.criterion, (0, 0))[1], not_needed=d.criterion in spare))
    return sorted(rows, key=lambda r: tree.get(r.criterion, (len(tree), 0))[0])


def fact_rows(result: ReviewResult, doc_ids: dict[str, int]) -> list[dict]:
    return [{"fact": f, "summary": fact_summary(f), "evidence": evidence_rows(result, [f.id], doc_ids)}
            for f in result.facts]


def decision_dict(d: Decision) -> dict:
    return {"criterion": d.criterion, "action": d.action, "status": d.status, "note": d.note,
            "user": d.user.name, "at": as_utc(d.created_at).isoformat(timespec="seconds"), "revision": d.revision}


def reviewed_dict(case: Case, reviewed: Reviewed, history: list[Decision]) -> dict:
    """The reviewer's part of an export: the final decision and who made it first, then the recommendation
    with the reviewer's statuses (chartsift's beside it), the criteria they changed, every decision."""
    current = [decision_dict(d) for d in history if d.revision == case.revision]
    before = {d.criterion: d.status for d in reviewed.result.determinations}
    changed = reviewed.changed
    return {
        "final_decision": decision_dict(reviewed.final) if reviewed.final else None,
        "recommendation": {"status": reviewed.recommendation.status, "summary": reviewed.recommendation.summary},
        "chartsift_recommendation": reviewed.original.status,
        "changed": [{"criterion": d.criterion, "status": d.status, "chartsift_status": before[d.criterion],
                     "by": changed[d.criterion],
                     "reviewer": reviewed.overrides[d.criterion].user.name if d.criterion in reviewed.overrides
                     else None}
                    for d in reviewed.evaluation.determinations if d.criterion in changed],
        "revision": case.revision,
        "decisions": [d for d in current if d["criterion"] is not None],
    }


def export_json(case: Case, reviewed: Reviewed, history: list[Decision]) -> dict:
    """The reviewer's decisions (`review`, first: the final decision, the re-evaluated recommendation), then
    the SPEC review JSON as chartsift made it."""
    return {"review": reviewed_dict(case, reviewed, history), **reviewed.result.model_dump(mode="json")}


@dataclass
class ListState:
    """What the case list shows of a case's review state."""

    final: Decision | None = None
    recommendation: str | None = None       # with the reviewer's overrides
    original: str | None = None             # chartsift's
    overridden: int = 0


def list_states(session: Session, cases: list[Case]) -> dict[int, ListState]:
    """Per case: the final decision of its current revision (who made it, when) and the recommendation its overrides
    give (kept on the case by worklist.refresh_state)."""
    by_pk = {c.id: c for c in cases}
    states = {c.id: ListState(original=c.recommendation, recommendation=c.reviewed_recommendation or c.recommendation,
                              overridden=c.criteria_overridden or 0) for c in cases}
    if not cases:
        return states
    finals = session.scalars(select(Decision).where(Decision.case_pk.in_(list(by_pk)), Decision.criterion.is_(None))
                             .order_by(Decision.id)).all()
    for d in finals:
        if d.revision == by_pk[d.case_pk].revision:
            states[d.case_pk].final = d
    return states


def overrides_in_force(history: list[Decision], revision: int) -> list[Override]:
    """The reviewers' overrides of this revision that still stand (the newest decision per criterion is an
    override), for the FHIR export's `override` answers."""
    newest: dict[str, Decision] = {}
    for d in history:
        if d.revision == revision and d.criterion is not None:
            newest[d.criterion] = d
    return [Override(criterion=c, status=d.status or "", reviewer=d.user.name, note=d.note,
                     at=d.created_at.isoformat()) for c, d in newest.items() if d.action == "override"]
