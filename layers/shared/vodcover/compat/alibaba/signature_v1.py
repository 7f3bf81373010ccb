"""Alibaba's RPC signature version 1.0, as aliyun-python-sdk-core computes it.

``Signature = base64(HMAC(secret + "&", METHOD + "&%2F&" + encode(canonical query)))`` where the
canonical query is every parameter but ``Signature`` (query and form body, blank values kept),
sorted by name, each name and value percent-encoded by RFC 3986 (only ``A-Za-z0-9-_.~`` left as
they are), joined by ``&``. The method is the request's real one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote

# SignatureMethod → digest; the classic SDK signs with HMAC-SHA1 unless told otherwise.
DIGESTS = {"HMAC-SHA1": hashlib.sha1, "HMAC-SHA256": hashlib.sha256}
SIGNATURE_VERSION = "1.0"


def percent_encode(value: str) -> str:
    return quote(value, safe="~", encoding="utf-8")


def string_to_sign(method: str, parameters: Mapping[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(name)}={percent_encode(value)}"
        for name, value in sorted(parameters.items())
        if name != "Signature"
    )
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical)}"


def signature(text: str, secret: str, signature_method: str = "HMAC-SHA1") -> str:
    digest = hmac.new(f"{secret}&".encode(), text.encode(), DIGESTS[signature_method]).digest()
    return base64.b64encode(digest).decode("ascii")
