"""Import medspaCy without QuickUMLS: half of every process start, for a component chartsift never uses.

`medspacy.util` imports QuickUMLS only to register its optional UMLS-lookup component
("medspacy_quickumls"); QuickUMLS in turn imports NLTK, SciPy's statistics and scikit-learn, which
made `import medspacy` take 2-3 s instead of about 1 s on the project's machine. Every screen
worker, web worker and CLI run pays it once. `import_medspacy()` imports medspaCy with a stand-in
`quickumls` module in place for the duration of that import only, then removes the stand-in, so a
later `import quickumls` (by anyone else in the process) gets the real package. chartsift's
pipeline never adds "medspacy_quickumls"; medspaCy's other components do not touch QuickUMLS.
"""
from __future__ import annotations

import sys
import threading
import types

_LOCK = threading.Lock()


def import_medspacy() -> types.ModuleType:
    """`medspacy`, imported (once per process) without importing QuickUMLS."""
    if "medspacy" in sys.modules:
        return sys.modules["medspacy"]
    with _LOCK:
        if "medspacy" in sys.modules:
            return sys.modules["medspacy"]
        stand_in = None
        if "quickumls" not in sys.modules:
            stand_in = types.ModuleType("quickumls")
            stand_in.spacy_component = types.ModuleType("quickumls.spacy_component")
            sys.modules["quickumls"] = stand_in
        try:
            import medspacy
        finally:
            if stand_in is not None and sys.modules.get("quickumls") is stand_in:
                del sys.modules["quickumls"]
        return medspacy
