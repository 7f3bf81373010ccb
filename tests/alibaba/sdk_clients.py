"""The official Alibaba SDKs pointed at a loopback endpoint, changed only in endpoint,
protocol and keys (docs/design.md, "Measured facts")."""

from __future__ import annotations

from alibabacloud_tea_openapi.utils_models import Config
from alibabacloud_vod20170321.client import Client as TeaVodClient
from aliyunsdkcore.client import AcsClient

REGION = "cn-shanghai"


def classic_client(endpoint: str, key_id: str, secret: str) -> AcsClient:
    """aliyun-python-sdk-core (+ aliyun-python-sdk-vod requests): HMAC-SHA1 signature v1."""
    client = AcsClient(key_id, secret, REGION)
    client.add_endpoint(REGION, "vod", endpoint)
    return client


def tea_client(endpoint: str, key_id: str, secret: str) -> TeaVodClient:
    """alibabacloud-vod20170321 (Tea/OpenAPI): ACS3-HMAC-SHA256."""
    config = Config(
        access_key_id=key_id, access_key_secret=secret, endpoint=endpoint, protocol="http", region_id=REGION
    )
    return TeaVodClient(config)
