"""The labelled smart-cover corpus: videos made of real photographs mixed with junk, with labels.

Photographs come from scikit-image's bundled sample data (``skimage.data``: astronaut, coffee,
chelsea, rocket, motorcycle, camera, coins, ihc — shipped inside the wheel, no download).
Each good scene is a slow pan or zoom over one photograph; junk segments are what real uploads
start, end or are interrupted with: black, fades, dissolves, blur, under-exposure, flat colour,
white flashes, title cards (rendered with Pillow) and SMPTE colour bars. Variants cover repeated
scenes, black intro/outro, portrait, rotated (display matrix), 3-second, sparse-keyframe, dense
keyframe, x264-default (scene-cut keyframes) and audio files.

Everything is built with the bundled ffmpeg into ``build/bench-corpus/`` (cached by a hash of
the recipe; never committed). ``labels.json`` holds, per video, the good scene ranges (by scene
id: a repeated scene has one id) and the junk ranges, in seconds of presentation time.

Run: ``python bench/smart_corpus.py`` (prints the corpus). The 1080p speed clip (5 minutes,
1920x1080, 30 fps, ~8 Mb/s H.264 with film grain, 2 s GOP) is built by ``--speed-clip``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from vodcover.media.ffmpeg import run_ffmpeg

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "build" / "bench-corpus"
RECIPE_VERSION = "4"
FPS = 25
SIZE = (960, 540)
ENCODE_TIMEOUT = 1800.0

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "motorcycle_left", "camera", "coins", "ihc")


@dataclass(frozen=True)
class Segment:
    """One piece of a video. ``kind`` is a good ``scene`` or a junk kind."""

    # good: scene | night | haze | page; junk: black | white | flat | bars | title | blur | dark |
    # dissolve | whip | washed
    kind: str
    duration: float
    photo: str = ""
    other: str = ""  # dissolve: the photo faded into
    motion: str = "pan"  # pan | zoom | tilt
    fade_in: float = 0.0
    fade_out: float = 0.0
    colour: str = "0x3a6ea5"
    text: str = ""


@dataclass
class Video:
    name: str
    segments: list[Segment]
    size: tuple[int, int] = SIZE
    gop: int | None = 2 * FPS  # None: x264's defaults (keyint 250 + scene-cut keyframes)
    scenecut: bool = False
    rotation: int = 0  # display rotation applied after encoding (clockwise, like a phone)
    audio: bool = False
    crf: int = 23
    extra: dict[str, str] = field(default_factory=dict)
    content: tuple[int, int] | None = None  # letterbox/pillarbox: segments drawn this size, padded black
    split: str = "easy"  # easy (the first corpus) | tune | held-out (bench/smart_corpus_hard.py)


GOOD_KINDS = frozenset({"scene", "night", "haze", "page"})  # good content: night and haze are looks


def scene(photo: str, duration: float, motion: str = "pan", **kw: float) -> Segment:
    return Segment("scene", duration, photo=photo, motion=motion, **kw)  # type: ignore[arg-type]


def corpus() -> list[Video]:
    """The videos of the benchmark. Scene ids are photo names: a repeated photo is one scene."""
    title = Segment("title", 3.0, text="My Holiday 2026", colour="0x1c2340")
    credits = Segment("title", 3.0, text="Thanks for watching", colour="0xf4f1ea")
    return [
        Video(
            "mixed",
            [
                Segment("black", 2.0),
                title,
                scene("astronaut", 8.0),
                Segment("white", 0.5),
                scene("coffee", 8.0, motion="zoom"),
                Segment("blur", 4.0, photo="chelsea"),
                scene("rocket", 8.0, fade_out=1.0),
                Segment("black", 1.0),
                Segment("flat", 3.0),
                scene("motorcycle_left", 8.0, fade_in=1.0),
                Segment("dark", 4.0, photo="camera"),
                Segment("bars", 3.0),
                scene("astronaut", 6.0, motion="zoom"),
                Segment("black", 2.0),
            ],
        ),
        Video(
            "repeats",
            [
                scene("chelsea", 6.0),
                scene("coins", 6.0),
                scene("chelsea", 5.0, motion="zoom"),
                scene("coins", 5.0, motion="tilt"),
                scene("ihc", 7.0),
                scene("chelsea", 5.0),
            ],
        ),
        Video(
            "dissolves",
            [
                Segment("black", 1.5),
                scene("rocket", 7.0, fade_in=1.0),
                Segment("dissolve", 1.5, photo="rocket", other="coffee"),
                scene("coffee", 7.0),
                Segment("dissolve", 1.5, photo="coffee", other="camera"),
                scene("camera", 7.0),
                Segment("dissolve", 1.5, photo="camera", other="astronaut"),
                scene("astronaut", 7.0, fade_out=1.5),
                Segment("black", 1.5),
            ],
        ),
        Video(
            "title-heavy",
            [
                title,
                Segment("bars", 2.0),
                scene("motorcycle_left", 6.0),
                Segment("title", 3.0, text="Chapter 2", colour="0x000000"),
                scene("ihc", 6.0),
                Segment("flat", 2.0, colour="0xd04020"),
                credits,
            ],
        ),
        Video(
            "portrait",
            [Segment("black", 1.0), scene("astronaut", 7.0, motion="tilt"), Segment("white", 0.5),
             scene("chelsea", 7.0, motion="tilt"), Segment("blur", 3.0, photo="coffee"),
             scene("coffee", 7.0, motion="zoom"), Segment("black", 1.0)],
            size=(540, 960),
        ),
        Video(
            "rotated",
            [Segment("black", 1.0), scene("rocket", 7.0, motion="tilt"), Segment("dark", 3.0, photo="coins"),
             scene("coins", 7.0, motion="tilt"), scene("ihc", 7.0, motion="zoom"), Segment("black", 1.0)],
            size=(540, 960),
            rotation=90,
        ),
        Video("short3s", [Segment("black", 0.5), scene("coffee", 2.0), Segment("black", 0.5)]),
        Video(
            "sparse-keyframes",
            [Segment("black", 2.0), scene("coins", 9.0), scene("astronaut", 9.0), Segment("flat", 3.0),
             scene("chelsea", 9.0), Segment("white", 0.5), scene("motorcycle_left", 9.0),
             scene("rocket", 9.0), Segment("black", 2.0)],
            gop=20 * FPS,
        ),
        Video(
            "x264-defaults",
            [Segment("black", 2.0), scene("camera", 8.0), Segment("title", 2.5, text="Part one"),
             scene("ihc", 8.0), Segment("blur", 3.0, photo="rocket"), scene("rocket", 8.0),
             scene("coffee", 8.0, fade_out=1.0), Segment("black", 2.0)],
            gop=None,
            scenecut=True,
        ),
        Video(
            "audio-long",
            [Segment("black", 3.0), title, scene("astronaut", 10.0), scene("coffee", 10.0),
             Segment("white", 0.5), scene("chelsea", 10.0), Segment("bars", 4.0),
             scene("rocket", 10.0), Segment("dark", 5.0, photo="ihc"), scene("motorcycle_left", 10.0),
             scene("coins", 10.0), Segment("flat", 3.0), scene("camera", 10.0, fade_out=1.0),
             Segment("black", 3.0)],
            gop=FPS,
            audio=True,
        ),
    ]  # fmt: skip


# --- labels -------------------------------------------------------------------------------
def labels_for(video: Video) -> dict[str, object]:
    """Good scene ranges by scene id, and junk ranges with their kind, in seconds."""
    scenes: dict[str, list[list[float]]] = {}
    junk: list[list[object]] = []
    start = 0.0
    for segment in video.segments:
        end = start + segment.duration
        if segment.kind in GOOD_KINDS:
            good_start, good_end = start + segment.fade_in, end - segment.fade_out
            # By the photograph actually used: two stand-ins for one picture are one scene.
            scenes.setdefault(photo_path(segment.photo).stem, []).append(
                [round(good_start, 3), round(good_end, 3)]
            )
            if segment.fade_in:
                junk.append([round(start, 3), round(good_start, 3), "fade"])
            if segment.fade_out:
                junk.append([round(good_end, 3), round(end, 3), "fade"])
        else:
            junk.append([round(start, 3), round(end, 3), segment.kind])
        start = end
    return {"duration": round(start, 3), "scenes": scenes, "junk": junk}


# --- building -----------------------------------------------------------------------------
# Real photographs from Debian's mate-backgrounds (nature) package, when installed
# (``apt-get install mate-backgrounds``); each has a scikit-image stand-in otherwise.
WALLPAPER_DIR = Path("/usr/share/backgrounds/mate/nature")
WALLPAPERS = {
    "Aqua": "coffee", "Blinds": "chelsea", "Dune": "rocket", "FreshFlower": "astronaut",
    "Garden": "motorcycle_left", "GreenMeadow": "ihc", "LadyBird": "coins", "RainDrops": "camera",
    "Storm": "moon", "TwoWings": "hubble_deep_field", "Wood": "brick", "YellowFlower": "retina",
}  # fmt: skip


# The fresh corpus's photographs (bench/smart_corpus_fresh.py): UKUI's and Lomiri's wallpapers
# (``apt-get install ukui-wallpapers lomiri-wallpapers``), named by file stem; no stand-ins.
FRESH_PHOTO_DIR = Path("/usr/share/backgrounds")


def photo_path(name: str) -> Path:
    import skimage.data  # bench extra only

    if "_by_" in name:
        for suffix in (".jpg", ".png"):
            if (FRESH_PHOTO_DIR / f"{name}{suffix}").exists():
                return FRESH_PHOTO_DIR / f"{name}{suffix}"
        raise FileNotFoundError(f"{name!r} is not in {FRESH_PHOTO_DIR} (apt-get install ukui-wallpapers)")
    if name in WALLPAPERS:
        wallpaper = WALLPAPER_DIR / f"{name}.jpg"
        if wallpaper.exists():
            return wallpaper
        name = WALLPAPERS[name]

    base = Path(skimage.data.__file__).parent
    for suffix in (".png", ".jpg"):
        if (base / f"{name}{suffix}").exists():
            return base / f"{name}{suffix}"
    raise FileNotFoundError(f"skimage.data has no bundled photo {name!r}")


def render_title_card(path: Path, text: str, colour: str, size: tuple[int, int]) -> None:
    """A title card like editors make: one flat colour, one or two lines of large text."""
    from PIL import Image, ImageDraw, ImageFont

    background = "#" + colour[2:]
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    luminance = sum(int(colour[i : i + 2], 16) for i in (2, 4, 6)) / 3
    ink = "#111111" if luminance > 128 else "#f2f2f2"
    font = ImageFont.load_default(size=max(24, size[0] // 14))
    box = draw.textbbox((0, 0), text, font=font)
    position = ((size[0] - (box[2] - box[0])) // 2, (size[1] - (box[3] - box[1])) // 2)
    draw.text(position, text, fill=ink, font=font)
    small = ImageFont.load_default(size=max(12, size[0] // 40))
    draw.text(
        (position[0], position[1] + (box[3] - box[1]) + size[1] // 12),
        "a film by vodcover",
        fill=ink,
        font=small,
    )
    image.save(path)


# What turns a photograph into another good look (night, haze) or into junk (under-exposed,
# blurred, washed out by a flash, smeared by a whip pan).
LOOKS = {
    "blur": ",gblur=sigma=14",
    "dark": ",format=yuv420p,lutyuv=y='16+(val-16)*0.22':u='128+(val-128)*0.4':v='128+(val-128)*0.4'",
    # night by intent: shadows crushed by a strong gamma, highlights kept (detail survives)
    "night": ",format=yuv420p,lutyuv=y='16+219*pow((clip(val,16,235)-16)/219,2.2)':u='128+(val-128)*0.7'"
    ":v='128+(val-128)*0.7'",
    # haze by intent: low contrast, lifted blacks, muted colour, detail intact
    "haze": ",format=yuv420p,lutyuv=y='150+(val-128)*0.32':u='128+(val-128)*0.45':v='128+(val-128)*0.45'",
    "washed": ",format=yuv420p,lutyuv=y='200+(val-128)*0.12':u='128+(val-128)*0.15':v='128+(val-128)*0.15'",
    "whip": ",avgblur=sizeX=48:sizeY=1",
}


def _photo_chain(index: int, segment: Segment, size: tuple[int, int], photo_input: int) -> str:
    """A moving crop over a photograph: pan (left→right), tilt (top→bottom), slow zoom-in,
    ``still`` (a tiny drift, like a talking head) or ``whip`` (the whole width in the segment)."""
    width, height = size
    d = segment.duration
    cover = f"scale=w='max({width}*1.35,{height}*1.35*iw/ih)':h=-2:flags=lanczos"
    if segment.motion == "zoom":
        chain = (
            f"scale=w='max({width},{height}*iw/ih)*1.3':h=-2:flags=lanczos,"
            f"zoompan=z='1+0.25*on/({d}*{FPS})':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':"
            f"d=1:s={width}x{height}:fps={FPS}"
        )
    elif segment.motion == "tilt":
        chain = f"{cover},crop={width}:{height}:(iw-{width})/2:'(ih-{height})*t/{d}'"
    elif segment.motion == "still":
        chain = f"{cover},crop={width}:{height}:'(iw-{width})/2+(iw-{width})*0.04*sin(t/3)':(ih-{height})/2"
    elif segment.motion == "whip":
        wide = f"scale=w='max({width}*3,{height}*3*iw/ih)':h=-2:flags=bilinear"
        chain = f"{wide},crop={width}:{height}:'(iw-{width})*t/{d}':(ih-{height})/2"
    else:
        chain = f"{cover},crop={width}:{height}:'(iw-{width})*t/{d}':(ih-{height})/2"
    return f"[{photo_input}:v]{chain}"


def _segment_chain(
    index: int, segment: Segment, size: tuple[int, int], inputs: dict[str, int], title_inputs: dict[int, int]
) -> str:
    """The filter chain producing ``[s{index}]`` for one segment, exactly ``duration`` long."""
    width, height = size
    d = segment.duration
    source: str
    if segment.kind == "black":
        source = f"color=c=black:s={width}x{height}:r={FPS}"
    elif segment.kind == "white":
        source = f"color=c=white:s={width}x{height}:r={FPS}"
    elif segment.kind == "flat":
        source = f"color=c={segment.colour}:s={width}x{height}:r={FPS}"
    elif segment.kind == "bars":
        source = f"smptebars=s={width}x{height}:r={FPS}"
    elif segment.kind == "title":
        source = f"[{title_inputs[index]}:v]scale={width}:{height}"
    elif segment.kind == "dissolve":
        first = _photo_chain(
            index, Segment("scene", d, photo=segment.photo, motion="pan"), size, inputs[segment.photo]
        )
        second = _photo_chain(
            index, Segment("scene", d, photo=segment.other, motion="pan"), size, inputs[segment.other]
        )
        return (
            f"{first},fps={FPS},trim=duration={d},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[da{index}];"
            f"{second},fps={FPS},trim=duration={d},setpts=PTS-STARTPTS,format=yuv420p,setsar=1[db{index}];"
            f"[da{index}][db{index}]xfade=transition=fade:duration={d - 0.04:.2f}:offset=0.02,"
            f"trim=duration={d},setpts=PTS-STARTPTS[s{index}]"
        )
    else:  # scene, night, haze, page, blur, dark, whip, washed: a moving photograph, maybe altered
        moving = (
            segment if segment.kind != "whip" else Segment("scene", d, photo=segment.photo, motion="whip")
        )
        source = _photo_chain(index, moving, size, inputs[segment.photo])
        source += LOOKS.get(segment.kind, "")
    effects = []
    if segment.fade_in:
        effects.append(f"fade=t=in:st=0:d={segment.fade_in}")
    if segment.fade_out:
        effects.append(f"fade=t=out:st={d - segment.fade_out}:d={segment.fade_out}")
    tail = ",".join(
        [f"fps={FPS}", f"trim=duration={d}", "setpts=PTS-STARTPTS", *effects, "format=yuv420p", "setsar=1"]
    )
    return f"{source},{tail}[s{index}]"


def build_video(video: Video, target: Path) -> None:
    """Encode one corpus video (and its rotation remux) with the bundled ffmpeg."""
    with tempfile.TemporaryDirectory(prefix="vodcover-corpus-") as tmp:
        work = Path(tmp)
        photos = sorted(
            {s.photo for s in video.segments if s.photo} | {s.other for s in video.segments if s.other}
        )
        args = ["-y"]
        inputs: dict[str, int] = {}
        drawn = video.content or video.size
        for photo in photos:
            inputs[photo] = len(inputs)
            args += ["-loop", "1", "-framerate", str(FPS), "-i", str(_prescaled(photo, drawn, work))]
        title_inputs: dict[int, int] = {}
        for index, segment in enumerate(video.segments):
            if segment.kind == "title":
                card = work / f"title{index}.png"
                render_title_card(card, segment.text, segment.colour, drawn)
                title_inputs[index] = len(inputs) + len(title_inputs)
                args += ["-loop", "1", "-framerate", str(FPS), "-i", str(card)]
        chains = [_segment_chain(i, s, drawn, inputs, title_inputs) for i, s in enumerate(video.segments)]
        labels = "".join(f"[s{i}]" for i in range(len(video.segments)))
        pad = f",pad={video.size[0]}:{video.size[1]}:(ow-iw)/2:(oh-ih)/2:black" if video.content else ""
        graph = ";".join([*chains, f"{labels}concat=n={len(video.segments)}:v=1:a=0{pad}[v]"])
        duration = sum(s.duration for s in video.segments)
        if video.audio:
            args += ["-f", "lavfi", "-i", f"sine=frequency=330:sample_rate=44100:duration={duration}"]
        args += ["-filter_complex", graph, "-map", "[v]"]
        if video.audio:
            args += ["-map", f"{len(inputs) + len(title_inputs)}:a", "-c:a", "aac", "-b:a", "64k"]
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", str(video.crf), "-pix_fmt", "yuv420p"]
        if video.gop is not None:
            args += ["-g", str(video.gop), "-keyint_min", str(min(video.gop, FPS))]
        if not video.scenecut:
            args += ["-sc_threshold", "0"] if video.gop is not None else []
        args += ["-r", str(FPS), "-t", f"{duration:.3f}", "-movflags", "+faststart"]
        if video.rotation:
            # Store the picture turned the way a phone sensor records it; the display matrix
            # turns it back, so players (and ffmpeg's autorotate) show the portrait picture.
            plain = work / "plain.mp4"
            turn = "clock" if video.rotation == 90 else "cclock"
            graph_rotated = graph.replace("[v]", "[u]") + f";[u]transpose={turn}[v]"
            args[args.index(graph)] = graph_rotated
            run_ffmpeg([*args, str(plain)], timeout=ENCODE_TIMEOUT, message="Encoding failed.")
            run_ffmpeg(
                ["-y", "-display_rotation", str(video.rotation), "-i", str(plain), "-map", "0", "-c", "copy",
                 "-movflags", "+faststart", str(target)],
                timeout=ENCODE_TIMEOUT,
                message="Remuxing failed.",
            )  # fmt: skip
        else:
            run_ffmpeg([*args, str(target)], timeout=ENCODE_TIMEOUT, message="Encoding failed.")


def _prescaled(photo: str, size: tuple[int, int], work: Path) -> Path:
    """The photograph at about twice the frame size: ffmpeg then scales a small still per frame."""
    from PIL import Image

    target = work / f"photo-{photo}.png"
    with Image.open(photo_path(photo)) as image:
        picture = image.convert("RGB")
    scale = min(1.0, 2.2 * max(size) / max(picture.size))
    if scale < 1.0:
        picture = picture.resize(
            (round(picture.width * scale), round(picture.height * scale)), Image.Resampling.LANCZOS
        )
    picture.save(target)
    return target


def recipe_digest(video: Video) -> str:
    """The recipe and where each photograph came from: a wallpaper installed later rebuilds."""
    photos = sorted(
        {s.photo for s in video.segments if s.photo} | {s.other for s in video.segments if s.other}
    )
    sources = sorted(photo_path(photo).name for photo in photos)
    text = json.dumps([RECIPE_VERSION, asdict(video), sources], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def build_corpus(
    directory: Path = CORPUS_DIR, *, log: bool = True, videos: list[Video] | None = None
) -> dict[str, dict[str, object]]:
    """Build what is missing or stale; return the labels (also written to labels.json)."""
    videos = corpus() if videos is None else videos
    names = [video.name for video in videos]
    if len(set(names)) != len(names):  # labels are keyed by name: one would hide the other
        raise ValueError(f"two videos share a name: {sorted({n for n in names if names.count(n) > 1})}")
    directory.mkdir(parents=True, exist_ok=True)
    labels: dict[str, dict[str, object]] = {}
    for video in videos:
        target = directory / f"{video.name}-{recipe_digest(video)}.mp4"
        if not target.exists():
            if log:
                print(f"building {target.name} ...", file=sys.stderr, flush=True)
            build_video(video, target.with_suffix(".tmp.mp4"))
            target.with_suffix(".tmp.mp4").rename(target)
        entry = labels_for(video)
        entry["file"] = target.name
        entry["rotation"] = video.rotation
        entry["size"] = list(video.size)
        entry["split"] = video.split
        entry["keyframe_interval"] = None if video.gop is None else video.gop / FPS
        labels[video.name] = entry
    (directory / "labels.json").write_text(json.dumps(labels, indent=2))
    return labels


SPEED_CLIP_SECONDS = 300
SPEED_CLIP_NAME = f"speed-1080p-{SPEED_CLIP_SECONDS}s-v{RECIPE_VERSION}.mp4"


def build_speed_clip(directory: Path = CORPUS_DIR) -> Path:
    """5 minutes of 1080p30 H.264 at ~8 Mb/s with a 2 s GOP: photo pans with film grain.

    The grain matters: real camera footage spends its bits on every frame, so keyframes are a
    fraction of the stream; a grain-free pan would make keyframes unrealistically heavy.
    """
    target = directory / SPEED_CLIP_NAME
    if target.exists():
        return target
    directory.mkdir(parents=True, exist_ok=True)
    photos = PHOTOS[:5]
    per = SPEED_CLIP_SECONDS / len(photos)
    args = ["-y"]
    chains = []
    for i, photo in enumerate(photos):
        args += ["-loop", "1", "-framerate", "30", "-i", str(photo_path(photo))]
        chains.append(
            f"[{i}:v]scale=w='max(1920*1.3,1080*1.3*iw/ih)':h=-2:flags=lanczos,"
            f"crop=1920:1080:'(iw-1920)*t/{per}':(ih-1080)/2,trim=duration={per},setpts=PTS-STARTPTS,"
            f"format=yuv420p,setsar=1[s{i}]"
        )
    graph = ";".join(
        [
            *chains,
            "".join(f"[s{i}]" for i in range(len(photos)))
            + f"concat=n={len(photos)}:v=1:a=0,noise=alls=7:allf=t[v]",
        ]
    )
    args += ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-preset", "veryfast",
             "-b:v", "8M", "-maxrate", "10M", "-bufsize", "16M", "-g", "60", "-keyint_min", "60",
             "-sc_threshold", "0", "-pix_fmt", "yuv420p", "-r", "30", "-movflags", "+faststart",
             str(target.with_suffix(".tmp.mp4"))]  # fmt: skip
    run_ffmpeg(args, timeout=ENCODE_TIMEOUT, message="Encoding failed.")
    target.with_suffix(".tmp.mp4").rename(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=CORPUS_DIR)
    parser.add_argument("--speed-clip", action="store_true", help="also build the 5-minute 1080p clip")
    args = parser.parse_args()
    labels = build_corpus(args.dir)
    for name, entry in labels.items():
        scenes, junk = len(entry["scenes"]), len(entry["junk"])  # type: ignore[arg-type]
        print(f"{name:18s} {entry['duration']:6.1f}s  scenes={scenes}  junk={junk}  {entry['file']}")
    if args.speed_clip:
        print(build_speed_clip(args.dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
