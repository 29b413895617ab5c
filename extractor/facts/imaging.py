"""`imaging` facts (SPEC section 4): modality, site, side, date, findings present and absent.

Two shapes of text are read:

- **Report studies**: a line that starts with a modality ("EXAM: XR LEFT HIP, 2 VIEWS",
  "Exam date: 11/17/2025   XR PELVIS 1 VIEW", "MRI pelvis 7/7/25: no fracture ...") opens a
  study. Its study part (up to a colon, a dash or the date) names modality, site(s) and side;
  its findings are the rest of the line plus the FINDINGS/IMPRESSION lines under it, until the
  next study or a label that is not a report label. Date: the first date of the header, else
  of the block, else the note's date of service.
- **Mentions in prose** ("XR SI joints and R hip today; MRI L-spine ordered", "Prior MRI of the
  SI joints in May 2023 showed no fracture"): each site is paired with the modality before it
  in its clause; plans are `hypothetical` (date only if the plan gives one), "prior" studies
  `historical`, "today" is the note's date.

Conventions: a study of both SI joints, or an SI-joint study that names no side, is
`bilateral`; pelvis and lumbar studies have no side; "pelvis (sacroiliac joint protocol)" is an
SI-joint study. In a hip study (or a clause about the hip) osteoarthritis, arthritis,
osteophytes, joint space narrowing and "degenerative change of the hip" are
`hip_osteoarthritis`; elsewhere they are `degenerative_change`. "Destructive lesion" is both
`tumor` and `infection` (the policy's "destructive lesions (e.g., tumor, infection)").
Hedged findings ("cannot exclude") are neither present nor absent.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from extractor.facts._clinical import combine_sides, doc_text, label_section, sentences, sides_in, vocab_matches
from extractor.facts._imaging_findings import read_findings, sentence_findings  # noqa: F401  (sentence_findings re-exported)
from extractor.facts._imaging_rules import ImagingRules, rules  # noqa: F401  (re-exported)
from extractor.text.temporal import find_dates
from models import Fact, Imaging

RULE = "imaging"


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


def extract(doc, ctx) -> list[Fact]:
    text = doc_text(doc)
    studies = report_studies(text, ctx.date) + prose_studies(doc, text, ctx.date, report_spans(text)) \
        + orphan_findings(text, ctx)
    facts: dict[tuple, Imaging] = {}
    for study in studies:
        present, absent, used = read_findings(text, study)
        spans = study.spans + used
        if not spans:  # an orphan findings line that names no finding
            continue
        evidence = [ctx.evidence(s, e, rule=f"{RULE}:{'finding' if (s, e) in used else 'study'}",
                                 section=label_section(text, s)) for s, e in spans]
        key = (study.modality, study.site, study.date, study.assertion)
        if key in facts:
            fact = facts[key]
            fact.findings_present = _merged(fact.findings_present, present)
            fact.findings_absent = [f for f in _merged(fact.findings_absent, absent)
                                    if f not in fact.findings_present]
            fact.evidence.extend(ev for ev in evidence if all(ev.start != x.start for x in fact.evidence))
            fact.side = fact.side or study.side
            continue
        facts[key] = Imaging(modality=study.modality, site=study.site, side=study.side, date=study.date,
                             assertion=study.assertion, date_approximate=study.approximate,
                             findings_present=present, findings_absent=absent, evidence=evidence)
    return list(facts.values())


def _merged(a: list[str], b: list[str]) -> list[str]:
    return a + [x for x in b if x not in a]


# ---- report studies ---------------------------------------------------------------------

def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def report_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of every report study block (header line through its findings)."""
    return [(b[0], b[1]) for b in _blocks(text)]


@lru_cache(maxsize=1)  # the note being read: imaging, diagnosis and pain_pattern all ask for its blocks
def _blocks(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """(block start, block end, study-part start, study-part end) of each report study."""
    r = rules()
    lines = _lines(text)
    blocks = []
    i = 0
    while i < len(lines):
        s, e = lines[i]
        m = re.match(r.header, text[s:e], re.IGNORECASE)
        if not m or _prose_line(text[s:e], m) or in_plan(text, s):
            i += 1
            continue
        study_s = s + m.end()
        end_m = re.compile(r.study_end, re.IGNORECASE).search(text, study_s + 1, e)
        study_e = end_m.start() if end_m else e
        inline = text[study_e:e].strip(" \t-:")
        j = i + 1
        while j < len(lines) and _continues(text, *lines[j], has_inline=bool(_findings_part(inline))):
            j += 1
        j = _addendum_after(text, lines, j)
        blocks.append((s, lines[j - 1][1], study_s, study_e))
        i = j
    return tuple(blocks)


def _addendum_after(text: str, lines: list[tuple[int, int]], j: int) -> int:
    """The end (line index) of a report block that ends before line `j`, extended over an addendum
    that follows it past blank lines and a signature ("Electronically signed: ...", "ADDENDUM
    04/10/2026: ... no erosions"): the addendum belongs to the report above it."""
    r = rules()
    k = j
    while k < len(lines) and k - j < 4 and (not text[slice(*lines[k])].strip()
                                             or re.match(r.signature_line, text[slice(*lines[k])])):
        k += 1
    if k >= len(lines) or not re.match(r"[ \t]*(?:" + r.addendum_cues + ")", text[slice(*lines[k])],
                                                    re.IGNORECASE):
        return j
    k += 1
    while k < len(lines) and text[slice(*lines[k])].strip() and not re.match(r.header, text[slice(*lines[k])],
                                                                               re.IGNORECASE):
        k += 1
    return k


def _prose_line(line: str, header: re.Match) -> bool:
    """A line that starts with a modality but plans or recalls a study ("MRI of the SI joints
    recommended if ...", "MRI lumbar spine ordered") is prose, unless a report label opens it."""
    r = rules()
    if header.end() > len(line) - len(line.lstrip()):
        return False
    return bool(re.search(r.hypothetical_cues, line, re.IGNORECASE) or re.search(r.historical_cues, line, re.IGNORECASE))


def in_plan(text: str, offset: int) -> bool:
    """In a plan: under a 'Plan:' label, or below a plan heading line ("PLAN") with no other
    heading between."""
    if label_section(text, offset) == "plan":
        return True
    lines = text[:text.rfind("\n", 0, offset) + 1].split("\n")[-6:-1]
    for line in reversed(lines):
        if re.match(rules().plan_heading, line):
            return True
        if re.match(r"[ \t]*[A-Z][A-Za-z /&]{0,30}:?[ \t]*$", line) or not line.strip():
            return False
    return False


def _findings_part(inline: str) -> str:
    """What follows the study part on its line, without dates and date labels."""
    return re.sub(r"(?:exam\s+)?date\s*:|DOS\s*:?|\d{1,4}[/-]\d{1,2}(?:[/-]\d{2,4})?", "", inline, flags=re.IGNORECASE).strip()


def _continues(text: str, s: int, e: int, has_inline: bool) -> bool:
    r = rules()
    line = text[s:e].strip()
    if not line:
        return False
    if re.match(r.header, text[s:e], re.IGNORECASE):
        return False
    label = re.match(r"([A-Za-z][A-Za-z /&()]{0,40}?)\s*:", line)
    if label:
        return bool(re.match(r.report_labels, label.group(1), re.IGNORECASE))
    return not has_inline


def report_studies(text: str, note_date) -> list[Study]:
    studies = []
    blocks = _blocks(text)
    if note_date is None and blocks:  # "VALLEY IMAGING - 11/10/2025" dates the reports under it
        note_date = _letterhead_date(text, blocks[0][0])
    for b0, b1, s, e in blocks:
        header_line_end = text.find("\n", s)
        header_line_end = b1 if header_line_end < 0 or header_line_end > b1 else header_line_end
        date, approx = _block_date(text, b0, b1, header_line_end, note_date)
        findings = _block_findings(text, e, header_line_end, b1)
        parsed = _parse_study(text, s, e)
        for modality, site, side in parsed:
            studies.append(Study(modality, site, side, date, approximate=approx, spans=[(s, e)],
                                 findings_text=findings,
                                 siblings=tuple(x[1] for x in parsed if x[1] != site), first=site == parsed[0][1]))
    return studies


def _letterhead_date(text: str, end: int):
    """The date of a letterhead or title line above a note's first report ("HARBORVIEW RADIOLOGY -
    01/08/2026") among its first three lines, for a note without a date of service; a birth, fax or
    print date is no study date, and a dated line further down is a visit's, not the letterhead's."""
    for line in [x for x in text[:end].split("\n") if x.strip()][:3]:
        if re.search(rules().birth_date_label, line, re.IGNORECASE) or vocab_matches(rules().modalities, line):
            continue  # a study line's date is that study's, not the letterhead's
        found = [d for d in find_dates(line, None) if not d.approximate]
        if found:
            return found[0].date
    return None


def _block_date(text: str, b0: int, b1: int, header_end: int, note_date):
    header = find_dates(text[b0:header_end], note_date)
    if header:
        return header[0].date, header[0].approximate
    labeled = re.search(r"(?:exam\s+date|date(?:\s+of\s+(?:exam|service))?|DOS)\s*:?\s*(.+)", text[header_end:b1], re.IGNORECASE)
    found = find_dates(labeled.group(1), note_date) if labeled else []
    if found:
        return found[0].date, found[0].approximate
    return note_date, False


def _block_findings(text: str, study_e: int, header_end: int, b1: int) -> list[tuple[int, int]]:
    """Spans to read findings from: the header's remainder and the findings lines."""
    r = rules()
    spans = [(study_e, header_end)]
    reading = True
    for s, e in _lines(text[header_end:b1]):
        s, e = s + header_end, e + header_end
        label = re.match(r"\s*([A-Za-z][A-Za-z /&()]{0,40}?)\s*:", text[s:e])
        if not label and re.match(r"[ \t]*(?:" + r.addendum_cues + ")", text[s:e], re.IGNORECASE):
            reading = True  # "ADDENDUM 04/10/2026 (Dr. X): ..." is read like a findings label
        if label:
            reading = bool(re.match(r.findings_labels, label.group(1), re.IGNORECASE)) or not re.match(
                r.not_findings_labels, label.group(1), re.IGNORECASE) and not re.match(r.report_labels, label.group(1), re.IGNORECASE)
            if reading:
                s = s + label.end()
        if reading and text[s:e].strip():
            spans.append((s, e))
    return spans


def _parse_study(text: str, s: int, e: int) -> list[tuple[str, str, str | None]]:
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
    for x0, x1, site in _unique_sites(sites):
        side = combine_sides(v for *_, v in sides_in(part))
        out.append((modality, site, _study_side(site, side, part[x0:x1])))
    return out


def _unique_sites(sites):
    seen, out = set(), []
    for x in sites:
        if x[2] not in seen:
            seen.add(x[2])
            out.append(x)
    return out


def _study_side(site: str, side: str | None, site_text: str) -> str | None:
    """SPEC: pelvis and lumbar studies have no side; an SI-joint study naming none covers both."""
    if site in ("pelvis", "lumbar_spine"):
        return None
    if site == "si_joint" and side is None:
        return "bilateral"
    return side


def orphan_findings(text: str, ctx) -> list[Study]:
    """Findings lines that open a note before any study header belong to the study whose header
    closes the text just before the note (a packet split between a header and its IMPRESSION).
    The fact gets that study's key, so the packet-level merge joins the two halves."""
    r = rules()
    lines = _lines(text)
    leading = []
    for s, e in lines:
        if re.match(r.header, text[s:e], re.IGNORECASE) and text[s:e].strip():
            break
        label = re.match(r"\s*([A-Za-z][A-Za-z /&()]{0,40}?)\s*:", text[s:e])
        if label and re.match(r.findings_labels, label.group(1), re.IGNORECASE):
            leading.append((s + label.end(), e))
        elif leading and text[s:e].strip():
            break
    source_text = getattr(ctx.source, "text", "")
    start = ctx.note.start
    if not leading or not source_text or start <= 0:
        return []
    before = source_text[max(0, start - 400):start].rstrip("\n").split("\n")
    header = before[-1] if before else ""
    m = re.match(r.header, header, re.IGNORECASE)
    if not m or _prose_line(header, m):
        return []
    end_m = re.compile(r.study_end, re.IGNORECASE).search(header, m.end() + 1)
    dates = find_dates(header, ctx.date)
    date, approx = (dates[0].date, dates[0].approximate) if dates else (ctx.date, False)
    return [Study(modality, site, side, date, approximate=approx, findings_text=leading)
            for modality, site, side in _parse_study(header, m.end(), end_m.start() if end_m else len(header))]


# ---- studies mentioned in prose ---------------------------------------------------------

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
    for x0, x1, site in _unique_sites(sites):
        own_side = combine_sides(v for *_, v in sides_in(text, max(c0, x0 - 12), x1)) if len(sites) > 1 else side
        out.append(Study(modality, site, _study_side(site, own_side, text[x0:x1]), date, assertion, approx,
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
