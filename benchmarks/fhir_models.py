"""Which FHIR model package checks chartsift's Bundles: fhir.resources (R4B models) or fhirclient (R4 models).

Measures, on the Bundles of every golden text review (tests/golden/*/*.text.json, built with the files of
corpora/) and the Questionnaire of each bundled policy:

- defects caught: each of a fixed list of mistakes a Bundle writer can make (a code outside a required
  value set, a missing 1..1 element, a wrong primitive type, an unknown element, two value[x], a bad
  dateTime, an empty required list, a positiveInt of 0, a bad id, a non-base64 hash, a control character
  in a string) is made in the first Bundle, and the library must refuse it;
- parse time per Bundle (median of 3 runs over all Bundles) and import time.

The library under test is imported from wherever it is installed; both must be importable (for a scratch
comparison: `pip install --target /tmp/fhirlibs fhir.resources fhirclient` and PYTHONPATH=/tmp/fhirlibs).

Usage: .venv/bin/python benchmarks/fhir_models.py
"""
from __future__ import annotations

import copy
import datetime as dt
import importlib
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STAMP = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


def bundles() -> list[dict]:
    from chartsift.fhir import SourceFile, review_bundle
    from models import ReviewResult

    out = []
    for path in sorted((REPO / "tests" / "golden").glob("*/*.text.json")):
        result = ReviewResult.model_validate_json(path.read_text(encoding="utf-8"))
        folder = REPO / "corpora" / path.parent.name / path.name.split(".text.")[0]
        files = [SourceFile.from_path(folder / d.name) for d in result.documents if (folder / d.name).is_file()]
        out.append(review_bundle(result, files, generated=STAMP))
    return out


def _resource(bundle: dict, kind: str) -> dict:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind)


def _answer(bundle: dict) -> dict:
    return next(i for i in _resource(bundle, "QuestionnaireResponse")["item"] if i["linkId"] not in (
        "pathway",))["answer"][0]


#: (name, mutation of a deep copy of a valid Bundle)
DEFECTS = [
    ("code outside required value set (QuestionnaireResponse.status)",
     lambda b: _resource(b, "QuestionnaireResponse").update(status="done")),
    ("code outside required value set (Bundle.type)", lambda b: b.update(type="pile")),
    ("missing 1..1 element (DocumentReference.status)", lambda b: _resource(b, "DocumentReference").pop("status")),
    ("missing 1..1 element (ServiceRequest.subject)", lambda b: _resource(b, "ServiceRequest").pop("subject")),
    ("missing 1..1 element (Provenance.recorded)", lambda b: _resource(b, "Provenance").pop("recorded")),
    ("wrong primitive type (Attachment.size as string)",
     lambda b: _resource(b, "DocumentReference")["content"][0]["attachment"].update(size="12")),
    ("unknown element", lambda b: _resource(b, "QuestionnaireResponse").update(verdict="approve")),
    ("two value[x] in one answer", lambda b: _answer(b).update(valueString="met")),
    ("bad dateTime", lambda b: _resource(b, "QuestionnaireResponse").update(authored="yesterday")),
    ("empty 1..* list (DocumentReference.content)", lambda b: _resource(b, "DocumentReference").update(content=[])),
    ("positiveInt of 0 (page count)",
     lambda b: _resource(b, "DocumentReference")["content"][0]["attachment"]["extension"][0].update(
         valuePositiveInt=0)),
    ("bad id characters", lambda b: _resource(b, "ServiceRequest").update(id="a b/c")),
    ("hash not base64", lambda b: _resource(b, "DocumentReference")["content"][0]["attachment"].update(
        hash="not base64!")),
    ("control character in a string (form feed)",
     lambda b: _resource(b, "QuestionnaireResponse")["item"][0].update(text="page 1\fpage 2")),
    ("extension with neither value nor extension (ext-1)",
     lambda b: _answer(b)["extension"].append({"url": "https://chartsift.org/fhir/StructureDefinition/x"})),
]


class Library:
    """One FHIR model package: where its Bundle model lives and how it parses a dict."""

    def __init__(self, name: str, module: str, parse):
        self.name, self.module, self._parse = name, module, parse

    def load(self) -> None:
        self.bundle_type = importlib.import_module(self.module).Bundle

    def parse(self, data: dict) -> None:
        self._parse(self.bundle_type, data)


LIBRARIES = [
    Library("fhir.resources (R4B)", "fhir.resources.R4B.bundle", lambda model, data: model.model_validate(data)),
    Library("fhirclient (R4)", "fhirclient.models.bundle", lambda model, data: model(data, strict=True)),
]


def refuses(library, data: dict) -> bool:
    try:
        library.parse(data)
    except Exception:  # noqa: BLE001 - each library has its own error types; any refusal counts
        return True
    return False


def main() -> int:
    all_bundles = bundles()
    first = all_bundles[0]
    print(f"{len(all_bundles)} Bundles (golden text reviews), "
          f"{sum(len(b['entry']) for b in all_bundles)} resources")
    results = {}
    for library in LIBRARIES:
        started = time.perf_counter()
        library.load()
        imported = time.perf_counter() - started
        valid = all(not refuses(library, b) for b in all_bundles)
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            for b in all_bundles:
                library.parse(b)
            runs.append((time.perf_counter() - started) / len(all_bundles))
        caught = []
        for name, mutate in DEFECTS:
            broken = copy.deepcopy(first)
            mutate(broken)
            caught.append(refuses(library, broken))
        results[library.name] = caught
        print(f"\n{library.name}: import {imported * 1000:.0f} ms, every valid Bundle accepted: {valid}, "
              f"parse {statistics.median(runs) * 1000:.1f} ms per Bundle (median of 3), "
              f"defects caught {sum(caught)}/{len(DEFECTS)}")
    print("\ndefect" + " " * 58 + " | ".join(results))
    for i, (name, _) in enumerate(DEFECTS):
        print(f"{name:<64}" + " | ".join(f"{'caught' if r[i] else 'MISSED':<{len(n)}}" for n, r in results.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
