"""Event races: everything that can happen to one video, interleaved and duplicated by Hypothesis.

S3 delivers ObjectCreated at least once and out of order, jobs run for seconds while people
change the same video, and Lambda retries. The state machine below drives the real jobs and the
real use cases against DynamoDB (moto, with its conditional writes made atomic like the real
service) and S3 (moto). Only ffmpeg is replaced: ``ScreenshotJob`` and ``SmartCoverJob`` take
their capture and selection functions through their constructors (a documented seam), and the
race is about record writes, not pixels.

Interleavings come from two places:
- *during*: operations run while a job is "capturing" (between its start and its completion);
- *interpose*: an operation runs just before the next conditional write, after the writer has
  read the record, so the write is refused and retried on the fresh record.

After every step the invariants hold: a person's cover is never replaced by a job; snapshots
are never duplicated (unique keys, at most the configured count, each object holding frames of
the object the record names); ``version`` grows by exactly one per accepted write; replaying the
accepted mutations in version order on nothing gives the stored record (a serial order of the
accepted writes); and every key the record names exists, while no cover image lingers unnamed.
"""

from __future__ import annotations

import contextlib
import io
import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from PIL import Image

from tests.conftest import TEST_BUCKET, TEST_TABLE
from vodcover.commands import VideoChanges
from vodcover.cover_media.service import InProcessCoverMedia
from vodcover.dal.objects import MediaStore
from vodcover.dal.videos import DynamoVideoRepository, Mutation, UpdateOutcome
from vodcover.domain import keys
from vodcover.domain.videos import new_upload_record
from vodcover.errors import MediaCorrupt, VodcoverError
from vodcover.jobs.screenshot import ScreenshotJob, SnapshotOptions
from vodcover.jobs.smart_cover import SmartCoverJob, SmartCoverOptions
from vodcover.media.cover_image import CoverLimits
from vodcover.models import VideoRecord
from vodcover.settings import CoversApiSettings, settings_for
from vodcover.usecases.batch_edit import BatchEditor
from vodcover.usecases.edit import VideoEditor

pytestmark = pytest.mark.usefixtures("aws")

OWNER = "arn:aws:iam::123456789012:user/alice"
SNAPSHOT_COUNT = 3
FIXED_NOW = "2026-01-01T00:00:00.000Z"
EXAMPLES = 25
STEPS = 10
CHECKED: dict[str, int] = {"examples": 0, "steps": 0, "writes": 0, "refused_writes": 0}


def _image(colour: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (colour, 40, 200 - colour)).save(buffer, "PNG")
    return buffer.getvalue()


COVER_IMAGES = [_image(20), _image(180)]


# --- the recording repository -----------------------------------------------------------------------
@dataclass
class Write:
    before: VideoRecord | None
    after: VideoRecord
    mutate: Mutation
    writer: str  # the module that made the change: vodcover.jobs.* or vodcover.usecases.*


class RacingRepository(DynamoVideoRepository):
    """The real repository; records each accepted write and lets rivals in just before it."""

    def __init__(self, table: str, machine: EventRaces) -> None:
        super().__init__(table, max_attempts=20)
        self.machine = machine
        self.writes: list[Write] = []
        self.interlopers: list[Any] = []
        self.refused = 0
        self._local = threading.local()
        self._lock = threading.Lock()

    def update(self, video_id: str, mutate: Mutation) -> UpdateOutcome:
        def tracked(current: VideoRecord | None) -> VideoRecord | None:
            self._local.mutate = mutate
            return mutate(current)

        return super().update(video_id, tracked)

    def _put_if_unchanged(self, stored: VideoRecord, current: VideoRecord | None) -> None:
        mutate = self._local.mutate  # before a rival's own updates overwrite it
        if self.interlopers and threading.current_thread() is threading.main_thread():
            self.machine.execute(self.interlopers.pop(0))  # a rival writes after we read
        try:
            super()._put_if_unchanged(stored, current)
        except Exception:
            self.refused += 1
            raise
        with self._lock:
            self.writes.append(Write(current, stored, mutate, getattr(mutate, "__module__", "?")))


# --- fake media tools (the jobs' documented seams) ------------------------------------------------
@dataclass
class FakeProbe:
    duration: float = 10.0
    width: int = 64
    height: int = 36
    rotation: int = 0
    fps: float = 25.0
    video_codec: str = "h264"
    has_audio: bool = False


@dataclass
class FakeFrame:
    time: float
    jpeg: bytes
    width: int = 64
    height: int = 36
    score: float = 0.5


@dataclass
class FakeSnapshots:
    probe: FakeProbe
    snapshots: list[FakeFrame]
    cover_index: int


@dataclass
class FakeSelection:
    candidates: list[FakeFrame]
    moments: list[float] = field(default_factory=list)


def frame_bytes(etag: str, index: int) -> bytes:
    """What a frame of object ``etag`` looks like: lets the test tell whose frames an object holds."""
    return f"frame {index} of {etag}".encode()


# --- operations -----------------------------------------------------------------------------------
LEAF = st.one_of(
    st.tuples(st.just("object_created"), st.sampled_from(["again", "new", "old"]), st.just(())),
    st.tuples(st.just("smart_cover"), st.integers(0, 3), st.just(())),
    st.tuples(st.just("cover_snapshot"), st.integers(0, SNAPSHOT_COUNT - 1)),
    st.tuples(st.just("cover_candidate"), st.integers(0, 2)),
    st.tuples(st.just("cover_image"), st.integers(0, 1)),
    st.tuples(st.just("info"), st.integers(0, 3)),
    st.tuples(st.just("batch"), st.sampled_from(["title", "snapshot", "duplicate", "foreign"])),
)
# A job may have operations run while it captures (nested one level deep).
OPERATION = st.one_of(
    LEAF,
    st.tuples(
        st.just("object_created"),
        st.sampled_from(["again", "new", "old"]),
        st.lists(LEAF, min_size=1, max_size=3).map(tuple),
    ),
    st.tuples(st.just("smart_cover"), st.integers(0, 3), st.lists(LEAF, min_size=1, max_size=3).map(tuple)),
)


class EventRaces(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.video_id = uuid.uuid4().hex
        self.key = keys.upload_key(self.video_id, "clip.mp4")
        self.repo = RacingRepository(TEST_TABLE, self)
        self.store = MediaStore(TEST_BUCKET, url_ttl_seconds=3600)
        self.events = RecordingEvents()
        self.etags = ["etag0"]
        self.editor = VideoEditor(
            videos=self.repo,
            store=self.store,
            events=self.events,
            settings=settings_for(CoversApiSettings),
            media=InProcessCoverMedia(),
        )
        record = new_upload_record(
            video_id=self.video_id,
            owner=OWNER,
            title="t",
            file_name="clip.mp4",
            description="",
            tags=[],
            cover_url=None,
            now=FIXED_NOW,
        )
        self.repo.update(self.video_id, lambda current: record if current is None else None)
        self.other_id = self._foreign_video()
        CHECKED["examples"] += 1

    def _foreign_video(self) -> str:
        other = uuid.uuid4().hex
        record = new_upload_record(
            video_id=other,
            owner="bob",
            title="b",
            file_name="b.mp4",
            description="",
            tags=[],
            cover_url=None,
            now=FIXED_NOW,
        )
        DynamoVideoRepository(TEST_TABLE).update(other, lambda current: record)
        return other

    # --- running operations ---------------------------------------------------------------------
    def execute(self, operation: tuple[Any, ...]) -> None:
        # A refusal (illegal status, no such snapshot...) is an outcome too: the invariants say
        # it changed nothing.
        with contextlib.suppress(VodcoverError):
            getattr(self, "_" + operation[0])(*operation[1:])

    def _run_during(self, during: tuple[Any, ...]) -> None:
        for operation in during:
            self.execute(operation)

    def _object_created(self, which: str, during: tuple[Any, ...]) -> None:
        if which == "new":  # the same key written again: a new object
            self.etags.append(f"etag{len(self.etags)}")
        etag = self.etags[0] if which == "old" else self.etags[-1]  # "old": a late, out-of-order event
        number = int(etag.removeprefix("etag"))
        frames = number % SNAPSHOT_COUNT + 1  # some objects yield fewer frames than asked

        def capture(source: str, *, count: int, width: int, quality: int, timeout: float) -> FakeSnapshots:
            self._run_during(during)
            if number % 4 == 3:  # every fourth object is corrupt
                raise MediaCorrupt("The file is not a readable video.")
            shots = [FakeFrame(time=1.0 + i, jpeg=frame_bytes(etag, i)) for i in range(min(count, frames))]
            return FakeSnapshots(FakeProbe(), shots, cover_index=len(shots) // 2)

        job = ScreenshotJob(
            videos=self.repo,
            store=self.store,
            events=self.events,
            capture=capture,
            options=SnapshotOptions(count=SNAPSHOT_COUNT, width=64, quality=80),
        )
        job.run(self.key, video_id=self.video_id, size=100 + len(etag), etag=etag, timeout=5.0)

    def _smart_cover(self, count: int, during: tuple[Any, ...]) -> None:
        def select(
            source: str, *, count: int, timeout: float, width: int, quality: int, limits: CoverLimits
        ) -> FakeSelection:
            self._run_during(during)
            if wanted == 0:
                raise MediaCorrupt("No frame of the video could be decoded.")
            return FakeSelection(
                [FakeFrame(time=2.0 + i, jpeg=b"candidate %d" % i, score=0.9 - i / 10) for i in range(wanted)]
            )

        wanted = count
        job = SmartCoverJob(
            videos=self.repo,
            store=self.store,
            events=self.events,
            select=select,
            animate=None,
            options=SmartCoverOptions(count=3, width=64, quality=80, limits=CoverLimits(), animated=False),
        )
        job.run(self.video_id, timeout=5.0)

    def _cover_snapshot(self, index: int) -> None:
        self.editor.update(OWNER, self.video_id, VideoChanges.model_validate({"coverSnapshot": index}))

    def _cover_candidate(self, index: int) -> None:
        self.editor.update(OWNER, self.video_id, VideoChanges.model_validate({"coverCandidate": index}))

    def _cover_image(self, index: int) -> None:
        self.editor.upload_cover(OWNER, self.video_id, COVER_IMAGES[index])

    def _info(self, value: int) -> None:
        self.editor.update(OWNER, self.video_id, VideoChanges.model_validate({"title": f"title {value}"}))

    def _batch(self, shape: str) -> None:
        updates: list[dict[str, Any]] = {
            "title": [{"videoId": self.video_id, "title": "batch"}],
            "snapshot": [{"videoId": self.video_id, "coverSnapshot": 0, "tags": ["b"]}],
            "duplicate": [
                {"videoId": self.video_id, "title": "one"},
                {"videoId": self.video_id, "title": "two"},
            ],
            "foreign": [
                {"videoId": self.other_id, "title": "mine"},
                {"videoId": self.video_id, "description": "d"},
            ],
        }[shape]
        result = BatchEditor(videos=self.repo, editor=self.editor).batch_update(OWNER, updates)
        assert self.other_id not in result.updated

    # --- rules --------------------------------------------------------------------------------------
    @rule(operation=OPERATION)
    def act(self, operation: tuple[Any, ...]) -> None:
        CHECKED["steps"] += 1
        self.execute(operation)

    @rule(operation=LEAF)
    def interpose(self, operation: tuple[Any, ...]) -> None:
        """The next conditional write will find the record changed by ``operation`` and retry."""
        self.repo.interlopers.append(operation)

    # --- invariants -------------------------------------------------------------------------------
    @invariant()
    def a_persons_cover_is_never_replaced_by_a_job(self) -> None:
        for write in self.repo.writes:
            if (
                write.writer.startswith("vodcover.jobs")
                and write.before is not None
                and write.before.has_person_cover
            ):
                assert write.after.cover == write.before.cover, write.writer

    @invariant()
    def snapshots_are_never_duplicated(self) -> None:
        record = self.stored()
        snapshot_keys = [s.key for s in record.snapshots]
        assert len(snapshot_keys) == len(set(snapshot_keys)) <= SNAPSHOT_COUNT
        # beyond the current set, only snapshots an earlier cover was, kept by the history (issue 14)
        stored_snapshots = set(self.store.list_keys(keys.snapshot_prefix(self.video_id)))
        assert stored_snapshots - set(snapshot_keys) <= {e.key for e in record.cover_history}
        if record.smart_cover is not None:
            candidate_keys = [c.key for c in record.smart_cover.candidates]
            assert len(candidate_keys) == len(set(candidate_keys))
        if record.status == "Normal" and record.source is not None:  # the frames are of the object named
            for snapshot in record.snapshots:
                assert self.read(snapshot.key) == frame_bytes(record.source.etag, snapshot.index)

    @invariant()
    def version_grows_by_one_per_accepted_write(self) -> None:
        versions = [
            write.after.version for write in self.repo.writes if write.after.video_id == self.video_id
        ]
        assert versions == list(range(1, len(versions) + 1))
        for write in self.repo.writes:
            assert (write.before.version if write.before else 0) == write.after.version - 1
        assert self.stored().version == len(versions)

    @invariant()
    def the_stored_record_is_a_serial_order_of_the_accepted_writes(self) -> None:
        replayed: VideoRecord | None = None
        for write in (w for w in self.repo.writes if w.after.video_id == self.video_id):
            proposed = write.mutate(replayed)
            assert proposed is not None
            replayed = proposed.changed(version=(replayed.version if replayed else 0) + 1)
            assert replayed == write.after
        assert replayed == self.stored()

    @invariant()
    def the_record_names_only_objects_that_exist_and_no_cover_lingers(self) -> None:
        record = self.stored()
        named = {s.key for s in record.snapshots}
        if record.smart_cover is not None:
            named |= {c.key for c in record.smart_cover.candidates}
        if record.cover is not None:
            named.update(record.cover.keys)  # the cover and its renditions (issue 16)
        history = {entry.key for entry in record.cover_history}  # earlier covers' images (issue 14)
        for key in named | history:
            assert self.store.head(key) is not None, f"{key} is named but missing"
        covers = set(self.store.list_keys(f"covers/{self.video_id}/"))
        kept = (set(record.cover.keys) if record.cover else set()) | history
        assert covers <= kept, f"orphaned covers {covers - kept}"

    def teardown(self) -> None:
        CHECKED["writes"] += len(self.repo.writes)
        CHECKED["refused_writes"] += self.repo.refused

    def stored(self) -> VideoRecord:
        record = self.repo.get(self.video_id)
        assert record is not None
        return record

    def read(self, key: str) -> bytes:
        from vodcover.dal.aws import client

        return bytes(client("s3").get_object(Bucket=TEST_BUCKET, Key=key)["Body"].read())


class RecordingEvents:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, event_type: Any, detail: dict[str, Any]) -> None:
        self.published.append((str(event_type), detail))


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Mutations read the clock; a fixed one makes replaying them exact."""
    import vodcover.jobs.screenshot
    import vodcover.jobs.smart_cover
    import vodcover.usecases.edit

    for module in (vodcover.jobs.screenshot, vodcover.jobs.smart_cover, vodcover.usecases.edit):
        monkeypatch.setattr(module, "utc_now", lambda: FIXED_NOW)
    yield


@pytest.mark.usefixtures("fixed_clock")
def test_interleaved_and_duplicated_events_keep_every_promise(capsys: pytest.CaptureFixture[str]) -> None:
    run_state_machine_as_test(
        EventRaces,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            # shrinking a failure of this machine can take minutes; switch it off while iterating
            phases=[p for p in Phase if p != Phase.shrink or not os.environ.get("VODCOVER_NO_SHRINK")],
        ),
    )
    with capsys.disabled():
        print(
            f"\nevent races: {CHECKED['examples']} interleavings, {CHECKED['steps']} operations, "
            f"{CHECKED['writes']} accepted writes, {CHECKED['refused_writes']} writes refused and retried"
        )


@pytest.mark.usefixtures("fixed_clock")
def test_a_cover_replaced_by_a_rival_while_ours_was_written_leaves_no_orphan() -> None:
    """Found by thinking about the machine above: two people upload different covers at once.

    Ours is prepared, a rival's write lands first (deleting the cover it replaced), ours is then
    retried and wins: the image the rival stored must be removed too, as nothing names it.
    """
    machine = EventRaces()
    machine.execute(("object_created", "again", ()))  # processed: the cover may be changed
    machine.repo.interlopers.append(("cover_image", 1))

    machine.execute(("cover_image", 0))

    machine.the_record_names_only_objects_that_exist_and_no_cover_lingers()
    assert machine.repo.refused == 1
