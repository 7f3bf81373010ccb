"""The API's HTTP frame: one resolver factory, one exception → answer mapping, the caller.

Every API function builds its resolver with :func:`create_app`, so errors look the same on
every route: ``{"error": {"code", "message", "requestId"}}`` with a stable code (DESIGN §3).
"""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError

from vodcover.api.validation import describe_validation_error
from vodcover.errors import AuthMissing, VodcoverError
from vodcover.observability import logger

MAX_JSON_BYTES = 256 * 1024  # the largest valid body (a 20-item batch) is far below this


def guarded_json(text: str) -> Any:
    """JSON bodies are bounded in size and depth, so hostile input is a 400, never a crash."""
    if len(text) > MAX_JSON_BYTES:
        raise json.JSONDecodeError(f"The request body is larger than {MAX_JSON_BYTES} bytes.", "", 0)
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise json.JSONDecodeError("The request body is nested too deeply.", "", 0) from exc


def create_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True, json_body_deserializer=guarded_json)

    @app.exception_handler(VodcoverError)
    def _known_error(exc: VodcoverError) -> Response:
        if exc.status >= 500:
            logger.error("request failed", extra={"code": exc.code, "detail": exc.detail[-500:]})
        return error_response(app, exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        code, message = describe_validation_error(exc.errors())
        return error_response(app, HTTPStatus.BAD_REQUEST, code, message)

    @app.not_found
    def _no_route(_exc: NotFoundError) -> Response:
        return error_response(app, HTTPStatus.NOT_FOUND, "NotFound", "No such route.")

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected failure")
        return error_response(
            app, HTTPStatus.INTERNAL_SERVER_ERROR, "Internal.Error", "Something went wrong."
        )

    return app


def request_id(app: APIGatewayRestResolver) -> str:
    event = app.current_event
    rid = event.request_context.request_id if event is not None else None
    if rid:
        return str(rid)
    context = app.lambda_context
    return str(getattr(context, "aws_request_id", "") or "")


def error_response(app: APIGatewayRestResolver, status: int, code: str, message: str) -> Response:
    body = {"error": {"code": code, "message": message, "requestId": request_id(app)}}
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body)


def json_response(status: int, body: dict[str, Any]) -> Response[dict[str, Any]]:
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=body)


def caller_of(app: APIGatewayRestResolver) -> str:
    """The principal that signed the request: owner of what it creates (DESIGN §3)."""
    identity = app.current_event.request_context.identity
    principal = identity.user_arn or identity.caller or identity.access_key
    if not principal:
        raise AuthMissing("The request is not signed.")
    return str(principal)


def raw_body(app: APIGatewayRestResolver) -> bytes:
    event = app.current_event
    body = event.body or ""
    if event.is_base64_encoded:
        return base64.b64decode(body)
    return body.encode("utf-8")
