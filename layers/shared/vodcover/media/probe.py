"""What a video is: duration, displayed size, rotation, frame rate, codec, audio.

There is no ffprobe in the media layer, so :func:`probe` reads the stream summary that
``ffmpeg -hide_banner -i SOURCE`` prints on stderr (its exit status 1, "no output file", is
normal). The source is a local path or an http(s) URL (a presigned S3 URL): ffmpeg reads only the
container header through HTTP ranges, never the whole file.

Rotation convention: ffmpeg prints the display matrix as a *counter-clockwise* angle
(``Display Matrix: rotation of -90.00 degrees`` for a phone held upright). Users, phones and the
legacy ``rotate`` tag mean the *clockwise* angle the stored picture must be turned to look right,
so :attr:`MediaProbe.rotation` is ``(-angle) mod 360`` snapped to 0/90/180/270: that phone video
has ``rotation == 90`` and is displayed as ``height x width`` of its stored frames.

Failure mapping (stable codes users see):
- zero bytes → ``Media.Empty``;
- unreadable, garbage, truncated before the index, or (mp4 and others) no duration → ``Media.Corrupt``;
- a container with no video stream → ``Media.NoVideoStream``; audio with cover art raises
  :class:`AudioWithCoverArt` (the same code, for callers that cannot use the art) carrying the
  probe, so snapshots can make the art the cover;
- Matroska/WebM without a duration (a browser recording) is read to find it
  (:mod:`vodcover.media.duration`); ``Media.Corrupt`` only when no packet is found;
- a still image (PNG/JPEG/WebP… whatever its file name) → ``Media.NoVideoStream`` too: it holds a
  picture, not a video, and saying so helps the uploader more than "corrupt";
- missing local file, HTTP 4xx/5xx, refused or failed connection → ``Media.Unavailable``.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field

from vodcover.errors import (
    MediaCorrupt,
    MediaEmpty,
    MediaNoVideoStream,
    MediaUnavailable,
)
from vodcover.media.ffmpeg import run_ffmpeg, stderr_tail
from vodcover.media.picture import SDR, Colour, Crop, parse_colour

logger = logging.getLogger(__name__)

# Demuxers that read one picture: ffmpeg presents them as a single-frame "video".
IMAGE_DEMUXERS = frozenset({"image2", "gif_pipe"})  # plus every "*_pipe" (png_pipe, jpeg_pipe, ...)
IMAGE_CODECS = frozenset({"png", "mjpeg", "webp", "bmp", "tiff", "jpegxl", "qoi", "jpeg2000", "ppm"})

# Demuxers we let ffmpeg use: video containers, plus still-image and audio ones so those uploads
# get a precise error. Playlists (hls, dash, concat) are left out on purpose: a crafted playlist
# would make ffmpeg fetch other URLs or local files.
ACCEPTED_DEMUXERS = (
    "mov,matroska,webm,avi,flv,mpegts,mpeg,mpegvideo,asf,ogg,mxf,nut,ivf,dv,obu,h264,hevc,m4v,gif,"
    "image2,png_pipe,jpeg_pipe,webp_pipe,bmp_pipe,tiff_pipe,jpegxl_pipe,qoi_pipe,"
    "mp3,aac,wav,flac"
)
URL_PROTOCOLS = "http,https,tcp,tls"
UNKNOWN_DURATION = "unknown"
# ffmpeg's HTTP requests are open-ended ranges by default and the server keeps sending until
# ffmpeg hangs up. Bounded 1 MiB ranges, measured on a 57 MB 1080p clip with 8 snapshots through
# a local range server: 35 MB sent instead of 98 MB, 31 requests instead of 16, same wall time
# (512 KiB: 29 MB but 49 requests, each a round trip on S3).
HTTP_REQUEST_SIZE = 1024 * 1024

UNAVAILABLE_MARKERS = (
    "no such file or directory",
    "permission denied",
    "server returned",
    "http error",
    "connection refused",
    "connection timed out",
    "connection reset",
    "failed to resolve",
    "network is unreachable",
    "host is unreachable",
    "end of file while",  # connection closed mid-header
)

_INPUT_RE = re.compile(r"^Input #0, (?P<format>[^,]+(?:,[^ ,]+)*), from ", re.MULTILINE)
_DURATION_RE = re.compile(
    r"Duration: (?:(?P<h>\d+):(?P<m>\d+):(?P<s>\d+(?:\.\d+)?)|N/A)"
    r"(?:, start: (?P<start>-?\d+(?:\.\d+)?))?(?:, bitrate: (?:(?P<kbps>\d+) kb/s|N/A))?"
)
_STREAM_RE = re.compile(
    r"^\s*Stream #0:\d+\S*: (?P<kind>Video|Audio|Subtitle|Data|Attachment): (?P<rest>.*)$"
)
_SIZE_RE = re.compile(r"(?:^|[ ,])(?P<w>\d{1,5})x(?P<h>\d{1,5})(?=[ ,\]]|$)")
_SAR_RE = re.compile(r"SAR (?P<num>\d+):(?P<den>\d+)")
_FPS_RE = re.compile(r"(?P<value>\d+(?:\.\d+)?)(?P<k>k?) (?:fps|tbr)\b")
_DISPLAY_MATRIX_RE = re.compile(r"Display Matrix: rotation of (?P<angle>-?\d+(?:\.\d+)?) degrees")
_ROTATE_TAG_RE = re.compile(r"^\s*rotate\s*:\s*(?P<angle>-?\d+(?:\.\d+)?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class MediaProbe:
    """The facts about a video that snapshots, covers and the API's ``media`` field need."""

    duration: float  # seconds
    width: int  # as displayed: after rotation and non-square pixels
    height: int
    rotation: int  # clockwise degrees the stored picture is turned for display: 0, 90, 180, 270
    fps: float
    video_codec: str
    has_audio: bool
    bitrate: int | None  # bits per second over the whole file, when ffmpeg knows it
    start_time: float  # the container's first timestamp; ffmpeg's -ss counts from here
    stored_width: int = 0  # the coded frame size, before rotation
    stored_height: int = 0
    container: str = ""
    colour: Colour = field(default=SDR)  # HDR sources are tone-mapped in every image (picture.py)
    crop: Crop | None = None  # black bars to cut from every image (bars.py), displayed pixels
    duration_source: str = "container"  # "scanned"/"tail": the container had none, the file was read
    has_video: bool = True  # False: audio whose cover art stands in for the picture

    @property
    def decoded_size(self) -> tuple[int, int]:
        """The frame size ffmpeg's filters see: stored pixels, turned upright (crops count in these)."""
        if not self.stored_width or not self.stored_height:
            return self.width, self.height
        turned = self.rotation in (90, 270)
        return (self.stored_height, self.stored_width) if turned else (self.stored_width, self.stored_height)

    @property
    def picture_size(self) -> tuple[int, int]:
        """The displayed size of the picture vodcover shows: inside the bars, if any."""
        return (self.crop.width, self.crop.height) if self.crop else (self.width, self.height)

    def to_json(self) -> dict[str, object]:
        """The ``probe --json`` document (docs/design.md, "Command line")."""
        return {
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "fps": self.fps,
            "videoCodec": self.video_codec,
            "hasAudio": self.has_audio,
        }


class AudioWithCoverArt(MediaNoVideoStream):
    """Audio (m4a, mp3...) whose only picture is its cover art: ``media`` describes that art."""

    def __init__(self, media: MediaProbe, *, detail: str = "") -> None:
        super().__init__("The file is audio with cover art, not a video.", detail=detail)
        self.media = media


@dataclass(frozen=True)
class _Stream:
    kind: str
    line: str
    block: str  # the stream line plus its indented metadata and side data


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def source_input_args(source: str) -> list[str]:
    """``-i SOURCE`` with the demuxer and protocol allow-lists; callers put ``-ss`` before it.

    Local paths go through ``file:`` so a name with a colon or a leading dash is never read as a
    protocol or an option.
    """
    allow_lists = ["-format_whitelist", ACCEPTED_DEMUXERS]
    if is_url(source):
        http = ["-request_size", str(HTTP_REQUEST_SIZE)]
        return [*http, "-protocol_whitelist", URL_PROTOCOLS, *allow_lists, "-i", source]
    return ["-protocol_whitelist", "file", *allow_lists, "-i", "file:" + os.path.abspath(source)]


def probe(source: str, *, timeout: float) -> MediaProbe:
    """Describe ``source`` (local path or http(s) URL) or raise a typed ``Media*`` error."""
    if not is_url(source):
        _check_local_file(source)
    result = run_ffmpeg(source_input_args(source), timeout=timeout, check=False)
    try:
        media = parse_probe_output(result.stderr)
    except (MediaCorrupt, MediaUnavailable):
        # An empty object looks like garbage, or answers 416 to ffmpeg's first ranged read.
        if is_url(source) and _remote_is_empty(source, timeout=min(timeout, 10.0)):
            raise MediaEmpty("The video file is empty.") from None
        raise
    if media.duration_source == UNKNOWN_DURATION:
        from vodcover.media.duration import with_scanned_duration  # only cue-less recordings need it

        return with_scanned_duration(source, media, timeout=timeout)
    return media


def parse_probe_output(stderr: str) -> MediaProbe:
    """Turn ``ffmpeg -i`` stderr into a :class:`MediaProbe` (pure, so it is unit-testable)."""
    format_match = _INPUT_RE.search(stderr)
    if format_match is None:
        raise _open_error(stderr)
    container = format_match.group("format")
    streams = _streams(stderr)
    video = next((s for s in streams if s.kind == "Video" and "(attached pic)" not in s.line), None)
    if video is None:
        art = next((s for s in streams if s.kind == "Video"), None)
        if art is not None and any(s.kind == "Audio" for s in streams):
            raise AudioWithCoverArt(_cover_art_probe(art, container, stderr), detail=stderr_tail(stderr))
        raise MediaNoVideoStream("The file has no video stream.", detail=stderr_tail(stderr))
    codec = video.line.split(maxsplit=1)[0].rstrip(",") if video.line.strip() else ""
    if _is_still_image(container, codec):
        raise MediaNoVideoStream("The file is a still image, not a video.", detail=stderr_tail(stderr))
    duration, start, bitrate = _duration(stderr, streamable=_is_matroska(container))
    stored_width, stored_height = _size(video, stderr)
    rotation = _rotation(video.block)
    display_width = _apply_sample_aspect(stored_width, video.line)
    width, height = (
        (stored_height, display_width) if rotation in (90, 270) else (display_width, stored_height)
    )
    return MediaProbe(
        duration=duration,
        width=width,
        height=height,
        rotation=rotation,
        fps=_fps(video.line),
        video_codec=codec,
        has_audio=any(s.kind == "Audio" for s in streams),
        bitrate=bitrate,
        start_time=start,
        stored_width=stored_width,
        stored_height=stored_height,
        container=container,
        colour=parse_colour(video.line, video.block),
        duration_source="container" if duration > 0 else UNKNOWN_DURATION,
    )


def _cover_art_probe(art: _Stream, container: str, stderr: str) -> MediaProbe:
    duration, start, bitrate = _duration(stderr)
    width, height = _size(art, stderr)
    return MediaProbe(
        duration=duration,
        width=width,
        height=height,
        rotation=0,
        fps=0.0,
        video_codec="",
        has_audio=True,
        bitrate=bitrate,
        start_time=start,
        stored_width=width,
        stored_height=height,
        container=container,
        has_video=False,
    )


def normalise_rotation(counter_clockwise_degrees: float) -> int:
    """ffmpeg's counter-clockwise display angle → clockwise 0/90/180/270 (see module doc)."""
    return round(-counter_clockwise_degrees / 90.0) * 90 % 360


def _check_local_file(path: str) -> None:
    try:
        size = os.stat(path).st_size
    except FileNotFoundError:
        raise MediaUnavailable("The video file does not exist.", detail=path) from None
    except OSError as exc:
        raise MediaUnavailable("The video file cannot be read.", detail=str(exc)) from None
    if size == 0:
        raise MediaEmpty("The video file is empty.", detail=path)


def _open_error(stderr: str) -> Exception:
    """ffmpeg could not open the input: say whether the source is missing or the bytes are bad."""
    lowered = stderr.lower()
    tail = stderr_tail(stderr)
    if any(marker in lowered for marker in UNAVAILABLE_MARKERS) or _is_network_failure(lowered):
        return MediaUnavailable("The video could not be read from its location.", detail=tail)
    return MediaCorrupt("The file is not a readable video.", detail=tail)


def _is_network_failure(lowered_stderr: str) -> bool:
    """TLS and socket failures surface as a bare I/O error on an http(s) input."""
    return "input/output error" in lowered_stderr and (
        "[tls @" in lowered_stderr or "[tcp @" in lowered_stderr
    )


def _streams(stderr: str) -> list[_Stream]:
    """Split the input summary into stream blocks (the stream line plus deeper-indented lines)."""
    streams: list[_Stream] = []
    lines = stderr.splitlines()
    for index, line in enumerate(lines):
        match = _STREAM_RE.match(line)
        if match is None:
            continue
        indent = len(line) - len(line.lstrip())
        block = [line]
        for following in lines[index + 1 :]:
            if len(following) - len(following.lstrip()) <= indent:
                break
            block.append(following)
        streams.append(_Stream(match.group("kind"), match.group("rest"), "\n".join(block)))
    return streams


def _is_still_image(container: str, codec: str) -> bool:
    return container in IMAGE_DEMUXERS or (container.endswith("_pipe") and codec in IMAGE_CODECS)


def _is_matroska(container: str) -> bool:
    return "matroska" in container or "webm" in container


def _duration(stderr: str, *, streamable: bool = False) -> tuple[float, float, int | None]:
    """Duration, start and bitrate; a cue-less Matroska/WebM recording (``streamable``) may have
    no duration: 0.0, for :func:`probe` to find by reading the file."""
    match = _DURATION_RE.search(stderr)
    if streamable and match is not None and match.group("h") is None:
        return 0.0, float(match.group("start") or 0.0), None
    if match is None or match.group("h") is None:
        raise MediaCorrupt("The video has no duration (truncated or damaged).", detail=stderr_tail(stderr))
    seconds = int(match.group("h")) * 3600 + int(match.group("m")) * 60 + float(match.group("s"))
    if seconds <= 0:
        raise MediaCorrupt("The video has no frames to show.", detail=stderr_tail(stderr))
    start = float(match.group("start") or 0.0)
    kbps = match.group("kbps")
    return seconds, start, int(kbps) * 1000 if kbps else None


def _size(video: _Stream, stderr: str) -> tuple[int, int]:
    match = _SIZE_RE.search(video.line)
    if match is None or int(match.group("w")) == 0 or int(match.group("h")) == 0:
        raise MediaCorrupt("The video stream has no picture size.", detail=stderr_tail(stderr))
    return int(match.group("w")), int(match.group("h"))


def _apply_sample_aspect(width: int, stream_line: str) -> int:
    """Non-square pixels (anamorphic DV, some broadcast files) are displayed wider or narrower."""
    match = _SAR_RE.search(stream_line)
    if match is None:
        return width
    num, den = int(match.group("num")), int(match.group("den"))
    if num <= 0 or den <= 0 or num == den:
        return width
    return max(2, round(width * num / den / 2) * 2)


def _fps(stream_line: str) -> float:
    match = _FPS_RE.search(stream_line)
    if match is None:
        return 0.0
    value = float(match.group("value")) * (1000 if match.group("k") else 1)
    return round(value, 3)


def _rotation(video_block: str) -> int:
    matrix = _DISPLAY_MATRIX_RE.search(video_block)
    if matrix is not None:
        return normalise_rotation(float(matrix.group("angle")))
    tag = _ROTATE_TAG_RE.search(video_block)
    if tag is not None:  # the legacy tag already holds the clockwise angle
        return normalise_rotation(-float(tag.group("angle")))
    return 0


def _remote_is_empty(url: str, *, timeout: float) -> bool:
    """Ask for the first byte: an empty object answers 416 or a zero length (S3 and moto alike)."""
    from vodcover.net.http_get import TransportError, fetch_range  # the one HTTP door; URLs only

    try:
        answer = fetch_range(url, 0, 0, timeout=timeout)
    except (TransportError, OSError, ValueError):
        logger.info("could not check whether %s is empty", url.split("?", 1)[0])
        return False
    if answer.status == 416:
        return True
    total = answer.headers.get("content-range", "").rpartition("/")[2]
    return total == "0" or (answer.status == 200 and answer.headers.get("content-length") == "0")
