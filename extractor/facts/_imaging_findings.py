"""Findings of an imaging study (extractor/facts/imaging.py): present and absent findings sentence by
sentence, with the negation, scope-end and uncertainty cues of extractor/rules/imaging.json."""
from __future__ import annotations

import re
from typing import Protocol

from extractor.facts._clinical import vocab_matches
from extractor.facts._imaging_reports import part_label
from extractor.facts._imaging_rules import rules


class Study(Protocol):
    """What findings reading needs of an imaging study (extractor.facts._imaging_study.Study)."""

    modality: str
    site: str
    findings_text: list[tuple[int, int]]
    siblings: tuple[str, ...]
    first: bool


def read_findings(text: str, study: Study) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Findings present and absent in the study's findings text, and the sentences that gave them.

    Within one statement present wins over absent ("no fracture of the hip; pelvic fracture"). What
    the report says from an addendum or a revised impression on replaces what it said before about
    the same finding: a withdrawn "possible sacroiliitis" followed by "ADDENDUM: no erosions" is absent."""
    r = rules()
    before: tuple[list[str], list[str]] = ([], [])
    after: tuple[list[str], list[str]] = ([], [])
    used: list[tuple[int, int]] = []
    revised = False
    sentences = [x for s, e in study.findings_text for x in _finding_sentences(text, s, e)]
    # once a shared report speaks of this study by its site, a sentence naming no site is the first study's
    shared = study.first or not any(_named(text, ss, se) & _SAME_PLACE.get(study.site, {study.site})
                                    for ss, se in sentences)
    for ss, se in sentences:
        line_start = text.rfind("\n", 0, ss) + 1
        if not revised and re.search(r.addendum_cues, text[min(line_start, ss):se], re.IGNORECASE):
            revised = True
        if not _about(text, ss, se, study.site, study.siblings, shared) or not _own_part(text, ss, study.modality):
            continue
        p, a = sentence_findings(text, ss, se, study.site)
        if p or a:
            used.append((ss, se))
        present, absent = after if revised else before
        present.extend(x for x in p if x not in present)
        absent.extend(x for x in a if x not in absent)
    (p0, a0), (p1, a1) = before, after
    present = [x for x in p0 if x not in a1 or x in p1] + [x for x in p1 if x not in p0]
    absent = [x for x in a0 if x not in p1] + [x for x in a1 if x not in a0 and x not in p1]
    return present, [x for x in absent if x not in present], used


#: a sentence about the SI joints speaks of a pelvis study too, and the other way round
_SAME_PLACE = {"pelvis": {"pelvis", "si_joint"}, "si_joint": {"si_joint", "pelvis"}}


def _named(text: str, s: int, e: int) -> set[str]:
    return {v for *_, v in vocab_matches(rules().sites, text, s, e)}


def _part_label(text: str, s: int) -> str | None:
    """The part label that opens the line of a findings sentence ("R hip: Normal. No osteoarthritis.": "R hip")."""
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", s)
    m = _LABEL.match(text, line_start, len(text) if line_end < 0 else line_end)
    return m.group(1) if m and part_label(m.group(1)) else None


_LABEL = re.compile(r"[ \t]*([A-Za-z][A-Za-z /&()-]{0,40}?)\s*:")


def _own_part(text: str, s: int, modality: str) -> bool:
    """A sentence under a modality label ("MRI: no stenosis.") is that modality's study's."""
    label = _part_label(text, s)
    found = {v for *_, v in vocab_matches(rules().modalities, label)} if label else set()
    return not found or modality in found


def _about(text: str, s: int, e: int, site: str, siblings: tuple[str, ...], shared: bool) -> bool:
    """Whether a findings sentence of a report header that names several studies ("XR PELVIS 1V / XR HIP
    RT 2V") speaks of `site`: a sentence that names only another study's site ("Right hip: no
    osteoarthritis") belongs to that study; one that names no site belongs to all, unless the report
    speaks of this study by its site elsewhere (`shared` False): then it is the first study's."""
    if not siblings:
        return True
    named = _named(text, s, e)
    if not named:
        label = _part_label(text, s)  # "R hip: Normal. No osteoarthritis.": the line's part label names the place
        named = {v for *_, v in vocab_matches(rules().sites, label)} if label else set()
    if not named:
        return shared
    return bool(named & _SAME_PLACE.get(site, {site}))  # a place of no study here (a hip under CT SIJ + MRI L-spine) is none's


def _finding_sentences(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out, pos = [], s
    for m in re.finditer(r"\.(?:\s+|$)", text[s:e]):
        out.append((pos, s + m.end()))
        pos = s + m.end()
    if pos < e:
        out.append((pos, e))
    return [_strip(text, a, b) for a, b in out if text[a:b].strip(" .-:;")]


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a] in " \t-:;,":
        a += 1
    while b > a and text[b - 1] in " \t\n":
        b -= 1
    return a, b


def sentence_findings(text: str, s: int, e: int, site: str) -> tuple[list[str], list[str]]:
    """(present, absent) findings of one findings sentence of a study of `site`."""
    r = rules()
    present: list[str] = []
    absent: list[str] = []
    cues = [(m.start(), m.end()) for m in re.finditer(r.negation_cues, text[s:e], re.IGNORECASE)]
    ends = [m.start() for m in re.finditer(r.scope_ends, text[s:e], re.IGNORECASE)]
    for f0, f1, value in vocab_matches(r.findings, text, s, e):
        rel = f0 - s
        prior_cues = [c for c in cues if c[1] <= rel]
        negated = bool(prior_cues) and not any(prior_cues[-1][1] <= x < rel for x in ends)
        stop = re.search(r"[.;,]", text[f1:e])
        clause_end = f1 + (stop.start() if stop else e - f1)
        window = max(s, f0 - 40)
        breaks = [window + m.end() for m in re.finditer(r"[.;,]", text[window:f0])]
        clause_start = breaks[-1] if breaks else window  # a hedge in another clause hedges nothing here
        if re.search(r.uncertain_cues, text[clause_start:clause_end], re.IGNORECASE):
            continue
        if re.match(r.post_negation_cues, text[f1:clause_end], re.IGNORECASE):
            negated = not negated  # 'sacroiliitis is withdrawn'; 'the statement "no erosions" is retracted'
        hip = site == "hip" or re.search(r"\bhips?\b", text[s:e], re.IGNORECASE)
        for finding in _findings_of(value, bool(hip), negated and site == "hip"):
            target = absent if negated else present
            if finding not in target:
                target.append(finding)
    return present, absent


def _findings_of(value: str, hip: bool, hip_study_excludes: bool = False) -> list[str]:
    """The SPEC findings a lexicon value names. Of a hip, degeneration is hip osteoarthritis; a hip
    study that excludes "degenerative change" in those words excludes both (CONVENTIONS C8: the same
    word map as for a present finding, which outside the hip is degenerative_change)."""
    if value == "joint_degeneration":
        return ["hip_osteoarthritis" if hip else "degenerative_change"]
    if value == "degenerative_change" and hip:
        return ["hip_osteoarthritis", "degenerative_change"] if hip_study_excludes else ["hip_osteoarthritis"]
    return value.split("+")
