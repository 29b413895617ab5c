"""A study told again is the same study: packet-level absorption of imaging retellings.

SPEC section 4: a plan or order that the packet later reports as done is a mention of that event,
and one event told in several notes is one fact with a quote per mention. Three shapes are read:

- an undated mention ("MRI L-spine" in a request form, "hip films reviewed") of a modality and site
  the packet dates: it is the latest dated study of them on or before its note (the only one when
  the note has no date);
- a mention dated only by month ("MRI SI joints 11/2025 reviewed again") when the packet has a study
  of that modality and site dated within that month;
- an order or plan ("CT pelvis ordered") followed in the packet by a study of that modality and site
  done after it: the first such study.

The mention's quotes move onto the study it tells of; its own fact is dropped. Plans are also folded
later by `extractor.resolve.merge.fold_fulfilled_plans` (undated plans, any present study dated on or
after the plan's note); the two differ on three golden cases, so joining them is an output change
of its own.
"""
from __future__ import annotations

import datetime as dt

from extractor.resolve.merge import DatedFact

_TOLD = ("present", "historical")


def absorb_retellings(found: list[DatedFact]) -> list[DatedFact]:
    """`found` (each fact with the date of the note that told it) with imaging retellings folded into
    the studies they tell of."""
    facts = [d.fact for d in found]
    # the studies of each modality and site, in packet order: a retelling is compared with those alone
    # (a dense packet holds hundreds of imaging mentions; comparing each with all of them was quadratic)
    studies: dict[tuple, list[int]] = {}
    for i, f in enumerate(facts):
        if f.type == "imaging":
            studies.setdefault((f.modality, f.site), []).append(i)
    target: dict[int, int] = {}
    for i in (i for same in studies.values() for i in same):
        j = _told_study(i, facts, studies[(facts[i].modality, facts[i].site)], found[i].note_date)
        if j is not None:
            target[i] = j
    if not target:
        return found
    out = list(facts)
    for i, j in target.items():
        while j in target:  # a chain ends at a study that is no retelling
            j = target[j]
        out[j] = out[j].model_copy(update={"evidence": out[j].evidence + [e for e in facts[i].evidence
                                                                          if e not in out[j].evidence]})
    return [DatedFact(f, d.note_date) for k, (f, d) in enumerate(zip(out, found)) if k not in target]


def _told_study(i: int, facts: list, studies: list[int], when: dt.date | None) -> int | None:
    """The study fact `i` tells of again, among `studies` (those of its modality and site), or None."""
    f = facts[i]
    same = [j for j in studies if j != i and (g := facts[j]).date is not None and g.assertion in _TOLD
            and not g.date_approximate and (f.side is None or g.side is None or f.side == g.side)]
    if f.assertion == "hypothetical":
        if when is None:
            return None
        later = [j for j in same if facts[j].date > when and (f.date is None or facts[j].date == f.date)]
        return min(later, key=lambda j: facts[j].date) if later else None
    if f.assertion not in _TOLD:
        return None
    if f.date is None:
        told = [j for j in same if when is None or facts[j].date <= when]
        if when is None and len(told) != 1:
            return None
        return max(told, key=lambda j: facts[j].date) if told else None
    if f.date_approximate:
        month = [j for j in same if (facts[j].date.year, facts[j].date.month) == (f.date.year, f.date.month)]
        return month[0] if len(month) == 1 else None
    return None
