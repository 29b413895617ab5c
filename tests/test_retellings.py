"""A study told again is the same study (extractor/resolve/retellings.py), through a whole review."""
from __future__ import annotations

import json

import pytest

from chartsift import review

REPORT = ("RADIOLOGY REPORT\nDate of exam: 01/12/2026\nEXAM: MRI LUMBAR SPINE WITHOUT CONTRAST\n"
          "FINDINGS: Mild disc desiccation at L4-5. No stenosis or nerve root compression.\n"
          "IMPRESSION: No neural compression.\n")
REPORT_2 = ("RADIOLOGY REPORT\nDate of exam: 03/02/2026\nEXAM: MRI LUMBAR SPINE WITHOUT CONTRAST\n"
            "FINDINGS: New right foraminal stenosis at L5-S1.\nIMPRESSION: Right L5-S1 foraminal stenosis.\n")


def _case(tmp_path, notes: dict[str, str]):
    for name, text in notes.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "case.json").write_text(json.dumps({"case_id": "R-1", "documents": list(notes)}), encoding="utf-8")
    result = review(tmp_path)
    return [(f.modality, f.site, str(f.date) if f.date else None, f.assertion,
             sorted({e.document for e in f.evidence})) for f in result.facts if f.type == "imaging"]


def _visit(date: str, body: str) -> str:
    return f"OFFICE VISIT\nDate of service: {date}\nHPI: Low back pain.\n{body}\n"


@pytest.mark.parametrize("notes, expected", [
    pytest.param({"a.txt": REPORT, "b.txt": _visit("02/10/2026", "We went over her lumbar MRI together.")},
                 [("mri", "lumbar_spine", "2026-01-12", "present", ["a.txt", "b.txt"])],
                 id="undated-retelling-is-the-study"),
    pytest.param({"a.txt": REPORT, "b.txt": _visit("02/10/2026", "We looked again at the lumbar MRI of 01/2026.")},
                 [("mri", "lumbar_spine", "2026-01-12", "present", ["a.txt", "b.txt"])], id="month-dated-retelling"),
    pytest.param({"a.txt": _visit("01/05/2026", "Plan: MRI lumbar spine ordered."), "b.txt": REPORT},
                 [("mri", "lumbar_spine", "2026-01-12", "present", ["a.txt", "b.txt"])], id="order-later-done"),
    pytest.param({"a.txt": REPORT, "b.txt": REPORT_2, "c.txt": _visit("02/10/2026", "We went over her lumbar MRI together.")},
                 [("mri", "lumbar_spine", "2026-01-12", "present", ["a.txt", "c.txt"]),
                  ("mri", "lumbar_spine", "2026-03-02", "present", ["b.txt"])],
                 id="the-latest-study-before-the-note"),
    # distractors: nothing the packet reports as done
    pytest.param({"a.txt": _visit("02/10/2026", "Plan: MRI lumbar spine ordered.")},
                 [("mri", "lumbar_spine", None, "hypothetical", ["a.txt"])], id="order-never-done-stays-a-plan"),
    pytest.param({"a.txt": REPORT, "b.txt": _visit("02/10/2026", "Plan: MRI of the SI joints ordered.")},
                 [("mri", "lumbar_spine", "2026-01-12", "present", ["a.txt"]),
                  ("mri", "si_joint", None, "hypothetical", ["b.txt"])],
                 id="another-site-is-another-study"),
    pytest.param({"a.txt": _visit("12/01/2025", "We went over her lumbar MRI together."), "b.txt": REPORT},
                 [("mri", "lumbar_spine", None, "present", ["a.txt"]), ("mri", "lumbar_spine", "2026-01-12", "present", ["b.txt"])],
                 id="a-mention-before-the-study-is-not-it"),
])
def test_retellings(tmp_path, notes, expected):
    assert sorted(_case(tmp_path, notes), key=str) == sorted(expected, key=str)
