"""A video cheap to decode, analysed and its candidates taken from one ffmpeg run.

A 3-second clip used to cost six ffmpeg runs (probe, black bars from four keyframes and two
seeks, the analysis pass, one more pass for the candidates): ~0.9 CPU-s for 5 s of 720p, far
more than decoding the clip once. Here one decoding pass gives both pictures of every analysed
moment: a small one for the selector (on stdout) and one at cover size (in a temporary raw
file, read back for the K winners only, so memory holds no full-size frame it does not keep).
Black bars are found on the small frames (:func:`vodcover.media.bars.find_bars`), as every
other path finds them on decoded frames, and cut from both pictures in Python.

A pick next to a possible cut is moved to the analysed frame nearest its ``safe_time`` in the
same shot: frames ~0.2 s apart are close enough that no new decode is needed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PIL import Image

from vodcover.deadline import time_left
from vodcover.errors import MediaCorrupt, MediaError
from vodcover.media.bars import Box, crop_to, find_bars, may_have_bars
from vodcover.media.cover_image import CoverLimits
from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.frame_features import FrameFeatures, measure
from vodcover.media.frame_sampling import parse_showinfo_times
from vodcover.media.jpeg import encode_jpeg
from vodcover.media.picture import picture_filters
from vodcover.media.probe import UNKNOWN_DURATION, MediaProbe, parse_probe_output, source_input_args
from vodcover.media.scene_selection import AnalysedFrame, FrameVerdict, Pick, Selection, select_moments
from vodcover.media.smart_analysis import analysis_size, cheap_to_decode, dense_spacing
from vodcover.media.smart_extraction import Candidate, candidate_size

logger = logging.getLogger(__name__)

_SHOWINFO_FILTER = "showinfo"
DECODE_THREADS = 2  # the smart-cover function has ~2 vCPUs
BARS_LOOKS = 6  # cover-size pictures, spread over the video, that black bars are looked for on


class DecodedOnce:
    """The analysed moments of a video decoded once: small pictures now, cover-size ones on demand.

    Owns a temporary file (the cover-size frames): use it as a context manager.
    """

    def __init__(
        self,
        times: list[float],
        small: list[Image.Image],
        features: list[FrameFeatures],
        media: MediaProbe,
        *,
        full_path: str,
        full_size: tuple[int, int],
        report: str = "",
    ) -> None:
        self.times = times
        self.small = small  # analysis pictures (bars cut once :meth:`cut_bars` found them)
        self.features = features  # measures of ``small``, taken while ffmpeg decoded on
        self.media = media  # with ``crop`` set when bars were found
        self._full_path = full_path
        self._full_size = full_size
        self._box: Box | None = None  # bars, in cover-size pixels
        self.report = report  # ffmpeg's stderr: the input's description, then showinfo's lines

    def picture(self, index: int) -> Image.Image:
        """The cover-size picture of analysed moment ``index``, bars cut."""
        width, height = self._full_size
        frame_bytes = width * height * 3
        with open(self._full_path, "rb") as raw:
            raw.seek(index * frame_bytes)
            image = Image.frombytes("RGB", self._full_size, raw.read(frame_bytes))
        return image if self._box is None else crop_to(image, self._box)

    def cut_bars(self) -> None:
        """Find black bars on a few cover-size pictures (small ones are too coarse at the edge),
        read only when the small ones leave room for bars."""
        if self.media.crop is not None or not self.times:
            return
        count = len(self.times)
        looked_at = sorted({round(i * (count - 1) / (BARS_LOOKS - 1)) for i in range(BARS_LOOKS)})
        if not may_have_bars([self.small[i] for i in looked_at]):
            return
        box = find_bars([self.picture(i) for i in looked_at])
        if box is None:
            return
        self._box = box
        small_width, small_height = self.small[0].size
        sx, sy = small_width / self._full_size[0], small_height / self._full_size[1]
        # Inward rounding: no blended bar pixel is left in the small pictures.
        inner = Box(
            left=math.ceil(box.left * sx),
            top=math.ceil(box.top * sy),
            right=math.floor(box.right * sx),
            bottom=math.floor(box.bottom * sy),
        )
        self.small = [crop_to(picture, inner) for picture in self.small]
        self.features = [measure(picture) for picture in self.small]
        self.media = replace(self.media, crop=box.scaled(self._full_size, self.media.decoded_size))

    def __enter__(self) -> DecodedOnce:
        return self

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._full_path)


def single_pass_args(
    source: str,
    media: MediaProbe,
    *,
    small: tuple[int, int],
    full: tuple[int, int],
    spacing: float,
    full_path: str,
) -> list[str]:
    """ffmpeg argv: a frame every ``spacing`` s, small on stdout, at ``full`` size into ``full_path``.

    The picture chain (tone mapping, 8-bit RGB) is :func:`vodcover.media.picture.picture_filters`'
    for both outputs; bars are not known yet, so neither is cropped.
    """
    select = f"select='isnan(prev_selected_t)+gte(t-prev_selected_t,{spacing:.3f})'".replace(",", r"\,")
    small_chain = picture_filters(
        f"scale={small[0]}:{small[1]}:flags=area,setsar=1",
        colour=media.colour,
        crop=media.crop,
        after=[_SHOWINFO_FILTER],
    )
    full_chain = picture_filters(
        f"scale={full[0]}:{full[1]}:flags=lanczos,setsar=1", colour=media.colour, crop=media.crop
    )
    graph = f"[0:v:0]{select},split=2[a][b];[a]{','.join(small_chain)}[small];[b]{','.join(full_chain)}[full]"
    return [
        # Frames no other frame refers to (most B-frames) are skipped: a third less decoding,
        # and what is left is still 0.04-0.16 s apart, denser than ``spacing``.
        "-skip_frame", "noref", "-threads", str(DECODE_THREADS),
        *source_input_args(source),
        "-filter_complex", graph,
        "-map", "[small]", "-fps_mode", "passthrough", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
        "-map", "[full]", "-fps_mode", "passthrough", "-pix_fmt", "rgb24", "-f", "rawvideo", "-y", full_path,
    ]  # fmt: skip


def decode_once(
    source: str,
    media: MediaProbe,
    *,
    small: tuple[int, int],
    full: tuple[int, int],
    spacing: float,
    timeout: float,
    bars: bool = True,
) -> DecodedOnce:
    """Decode ``source`` once: the analysed moments' times and small pictures, bars cut (unless
    ``bars`` is False: the caller checks the run's report, in ``report``, first)."""
    handle, full_path = tempfile.mkstemp(prefix="vodcover-frames-", suffix=".rgb")
    os.close(handle)
    try:
        args = single_pass_args(source, media, small=small, full=full, spacing=spacing, full_path=full_path)
        frame_bytes = small[0] * small[1] * 3
        pictures: list[Image.Image] = []
        features: list[FrameFeatures] = []

        def take(frame: bytes) -> None:
            pictures.append(Image.frombytes("RGB", small, frame))
            features.append(measure(pictures[-1]))

        result = run_ffmpeg(args, timeout=timeout, consume=take, chunk=frame_bytes)
        times = parse_showinfo_times(result.stderr)
        stored = os.path.getsize(full_path) // (full[0] * full[1] * 3)
        count = min(len(times), len(pictures), stored)
        times, pictures, features = times[:count], pictures[:count], features[:count]
        decoded = DecodedOnce(
            times, pictures, features, media, full_path=full_path, full_size=full, report=result.stderr
        )
        if bars:
            decoded.cut_bars()
        return decoded
    except BaseException:
        os.unlink(full_path)
        raise


def moved_to_safe_frame(verdicts: Sequence[FrameVerdict], pick: Pick) -> int:
    """The analysed frame nearest the pick's ``safe_time`` in its own shot (the pick's own if none)."""
    if pick.safe_time < 0 or abs(pick.safe_time - pick.time) <= 0.01:
        return pick.frame_index
    shot = verdicts[pick.frame_index].shot
    same_shot = [i for i, v in enumerate(verdicts) if v.shot == shot and v.junk is None]
    if not same_shot:
        return pick.frame_index
    return min(same_shot, key=lambda i: abs(verdicts[i].time - pick.safe_time))


@dataclass(frozen=True)
class OnePassSelection:
    selection: Selection
    candidates: list[Candidate]  # one per pick, same order
    media: MediaProbe  # with the bars found, if any
    analysed_frames: int


def select_in_one_pass(
    source: str,
    media: MediaProbe,
    *,
    count: int,
    width: int,
    quality: int,
    limits: CoverLimits,
    deadline: float,
) -> OnePassSelection:
    """The smart-cover selection of a video cheap to decode, from one ffmpeg run."""
    small, full, spacing = pass_sizes(media, limits)
    with decode_once(
        source, media, small=small, full=full, spacing=spacing, timeout=time_left(deadline)
    ) as decoded:
        return _select(decoded, count=count, width=width, quality=quality, limits=limits)


@dataclass(frozen=True)
class UnprobedPass:
    """The pass run on the mp4 header's guess, checked against ffmpeg's report of the input.

    ``media``: the input as ffmpeg described it (None when the run failed: probe to learn why);
    ``found``: the selection, or None when the guess was wrong and the pass was not the one the
    probe would have asked for (the caller goes on with ``media``).
    """

    media: MediaProbe | None
    found: OnePassSelection | None


def select_in_unprobed_pass(
    source: str,
    guess: MediaProbe,
    *,
    count: int,
    width: int,
    quality: int,
    limits: CoverLimits,
    deadline: float,
) -> UnprobedPass:
    """:func:`select_in_one_pass` without a probe run first: the probe is read from the pass itself.

    The pass is built from ``guess`` (:func:`vodcover.media.header_guess.guess_from_header`); it
    counts only when ffmpeg's own description of the input, printed by the same run, leads to the
    very same argv (same sizes, spacing, colour handling), so its pictures are the probed path's.
    """
    small, full, spacing = pass_sizes(guess, limits)
    try:
        decoded = decode_once(
            source, guess, small=small, full=full, spacing=spacing, timeout=time_left(deadline), bars=False
        )
    except MediaCorrupt as exc:
        logger.info("unprobed pass failed, probing: %s", exc.detail[-300:])
        return UnprobedPass(None, None)
    with decoded:
        media = reported_probe(decoded.report)
        if media is None or not _same_pass(source, guess, media, limits):
            logger.info("the mp4 header's guess was not the probe's: %s", media)
            return UnprobedPass(media, None)
        decoded.media = media
        decoded.cut_bars()
        return UnprobedPass(media, _select(decoded, count=count, width=width, quality=quality, limits=limits))


def pass_sizes(media: MediaProbe, limits: CoverLimits) -> tuple[tuple[int, int], tuple[int, int], float]:
    """The analysis size, the cover size and the spacing of the analysed moments."""
    return analysis_size(media), candidate_size(media, 0, limits), dense_spacing(media.duration)


def reported_probe(report: str) -> MediaProbe | None:
    """The probe of ffmpeg's description of its input (the part of stderr before the outputs)."""
    described = report.split("\nStream mapping:", 1)[0].split("\nOutput #0", 1)[0]
    try:
        media = parse_probe_output(described)
    except MediaError:
        return None
    return media if media.has_video and media.duration_source != UNKNOWN_DURATION else None


def _same_pass(source: str, guess: MediaProbe, media: MediaProbe, limits: CoverLimits) -> bool:
    if not cheap_to_decode(media):
        return False
    small, full, spacing = pass_sizes(guess, limits)
    ours = single_pass_args(source, guess, small=small, full=full, spacing=spacing, full_path="")
    small, full, spacing = pass_sizes(media, limits)
    probed = single_pass_args(source, media, small=small, full=full, spacing=spacing, full_path="")
    return ours == probed


def _select(
    decoded: DecodedOnce, *, count: int, width: int, quality: int, limits: CoverLimits
) -> OnePassSelection:
    if not decoded.times:
        raise MediaCorrupt("No frame of the video could be decoded.")
    measured = zip(decoded.times, decoded.features, strict=True)
    frames = [AnalysedFrame(round(at, 3), features) for at, features in measured]
    selection = select_moments(frames, count=count, duration=decoded.media.duration)
    size = candidate_size(decoded.media, width, limits)
    candidates = []
    for pick in selection.picks:
        chosen = moved_to_safe_frame(selection.verdicts, pick)
        image = decoded.picture(chosen)
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        candidates.append(Candidate(frames[chosen].time, pick.score, encode_jpeg(image, quality), *size))
    return OnePassSelection(selection, candidates, decoded.media, len(frames))
