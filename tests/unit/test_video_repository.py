"""The Videos table under moto: conditional writes, retries, no lost updates, paging."""

from __future__ import annotations

import threading

import boto3
import pytest

from vodcover.dal.page_tokens import PageTokens
from vodcover.dal.videos import DynamoVideoRepository, from_item, to_item
from vodcover.errors import InvalidParameter
from vodcover.models import MediaInfo, VideoRecord, VideoStatus

from ..conftest import TEST_TABLE

NOW = "2026-11-25T12:00:00.000Z"


def new_record(video_id: str = "v1", owner: str | None = "alice", created_at: str = NOW) -> VideoRecord:
    return VideoRecord(
        video_id=video_id,
        owner=owner,
        status=VideoStatus.UPLOADING,
        created_at=created_at,
        updated_at=created_at,
    )


def test_a_record_survives_the_round_trip_through_an_item_with_floats() -> None:
    record = new_record().changed(media=MediaInfo(duration=12.345, width=1920, height=1080, fps=29.97))

    assert from_item(to_item(record)) == record


@pytest.mark.usefixtures("aws")
def test_given_no_record_when_updated_then_it_is_created_at_version_one() -> None:
    repo = DynamoVideoRepository(TEST_TABLE)

    outcome = repo.update("v1", lambda current: current or new_record())

    assert outcome.written
    assert repo.get("v1") == outcome.record
    assert outcome.record is not None and outcome.record.version == 1


@pytest.mark.usefixtures("aws")
def test_given_a_mutation_that_changes_nothing_then_nothing_is_written() -> None:
    repo = DynamoVideoRepository(TEST_TABLE)
    repo.update("v1", lambda current: current or new_record())

    outcome = repo.update("v1", lambda current: current)

    assert not outcome.written
    assert repo.get("v1").version == 1  # type: ignore[union-attr]


@pytest.mark.usefixtures("aws")
def test_given_a_writer_in_between_when_updating_then_the_change_is_reapplied_on_the_fresh_record() -> None:
    repo = DynamoVideoRepository(TEST_TABLE)
    other = DynamoVideoRepository(TEST_TABLE)
    repo.update("v1", lambda current: current or new_record())
    calls = []

    def add_tag(current: VideoRecord | None) -> VideoRecord | None:
        assert current is not None
        calls.append(current.version)
        if len(calls) == 1:  # someone else writes after we read
            other.update("v1", lambda c: c.changed(title="renamed") if c else None)
        return current.changed(tags=[*current.tags, "mine"])

    outcome = repo.update("v1", add_tag)

    assert calls == [1, 2]
    stored = repo.get("v1")
    assert stored is not None
    assert stored.title == "renamed" and stored.tags == ["mine"] and stored.version == 3
    assert outcome.record == stored


@pytest.mark.usefixtures("aws")
def test_given_many_concurrent_writers_then_no_update_is_lost() -> None:
    repo = DynamoVideoRepository(TEST_TABLE, max_attempts=100)
    repo.update("v1", lambda current: current or new_record())
    boto3.client(
        "dynamodb"
    )  # clients are created before threads start (botocore sessions are not thread-safe)

    def add_tag(n: int) -> None:
        repo.update("v1", lambda c: c.changed(tags=[*c.tags, f"t{n}"]) if c else None)

    threads = [threading.Thread(target=add_tag, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    stored = repo.get("v1")
    assert stored is not None
    assert sorted(stored.tags) == sorted(f"t{n}" for n in range(12))
    assert stored.version == 13


@pytest.mark.usefixtures("aws")
def test_the_library_lists_an_owners_videos_newest_first_in_pages() -> None:
    repo = DynamoVideoRepository(TEST_TABLE)
    for n in range(5):
        repo.update(f"v{n}", lambda _c, n=n: new_record(f"v{n}", created_at=f"2026-11-2{n}T00:00:00.000Z"))
    repo.update("x", lambda _c: new_record("x", owner="bob"))
    repo.update("orphan", lambda _c: new_record("orphan", owner=None))

    first = repo.list_by_owner("alice", limit=3, next_token=None)
    second = repo.list_by_owner("alice", limit=3, next_token=first.next_token)

    assert [r.video_id for r in first.records] == ["v4", "v3", "v2"]
    assert [r.video_id for r in second.records] == ["v1", "v0"]
    assert first.next_token is not None


@pytest.mark.usefixtures("aws")
def test_batch_get_returns_only_the_existing_records() -> None:
    repo = DynamoVideoRepository(TEST_TABLE)
    repo.update("a", lambda _c: new_record("a"))
    repo.update("b", lambda _c: new_record("b"))

    found = repo.get_many(["a", "missing", "b", "a"])

    assert set(found) == {"a", "b"}


def test_a_page_token_from_another_owner_is_refused() -> None:
    tokens = PageTokens(b"secret")
    token = tokens.encode({"owner": "bob", "createdAt": NOW, "videoId": "x"})

    with pytest.raises(InvalidParameter) as caught:
        tokens.decode(token, "alice")
    assert caught.value.code == "InvalidParameter.NextToken"
    with pytest.raises(InvalidParameter):
        tokens.decode("not-a-token!!", "alice")
