"""Shared pieces of the contract: the strict base model and the enums of SPEC section 4."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Every model of the contract rejects unknown keys (SPEC names are exact)."""

    model_config = ConfigDict(extra="forbid")


Side = Literal["left", "right", "bilateral"]
Assertion = Literal["present", "negated", "possible", "hypothetical", "historical", "family"]
ASSERTIONS: tuple[str, ...] = Assertion.__args__  # type: ignore[attr-defined]
SIDES: tuple[str, ...] = Side.__args__  # type: ignore[attr-defined]
