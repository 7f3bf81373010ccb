"""Cover history rules (vodcover.domain.cover_history): pure functions on records, no AWS."""

from __future__ import annotations

import pytest

from vodcover.domain import processing, smart_cover
from vodcover.domain.cover_history import (
    HISTORY_LIMIT,
    cover_changed_detail,
    entry_to_restore,
    history_of,
    set_cover,
)
from vodcover.domain.videos import apply_person_cover, apply_uploader_cover
from vodcover.errors import InvalidParameter
from vodcover.models import (
    CoverSource,
    MediaInfo,
    SmartCandidate,
    SmartCover,
    SmartStatus,
    SourceObject,
    StoredCover,
    StoredSnapshot,
    VideoRecord,
    VideoStatus,
)

ALICE = "arn:aws:iam::123456789012:user/alice"
SOURCE = SourceObject(key="uploads/v1/a.mp4", size=10, etag="e")


def video(**fields: object) -> VideoRecord:
    base: dict[str, object] = {
        "video_id": "v1",
        "owner": ALICE,
        "status": VideoStatus.NORMAL,
        "created_at": "2026-12-01T00:00:00.000Z",
        "updated_at": "2026-12-01T00:00:00.000Z",
        "source": SOURCE,
    }
    return VideoRecord.model_validate({**base, **fields})


def cover(n: int, source: CoverSource = CoverSource.USER) -> StoredCover:
    return StoredCover(
        key=f"covers/v1/{n:032x}-0000000000000000.jpg",
        source=source,
        width=640 + n,
        height=360,
        updated_at=f"2026-12-02T00:00:{n:02d}.000Z",
    )


def test_each_new_cover_becomes_the_newest_entry_and_only_the_last_20_are_kept() -> None:
    record = video()
    for n in range(HISTORY_LIMIT + 5):
        record = apply_person_cover(record, cover(n), f"2026-12-02T00:01:{n:02d}.000Z", set_by=ALICE)

    history = history_of(record)
    assert len(history) == HISTORY_LIMIT
    assert [entry.width for entry in history] == [640 + n for n in reversed(range(5, HISTORY_LIMIT + 5))]
    assert history[0].key == record.cover.key  # type: ignore[union-attr]
    assert {entry.set_by for entry in history} == {ALICE}
    # the images of entries that left the window are no longer named: cleanup may remove them
    assert cover(4).key not in record.derived_keys and cover(5).key in record.derived_keys


def test_setting_the_same_cover_again_adds_no_entry() -> None:
    record = set_cover(video(), cover(1, CoverSource.SNAPSHOT))
    again = set_cover(record, cover(1, CoverSource.SNAPSHOT))

    assert len(again.cover_history) == 1


def test_automatic_covers_enter_the_history_and_a_persons_cover_kept_by_a_job_adds_nothing() -> None:
    snapshot = StoredSnapshot(index=0, time=1.0, key="snapshots/v1/a.jpg", width=320, height=180)
    default = StoredCover(
        key=snapshot.key, source=CoverSource.SNAPSHOT, width=320, height=180, updated_at="t1"
    )
    processed = processing.complete_snapshots(
        video(status=VideoStatus.PROCESSING),
        source=SOURCE,
        media=MediaInfo(duration=5, width=320, height=180),
        snapshots=[snapshot],
        default_cover=default,
        now="t1",
    )
    assert processed is not None
    assert [(e.key, e.source, e.set_by) for e in history_of(processed)] == [
        (snapshot.key, CoverSource.SNAPSHOT, None)
    ]

    chosen = apply_person_cover(processed, cover(2), "t2", set_by=ALICE)
    candidate = SmartCandidate(index=0, time=2.0, score=0.9, key="smart/v1/b.jpg", width=320, height=180)
    after_smart = smart_cover.complete_smart_cover(
        chosen.changed(smart_cover=SmartCover(status=SmartStatus.PROCESSING)),
        source=SOURCE,
        candidates=[candidate],
        animated=None,
        now="t3",
    )
    assert after_smart is not None
    assert [e.source for e in history_of(after_smart)] == [CoverSource.USER, CoverSource.SNAPSHOT]


def test_the_uploaders_cover_is_set_by_the_owner() -> None:
    pending = video(pending_cover_url="https://example.com/c.jpg")

    record = apply_uploader_cover(pending, cover(3), "https://example.com/c.jpg", "t1")

    assert record is not None
    assert (history_of(record)[0].source, history_of(record)[0].set_by) == (CoverSource.UPLOAD, ALICE)


def test_a_record_from_before_history_lists_its_cover_and_keeps_it_when_the_cover_changes() -> None:
    legacy = video(cover=cover(1, CoverSource.SNAPSHOT).model_dump())

    assert [e.key for e in history_of(legacy)] == [cover(1).key]
    changed = apply_person_cover(legacy, cover(2), "t2", set_by=ALICE)
    assert [e.key for e in history_of(changed)] == [cover(2).key, cover(1).key]


def test_restoring_names_an_earlier_entry_and_refuses_the_current_one_or_one_outside() -> None:
    record = video()
    for n in range(3):
        record = apply_person_cover(record, cover(n), f"t{n}", set_by=ALICE)

    assert entry_to_restore(record, 2).key == cover(0).key
    for index in (0, 3, 19):
        with pytest.raises(InvalidParameter) as refused:
            entry_to_restore(record, index)
        assert refused.value.code == "InvalidParameter.CoverHistory"


def test_a_restore_is_a_new_entry_by_the_person_who_restored_it() -> None:
    record = video()
    for n in range(3):
        record = apply_person_cover(record, cover(n, CoverSource.SNAPSHOT), f"t{n}", set_by=ALICE)
    earlier = entry_to_restore(record, 2)
    copy = StoredCover(  # the restore copies the image to a key of its own (usecases/edit.py)
        key="covers/v1/ffff-0000000000000001.jpg",
        source=earlier.source,
        width=earlier.width,
        height=earlier.height,
        updated_at="t9",
    )

    restored = apply_person_cover(record, copy, "t9", set_by="bob")

    history = history_of(restored)
    assert len(history) == 4 and history[0].key == copy.key
    assert (history[0].source, history[0].set_by, history[0].width) == (
        CoverSource.USER,
        "bob",
        earlier.width,
    )
    assert [e.key for e in history[1:]] == [cover(2).key, cover(1).key, cover(0).key]


def test_the_cover_changed_event_carries_the_previous_cover() -> None:
    first = apply_person_cover(video(), cover(1), "t1", set_by=ALICE)
    second = apply_person_cover(first, cover(2), "t2", set_by=ALICE)

    assert cover_changed_detail(first)["previous"] is None
    detail = cover_changed_detail(second)
    assert (detail["videoId"], detail["source"], detail["key"], detail["setBy"]) == (
        "v1",
        "user",
        cover(2).key,
        ALICE,
    )
    assert detail["previous"] == {
        "key": cover(1).key,
        "source": "user",
        "width": 641,
        "height": 360,
        "setAt": "t1",
        "setBy": ALICE,
    }
