"""The RPC endpoint's frame: one request in, one Alibaba-shaped answer out, whatever happens.

The format and request id are fixed before anything can fail, so every refusal reaches the
SDK in a body it reads. Then: the root path only, the signature (``verifier``), the version,
and the action (``dispatch``) with the key's owner as the caller. vodcover's errors keep their
codes, except where Alibaba's SDKs and scripts know another name for the same refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from vodcover.compat.alibaba.actions.context import ActionCall, UseCases
from vodcover.compat.alibaba.dispatch import run_action
from vodcover.compat.alibaba.errors import (
    AlibabaError,
    InternalError,
    InvalidParameter,
    InvalidVersion,
    UnknownAction,
    status_of,
)
from vodcover.compat.alibaba.parameters import ActionParameters, CountExceededMax
from vodcover.compat.alibaba.rendering import (
    RpcAnswer,
    error_answer,
    new_request_id,
    response_format,
    result_answer,
)
from vodcover.compat.alibaba.request import ReceivedRequest, is_rpc_request
from vodcover.compat.alibaba.verifier import AlibabaVerifier
from vodcover.errors import BatchTooLarge, IllegalStatus, NotOwner, VodcoverError
from vodcover.errors import InvalidParameter as ProductInvalidParameter

logger = logging.getLogger(__name__)
VERSION = "2017-03-21"
RPC_PATHS = frozenset({"", "/"})


class Forbidden(AlibabaError):
    code = "Forbidden"
    status = 403


class ForbiddenIllegalStatus(AlibabaError):
    code = "Forbidden.IllegalStatus"
    status = 400


def as_alibaba(error: VodcoverError) -> VodcoverError:
    """vodcover's refusal under the name Alibaba gives it, when Alibaba has one."""
    if isinstance(error, AlibabaError):
        return error
    if isinstance(error, NotOwner):
        return Forbidden(error.message)
    if isinstance(error, IllegalStatus):
        return ForbiddenIllegalStatus(error.message)
    if isinstance(error, BatchTooLarge):
        return CountExceededMax(error.message)
    if error.code.startswith(ProductInvalidParameter.family):
        return InvalidParameter(error.message)
    return error


class RpcEndpoint:
    """Verify with ``verifier``; run actions on the use cases ``cases()`` builds (lazily, so a
    refused call never wires anything)."""

    def __init__(self, verifier: AlibabaVerifier, cases: Callable[[], UseCases]) -> None:
        self._verifier = verifier
        self._cases = cases

    def answer(self, request: ReceivedRequest) -> RpcAnswer:
        fmt = response_format(request)
        request_id = new_request_id()
        action = ""
        try:
            if request.raw_path not in RPC_PATHS or not is_rpc_request(request):
                raise UnknownAction()
            verified = self._verifier.verify(request)
            action = verified.action
            if verified.version != VERSION:
                raise InvalidVersion(verified.version)
            result = run_action(
                action, ActionCall(verified.owner, self._cases()), ActionParameters(verified.parameters)
            )
            return result_answer(action, result, fmt, request_id=request_id)
        except VodcoverError as exc:
            error = as_alibaba(exc)
            if status_of(error) >= 500:
                logger.error("%s failed", action, extra={"code": error.code, "detail": error.detail[-500:]})
            return error_answer(error, fmt, request_id=request_id, host_id=request.host)
        except Exception:
            logger.exception("%s failed unexpectedly", action or "an Alibaba call")
            return error_answer(InternalError(), fmt, request_id=request_id, host_id=request.host)
