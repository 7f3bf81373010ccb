"""Named errors with stable codes: the only vocabulary of failure users and tests rely on.

Domain and media code raise these; one mapping (``vodcover.api.http.create_app``) turns them
into HTTP answers, and the CLI turns them into ``{"error": {...}}`` JSON (docs/design.md,
"Error vocabulary"). The ``detail`` field keeps technical context (an ffmpeg stderr tail) for logs
and never reaches a user message.
"""

from __future__ import annotations


class VodcoverError(Exception):
    """Base class: a stable ``code``, a human ``message`` and the HTTP status it maps to."""

    code = "Internal.Error"
    status = 500

    def __init__(self, message: str, *, code: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.detail = detail

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


# --- media -----------------------------------------------------------------------------
class MediaError(VodcoverError):
    """The video cannot be processed; the record ends in ``ProcessFail`` with this code."""

    code = "Media.Corrupt"
    status = 422


class MediaCorrupt(MediaError):
    code = "Media.Corrupt"


class MediaEmpty(MediaError):
    code = "Media.Empty"


class MediaNoVideoStream(MediaError):
    code = "Media.NoVideoStream"


class MediaTimeout(MediaError):
    code = "Media.Timeout"
    status = 504


class MediaUnavailable(MediaError):
    """The source could not be read (object vanished, URL refused): retryable, not corrupt."""

    code = "Media.Unavailable"
    status = 502


# --- request validation ----------------------------------------------------------------
class InvalidParameter(VodcoverError):
    status = 400

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message, code=f"InvalidParameter.{name}")


class InvalidJson(VodcoverError):
    code = "InvalidJson"
    status = 400


class InvalidRequest(VodcoverError):
    """A request that failed validation, carrying the code :mod:`vodcover.api.validation` chose."""

    code = "InvalidParameter.Body"
    status = 400


class UnsupportedMediaType(VodcoverError):
    """A body that is not ``application/json`` (UTF-8) sent to a route that takes JSON."""

    code = "Request.UnsupportedMediaType"
    status = 415


class BatchTooLarge(VodcoverError):
    code = "Batch.TooLarge"
    status = 400


# --- videos and ownership --------------------------------------------------------------
class VideoNotFound(VodcoverError):
    code = "InvalidVideo.NotFound"
    status = 404


class NotOwner(VodcoverError):
    code = "Forbidden.NotOwner"
    status = 403


class IllegalStatus(VodcoverError):
    code = "Forbidden.IllegalStatus"
    status = 403


class ConcurrentUpdate(VodcoverError):
    """Optimistic concurrency gave up after its retries: the caller may simply try again."""

    code = "Conflict.ConcurrentUpdate"
    status = 409


class RegisterRefused(VodcoverError):
    """One item of a register request cannot be registered (``Register.*`` codes)."""

    code = "Register.Refused"
    status = 400


# --- cover images and URLs -------------------------------------------------------------
class InvalidImage(VodcoverError):
    status = 400


class InvalidImageFormat(InvalidImage):
    code = "InvalidImage.Format"


class InvalidImageTooLarge(InvalidImage):
    code = "InvalidImage.TooLarge"
    status = 413


class InvalidImageDimensions(InvalidImage):
    code = "InvalidImage.Dimensions"


class InvalidImageCorrupt(InvalidImage):
    code = "InvalidImage.Corrupt"


class CoverUrlForbidden(VodcoverError):
    code = "CoverUrl.Forbidden"
    status = 400


class CoverUrlNotOwner(CoverUrlForbidden):
    """A URL naming an object of the media bucket that is not one of the caller's videos'."""

    code = "CoverUrl.NotOwner"
    status = 403


class CoverUrlUnreachable(VodcoverError):
    code = "CoverUrl.Unreachable"
    status = 400


# --- authentication (local stack; API Gateway answers these itself when deployed) -------
class AuthMissing(VodcoverError):
    code = "Auth.Missing"
    status = 401


class AuthInvalid(VodcoverError):
    code = "Auth.Invalid"
    status = 403


# --- pull-upload sources (POST /videos/pull; the record ends in UploadFail with the code) --
class SourceUrlForbidden(VodcoverError):
    code = "SourceUrl.Forbidden"
    status = 400


class SourceUrlUnreachable(VodcoverError):
    code = "SourceUrl.Unreachable"
    status = 400


class SourceUrlTooLarge(VodcoverError):
    code = "SourceUrl.TooLarge"
    status = 413
