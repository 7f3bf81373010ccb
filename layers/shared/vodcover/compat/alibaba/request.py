"""An HTTP request as received, and how to tell an Alibaba RPC call from any other request.

Signatures are computed over what the client sent, so the request keeps the raw (still
percent-encoded) path and query and the body as bytes. Parameters keep blank values
(``SignatureType=`` is signed by the classic SDK) and a name given twice is refused: a
signature over one value must never authorise another.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qsl

from vodcover.compat.alibaba.errors import InvalidParameter

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
ACS3_PREFIX = "ACS3-"


class SigningScheme(StrEnum):
    """Alibaba's two ways of signing an RPC call."""

    RPC_V1 = "rpc-v1"  # aliyun-python-sdk-core: Signature in the query, HMAC-SHA1, base64
    ACS3 = "acs3"  # alibabacloud Tea/OpenAPI: Authorization: ACS3-HMAC-SHA256 …, hex


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it arrived: raw path and query, every header (repeats kept), bytes body."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return ",".join(values) if values else None

    def header_values(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    @property
    def host(self) -> str:
        return self.header("host") or ""

    def query_pairs(self) -> list[tuple[str, str]]:
        return parameter_pairs(self.raw_query)

    def form_pairs(self) -> list[tuple[str, str]]:
        """Parameters sent as a form body (signed like query parameters by the classic SDK)."""
        content_type = (self.header("content-type") or "").split(";", 1)[0].strip().lower()
        if content_type != FORM_CONTENT_TYPE or not self.body:
            return []
        try:
            return parameter_pairs(self.body.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidParameter("The form body is not UTF-8.") from None


def parameter_pairs(encoded: str) -> list[tuple[str, str]]:
    """Decode ``a=1&b=&c`` into pairs, blank values kept, nothing dropped silently."""
    try:
        return parse_qsl(encoded, keep_blank_values=True, encoding="utf-8", errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidParameter("The query string is not valid UTF-8 percent-encoding.") from None


def unique_parameters(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Pairs as a mapping; a parameter given twice is ambiguous, so it is refused."""
    parameters: dict[str, str] = {}
    for name, value in pairs:
        if name in parameters:
            raise InvalidParameter(f'The parameter "{name}" is given more than once.')
        parameters[name] = value
    return parameters


def signing_scheme(request: ReceivedRequest, query: Mapping[str, str]) -> SigningScheme | None:
    """Which scheme the request uses, or None when it is no Alibaba RPC call at all.

    The classic SDK sends ``x-acs-action`` headers too, so the header alone does not make a
    request ACS3: the ``Authorization`` algorithm, or a ``Signature`` parameter, decides.
    """
    authorization = request.header("authorization") or ""
    if authorization.startswith(ACS3_PREFIX):
        return SigningScheme.ACS3
    if "Signature" in query or "Action" in query:
        return SigningScheme.RPC_V1
    if request.header("x-acs-action") is not None:
        return SigningScheme.ACS3
    return None


def is_rpc_request(request: ReceivedRequest) -> bool:
    """An ``Action`` parameter or an ``x-acs-action`` header marks an Alibaba RPC call.

    Decided on the raw query, without decoding it, so that a malformed query still reaches the
    front that owns it (and its errors) instead of failing here.
    """
    if request.header("x-acs-action") is not None:
        return True
    return any(part.split("=", 1)[0] == "Action" for part in request.raw_query.split("&"))
