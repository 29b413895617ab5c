"""Studies mentioned in prose (extractor/facts/imaging.py): each site is paired with the modality of
its list item or clause; plans are hypothetical, "prior" studies historical, "today" the note's date."""
from __future__ import annotations

import re

from extractor.facts._clinical import combine_sides, sentences, sides_in, vocab_matches
from extractor.facts._imaging_reports import in_plan
from extractor.facts._imaging_rules import rules
from extractor.facts._imaging_study import Study, study_side, unique_sites
from extractor.text.temporal import find_dates


def prose_studies(doc, text: str, note_date, skip: list[tuple[int, int]]) -> list[Study]:
    r = rules()
    studies = []
    for lo, hi in sentences(doc):
        if any(a <= lo < b for a, b in skip):
            continue
        for c0, c1 in _clauses(text, lo, hi):
            modalities = vocab_matches(r.modalities, text, c0, c1)
            if not modalities:
                continue
            sites = _study_sites(text, modalities, vocab_matches(r.sites, text, c0, c1))
            for (m0, m1, modality), group in _pair(text, modalities, sites):
                if re.search(r.negated_study_before, text[max(c0, m0 - 30):m0], re.IGNORECASE):
                    continue
                studies.extend(_prose_study(doc, text, c0, c1, m0, m1, modality, group, note_date))
    return studies


def _clauses(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, pos = [], lo
    for m in re.finditer(r";", text[lo:hi]):
        out.append((pos, lo + m.start()))
        pos = lo + m.end()
    out.append((pos, hi))
    return out


def _pair(text: str, modalities, sites):
    """Each site goes with the modality of its own list item ("CT of the SI joints, right hip radiographs
    and a lumbar MRI": CT SI joints, XR hip, MRI lumbar); a site whose item names no modality goes with
    the modality before it in the clause (else the first after it): "XR SI joints and R hip"."""
    groups: dict[int, list] = {i: [] for i in range(len(modalities))}
    for site in sites:
        own = [i for i, m in enumerate(modalities) if _same_item(text, m, site)]
        if own:
            i = min(own, key=lambda k: abs(modalities[k][0] - site[0]))
        else:
            before = [i for i, m in enumerate(modalities) if m[0] <= site[0]]
            i = before[-1] if before else 0
        groups[i].append(site)
    return [(modalities[i], g) for i, g in groups.items() if g]


def _same_item(text: str, a: tuple, b: tuple) -> bool:
    """Whether two mentions stand in one item of a list (no list separator between them)."""
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    return lo <= hi and not re.search(rules().list_separator, text[lo:hi], re.IGNORECASE)


def _study_sites(text: str, modalities, sites):
    """Sites that name studies: after "XR pelvis 6/8/26: ..." a site is a finding's place
    ("SI joints normal"), not another study."""
    out = []
    for site in sites:
        before = [m for m in modalities if m[1] <= site[0]]
        named = [x for x in out if before and x[0] >= before[-1][1]]
        if named and ":" in text[named[0][1]:site[0]]:
            continue
        if before and re.search(rules().finding_verbs, text[before[-1][1]:site[0]], re.IGNORECASE):
            continue  # "lumbar MRI showed degenerative SI joint change": a finding's place, no study
        out.append(site)
    return out


def _prose_study(doc, text, c0, c1, m0, m1, modality, sites, note_date) -> list[Study]:
    study_end = max(m1, max(x[1] for x in sites))
    study_start = min(m0, min(x[0] for x in sites))
    after = text[study_end:c1]
    assertion = _prose_assertion(text, c0, c1, m0, after)
    date, approx = _prose_date(text, c0, m0, study_end, c1, note_date, assertion)
    side = combine_sides(v for *_, v in sides_in(text, max(c0, study_start - 12), study_end))
    names = [x[2] for x in sites]
    if "si_joint" in names and "pelvis" in names:
        sites = [x for x in sites if x[2] != "pelvis"]
    out = []
    for x0, x1, site in unique_sites(sites):
        own_side = combine_sides(v for *_, v in sides_in(text, max(c0, x0 - 12), x1)) if len(sites) > 1 else side
        out.append(Study(modality, site, study_side(site, own_side, text[x0:x1]), date, assertion, approx,
                         spans=[(study_start, study_end)], findings_text=[(study_end, c1)]))
    return out


def _prose_assertion(text: str, c0: int, c1: int, m0: int, after: str) -> str:
    r = rules()
    clause = text[c0:c1]
    if re.search(r.historical_cues, text[max(c0, m0 - 25):m0], re.IGNORECASE):
        return "historical"
    done = re.search(r.done_cues, after, re.IGNORECASE)
    planned = re.search(r.hypothetical_cues, clause, re.IGNORECASE)
    line_start = text.rfind("\n", 0, c0) + 1
    planning = bool(re.match(r.plan_labels, text[line_start:c1])) or in_plan(text, c0)
    if planning and done and re.fullmatch(r.order_today, done.group(0), re.IGNORECASE):
        done = None  # "Plan: XR pelvis today" orders the study; its report tells the result
    if (planned or planning) and not done:
        return "hypothetical"
    return "present"


def _prose_date(text, c0, m0, study_end, c1, note_date, assertion):
    after = [d for d in find_dates(text[study_end:c1], note_date) if not (assertion == "hypothetical" and re.fullmatch(
        rules().order_today, text[study_end + d.start:study_end + d.end], re.IGNORECASE))]
    if after:
        return after[0].date, after[0].approximate
    if assertion == "hypothetical":
        return None, False
    if re.search(r"\btoday\b", text[study_end:c1], re.IGNORECASE):
        return note_date, False
    before = find_dates(text[c0:m0], note_date)
    if before and ":" not in text[c0 + before[-1].end:m0]:
        return before[-1].date, before[-1].approximate
    return None, False
