"""chartsift: chart documents in, criterion-by-criterion prior-authorization review out.

The public face: `review` (one case), and the CLI, web app, batch and evaluation built on it.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .api import review  # noqa: E402
from .evaluation import evaluate  # noqa: E402

__all__ = ["review", "evaluate", "__version__"]
