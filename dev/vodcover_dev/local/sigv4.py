"""Check AWS SigV4 signatures the way API Gateway's IAM authorizer does, against local users.

The signature is recomputed with botocore's own :class:`~botocore.auth.SigV4Auth` over the
request as received (method, raw path, raw query, the headers the caller says it signed, the
payload hash), so any client that can call API Gateway (boto3/botocore, ``curl --aws-sigv4``,
``aws-requests-auth``…) works unchanged against the local stack. Both forms are accepted: the
``Authorization`` header and the presigned query string (``X-Amz-Signature=…``).

Everything API Gateway refuses is refused, and a little more (never less): a scope for another
region, service or day than the request's, ``host`` (and ``x-amz-date``) not signed, a header
signed twice, a presigned URL valid for more than 7 days, a clock more than 5 minutes off, and
``UNSIGNED-PAYLOAD`` on a request that has a body (its bytes would be covered by nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from vodcover.errors import AuthInvalid, AuthMissing

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
MAX_SKEW = timedelta(minutes=5)
MAX_PRESIGNED_EXPIRES = 604_800  # 7 days, SigV4's ceiling for X-Amz-Expires
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_TIMESTAMP = re.compile(r"\d{8}T\d{6}Z")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")
_HEADER_NAME = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+")
_AUTH_PARTS = ("Credential", "SignedHeaders", "Signature")
_QUERY_PARTS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
)


@dataclass(frozen=True)
class ReceivedRequest:
    """A request as it arrived: raw (still percent-encoded) path and query, bytes body."""

    method: str
    host: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        values = [v for k, v in self.headers if k.lower() == name]
        return ",".join(values) if values else None


@dataclass(frozen=True)
class Caller:
    """Who signed: locally the principal is the access key id (see docs/design.md)."""

    access_key: str
    region: str


@dataclass(frozen=True)
class _Signature:
    access_key: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str
    expires: int | None  # presigned URLs only


class SigV4Verifier:
    """Verify SigV4 for ``execute-api`` in ``region`` against ``users`` (access key id → secret)."""

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        region: str = "us-east-1",
        service: str = SERVICE,
        max_skew: timedelta = MAX_SKEW,
        now: type[datetime] = datetime,
    ) -> None:
        self.users = dict(users)
        self.region = region
        self.service = service
        self.max_skew = max_skew
        self._now = now

    def verify(self, request: ReceivedRequest) -> Caller:
        """The caller, or :class:`AuthMissing` (no signature) / :class:`AuthInvalid` (bad one)."""
        signature = _parse(request)
        if request.header("x-amz-security-token") is not None or "X-Amz-Security-Token=" in request.raw_query:
            raise AuthInvalid("The security token included in the request is invalid: no local user has one.")
        self._check_scope(signature)
        secret = self.users.get(signature.access_key)
        if secret is None:
            raise AuthInvalid("The security token included in the request is invalid.")
        self._check_time(signature)
        _check_payload_hash(request)
        if not any(
            hmac.compare_digest(
                _compute_signature(request, signature, secret, encode_path), signature.signature
            )
            for encode_path in _PATH_ENCODINGS[: 2 if "%" in request.raw_path else 1]
        ):
            raise AuthInvalid(
                "The request signature we calculated does not match the signature you provided."
            )
        return Caller(signature.access_key, signature.region)

    def _check_scope(self, signature: _Signature) -> None:
        if signature.date != signature.timestamp[:8]:
            raise AuthInvalid(
                f"Date in Credential scope does not match YYYYMMDD from X-Amz-Date: "
                f"{signature.date} != {signature.timestamp[:8]}."
            )
        if signature.region != self.region:
            raise AuthInvalid(
                f"Credential should be scoped to a valid region: {signature.region!r} is not {self.region!r}."
            )
        if signature.service != self.service:
            raise AuthInvalid(f"Credential should be scoped to correct service: {self.service!r}.")

    def _check_time(self, signature: _Signature) -> None:
        try:
            signed_at = datetime.strptime(signature.timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise AuthInvalid("X-Amz-Date is not a valid ISO 8601 basic timestamp.") from None
        now = self._now.now(UTC)
        if signed_at - now > self.max_skew:
            raise AuthInvalid("Signature not yet current: X-Amz-Date is more than 5 minutes ahead of now.")
        if signature.expires is not None:
            if now > signed_at + timedelta(seconds=signature.expires):
                raise AuthInvalid("Signature expired.")
        elif now - signed_at > self.max_skew:
            raise AuthInvalid("Signature expired: the request time is more than 5 minutes away from now.")


def _check_payload_hash(request: ReceivedRequest) -> None:
    """A declared hash must be the body's; ``UNSIGNED-PAYLOAD`` only where there is no body.

    Without the header the body's hash is part of the signature itself.
    """
    declared = request.header("x-amz-content-sha256")
    if declared is None:
        return
    if declared == UNSIGNED_PAYLOAD:
        if request.body:
            raise AuthInvalid(
                "UNSIGNED-PAYLOAD is refused for a request with a body: sign the body's SHA-256."
            )
        return
    if not _HEX_SHA256.fullmatch(declared) or not hmac.compare_digest(
        declared, hashlib.sha256(request.body).hexdigest()
    ):
        raise AuthInvalid("The provided x-amz-content-sha256 header does not match the body.")


def _parse(request: ReceivedRequest) -> _Signature:
    authorization = request.header("authorization")
    pairs = parse_qsl(request.raw_query, keep_blank_values=True)
    presigned = any(name.startswith("X-Amz-") for name, _ in pairs)
    if authorization is not None and presigned and any(name == "X-Amz-Signature" for name, _ in pairs):
        raise AuthInvalid("Only one auth mechanism allowed: the Authorization header or X-Amz-Signature.")
    if authorization is not None:
        return _parse_header(authorization, request)
    if presigned:
        return _parse_query(pairs)
    raise AuthMissing("Missing Authentication Token: sign the request with AWS SigV4 (execute-api).")


def _parse_header(authorization: str, request: ReceivedRequest) -> _Signature:
    """``AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…``: each part exactly once."""
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthInvalid(f"Authorization header must use {ALGORITHM}.")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or name not in _AUTH_PARTS or name in fields or not value or " " in value:
            raise AuthInvalid(
                "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature', "
                "each once, as Name=Value separated by commas."
            )
        fields[name] = value
    if len(fields) != len(_AUTH_PARTS):
        raise AuthInvalid("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.")
    timestamp = request.header("x-amz-date")
    if timestamp is None:
        raise AuthInvalid("Authorization header requires existence of the 'X-Amz-Date' header.")
    signature = _signature(
        fields["Credential"], fields["SignedHeaders"], fields["Signature"], timestamp, None
    )
    if "x-amz-date" not in signature.signed_headers:
        raise AuthInvalid("'X-Amz-Date' must be a signed header.")
    return signature


def _parse_query(pairs: Sequence[tuple[str, str]]) -> _Signature:
    query: dict[str, str] = {}
    for name, value in pairs:
        if name in _QUERY_PARTS:
            if name in query:
                raise AuthInvalid(f"{name} appears more than once in the query string.")
            query[name] = value
    missing = [name for name in _QUERY_PARTS if name not in query]
    if missing:
        raise AuthInvalid(f"A presigned request needs every X-Amz-* parameter; missing {', '.join(missing)}.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise AuthInvalid(f"X-Amz-Algorithm must be {ALGORITHM}.")
    expires_text = query["X-Amz-Expires"]
    if not expires_text.isascii() or not expires_text.isdigit():
        raise AuthInvalid("X-Amz-Expires must be a whole number of seconds.")
    expires = int(expires_text)
    if not 1 <= expires <= MAX_PRESIGNED_EXPIRES:
        raise AuthInvalid(
            f"X-Amz-Expires must be between 1 and {MAX_PRESIGNED_EXPIRES} seconds (7 days), not {expires}."
        )
    return _signature(
        query["X-Amz-Credential"],
        query["X-Amz-SignedHeaders"],
        query["X-Amz-Signature"],
        query["X-Amz-Date"],
        expires,
    )


def _signature(
    credential: str, signed_headers: str, signature: str, timestamp: str, expires: int | None
) -> _Signature:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request" or not all(parts):
        raise AuthInvalid("Credential must be ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request.")
    access_key, date, region, service, _ = parts
    if not _TIMESTAMP.fullmatch(timestamp):
        raise AuthInvalid("X-Amz-Date must be an ISO 8601 basic timestamp such as 20260101T000000Z.")
    if not _HEX_SHA256.fullmatch(signature):
        raise AuthInvalid("Signature must be 64 lower-case hexadecimal digits.")
    names = signed_headers.split(";")
    if any(not _HEADER_NAME.fullmatch(name) for name in names):
        raise AuthInvalid("SignedHeaders must be lower-case header names separated by ';'.")
    if len(set(names)) != len(names):
        raise AuthInvalid("SignedHeaders names a header more than once.")
    if names != sorted(names):
        raise AuthInvalid("SignedHeaders must be sorted.")
    if "host" not in names:
        raise AuthInvalid("'Host' must be a signed header.")
    return _Signature(
        access_key=access_key,
        date=date,
        region=region,
        service=service,
        signed_headers=tuple(names),
        signature=signature,
        timestamp=timestamp,
        expires=expires,
    )


# SigV4 wants non-S3 paths URI-encoded twice (botocore, the AWS SDKs); curl's --aws-sigv4
# encodes once. API Gateway accepts what the SDKs send; locally both are accepted.
_PATH_ENCODINGS = (True, False)


def _compute_signature(
    request: ReceivedRequest, signature: _Signature, secret: str, encode_path: bool
) -> str:
    """Rebuild the signer's view of the request and let botocore compute the signature."""
    headers: dict[str, str] = {}
    for name in signature.signed_headers:
        value = request.header(name)
        if value is None:
            if name == "host":
                value = request.host
            else:
                raise AuthInvalid(f"Signed header {name} is missing from the request.")
        headers[name] = value
    query = "&".join(
        pair for pair in request.raw_query.split("&") if pair and not pair.startswith("X-Amz-Signature=")
    )
    url = f"http://{headers.get('host', request.host)}{request.raw_path}" + (f"?{query}" if query else "")
    aws_request = AWSRequest(method=request.method, url=url, headers=headers, data=request.body)
    aws_request.context["timestamp"] = signature.timestamp
    credentials = Credentials(signature.access_key, secret)
    signer = _ExactHeadersSigV4(credentials, signature.service, signature.region, encode_path=encode_path)
    canonical = signer.canonical_request(aws_request)
    return str(signer.signature(signer.string_to_sign(aws_request, canonical), aws_request))


class _ExactHeadersSigV4(SigV4Auth):
    """Sign exactly the headers the caller listed: botocore's signer skips a few on its own
    (``user-agent``, ``expect``), which other clients may well have signed."""

    def __init__(self, credentials: Credentials, service: str, region: str, *, encode_path: bool) -> None:
        super().__init__(credentials, service, region)
        self._encode_path = encode_path

    def _normalize_url_path(self, path: str) -> str:
        return str(super()._normalize_url_path(path)) if self._encode_path else path

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        header_map = HTTPHeaders()
        for name, value in request.headers.items():
            header_map[name.lower()] = value
        return header_map
