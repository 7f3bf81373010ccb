"""Named errors with stable codes: the only vocabulary of failure users and tests rely on.

One class per code (docs/design.md, "Error vocabulary"). Domain, media and job code raise these,
or record their ``code`` on a video (``models.ErrorInfo.of``); no code string is written
anywhere else. What a code *answers* is a wire format's business, not the class's: the REST
wire's status table is ``vodcover.api.statuses``, the Alibaba wire's is
``vodcover.compat.alibaba.errors``. The ``detail`` field keeps technical context (an ffmpeg
stderr tail) for logs and never reaches a user message.
"""

from __future__ import annotations

from typing import ClassVar


class VodcoverError(Exception):
    """Base class: a stable ``code`` and a human ``message``."""

    code: ClassVar[str] = "Internal.Error"

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class ServiceFailure(Exception):
    """An AWS service or the wiring failed: no code of its own, so answers show ``Internal.Error``
    and jobs let Lambda retry (``vodcover.jobs.retries``). Never a verdict on a video."""


class PublishFailed(ServiceFailure):
    """EventBridge refused an event (a partial failure of ``PutEvents``)."""


class FunctionNotConfigured(ServiceFailure):
    """A job was started but the template gave no function name for it."""


# --- failures of ours ------------------------------------------------------------------
class InternalError(VodcoverError):
    """A bug or a dependency failure answered to a request: quote the request id."""

    code = "Internal.Error"


class InternalUnexpected(VodcoverError):
    """Recorded on a video when a job met a failure nobody foresaw (logged with its traceback)."""

    code = "Internal.Unexpected"


class UploadExpired(VodcoverError):
    """Recorded when nothing arrived before the upload URL expired (plus a margin)."""

    code = "Upload.Expired"


class ProcessStalled(VodcoverError):
    """Recorded when processing or an analysis gave no result within its window."""

    code = "Process.Stalled"


# --- media -----------------------------------------------------------------------------
class MediaError(VodcoverError):
    """The video cannot be processed; the record ends in ``ProcessFail`` with the code."""

    code = "Media.Corrupt"


class MediaCorrupt(MediaError):
    code = "Media.Corrupt"


class MediaEmpty(MediaError):
    code = "Media.Empty"


class MediaNoVideoStream(MediaError):
    code = "Media.NoVideoStream"


class MediaTimeout(MediaError):
    code = "Media.Timeout"


class MediaUnavailable(MediaError):
    """The source could not be read (object vanished, URL refused): retryable, not corrupt."""

    code = "Media.Unavailable"


# --- requests --------------------------------------------------------------------------
class InvalidParameter(VodcoverError):
    """``InvalidParameter.<Name>``: one code per field or parameter, named after it."""

    family = "InvalidParameter."

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.code = f"{self.family}{name}"  # type: ignore[misc]  # the one code built from a name


class InvalidJson(VodcoverError):
    code = "InvalidJson"


class UnsupportedMediaType(VodcoverError):
    """A body that is not ``application/json`` (UTF-8) sent to a route that takes JSON."""

    code = "Request.UnsupportedMediaType"


class BatchTooLarge(VodcoverError):
    code = "Batch.TooLarge"


class RouteNotFound(VodcoverError):
    code = "NotFound"


class RequestTooLarge(VodcoverError):
    """A body over API Gateway's 10 MB (the local front and the console proxy match it)."""

    code = "Request.TooLarge"


# --- videos and ownership --------------------------------------------------------------
class VideoNotFound(VodcoverError):
    code = "InvalidVideo.NotFound"


class NotOwner(VodcoverError):
    code = "Forbidden.NotOwner"


class IllegalStatus(VodcoverError):
    code = "Forbidden.IllegalStatus"


class ConcurrentUpdate(VodcoverError):
    """Optimistic concurrency gave up after its retries: the caller may simply try again."""

    code = "Conflict.ConcurrentUpdate"


class RegisterRefused(VodcoverError):
    """One item of a register request cannot be registered (answered per item)."""

    code = "Register.Refused"


class RegisterNotFound(RegisterRefused):
    code = "Register.NotFound"


class RegisterAlreadyRegistered(RegisterRefused):
    code = "Register.AlreadyRegistered"


class RegisterInvalidKey(RegisterRefused):
    code = "Register.InvalidKey"


# --- cover images and URLs -------------------------------------------------------------
class InvalidImage(VodcoverError):
    code = "InvalidImage.Format"


class InvalidImageFormat(InvalidImage):
    code = "InvalidImage.Format"


class InvalidImageTooLarge(InvalidImage):
    code = "InvalidImage.TooLarge"


class InvalidImageDimensions(InvalidImage):
    code = "InvalidImage.Dimensions"


class InvalidImageCorrupt(InvalidImage):
    code = "InvalidImage.Corrupt"


class CoverUrlForbidden(VodcoverError):
    code = "CoverUrl.Forbidden"


class CoverUrlNotOwner(CoverUrlForbidden):
    """A URL naming an object of the media bucket that is not one of the caller's videos'."""

    code = "CoverUrl.NotOwner"


class CoverUrlUnreachable(VodcoverError):
    code = "CoverUrl.Unreachable"


class WebhookUrlForbidden(VodcoverError):
    """A webhook URL that is not https, or names a private address (the cover URLs' SSRF rules,
    with ``VODCOVER_WEBHOOK_ALLOW_HOSTS`` as its own allow-list)."""

    code = "WebhookUrl.Forbidden"


class WebhookUrlUnreachable(VodcoverError):
    code = "WebhookUrl.Unreachable"


class WebhookNotFound(VodcoverError):
    code = "InvalidWebhook.NotFound"


class TooManyWebhooks(VodcoverError):
    """An owner's ``vodcover`` subscriptions are at their limit (the Alibaba callback aside)."""

    code = "InvalidWebhook.LimitExceeded"


# --- authentication (local stack; API Gateway answers these itself when deployed) -------
class AuthMissing(VodcoverError):
    code = "Auth.Missing"


class AuthInvalid(VodcoverError):
    code = "Auth.Invalid"


# --- pull-upload sources (POST /videos/pull; the record ends in UploadFail with the code) --
class SourceUrlForbidden(VodcoverError):
    code = "SourceUrl.Forbidden"


class SourceUrlUnreachable(VodcoverError):
    code = "SourceUrl.Unreachable"


class SourceUrlTooLarge(VodcoverError):
    code = "SourceUrl.TooLarge"


class PullStorageFailed(VodcoverError):
    """S3 kept refusing the pulled bytes after botocore's retries; pulling again starts afresh."""

    code = "Pull.StorageFailed"


# --- the development world's fronts (vodcover local, vodcover console) -----------------
class LocalStarting(VodcoverError):
    """The local stack's front before everything behind it is ready (with ``Retry-After``)."""

    code = "Local.Starting"


class InternalBadResponse(VodcoverError):
    """A function gave the local front a malformed proxy response."""

    code = "Internal.BadResponse"


class ConsoleForbidden(VodcoverError):
    code = "Console.Forbidden"


class ConsoleWrongHost(VodcoverError):
    code = "Console.WrongHost"


class ConsoleBadPath(VodcoverError):
    code = "Console.BadPath"


class ConsoleBadMethod(VodcoverError):
    code = "Console.BadMethod"


class ConsoleNoCredentials(VodcoverError):
    code = "Console.NoCredentials"


class ConsoleUnreachable(VodcoverError):
    code = "Console.Unreachable"


class ApiCallFailed(VodcoverError):
    """``vodcover upload``/the demo: an API call did not answer as expected."""

    code = "Api.CallFailed"


class ApiUnreachable(ApiCallFailed):
    code = "Api.Unreachable"


class UploadRefused(ApiCallFailed):
    """The presigned PUT of ``vodcover upload`` was refused."""

    code = "Upload.Refused"
