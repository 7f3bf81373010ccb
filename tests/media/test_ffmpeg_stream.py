"""ffmpeg's stdout handed over frame by frame: the caller's work overlaps the decoding."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from vodcover.errors import MediaTimeout
from vodcover.media.ffmpeg import run_ffmpeg

pytestmark = pytest.mark.media

FRAME = 32 * 18 * 3
SOURCE = "testsrc2=size=32x18:rate=10:duration={seconds}"
OUTPUT = ["-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]
TEN_FRAMES = ["-f", "lavfi", "-i", SOURCE.format(seconds=1), *OUTPUT]


def test_given_a_consumer_then_it_gets_every_frame_as_the_whole_output_would_have_it() -> None:
    # Given ten small frames, read whole once
    whole = run_ffmpeg(TEN_FRAMES, timeout=30).stdout

    # When the same run is streamed to a consumer, a frame at a time
    pieces: list[bytes] = []
    streamed = run_ffmpeg(TEN_FRAMES, timeout=30, consume=pieces.append, chunk=FRAME)

    # Then it got the same ten frames in order, and stderr still tells what ffmpeg did
    assert [len(p) for p in pieces] == [FRAME] * 10
    assert b"".join(pieces) == whole
    assert streamed.stdout == b""
    assert "Output #0" in streamed.stderr


def test_given_a_stream_slower_than_its_timeout_then_it_is_stopped_as_a_timeout() -> None:
    # Given a source that plays in real time for a minute
    endless = ["-re", "-f", "lavfi", "-i", SOURCE.format(seconds=60), *OUTPUT]
    pieces: list[bytes] = []

    # When it is streamed with a one-second budget, then it is stopped as a timeout
    with pytest.raises(MediaTimeout):
        run_ffmpeg(endless, timeout=1.0, consume=pieces.append, chunk=FRAME)

    # and the frames decoded so far were handed over, not the minute's 600
    assert 0 < len(pieces) < 600


def test_given_a_consumer_that_fails_then_ffmpeg_is_stopped_and_the_failure_raised() -> None:
    # Given a minute of frames and a consumer that gives up on the third
    endless = ["-re", "-f", "lavfi", "-i", SOURCE.format(seconds=60), *OUTPUT]
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def remembering_popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        process: subprocess.Popen[bytes] = real_popen(*args, **kwargs)
        started.append(process)
        return process

    def consume(piece: bytes) -> None:
        if len(consumed) == 2:
            raise ValueError("not a picture")
        consumed.append(piece)

    consumed: list[bytes] = []

    # When it is streamed, then the consumer's failure comes out
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(subprocess, "Popen", remembering_popen)
        with pytest.raises(ValueError, match="not a picture"):
            run_ffmpeg(endless, timeout=120, consume=consume, chunk=FRAME)

    # and ffmpeg is not left running, blocked on a pipe nobody reads
    (process,) = started
    assert process.poll() is not None
