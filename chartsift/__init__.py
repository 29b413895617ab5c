"""chartsift: chart documents in, criterion-by-criterion prior-authorization review out.

The public face: `review` (one case), and the CLI, web app, batch and evaluation built on it.
"""
from __future__ import annotations

__version__ = "0.1.0"

from .api import review  # noqa: E402

__all__ = ["review", "__version__"]
