"""Smart-cover status and cover rules, as pure functions (docs/design.md, "Cover rules")."""

from __future__ import annotations

import pytest

from vodcover.domain import smart_cover
from vodcover.errors import IllegalStatus, VideoNotFound
from vodcover.models import (
    AnimatedCover,
    CoverSource,
    ErrorInfo,
    SmartCandidate,
    SmartCover,
    SmartStatus,
    SourceObject,
    StoredCover,
    VideoRecord,
    VideoStatus,
)

NOW = "2026-11-25T12:00:00.000Z"
LATER = "2026-11-25T12:05:00.000Z"
SOURCE = SourceObject(key="uploads/v1/clip.mp4", size=1000, etag="abc")
CANDIDATES = [
    SmartCandidate(index=0, time=12.0, score=0.9, key="smart/v1/0.jpg", width=1280, height=720),
    SmartCandidate(index=1, time=30.0, score=0.7, key="smart/v1/1.jpg", width=1280, height=720),
]
ANIMATED = AnimatedCover(gif="animated/v1/cover.gif", webp="animated/v1/cover.webp")


def cover(source: CoverSource, key: str = "snapshots/v1/3.jpg") -> StoredCover:
    return StoredCover(key=key, source=source, width=1280, height=720, updated_at=NOW)


def normal_record(**fields: object) -> VideoRecord:
    base = VideoRecord(
        video_id="v1",
        owner="alice",
        status=VideoStatus.NORMAL,
        created_at=NOW,
        updated_at=NOW,
        source=SOURCE,
        cover=cover(CoverSource.SNAPSHOT),
    )
    return base.changed(**fields)


def running(record: VideoRecord) -> VideoRecord:
    started = smart_cover.start_smart_cover(record, now=NOW)
    assert started is not None
    return started


def complete(record: VideoRecord, candidates: list[SmartCandidate] = CANDIDATES) -> VideoRecord | None:
    return smart_cover.complete_smart_cover(
        record, source=SOURCE, candidates=candidates, animated=ANIMATED, now=LATER
    )


def test_given_a_normal_video_when_smart_cover_starts_then_it_is_processing() -> None:
    record = smart_cover.start_smart_cover(normal_record(), now=NOW)

    assert record is not None and record.smart_cover is not None
    assert record.smart_cover.status == SmartStatus.PROCESSING


def test_given_an_analysis_running_when_another_request_arrives_then_nothing_changes() -> None:
    assert smart_cover.start_smart_cover(running(normal_record()), now=LATER) is None


@pytest.mark.parametrize("status", [VideoStatus.UPLOADING, VideoStatus.UPLOAD_SUCC, VideoStatus.PROCESSING])
def test_given_a_video_not_yet_normal_when_smart_cover_starts_then_it_is_refused(status: VideoStatus) -> None:
    with pytest.raises(IllegalStatus):
        smart_cover.start_smart_cover(normal_record(status=status), now=NOW)


def test_given_no_video_when_smart_cover_starts_then_not_found() -> None:
    with pytest.raises(VideoNotFound):
        smart_cover.start_smart_cover(None, now=NOW)


def test_given_a_snapshot_cover_when_smart_cover_completes_then_the_best_candidate_is_the_cover() -> None:
    record = complete(running(normal_record()))

    assert record is not None and record.smart_cover is not None
    assert record.smart_cover.status == SmartStatus.DONE
    assert record.smart_cover.candidates == CANDIDATES
    assert record.smart_cover.animated == ANIMATED
    assert record.cover is not None
    assert (record.cover.key, record.cover.source) == ("smart/v1/0.jpg", CoverSource.SMART)


@pytest.mark.parametrize("person", [CoverSource.UPLOAD, CoverSource.USER])
def test_given_a_cover_chosen_by_a_person_when_smart_cover_completes_then_it_is_kept(
    person: CoverSource,
) -> None:
    chosen = cover(person, key="covers/v1/abc.jpg")

    record = complete(running(normal_record(cover=chosen)))

    assert record is not None and record.cover == chosen
    assert record.smart_cover is not None and record.smart_cover.status == SmartStatus.DONE


def test_given_a_person_chose_a_cover_during_the_analysis_then_completion_keeps_it() -> None:
    started = running(normal_record())
    chosen_meanwhile = started.changed(cover=cover(CoverSource.USER, key="covers/v1/new.png"))

    record = complete(chosen_meanwhile)

    assert record is not None and record.cover == chosen_meanwhile.cover


def test_given_no_good_frame_when_smart_cover_completes_then_the_cover_is_unchanged() -> None:
    before = running(normal_record())

    record = complete(before, candidates=[])

    assert record is not None and record.cover == before.cover
    assert record.smart_cover is not None and record.smart_cover.candidates == []


def test_given_the_same_completion_twice_then_the_second_changes_nothing() -> None:
    once = complete(running(normal_record()))

    assert once is not None and complete(once) is None


def test_given_the_object_was_replaced_during_the_analysis_then_results_are_dropped() -> None:
    replaced = running(normal_record()).changed(
        source=SourceObject(key="uploads/v1/other.mp4", size=5, etag="x")
    )

    assert complete(replaced) is None


def test_given_a_media_error_when_smart_cover_fails_then_it_is_failed_and_earlier_candidates_stay() -> None:
    earlier = complete(running(normal_record()))
    assert earlier is not None
    error = ErrorInfo(code="Media.Timeout", message="Processing the video took too long.")

    record = smart_cover.fail_smart_cover(running(earlier), source=SOURCE, error=error, now=LATER)

    assert record is not None and record.smart_cover is not None
    assert record.smart_cover == SmartCover(
        status=SmartStatus.FAILED, candidates=CANDIDATES, animated=ANIMATED, error=error
    )
    assert record.cover == earlier.cover
