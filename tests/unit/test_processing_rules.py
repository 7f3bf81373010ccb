"""The snapshot job's status and cover rules, as pure functions (docs/design.md, "Cover rules")."""

from __future__ import annotations

from vodcover.domain import processing
from vodcover.models import (
    CoverSource,
    ErrorInfo,
    MediaInfo,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
)

NOW = "2026-11-25T12:00:00.000Z"
SOURCE = SourceObject(key="uploads/v1/clip.mp4", size=1000, etag="abc")
MEDIA = MediaInfo(duration=10, width=1280, height=720)
SNAPSHOTS = [StoredSnapshot(index=0, time=1.0, key="snapshots/v1/0.jpg", width=1280, height=720)]
SNAPSHOT_COVER = StoredCover(
    key="snapshots/v1/0.jpg", source=CoverSource.SNAPSHOT, width=1280, height=720, updated_at=NOW
)


def uploading_record(**fields: object) -> VideoRecord:
    base = VideoRecord(
        video_id="v1",
        owner="alice",
        title="Clip",
        status=VideoStatus.UPLOADING,
        created_at=NOW,
        updated_at=NOW,
    )
    return base.changed(**fields)


def complete(record: VideoRecord | None) -> VideoRecord | None:
    return processing.complete_snapshots(
        record, source=SOURCE, media=MEDIA, snapshots=SNAPSHOTS, default_cover=SNAPSHOT_COVER, now=NOW
    )


def test_given_an_object_without_a_record_when_it_lands_then_an_unowned_record_is_created() -> None:
    record = processing.record_upload(None, video_id="v9", source=SOURCE, file_name="clip.mp4", now=NOW)

    assert record is not None
    assert record.owner is None
    assert record.status == VideoStatus.UPLOAD_SUCC
    assert record.source == SOURCE


def test_given_an_uploading_record_when_its_object_lands_then_it_is_upload_succ() -> None:
    record = processing.record_upload(
        uploading_record(), video_id="v1", source=SOURCE, file_name="clip.mp4", now=NOW
    )

    assert record is not None and record.status == VideoStatus.UPLOAD_SUCC
    assert record.owner == "alice" and record.title == "Clip"


def test_given_a_processed_record_when_the_same_event_arrives_again_then_nothing_changes() -> None:
    done = uploading_record(status=VideoStatus.NORMAL, source=SOURCE)

    assert processing.record_upload(done, video_id="v1", source=SOURCE, file_name="clip.mp4", now=NOW) is None
    assert not processing.needs_processing(done, SOURCE)


def test_given_a_new_object_for_a_processed_video_then_it_is_processed_again() -> None:
    done = uploading_record(status=VideoStatus.NORMAL, source=SOURCE)
    newer = SourceObject(key=SOURCE.key, size=2000, etag="def")

    record = processing.record_upload(done, video_id="v1", source=newer, file_name="clip.mp4", now=NOW)

    assert record is not None and record.status == VideoStatus.UPLOAD_SUCC
    assert processing.needs_processing(record, newer)


def test_given_no_person_cover_when_snapshots_complete_then_the_best_snapshot_is_the_cover() -> None:
    record = complete(uploading_record(status=VideoStatus.PROCESSING, source=SOURCE))

    assert record is not None
    assert record.status == VideoStatus.NORMAL
    assert record.cover == SNAPSHOT_COVER
    assert record.snapshots == SNAPSHOTS


def test_given_a_person_cover_when_snapshots_complete_late_then_the_person_cover_stays() -> None:
    for source in (CoverSource.USER, CoverSource.UPLOAD):
        chosen = StoredCover(key="covers/v1/abc.png", source=source, width=640, height=360, updated_at=NOW)
        record = complete(uploading_record(status=VideoStatus.PROCESSING, source=SOURCE, cover=chosen))

        assert record is not None and record.cover == chosen
        assert record.snapshots == SNAPSHOTS


def test_given_a_replaced_object_when_old_results_arrive_then_they_are_dropped() -> None:
    newer = SourceObject(key=SOURCE.key, size=2000, etag="def")
    record = uploading_record(status=VideoStatus.PROCESSING, source=newer)

    assert complete(record) is None
    assert (
        processing.fail_processing(record, source=SOURCE, error=ErrorInfo(code="x", message="y"), now=NOW)
        is None
    )


def test_given_a_corrupt_video_when_processing_fails_then_the_record_says_why() -> None:
    error = ErrorInfo(code="Media.Corrupt", message="The video could not be decoded.")
    record = processing.fail_processing(
        uploading_record(status=VideoStatus.PROCESSING, source=SOURCE), source=SOURCE, error=error, now=NOW
    )

    assert record is not None
    assert record.status == VideoStatus.PROCESS_FAIL
    assert record.error == error
