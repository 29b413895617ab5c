"""Import spaCy without its command line, and medspaCy without QuickUMLS: most of every process start.

`medspacy.util` imports QuickUMLS only to register its optional UMLS-lookup component
("medspacy_quickumls"); QuickUMLS in turn imports NLTK, SciPy's statistics and scikit-learn, which
made `import medspacy` take 2-3 s instead of about 1 s on the project's machine. Every screen
worker, web worker and CLI run pays it once. `import_medspacy()` imports medspaCy with a stand-in
`quickumls` module in place for the duration of that import only, then removes the stand-in, so a
later `import quickumls` (by anyone else in the process) gets the real package. chartsift's
pipeline never adds "medspacy_quickumls"; medspaCy's other components do not touch QuickUMLS.

`import spacy` imports `spacy.cli` for one name, `spacy.info`, and the CLI package imports typer,
click, Jinja2, langcodes, weasel and requests: about 40% of spaCy's import time, for commands
chartsift never runs. `import_spacy()` imports spaCy with stand-in `spacy.cli` and `spacy.cli.info`
modules in place for the duration of that import only (the same way), so a later `import spacy.cli`
gets the real package; `spacy.info` stays callable and loads the real one on its first call.
"""
from __future__ import annotations

import sys
import threading
import types

_LOCK = threading.Lock()


def import_spacy() -> types.ModuleType:
    """`spacy`, imported (once per process) without importing its command-line package."""
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    with _LOCK:
        if "spacy" in sys.modules:
            return sys.modules["spacy"]
        stand_ins: dict[str, types.ModuleType] = {}
        if "spacy.cli" not in sys.modules and "spacy.cli.info" not in sys.modules:
            package, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")
            package.__path__ = []  # a package, so that the import of its submodule `info` is answered here
            info.info = _spacy_info  # type: ignore[attr-defined]
            stand_ins = {"spacy.cli": package, "spacy.cli.info": info}
            sys.modules.update(stand_ins)
        try:
            import spacy
        finally:
            for name, module in stand_ins.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
        return spacy


def _spacy_info(*args, **kwargs):
    """`spacy.info` (spaCy's `spacy.cli.info.info`), its package loaded on the first call."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def import_medspacy() -> types.ModuleType:
    """`medspacy`, imported (once per process) without importing QuickUMLS."""
    if "medspacy" in sys.modules:
        return sys.modules["medspacy"]
    with _LOCK:
        if "medspacy" in sys.modules:
            return sys.modules["medspacy"]
        import_spacy()
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
