"""Phone and browser footage as it is really recorded: HDR HEVC, 10-bit, MediaRecorder WebM,
black bars, audio with cover art (issue 17).

Every clip is made here from lavfi sources with the bundled ffmpeg (libx265 Main 10 for HDR,
libvpx for WebM), small and short, once per session. What a user would see is asserted:

- colour: each snapshot of an HDR copy against the snapshot of its SDR reference at the same
  time. Metrics: colourfulness (Hasler & Süsstrunk, ``picture_measures.colourfulness``) within
  :data:`COLOUR_TOLERANCE` and mean luma within :data:`BRIGHTNESS_TOLERANCE`. The same frame
  without the tone map (the washed-out picture of the issue) misses them;
- bars: no black rows or columns left at the edges, the picture's aspect ratio;
- a real frame: the size and a picture that is not flat.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from tests.media.conftest import RangeServer
from vodcover.errors import MediaNoVideoStream
from vodcover.media import duration
from vodcover.media.animated import make_animated_cover
from vodcover.media.duration import last_cluster_seconds
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_grabbers import frame_grab_args
from vodcover.media.keyframes import grab_keyframes
from vodcover.media.picture import SDR, Colour, parse_colour, picture_filters
from vodcover.media.picture_measures import colourfulness
from vodcover.media.probe import AudioWithCoverArt, probe
from vodcover.media.smart import select_candidates
from vodcover.media.snapshots import capture_frame_at, capture_snapshots
from vodcover_dev import phone_samples, samples

pytestmark = pytest.mark.media

COLOUR_TOLERANCE = 0.20  # relative difference in colourfulness
BRIGHTNESS_TOLERANCE = 0.08  # relative difference in mean luma
SIZE = (480, 270)
COUNT = 3


@pytest.fixture(scope="session")
def footage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("phone-footage")
    reference = phone_samples.make_sdr_reference(
        folder / "reference.mp4", duration=3, width=SIZE[0], height=SIZE[1], scenes=("testsrc2", "gradients")
    )
    hlg_portrait = phone_samples.make_hdr_video(
        reference, folder / "hlg_portrait.mp4", transfer="hlg", rotation=90, gop=25
    )
    return {
        "reference": reference,
        "hlg": phone_samples.make_hdr_video(reference, folder / "hlg.mp4", transfer="hlg", gop=25),
        "pq": phone_samples.make_hdr_video(reference, folder / "pq.mp4", transfer="pq", gop=25),
        "hlg_portrait": hlg_portrait,
        "pq_portrait": phone_samples.make_hdr_video(
            reference, folder / "pq_portrait.mp4", transfer="pq", rotation=270
        ),
        "dolby_vision": phone_samples.tag_dolby_vision(
            phone_samples.make_hdr_video(reference, folder / "dv_base.mp4", transfer="hlg", gop=25),
            folder / "dolby_vision.mp4",
        ),
        "h264_10bit": phone_samples.make_ten_bit_video(
            folder / "h264_10bit.mp4", duration=2, width=320, height=180
        ),
        "h264_8bit": phone_samples.make_ten_bit_video(
            folder / "h264_8bit.mp4", duration=2, width=320, height=180, pixel_format="yuv420p"
        ),
        "h264_422": phone_samples.make_ten_bit_video(
            folder / "h264_422.mp4", duration=2, width=320, height=180, pixel_format="yuv422p10le"
        ),
        "hevc_444": phone_samples.make_ten_bit_video(
            folder / "hevc_444.mp4",
            duration=2,
            width=320,
            height=180,
            codec="libx265",
            pixel_format="yuv444p",
        ),
        "webm_vp9": phone_samples.make_browser_recording(
            folder / "browser.webm", duration=4, width=320, height=240
        ),
        "webm_vp8": phone_samples.make_browser_recording(
            folder / "browser_vp8.webm", duration=3, width=320, height=240, codec="libvpx"
        ),
        "letterbox": phone_samples.make_boxed_video(
            folder / "letterbox.mp4", duration=2, frame=(640, 360), picture=(640, 268)
        ),
        "pillarbox": phone_samples.make_boxed_video(
            folder / "pillarbox.mp4", duration=2, frame=(640, 360), picture=(202, 360)
        ),
        "song_m4a": phone_samples.make_audio_with_art(folder / "song.m4a", art=(300, 300)),
        "song_mp3": phone_samples.make_audio_with_art(folder / "song.mp3", art=(200, 200)),
        "voice_memo": samples.make_audio_only(folder / "memo.m4a"),
        "vp9_mp4": samples.make_sample_video(
            folder / "vp9.mp4", duration=4, width=320, height=180, codec="libvpx-vp9", gop=25
        ),
        "av1_mp4": samples.make_sample_video(
            folder / "av1.mp4", duration=4, width=320, height=180, codec="libaom-av1", gop=25
        ),
    }


def shots(path: Path, **kwargs: object) -> list[Image.Image]:
    result = capture_snapshots(str(path), count=COUNT, width=320, quality=90, timeout=120, **kwargs)  # type: ignore[arg-type]
    return [Image.open(io.BytesIO(s.jpeg)).convert("RGB") for s in result.snapshots]


def looks(image: Image.Image) -> tuple[float, float]:
    """(colourfulness, mean luma) of what a user sees."""
    return colourfulness(image), ImageStat.Stat(image.convert("L")).mean[0]


def close_to(image: Image.Image, reference: Image.Image) -> bool:
    (colour, light), (ref_colour, ref_light) = looks(image), looks(reference)
    return (
        abs(colour - ref_colour) <= COLOUR_TOLERANCE * ref_colour
        and abs(light - ref_light) <= BRIGHTNESS_TOLERANCE * ref_light
    )


def upright(image: Image.Image, rotation: int) -> Image.Image:
    """A portrait snapshot turned back to the reference's landscape, to compare the same pixels."""
    return image.rotate(rotation, expand=True).resize((320, 180)) if rotation else image


# --- detecting what the file is ----------------------------------------------------------------
def test_the_probe_reads_transfer_primaries_and_dolby_vision(footage: dict[str, Path]) -> None:
    hlg, pq, dv = (probe(str(footage[k]), timeout=30) for k in ("hlg_portrait", "pq", "dolby_vision"))

    assert (hlg.colour.transfer, hlg.colour.primaries, hlg.colour.bit_depth) == ("arib-std-b67", "bt2020", 10)
    assert (hlg.rotation, hlg.width, hlg.height) == (90, SIZE[1], SIZE[0])
    assert pq.colour.transfer == "smpte2084" and pq.colour.is_hdr
    assert dv.colour.dolby_vision == "8.4" and dv.colour.transfer == "arib-std-b67"
    assert not probe(str(footage["reference"]), timeout=30).colour.is_hdr


def test_colour_descriptions_as_ffmpeg_prints_them() -> None:
    assert parse_colour("hevc (Main 10), yuv420p10le(tv, bt2020nc/bt2020/smpte2084), 3840x2160") == Colour(
        "yuv420p10le", "tv", "bt2020nc", "bt2020", "smpte2084"
    )
    assert parse_colour("h264 (High), yuv420p(tv, bt709, progressive), 1920x1080").transfer == "bt709"
    assert parse_colour("h264 (High), yuvj420p(pc), 640x480").range == "pc"
    assert parse_colour("vp9 (Profile 0), yuv420p(tv, progressive), 320x240") == Colour("yuv420p", "tv")


def test_every_frame_pipe_asks_for_8_bit_rgb_and_sdr_gets_no_tone_map(footage: dict[str, Path]) -> None:
    hdr = probe(str(footage["pq"]), timeout=30)
    sdr_args = frame_grab_args("clip.mp4", 1.0, (320, 180), dataclasses.replace(hdr, colour=SDR))
    hdr_args = frame_grab_args("clip.mp4", 1.0, (320, 180), hdr)

    assert sdr_args[sdr_args.index("-pix_fmt") + 1] == "rgb24"
    assert sdr_args[sdr_args.index("-vf") + 1] == "scale=320:180:flags=bicubic,setsar=1,format=rgb24"
    chain = hdr_args[hdr_args.index("-vf") + 1]
    assert "tin=smpte2084" in chain and "tonemap=" in chain and chain.endswith("format=rgb24")
    assert picture_filters("scale=8:8", colour=hdr.colour).index("scale=8:8") == 0  # scaled before mapped


# --- right colours for HDR ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "rotation"),
    [("hlg", 0), ("pq", 0), ("hlg_portrait", 90), ("pq_portrait", 270), ("dolby_vision", 0)],
)
def test_hdr_snapshots_look_like_the_sdr_reference(
    footage: dict[str, Path], name: str, rotation: int
) -> None:
    reference = shots(footage["reference"])
    mapped = [upright(image, rotation) for image in shots(footage[name])]

    assert [image.size for image in mapped] == [image.size for image in reference]
    assert all(close_to(image, ref) for image, ref in zip(mapped, reference, strict=True)), [
        (looks(image), looks(ref)) for image, ref in zip(mapped, reference, strict=True)
    ]


def test_without_the_tone_map_the_same_frames_are_washed_out(footage: dict[str, Path]) -> None:
    """The metric can fail: the HDR pixels shown as if SDR (the issue's grey covers) miss it."""
    untreated = dataclasses.replace(probe(str(footage["hlg"]), timeout=30), colour=SDR)
    reference = shots(footage["reference"])
    washed = shots(footage["hlg"], probe_result=untreated)

    assert not any(close_to(image, ref) for image, ref in zip(washed, reference, strict=True))
    assert all(looks(w)[0] < 0.8 * looks(r)[0] for w, r in zip(washed, reference, strict=True))


def test_the_keyframe_fast_path_tone_maps_hevc_main_10(footage: dict[str, Path]) -> None:
    media = probe(str(footage["pq"]), timeout=30)
    frames = grab_keyframes(
        str(footage["pq"]), [0.5, 2.5], width=320, quality=90, timeout=60, colour=media.colour
    )
    reference = shots(footage["reference"])

    assert frames is not None and len({f.time for f in frames}) == 2
    picture = Image.open(io.BytesIO(frames[0].jpeg)).convert("RGB")
    assert abs(looks(picture)[1] - looks(reference[0])[1]) <= BRIGHTNESS_TOLERANCE * looks(reference[0])[1]


def test_the_cover_time_frame_and_the_animated_cover_are_tone_mapped(footage: dict[str, Path]) -> None:
    jpeg, width, height = capture_frame_at(str(footage["hlg"]), 0.5, width=320, quality=90, timeout=60)
    reference_jpeg, _, _ = capture_frame_at(str(footage["reference"]), 0.5, width=320, quality=90, timeout=60)
    frame, reference = (Image.open(io.BytesIO(j)).convert("RGB") for j in (jpeg, reference_jpeg))
    assert (width, height) == (320, 180) and close_to(frame, reference)

    moment = type("Moment", (), {"time": 0.2, "start": 0.0, "end": 1.2})()
    animated = make_animated_cover(str(footage["hlg"]), [moment], width=240, timeout=120)
    sdr = make_animated_cover(str(footage["reference"]), [moment], width=240, timeout=120)
    first, sdr_first = (Image.open(io.BytesIO(a.webp)).convert("RGB") for a in (animated, sdr))
    assert close_to(first, sdr_first), (looks(first), looks(sdr_first))


@pytest.mark.parametrize("name", ["vp9_mp4", "av1_mp4"])
def test_vp9_and_av1_in_mp4_take_the_keyframe_fast_path(footage: dict[str, Path], name: str) -> None:
    """The frames come from the keyframes' bytes alone and match what ffmpeg's seeking shows."""
    frames = grab_keyframes(str(footage[name]), [0.5, 1.5, 2.5, 3.5], width=320, quality=95, timeout=60)

    assert frames is not None and [f.time for f in frames] == [0.0, 1.0, 2.0, 3.0]
    for frame in frames:
        sought, _, _ = capture_frame_at(str(footage[name]), frame.time, width=320, quality=95, timeout=60)
        fast = Image.open(io.BytesIO(frame.jpeg)).convert("L")
        slow = Image.open(io.BytesIO(sought)).convert("L")
        difference = ImageStat.Stat(ImageChops.difference(fast, slow)).mean[0]
        assert fast.size == slow.size and difference < 3, difference


def test_byte_identical_keyframes_each_get_their_picture(tmp_path: Path) -> None:
    """A clip looped by stream copy: every keyframe is the same bytes, decoded once, shown four times."""
    one = samples.make_sample_video(tmp_path / "one.mp4", duration=1, width=160, height=90, codec="libx265")
    looped = tmp_path / "looped.mp4"
    run_ffmpeg(
        [
            "-y",
            "-stream_loop",
            "3",
            "-i",
            str(one),
            "-c",
            "copy",
            "-tag:v",
            "hvc1",
            "-movflags",
            "+faststart",
            str(looped),
        ],
        timeout=60,
    )
    frames = grab_keyframes(str(looped), [0.5, 1.5, 2.5, 3.5], width=160, quality=90, timeout=60)

    assert frames is not None and [f.time for f in frames] == [0.0, 1.0, 2.0, 3.0]
    assert len({f.jpeg for f in frames}) == 1


# --- 10-bit, 4:2:2, 4:4:4 ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["h264_10bit", "h264_422", "hevc_444"])
def test_deep_colour_and_full_chroma_give_ordinary_8_bit_snapshots(
    footage: dict[str, Path], name: str
) -> None:
    eight_bit = shots(footage["h264_8bit"])
    deep = shots(footage[name])

    assert [image.size for image in deep] == [(320, 180)] * COUNT
    assert all(close_to(image, ref) for image, ref in zip(deep, eight_bit, strict=True))


# --- browser recordings ----------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "seconds"), [("webm_vp9", 4.0), ("webm_vp8", 3.0)])
def test_a_mediarecorder_webm_without_duration_gets_snapshots(
    footage: dict[str, Path], name: str, seconds: float
) -> None:
    result = capture_snapshots(str(footage[name]), count=COUNT, width=320, quality=85, timeout=120)

    assert result.probe.duration_source == "scanned"
    assert result.probe.duration == pytest.approx(seconds, abs=0.1)
    assert [round(s.time, 1) for s in result.snapshots] == [
        round(seconds * (i + 0.5) / COUNT, 1) for i in range(COUNT)
    ]
    assert all(s.score.contrast > 10 for s in result.snapshots)  # real pictures, not black


def test_a_big_recordings_duration_comes_from_its_last_cluster(footage: dict[str, Path]) -> None:
    data = footage["webm_vp9"].read_bytes()
    assert last_cluster_seconds(data[:4096], data[-64 * 1024 :]) == pytest.approx(4.0, abs=0.05)
    assert last_cluster_seconds(data[:4096], b"\x1f\x43\xb6\x75 not a cluster") is None


def test_a_big_remote_recording_is_timed_from_a_tail_read(
    media_dir: Path, range_server: RangeServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over HTTP, past the whole-scan size, the duration comes from the head and the last clusters."""
    recording = phone_samples.make_browser_recording(
        media_dir / "long_call.webm", duration=5, width=320, height=240
    )
    monkeypatch.setattr(duration, "SCAN_WHOLE_FILE_BYTES", 1024)
    monkeypatch.setattr(duration, "TAIL_BYTES", 64 * 1024)

    media = probe(range_server.url(recording.name), timeout=30)

    assert media.duration_source == "tail" and media.duration == pytest.approx(5.0, abs=0.05)


# --- black bars ----------------------------------------------------------------------------------
def edge_is_black(image: Image.Image) -> bool:
    luma = image.convert("L")
    w, h = luma.size
    edges = [luma.crop(box) for box in ((0, 0, w, 2), (0, h - 2, w, h), (0, 0, 2, h), (w - 2, 0, w, h))]
    return any(ImageStat.Stat(edge).mean[0] < 20 for edge in edges)


@pytest.mark.parametrize(("name", "aspect"), [("letterbox", 640 / 268), ("pillarbox", 202 / 360)])
def test_boxed_videos_get_snapshots_without_the_bars(
    footage: dict[str, Path], name: str, aspect: float
) -> None:
    result = capture_snapshots(str(footage[name]), count=COUNT, width=0, quality=85, timeout=120)
    pictures = [Image.open(io.BytesIO(s.jpeg)).convert("RGB") for s in result.snapshots]

    assert result.probe.crop is not None
    assert len({image.size for image in pictures}) == 1  # one crop for every image
    assert pictures[0].width / pictures[0].height == pytest.approx(aspect, rel=0.05)
    assert not any(edge_is_black(image) for image in pictures)
    assert all(s.width == pictures[0].width for s in result.snapshots)


@pytest.mark.parametrize(("name", "aspect"), [("letterbox", 640 / 268), ("pillarbox", 202 / 360)])
def test_smart_candidates_and_the_animated_cover_leave_the_bars_out(
    footage: dict[str, Path], name: str, aspect: float
) -> None:
    found = select_candidates(str(footage[name]), count=2, timeout=120)
    candidates = [Image.open(io.BytesIO(c.jpeg)).convert("RGB") for c in found.candidates]
    animated = make_animated_cover(str(footage[name]), found.moments, width=240, timeout=120)
    loop = Image.open(io.BytesIO(animated.webp)).convert("RGB")

    assert candidates and not any(edge_is_black(image) for image in [*candidates, loop])
    assert all(image.width / image.height == pytest.approx(aspect, rel=0.06) for image in [*candidates, loop])


def test_a_video_without_bars_is_not_cropped(footage: dict[str, Path]) -> None:
    result = capture_snapshots(str(footage["reference"]), count=COUNT, width=320, quality=85, timeout=120)
    assert result.probe.crop is None and all((s.width, s.height) == (320, 180) for s in result.snapshots)


# --- audio ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "size"), [("song_m4a", (300, 300)), ("song_mp3", (200, 200))])
def test_audio_with_cover_art_gets_the_art_as_its_cover(
    footage: dict[str, Path], name: str, size: tuple[int, int]
) -> None:
    with pytest.raises(AudioWithCoverArt):
        probe(str(footage[name]), timeout=30)

    result = capture_snapshots(str(footage[name]), count=8, width=640, quality=85, timeout=60)

    assert result.probe.has_video is False and result.probe.duration == pytest.approx(2.0, abs=0.1)
    assert len(result.snapshots) == 1 and result.cover_index == 0
    art = Image.open(io.BytesIO(result.cover.jpeg))
    assert art.size == size and looks(art.convert("RGB"))[0] > 30  # the testsrc2 art, not grey


def test_audio_without_art_still_ends_with_no_video_stream(footage: dict[str, Path]) -> None:
    with pytest.raises(MediaNoVideoStream) as caught:
        capture_snapshots(str(footage["voice_memo"]), count=3, width=320, quality=85, timeout=60)
    assert caught.value.code == "Media.NoVideoStream" and not isinstance(caught.value, AudioWithCoverArt)
