"""Parsing ffmpeg's input summary without running ffmpeg (shapes seen in the wild)."""

from __future__ import annotations

import pytest

from vodcover.errors import MediaCorrupt, MediaNoVideoStream, MediaUnavailable
from vodcover.media.probe import normalise_rotation, parse_probe_output

IPHONE_PORTRAIT = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'IMG_0001.MOV':
  Metadata:
    major_brand     : qt
    creation_time   : 2024-06-01T10:00:00.000000Z
  Duration: 00:00:12.35, start: 0.000000, bitrate: 9213 kb/s
  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv, bt709), 1920x1080, \
9000 kb/s, 29.97 fps, 29.97 tbr, 600 tbn (default)
    Metadata:
      handler_name    : Core Media Video
    Side data:
      Display Matrix: rotation of -90.00 degrees
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 160 kb/s (default)
  Stream #0:2[0x3](und): Data: none (mebx / 0x7862656D), 0 kb/s (default)
At least one output file must be specified
"""

LEGACY_ROTATE_TAG = """\
Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'old.mp4':
  Duration: 00:01:00.00, start: 0.040000, bitrate: 2000 kb/s
  Stream #0:0(eng): Video: h264 (High) (avc1 / 0x31637661), yuv420p, 1280x720 [SAR 1:1 DAR 16:9], \
1900 kb/s, 30 fps
    Metadata:
      rotate          : 270
"""

SONG_WITH_COVER_ART = """\
Input #0, mp3, from 'song.mp3':
  Duration: 00:03:30.00, start: 0.025057, bitrate: 320 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 320 kb/s
  Stream #0:1: Video: mjpeg (Baseline), yuvj420p(pc, bt470bg/unknown/unknown), 600x600 [SAR 1:1 DAR 1:1], \
90k tbr, 90k tbn (attached pic)
"""

ANAMORPHIC_DV = """\
Input #0, avi, from 'dv.avi':
  Duration: 00:00:05.00, start: 0.000000, bitrate: 28800 kb/s
  Stream #0:0: Video: dvvideo (dvsd / 0x64737664), yuv411p, 720x480 [SAR 32:27 DAR 16:9], \
25000 kb/s, 29.97 fps
"""

WEBM_VP9 = """\
Input #0, matroska,webm, from 'clip.webm':
  Duration: 00:00:02.00, start: 0.000000, bitrate: 423 kb/s
  Stream #0:0: Video: vp9 (Profile 0), yuv420p(tv, progressive), 320x240, SAR 1:1 DAR 4:3, \
25 fps, 25 tbr, 1k tbn
"""

NO_DURATION = """\
Input #0, mpegts, from 'cut.ts':
  Duration: N/A, start: 1.400000, bitrate: N/A
  Stream #0:0[0x100]: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p, 1920x1080, 25 fps, 25 tbr, 90k tbn
"""

HTTP_403 = """\
[http @ 0x55] HTTP error 403 Forbidden
[in#0 @ 0x55] Error opening input: Server returned 403 Forbidden (access denied)
Error opening input file https://bucket.s3.amazonaws.com/uploads/x.mp4?X-Amz-Signature=abc.
"""

TLS_FAILURE = """\
[tls @ 0x564f] error:0A00010B:SSL routines::wrong version number
[in#0 @ 0x564f] Error opening input: Input/output error
"""


def test_iphone_portrait_is_rotation_90_and_displayed_upright() -> None:
    media = parse_probe_output(IPHONE_PORTRAIT)
    assert (media.width, media.height, media.rotation) == (1080, 1920, 90)
    assert media.fps == pytest.approx(29.97)
    assert media.video_codec == "hevc"
    assert media.has_audio is True
    assert media.duration == pytest.approx(12.35)
    assert media.bitrate == 9_213_000


def test_legacy_rotate_tag_is_already_clockwise() -> None:
    media = parse_probe_output(LEGACY_ROTATE_TAG)
    assert media.rotation == 270
    assert (media.width, media.height) == (720, 1280)
    assert media.start_time == pytest.approx(0.04)


def test_cover_art_is_not_a_video_stream() -> None:
    with pytest.raises(MediaNoVideoStream):
        parse_probe_output(SONG_WITH_COVER_ART)


def test_non_square_pixels_are_displayed_at_their_aspect() -> None:
    media = parse_probe_output(ANAMORPHIC_DV)
    assert (media.width, media.height) == (854, 480)


def test_webm_size_without_brackets() -> None:
    media = parse_probe_output(WEBM_VP9)
    assert (media.width, media.height, media.video_codec) == (320, 240, "vp9")


def test_missing_duration_is_corrupt() -> None:
    with pytest.raises(MediaCorrupt):
        parse_probe_output(NO_DURATION)


@pytest.mark.parametrize("stderr", [HTTP_403, TLS_FAILURE])
def test_network_failures_are_unavailable_not_corrupt(stderr: str) -> None:
    with pytest.raises(MediaUnavailable):
        parse_probe_output(stderr)


@pytest.mark.parametrize(
    ("ffmpeg_angle", "clockwise"),
    [(0.0, 0), (-90.0, 90), (90.0, 270), (180.0, 180), (-180.0, 180), (-270.0, 270), (-89.99, 90)],
)
def test_ffmpeg_counter_clockwise_angle_becomes_clockwise_rotation(
    ffmpeg_angle: float, clockwise: int
) -> None:
    assert normalise_rotation(ffmpeg_angle) == clockwise
