"""An imaging study (extractor/facts/imaging.py) and what its name says: modality, site(s) and side."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractor.facts._clinical import combine_sides, sides_in, vocab_matches
from extractor.facts._imaging_rules import rules


@dataclass
class Study:
    modality: str
    site: str
    side: str | None
    date: object
    assertion: str = "present"
    approximate: bool = False
    spans: list[tuple[int, int]] = field(default_factory=list)
    findings_text: list[tuple[int, int]] = field(default_factory=list)
    siblings: tuple[str, ...] = ()  # the other sites of the same report header ("XR PELVIS / XR HIP RT")
    first: bool = True  # the header names this study first


def parse_study(text: str, s: int, e: int) -> list[tuple[str, str, str | None]]:
    """(modality, site, side) of each study a header names ("XR PELVIS AND LEFT HIP" -> two)."""
    r = rules()
    part = re.sub(r"\([^)]*\b(?:not|no)\b[^)]*\)", lambda m: " " * len(m.group(0)), text[s:e], flags=re.IGNORECASE)
    modalities = vocab_matches(r.modalities, part)
    sites = vocab_matches(r.sites, part)
    if not modalities or not sites:
        return []
    modality = modalities[0][2]
    names = [v for _, _, v in sites]
    if "si_joint" in names and "pelvis" in names:
        sites = [x for x in sites if x[2] != "pelvis"]
    out = []
    for x0, x1, site in unique_sites(sites):
        side = combine_sides(v for *_, v in sides_in(part))
        out.append((modality, site, study_side(site, side, part[x0:x1])))
    return out


def unique_sites(sites):
    seen, out = set(), []
    for x in sites:
        if x[2] not in seen:
            seen.add(x[2])
            out.append(x)
    return out


def study_side(site: str, side: str | None, site_text: str) -> str | None:
    """SPEC: pelvis and lumbar studies have no side; an SI-joint study naming none covers both."""
    if site in ("pelvis", "lumbar_spine"):
        return None
    if site == "si_joint" and side is None:
        return "bilateral"
    return side
