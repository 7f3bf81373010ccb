"""What each route declares about its answers, for powertools to emit into openapi.yaml.

A route names its success model and the error statuses it can answer; every error status is the
one error body (:class:`~vodcover.api.view.ErrorBody`), described by the codes the status
table (:mod:`vodcover.api.statuses`) maps to it. Models are named, not imported: a route's
declaration builds no answer model at cold start (docs/design.md, "Cold start"), and
``make openapi`` (``vodcover_dev.openapi``) resolves each name with :func:`answer_model` when
it writes the document; a test fails when the committed one is not current.
"""

from __future__ import annotations

import functools
import importlib
import operator
from typing import Any

from aws_lambda_powertools.event_handler import content_types

from vodcover import errors
from vodcover.api.statuses import codes_answering

REF_PREFIX = "#/components/schemas/"
ERROR_BODY = "ErrorBody"  # vodcover.api.view.ErrorBody
# Where the answer models a route may name live, searched in this order.
ANSWER_MODULES = (
    "vodcover.api.view",
    "vodcover.api.video_views",
    "vodcover.api.batch_views",
    "vodcover.api.webhook_views",
)

# Codes no API function answers as a whole answer: per-item results, and the development
# world's fronts (the local front and the console proxy answer these themselves).
_NOT_API_ANSWERS = frozenset(
    {
        errors.RegisterRefused.code,
        errors.RegisterNotFound.code,
        errors.RegisterAlreadyRegistered.code,
        errors.RegisterInvalidKey.code,
        errors.SourceUrlForbidden.code,
        errors.SourceUrlUnreachable.code,
        errors.SourceUrlTooLarge.code,
        errors.LocalStarting.code,
        errors.InternalBadResponse.code,
        errors.ConsoleForbidden.code,
        errors.ConsoleWrongHost.code,
        errors.ConsoleBadPath.code,
        errors.ConsoleBadMethod.code,
        errors.ConsoleNoCredentials.code,
        errors.ConsoleUnreachable.code,
        errors.RequestTooLarge.code,
    }
)
_WHY = {
    401: "the request is not signed",
    403: "not the caller's video or webhook, a status that forbids the change, or a bad signature",
    404: "no such video or webhook (`NotFound`: no such route)",
    409: "too many writers at once; retry",
    413: "the image (uploaded, or fetched from a coverUrl) is over 1 MB (1,048,576 bytes)",
    415: "the body is not `application/json` (UTF-8)",
    422: "`coverTime`: the video's frame cannot be decoded",
    502: "`coverTime`: the video could not be read",
    504: "`coverTime`: taking the frame took too long",
}


def error_description(status: int) -> str:
    codes = ", ".join(f"`{code}`" for code in codes_answering(status) if code not in _NOT_API_ANSWERS)
    why = _WHY.get(status)
    return f"{codes}: {why}." if why else f"Codes: {codes}."


def answers(status: int, model: str | None, description: str, *error_statuses: int) -> dict[int, Any]:
    """``responses=`` for a route: the model named ``model`` at ``status`` (``"A | B"``: either;
    None: no body, e.g. 204), the error body at each error status."""
    success: dict[str, Any] = {"description": description}
    if model is not None:
        success["content"] = _named(model)
    documented: dict[int, Any] = {int(status): success}
    for error_status in error_statuses:
        documented[error_status] = {
            "description": error_description(error_status),
            "content": _named(ERROR_BODY),
        }
    return documented


def _named(model: str) -> dict[str, Any]:
    return {content_types.APPLICATION_JSON: {"schema": {"$ref": REF_PREFIX + model}}}


def answer_model(name: str) -> Any:
    """The answer model a route named (a union for ``"A | B"``; None: not an answer model),
    imported now."""
    models = [_model_named(part.strip()) for part in name.split("|")]
    if any(model is None for model in models):
        return None
    return functools.reduce(operator.or_, models)


def _model_named(name: str) -> type | None:
    for module_name in ANSWER_MODULES:
        found = getattr(importlib.import_module(module_name), name, None)
        if isinstance(found, type):
            return found
    return None
