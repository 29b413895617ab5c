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

from extractor.facts._clinical import doc_text, label_section
from extractor.facts._imaging_findings import read_findings, sentence_findings  # noqa: F401  (sentence_findings re-exported)
from extractor.facts._imaging_prose import prose_studies
from extractor.facts._imaging_reports import orphan_findings, report_spans, report_studies
from extractor.facts._imaging_rules import ImagingRules, rules  # noqa: F401  (re-exported)
from extractor.facts._imaging_study import Study  # noqa: F401  (re-exported)
from models import Fact, Imaging

RULE = "imaging"


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
