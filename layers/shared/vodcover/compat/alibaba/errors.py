"""Alibaba's error vocabulary: the codes, statuses and message forms its SDKs branch on.

Each class carries the code and HTTP status Alibaba's gateway answers with; ``rendering`` turns
one into ``{RequestId, HostId, Code, Message}``. They are :class:`~vodcover.errors.VodcoverError`
subclasses, so the one error mapping of a front can treat them like any other. This wire keeps
its own status table (:func:`status_of`): the REST wire's (``vodcover.api.statuses``) is not
Alibaba's, and this module never imports it.
"""

from __future__ import annotations

from typing import ClassVar

from vodcover import errors
from vodcover.errors import VodcoverError

# vodcover codes answered through this wire, at the statuses Alibaba's VOD uses for the same kind
# of refusal; anything else there is a failure of ours.
PRODUCT_STATUS_BY_CODE: dict[str, int] = {
    errors.VideoNotFound.code: 404,
    errors.NotOwner.code: 403,
    errors.IllegalStatus.code: 403,
    errors.ConcurrentUpdate.code: 409,
    errors.InvalidJson.code: 400,
    errors.BatchTooLarge.code: 400,
    errors.InvalidImageFormat.code: 400,
    errors.InvalidImageDimensions.code: 400,
    errors.InvalidImageCorrupt.code: 400,
    errors.InvalidImageTooLarge.code: 400,
    errors.CoverUrlForbidden.code: 400,
    errors.CoverUrlUnreachable.code: 400,
    errors.CoverUrlNotOwner.code: 403,
    errors.WebhookUrlForbidden.code: 400,
    errors.WebhookUrlUnreachable.code: 400,
}


def status_of(error: VodcoverError) -> int:
    """The status this wire answers ``error`` with: Alibaba's own, or the table's for ours."""
    if isinstance(error, AlibabaError):
        return error.status
    if error.code.startswith(errors.InvalidParameter.family):
        return 400
    return PRODUCT_STATUS_BY_CODE.get(error.code, 500)


class AlibabaError(VodcoverError):
    """An error answered in Alibaba's shape; ``code`` is Alibaba's, not a vodcover code."""

    code = "InternalError"
    status: ClassVar[int] = 500


class MissingParameter(AlibabaError):
    code = "MissingParameter"
    status = 400

    def __init__(self, name: str) -> None:
        super().__init__(
            f'The input parameter "{name}" that is mandatory for processing this request is not supplied.'
        )


class InvalidParameter(AlibabaError):
    code = "InvalidParameter"
    status = 400


class IncompleteSignature(AlibabaError):
    code = "IncompleteSignature"
    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(f"The request signature does not conform to Aliyun standards. {reason}")


class SignatureDoesNotMatch(AlibabaError):
    """The message form is part of the contract: the classic SDK splits it on ':' and compares
    the second part with its own string to sign (equal means a wrong secret)."""

    code = "SignatureDoesNotMatch"
    status = 400

    def __init__(self, string_to_sign: str) -> None:
        super().__init__(
            "Specified signature is not matched with our calculation. "
            f"server string to sign is:{string_to_sign}"
        )


class AccessKeyNotFound(AlibabaError):
    code = "InvalidAccessKeyId.NotFound"
    status = 404

    def __init__(self) -> None:
        super().__init__("Specified access key is not found.")


class TimestampExpired(AlibabaError):
    code = "InvalidTimeStamp.Expired"
    status = 400

    def __init__(self) -> None:
        super().__init__("Specified time stamp or date value is expired.")


class TimestampFormat(AlibabaError):
    code = "InvalidTimeStamp.Format"
    status = 400

    def __init__(self) -> None:
        super().__init__("Specified time stamp or date value is not well formatted.")


class SignatureNonceUsed(AlibabaError):
    code = "SignatureNonceUsed"
    status = 400

    def __init__(self) -> None:
        super().__init__("Specified signature nonce was used already.")


class InvalidVersion(AlibabaError):
    code = "InvalidVersion"
    status = 400

    def __init__(self, version: str) -> None:
        super().__init__(f"Specified parameter Version is not valid: {version!r}.")


class UnknownAction(AlibabaError):
    code = "InvalidAction.NotFound"
    status = 404

    def __init__(self) -> None:
        super().__init__("Specified api is not found, please check your url and method.")


class InternalError(AlibabaError):
    code = "InternalError"
    status = 500

    def __init__(self) -> None:
        super().__init__("The request processing has failed due to some unknown error.")
