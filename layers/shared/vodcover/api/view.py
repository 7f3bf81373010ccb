"""What every REST answer is: the :class:`View` base, left-out fields, and the error answers.

docs/design.md, "HTTP API": answers are camelCase and every field is present, null when it has
no value, unless it is declared :data:`Omitted` with ``default=ABSENT`` (``error``,
``nextToken``), then it is left out. Every error answer is an :class:`ErrorBody` with a stable code.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from vodcover.commands import NullNotAllowed
from vodcover.errors import VodcoverError
from vodcover.models import ErrorInfo


class View(BaseModel):
    """An answer's shape: camelCase keys, every field present unless it is :data:`Omitted`.

    Built when first used (``defer_build``), as the commands and stored models are: a function
    builds the answers its routes send, not every view this module declares.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True, defer_build=True)

    def answer(self) -> dict[str, Any]:
        """The JSON document the wire carries."""
        dumped: dict[str, Any] = self.model_dump(mode="json", by_alias=True)
        return dumped


def _absent(value: object) -> bool:
    return value is None


# A field documented as its type alone, left out of the answer (never null) when it has no value:
# ``name: Annotated[T | None, Omitted] = ABSENT``.
Omitted = NullNotAllowed
ABSENT: Any = Field(default=None, exclude_if=_absent)


class ErrorView(View):
    code: str
    message: str


class ErrorDetail(View):
    code: str
    message: str
    request_id: str


class ErrorBody(View):
    """Every error answer: ``{"error": {"code", "message", "requestId"}}`` with a stable code."""

    error: ErrorDetail

    @classmethod
    def of(cls, error: VodcoverError, request_id: str) -> ErrorBody:
        return cls(error=ErrorDetail(code=error.code, message=error.message, request_id=request_id))


def error_view(error: ErrorInfo | None) -> ErrorView | None:
    """A stored failure as answers show it (``error`` left out when there is none)."""
    return None if error is None else ErrorView(code=error.code, message=error.message)
