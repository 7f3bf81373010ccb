"""CloudFront signed URLs for a private library (docs/embedding.md, "Private libraries").

botocore's ``CloudFrontSigner`` builds the policy, CloudFront's URL-safe base64 and the query
(``Policy``, ``Signature``, ``Key-Pair-Id``); the RSA-SHA1 signature comes from ``rsa``
(pure Python, ~1.3 MB with pyasn1, where ``cryptography`` would add 16 MB to a layer kept under
the API functions' 20 MiB budget), sped up with the Chinese remainder theorem. The private key
lives in Secrets Manager and is read on the first URL signed, once per process (a cold start).

Expiry times are rounded up to a whole ``EXPIRY_STEP_SECONDS``: a URL handed out twice within a
step is the same URL, so browsers keep the image cached across answers and the process signs a
video once per step (``SIGNED_SCOPES_KEPT``). A URL lives at least ``UrlTtlSeconds``, less than a
step longer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property, lru_cache
from typing import Any

from vodcover.dal.aws import client

EXPIRY_STEP_SECONDS = 60
SIGNED_SCOPES_KEPT = 4096  # videos whose query (~600 bytes) a process keeps per expiry step


class SigningKeyInvalid(RuntimeError):
    """The secret holds no RSA private key in PEM: the function cannot sign URLs."""


def load_private_key(pem: str) -> Any:
    """A CRT-signing ``rsa.PrivateKey`` from PEM: PKCS#1 (``BEGIN RSA PRIVATE KEY``) or PKCS#8
    (``BEGIN PRIVATE KEY``, what ``openssl genrsa`` writes since OpenSSL 3)."""
    import rsa
    from pyasn1.codec.der import decoder

    data = pem.strip().encode()
    try:
        if b"-----BEGIN RSA PRIVATE KEY-----" in data:
            key = rsa.PrivateKey.load_pkcs1(data, format="PEM")
        else:
            # PrivateKeyInfo ::= SEQUENCE { version, algorithm, privateKey OCTET STRING (PKCS#1) }
            info, _ = decoder.decode(rsa.pem.load_pem(data, "PRIVATE KEY"))
            key = rsa.PrivateKey.load_pkcs1(bytes(info[2]), format="DER")
    except Exception as exc:  # rsa and pyasn1 raise many kinds; all mean "not a key"
        raise SigningKeyInvalid(f"the URL signing secret holds no RSA private key in PEM ({exc})") from None
    return _crt_key_class()(key.n, key.e, key.d, key.p, key.q)


@lru_cache(maxsize=1)
def _crt_key_class() -> type:
    """rsa 4.9 exponentiates modulo n when signing; modulo p and q it is ~4x faster (rsa is
    imported only by functions that sign)."""
    import rsa

    class CrtPrivateKey(rsa.PrivateKey):
        def blinded_encrypt(self, message: int) -> int:
            blinded, inverse = self.blind(message)  # rsa's blinding against timing attacks
            s1 = pow(blinded, self.exp1, self.p)
            s2 = pow(blinded, self.exp2, self.q)
            signed = s2 + self.q * (((s1 - s2) * self.coef) % self.p)
            if pow(signed, self.e, self.n) != blinded:  # a fault in one half would leak p or q
                raise SigningKeyInvalid("an RSA signature did not verify: refusing to hand it out")
            return int(self.unblind(signed, inverse))

    return CrtPrivateKey


class CdnUrlSigner:
    """Signs CDN URLs: one custom policy per video, ending at least ``ttl_seconds`` from now.

    ``scope`` is the policy's resource, a CloudFront wildcard over every object of one video
    (``https://<cdn>/*/{videoId}/*``, :meth:`MediaStore.viewer_url`): an answer's thirty-odd URLs
    of a video share one signature (7.5 CPU-ms each with ``rsa``, docs/embedding.md), and a URL
    passed on opens that video's images for the lifetime, never another video's.
    """

    def __init__(
        self,
        key_pair_id: str,
        private_key_secret: str,
        *,
        ttl_seconds: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.key_pair_id = key_pair_id
        self._secret = private_key_secret
        self._ttl = ttl_seconds
        self._clock = clock
        self._queries = lru_cache(maxsize=SIGNED_SCOPES_KEPT)(self._query)

    @cached_property
    def _signer(self) -> Any:
        import rsa
        from botocore.signers import CloudFrontSigner

        answer = client("secretsmanager").get_secret_value(SecretId=self._secret)
        key = load_private_key(str(answer.get("SecretString") or ""))
        return CloudFrontSigner(self.key_pair_id, lambda message: rsa.sign(message, key, "SHA-1"))

    def sign(self, url: str, scope: str) -> str:
        """``url`` with ``Policy``, ``Signature`` and ``Key-Pair-Id``; ``scope`` must cover it."""
        earliest = int(self._clock()) + self._ttl
        expires = -(-earliest // EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS
        return f"{url}{'&' if '?' in url else '?'}{self._queries(scope, expires)}"

    def _query(self, scope: str, expires: int) -> str:
        signer = self._signer
        policy = signer.build_policy(scope, datetime.fromtimestamp(expires, UTC))
        # botocore appends the query to the URL it is given: give it none and keep the query
        return str(signer.generate_presigned_url("", policy=policy)).removeprefix("?")
