"""A created video whose object has landed in S3: what the screenshot function is handed."""

from __future__ import annotations

from typing import Any

from tests.conftest import TEST_BUCKET, TEST_TABLE
from vodcover.dal.aws import client
from vodcover.dal.videos import DynamoVideoRepository
from vodcover.domain import keys
from vodcover.domain.videos import new_upload_record
from vodcover.models import utc_now

OWNER = "arn:aws:iam::123456789012:user/alice"


def given_an_upload(data: bytes, name: str = "clip.mp4", owner: str = OWNER) -> tuple[str, dict[str, Any]]:
    """Store an upload record, put its object, and return (video id, the S3 event for it)."""
    video_id = keys.new_video_id()
    record = new_upload_record(
        video_id=video_id,
        owner=owner,
        title="t",
        file_name=name,
        description="",
        tags=[],
        cover_url=None,
        now=utc_now(),
    )
    DynamoVideoRepository(TEST_TABLE).update(video_id, lambda current: record)
    key = keys.upload_key(video_id, name)
    answer = client("s3").put_object(Bucket=TEST_BUCKET, Key=key, Body=data)
    event = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": TEST_BUCKET, "arn": f"arn:aws:s3:::{TEST_BUCKET}"},
                    "object": {"key": key, "size": len(data), "eTag": answer["ETag"].strip('"')},
                },
            }
        ]
    }
    return video_id, event
