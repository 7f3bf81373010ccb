"""Smart cover: the few frames that best represent a video and look good, found cheaply.

Cost is what makes this usable on every upload, so the video is read and decoded as little as
possible:

1. **Analysis of keyframes only, thinned** to at most ~``MAX_ANALYSIS_FRAMES``, at least
   ``step`` seconds apart, decoded without deblocking and scaled to ~200 px raw RGB.
   - *An mp4* (local or over HTTP, moov at the front or the end): its index
     (:mod:`vodcover.media.keyframes`) says where each keyframe lies, so only the chosen
     keyframes are fetched, by bounded ranges in parallel, and decoded in one ffmpeg run per
     core. The gaps thinning leaves in a long video are filled in the same round with more
     keyframes, not seeks.
   - *Anything else* (or an mp4 the index path declines): one ffmpeg pass with
     ``-skip_frame nokey`` and an input bitstream filter dropping keyframe packets closer than
     ``step`` to the last kept one; ``showinfo`` gives the timestamps. Long videos are split in
     two halves decoded in parallel. Over HTTP this pass demuxes, so downloads, the whole file.
   Both give the same frames with the same features (same decoder options and filters).
2. **A cheap fallback for sparse keyframes** (a gap of 10 s or more; or, for a video small
   enough to decode cheaply, fewer than ~3xK keyframes): extra frames by input seeking inside
   the largest gaps, or one decoding pass. Regular keyframes of a large video are never
   sought between: a 4K seek costs a second or two.
3. **Selection** in pure Python (:mod:`vodcover.media.scene_selection`): junk out, shots and
   scenes, one best frame per distinct scene, ranked by quality x representativeness, each
   placed clear of a possible cut (``Pick.safe_time``). No good frame: no candidate.
4. **Extraction at full quality**: picks next to a possible cut by seeking to their safe time
   (up to 1080p, and kept only when the picture is still good and of the same shot); picks on
   keyframes the mp4 index located fetched again and decoded in one ffmpeg run; the rest by
   input seeking. JPEG by Pillow, in the display orientation.

A video cheap to decode (``CHEAP_DECODE_PIXEL_SECONDS``: a few seconds, or a small picture)
skips 1, 2 and 4: one decoding pass gives a frame every 0.2 s (short scenes and the frames
between scene-cut keyframes are seen), one more pass, bounded by the last pick, gives the
candidates.

The source is a local path or an http(s) URL (presigned S3 URLs included), never downloaded
whole. Measured in one run (November 2026, 2 shared cores; 1080p H.264 at 8 Mb/s, 2 s GOP,
served with ranges on loopback through a byte-counting proxy; K = 5; two runs of each, whole
``select_candidates`` with the analysis in brackets):

=================  ======  ===========================  ===========================  ================
video              path    bytes read                   wall                         CPU
=================  ======  ===========================  ===========================  ================
5 min, 302 MB      ffmpeg  366-369 MB (354 MB, 117 %)   2.7-3.1 s (2.0-2.4 s), 105x  4.0 s (2.9 s)
(moov at front)    index   41-44 MB (30 MB, 9.8 %)      2.4 s (1.6-1.7 s), 127x      3.8 s (2.7 s)
1 h, 3.6 GB        ffmpeg  3.88 GB (3.85 GB, 106 %)     14.5 s (13.6 s), 247x        16.4 s (15.0 s)
(moov at end)      index   86-89 MB (60 MB, 1.7 %)      3.9 s (3.0 s), 920x          6.4 s (5.2 s)
=================  ======  ===========================  ===========================  ================

On loopback the download is nearly free; from S3 the ffmpeg pass must also move the whole file
(3.6 GB for the hour). The hour's index path decodes 144 keyframes (120 thinned, 24 in gaps),
where the ffmpeg pass sought 24 times. Python's peak memory on the hour grows from ~70 MB to
~180 MB: the analysed keyframes' compressed bytes (~400 KB each here) are held while decoding.
"""

from __future__ import annotations

import bisect
import io
import logging
import math
import re
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from vodcover.errors import MediaCorrupt, MediaTimeout
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import FrameFeatures, hard_junk, histogram_distance, measure
from vodcover.media.keyframes import (
    THINNING_TOLERANCE,
    Keyframe,
    KeyframeIndex,
    keyframes_near,
    open_keyframe_index,
    thin_keyframes,
)
from vodcover.media.picture import rgb_output_args
from vodcover.media.probe import MediaProbe, probe, source_input_args
from vodcover.media.scene_selection import AnalysedFrame, Pick, Selection, select_moments
from vodcover.media.snapshots import with_bars_detected

logger = logging.getLogger(__name__)

ANALYSIS_LONG_SIDE = 192  # px: enough for exposure, blur, text strokes and colour; cheap to score
MIN_ANALYSIS_STEP = 1.9  # s: keyframes closer than this add cost, not information
# ~120 looks at a video find its scenes; more add decoding cost, not information. Beyond
# 120 x 1.9 s (~4 min) the spacing grows: a 5-minute video is seen every ~2.5 s (every other
# keyframe of a 2 s GOP), an hour every 30 s. The decoded frames take ~8 MB of 192 px RGB.
MAX_ANALYSIS_FRAMES = 120
PARALLEL_MIN_DURATION = 90.0  # s: below this, a second process costs more than it saves
SPARSE_GAP = 10.0  # s: a keyframe gap this long may hide a whole scene
SPARSE_FACTOR = 3  # fewer than 3xK analysed frames is too few to find K distinct scenes
MAX_FALLBACK_SAMPLES = 24
# A video this small (seconds x displayed pixels: 8 s of 720p, 32 s of 640x360) is decoded
# whole, or sought into, when its keyframes are too few to see every scene.
CHEAP_DECODE_PIXEL_SECONDS = 8 * 1280 * 720
DENSE_MIN_SPACING = 0.2  # s: a cheap video is analysed from one decoding pass, this dense ...
DENSE_MAX_FRAMES = 40  # ... or at most this many frames
FULL_DECODE_SHARE = 0.6  # seeking that decodes more than 60 % of the video: decode it all once
FALLBACK_WORKERS = 2
EXTRACT_WORKERS = 2
# A seek into a 4K video took 1.8 s on the shared machine: beyond 1080p candidates stay on
# their keyframes (decoded from the index in one run) even next to a possible cut.
MAX_REFINE_PIXELS = 1920 * 1080
REFINE_MAX_DISTANCE = 0.22  # histogram distance: the refined picture is still the analysed shot
KEYFRAME_SEEK_EPSILON = 0.005  # s: aim just past a keyframe so rounding never lands on the GOP before
# Candidates become covers: keep them within the cover limits (docs/design.md, "Cover rules").
MAX_LONG_SIDE = 1920
MAX_SHORT_SIDE = 1080

_SHOWINFO_RE = re.compile(r"\] n:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:(-?[0-9.]+(?:e-?\d+)?)")


@dataclass(frozen=True)
class Candidate:
    """A proposed cover: when it is, how good, and the JPEG at full quality."""

    time: float
    score: float
    jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Moment:
    """A candidate's time and the stretch of good video around it (safe to animate)."""

    time: float
    start: float
    end: float


@dataclass(frozen=True)
class TimelineEntry:
    """The verdict on one analysed frame: lets the animated cover avoid junk without re-decoding."""

    time: float
    span: float
    junk: str | None
    quality: float
    scene: int


@dataclass(frozen=True)
class SmartResult:
    duration: float
    width: int  # displayed size of the video
    height: int
    candidates: list[Candidate]
    moments: list[Moment]  # one per candidate, same order
    timeline: list[TimelineEntry]
    scene_count: int
    analysed_frames: int


@dataclass(frozen=True)
class _Sampled:
    """An analysis frame and whether it is a keyframe (cheap to seek to exactly)."""

    frame: AnalysedFrame
    keyframe: bool
    source: Keyframe | None = None  # where the index says it lies: extract it from there too


def select_candidates(
    source: str, *, count: int, timeout: float, width: int = 0, quality: int = 85
) -> SmartResult:
    """Up to ``count`` cover candidates from distinct scenes, best first, never junk.

    ``width`` caps the candidates' displayed width (0: source width, within the cover limits).
    Raises the typed ``Media*`` errors of :mod:`vodcover.media.probe` and ``MediaTimeout``.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    deadline = time.monotonic() + timeout
    media = with_bars_detected(source, probe(source, timeout=timeout), deadline=deadline)
    with open_keyframe_index(source, deadline=deadline, colour=media.colour, crop=media.crop) as index:
        return _select(source, media, index, count=count, width=width, quality=quality, deadline=deadline)


def _select(
    source: str,
    media: MediaProbe,
    index: KeyframeIndex | None,
    *,
    count: int,
    width: int,
    quality: int,
    deadline: float,
) -> SmartResult:
    started = time.monotonic()
    sampled = _analyse(source, media, index, count=count, deadline=deadline)
    if not sampled:
        raise MediaCorrupt("No frame of the video could be decoded.")
    analysed = time.monotonic()
    selection = select_moments([s.frame for s in sampled], count=count, duration=media.duration)
    selected = time.monotonic()
    size = candidate_size(media, width)
    refine = media.width * media.height <= MAX_REFINE_PIXELS
    dense = not any(s.keyframe for s in sampled)  # a cheap video, analysed from one decoding pass
    candidates = extract_candidates(
        source,
        media,
        index,
        sampled,
        selection.picks,
        size,
        quality,
        deadline,
        refine=refine,
        dense=dense,
    )
    logger.info(
        "smart cover: %d frames analysed, %d scenes, %d candidates; "
        "analysis %.2fs (with the probe), selection %.2fs, extraction %.2fs",
        len(sampled),
        selection.scene_count,
        len(candidates),
        analysed - started,
        selected - analysed,
        time.monotonic() - selected,
    )
    return SmartResult(
        duration=media.duration,
        width=media.width,
        height=media.height,
        candidates=candidates,
        moments=[
            Moment(candidate.time, pick.window[0], pick.window[1])
            for pick, candidate in zip(selection.picks, candidates, strict=True)
        ],
        timeline=timeline(selection),
        scene_count=selection.scene_count,
        analysed_frames=len(sampled),
    )


def timeline(selection: Selection) -> list[TimelineEntry]:
    return [
        TimelineEntry(v.time, v.span, str(v.junk) if v.junk else None, round(v.quality, 4), v.scene)
        for v in selection.verdicts
    ]


# --- analysis -----------------------------------------------------------------------------
def analysis_size(media: MediaProbe, long_side: int = ANALYSIS_LONG_SIDE) -> tuple[int, int]:
    """The displayed aspect ratio fitted in ``long_side``, even dimensions."""
    return fit_size(*media.picture_size, long_side, long_side)


def fit_size(width: int, height: int, max_width: int, max_height: int) -> tuple[int, int]:
    """Scale (width, height) down to fit the box, keeping the aspect ratio; even numbers."""
    scale = min(1.0, max_width / width, max_height / height)
    return max(2, int(width * scale / 2) * 2), max(2, int(height * scale / 2) * 2)


def analysis_step(duration: float) -> float:
    """Minimum spacing of analysed keyframes: dense enough for short scenes, bounded for long videos."""
    return max(MIN_ANALYSIS_STEP, duration / MAX_ANALYSIS_FRAMES)


def analyse(source: str, media: MediaProbe, *, count: int, deadline: float) -> list[_Sampled]:
    """The analysis frames of a probed video (see :func:`_analyse`)."""
    with open_keyframe_index(source, deadline=deadline, colour=media.colour, crop=media.crop) as index:
        return _analyse(source, media, index, count=count, deadline=deadline)


def _analyse(
    source: str, media: MediaProbe, index: KeyframeIndex | None, *, count: int, deadline: float
) -> list[_Sampled]:
    """Keyframes (thinned), plus more samples when keyframes are too sparse to see every scene.

    A video cheap to decode is analysed from one decoding pass, densely. An mp4 (local or
    over HTTP) is read through its index (:func:`analyse_indexed`); anything else goes through
    one ffmpeg pass. Gaps without keyframes are filled by seeking (or one decoding pass).
    """
    size = analysis_size(media)
    if cheap_to_decode(media):
        dense = sample_by_decoding(
            source, size=size, spacing=dense_spacing(media.duration), deadline=deadline, media=media
        )
        if dense:
            return dense
    found = None
    if index is not None:
        found = analyse_indexed(index, media, size=size, step=analysis_step(media.duration), count=count)
    if found is None:
        size = analysis_size(media)
        step = analysis_step(media.duration)
        keyframes = decode_keyframes(source, media, size=size, step=step, deadline=deadline)
        gaps = fallback_times(
            [k.frame.time for k in keyframes], media.duration, count, cheap=cheap_to_decode(media)
        )
        found = _KeyframeAnalysis(keyframes, gap_keyframes=[], uncovered=gaps)
    keyframe_times = [k.frame.time for k in found.keyframes]
    extra = [*found.gap_keyframes]
    if found.uncovered:
        extra += sparse_samples(
            source, media, keyframe_times, found.uncovered, size=size, count=count, deadline=deadline
        )
    known = sorted(keyframe_times)
    extra = [s for s in extra if not _near_any(s.frame.time, known, 0.3)]
    return sorted(found.keyframes + extra, key=lambda s: s.frame.time)


def dense_spacing(duration: float) -> float:
    """Spacing of the frames a cheap video is analysed at: scenes of a second are seen 4 times."""
    return max(DENSE_MIN_SPACING, duration / DENSE_MAX_FRAMES)


def cheap_to_decode(media: MediaProbe) -> bool:
    """Small enough that decoding every frame costs about what a couple of seeks would."""
    return media.duration * media.width * media.height <= CHEAP_DECODE_PIXEL_SECONDS


@dataclass(frozen=True)
class _KeyframeAnalysis:
    keyframes: list[_Sampled]  # the thinned keyframes: what ffmpeg's pass would decode
    gap_keyframes: list[_Sampled]  # more keyframes, inside the gaps thinning left
    uncovered: list[float]  # gap times with no keyframe near: for seeking


def analyse_indexed(
    index: KeyframeIndex, media: MediaProbe, *, size: tuple[int, int], step: float, count: int
) -> _KeyframeAnalysis | None:
    """The analysis keyframes from the mp4 index, fetched and decoded in one round; None: use ffmpeg.

    The thinned keyframes are the frames ffmpeg's pass would decode, for a few MB of a GB-size
    file over HTTP (ffmpeg's pass demuxes, so downloads, all of it). The gaps the fallback would
    fill are known from their times alone, and in a long video they come from thinning, not
    from the encoder: a keyframe within half the fallback spacing of a gap time samples it as
    well, for one more fetched picture instead of a seek that decodes part of a GOP. Gap times
    without such a keyframe (truly sparse keyframes) are left for seeking.
    """
    thinned = thin_keyframes(index.keyframes, step=step, max_frames=MAX_ANALYSIS_FRAMES)
    thinned_times = [round(k.time, 3) for k in thinned]
    duration = media.duration
    gap_times = fallback_times(thinned_times, duration, count, cheap=cheap_to_decode(media))
    spacing = fallback_spacing(duration, count)
    near = keyframes_near(index.keyframes, gap_times, tolerance=spacing / 2, exclude=thinned_times)
    in_gaps = set(near.values())
    chosen = sorted({*thinned, *in_gaps}, key=lambda k: k.time)
    decoded = index.decode_small(chosen, size)
    if decoded is None:
        return None
    keyframes: list[_Sampled] = []
    gap_keyframes: list[_Sampled] = []
    for keyframe, (at, image) in zip(chosen, decoded, strict=True):
        sample = _Sampled(AnalysedFrame(at, measure(image)), keyframe=True, source=keyframe)
        (gap_keyframes if keyframe in in_gaps else keyframes).append(sample)
    if in_gaps:
        logger.info("thinned keyframes: %d more keyframes fill the gaps", len(in_gaps))
    return _KeyframeAnalysis(keyframes, gap_keyframes, [t for t in gap_times if t not in near])


def sparse_samples(
    source: str,
    media: MediaProbe,
    keyframe_times: Sequence[float],
    times: Sequence[float],
    *,
    size: tuple[int, int],
    count: int,
    deadline: float,
) -> list[_Sampled]:
    """Frames at ``times`` between sparse keyframes: by seeking, or one pass if that is cheaper."""
    if seek_decode_seconds(keyframe_times, times) <= FULL_DECODE_SHARE * media.duration:
        logger.info("sparse keyframes: %d extra samples by seeking", len(times))
        return sample_by_seeking(source, times, size=size, deadline=deadline, media=media)
    spacing = fallback_spacing(media.duration, count)
    logger.info("sparse keyframes: one decoding pass, a frame every %.1fs", spacing)
    return sample_by_decoding(source, size=size, spacing=spacing, deadline=deadline, media=media)


def seek_decode_seconds(keyframe_times: Sequence[float], times: Sequence[float]) -> float:
    """Seconds of video ffmpeg decodes to reach ``times`` by seeking (each from the keyframe before)."""
    known = sorted(keyframe_times)
    total = 0.0
    for at in times:
        before = [k for k in known if k <= at]
        total += at - (before[-1] if before else 0.0)
    return total


def _near_any(value: float, sorted_values: Sequence[float], tolerance: float) -> bool:
    position = bisect.bisect_left(sorted_values, value)
    return any(
        abs(sorted_values[i] - value) <= tolerance
        for i in (position - 1, position)
        if 0 <= i < len(sorted_values)
    )


def keyframe_pass_args(
    source: str,
    *,
    size: tuple[int, int],
    step: float,
    start: float | None = None,
    length: float | None = None,
    media: MediaProbe | None = None,
) -> list[str]:
    """ffmpeg argv decoding only keyframes ``step`` apart, scaled, as raw RGB with timestamps."""
    args: list[str] = []
    if step > 0:
        # Input bitstream filter: drop every packet that is not a keyframe at least `step` after
        # the last kept one (register 0 holds its time, register 1 says one was kept).
        keep = f"key*(gte(pts*tb-ld(0),{step - THINNING_TOLERANCE:.3f})+not(ld(1)))"
        drop = f"if({keep},0*st(0,pts*tb)+0*st(1,1),1)".replace(",", r"\,")  # bsf-list escaping
        args += ["-bsf:v", f"noise=drop={drop}"]
    args += ["-skip_frame", "nokey", "-skip_loop_filter", "all", "-threads", "1"]
    if start is not None:
        args += ["-ss", f"{start:.3f}", "-noaccurate_seek"]
    if length is not None:
        args += ["-t", f"{length:.3f}"]
    args += source_input_args(source)
    width, height = size
    args += [
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *_rgb_frames(f"scale={width}:{height}:flags=area,setsar=1", media, after=["showinfo"]),
    ]  # fmt: skip
    return args


def _rgb_frames(
    scale: str, media: MediaProbe | None, *, before: Sequence[str] = (), after: Sequence[str] = ()
) -> list[str]:
    """8-bit RGB frames on stdout, bars cut and HDR tone-mapped (:mod:`vodcover.media.picture`)."""
    colour, crop = (media.colour, media.crop) if media else (None, None)
    return rgb_output_args(scale, colour=colour, crop=crop, before=before, after=after)


def decode_keyframes(
    source: str, media: MediaProbe, *, size: tuple[int, int], step: float, deadline: float
) -> list[_Sampled]:
    """The analysis pass; long videos in two halves on two cores (each half its own process)."""
    if media.duration < PARALLEL_MIN_DURATION:
        return _decode_part(
            source, size=size, step=step, start=None, length=None, deadline=deadline, media=media
        )
    middle = media.duration / 2.0
    parts = [(None, middle), (middle, None)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(
                _decode_part, source, size=size, step=step, start=s, length=n, deadline=deadline, media=media
            )
            for s, n in parts
        ]
        first, second = (future.result() for future in futures)
    # The second half starts at the keyframe before the middle, which the first may also hold.
    last = first[-1].frame.time if first else -math.inf
    return first + [s for s in second if s.frame.time > last + 0.01]


def _decode_part(
    source: str,
    *,
    size: tuple[int, int],
    step: float,
    start: float | None,
    length: float | None,
    deadline: float,
    media: MediaProbe | None = None,
) -> list[_Sampled]:
    args = keyframe_pass_args(source, size=size, step=step, start=start, length=length, media=media)
    result = run_ffmpeg(args, timeout=remaining(deadline))
    times = parse_showinfo_times(result.stderr)
    images = split_raw_frames(result.stdout, size)
    offset = start or 0.0
    return [
        _Sampled(AnalysedFrame(round(offset + t, 3), measure(image)), keyframe=True)
        for t, image in zip(times, images, strict=False)
    ]


def parse_showinfo_times(stderr: str) -> list[float]:
    """Each output frame's ``pts_time`` from showinfo's log lines, in output order."""
    return [float(match.group(3)) for match in _SHOWINFO_RE.finditer(stderr)]


def split_raw_frames(stream: bytes, size: tuple[int, int]) -> list[Image.Image]:
    width, height = size
    frame_bytes = width * height * 3
    return [
        Image.frombuffer("RGB", size, stream[offset : offset + frame_bytes], "raw", "RGB", 0, 1)
        for offset in range(0, len(stream) - frame_bytes + 1, frame_bytes)
    ]


def fallback_times(
    keyframe_times: Sequence[float], duration: float, count: int, *, cheap: bool = False
) -> list[float]:
    """Times to sample inside keyframe gaps when keyframes are too sparse to see every scene.

    Nothing when keyframes are dense enough: gaps under ``SPARSE_GAP`` and, unless the video is
    ``cheap`` to decode (short or small), however few keyframes there are. Seeking between
    regular keyframes of a large video (a 20 s 4K clip has 10) cost a second per seek and
    found nothing a 2 s keyframe spacing does not show. Otherwise gaps are filled evenly so that
    no gap exceeds ``spacing``, aiming at ``SPARSE_FACTOR x count`` frames overall, capped so
    the fallback stays a few seeks.
    """
    bounds = [*sorted(keyframe_times), duration]
    gaps = [(a, b) for a, b in zip([0.0, *bounds[:-1]], bounds, strict=True) if b > a]
    widest = max((b - a for a, b in gaps), default=duration)
    wanted = SPARSE_FACTOR * count
    if widest < SPARSE_GAP and (len(keyframe_times) >= wanted or not cheap):
        return []
    spacing = fallback_spacing(duration, count)
    times: list[float] = []
    for start, end in gaps:
        pieces = math.ceil((end - start) / spacing)
        times += [start + (end - start) * i / pieces for i in range(1, pieces)]
    times = [t for t in times if 0.05 < t < duration - 0.05]
    if len(times) > MAX_FALLBACK_SAMPLES:
        stride = len(times) / MAX_FALLBACK_SAMPLES
        times = [times[int(i * stride)] for i in range(MAX_FALLBACK_SAMPLES)]
    return [round(t, 3) for t in times]


def fallback_spacing(duration: float, count: int) -> float:
    return min(SPARSE_GAP / 2, max(MIN_ANALYSIS_STEP, duration / (SPARSE_FACTOR * count + 1)))


def sample_by_decoding(
    source: str, *, size: tuple[int, int], spacing: float, deadline: float, media: MediaProbe | None = None
) -> list[_Sampled]:
    """Decode everything once, keep a small frame every ``spacing`` seconds.

    Cheaper than seeking when keyframes are so sparse that each seek would decode most of a
    long GOP anyway (the cost is then one decode of the video at its own resolution), and the
    whole analysis of a cheap video (a few seconds).
    """
    width, height = size
    select = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{spacing:.3f})'".replace(",", r"\,")
    args = [
        "-skip_loop_filter", "all",  # as the keyframe pass: analysis frames need no deblocking
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *_rgb_frames(
            f"scale={width}:{height}:flags=area,setsar=1", media, before=[select], after=["showinfo"]
        ),
    ]  # fmt: skip
    result = run_ffmpeg(args, timeout=remaining(deadline))
    times = parse_showinfo_times(result.stderr)
    images = split_raw_frames(result.stdout, size)
    return [
        _Sampled(AnalysedFrame(round(t, 3), measure(image)), keyframe=False)
        for t, image in zip(times, images, strict=False)
    ]


def sample_by_seeking(
    source: str,
    times: Sequence[float],
    *,
    size: tuple[int, int],
    deadline: float,
    media: MediaProbe | None = None,
) -> list[_Sampled]:
    """One small frame per time by input seeking (decodes from the keyframe before it)."""

    def grab(at: float) -> _Sampled | None:
        result = run_ffmpeg(
            still_args(source, at, size, keyframe=False, media=media), timeout=remaining(deadline)
        )
        images = split_raw_frames(result.stdout, size)
        if not images:
            return None
        return _Sampled(AnalysedFrame(at, measure(images[0])), keyframe=False)

    with ThreadPoolExecutor(max_workers=FALLBACK_WORKERS) as pool:
        return [sample for sample in pool.map(grab, times) if sample is not None]


# --- extraction ---------------------------------------------------------------------------
def candidate_size(media: MediaProbe, width: int) -> tuple[int, int]:
    """The displayed size within the cover limits (and ``width``, when given)."""
    shown_width, shown_height = media.picture_size
    landscape = shown_width >= shown_height
    box = (MAX_LONG_SIDE, MAX_SHORT_SIDE) if landscape else (MAX_SHORT_SIDE, MAX_LONG_SIDE)
    max_width = min(box[0], width) if width > 0 else box[0]
    return fit_size(shown_width, shown_height, max_width, box[1])


def still_args(
    source: str, at: float, size: tuple[int, int], *, keyframe: bool, media: MediaProbe | None = None
) -> list[str]:
    """ffmpeg argv for one frame at ``at`` by input seeking, scaled to ``size``, raw on stdout.

    For a keyframe the seek lands on it exactly (``-noaccurate_seek``, aimed just past it) and
    one picture is decoded; otherwise ffmpeg decodes from the keyframe before ``at``.
    """
    width, height = size
    seek = (
        ["-ss", f"{at + KEYFRAME_SEEK_EPSILON:.3f}", "-noaccurate_seek"] if keyframe else ["-ss", f"{at:.3f}"]
    )
    return [
        *seek,
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-frames:v", "1",
        *_rgb_frames(f"scale={width}:{height}:flags=lanczos,setsar=1", media),
    ]  # fmt: skip


def extract_candidates(
    source: str,
    media: MediaProbe,
    index: KeyframeIndex | None,
    sampled: Sequence[_Sampled],
    picks: Sequence[Pick],
    size: tuple[int, int],
    quality: int,
    deadline: float,
    *,
    refine: bool = True,
    dense: bool = False,
) -> list[Candidate]:
    """The picked moments at full quality, in pick order (best first).

    A pick next to a possible cut is taken at its ``safe_time`` by seeking (decoding from the
    keyframe, at most ``CUT_CLEARANCE`` of video), and kept only when the picture is still
    good and of the same shot. Other picks on keyframes the index located are fetched again (a
    few hundred KB each) and decoded in one ffmpeg run: a 4K seek cost over a second each. The
    rest are sought into.
    """
    if dense:
        return _extract_by_decoding(source, media, sampled, picks, size, quality, deadline=deadline)
    chosen: dict[int, tuple[float, Image.Image]] = {}
    moved = [
        (n, p)
        for n, p in enumerate(picks)
        if refine and p.safe_time >= 0 and abs(p.safe_time - p.time) > 0.01
    ]

    def refined(numbered: tuple[int, Pick]) -> tuple[int, tuple[float, Image.Image] | None]:
        n, pick = numbered
        image = _seek_frame(source, pick.safe_time, size, keyframe=False, deadline=deadline, media=media)
        if image is None or not _same_good_shot(image, sampled[pick.frame_index].frame.features):
            return n, None
        return n, (pick.safe_time, image)

    with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
        for n, found in pool.map(refined, moved):
            if found is not None:
                chosen[n] = found
    wanted = [
        (n, keyframe)
        for n, p in enumerate(picks)
        if n not in chosen and (keyframe := sampled[p.frame_index].source) is not None
    ]
    if index is not None and wanted:
        decoded = index.decode_small([k for _, k in wanted], size, full_quality=True)
        if decoded is not None:
            chosen |= {n: (picks[n].time, image) for (n, _), (_, image) in zip(wanted, decoded, strict=True)}

    def extract(numbered: tuple[int, Pick]) -> Candidate:
        n, pick = numbered
        at, image = chosen.get(n, (pick.time, None))
        if image is None:
            keyframe = sampled[pick.frame_index].keyframe
            image = _seek_frame(source, pick.time, size, keyframe=keyframe, deadline=deadline, media=media)
            if image is None:
                raise MediaCorrupt("A chosen frame could not be decoded.", detail=f"t={pick.time}")
        return Candidate(at, pick.score, encode_jpeg(image, quality), size[0], size[1])

    with ThreadPoolExecutor(max_workers=EXTRACT_WORKERS) as pool:
        return list(pool.map(extract, enumerate(picks)))


def _extract_by_decoding(
    source: str,
    media: MediaProbe,
    sampled: Sequence[_Sampled],
    picks: Sequence[Pick],
    size: tuple[int, int],
    quality: int,
    *,
    deadline: float,
) -> list[Candidate]:
    """Every pick of a cheap video, at its safe time and at its own, from one decoding pass.

    A short clip paid an ffmpeg start and a seek per candidate: one pass over a few seconds of
    video costs less than two of them.
    """
    wanted = sorted({t for p in picks for t in (p.time, p.safe_time) if t >= 0})
    if not picks:
        return []
    half_frame = 0.5 / media.fps if media.fps > 0 else 0.02
    condition = "+".join(f"between(t,{t - half_frame:.4f},{t + half_frame:.4f})" for t in wanted)
    select = f"select='{condition}'".replace(",", r"\,")  # filtergraph escaping
    width, height = size
    args = [
        "-t", f"{wanted[-1] + 4 * half_frame:.3f}",  # nothing after the last pick is decoded
        *source_input_args(source),
        "-map", "0:v:0", "-an", "-sn", "-dn", "-fps_mode", "passthrough",
        *_rgb_frames(
            f"scale={width}:{height}:flags=lanczos,setsar=1", media, before=[select], after=["showinfo"]
        ),
    ]  # fmt: skip
    result = run_ffmpeg(args, timeout=remaining(deadline))
    decoded = list(
        zip(parse_showinfo_times(result.stderr), split_raw_frames(result.stdout, size), strict=False)
    )

    def nearest(at: float) -> Image.Image | None:
        close = [(abs(t - at), image) for t, image in decoded if abs(t - at) <= 2 * half_frame]
        return min(close, key=lambda pair: pair[0])[1] if close else None

    candidates = []
    for pick in picks:
        at, image = pick.safe_time, nearest(pick.safe_time) if pick.safe_time >= 0 else None
        if image is None or not _same_good_shot(image, sampled[pick.frame_index].frame.features):
            at, image = pick.time, nearest(pick.time)
        if image is None:
            raise MediaCorrupt("A chosen frame could not be decoded.", detail=f"t={pick.time}")
        candidates.append(Candidate(at, pick.score, encode_jpeg(image, quality), width, height))
    return candidates


def _seek_frame(
    source: str, at: float, size: tuple[int, int], *, keyframe: bool, deadline: float, media: MediaProbe
) -> Image.Image | None:
    args = still_args(source, at, size, keyframe=keyframe, media=media)
    result = run_ffmpeg(args, timeout=remaining(deadline))
    found = split_raw_frames(result.stdout, size)
    return found[0] if found else None


def _same_good_shot(image: Image.Image, analysed: FrameFeatures) -> bool:
    """The refined picture is not junk and shows what the analysed keyframe showed."""
    small = image.resize(_analysis_shape(image.size), Image.Resampling.BOX)
    features = measure(small)
    if hard_junk(features) is not None:
        return False
    return histogram_distance(features.histogram, analysed.histogram) <= REFINE_MAX_DISTANCE


def _analysis_shape(size: tuple[int, int]) -> tuple[int, int]:
    return fit_size(size[0], size[1], ANALYSIS_LONG_SIDE, ANALYSIS_LONG_SIDE)


def encode_jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise MediaTimeout("Processing the video took too long.")
    return left
