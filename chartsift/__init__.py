"""chartsift: chart documents in, criterion-by-criterion prior-authorization review out.

The public face: `review` (one case), and the CLI, web app, batch and evaluation built on it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = ["__version__", "evaluate", "review"]

if TYPE_CHECKING:
    from .api import review
    from .evaluation import evaluate


def __getattr__(name: str):
    # `review` and `evaluate` load on first use (PEP 562), not at `import chartsift`: the CLI imports the
    # package for every command, and `--help`, `schema` or `policy show` need neither the extractor,
    # the evaluator nor the evaluation's scorer (about a second of imports); `review` needs no scorer
    if name == "review":
        from .api import review

        return review
    if name == "evaluate":
        from .evaluation import evaluate

        return evaluate
    raise AttributeError(f"module 'chartsift' has no attribute {name!r}")
