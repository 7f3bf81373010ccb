"""Reading an action's parameters as Alibaba sends them: flat strings, lists as commas or JSON.

Alibaba's RPC parameters are all text: ``Tags=a,b``, ``VideoIds=id1,id2``, and structured ones
(``UpdateContent``, ``UploadMetadatas``, ``RegisterMetadatas``) as a JSON array in one
parameter. What a parameter means (limits, shapes) is judged later by vodcover's own command
models; here only Alibaba's framing is undone, with Alibaba's codes when it is wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from vodcover.compat.alibaba.errors import InvalidParameter, MissingParameter
from vodcover.compat.alibaba.verifier import V1_SIGNING_PARAMETERS

# Parameters that frame the call rather than ask for something (ignored by every action).
FRAMING_PARAMETERS = frozenset(
    {*V1_SIGNING_PARAMETERS, "Action", "Version", "Format", "RegionId", "SignatureType"}
)
MAX_JSON_PARAMETER_BYTES = 256 * 1024


class CountExceededMax(InvalidParameter):
    code = "CountExceededMax"
    status = 400


class ActionParameters:
    """One call's business parameters, read by name."""

    def __init__(self, parameters: Mapping[str, str]) -> None:
        self._values = {k: v for k, v in parameters.items() if k not in FRAMING_PARAMETERS}

    def text(self, name: str) -> str | None:
        """The value, or None when absent; a blank value counts as absent (SDKs send blanks)."""
        value = self._values.get(name)
        return value if value not in (None, "") else None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise MissingParameter(name)
        return value

    def words(self, name: str, *, limit: int | None = None, required: bool = False) -> list[str] | None:
        """``a,b, c`` → ``["a", "b", "c"]``; ``CountExceededMax`` past ``limit``."""
        value = self.required(name) if required else self.text(name)
        if value is None:
            return None
        words = [word.strip() for word in value.split(",") if word.strip()]
        if required and not words:
            raise MissingParameter(name)
        if limit is not None and len(words) > limit:
            raise CountExceededMax(f"{name} holds {len(words)} items; at most {limit} are accepted.")
        return words

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit() and len(value) <= 15):
            raise InvalidParameter(f"The parameter {name} must be a whole number.")
        return int(value)

    def json_items(self, name: str, *, limit: int) -> list[dict[str, Any]]:
        """A required JSON array of objects (``UpdateContent``, ``UploadMetadatas``…)."""
        value = self.required(name)
        if len(value.encode()) > MAX_JSON_PARAMETER_BYTES:
            raise InvalidParameter(f"The parameter {name} is longer than {MAX_JSON_PARAMETER_BYTES} bytes.")
        try:
            document = json.loads(value)
        except ValueError:
            raise InvalidParameter(f"The parameter {name} is not valid JSON.") from None
        if isinstance(document, dict):
            document = [document]
        if not isinstance(document, list) or not all(isinstance(item, dict) for item in document):
            raise InvalidParameter(f"The parameter {name} must be a JSON array of objects.")
        if not document:
            raise MissingParameter(name)
        if len(document) > limit:
            raise CountExceededMax(f"{name} holds {len(document)} items; at most {limit} are accepted.")
        return document


def tags_of(value: Any) -> list[str] | None:
    """Alibaba's ``Tags``: one comma-separated string (a JSON list is taken as well)."""
    if value is None or value == "":
        return None
    if isinstance(value, list):
        return [str(tag).strip() for tag in value if str(tag).strip()]
    if not isinstance(value, str):
        raise InvalidParameter("Tags must be a comma-separated string.")
    return [tag.strip() for tag in value.split(",") if tag.strip()]
