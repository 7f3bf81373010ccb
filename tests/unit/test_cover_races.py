"""Two Lambdas changing one video's cover at once never leave it pointing at a deleted object.

Issue 11 item 10: covers were stored under their content digest and shared between writes, and a
write deleted the cover it replaced. So when A set image Y while B set image X again (X being the
current cover), both prepared their images (B found X's object there already), A wrote and
deleted X's object, and B wrote a record pointing at it: a dangling cover.

Here two cover editors, each with its own repository as two Lambda instances have, run in two
threads against a moto server. A rendezvous lets both prepare their images before either
writes (the window the race needs), and the writes themselves race freely. Every round the
record's cover must be stored, it and its renditions must be the only objects left under
``covers/``, and ``embed/{videoId}`` must be a copy of it (issue 16).
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import requests
from PIL import Image

from tests.conftest import TEST_BUCKET, TEST_TABLE, create_videos_table
from vodcover import dependencies
from vodcover.cover_media.service import InProcessCoverMedia
from vodcover.dal.events import EventPublisher
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import DynamoVideoRepository, Mutation, UpdateOutcome
from vodcover.models import MediaInfo, SourceObject, StoredSnapshot, VideoRecord, VideoStatus, utc_now
from vodcover.settings import CoversApiSettings, settings_for
from vodcover.usecases.edit import VideoEditor

ALICE = "arn:aws:iam::123456789012:user/alice"
ROUNDS = 8


@pytest.fixture
def moto_server(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)  # each test starts empty
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    dependencies.reset()
    s3 = boto3.client("s3", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=TEST_BUCKET)
    # Versioned, as the template makes it: a delete only hides the current version.
    s3.put_bucket_versioning(Bucket=TEST_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    create_videos_table(boto3.client("dynamodb", endpoint_url=moto_endpoint))
    yield moto_endpoint
    dependencies.reset()


class Rendezvous(DynamoVideoRepository):
    """The real repository; the first write of each caller waits until every caller is ready to write."""

    def __init__(self, barrier: threading.Barrier) -> None:
        super().__init__(TEST_TABLE)
        self._barrier = barrier

    def update(self, video_id: str, mutate: Mutation) -> UpdateOutcome:
        self._barrier.wait(timeout=30)
        return super().update(video_id, mutate)


def image(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), colour).save(buffer, "PNG")
    return buffer.getvalue()


X, Y = image((200, 30, 30)), image((30, 30, 200))


def editor(videos: DynamoVideoRepository) -> VideoEditor:
    settings = settings_for(CoversApiSettings)
    return VideoEditor(
        videos=videos,
        store=MediaStore(settings.media_bucket, url_ttl_seconds=settings.url_ttl_seconds),
        events=EventPublisher(settings.event_bus),
        settings=settings,
        media=InProcessCoverMedia(),
    )


def given_a_video(video_id: str) -> None:
    s3 = boto3.client("s3")
    snapshots = []
    for index in range(2):
        key = f"snapshots/{video_id}/{index}.jpg"
        s3.put_object(Bucket=TEST_BUCKET, Key=key, Body=image((index * 90, 90, 90)))
        snapshots.append(StoredSnapshot(index=index, time=float(index), key=key, width=64, height=36))
    now = utc_now()
    record = VideoRecord(
        video_id=video_id,
        owner=ALICE,
        status=VideoStatus.NORMAL,
        created_at=now,
        updated_at=now,
        source=SourceObject(key=f"uploads/{video_id}/a.mp4"),
        media=MediaInfo(duration=10, width=64, height=36),
        snapshots=snapshots,
    )
    DynamoVideoRepository(TEST_TABLE).update(video_id, lambda _current: record)


def stored_cover_keys(video_id: str) -> set[str]:
    return set(MediaStore(TEST_BUCKET, url_ttl_seconds=3600).list_keys(f"covers/{video_id}/"))


def race(changes: Iterable[Any]) -> None:
    """Run each change in its own thread, as concurrent Lambda invocations, each with its own clients."""
    plans = list(changes)
    barrier = threading.Barrier(len(plans))
    with ThreadPoolExecutor(max_workers=len(plans)) as pool:
        futures = [pool.submit(plan, editor(Rendezvous(barrier))) for plan in plans]
        for future in futures:
            future.result(timeout=60)


def assert_cover_is_stored_and_alone(video_id: str) -> None:
    record = DynamoVideoRepository(TEST_TABLE).get(video_id)
    assert record is not None and record.cover is not None
    assert MediaStore(TEST_BUCKET, url_ttl_seconds=3600).head(record.cover.key) is not None, (
        f"the record points at {record.cover.key}, which is deleted"
    )
    # the cover and its renditions, and the replaced images the cover history names (without their
    # renditions), nothing else: every other image was removed
    kept = {entry.key for entry in record.cover_history if entry.key.startswith(f"covers/{video_id}/")}
    assert stored_cover_keys(video_id) == set(record.cover.keys) | kept
    for key in kept:  # and every entry a person may go back to is there
        assert MediaStore(TEST_BUCKET, url_ttl_seconds=3600).head(key) is not None, key
    assert len(record.cover.renditions) > 1
    # and embed/ shows the cover the record names, whichever write copied last
    s3 = boto3.client("s3")
    embedded = s3.get_object(Bucket=TEST_BUCKET, Key=f"embed/{video_id}")["Body"].read()
    assert embedded == s3.get_object(Bucket=TEST_BUCKET, Key=record.cover.key)["Body"].read()


@pytest.mark.usefixtures("moto_server")
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_setting_the_current_image_again_while_another_replaces_it_leaves_no_dangling_cover(
    round_number: int,
) -> None:
    video_id = f"race{round_number}"
    given_a_video(video_id)
    editor(DynamoVideoRepository(TEST_TABLE)).upload_cover(ALICE, video_id, X)

    race(
        [
            lambda e: e.upload_cover(ALICE, video_id, Y),
            lambda e: e.upload_cover(ALICE, video_id, X),
        ]
    )

    assert_cover_is_stored_and_alone(video_id)


@pytest.mark.usefixtures("moto_server")
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_picking_the_current_snapshot_again_while_another_is_picked_leaves_no_dangling_cover(
    round_number: int,
) -> None:
    from vodcover.commands import VideoChanges

    video_id = f"pick{round_number}"
    given_a_video(video_id)
    first, second = VideoChanges(coverSnapshot=0), VideoChanges(coverSnapshot=1)  # type: ignore[call-arg]
    editor(DynamoVideoRepository(TEST_TABLE)).update(ALICE, video_id, first)

    race([lambda e: e.update(ALICE, video_id, second), lambda e: e.update(ALICE, video_id, first)])

    assert_cover_is_stored_and_alone(video_id)


@pytest.mark.usefixtures("moto_server")
def test_many_writers_of_two_images_leave_exactly_the_cover_the_record_names() -> None:
    video_id = "crowd"
    given_a_video(video_id)
    editor(DynamoVideoRepository(TEST_TABLE)).upload_cover(ALICE, video_id, X)

    race([lambda e, data=(X if n % 2 else Y): e.upload_cover(ALICE, video_id, data) for n in range(6)])

    assert_cover_is_stored_and_alone(video_id)


class SnapshotsRedoneAfterTheLook(MediaStore):
    """Re-processing deletes the snapshot just after the covers API looked it up."""

    def head(self, key: str) -> Any:
        found = super().head(key)
        if key.startswith("snapshots/"):
            self.delete([key])
        return found


@pytest.mark.usefixtures("aws")
def test_a_snapshot_removed_between_the_look_and_the_copy_is_a_clear_refusal() -> None:
    from vodcover.api.statuses import status_of
    from vodcover.errors import VideoNotFound
    from vodcover.usecases.cover_images import CoverImages

    boto3.client("s3").put_object(Bucket=TEST_BUCKET, Key="snapshots/v1/0.jpg", Body=X)
    images = CoverImages(
        store=SnapshotsRedoneAfterTheLook(TEST_BUCKET, url_ttl_seconds=60),
        settings=settings_for(CoversApiSettings),
        media=InProcessCoverMedia(),
    )

    with pytest.raises(VideoNotFound) as caught:
        images.copy_generated("v1", "snapshots/v1/0.jpg", 64, 36)

    assert status_of(caught.value) == 404
    assert stored_cover_keys("v1") == set()
