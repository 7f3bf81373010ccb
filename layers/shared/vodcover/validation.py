"""Pydantic's validation errors as named errors with stable codes (docs/design.md, "Error
vocabulary"), for whole commands and batch items alike, whatever wire format they came by."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from vodcover.errors import BatchTooLarge, InvalidJson, InvalidParameter, VodcoverError


def refusal_of(errors: Sequence[Any]) -> VodcoverError:
    """The first problem as an error: ``InvalidJson``, ``Batch.TooLarge`` or ``InvalidParameter.<Name>``."""
    first: dict[str, Any] = (
        dict(errors[0]) if errors else {"type": "value_error", "loc": ("body",), "msg": "Invalid request."}
    )
    kind = str(first.get("type", ""))
    context = first.get("ctx") or {}
    if kind == "json_invalid":
        return InvalidJson(str(context.get("error") or "The request body is not valid JSON."))
    if kind == "batch_too_large":
        return BatchTooLarge(str(first.get("msg")))
    if kind == "cover_conflict":
        return InvalidParameter("Cover", str(first.get("msg")))
    name = parameter_name(tuple(first.get("loc", ())))
    message = str(first.get("msg", "Invalid value."))
    if kind == "extra_forbidden":
        message = f"Unknown field {name[0].lower() + name[1:]}."
    elif kind == "missing":
        message = f"{name[0].lower() + name[1:]} is required."
    return InvalidParameter(name, message)


def parameter_name(location: tuple[Any, ...]) -> str:
    """('body', 'updates', 3, 'coverUrl') → 'CoverUrl'; ('path', 'video_id') → 'VideoId'."""
    names = [
        str(part) for part in location if isinstance(part, str) and part not in {"body", "query", "path"}
    ]
    name = names[-1] if names else (str(location[0]) if location else "Body")
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))
