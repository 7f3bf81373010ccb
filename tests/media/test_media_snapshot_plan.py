"""Snapshot timing, output sizes and retries through the frame-grabber seam (no ffmpeg)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from PIL import Image, ImageDraw

from vodcover.errors import MediaCorrupt
from vodcover.media.frame_grabbers import GrabbedFrame
from vodcover.media.probe import MediaProbe
from vodcover.media.snapshots import capture_snapshots, output_size, snapshot_times


def media(duration: float = 10.0, width: int = 1920, height: int = 1080, rotation: int = 0) -> MediaProbe:
    return MediaProbe(
        duration=duration,
        width=width,
        height=height,
        rotation=rotation,
        fps=25.0,
        video_codec="h264",
        has_audio=False,
        bitrate=None,
        start_time=0.0,
    )


def test_times_are_spread_and_skip_the_first_and_last_moments() -> None:
    times = snapshot_times(80.0, 8)
    assert times == [5.0, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0, 75.0]


def test_one_snapshot_is_the_middle() -> None:
    assert snapshot_times(7.0, 1) == [3.5]


def test_times_of_a_sub_second_clip_stay_inside_it() -> None:
    times = snapshot_times(0.4, 8)
    assert len(times) == 8
    assert all(0 < t < 0.4 for t in times)
    assert times == sorted(times)


def test_times_can_be_offset_to_stream_timestamps() -> None:
    assert snapshot_times(10.0, 2, start_time=1.4) == [3.9, 8.9]


@pytest.mark.parametrize(("duration", "count"), [(0.0, 8), (10.0, 0)])
def test_times_reject_nonsense(duration: float, count: int) -> None:
    with pytest.raises(ValueError):
        snapshot_times(duration, count)


@pytest.mark.parametrize(
    ("source", "width", "expected"),
    [
        ((1920, 1080), 1280, (1280, 720)),
        ((1920, 1080), 0, (1920, 1080)),
        ((1920, 1080), 4000, (1920, 1080)),  # never upscaled
        ((1080, 1920), 720, (720, 1280)),  # portrait keeps its aspect
        ((854, 480), 427, (426, 240)),  # even sizes for the encoder
        ((321, 241), 0, (320, 240)),
    ],
)
def test_output_size(source: tuple[int, int], width: int, expected: tuple[int, int]) -> None:
    assert output_size(media(width=source[0], height=source[1]), width) == expected


class ScriptedGrabber:
    """Fails the times it is told to fail; records every call."""

    def __init__(self, failing_after: float | None = None) -> None:
        self.failing_after = failing_after
        self.calls: list[list[float]] = []

    def grab(
        self,
        source: str,
        times: Sequence[float],
        *,
        size: tuple[int, int],
        media: MediaProbe,
        deadline: float,
    ) -> list[GrabbedFrame | None]:
        self.calls.append(list(times))
        return [
            None if self.failing_after is not None and t > self.failing_after else self._frame(t, size)
            for t in times
        ]

    @staticmethod
    def _frame(at: float, size: tuple[int, int]) -> GrabbedFrame:
        image = Image.new("RGB", size, (100, 120, 140))
        draw = ImageDraw.Draw(image)
        for x in range(0, size[0], 12):
            draw.line((x, 0, x + 40, size[1]), fill=(250, 240, int(at * 10) % 256), width=3)
        return GrabbedFrame(time=at, image=image)


def test_frames_failing_near_the_end_are_retried_earlier() -> None:
    # Given a grabber that cannot decode anything after 8.5 s of a 10 s video
    grabber = ScriptedGrabber(failing_after=8.5)
    # When 5 snapshots are captured (asked at 1, 3, 5, 7 and 9 s)
    result = capture_snapshots(
        "video.mp4", count=5, width=320, quality=80, timeout=10, probe_result=media(), grabber=grabber
    )
    # Then the last one is retried a little earlier and the set is complete
    assert len(result.snapshots) == 5
    assert 8.0 <= result.snapshots[-1].time <= 8.5
    assert len(grabber.calls) == 2
    assert [s.index for s in result.snapshots] == [0, 1, 2, 3, 4]


def test_undecodable_frames_are_dropped_and_indices_stay_contiguous() -> None:
    # Given nothing decodes after 4.9 s: 6.25 s retries down onto 3.75 s (a duplicate), 8.75 s never
    grabber = ScriptedGrabber(failing_after=4.9)
    result = capture_snapshots(
        "video.mp4", count=4, width=320, quality=80, timeout=10, probe_result=media(), grabber=grabber
    )
    assert [s.time for s in result.snapshots] == [1.25, 3.75]
    assert [s.index for s in result.snapshots] == [0, 1]


def test_no_frame_at_all_is_corrupt() -> None:
    with pytest.raises(MediaCorrupt):
        capture_snapshots(
            "video.mp4",
            count=3,
            width=320,
            quality=80,
            timeout=10,
            probe_result=media(),
            grabber=ScriptedGrabber(failing_after=-1.0),
        )


def test_snapshots_are_jpeg_at_the_asked_size() -> None:
    result = capture_snapshots(
        "video.mp4",
        count=2,
        width=320,
        quality=80,
        timeout=10,
        probe_result=media(),
        grabber=ScriptedGrabber(),
    )
    assert all(s.jpeg[:3] == b"\xff\xd8\xff" for s in result.snapshots)
    assert {(s.width, s.height) for s in result.snapshots} == {(320, 180)}
