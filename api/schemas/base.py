"""The base of a response model whose shape is partly open (an annual trace's node, a command's
result): it declares what every instance has and keeps the rest (extra allowed).

Pydantic sends a model's declared fields first and its extra ones after; this base sends every
member in the order the route gave it, so declaring a model changes nothing of the JSON a client
gets, not even the order of its members."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, SerializerFunctionWrapHandler, ValidatorFunctionWrapHandler, model_serializer, model_validator


class OpenModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    _order: list[str] = PrivateAttr(default_factory=list)  # the members as the route gave them

    @model_validator(mode="wrap")
    @classmethod
    def _remember_order(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, dict):
            model._order = list(data)
        return model

    # No return annotation: the document keeps the model's own schema (an annotated `dict` would replace it).
    @model_serializer(mode="wrap")
    def _in_order(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        out = handler(self)
        return {name: out[name] for name in dict.fromkeys([*self._order, *out]) if name in out}
