"""Path and query parameters of the REST wire: text on the way in, parsed strictly."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from vodcover.commands import VideoId, WebhookId


def _query_integer(value: Any) -> Any:
    """Query strings carry text: only plain ASCII digits are a number (not "+5", "5_0", " 5")."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit() and len(value) <= 9):
            raise PydanticCustomError("query_integer", "Give a whole number in plain digits.")
        return int(value)
    return value


# An integer query parameter, parsed from plain digits only.
QueryInteger = Annotated[int, BeforeValidator(_query_integer)]

# The ids in route paths (``/videos/<videoId>``, ``/webhooks/<webhookId>``), checked as commands check them.
VideoIdParameter = Annotated[VideoId, Path(alias="videoId")]
WebhookIdParameter = Annotated[WebhookId, Path(alias="webhookId")]
