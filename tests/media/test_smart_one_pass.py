"""Smart cover on a clip cheap to decode: analysed and its candidates taken from one decoding pass.

Real video encoded with the bundled ffmpeg (tests.media.test_smart_generalises.encode): fast cuts,
letterbox bars found on the analysed frames themselves, a phone clip held upright.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.media.test_smart_generalises import candidates_of, encode, part_at
from vodcover.media.ffmpeg import run_ffmpeg

pytestmark = pytest.mark.media


def test_given_one_second_shots_then_every_pick_is_inside_a_shot_and_clear_of_its_cuts(
    tmp_path: Path,
) -> None:
    # Given five 1 s shots cut hard into each other, x264 putting keyframes on the cuts
    path = tmp_path / "fast-cuts.mp4"
    clip = encode(path, [("scene", 1.0, seed) for seed in (21, 22, 23, 24, 25)], gop=None)

    # When smart cover runs
    result = candidates_of(path)

    # Then there are candidates from several shots, none within 0.3 s of a cut between shots
    cuts = [start for _, _, start, _ in clip["ranges"][1:]]
    assert len({part_at(c.time, clip) for c in result.candidates}) >= 3, [c.time for c in result.candidates]
    for candidate in result.candidates:
        assert all(abs(candidate.time - cut) >= 0.3 for cut in cuts), candidate.time


def test_given_a_letterboxed_clip_then_candidates_show_the_picture_without_its_bars(tmp_path: Path) -> None:
    # Given a 3 s clip of two scenes drawn 320x136 inside a 320x180 frame (black bars above and below)
    drawn = tmp_path / "drawn.mp4"
    encode(drawn, [("scene", 1.5, 31), ("scene", 1.5, 32)], size=(320, 136))
    path = tmp_path / "letterboxed.mp4"
    run_ffmpeg(
        ["-y", "-i", str(drawn), "-vf", "pad=320:180:0:22:black", "-c:v", "libx264", "-preset", "ultrafast",
         "-pix_fmt", "yuv420p", str(path)],
        timeout=60,
    )  # fmt: skip

    # When smart cover runs
    result = candidates_of(path)

    # Then each candidate is the picture alone: about 320x136, with no black band at top or bottom
    assert result.candidates
    for candidate in result.candidates:
        image = Image.open(io.BytesIO(candidate.jpeg)).convert("L")
        assert abs(image.width / image.height - 320 / 136) < 0.1, image.size
        top = ImageStat.Stat(image.crop((0, 0, image.width, 4))).mean[0]
        bottom = ImageStat.Stat(image.crop((0, image.height - 4, image.width, image.height))).mean[0]
        assert min(top, bottom) > 30, (top, bottom)


def test_given_a_phone_clip_held_upright_then_candidates_are_upright(tmp_path: Path) -> None:
    # Given 3 s stored 320x180 with a display matrix turning it a quarter (a phone held upright)
    stored = tmp_path / "stored.mp4"
    clip = encode(stored, [("scene", 1.5, 41), ("scene", 1.5, 42)])
    path = tmp_path / "upright.mp4"
    run_ffmpeg(["-y", "-display_rotation", "90", "-i", str(stored), "-c", "copy", str(path)], timeout=60)

    # When smart cover runs
    result = candidates_of(path)

    # Then the video is displayed 180x320 and so are its candidates, one per scene
    assert (result.width, result.height) == (180, 320)
    assert {(c.width, c.height) for c in result.candidates} == {(180, 320)}
    assert sorted(part_at(c.time, clip) for c in result.candidates) == [("scene", 41), ("scene", 42)]
