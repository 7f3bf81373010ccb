"""Snapshots of real encoded video: counts, times, sizes, orientation and the default cover."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from vodcover.errors import MediaCorrupt, MediaEmpty, MediaNoVideoStream
from vodcover.media.snapshots import capture_frame_at, capture_snapshots

pytestmark = pytest.mark.media

TIMEOUT = 60.0


def decoded(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg), formats=["JPEG"])
    image.load()
    return image


def mean_luma(jpeg: bytes) -> float:
    return float(ImageStat.Stat(decoded(jpeg).convert("L")).mean[0])


def test_snapshot_count_and_spread(three_second_clip: Path) -> None:
    # Given a 3-second clip
    # When 6 snapshots are asked for
    result = capture_snapshots(str(three_second_clip), count=6, width=0, quality=85, timeout=TIMEOUT)
    # Then there are 6, in order, spread over the whole clip away from its very ends
    times = [s.time for s in result.snapshots]
    assert len(times) == 6
    assert times == sorted(times)
    assert times[0] == pytest.approx(0.25, abs=0.05)
    assert times[-1] == pytest.approx(2.75, abs=0.05)
    assert [s.index for s in result.snapshots] == list(range(6))
    assert 0 <= result.cover_index < 6


def test_snapshots_are_real_jpegs_of_the_stated_size(three_second_clip: Path) -> None:
    result = capture_snapshots(str(three_second_clip), count=3, width=0, quality=85, timeout=TIMEOUT)
    for snapshot in result.snapshots:
        image = decoded(snapshot.jpeg)
        assert image.format == "JPEG"
        assert image.size == (snapshot.width, snapshot.height) == (320, 240)


def test_width_is_honoured_and_aspect_kept(landscape_1080p: Path) -> None:
    # Given a 1080p clip
    # When snapshots 640 px wide are asked for
    result = capture_snapshots(str(landscape_1080p), count=2, width=640, quality=80, timeout=TIMEOUT)
    # Then each is 640x360
    assert {decoded(s.jpeg).size for s in result.snapshots} == {(640, 360)}


def test_width_larger_than_the_source_is_not_upscaled(three_second_clip: Path) -> None:
    result = capture_snapshots(str(three_second_clip), count=1, width=1920, quality=80, timeout=TIMEOUT)
    assert decoded(result.snapshots[0].jpeg).size == (320, 240)


def test_higher_quality_makes_bigger_files(three_second_clip: Path) -> None:
    low = capture_snapshots(str(three_second_clip), count=1, width=0, quality=40, timeout=TIMEOUT)
    high = capture_snapshots(str(three_second_clip), count=1, width=0, quality=95, timeout=TIMEOUT)
    assert len(high.snapshots[0].jpeg) > len(low.snapshots[0].jpeg)


def test_portrait_phone_video_gives_upright_portrait_snapshots(phone_portrait: Path) -> None:
    # Given a phone video stored landscape with a 90° display matrix
    # When snapshots are taken at 180 px wide
    result = capture_snapshots(str(phone_portrait), count=3, width=180, quality=85, timeout=TIMEOUT)
    # Then they are taller than wide, as the phone showed them
    for snapshot in result.snapshots:
        width, height = decoded(snapshot.jpeg).size
        assert (width, height) == (180, 320)
        assert height > width


def test_portrait_snapshot_is_turned_clockwise(phone_portrait: Path) -> None:
    # testsrc2 draws its bright colour bars across the top of the stored frame; after a quarter
    # turn clockwise they run down the right-hand side, and the left side holds the darker lower
    # part of the pattern.
    image = decoded(
        capture_snapshots(str(phone_portrait), count=1, width=0, quality=90, timeout=TIMEOUT)
        .snapshots[0]
        .jpeg
    ).convert("L")
    left = ImageStat.Stat(image.crop((0, 0, 40, image.height))).mean[0]
    right = ImageStat.Stat(image.crop((image.width - 40, 0, image.width, image.height))).mean[0]
    stored = decoded(_stored_frame(phone_portrait)).convert("L")
    top = ImageStat.Stat(stored.crop((0, 0, stored.width, 40))).mean[0]
    bottom = ImageStat.Stat(stored.crop((0, stored.height - 40, stored.width, stored.height))).mean[0]
    assert (right > left) == (top > bottom)


def _stored_frame(path: Path) -> bytes:
    from vodcover.media.ffmpeg import run_ffmpeg

    args = [
        "-noautorotate",
        "-ss",
        "1.5",
        "-i",
        str(path),
        "-frames:v",
        "1",
        "-c:v",
        "mjpeg",
        "-f",
        "image2pipe",
        "-",
    ]
    return run_ffmpeg(args, timeout=TIMEOUT).stdout


def test_black_intro_never_becomes_the_cover(long_black_intro: Path) -> None:
    # Given 8 s whose first 5 s are black, so the middle of the snapshots falls in the dark
    # When 4 snapshots are taken (1, 3, 5 and 7 s)
    result = capture_snapshots(str(long_black_intro), count=4, width=0, quality=85, timeout=TIMEOUT)
    # Then the first ones are black, yet the cover is a lit frame
    assert mean_luma(result.snapshots[0].jpeg) < 10
    assert "black" in result.snapshots[1].score.flags
    assert result.cover_index in (2, 3)
    assert mean_luma(result.cover.jpeg) > 60


def test_sub_second_clip_gives_snapshots(sub_second_clip: Path) -> None:
    result = capture_snapshots(str(sub_second_clip), count=8, width=0, quality=85, timeout=TIMEOUT)
    assert 1 <= len(result.snapshots) <= 8
    assert all(0 <= s.time < 0.44 for s in result.snapshots)


def test_truncated_upload_gives_the_snapshots_it_can(truncated_upload: Path) -> None:
    # Given an upload cut short: the index promises 6 s, frames stop after ~3.6 s
    # When 8 snapshots are asked for
    result = capture_snapshots(str(truncated_upload), count=8, width=0, quality=85, timeout=TIMEOUT)
    # Then the readable part yields snapshots instead of the whole set failing
    assert 4 <= len(result.snapshots) < 8
    assert max(s.time for s in result.snapshots) < 4.0


def test_scene_clip_cover_is_a_detailed_frame(scenes_clip: Path) -> None:
    result = capture_snapshots(str(scenes_clip), count=4, width=320, quality=85, timeout=TIMEOUT)
    assert not result.cover.score.is_junk


@pytest.mark.parametrize(
    ("fixture", "error"),
    [("zero_bytes", MediaEmpty), ("corrupt_bytes", MediaCorrupt), ("audio_only", MediaNoVideoStream)],
)
def test_bad_inputs_fail_with_their_code(
    fixture: str, error: type[Exception], request: pytest.FixtureRequest
) -> None:
    path: Path = request.getfixturevalue(fixture)
    with pytest.raises(error):
        capture_snapshots(str(path), count=2, width=0, quality=85, timeout=TIMEOUT)


def test_frame_at_a_chosen_time(three_second_clip: Path) -> None:
    # Given a user picks the moment 1.2 s in as the cover
    jpeg, width, height = capture_frame_at(
        str(three_second_clip), 1.2, width=160, quality=85, timeout=TIMEOUT
    )
    # Then that frame comes back as a JPEG at the asked width
    assert decoded(jpeg).size == (width, height) == (160, 120)


def test_frame_at_the_very_end_falls_back_to_the_last_frame(three_second_clip: Path) -> None:
    jpeg, _, _ = capture_frame_at(str(three_second_clip), 3.0, width=0, quality=85, timeout=TIMEOUT)
    assert decoded(jpeg).size == (320, 240)
