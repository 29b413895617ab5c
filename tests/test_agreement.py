"""tools/agreement.py: inter-annotator agreement matches facts as SPEC section 6 scores them."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "agreement.py"


def _gold(folder: Path, case: str, facts: list[dict], dets: dict | None = None) -> None:
    (folder / case).mkdir(parents=True)
    data = {"case_id": case, "complete": True, "facts": facts}
    if dets is not None:
        data["determinations"] = dets
    (folder / case / "gold.json").write_text(json.dumps(data), encoding="utf-8")


def _run(*dirs: Path) -> dict:
    out = subprocess.run([sys.executable, str(TOOL), *map(str, dirs), "--json"], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out)


FABER_L = {"type": "provocative_test", "assertion": "present", "test": "faber", "side": "left", "result": "positive"}
SMOKE = {"type": "smoking_status", "assertion": "present", "status": "former", "quit_date": None, "pack_years": None}


@pytest.mark.parametrize(("second", "f1", "attr"), [
    pytest.param([FABER_L, SMOKE], 1.0, 1.0, id="identical"),
    pytest.param([{**FABER_L, "side": "right"}, SMOKE], 0.5, 1.0, id="side-is-key-so-no-match"),
    pytest.param([{**FABER_L, "result": "negative"}, SMOKE], 1.0, 0.75, id="attribute-differs"),
    pytest.param([FABER_L, {**SMOKE, "assertion": "family"}], 0.5, 1.0, id="assertion-is-key"),
])
def test_fact_agreement(tmp_path, second, f1, attr):
    _gold(tmp_path / "a", "C1", [FABER_L, SMOKE], {"II.D": "met"})
    _gold(tmp_path / "b", "C1", second, {"II.D": "insufficient"})
    _gold(tmp_path / "a", "C2-only-first", [SMOKE])
    report = _run(tmp_path / "b", tmp_path / "a")
    assert report["cases"] == 1
    assert report["fact_f1"] == f1
    assert report["attribute_agreement"] == attr
    assert report["determination_agreement"] == 0.0
