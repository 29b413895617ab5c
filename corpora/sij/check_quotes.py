#!/usr/bin/env python3
"""Sanity check for the annotated SIJ corpus (stdlib only).

Checks, for every case folder under corpora/sij/ (and corpora/demo/src/gold.json):
- every gold evidence quote is a verbatim substring of the document it names;
- every fact type, assertion and enum attribute value is one of SPEC section 4's;
- dates are ISO YYYY-MM-DD;
- determinations hold every criterion of the pathway (CPT 27279 -> II, 27280 -> I) plus III, codes and
  recommendation, with valid statuses, and the composite criteria and recommendation agree with their parts.

Usage: python3 corpora/sij/check_quotes.py [case_dir ...]
Exit status 1 when any problem is found.
"""
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent / "demo"

ASSERTIONS = {"present", "negated", "possible", "hypothetical", "historical", "family"}
SIDES = {"left", "right", "bilateral", None}
LOCATIONS = {"posterior_sij", "buttock", "groin", "lower_back", "thigh", "leg"}
FINDINGS = {"fracture", "tumor", "infection", "instability", "inflammatory_arthropathy", "hip_osteoarthritis",
            "neural_compression", "degenerative_change"}
ENUMS = {
    "tenderness": {"site": {"posterior_sij", "greater_trochanter", "lumbar_spine", "coccyx", "other"}},
    "provocative_test": {"test": {"thigh_thrust", "compression", "distraction", "gaenslen", "faber", "sacral_thrust"},
                         "result": {"positive", "negative", None}},
    "injection": {"site": {"sacroiliac_joint", "epidural", "facet", "trochanteric_bursa", "other"},
                  "purpose": {"diagnostic", "therapeutic", None},
                  "guidance": {"fluoroscopy", "ct", "ultrasound", "none", None},
                  "outcome": {"failed", "effective", None}},
    "conservative_treatment": {"modality": {"medication", "activity_modification", "physical_therapy", "home_exercise",
                                            "chiropractic", "osteopathic_manipulation"},
                               "outcome": {"failed", "improved", "ongoing", "not_tolerated", "contraindicated", None}},
    "imaging": {"modality": {"xray", "ct", "mri", "bone_scan"}, "site": {"si_joint", "pelvis", "hip", "lumbar_spine"}},
    "smoking_status": {"status": {"current", "former", "never", "unknown"}},
    "diagnosis": {"condition": {"sacroiliac_joint_dysfunction", "sacroiliitis", "fibromyalgia", "somatoform_disorder",
                                "generalized_pain_disorder", "pelvic_ring_fracture", "sacral_tumor", "sij_infection",
                                "spinal_deformity", "lumbar_radiculopathy", "mechanical_low_back_pain",
                                "sacral_insufficiency_fracture", "pelvic_girdle_pain", "hip_osteoarthritis"}},
    "planned_procedure": {"approach": {"minimally_invasive", "open", None}},
    "pain_pattern": {},
}
ATTRS = {
    "pain_pattern": {"side", "radiating", "location", "duration_months", "adl_impact"},
    "tenderness": {"site", "side"},
    "provocative_test": {"test", "side", "result"},
    "injection": {"site", "date", "side", "purpose", "guidance", "contrast", "intra_articular", "anesthetic", "steroid",
                  "relief_percent", "relief_hours", "outcome"},
    "conservative_treatment": {"modality", "duration_weeks", "start_date", "end_date", "outcome"},
    "imaging": {"modality", "site", "date", "side", "findings_present", "findings_absent"},
    "smoking_status": {"status", "quit_date", "pack_years"},
    "diagnosis": {"condition", "icd10"},
    "planned_procedure": {"approach", "cpt", "side"},
}
# Attributes SPEC added after the first gold was written (2026-12-07: injection outcome).
OPTIONAL = {"outcome"}
DATE_ATTRS = {"date", "start_date", "end_date", "quit_date"}
STATUSES = {"met", "not_met", "insufficient"}
MI_LEAVES = ["II.A.1", "II.A.2", "II.A.3", "II.A", "II.B", "II.C", "II.D", "II.E", "II.F.1", "II.F.2", "II.F.3",
             "II.F", "II.G", "II.H"]
PATHWAYS = {"27279": MI_LEAVES + ["II", "III", "codes"], "27280": ["I.A", "I.B", "I.C", "I.D", "I", "III", "codes"]}
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def all3(xs):
    return "not_met" if "not_met" in xs else "insufficient" if "insufficient" in xs else "met"


def any3(xs):
    return "met" if "met" in xs else "insufficient" if "insufficient" in xs else "not_met"


def check_fact(i, fact, texts, problems):
    where = f"fact {i} ({fact.get('type')})"
    typ = fact.get("type")
    if typ not in ATTRS:
        problems.append(f"{where}: unknown type")
        return
    if fact.get("assertion") not in ASSERTIONS:
        problems.append(f"{where}: bad assertion {fact.get('assertion')!r}")
    extra = set(fact) - ATTRS[typ] - {"type", "assertion", "evidence"}
    missing = ATTRS[typ] - set(fact) - OPTIONAL
    if extra or missing:
        problems.append(f"{where}: extra attributes {sorted(extra)}, missing {sorted(missing)}")
    for attr, allowed in ENUMS[typ].items():
        if fact.get(attr) not in allowed:
            problems.append(f"{where}: {attr}={fact.get(attr)!r} not in SPEC")
    if "side" in ATTRS[typ] and fact.get("side") not in SIDES:
        problems.append(f"{where}: bad side {fact.get('side')!r}")
    for attr in DATE_ATTRS & set(fact):
        if fact[attr] is not None and not ISO.match(str(fact[attr])):
            problems.append(f"{where}: {attr} not ISO: {fact[attr]!r}")
    if typ == "pain_pattern" and not set(fact.get("location") or []) <= LOCATIONS:
        problems.append(f"{where}: bad location {fact.get('location')}")
    if typ == "imaging":
        for attr in ("findings_present", "findings_absent"):
            if not set(fact.get(attr) or []) <= FINDINGS:
                problems.append(f"{where}: bad {attr} {fact.get(attr)}")
    if typ == "injection" and fact.get("relief_percent") is not None and not 0 <= fact["relief_percent"] <= 100:
        problems.append(f"{where}: relief_percent out of range")
    evidence = fact.get("evidence") or []
    if not evidence:
        problems.append(f"{where}: no evidence")
    for ev in evidence:
        doc, quote = ev.get("document"), ev.get("quote", "")
        if doc not in texts:
            problems.append(f"{where}: evidence names unknown document {doc!r}")
        elif not quote or quote not in texts[doc]:
            problems.append(f"{where}: quote not verbatim in {doc}: {quote!r}")


def check_determinations(cpt, det, problems):
    expected = PATHWAYS.get(cpt)
    if expected is None:
        problems.append(f"unknown cpt {cpt!r}")
        return
    for crit in expected:
        if det.get(crit) not in STATUSES:
            problems.append(f"determination {crit}: missing or bad status {det.get(crit)!r}")
    stray = set(det) - set(expected) - {"recommendation"}
    if stray:
        problems.append(f"determinations outside the pathway: {sorted(stray)}")
    if problems:
        return
    if cpt == "27279":
        top = "II"
        checks = {"II.F": all3([det[k] for k in ("II.F.1", "II.F.2", "II.F.3")]),
                  "II": all3([det[k] for k in ("II.A", "II.B", "II.C", "II.D", "II.E", "II.F", "II.G", "II.H")])}
        if det["II.A"] == "met" and any(det[k] != "met" for k in ("II.A.1", "II.A.2", "II.A.3")):
            problems.append("II.A met while one of II.A.1-3 is not")
    else:
        top = "I"
        checks = {"I": any3([det[k] for k in ("I.A", "I.B", "I.C", "I.D")])}
    trio = [det[top], det["III"], det["codes"]]
    checks["recommendation"] = ("physician_review" if "not_met" in trio else
                                "missing_documentation" if "insufficient" in trio else "meets_criteria")
    for crit, want in checks.items():
        if det.get(crit) != want:
            problems.append(f"determination {crit}={det.get(crit)!r} disagrees with its parts ({want})")


def load_texts(case_dir, documents):
    texts = {}
    src = case_dir / "src"
    for name in documents:
        path = case_dir / name
        if name.endswith(".pdf") and src.is_dir():
            # the demo packet is rendered from src/*.txt; check quotes against the sources
            texts[name] = "\n".join(p.read_text() for p in sorted(src.glob("*.txt")))
        elif path.is_file():
            texts[name] = path.read_text()
    return texts


def check_case(case_dir, gold_path):
    problems = []
    case = json.loads((case_dir / "case.json").read_text())
    gold = json.loads(gold_path.read_text())
    texts = load_texts(case_dir, case.get("documents", []))
    if set(texts) != set(case.get("documents", [])):
        problems.append(f"documents not found: {sorted(set(case.get('documents', [])) - set(texts))}")
    if gold.get("complete") is not True:
        problems.append("gold 'complete' is not true")
    for i, fact in enumerate(gold.get("facts", [])):
        check_fact(i, fact, texts, problems)
    for typ in ("pain_pattern", "planned_procedure"):
        if sum(f.get("type") == typ for f in gold.get("facts", [])) > 1:
            problems.append(f"more than one {typ} fact")
    if sum(f.get("type") == "smoking_status" and f.get("assertion") != "family" for f in gold.get("facts", [])) > 1:
        problems.append("more than one patient smoking_status fact")
    check_determinations(case["request"]["cpt"], gold.get("determinations", {}), problems)
    if not (case_dir / "NOTES.md").is_file() and case_dir.parent == HERE:
        problems.append("NOTES.md missing")
    return problems


def main(argv):
    if argv:
        targets = [(Path(a), Path(a) / "gold.json") for a in argv]
    else:
        targets = [(p.parent, p) for p in sorted(HERE.glob("*/gold.json"))]
        if (DEMO / "src" / "gold.json").is_file():
            targets.append((DEMO, DEMO / "src" / "gold.json"))
    bad = 0
    for case_dir, gold_path in targets:
        problems = check_case(case_dir, gold_path)
        for p in problems:
            print(f"{case_dir.name}: {p}")
        bad += bool(problems)
    print(f"{len(targets)} cases checked, {bad} with problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
