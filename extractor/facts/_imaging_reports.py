"""Report studies (extractor/facts/imaging.py): a line that starts with a modality opens a study; its
block runs over the FINDINGS/IMPRESSION lines under it and an addendum after its signature. Also the
findings lines that open a note whose study header closed the note before."""
from __future__ import annotations

import re
from functools import lru_cache

from extractor.facts._clinical import label_section, vocab_matches
from extractor.facts._imaging_rules import rules
from extractor.facts._imaging_study import Study, parse_study
from extractor.text.temporal import find_dates


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
        if not m or prose_line(text[s:e], m) or in_plan(text, s):
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


def prose_line(line: str, header: re.Match) -> bool:
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
    label = re.match(r"([A-Za-z][A-Za-z /&()-]{0,40}?)\s*:", line)
    if label and _modality_only(label.group(1)):
        return True  # "CT: SI joints normal." under "CT SI JOINTS; MRI L-SPINE": that study's part, no new one
    if re.match(r.header, text[s:e], re.IGNORECASE):
        return False
    if label:
        return bool(re.match(r.report_labels, label.group(1), re.IGNORECASE)) or part_label(label.group(1))
    return not has_inline


_SIDE_WORDS = re.compile(r"\b(?:left|right|l|r|lt|rt|bilateral|bilat|both)\b\.?", re.IGNORECASE)


def _modality_only(name: str) -> bool:
    return part_label(name) and not vocab_matches(rules().sites, name)


def part_label(name: str) -> bool:
    """A report's part label that names only a site or a modality, with a side ("SI joints:", "Left hip:",
    "CT:", "MRI:"): the findings of one part of a combined report, so the report goes on."""
    rest = _SIDE_WORDS.sub(" ", name).strip(" /&-")
    if not rest or len(rest.split()) > 3:
        return False
    covered = [(a, b) for vocab in (rules().sites, rules().modalities) for a, b, _ in vocab_matches(vocab, rest)]
    return bool(covered) and not re.sub(r"[\s/&-]+", "", "".join(
        ch if not any(a <= i < b for a, b in covered) else " " for i, ch in enumerate(rest)))


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
        parsed = parse_study(text, s, e)
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
            if reading and not part_label(label.group(1)):  # "Left hip:" names whose part the findings are
                s = s + label.end()
        if reading and text[s:e].strip():
            spans.append((s, e))
    return spans



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
    if not m or prose_line(header, m):
        return []
    end_m = re.compile(r.study_end, re.IGNORECASE).search(header, m.end() + 1)
    dates = find_dates(header, ctx.date)
    date, approx = (dates[0].date, dates[0].approximate) if dates else (ctx.date, False)
    return [Study(modality, site, side, date, approximate=approx, findings_text=leading)
            for modality, site, side in parse_study(header, m.end(), end_m.start() if end_m else len(header))]
