"""Reading videos over HTTP like a presigned S3 URL: seeking by Range, never downloading all."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from vodcover.errors import MediaEmpty, MediaUnavailable
from vodcover.media.probe import probe
from vodcover.media.snapshots import capture_snapshots

if TYPE_CHECKING:
    from conftest import RangeServer

pytestmark = pytest.mark.media

TIMEOUT = 60.0


@pytest.fixture(scope="module")
def served_clip(media_dir: Path) -> Path:
    """A 20 s clip at a bitrate high enough that reading it all would show."""
    from vodcover_dev.samples import make_sample_video

    return make_sample_video(media_dir / "served.mp4", duration=20, width=640, height=360, gop=25, crf=10)


def test_snapshots_from_a_url(range_server: RangeServer, served_clip: Path) -> None:
    # Given a video behind an HTTP server that honours Range, like S3
    url = range_server.url(served_clip.name) + "?X-Amz-Signature=secret"
    # When 4 snapshots are taken from its URL
    result = capture_snapshots(url, count=4, width=320, quality=85, timeout=TIMEOUT)
    # Then they come back at the asked size, spread over the video
    assert len(result.snapshots) == 4
    assert {(s.width, s.height) for s in result.snapshots} == {(320, 180)}
    assert result.probe.duration == pytest.approx(20.0, abs=0.1)


def test_a_url_is_read_in_ranges_not_downloaded(range_server: RangeServer, served_clip: Path) -> None:
    # Given a 20 s clip with a keyframe every second
    before = range_server.bytes_sent
    # When one snapshot is taken from the middle
    capture_snapshots(range_server.url(served_clip.name), count=1, width=320, quality=85, timeout=TIMEOUT)
    # Then far less than the whole file crossed the wire
    assert range_server.bytes_sent - before < served_clip.stat().st_size * 0.5


def test_probe_of_a_url(range_server: RangeServer, phone_portrait: Path) -> None:
    media = probe(range_server.url(phone_portrait.name), timeout=TIMEOUT)
    assert (media.width, media.height, media.rotation) == (360, 640, 90)


def test_missing_object_is_unavailable(range_server: RangeServer) -> None:
    with pytest.raises(MediaUnavailable):
        probe(range_server.url("uploads/gone.mp4"), timeout=TIMEOUT)


def test_empty_object_is_empty(range_server: RangeServer, zero_bytes: Path) -> None:
    with pytest.raises(MediaEmpty):
        probe(range_server.url(zero_bytes.name), timeout=TIMEOUT)


def test_refused_connection_is_unavailable() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with pytest.raises(MediaUnavailable):
        probe(f"http://127.0.0.1:{port}/video.mp4", timeout=TIMEOUT)


@pytest.fixture(scope="module")
def sparse_keyframe_clip(media_dir: Path) -> Path:
    """8 s with a single keyframe: no keyframe lies near most snapshot times."""
    from vodcover_dev.samples import make_sample_video

    return make_sample_video(media_dir / "sparse.mp4", duration=8, width=640, height=360, gop=250, crf=8)


def test_a_small_video_with_sparse_keyframes_is_read_once_not_seeked_into_again_and_again(
    range_server: RangeServer, sparse_keyframe_clip: Path
) -> None:
    # Given a small clip whose only keyframe is its first frame
    before = range_server.bytes_sent
    # When 8 snapshots are taken from its URL
    result = capture_snapshots(
        range_server.url(sparse_keyframe_clip.name), count=8, width=320, quality=85, timeout=TIMEOUT
    )
    # Then every snapshot is a distinct moment, and the file crossed the wire about once (plus the
    # probe's and the index's reads): 8 seeks, each re-reading from the keyframe, moved 7x the file
    assert len({s.time for s in result.snapshots}) == 8
    assert range_server.bytes_sent - before < sparse_keyframe_clip.stat().st_size * 1.5
