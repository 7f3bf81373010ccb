"""Check AWS SigV4 signatures the way API Gateway's IAM authorizer does, against local users.

The signature is recomputed with botocore's own :class:`~botocore.auth.SigV4Auth` over the
request as received (method, raw path, raw query, the headers the caller says it signed, the
payload hash), so any client that can call API Gateway (boto3/botocore, ``curl --aws-sigv4``,
``aws-requests-auth``…) works unchanged against the local stack. Both forms are accepted: the
``Authorization`` header and the presigned query string (``X-Amz-Signature=…``).
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
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
_AUTH_FIELD = re.compile(r"(\w+)=([^,\s]+)")


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
    """Who signed: locally the principal is the access key id (DESIGN §3)."""

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
    """Verify SigV4 for ``execute-api`` against ``users`` (access key id → secret)."""

    def __init__(
        self,
        users: Mapping[str, str],
        *,
        service: str = SERVICE,
        max_skew: timedelta = MAX_SKEW,
        now: type[datetime] = datetime,
    ) -> None:
        self.users = dict(users)
        self.service = service
        self.max_skew = max_skew
        self._now = now

    def verify(self, request: ReceivedRequest) -> Caller:
        """The caller, or :class:`AuthMissing` (no signature) / :class:`AuthInvalid` (bad one)."""
        signature = _parse(request)
        secret = self.users.get(signature.access_key)
        if secret is None:
            raise AuthInvalid("The security token included in the request is invalid.")
        if signature.service != self.service or signature.date != signature.timestamp[:8]:
            raise AuthInvalid("Credential should be scoped to a valid region and the execute-api service.")
        self._check_time(signature)
        self._check_payload_hash(request)
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

    def _check_time(self, signature: _Signature) -> None:
        try:
            signed_at = datetime.strptime(signature.timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise AuthInvalid("X-Amz-Date is not a valid ISO 8601 basic timestamp.") from None
        now = self._now.now(UTC)
        if signature.expires is not None:
            if now > signed_at + timedelta(seconds=signature.expires) or signed_at - now > self.max_skew:
                raise AuthInvalid("Signature expired.")
        elif abs(now - signed_at) > self.max_skew:
            raise AuthInvalid("Signature expired: the request time is more than 5 minutes away from now.")

    @staticmethod
    def _check_payload_hash(request: ReceivedRequest) -> None:
        declared = request.header("x-amz-content-sha256")
        if declared is None or declared == UNSIGNED_PAYLOAD:
            return  # without the header the hash of the body is part of the signature itself
        if not hmac.compare_digest(declared.lower(), hashlib.sha256(request.body).hexdigest()):
            raise AuthInvalid("The provided x-amz-content-sha256 header does not match the body.")


def _parse(request: ReceivedRequest) -> _Signature:
    authorization = request.header("authorization")
    query = dict(parse_qsl(request.raw_query, keep_blank_values=True))
    if authorization:
        return _parse_header(authorization, request)
    if "X-Amz-Signature" in query:
        return _parse_query(query)
    raise AuthMissing("Missing Authentication Token: sign the request with AWS SigV4 (execute-api).")


def _parse_header(authorization: str, request: ReceivedRequest) -> _Signature:
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise AuthInvalid(f"Authorization header must use {ALGORITHM}.")
    fields = dict(_AUTH_FIELD.findall(rest))
    timestamp = request.header("x-amz-date")
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys() or timestamp is None:
        raise AuthInvalid(
            "Authorization header requires Credential, SignedHeaders, Signature and X-Amz-Date."
        )
    return _signature(fields["Credential"], fields["SignedHeaders"], fields["Signature"], timestamp, None)


def _parse_query(query: Mapping[str, str]) -> _Signature:
    try:
        if query["X-Amz-Algorithm"] != ALGORITHM:
            raise AuthInvalid(f"X-Amz-Algorithm must be {ALGORITHM}.")
        return _signature(
            query["X-Amz-Credential"],
            query["X-Amz-SignedHeaders"],
            query["X-Amz-Signature"],
            query["X-Amz-Date"],
            int(query["X-Amz-Expires"]),
        )
    except (KeyError, ValueError):
        raise AuthInvalid("A presigned request needs every X-Amz-* query parameter.") from None


def _signature(
    credential: str, signed_headers: str, signature: str, timestamp: str, expires: int | None
) -> _Signature:
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise AuthInvalid("Credential must be ACCESS_KEY/DATE/REGION/SERVICE/aws4_request.")
    access_key, date, region, service, _ = parts
    return _Signature(
        access_key=access_key,
        date=date,
        region=region,
        service=service,
        signed_headers=tuple(h.strip().lower() for h in signed_headers.split(";") if h.strip()),
        signature=signature.lower(),
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
