"""extractor.nlp.medspacy_import: the pipeline is built without importing QuickUMLS (and NLTK), and a
later `import quickumls` in the same process still gets the real package."""
from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
from extractor.nlp.pipeline import get_nlp
doc = get_nlp()("No FABER test today. Denies smoking.")
before = {name: name in sys.modules for name in ("medspacy", "quickumls", "nltk", "sklearn")}
import quickumls
print(json.dumps({"before": before, "ents": len(doc.ents), "real": hasattr(quickumls, "QuickUMLS"),
                  "negated": [e._.is_negated for e in doc.ents]}))
"""


def test_the_pipeline_is_built_without_quickumls_and_quickumls_still_imports():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=300)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["before"] == {"medspacy": True, "quickumls": False, "nltk": False, "sklearn": False}
    assert found["real"] is True
    assert found["ents"] >= 1 and any(found["negated"])  # targets matched and ConText ran


SPACY_SCRIPT = """
import json, sys
from extractor.nlp.pipeline import get_nlp
doc = get_nlp()("No FABER test today.")
before = {name: name in sys.modules for name in ("spacy", "spacy.cli", "typer", "jinja2")}
import spacy.cli
print(json.dumps({"before": before, "real": hasattr(spacy.cli, "setup_cli"), "info": callable(spacy.info),
                  "ents": len(doc.ents)}))
"""


def test_spacy_is_imported_without_its_command_line_and_spacy_cli_still_imports():
    out = subprocess.run([sys.executable, "-c", SPACY_SCRIPT], capture_output=True, text=True, check=True, timeout=300)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["before"] == {"spacy": True, "spacy.cli": False, "typer": False, "jinja2": False}
    assert found["real"] is True and found["info"] is True
    assert found["ents"] >= 1
