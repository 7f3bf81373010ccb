"""Who signed an Alibaba RPC call, checked as Alibaba's gateway checks it.

Order of checks: the scheme and its mandatory fields, the timestamp (±15 minutes), the access
key, the signature (constant-time), and only then the nonce, so that nobody without the secret
can use up someone else's nonces. A nonce is remembered for as long as its timestamp would be
accepted, per access key.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from vodcover.compat.alibaba import signature_acs3, signature_v1
from vodcover.compat.alibaba.errors import (
    AccessKeyNotFound,
    IncompleteSignature,
    InvalidParameter,
    MissingParameter,
    SignatureDoesNotMatch,
    SignatureNonceUsed,
    TimestampExpired,
    TimestampFormat,
)
from vodcover.compat.alibaba.keys import ACCESS_KEY_ID_PATTERN, SigningKey
from vodcover.compat.alibaba.request import ReceivedRequest, SigningScheme, signing_scheme, unique_parameters

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # both schemes: Timestamp and x-acs-date
WINDOW = timedelta(minutes=15)
MAX_NONCE_LENGTH = 256  # SDKs send 32 to 36 characters; the nonce store's keys are bounded
# Parameters of the classic scheme that authenticate rather than ask for something.
V1_SIGNING_PARAMETERS = (
    "AccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
)


class SigningKeys(Protocol):
    """Where secrets are looked up (``key_store.KmsAccessKeyStore``)."""

    def signing_key(self, access_key_id: str) -> SigningKey | None: ...


class NonceStore(Protocol):
    """Where nonces are remembered (``nonce_store.DynamoNonceStore``)."""

    def claim(self, access_key_id: str, nonce: str, *, now: datetime, expires_at: datetime) -> bool:
        """Remember the nonce until ``expires_at``; False when it is already remembered."""
        ...


@dataclass(frozen=True)
class VerifiedCall:
    """A call whose signature checked out: who made it and what it asks for."""

    access_key_id: str
    owner: str
    scheme: SigningScheme
    action: str
    version: str
    parameters: Mapping[str, str]  # query and form parameters, the signing ones included


@dataclass(frozen=True)
class _Claim:
    access_key_id: str
    timestamp: str
    nonce: str


class AlibabaVerifier:
    """Verify either scheme against ``keys``, refusing replays through ``nonces``."""

    def __init__(
        self,
        keys: SigningKeys,
        nonces: NonceStore,
        *,
        window: timedelta = WINDOW,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._keys = keys
        self._nonces = nonces
        self._window = window
        self._clock = clock

    def verify(self, request: ReceivedRequest) -> VerifiedCall:
        query = unique_parameters(request.query_pairs())
        scheme = signing_scheme(request, query)
        if scheme is SigningScheme.ACS3:
            return self._verify_acs3(request, query)
        if scheme is SigningScheme.RPC_V1:
            return self._verify_v1(request, query)
        raise MissingParameter("Action")

    # --- aliyun-python-sdk-core: HMAC-SHA1, everything in the query ----------------------------
    def _verify_v1(self, request: ReceivedRequest, query: dict[str, str]) -> VerifiedCall:
        parameters = unique_parameters([*query.items(), *request.form_pairs()])
        for name in ("Action", "Version", *V1_SIGNING_PARAMETERS):
            if not parameters.get(name):
                raise MissingParameter(name)
        method = parameters["SignatureMethod"]
        if method not in signature_v1.DIGESTS:
            raise IncompleteSignature(f"The SignatureMethod {method!r} is not supported.")
        if parameters["SignatureVersion"] != signature_v1.SIGNATURE_VERSION:
            raise IncompleteSignature(
                f"The SignatureVersion {parameters['SignatureVersion']!r} is not supported."
            )
        claim = _Claim(parameters["AccessKeyId"], parameters["Timestamp"], parameters["SignatureNonce"])
        now, expires_at = self._check_claim(claim)
        key = self._key(claim.access_key_id)
        text = signature_v1.string_to_sign(request.method, parameters)
        expected = signature_v1.signature(text, key.secret.get_secret_value(), method)
        if not hmac.compare_digest(expected.encode(), parameters["Signature"].encode()):
            raise SignatureDoesNotMatch(text)
        self._claim_nonce(claim, now, expires_at)
        return VerifiedCall(
            claim.access_key_id,
            key.owner,
            SigningScheme.RPC_V1,
            parameters["Action"],
            parameters["Version"],
            parameters,
        )

    # --- Tea/OpenAPI: ACS3-HMAC-SHA256 over the client's SignedHeaders ---------------------------
    def _verify_acs3(self, request: ReceivedRequest, query: dict[str, str]) -> VerifiedCall:
        authorization_header = request.header("authorization")
        if not authorization_header:
            raise IncompleteSignature("The Authorization header is missing.")
        authorization = signature_acs3.parse_authorization(authorization_header)
        header_names = {name.lower() for name, _ in request.headers}
        unsigned = {n for n in header_names if n.startswith("x-acs-")} - set(authorization.signed_headers)
        missing = signature_acs3.REQUIRED_SIGNED_HEADERS - set(authorization.signed_headers)
        if missing or unsigned:
            named = ", ".join(sorted(missing | unsigned))
            raise IncompleteSignature(f"These headers must be present and signed: {named}.")
        values = {name: request.header_values(name) for name in authorization.signed_headers}
        for name in sorted(signature_acs3.REQUIRED_SIGNED_HEADERS):
            if not values[name]:
                raise MissingParameter(name)
            if len(values[name]) > 1:
                raise IncompleteSignature(f"The {name} header is given more than once.")
        body_hash = signature_acs3.payload_hash(request.body)
        if values["x-acs-content-sha256"] != [body_hash]:
            raise IncompleteSignature("The x-acs-content-sha256 header does not match the request body.")
        action, version = values["x-acs-action"][0], values["x-acs-version"][0]
        claim = _Claim(
            authorization.access_key_id, values["x-acs-date"][0], values["x-acs-signature-nonce"][0]
        )
        now, expires_at = self._check_claim(claim)
        key = self._key(claim.access_key_id)
        canonical = signature_acs3.canonical_request(
            request.method, request.raw_path, query, values, authorization.signed_headers, body_hash
        )
        text = signature_acs3.string_to_sign(canonical)
        expected = signature_acs3.signature(text, key.secret.get_secret_value())
        if not hmac.compare_digest(expected.encode(), authorization.signature.encode()):
            raise SignatureDoesNotMatch(text)
        self._claim_nonce(claim, now, expires_at)
        parameters = unique_parameters([*query.items(), *request.form_pairs()])
        return VerifiedCall(claim.access_key_id, key.owner, SigningScheme.ACS3, action, version, parameters)

    # --- shared steps ----------------------------------------------------------------------------
    def _check_claim(self, claim: _Claim) -> tuple[datetime, datetime]:
        """Bounded fields (stores have key limits), then the time: answers now and when the
        nonce may be forgotten."""
        if len(claim.nonce) > MAX_NONCE_LENGTH:
            raise InvalidParameter(f"The signature nonce is longer than {MAX_NONCE_LENGTH} characters.")
        return self._check_time(claim.timestamp)

    def _check_time(self, timestamp: str) -> tuple[datetime, datetime]:
        """The request's time must be within the window; answers now and when the nonce may go."""
        try:
            signed_at = datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=UTC)
        except ValueError:
            raise TimestampFormat() from None
        now = self._clock()
        if abs(now - signed_at) > self._window:
            raise TimestampExpired()
        return now, signed_at + self._window

    def _key(self, access_key_id: str) -> SigningKey:
        if not ACCESS_KEY_ID_PATTERN.fullmatch(access_key_id):
            raise AccessKeyNotFound()  # no such key can exist; do not ask the store
        key = self._keys.signing_key(access_key_id)
        if key is None:
            raise AccessKeyNotFound()
        return key

    def _claim_nonce(self, claim: _Claim, now: datetime, expires_at: datetime) -> None:
        if not self._nonces.claim(claim.access_key_id, claim.nonce, now=now, expires_at=expires_at):
            raise SignatureNonceUsed()
