"""The API's HTTP frame: one resolver factory, one exception → answer mapping, the caller.

Every API function builds its resolver with :func:`create_app`, so errors look the same on
every route: :class:`~vodcover.api.view.ErrorBody` with a stable code, at the status
:mod:`vodcover.api.statuses` gives it (docs/design.md, "Error vocabulary"). Every JSON body is
read with :func:`json_body` (through :mod:`vodcover.api.bodies`), so content type, encoding and
JSON are judged in one place for every route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from vodcover import observability
from vodcover.api.bodies import body_bytes, parse_json, require_json_media_type
from vodcover.api.statuses import status_of
from vodcover.api.view import ErrorBody, View
from vodcover.errors import AuthMissing, InternalError, InvalidParameter, RouteNotFound, VodcoverError
from vodcover.observability import logger
from vodcover.validation import parameter_name, refusal_of

if TYPE_CHECKING:
    from vodcover.api.rest_views import RestViews

Model = TypeVar("Model", bound=BaseModel)


def create_app() -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    app.use(middlewares=[refuse_repeated_query_parameters])

    @app.exception_handler(VodcoverError)
    def _known_error(exc: VodcoverError) -> Response:
        if status_of(exc) >= 500:
            logger.error("request failed", extra={"code": exc.code, "detail": exc.detail[-500:]})
        return error_response(app, exc)

    @app.exception_handler(RequestValidationError)
    def _invalid_request(exc: RequestValidationError) -> Response:
        return error_response(app, refusal_of(exc.errors()))

    @app.not_found
    def _no_route(_exc: NotFoundError) -> Response:
        return error_response(app, RouteNotFound("No such route."))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response:
        logger.exception("unexpected failure")
        return error_response(app, InternalError("Something went wrong."))

    return app


def refuse_repeated_query_parameters(
    app: APIGatewayRestResolver, next_middleware: NextMiddleware
) -> Response:
    """``?limit=5&limit=500``: API Gateway passes one of them on, so the request means nothing sure."""
    repeated = sorted(
        name
        for name, values in (app.current_event.multi_value_query_string_parameters or {}).items()
        if len(values or ()) > 1
    )
    if repeated:
        raise InvalidParameter(
            parameter_name((repeated[0],)), f"The query parameter {repeated[0]} is given more than once."
        )
    return next_middleware(app)


def json_body(
    app: APIGatewayRestResolver, model: type[Model], *, context: dict[str, Any] | None = None
) -> Model:
    """The request body as ``model``, validated strictly; 415/400 with a stable code otherwise.

    ``context`` carries the function's limits to the model's validators (``batch_limit``).
    """
    event = app.current_event
    require_json_media_type(header_values(app, "content-type"))
    data = body_bytes(event.body, is_base64=bool(event.is_base64_encoded))
    if not data.strip():
        raise InvalidParameter("Body", "The request needs a JSON body.")
    document = parse_json(data)
    if not isinstance(document, dict):
        raise InvalidParameter("Body", "The request body must be a JSON object.")
    try:
        return model.model_validate(document, context=context)
    except ValidationError as exc:
        raise refusal_of(exc.errors()) from exc


def header_values(app: APIGatewayRestResolver, name: str) -> list[str]:
    """Every value of a header, however many times and in whatever case the client sent it."""
    raw = app.current_event.raw_event
    values: list[str] = []
    for key, sent in (raw.get("multiValueHeaders") or {}).items():
        if isinstance(key, str) and key.lower() == name and isinstance(sent, list):
            values.extend(value for value in sent if isinstance(value, str))
    if not values:
        for key, value in (raw.get("headers") or {}).items():
            if isinstance(key, str) and key.lower() == name and isinstance(value, str):
                values.append(value)
    return values


def request_id(app: APIGatewayRestResolver) -> str:
    event = app.current_event
    rid = event.request_context.request_id if event is not None else None
    if rid:
        return str(rid)
    context = app.lambda_context
    return str(getattr(context, "aws_request_id", "") or "")


def error_response(app: APIGatewayRestResolver, error: VodcoverError) -> Response[dict[str, Any]]:
    observability.count_failure(error.code)
    return answer(status_of(error), ErrorBody.of(error, request_id(app)))


def answer(status: int, view: View) -> Response[dict[str, Any]]:
    """A JSON answer: ``view`` as the wire carries it (``View.answer``)."""
    return Response(status_code=int(status), content_type=content_types.APPLICATION_JSON, body=view.answer())


def rest_views() -> type[RestViews]:
    """The REST answers' views, imported by the first answer: the answer models are built then,
    not at cold start (docs/design.md, "Cold start")."""
    from vodcover.api.rest_views import RestViews

    return RestViews


def json_request(model: str) -> dict[str, Any]:
    """A route's request body for the generated openapi.yaml, by the name of its command model in
    :mod:`vodcover.commands` (read at run time by :func:`json_body`)."""
    schema = {"$ref": f"#/components/schemas/{model}"}
    return {
        "requestBody": {"required": True, "content": {content_types.APPLICATION_JSON: {"schema": schema}}}
    }


def caller_of(app: APIGatewayRestResolver) -> str:
    """The principal that signed the request: owner of what it creates."""
    identity = app.current_event.request_context.identity
    principal = identity.user_arn or identity.caller or identity.access_key
    if not principal:
        raise AuthMissing("The request is not signed.")
    return str(principal)


def raw_body(app: APIGatewayRestResolver) -> bytes:
    """The body's bytes, for the one route that takes an image rather than JSON."""
    event = app.current_event
    return body_bytes(event.body, is_base64=bool(event.is_base64_encoded))
