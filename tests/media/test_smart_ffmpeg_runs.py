"""How many times smart cover starts ffmpeg: the fixed cost of a video is its ffmpeg runs.

Each run is a process start of a large binary and an input opened again; on a 3 s clip that
cost more than decoding the clip. The runs are counted where every one of them begins (the
process launch behind :func:`vodcover.media.ffmpeg.run_ffmpeg`), on real encoded video.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media.test_smart_generalises import candidates_of, encode, part_at
from vodcover.media import ffmpeg, smart, smart_analysis
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.probe import probe

pytestmark = pytest.mark.media


class LaunchCounter:
    def __init__(self) -> None:
        self.argvs: list[list[str]] = []

    @property
    def runs(self) -> int:
        return len(self.argvs)


@pytest.fixture
def ffmpeg_launches(monkeypatch: pytest.MonkeyPatch) -> Iterator[LaunchCounter]:
    """Every ffmpeg process vodcover starts from here on (the clips are encoded before)."""
    counter = LaunchCounter()
    real_popen = subprocess.Popen

    def counting_popen(argv: list[str], *args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        counter.argvs.append(list(argv))
        return real_popen(argv, *args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(ffmpeg.subprocess, "Popen", counting_popen)
    yield counter


def test_given_a_three_second_clip_then_one_ffmpeg_run_does_everything(
    tmp_path: Path, ffmpeg_launches: LaunchCounter
) -> None:
    # Given a 3 s mp4 of two scenes (cheap to decode)
    path = tmp_path / "short.mp4"
    clip = encode(path, [("scene", 1.5, 51), ("scene", 1.5, 52)])
    ffmpeg_launches.argvs.clear()

    # When smart cover runs
    result = candidates_of(path)

    # Then ffmpeg ran once (no separate probe): the same run told the clip's facts and gave both scenes
    assert ffmpeg_launches.runs == 1, ffmpeg_launches.argvs
    assert (result.duration, result.width, result.height) == (probe(str(path), timeout=30).duration, 320, 180)
    assert sorted(part_at(c.time, clip) for c in result.candidates) == [("scene", 51), ("scene", 52)]


def test_given_a_clip_the_header_describes_wrongly_then_the_run_is_redone_as_the_probe_asks(
    tmp_path: Path, ffmpeg_launches: LaunchCounter
) -> None:
    # Given a 3 s clip whose pixels are twice as wide as tall (the mp4 header alone reads 320x180)
    stored = tmp_path / "stored.mp4"
    encode(stored, [("scene", 1.5, 53), ("scene", 1.5, 54)])
    path = tmp_path / "anamorphic.mp4"
    run_ffmpeg(
        ["-y", "-i", str(stored), "-c", "copy", "-bsf:v", "h264_metadata=sample_aspect_ratio=2/1", str(path)],
        timeout=60,
    )
    ffmpeg_launches.argvs.clear()

    # When smart cover runs
    result = candidates_of(path)

    # Then it is shown and its candidates made at the displayed 640x180, from a second run
    assert (result.width, result.height) == (640, 180)
    assert {(c.width, c.height) for c in result.candidates} == {(640, 180)}
    assert ffmpeg_launches.runs == 2, ffmpeg_launches.argvs


def test_given_a_clip_that_is_not_mp4_then_it_is_probed_then_decoded_once(
    tmp_path: Path, ffmpeg_launches: LaunchCounter
) -> None:
    # Given the same kind of clip in Matroska (no mp4 index to read)
    stored = tmp_path / "stored.mp4"
    clip = encode(stored, [("scene", 1.5, 55), ("scene", 1.5, 56)])
    path = tmp_path / "short.mkv"
    run_ffmpeg(["-y", "-i", str(stored), "-c", "copy", str(path)], timeout=60)
    ffmpeg_launches.argvs.clear()

    # When smart cover runs
    result = candidates_of(path)

    # Then one probe and one decoding pass
    assert ffmpeg_launches.runs == 2, ffmpeg_launches.argvs
    assert sorted(part_at(c.time, clip) for c in result.candidates) == [("scene", 55), ("scene", 56)]


@pytest.fixture
def as_if_4k(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small clips treated as a 4K video: not cheap to decode, too large to refine picks by seeking."""
    monkeypatch.setattr(smart_analysis, "CHEAP_DECODE_PIXEL_SECONDS", 0)
    monkeypatch.setattr(smart, "MAX_REFINE_PIXELS", 0)


@pytest.mark.usefixtures("as_if_4k")
def test_given_a_large_video_with_sparse_keyframes_then_nothing_is_sought_and_the_winners_come_from_one_run(
    tmp_path: Path, ffmpeg_launches: LaunchCounter
) -> None:
    # Given a clip standing for a 4K video with a keyframe every 4 s over 2 s scenes
    path = tmp_path / "sparse.mp4"
    encode(path, [("scene", 2.0, seed) for seed in (61, 62, 63, 64, 65, 66)], gop=100)
    ffmpeg_launches.argvs.clear()

    # When smart cover runs
    result = candidates_of(path)

    # Then no ffmpeg run seeks (a 4K seek decodes seconds of video): the probe, one decode of
    # keyframes for the analysis (whose pictures rule black bars out: no decode of its own for
    # the bars look), one for all the winners at cover size
    assert result.candidates
    assert not [argv for argv in ffmpeg_launches.argvs if "-ss" in argv], ffmpeg_launches.argvs
    assert ffmpeg_launches.runs == 3, ffmpeg_launches.argvs


@pytest.mark.usefixtures("as_if_4k")
def test_given_a_large_letterboxed_video_then_the_bars_look_runs_and_the_analysis_is_cut_to_the_picture(
    tmp_path: Path, ffmpeg_launches: LaunchCounter
) -> None:
    # Given a clip standing for a 4K video, its scenes drawn 320x136 inside a 320x180 frame
    drawn = tmp_path / "drawn.mp4"
    encode(drawn, [("scene", 2.0, seed) for seed in (71, 72, 73)], size=(320, 136))
    path = tmp_path / "letterboxed.mp4"
    run_ffmpeg(
        ["-y", "-i", str(drawn), "-vf", "pad=320:180:0:22:black", "-c:v", "libx264", "-preset", "ultrafast",
         "-g", "30", "-pix_fmt", "yuv420p", str(path)],
        timeout=60,
    )  # fmt: skip
    ffmpeg_launches.argvs.clear()

    # When smart cover runs
    result = candidates_of(path)

    # Then the analysed keyframes leave room for bars, so the bars look decodes its keyframes, finds
    # the bars, and the analysis runs again cut to the picture: the candidates are about 320x136
    assert result.candidates
    assert {abs(c.width / c.height - 320 / 136) < 0.1 for c in result.candidates} == {True}
    assert ffmpeg_launches.runs == 5, ffmpeg_launches.argvs
