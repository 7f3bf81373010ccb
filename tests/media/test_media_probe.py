"""Probing real encoded files: what users see and the stable error codes they get."""

from __future__ import annotations

from pathlib import Path

import pytest

from vodcover.errors import MediaCorrupt, MediaEmpty, MediaNoVideoStream, MediaUnavailable
from vodcover.media.probe import probe

pytestmark = pytest.mark.media

TIMEOUT = 30.0


def test_landscape_1080p_is_described_as_displayed(landscape_1080p: Path) -> None:
    # Given a 2 s 1080p camera clip with sound
    # When it is probed
    media = probe(str(landscape_1080p), timeout=TIMEOUT)
    # Then its size, duration, frame rate, codec and audio are reported
    assert (media.width, media.height, media.rotation) == (1920, 1080, 0)
    assert media.duration == pytest.approx(2.0, abs=0.1)
    assert media.fps == pytest.approx(25.0)
    assert media.video_codec == "h264"
    assert media.has_audio is True
    assert media.bitrate and media.bitrate > 0


def test_phone_portrait_reports_displayed_size_and_clockwise_rotation(phone_portrait: Path) -> None:
    # Given a phone video stored 640x360 with a display matrix of a quarter turn clockwise
    # When it is probed
    media = probe(str(phone_portrait), timeout=TIMEOUT)
    # Then it is described the way players show it: portrait, rotation 90
    assert (media.width, media.height) == (360, 640)
    assert media.rotation == 90
    assert (media.stored_width, media.stored_height) == (640, 360)
    assert media.has_audio is False


@pytest.mark.parametrize("rotation", [180, 270])
def test_other_rotations_round_trip(media_dir: Path, rotation: int) -> None:
    from vodcover_dev.samples import make_sample_video

    # Given clips written with each display rotation
    path = make_sample_video(
        media_dir / f"rot{rotation}.mov", duration=1, width=320, height=240, rotation=rotation
    )
    # When probed
    media = probe(str(path), timeout=TIMEOUT)
    # Then the rotation reads back and the displayed size follows it
    assert media.rotation == rotation
    expected = (240, 320) if rotation == 270 else (320, 240)
    assert (media.width, media.height) == expected


def test_three_second_clip_duration(three_second_clip: Path) -> None:
    media = probe(str(three_second_clip), timeout=TIMEOUT)
    assert media.duration == pytest.approx(3.0, abs=0.05)


def test_audio_only_file_has_no_video_stream(audio_only: Path) -> None:
    # Given a voice memo uploaded as a video
    # When probed
    # Then the error says there is no video stream
    with pytest.raises(MediaNoVideoStream) as caught:
        probe(str(audio_only), timeout=TIMEOUT)
    assert caught.value.code == "Media.NoVideoStream"


def test_zero_byte_file_is_empty(zero_bytes: Path) -> None:
    with pytest.raises(MediaEmpty) as caught:
        probe(str(zero_bytes), timeout=TIMEOUT)
    assert caught.value.code == "Media.Empty"


def test_random_bytes_with_mp4_header_are_corrupt(corrupt_bytes: Path) -> None:
    with pytest.raises(MediaCorrupt) as caught:
        probe(str(corrupt_bytes), timeout=TIMEOUT)
    assert caught.value.code == "Media.Corrupt"
    assert "moov" in caught.value.detail  # ffmpeg's reason is kept for logs, not for users
    assert "moov" not in caught.value.message


def test_text_file_named_mp4_is_corrupt(text_named_mp4: Path) -> None:
    with pytest.raises(MediaCorrupt):
        probe(str(text_named_mp4), timeout=TIMEOUT)


def test_png_named_mp4_is_a_still_image_not_a_video(png_named_mp4: Path) -> None:
    # Given a PNG picture renamed to .mp4
    # When probed
    # Then it is refused as having no video (a picture is not a video), with a clear message
    with pytest.raises(MediaNoVideoStream) as caught:
        probe(str(png_named_mp4), timeout=TIMEOUT)
    assert "image" in caught.value.message


def test_missing_local_file_is_unavailable(media_dir: Path) -> None:
    with pytest.raises(MediaUnavailable):
        probe(str(media_dir / "never-uploaded.mp4"), timeout=TIMEOUT)


def test_path_that_looks_like_an_option_or_protocol_is_read_as_a_file(
    three_second_clip: Path, media_dir: Path
) -> None:
    # Given a file whose name starts with a dash and holds a colon
    odd = media_dir / "-odd:name.mp4"
    odd.write_bytes(three_second_clip.read_bytes())
    # When probed through a relative-looking path
    media = probe(str(odd), timeout=TIMEOUT)
    # Then it is read as a plain file
    assert media.duration == pytest.approx(3.0, abs=0.05)
