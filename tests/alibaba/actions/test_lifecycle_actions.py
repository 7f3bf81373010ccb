"""DeleteVideo, SubmitSnapshotJob and ListSnapshots, through both official SDKs, against ``vodcover local``.

Given videos of ``local`` and of ``bob``, when a script deletes some ids, asks for snapshots again
(a count and width, or offsets in milliseconds) and lists them, then its own videos are deleted or
re-snapshotted as asked, another owner's ids are refused (``ForbiddenVideoIds``, ``Forbidden``)
and unknown ids reported (``NonExistVideoIds``), as Alibaba answers.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.alibaba.actions.conftest import BOB_KEY
from tests.alibaba.actions.vod_steps import image_bytes, refusal
from tests.alibaba.vod_sdks import ClassicVod, TeaVod, VodSdk
from vodcover_dev.local.stack import LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.media]

MISSING = "0123456789abcdef0123456789abcdef"


def test_delete_video_deletes_the_callers_ids_and_reports_the_others(sdk: VodSdk, endpoint: str) -> None:
    bob = ClassicVod(endpoint, *BOB_KEY)
    mine = [sdk.call("CreateUploadVideo", Title=f"Gone {i}", FileName="g.mp4")["VideoId"] for i in range(2)]
    bobs = bob.call("CreateUploadVideo", Title="Bob's", FileName="b.mp4")["VideoId"]

    answer = sdk.call("DeleteVideo", VideoIds=",".join([*mine, bobs, MISSING]))

    assert answer["NonExistVideoIds"] == [MISSING]
    assert answer["ForbiddenVideoIds"] == [bobs]
    assert answer["RequestId"]
    for video_id in mine:
        assert refusal(sdk, "GetVideoInfo", VideoId=video_id) == ("InvalidVideo.NotFound", 404)
    assert bob.call("GetVideoInfo", VideoId=bobs)["Video"]["Title"] == "Bob's"
    # Deleting again succeeds: the ids are the caller's own, already deleted.
    again = sdk.call("DeleteVideo", VideoIds=mine[0])
    assert (again["NonExistVideoIds"], again["ForbiddenVideoIds"]) == ([], [])


def test_delete_video_takes_at_most_twenty_ids(sdk: VodSdk) -> None:
    ids = ",".join(f"{i:032x}" for i in range(21))
    assert refusal(sdk, "DeleteVideo", VideoIds=ids) == ("CountExceededMax", 400)


def test_a_snapshot_job_replaces_the_snapshots_as_asked(
    stack: LocalStack, sdk: VodSdk, processed_video: str
) -> None:
    submitted = sdk.call("SubmitSnapshotJob", VideoId=processed_video, Count=3, Width="320")

    job_id = submitted["SnapshotJob"]["JobId"]
    assert job_id and submitted["RequestId"]
    stack.wait_idle(timeout=120)
    listed = sdk.call("ListSnapshots", VideoId=processed_video, SnapshotType="NormalSnapshot")
    snapshot = listed["MediaSnapshot"]
    assert (snapshot["JobId"], snapshot["Total"]) == (job_id, 3)
    snapshots = snapshot["Snapshots"]["Snapshot"]
    assert [s["Index"] for s in snapshots] == [1, 2, 3]
    for s in snapshots:
        assert Image.open(io.BytesIO(image_bytes(s["Url"]))).width == 320
    video = sdk.call("GetVideoInfo", VideoId=processed_video)["Video"]
    assert video["Snapshots"]["Snapshot"] == [s["Url"] for s in snapshots]


def test_snapshot_offsets_are_milliseconds(stack: LocalStack, sdk: VodSdk, processed_video: str) -> None:
    job_id = sdk.call("SubmitSnapshotJob", VideoId=processed_video, SpecifiedOffsetTimes=[500, 1500])[
        "SnapshotJob"
    ]["JobId"]

    stack.wait_idle(timeout=120)
    snapshot = sdk.call("ListSnapshots", VideoId=processed_video)["MediaSnapshot"]
    assert (snapshot["JobId"], snapshot["Total"]) == (job_id, 2)
    # Read as seconds, 1500 would lie past the end of the few-second video and be refused.
    code, status = refusal(sdk, "SubmitSnapshotJob", VideoId=processed_video, SpecifiedOffsetTime=600_000)
    assert (code, status) == ("InvalidParameter", 400)


def test_snapshot_jobs_refuse_bad_combinations_and_other_owners(
    sdk: VodSdk, endpoint: str, processed_video: str
) -> None:
    code, status = refusal(
        sdk, "SubmitSnapshotJob", VideoId=processed_video, Count=2, SpecifiedOffsetTime=500
    )
    assert (code, status) == ("InvalidParameter", 400)
    bob = TeaVod(endpoint, *BOB_KEY) if sdk.name == "classic" else ClassicVod(endpoint, *BOB_KEY)
    assert refusal(bob, "SubmitSnapshotJob", VideoId=processed_video, Count=2) == ("Forbidden", 403)
    assert refusal(bob, "ListSnapshots", VideoId=processed_video) == ("Forbidden", 403)
    assert refusal(sdk, "ListSnapshots", VideoId=MISSING) == ("InvalidVideo.NotFound", 404)
