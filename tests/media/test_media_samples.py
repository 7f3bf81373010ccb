"""The sample generator makes what tests, the demo and benchmarks rely on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PIL import ImageChops, ImageStat

from vodcover.media.frame_grabbers import FfmpegSeekGrabber, frame_grab_args
from vodcover.media.probe import probe
from vodcover.media.snapshots import snapshot_times
from vodcover_dev.samples import make_sample_video

pytestmark = pytest.mark.media


def test_scenes_are_visually_distinct(scenes_clip: Path) -> None:
    # Given a clip of 4 scenes of 2 s each
    media = probe(str(scenes_clip), timeout=30)
    # When one frame is grabbed in the middle of each scene
    frames = FfmpegSeekGrabber().grab(
        str(scenes_clip),
        snapshot_times(media.duration, 4),
        size=(160, 90),
        media=media,
        deadline=time.monotonic() + 60,
    )
    images = [frame.image for frame in frames if frame is not None]
    # Then every pair of scenes differs clearly
    assert len(images) == 4
    for i, first in enumerate(images):
        for second in images[i + 1 :]:
            difference = ImageStat.Stat(ImageChops.difference(first, second).convert("L")).mean[0]
            assert difference > 20


@pytest.mark.parametrize(("name", "codec"), [("hevc.mp4", "libx265"), ("vp9.webm", "libvpx-vp9")])
def test_other_codecs(media_dir: Path, name: str, codec: str) -> None:
    path = make_sample_video(media_dir / name, duration=1, width=320, height=240, codec=codec)
    assert probe(str(path), timeout=30).video_codec == {"libx265": "hevc", "libvpx-vp9": "vp9"}[codec]


def test_moov_at_the_end_without_faststart(media_dir: Path) -> None:
    path = make_sample_video(media_dir / "moov_last.mp4", duration=1, width=320, height=240, faststart=False)
    data = path.read_bytes()
    assert data.find(b"moov") > data.find(b"mdat")


def test_frame_grab_seeks_the_input_not_the_output() -> None:
    args = frame_grab_args("https://bucket/uploads/v.mp4?sig=1", 12.5, (640, 360))
    assert args.index("-ss") < args.index("-i")
    assert args[args.index("-ss") + 1] == "12.500"
    assert "scale=640:360" in args[args.index("-vf") + 1]
