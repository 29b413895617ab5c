"""A behavioural test suite (CheckList, Ribeiro et al., ACL 2020) for the extractor.

`corpora/behaviour/capabilities.json` holds capabilities (fact type x assertion x style family),
each a few note templates with slots, the facts every generated note must yield (`expect`) or must
not (`forbid`: distractors). It was written from SPEC alone by someone who never saw the extractor.
`items()` expands it (every combination of the slot fillers a template uses, in order, capped by
the capability's `max_items`); `run()` reads each item as a one-note text document through the
extractor's stages and scores it; `failure_rates()` gives the failure rate per capability.
`benchmarks/behaviour.py` prints the table; `tests/test_behaviour.py` gates each capability.
"""
from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUITE = Path(__file__).resolve().parents[2] / "corpora" / "behaviour" / "capabilities.json"
_SLOT = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")


@dataclass(frozen=True)
class Item:
    capability: str
    kind: str  # positive | distractor
    text: str
    expect: tuple[dict, ...]
    forbid: tuple[dict, ...]
    note_date: str | None = None


@dataclass
class Outcome:
    item: Item
    passed: bool
    why: list[str] = field(default_factory=list)


def load(path: Path = SUITE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def items(spec: dict | None = None) -> list[Item]:
    """Every item of the suite, in a stable order."""
    spec = spec or load()
    out: list[Item] = []
    for cap in spec["capabilities"]:
        out += list(_expand(cap, spec["slots"]))
    return out


def _expand(cap: dict, slots: dict[str, list[dict]]) -> Iterator[Item]:
    made = 0
    cap_max = cap.get("max_items")
    for template in cap["templates"]:
        names = list(dict.fromkeys(_SLOT.findall(template)))
        for combo in itertools.product(*(slots[n] for n in names)):
            if cap_max is not None and made >= cap_max:
                return
            chosen = dict(zip(names, combo))
            text = _SLOT.sub(lambda m, chosen=chosen: chosen[m.group(1)]["text"], template)
            yield Item(cap["id"], cap["kind"], text, tuple(_fill(e, chosen) for e in cap.get("expect", [])),
                       tuple(_fill(f, chosen) for f in cap.get("forbid", [])), cap.get("note_date"))
            made += 1


def _fill(pattern: dict, chosen: dict[str, dict]) -> dict:
    """An expectation with each "{SLOT}" (also inside a list) replaced by the chosen filler's value."""
    def one(value):
        if isinstance(value, str) and (m := _SLOT.fullmatch(value)):
            return chosen[m.group(1)]["value"]
        return value

    out = {}
    for key, value in pattern.items():
        if isinstance(value, list):
            filled: list = []
            for v in value:
                v = one(v)
                filled += v if isinstance(v, list) else [v]
            value = filled
        else:
            value = one(value)
        out[key] = value
    return out


def sample(all_items: list[Item], per_capability: int) -> list[Item]:
    """At most `per_capability` items of each capability, spread evenly over its items (deterministic)."""
    by_cap: dict[str, list[Item]] = {}
    for it in all_items:
        by_cap.setdefault(it.capability, []).append(it)
    out = []
    for group in by_cap.values():
        step = max(1, len(group) / per_capability)
        out += [group[int(i * step)] for i in range(min(per_capability, len(group)))]
    return out


def run(suite_items: Iterable[Item]) -> list[Outcome]:
    """Read each item as a one-note text document and check its facts."""
    from extractor.extract import extract_case
    from extractor.ingest.reader import ingest

    outcomes = []
    for it in suite_items:
        text = it.text if it.note_date is None else f"Date of service: {_us_date(it.note_date)}\n{it.text}"
        facts = extract_case([ingest(text.encode("utf-8"), name="note.txt")]).facts
        outcomes.append(check(it, [f.model_dump(mode="json") for f in facts]))
    return outcomes


def _us_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{m}/{d}/{y}"


def check(it: Item, facts: list[dict[str, Any]]) -> Outcome:
    why = [f"missing {e}" for e in it.expect if not any(_matches(f, e) for f in facts)]
    why += [f"forbidden {f}" for f in it.forbid if any(_matches(g, f) for g in facts)]
    return Outcome(it, not why, why)


def _matches(fact: dict[str, Any], want: dict[str, Any]) -> bool:
    for key, value in want.items():
        have = fact.get(key)
        if isinstance(value, list):
            if not isinstance(have, list) or not all(v in have for v in value):
                return False
        elif have != value:
            return False
    return True


def failure_rates(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """capability -> (failed, total), in suite order."""
    out: dict[str, list[int]] = {}
    for o in outcomes:
        row = out.setdefault(o.item.capability, [0, 0])
        row[0] += not o.passed
        row[1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}
