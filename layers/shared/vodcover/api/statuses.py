"""The REST wire's status table: which HTTP status answers each stable code.

The error classes (``vodcover.errors``) carry codes only; this table is the one place that says
what a code answers over HTTP (docs/design.md, "Error vocabulary"), for the API functions, the
local front and the console proxy alike. Another wire format keeps its own table
(``vodcover.compat.alibaba.errors``).
"""

from __future__ import annotations

from http import HTTPStatus

from vodcover import errors

STATUS_BY_CODE: dict[str, int] = {
    # requests
    errors.InvalidJson.code: HTTPStatus.BAD_REQUEST,
    errors.BatchTooLarge.code: HTTPStatus.BAD_REQUEST,
    errors.UnsupportedMediaType.code: HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    errors.RouteNotFound.code: HTTPStatus.NOT_FOUND,
    errors.RequestTooLarge.code: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.AuthMissing.code: HTTPStatus.UNAUTHORIZED,
    errors.AuthInvalid.code: HTTPStatus.FORBIDDEN,
    # videos and ownership
    errors.VideoNotFound.code: HTTPStatus.NOT_FOUND,
    errors.NotOwner.code: HTTPStatus.FORBIDDEN,
    errors.IllegalStatus.code: HTTPStatus.FORBIDDEN,
    errors.ConcurrentUpdate.code: HTTPStatus.CONFLICT,
    # cover images and URLs
    errors.InvalidImageFormat.code: HTTPStatus.BAD_REQUEST,
    errors.InvalidImageDimensions.code: HTTPStatus.BAD_REQUEST,
    errors.InvalidImageCorrupt.code: HTTPStatus.BAD_REQUEST,
    errors.InvalidImageTooLarge.code: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    errors.CoverUrlForbidden.code: HTTPStatus.BAD_REQUEST,
    errors.CoverUrlUnreachable.code: HTTPStatus.BAD_REQUEST,
    errors.CoverUrlNotOwner.code: HTTPStatus.FORBIDDEN,
    errors.WebhookUrlForbidden.code: HTTPStatus.BAD_REQUEST,
    errors.WebhookUrlUnreachable.code: HTTPStatus.BAD_REQUEST,
    # webhooks
    errors.WebhookNotFound.code: HTTPStatus.NOT_FOUND,
    errors.TooManyWebhooks.code: HTTPStatus.BAD_REQUEST,
    # a frame for coverTime (PATCH /videos/{videoId})
    errors.MediaCorrupt.code: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.MediaEmpty.code: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.MediaNoVideoStream.code: HTTPStatus.UNPROCESSABLE_ENTITY,
    errors.MediaTimeout.code: HTTPStatus.GATEWAY_TIMEOUT,
    errors.MediaUnavailable.code: HTTPStatus.BAD_GATEWAY,
    # answered per item (pull, register, batches), never as a whole answer; kept for safety
    errors.RegisterRefused.code: HTTPStatus.BAD_REQUEST,
    errors.RegisterNotFound.code: HTTPStatus.BAD_REQUEST,
    errors.RegisterAlreadyRegistered.code: HTTPStatus.BAD_REQUEST,
    errors.RegisterInvalidKey.code: HTTPStatus.BAD_REQUEST,
    errors.SourceUrlForbidden.code: HTTPStatus.BAD_REQUEST,
    errors.SourceUrlUnreachable.code: HTTPStatus.BAD_REQUEST,
    errors.SourceUrlTooLarge.code: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    # the development world's fronts
    errors.LocalStarting.code: HTTPStatus.SERVICE_UNAVAILABLE,
    errors.InternalBadResponse.code: HTTPStatus.BAD_GATEWAY,
    errors.ConsoleForbidden.code: HTTPStatus.FORBIDDEN,
    errors.ConsoleWrongHost.code: HTTPStatus.MISDIRECTED_REQUEST,
    errors.ConsoleBadPath.code: HTTPStatus.BAD_REQUEST,
    errors.ConsoleBadMethod.code: HTTPStatus.METHOD_NOT_ALLOWED,
    errors.ConsoleNoCredentials.code: HTTPStatus.INTERNAL_SERVER_ERROR,
    errors.ConsoleUnreachable.code: HTTPStatus.BAD_GATEWAY,
    errors.InternalError.code: HTTPStatus.INTERNAL_SERVER_ERROR,
}
# Codes built from a name: every InvalidParameter.<Name> is a 400.
STATUS_BY_FAMILY: dict[str, int] = {errors.InvalidParameter.family: HTTPStatus.BAD_REQUEST}


def status_of(error: errors.VodcoverError) -> int:
    """The HTTP status of ``error``'s code; a code the table does not know is a 500 (a bug)."""
    return status_of_code(error.code)


def status_of_code(code: str) -> int:
    status = STATUS_BY_CODE.get(code)
    if status is None:
        status = next(
            (status for family, status in STATUS_BY_FAMILY.items() if code.startswith(family)),
            HTTPStatus.INTERNAL_SERVER_ERROR,
        )
    return int(status)


def codes_answering(status: int) -> list[str]:
    """Every code answered with ``status`` (the generated openapi.yaml lists them per status)."""
    families = [f"{family}<Name>" for family, answered in STATUS_BY_FAMILY.items() if answered == status]
    return [code for code, answered in STATUS_BY_CODE.items() if answered == status] + families
