"""An abandoned upload ends ``UploadFail`` (``Upload.Expired``) on the local stack, as deployed.

The README's first call creates an upload nobody finishes. Its presigned URL's lifetime is
simulated as over by moving the record's creation back (the table is the stack's own DynamoDB);
readers then see ``Upload.Expired`` at once, the scheduled sweeper stores it, and an object that
arrives late after all is still processed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.api_client import Api
from tests.integration.conftest import Clips, create_upload, put_upload, wait_until_settled
from vodcover.domain import expiry
from vodcover.settings import StorageSettings, settings_for
from vodcover_dev.local.stack import LocalStack


def backdate(stack: LocalStack, video_id: str, seconds: float) -> None:
    """As if the record had been created ``seconds`` earlier (and changed no later)."""
    moment = expiry.timestamp(datetime.now(UTC) - timedelta(seconds=seconds))
    stack.client("dynamodb").update_item(
        TableName=stack.table,
        Key={"videoId": {"S": video_id}},
        UpdateExpression="SET createdAt = :t, updatedAt = :t, version = version + :one",
        ExpressionAttributeValues={":t": {"S": moment}, ":one": {"N": "1"}},
    )


def stored_status(stack: LocalStack, video_id: str) -> str:
    item = stack.client("dynamodb").get_item(TableName=stack.table, Key={"videoId": {"S": video_id}})["Item"]
    return str(item["status"]["S"])


def test_an_abandoned_upload_ends_upload_expired_and_a_late_object_is_still_processed(
    stack: LocalStack, alice: Api, clips: Clips
) -> None:
    # Given an upload nobody finished, whose URL expired longer ago than the margin
    ticket = create_upload(alice, title="Abandoned", fileName="abandoned.mp4")
    video_id = ticket["videoId"]
    assert alice.video(video_id)["status"] == "Uploading"
    backdate(
        stack, video_id, settings_for(StorageSettings).url_ttl_seconds + expiry.UPLOAD_MARGIN_SECONDS + 60
    )

    # Then a reader sees it expired at once, before any sweep (nothing is written by reading)
    video = alice.video(video_id)
    assert (video["status"], video["error"]["code"]) == ("UploadFail", "Upload.Expired")
    assert video["error"]["message"]
    assert stored_status(stack, video_id) == "Uploading"
    listed = {v["videoId"]: v for v in alice.expect(200, "GET", "/videos", params={"limit": "100"})["videos"]}
    assert listed[video_id]["status"] == "UploadFail"

    # When the scheduled sweeper runs (EventBridge invokes it asynchronously, as here)
    stack.invoke_async("UploadSweeperFunction", {"source": "aws.events"})
    stack.wait_idle(30)

    # Then the table says so too
    assert stored_status(stack, video_id) == "UploadFail"
    assert alice.video(video_id)["error"]["code"] == "Upload.Expired"

    # And should the object arrive after all (a PUT begun just in time), it is processed
    put_upload(ticket, clips.sample.read_bytes())
    video = wait_until_settled(stack, alice, video_id)
    assert video["status"] == "Normal" and "error" not in video and video["cover"] is not None
