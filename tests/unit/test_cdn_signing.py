"""CloudFront signed URLs of a private library (docs/embedding.md, "Private libraries").

A real RSA key pair is made here and its private half put in (moto's) Secrets Manager; every URL
the signer hands out is checked the way CloudFront checks it, with the public half and an
independent RSA implementation (``cryptography``): the ``Policy``, ``Signature`` and
``Key-Pair-Id`` query, CloudFront's URL-safe base64, the policy's resource and expiry.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.support.apigw import api_event, call, load_function
from tests.unit.test_covers_api import ALICE, given_a_video
from vodcover import dependencies
from vodcover.dal.cdn_signing import EXPIRY_STEP_SECONDS, CdnUrlSigner, SigningKeyInvalid
from vodcover.dal.objects import MediaStore
from vodcover.domain import keys
from vodcover.models import CoverPlaceholder, StoredRendition
from vodcover.settings import CdnSigningSettings, SettingsError

pytestmark = pytest.mark.usefixtures("aws")

CDN = "https://d111111abcdef8.cloudfront.net"
KEY_PAIR_ID = "K2JCJMDEHXQW5F"
NOW = 1_800_000_000.0
TTL = 3600


@pytest.fixture(scope="module")
def key_pair() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_of(key: rsa.RSAPrivateKey, form: serialization.PrivateFormat) -> str:
    return key.private_bytes(serialization.Encoding.PEM, form, serialization.NoEncryption()).decode()


@pytest.fixture
def secret_arn(key_pair: rsa.RSAPrivateKey) -> str:
    """The private key as `openssl genrsa` (OpenSSL 3) writes it: PKCS#8 PEM."""
    answer = boto3.client("secretsmanager").create_secret(
        Name="vodcover/cdn-signing-key", SecretString=pem_of(key_pair, serialization.PrivateFormat.PKCS8)
    )
    return str(answer["ARN"])


def cloudfront_b64decode(text: str) -> bytes:
    """CloudFront's URL-safe base64: '-' for '+', '_' for '=', '~' for '/'."""
    return base64.b64decode(text.replace("-", "+").replace("_", "=").replace("~", "/"))


def resource_matches(pattern: str, url: str) -> bool:
    """CloudFront's policy resource: '*' is any run of characters ('/' too), '?' exactly one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, url) is not None


def accepted_by_cloudfront(url: str, public_key: rsa.RSAPublicKey, now: float) -> dict[str, Any]:
    """What CloudFront checks before serving ``url``; the policy statement when every check passes."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert set(query) == {"Policy", "Signature", "Key-Pair-Id"}, query
    assert query["Key-Pair-Id"] == [KEY_PAIR_ID]
    policy = cloudfront_b64decode(query["Policy"][0])
    signature = cloudfront_b64decode(query["Signature"][0])
    try:
        public_key.verify(signature, policy, padding.PKCS1v15(), hashes.SHA1())
    except InvalidSignature:
        pytest.fail(f"the signature of {url} does not verify with the public key")
    (statement,) = json.loads(policy)["Statement"]
    assert resource_matches(statement["Resource"], f"{parts.scheme}://{parts.netloc}{parts.path}")
    assert statement["Condition"]["DateLessThan"]["AWS:EpochTime"] > now
    return dict(statement)


def signer(secret_arn: str, clock: list[float] | None = None) -> CdnUrlSigner:
    moments = clock if clock is not None else [NOW]
    return CdnUrlSigner(KEY_PAIR_ID, secret_arn, ttl_seconds=TTL, clock=lambda: moments[0])


def signed_store(secret_arn: str) -> MediaStore:
    return MediaStore("vodcover-test-media", url_ttl_seconds=TTL, cdn_base_url=CDN, signer=signer(secret_arn))


# --- the signature ---


def test_a_signed_url_verifies_with_the_public_key_and_expires_after_the_lifetime(
    key_pair: rsa.RSAPrivateKey, secret_arn: str
) -> None:
    url = f"{CDN}/{keys.cover_key('vid1', '0' * 32, 'jpg')}"
    signed = signer(secret_arn).sign(url, scope=f"{CDN}/*/vid1/*")
    assert signed.startswith(url + "?")
    statement = accepted_by_cloudfront(signed, key_pair.public_key(), NOW)
    expires = statement["Condition"]["DateLessThan"]["AWS:EpochTime"]
    # at least UrlTtlSeconds, rounded up to a whole step (the same URL for a step: browsers cache it)
    assert NOW + TTL <= expires < NOW + TTL + EXPIRY_STEP_SECONDS
    assert expires % EXPIRY_STEP_SECONDS == 0
    assert set(statement["Condition"]) == {"DateLessThan"}  # no start time, no address: any viewer


def test_a_tampered_signature_or_policy_is_refused(key_pair: rsa.RSAPrivateKey, secret_arn: str) -> None:
    signed = signer(secret_arn).sign(f"{CDN}/snapshots/vid1/0-a.jpg", scope=f"{CDN}/*/vid1/*")
    query = parse_qs(urlsplit(signed).query)
    policy = cloudfront_b64decode(query["Policy"][0])
    widened = policy.replace(b"/*/vid1/*", b"/*")
    with pytest.raises(InvalidSignature):
        key_pair.public_key().verify(
            cloudfront_b64decode(query["Signature"][0]), widened, padding.PKCS1v15(), hashes.SHA1()
        )
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSignature):
        other.public_key().verify(
            cloudfront_b64decode(query["Signature"][0]), policy, padding.PKCS1v15(), hashes.SHA1()
        )


def test_a_pkcs1_private_key_signs_the_same(key_pair: rsa.RSAPrivateKey) -> None:
    arn = boto3.client("secretsmanager").create_secret(
        Name="pkcs1", SecretString=pem_of(key_pair, serialization.PrivateFormat.TraditionalOpenSSL)
    )["ARN"]
    signed = signer(arn).sign(f"{CDN}/covers/vid1/a.jpg", scope=f"{CDN}/*/vid1/*")
    accepted_by_cloudfront(signed, key_pair.public_key(), NOW)


def test_the_private_key_is_read_once_then_kept(key_pair: rsa.RSAPrivateKey, secret_arn: str) -> None:
    signing = signer(secret_arn)
    signing.sign(f"{CDN}/covers/vid1/a.jpg", scope=f"{CDN}/*/vid1/*")
    # the secret changes (or Secrets Manager is unreachable): this process keeps its key
    boto3.client("secretsmanager").put_secret_value(SecretId=secret_arn, SecretString="not a key")
    signed = signing.sign(f"{CDN}/covers/vid2/b.jpg", scope=f"{CDN}/*/vid2/*")
    accepted_by_cloudfront(signed, key_pair.public_key(), NOW)


def test_within_a_step_the_same_url_comes_back_and_later_a_fresh_one(secret_arn: str) -> None:
    step_start = NOW - NOW % EXPIRY_STEP_SECONDS + 1  # just after a step began
    clock = [step_start]
    signing = signer(secret_arn, clock)
    url, scope = f"{CDN}/covers/vid1/a.jpg", f"{CDN}/*/vid1/*"
    first = signing.sign(url, scope)
    clock[0] = step_start + EXPIRY_STEP_SECONDS - 2  # the same step
    assert signing.sign(url, scope) == first
    clock[0] = step_start + EXPIRY_STEP_SECONDS  # the next one
    assert signing.sign(url, scope) != first


def test_a_secret_without_a_private_key_fails_clearly() -> None:
    arn = boto3.client("secretsmanager").create_secret(Name="bad", SecretString="hunter2")["ARN"]
    with pytest.raises(SigningKeyInvalid, match="no RSA private key"):
        signer(arn).sign(f"{CDN}/covers/vid1/a.jpg", scope=f"{CDN}/*/vid1/*")


# --- which URLs get signed ---


def test_every_derived_url_is_signed_for_its_own_video_only(
    key_pair: rsa.RSAPrivateKey, secret_arn: str
) -> None:
    store = signed_store(secret_arn)
    cover = keys.cover_key("vid1", "0" * 32, "jpg")
    for key in (
        cover,
        keys.rendition_key("vid1", cover, b"webp", "webp"),
        keys.snapshot_key("vid1", 3, b"frame"),
        keys.smart_key("vid1", 0, b"candidate"),
        keys.animated_key("vid1", b"gif", "gif"),
        keys.storyboard_sheet_key("vid1", "r1", 0),
    ):
        statement = accepted_by_cloudfront(store.viewer_url(key), key_pair.public_key(), NOW)
        # the signature opens this video's images and no other video's
        assert not resource_matches(statement["Resource"], f"{CDN}/{keys.cover_key('vid2', '0' * 32, 'jpg')}")
        assert not resource_matches(statement["Resource"], f"{CDN}/covers/vid10/a.jpg")
    # uploads never go through the CDN: a presigned S3 GET, as without signing
    upload = store.viewer_url(keys.upload_key("vid1", "a.mp4"))
    assert not upload.startswith(CDN) and "X-Amz-Signature" in upload


def test_a_private_library_has_no_never_expiring_url(secret_arn: str) -> None:
    store = signed_store(secret_arn)
    assert store.public_url(keys.embed_key("vid1")) is None
    public = MediaStore("vodcover-test-media", url_ttl_seconds=TTL, cdn_base_url=CDN)
    assert public.public_url(keys.embed_key("vid1")) == f"{CDN}/embed/vid1"
    assert public.viewer_url("covers/vid1/a.jpg") == f"{CDN}/covers/vid1/a.jpg"  # unchanged


# --- settings and the answer ---


def test_signing_needs_both_the_key_pair_id_and_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VODCOVER_CDN_SIGNING_KEY_PAIR_ID", KEY_PAIR_ID)
    with pytest.raises(SettingsError, match="go together"):
        CdnSigningSettings.load()
    monkeypatch.setenv(
        "VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET", "arn:aws:secretsmanager:us-east-1:1:secret:k"
    )
    assert CdnSigningSettings.load().signs_urls
    monkeypatch.delenv("VODCOVER_CDN_SIGNING_KEY_PAIR_ID")
    monkeypatch.delenv("VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET")
    assert not CdnSigningSettings.load().signs_urls


def test_the_videos_api_answers_signed_urls_and_no_embed_url(
    monkeypatch: pytest.MonkeyPatch, key_pair: rsa.RSAPrivateKey, secret_arn: str
) -> None:
    monkeypatch.setenv("VODCOVER_CDN_BASE_URL", CDN)
    monkeypatch.setenv("VODCOVER_CDN_SIGNING_KEY_PAIR_ID", KEY_PAIR_ID)
    monkeypatch.setenv("VODCOVER_CDN_SIGNING_PRIVATE_KEY_SECRET", secret_arn)
    dependencies.reset()
    record = given_a_video("vid1")
    cover = record.cover
    assert cover is not None
    renditions = [
        StoredRendition(width=320, height=180, format="webp", aspect="original", key="covers/vid1/r.webp")
    ]
    placeholder = CoverPlaceholder(
        blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj", data_uri="data:image/jpeg;base64,AA"
    )
    dependencies.video_repository().update(
        "vid1",
        lambda current: current.model_copy(
            update={"cover": cover.model_copy(update={"renditions": renditions, "placeholder": placeholder})}
        ),
    )
    status, video = call(load_function("videos_api"), api_event("GET", "/videos/vid1", caller=ALICE))
    assert status == 200, video
    urls = [video["cover"]["url"], *(r["url"] for r in video["cover"]["renditions"])]
    urls += [s["url"] for s in video["snapshots"]]
    for url in urls:
        assert url.startswith(CDN + "/")
        accepted_by_cloudfront(url, key_pair.public_key(), time.time())
    assert video["cover"]["embedUrl"] is None  # no URL of a private library outlives UrlTtlSeconds
    assert video["cover"]["placeholder"]["blurhash"] == placeholder.blurhash  # inline, needs no URL
    assert "X-Amz-Signature" in video["sourceUrl"]  # the upload: presigned S3, never the CDN
