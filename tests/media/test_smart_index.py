"""Smart cover's analysis pass from the mp4 index: the same frames, a fraction of the bytes.

Over HTTP, ffmpeg's keyframe-only pass still demuxes (downloads) the whole file. For an mp4 the
selector reads the index and fetches only the keyframes it analyses; for anything else it keeps
ffmpeg's pass. These tests serve generated videos through the counting range server and compare
both paths on the same clip.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.media.conftest import RangeServer
from tests.support.smart_clips import Part, make_clip, scene_of
from vodcover.media import frame_sampling, smart, smart_analysis
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import measure
from vodcover.media.keyframe_choice import keyframes_near, thin_keyframes
from vodcover.media.keyframes import decode_keyframes_lowres
from vodcover.media.mp4samples import Keyframe
from vodcover.media.probe import probe
from vodcover.media.smart import SmartResult, select_candidates

pytestmark = pytest.mark.media

TIMEOUT = 60.0


@pytest.fixture(autouse=True)
def clips_stand_for_large_videos(monkeypatch: pytest.MonkeyPatch) -> None:
    """These small clips stand for large videos: keyframe analysis, not one decoding pass."""
    monkeypatch.setattr(smart_analysis, "CHEAP_DECODE_PIXEL_SECONDS", 0)


def encode(path: Path, *args: str) -> Path:
    run_ffmpeg(["-y", "-loglevel", "error", *args, str(path)], timeout=120)
    return path


def keyframes_at(*times: float) -> list[Keyframe]:
    return [Keyframe(t, offset=1000 * i, size=100, sample_number=i + 1) for i, t in enumerate(times)]


# --- thinning (pure) ----------------------------------------------------------------------------
def test_thinning_keeps_keyframes_a_step_apart_as_the_ffmpeg_pass_does() -> None:
    # Given a keyframe every second, and one a hair short of the step after a kept one
    keyframes = keyframes_at(0, 1, 2, 3, 4, 5.96, 7, 8)

    kept = thin_keyframes(keyframes, step=2.0, max_frames=120)

    # Then every kept keyframe is at least step - 0.05 s after the last kept one
    assert [k.time for k in kept] == [0, 2, 4, 5.96, 8]


def test_thinning_never_exceeds_max_frames_and_spreads_them_over_the_video() -> None:
    kept = thin_keyframes(keyframes_at(*range(100)), step=0.5, max_frames=10)

    assert [k.time for k in kept] == list(range(0, 100, 10))


def test_gap_times_get_the_nearest_new_keyframe_within_the_tolerance() -> None:
    keyframes = keyframes_at(0, 2, 4, 6, 8, 20)

    near = keyframes_near(keyframes, [2.9, 5.1, 13.0, 7.9], tolerance=1.5, exclude=[0, 4, 8.2])

    # 2.9 gets 2 (4 is analysed already); 5.1 gets 6; nothing lies near 13; 7.9's 8 is too close to 8.2
    assert {t: k.time for t, k in near.items()} == {2.9: 2, 5.1: 6}


# --- the pictures ---------------------------------------------------------------------------------
@pytest.mark.parametrize("rotation", [0, 90])
def test_keyframes_from_the_index_look_exactly_like_ffmpegs_pass(tmp_path: Path, rotation: int) -> None:
    # Given a clip with a keyframe every second (stored turned, with a display matrix, the second time)
    path = tmp_path / f"pixels-{rotation}.mp4"
    make_clip(path, [Part("scene", 3.0, 0), Part("bars", 2.0), Part("scene", 3.0, 1)], rotation=rotation)
    media = probe(str(path), timeout=TIMEOUT)
    size = smart_analysis.analysis_size(media)

    # When its keyframes are decoded small from the index and by ffmpeg's pass
    ours = decode_keyframes_lowres(path, step=1.9, max_frames=120, size=size, timeout=TIMEOUT)
    reference = frame_sampling.decode_keyframe_pass(
        str(path), media, size=size, step=1.9, deadline=time.monotonic() + TIMEOUT
    )

    # Then they are the same moments, the right way up, measuring the same in every feature
    assert ours is not None
    assert [t for t, _ in ours] == [s.frame.time for s in reference] == [0.0, 2.0, 4.0, 6.0]
    assert all(image.size == size for _, image in ours)
    assert [measure(image) for _, image in ours] == [s.frame.features for s in reference]


def test_the_index_path_declines_a_matroska_file(tmp_path: Path) -> None:
    mp4 = tmp_path / "declined.mp4"
    make_clip(mp4, [Part("scene", 2.0, 0)])
    mkv = encode(tmp_path / "declined.mkv", "-i", str(mp4), "-c", "copy")

    assert decode_keyframes_lowres(mkv, step=1.9, max_frames=120, size=(192, 108), timeout=TIMEOUT) is None


# --- bytes over HTTP ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def thirty_megabytes(media_dir: Path) -> dict[str, Path]:
    """~30 MB, 60 s of 640x360 at 4 Mb/s, a keyframe every second; moov at the end and at the front.

    A 10 s encode looped by stream copy: the layout of a long upload in two seconds of encoding.
    """
    segment = encode(
        media_dir / "index-segment.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25,noise=alls=10:allf=t", "-t", "10",
        "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M", "-maxrate", "4M", "-bufsize", "2M",
        "-g", "25", "-pix_fmt", "yuv420p",
    )  # fmt: skip
    looped = ["-stream_loop", "5", "-i", str(segment), "-c", "copy"]
    at_end = encode(media_dir / "index-moov-at-end.mp4", *looped)
    faststart = encode(
        media_dir / "index-faststart.mp4", "-i", str(at_end), "-c", "copy", "-movflags", "+faststart"
    )
    return {"moov-at-end": at_end, "faststart": faststart}


def analysis_bytes(range_server: RangeServer, path: Path) -> tuple[int, list[frame_sampling.Sampled]]:
    url = range_server.url(path.name)
    media = probe(url, timeout=TIMEOUT)
    time.sleep(0.05)  # let the probe's connection finish counting
    before = range_server.bytes_sent
    sampled = smart_analysis.analyse(url, media, count=5, deadline=time.monotonic() + TIMEOUT)
    time.sleep(0.05)
    return range_server.bytes_sent - before, sampled


@pytest.mark.parametrize("layout", ["moov-at-end", "faststart"])
def test_an_mp4_over_http_is_analysed_from_a_small_part_of_the_file(
    range_server: RangeServer,
    thirty_megabytes: dict[str, Path],
    layout: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a ~30 MB mp4 behind a range server that counts what it sends
    path = thirty_megabytes[layout]
    size = path.stat().st_size

    # When the smart cover analyses it, from the index and with ffmpeg's pass
    read, sampled = analysis_bytes(range_server, path)
    ffmpeg_pass_only(monkeypatch)
    read_by_ffmpeg, sampled_by_ffmpeg = analysis_bytes(range_server, path)

    # Then the index path reads the index and every other keyframe, not the file
    assert read < 0.12 * size, f"{layout}: analysis read {read} of {size} bytes"
    assert read_by_ffmpeg > 0.9 * size, "ffmpeg's pass downloads the file: the comparison is meaningful"
    # and it sees the same moments, with the same features
    assert [s.frame for s in sampled] == [s.frame for s in sampled_by_ffmpeg]
    assert len(sampled) == 30


# --- same candidates as ffmpeg's pass -----------------------------------------------------------
def ffmpeg_pass_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The selector as it was: no index, ffmpeg's pass and seeking only."""

    @contextmanager
    def no_index(source: str, *, deadline: float, **picture: Any) -> Iterator[None]:
        yield None

    monkeypatch.setattr(smart, "open_keyframe_index", no_index)
    monkeypatch.setattr(smart_analysis, "open_keyframe_index", no_index)


def spy_on_ffmpeg_pass(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the sources ffmpeg's keyframe pass decoded."""
    calls: list[str] = []
    real = smart_analysis.decode_keyframe_pass

    def spy(source: str, *args: Any, **kwargs: Any) -> list[frame_sampling.Sampled]:
        calls.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(smart_analysis, "decode_keyframe_pass", spy)
    return calls


def assert_same_selection(ours: SmartResult, reference: SmartResult) -> None:
    assert [(c.time, c.score) for c in ours.candidates] == [(c.time, c.score) for c in reference.candidates]
    assert ours.timeline == reference.timeline
    assert ours.moments == reference.moments


@pytest.mark.parametrize("rotation", [0, 90])
def test_candidates_from_the_index_equal_those_from_ffmpegs_pass(
    tmp_path: Path, rotation: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given junk around three scenes (stored turned, with a display matrix, in the second case)
    path = tmp_path / f"scenes-{rotation}.mp4"
    parts = [
        Part("black", 1.0),
        Part("title", 2.0),
        Part("scene", 4.0, 0),
        Part("bars", 2.0),
        Part("scene", 4.0, 1),
        Part("scene", 4.0, 2),
        Part("black", 1.0),
    ]
    labels = make_clip(path, parts, rotation=rotation)
    ffmpeg_pass = spy_on_ffmpeg_pass(monkeypatch)

    # When candidates are chosen from the index, then with ffmpeg's pass only
    ours = select_candidates(str(path), count=3, timeout=TIMEOUT)
    ffmpeg_pass_only(monkeypatch)
    reference = select_candidates(str(path), count=3, timeout=TIMEOUT)

    # Then the index path ran, and everything downstream is the same
    assert ffmpeg_pass == [str(path)], "only the reference run used ffmpeg's pass"
    assert_same_selection(ours, reference)
    assert {scene_of(c.time, labels) for c in ours.candidates} == {0, 1, 2}


def test_a_matroska_video_is_still_analysed_by_ffmpegs_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the same clip as mp4 and, stream-copied, as mkv
    mp4 = tmp_path / "clip.mp4"
    labels = make_clip(mp4, [Part("black", 1.0), Part("scene", 3.0, 3), Part("scene", 3.0, 4)])
    mkv = encode(tmp_path / "clip.mkv", "-i", str(mp4), "-c", "copy")
    ffmpeg_pass = spy_on_ffmpeg_pass(monkeypatch)

    # When candidates are chosen from both
    from_mkv = select_candidates(str(mkv), count=3, timeout=TIMEOUT)
    from_mp4 = select_candidates(str(mp4), count=3, timeout=TIMEOUT)

    # Then the mkv went through ffmpeg's pass, the mp4 through the index, both to one per scene
    # (the mp4's gap samples are keyframes, the mkv's seeked frames: the picks may differ a little)
    assert ffmpeg_pass == [str(mkv)]
    assert [scene_of(c.time, labels) for c in from_mkv.candidates] == [4, 3]
    assert [scene_of(c.time, labels) for c in from_mp4.candidates] == [4, 3]


# --- gaps: thinned keyframes and sparse keyframes -----------------------------------------------
def spy_on_seeking(monkeypatch: pytest.MonkeyPatch) -> list[list[float]]:
    calls: list[list[float]] = []
    real = smart_analysis.sample_by_seeking

    def spy(source: str, times: list[float], **kwargs: Any) -> list[frame_sampling.Sampled]:
        calls.append(list(times))
        return real(source, times, **kwargs)

    monkeypatch.setattr(smart_analysis, "sample_by_seeking", spy)
    return calls


def looped(tmp_path: Path, name: str, *, seconds: int, gop: int) -> Path:
    """A tiny 10 s encode looped by stream copy to ``seconds``: a long video's layout, quickly."""
    segment = encode(
        tmp_path / f"{name}-segment.mp4",
        "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25", "-t", "10",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", str(gop), "-pix_fmt", "yuv420p",
    )  # fmt: skip
    loops = str(seconds // 10 - 1)
    return encode(tmp_path / f"{name}.mp4", "-stream_loop", loops, "-i", str(segment), "-c", "copy")


def test_gaps_left_by_thinning_a_long_video_are_filled_with_keyframes_not_seeks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 22 minutes with a keyframe every second: 120 analysed keyframes lie 11 s apart
    path = looped(tmp_path, "long", seconds=1320, gop=25)
    seeks = spy_on_seeking(monkeypatch)
    media = probe(str(path), timeout=TIMEOUT)

    # When it is analysed
    sampled = smart_analysis.analyse(str(path), media, count=5, deadline=time.monotonic() + TIMEOUT)

    # Then the gaps get extra frames, all of them keyframes read from the index, none by seeking
    assert seeks == []
    assert len(sampled) > smart_analysis.MAX_ANALYSIS_FRAMES
    assert all(s.keyframe for s in sampled)
    times = [s.frame.time for s in sampled]
    assert times == sorted(times) and len(set(times)) == len(times)


def test_truly_sparse_keyframes_are_still_filled_by_seeking_with_the_same_outcome(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 60 s with a keyframe every 12 s
    path = looped(tmp_path, "sparse", seconds=60, gop=300)
    seeks = spy_on_seeking(monkeypatch)

    # When candidates are chosen through the index, then with ffmpeg's pass only
    ours = select_candidates(str(path), count=3, timeout=TIMEOUT)
    ffmpeg_pass_only(monkeypatch)
    reference = select_candidates(str(path), count=3, timeout=TIMEOUT)

    # Then both filled the gaps by seeking at the same times, and chose the same
    assert len(seeks) == 2 and seeks[0] == seeks[1] and seeks[0]
    assert_same_selection(ours, reference)
