"""Evidence: the place in a document that shows a fact (SPEC section 3)."""
from __future__ import annotations

from typing import Any

from pydantic import Field, SerializationInfo, SerializerFunctionWrapHandler, model_serializer, model_validator

from .base import Strict


class Evidence(Strict):
    document: str
    page: int | None = Field(default=None, ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    section: str | None = None
    bbox: list[float] | None = Field(default=None, min_length=4, max_length=4,
                                     description="[x0, top, x1, bottom] in PDF points; absent for text notes")
    rule: str | None = Field(default=None, description="id of the rule that found it")

    @model_validator(mode="after")
    def _ordered(self) -> "Evidence":
        if self.end < self.start:
            raise ValueError("evidence end precedes start")
        return self

    @model_serializer(mode="wrap")
    def _drop_absent_box(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        """SPEC section 3: `bbox` is absent (not null) for text notes."""
        data = handler(self)
        if data.get("bbox") is None:
            data.pop("bbox", None)
        return data
