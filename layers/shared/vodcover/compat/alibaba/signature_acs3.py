"""Alibaba's V3 signature (ACS3-HMAC-SHA256), as the Tea/OpenAPI SDKs compute it.

The canonical request is ``METHOD\\nPATH\\nQUERY\\nHEADERS\\nSIGNED-HEADERS\\nPAYLOAD-HASH``: the
query sorted by name with RFC 3986 encoding, each signed header as ``name:value\\n`` (names
lowercase and sorted, values trimmed), the payload hash the hex SHA-256 of the body. The string
to sign is ``ACS3-HMAC-SHA256\\n`` + hex SHA-256 of the canonical request; the signature is the
hex HMAC-SHA256 of that with the secret. Only the headers the client lists in ``SignedHeaders``
count (``host`` with its port, as sent), so headers a proxy adds later change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from vodcover.compat.alibaba.errors import IncompleteSignature
from vodcover.compat.alibaba.signature_v1 import percent_encode

ALGORITHM = "ACS3-HMAC-SHA256"
# Headers a client must sign: without them a signature could be replayed elsewhere or reused
# for another action, version or body.
REQUIRED_SIGNED_HEADERS = frozenset(
    {"host", "x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256"}
)
_FIELD = re.compile(r"\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*")


@dataclass(frozen=True)
class Authorization:
    """The parsed ``Authorization`` header."""

    access_key_id: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str) -> Authorization:
    algorithm, _, fields_text = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignature(f"The signature algorithm {algorithm!r} is not supported.")
    fields: dict[str, str] = {}
    for part in fields_text.split(","):
        match = _FIELD.fullmatch(part)
        if not match or match.group(1) in fields:
            raise IncompleteSignature("The Authorization header is malformed.")
        fields[match.group(1)] = match.group(2)
    if set(fields) != {"Credential", "SignedHeaders", "Signature"} or not all(fields.values()):
        raise IncompleteSignature("The Authorization header needs Credential, SignedHeaders and Signature.")
    signed = tuple(name.lower() for name in fields["SignedHeaders"].split(";") if name)
    return Authorization(fields["Credential"], signed, fields["Signature"].lower())


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    raw_path: str,
    query: Mapping[str, str],
    header_values: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    body_hash: str,
) -> str:
    names = sorted(set(signed_headers))
    canonical_query = "&".join(
        f"{percent_encode(name)}={percent_encode(value)}" for name, value in sorted(query.items())
    )
    canonical_headers = "".join(
        f"{name}:{','.join(sorted(v.strip() for v in header_values.get(name, ())))}\n" for name in names
    )
    return "\n".join(
        [method.upper(), raw_path or "/", canonical_query, canonical_headers, ";".join(names), body_hash]
    )


def string_to_sign(canonical: str) -> str:
    return f"{ALGORITHM}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def signature(text: str, secret: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()
