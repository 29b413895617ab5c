"""A payer policy as data (DESIGN habit 5): a criterion tree of all / any / at_least / not over leaf checks.

The tree is a pydantic discriminated union on `op`; every model rejects unknown keys, every leaf
names a fact type of SPEC section 4 and only attributes of that type, with values from its
vocabulary, so a typo in a policy file fails at load, never at review time.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import ConfigDict, Field, field_validator, model_validator

from .base import Assertion, Strict
from .facts import FACT_MODELS
from .review import Determination, Flag, Pathway, PolicyRef, Recommendation, Status

Scalar = bool | int | float | str | dt.date | None

#: an ICD-10-CM code (dot optional, X placeholders allowed) or an inclusive range of two codes
ICD10_ENTRY = re.compile(r"^[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?(-[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?)?$")


class Condition(Strict):
    """A test on one attribute of a fact; several keys are all required (a conjunction).

    In a policy file a bare value is shorthand for `eq` and a bare list for `in`.
    """

    eq: Scalar = None
    in_: list[Scalar] | None = Field(default=None, alias="in")
    not_in: list[Scalar] | None = None
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    contains_any: list[str] | None = None
    contains_none: list[str] | None = None
    is_null: bool | None = None
    ipsilateral: bool | None = Field(default=None, description="side equals the case side, bilateral, or unknown")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, list):
            return {"in": value}
        if not isinstance(value, dict):
            return {"eq": value}
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Condition:
        if not self.model_fields_set:
            raise ValueError("a condition needs at least one test")
        return self

    def values(self) -> list[Any]:
        """Every vocabulary value this condition names (checked against the fact type at load)."""
        named: list[Any] = []
        if "eq" in self.model_fields_set and self.eq is not None:
            named.append(self.eq)
        for listed in (self.in_, self.not_in, self.contains_any, self.contains_none):
            named.extend(listed or [])
        return named


Filter = dict[str, Condition]


def _vocabulary(annotation: Any) -> set[Any] | None:
    """Allowed values of a Literal-typed attribute (through Optional and list), else None."""
    if get_origin(annotation) is Literal:
        return set(get_args(annotation))
    found: set[Any] = set()
    for arg in get_args(annotation):
        sub = _vocabulary(arg)
        if sub:
            found |= sub
    return found or None


def check_filter(fact_type: str, where: Filter) -> None:
    """Raise ValueError unless every attribute and value of `where` exists for `fact_type`."""
    model = FACT_MODELS[fact_type]
    for attribute, condition in where.items():
        field = model.model_fields.get(attribute)
        if field is None or attribute in ("evidence", "conflicts", "id", "type"):
            allowed = sorted(k for k in model.model_fields if k not in ("evidence", "conflicts", "id", "type"))
            raise ValueError(f"unknown attribute {attribute!r} of fact type {fact_type!r}; "
                             f"allowed attributes: {', '.join(allowed)}")
        vocabulary = _vocabulary(field.annotation)
        if vocabulary is None:
            continue
        for value in condition.values():
            if value not in vocabulary:
                raise ValueError(f"unknown value {value!r} for {fact_type}.{attribute}; "
                                 f"allowed values: {', '.join(sorted(map(str, vocabulary)))}")


def _as_filters(value: Any) -> Any:
    return [value] if isinstance(value, dict) else value


class NodeBase(Strict):
    op: str
    id: str | None = Field(default=None, description="criterion id as the policy numbers it (II.G)")
    text: str | None = Field(default=None, description="the policy's own wording, for display")
    label: str | None = Field(default=None, description="short reviewer name used in rationales")
    missing: str | None = Field(default=None, description="what would settle it when insufficient; "
                                "placeholders {window_start}, {request_date}, {side}")


class AllNode(NodeBase):
    op: Literal["all"]
    of: list[Node] = Field(min_length=1)


class AnyNode(NodeBase):
    op: Literal["any"]
    of: list[Node] = Field(min_length=1)


class AtLeastNode(NodeBase):
    op: Literal["at_least"]
    n: int = Field(ge=1)
    of: list[Node] = Field(min_length=1)

    @model_validator(mode="after")
    def _reachable(self) -> AtLeastNode:
        if self.n > len(self.of):
            raise ValueError(f"at_least n={self.n} exceeds its {len(self.of)} children")
        return self


class NotNode(NodeBase):
    op: Literal["not"]
    of: Node


class FactLeaf(NodeBase):
    """A leaf that selects facts of one type: present facts matching any filter of `where`."""

    fact: str
    where: list[Filter] = Field(default_factory=lambda: [dict[str, Condition]()])
    fails_when: list[Filter] = Field(default_factory=list, description="facts that document the failure")
    excluded_by: dict[str, list[Filter]] = Field(default_factory=dict, description="facts of other types that "
                                                 "document the failure (an imaging study that excludes a fracture)")
    within_days: int | None = Field(default=None, ge=0, description="dated at most this many days before "
                                    "the request date (and not after it)")
    date_attribute: str = "date"

    _as_list_where = field_validator("where", "fails_when", mode="before")(_as_filters)

    @field_validator("excluded_by", mode="before")
    @classmethod
    def _as_lists(cls, value: Any) -> Any:
        return {k: _as_filters(v) for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("fact")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in FACT_MODELS:
            raise ValueError(f"unknown fact type {value!r}; allowed: {', '.join(FACT_MODELS)}")
        return value

    @model_validator(mode="after")
    def _known_attributes(self) -> FactLeaf:
        for where in [*self.where, *self.fails_when]:
            check_filter(self.fact, where)
        for fact_type, filters in self.excluded_by.items():
            if fact_type not in FACT_MODELS:
                raise ValueError(f"unknown fact type {fact_type!r} in excluded_by; allowed: {', '.join(FACT_MODELS)}")
            for where in filters:
                check_filter(fact_type, where)
        if self.within_days is not None:
            check_filter(self.fact, {self.date_attribute: Condition(is_null=False)})
        return self


class PresentLeaf(FactLeaf):
    """met: a matching fact; else not_met: a fact matching `fails_when`; else insufficient."""

    op: Literal["present"]
    fail_wins: bool = Field(default=False, description="a failing fact outweighs a matching one (imaging)")


class AbsentLeaf(FactLeaf):
    """not_met: a present matching fact; insufficient: one asserted as uncertain, or (with
    `absence_documented`) no negated matching fact; else met."""

    op: Literal["absent"]
    uncertain_assertions: list[Assertion] = Field(default_factory=lambda: ["possible"])  # type: ignore[arg-type]
    absence_documented: bool = Field(default=False, description="met only when the chart states the absence")


class CountLeaf(FactLeaf):
    """met: at least n matching facts (distinct values of `distinct`); not_met: the failures leave fewer
    than n of `universe` possible."""

    op: Literal["count"]
    n: int = Field(ge=1)
    distinct: str | None = None
    universe: list[str] | None = None


class ValueLeaf(FactLeaf):
    """Compare one attribute of the selected facts: met when it passes `test`, not_met when it is known and
    fails (or only `fails_when` facts exist), insufficient when no fact states it. With `aggregate: sum`
    the test applies to the sum over the selected facts, and any unstated value leaves a short sum
    insufficient."""

    op: Literal["value"]
    attribute: str
    test: Condition
    aggregate: Literal["any", "sum"] = "any"

    @model_validator(mode="after")
    def _known_attribute(self) -> ValueLeaf:
        check_filter(self.fact, {self.attribute: self.test})
        return self


class ApartLeaf(FactLeaf):
    """met: n matching facts on dates pairwise at least `days` apart."""

    op: Literal["apart"]
    n: int = Field(default=2, ge=2)
    days: int = Field(ge=0)


class SpanLeaf(FactLeaf):
    """met: the earliest start among the matching facts lies at least `days` (or `months`) before the
    request date (a duration without a start counts back from its end date, else from the request date);
    not_met: every matching fact has a start and the earliest is too recent; else insufficient."""

    op: Literal["span"]
    days: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)
    start_attribute: str = "start_date"
    end_attribute: str = "end_date"

    @model_validator(mode="after")
    def _known_dates(self) -> SpanLeaf:
        if (self.days is None) == (self.months is None):
            raise ValueError("a span needs exactly one of days, months")
        check_filter(self.fact, {self.start_attribute: Condition(is_null=False),
                                 self.end_attribute: Condition(is_null=False)})
        return self


class CodeInLeaf(NodeBase):
    """met: a request ICD-10 code lies in `codes` (single codes and inclusive ranges `A-B`)."""

    op: Literal["code_in"]
    codes: list[str] = Field(min_length=1)

    @field_validator("codes")
    @classmethod
    def _well_formed(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not ICD10_ENTRY.match(code):
                raise ValueError(f"not an ICD-10-CM code or range: {code!r}")
        return codes


Leaf = PresentLeaf | AbsentLeaf | CountLeaf | ValueLeaf | ApartLeaf | SpanLeaf | CodeInLeaf
Node = Annotated[AllNode | AnyNode | AtLeastNode | NotNode | Leaf, Field(discriminator="op")]
NODE_MODELS: dict[str, type[NodeBase]] = {
    get_args(m.model_fields["op"].annotation)[0]: m
    for m in (AllNode, AnyNode, AtLeastNode, NotNode, *get_args(Leaf))
}
for _model in (AllNode, AnyNode, AtLeastNode, NotNode):
    _model.model_rebuild()


class Effective(Strict):
    from_: dt.date = Field(alias="from")
    to: dt.date | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def covers(self, day: dt.date) -> bool:
        return self.from_ <= day and (self.to is None or day <= self.to)


class PathwaySpec(Strict):
    name: Pathway
    cpt: list[str] = Field(min_length=1)
    criterion: str = Field(description="id of the pathway's top criterion")


class FlagRule(Strict):
    kind: str
    fact: str
    where: Filter = Field(default_factory=dict)
    message: str

    @model_validator(mode="after")
    def _known(self) -> FlagRule:
        if self.fact not in FACT_MODELS:
            raise ValueError(f"unknown fact type {self.fact!r}; allowed: {', '.join(FACT_MODELS)}")
        check_filter(self.fact, self.where)
        return self


class Policy(Strict):
    id: str
    title: str
    payer: str
    revision: str
    effective: Effective
    source: str | None = None
    pathways: list[PathwaySpec] = Field(min_length=1)
    always: list[str] = Field(default_factory=list, description="criteria evaluated on every pathway")
    criteria: list[Node] = Field(min_length=1)
    flags: list[FlagRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_resolve(self) -> Policy:
        tops = [c.id for c in self.criteria]
        ids = [node.id for node in walk(self.criteria) if node.id]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate criterion ids: {', '.join(duplicates)}")
        for name in [p.criterion for p in self.pathways] + self.always:
            if name not in tops:
                raise ValueError(f"criterion {name!r} is not a top-level criterion; top-level: {tops}")
        return self

    def node(self, criterion: str) -> NodeBase:
        for node in walk(self.criteria):
            if node.id == criterion:
                return node
        raise KeyError(criterion)


def children(node: NodeBase) -> list[NodeBase]:
    of = getattr(node, "of", None)
    if of is None:
        return []
    return list(of) if isinstance(of, list) else [of]


def walk(nodes: list[Any]) -> list[NodeBase]:
    """Every node of the trees, parents before children."""
    out: list[NodeBase] = []
    for node in nodes:
        out.append(node)
        out.extend(walk(children(node)))
    return out


class LeafTrace(Strict):
    """What one leaf checked, what it found and which facts it used (business-rules' ConditionResult)."""

    criterion: str | None = Field(default=None, description="id of the nearest named criterion above it")
    op: str
    label: str
    status: Status
    checked: str
    found: str
    facts: list[str] = Field(default_factory=list)


class PolicySummary(Strict):
    id: str
    title: str
    payer: str
    revision: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    pathways: dict[str, list[str]]
    file: str


class PolicyEvaluation(Strict):
    policy: PolicyRef
    determinations: list[Determination]
    recommendation: Recommendation
    flags: list[Flag] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    traces: list[LeafTrace] = Field(default_factory=list)

