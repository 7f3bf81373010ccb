"""GET /limits: the limits a client should check before it sends are the ones the stack enforces."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.api_client import Api
from vodcover_dev.local.stack import LocalStack

pytestmark = pytest.mark.integration


def test_the_limits_are_the_stacks_settings(stack: LocalStack, alice: Api) -> None:
    # Given the stack runs template.yaml with its parameters
    parameter = stack.resolver.parameter

    # When a signed client asks for the limits
    limits = alice.expect(200, "GET", "/limits")

    # Then they are the template's parameters, as the functions' settings read them
    assert limits == {
        "coverMaxBytes": int(parameter("CoverMaxBytes")),
        "coverMaxLongSide": int(parameter("CoverMaxLongSide")),
        "coverMaxShortSide": int(parameter("CoverMaxShortSide")),
        "batchLimit": int(parameter("BatchLimit")),
    }


def test_the_announced_batch_limit_is_the_enforced_one(alice: Api) -> None:
    batch_limit = alice.expect(200, "GET", "/limits")["batchLimit"]
    unknown = [f"{n:032x}" for n in range(batch_limit + 1)]

    alice.expect(200, "GET", "/videos", params={"ids": ",".join(unknown[:batch_limit])})
    alice.expect_error(400, "Batch.TooLarge", "GET", "/videos", params={"ids": ",".join(unknown)})


def test_a_cover_one_byte_over_the_announced_size_is_refused(
    alice: Api, processed_video: dict[str, Any]
) -> None:
    cover_max_bytes = alice.expect(200, "GET", "/limits")["coverMaxBytes"]
    video_id = processed_video["videoId"]
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * (cover_max_bytes + 1 - 8)

    alice.expect_error(
        413,
        "InvalidImage.TooLarge",
        "PUT",
        "/videos/{videoId}/cover",
        videoId=video_id,
        data=too_big,
        headers={"Content-Type": "image/png"},
    )
