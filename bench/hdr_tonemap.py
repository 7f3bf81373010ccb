"""Which tone-mapping operator makes HDR covers look like the SDR picture? (media/picture.py)

SDR clips (lavfi scenes, or ``--photo`` files looped) are converted to HLG and PQ HEVC Main 10
with reference white at 203 nits (BT.2408), as phones grade; each is then snapshotted through
vodcover's HDR chain with every candidate operator and compared with the SDR source's own
snapshot: colourfulness (Hasler & Süsstrunk) and mean luma, and their relative error.

Usage: ``.venv/bin/python bench/hdr_tonemap.py [--photo A.jpg --photo B.jpg]``.
Not a test: it prints numbers, it asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image, ImageStat

from vodcover.media.ffmpeg import run_ffmpeg
from vodcover.media.picture import REFERENCE_WHITE_NITS, TONEMAP, rgb_output_args, tonemap_filters
from vodcover.media.picture_measures import colourfulness
from vodcover.media.probe import probe
from vodcover_dev import phone_samples

OPERATORS = ("hable:desat=0", "reinhard:desat=0", "mobius:desat=0", TONEMAP, "clip:desat=0", "linear:desat=0")
SIZE = (640, 360)


def photo_clip(photo: Path, path: Path) -> Path:
    """A 1 s SDR clip of a photograph (YUV made by swscale, as the lavfi samples are)."""
    width, height = SIZE
    fit = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height},format=yuv420p"
    run_ffmpeg(
        ["-y", "-loop", "1", "-i", str(photo), "-t", "1", "-r", "25", "-vf", fit,
         "-c:v", "libx264", "-preset", "ultrafast", "-crf", "12", str(path)],
        timeout=120,
    )  # fmt: skip
    return path


def frame(path: Path, *, operator: str | None = None) -> Image.Image:
    media = probe(str(path), timeout=30)
    args = rgb_output_args("scale=480:270:flags=bicubic,setsar=1", colour=None, container="image2pipe")
    if operator is not None:
        vf = ",".join(
            ["scale=480:270:flags=bicubic,setsar=1", *tonemap_filters(media.colour, operator), "format=rgb24"]
        )
        args[args.index("-vf") + 1] = vf
    out = run_ffmpeg(["-ss", "0.5", "-i", str(path), "-frames:v", "1", *args], timeout=60).stdout
    return Image.open(io.BytesIO(out)).convert("RGB")


def looks(image: Image.Image) -> tuple[float, float]:
    return colourfulness(image), ImageStat.Stat(image.convert("L")).mean[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photo", type=Path, action="append", default=[], help="an SDR photograph to use")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vodcover-tonemap-"))
    sources: list[tuple[str, Path]] = [
        (
            scene,
            phone_samples.make_sdr_reference(
                work / f"{scene}.mp4", duration=1, width=SIZE[0], height=SIZE[1], scenes=(scene,)
            ),
        )
        for scene in ("testsrc2", "gradients", "mandelbrot", "smptebars")
    ]
    sources += [(photo.stem, photo_clip(photo, work / f"{photo.stem}.mp4")) for photo in args.photo]
    print(f"reference white {REFERENCE_WHITE_NITS} nits; colourfulness / mean luma (error vs SDR)")
    totals: dict[str, list[float]] = {op: [] for op in OPERATORS}
    for name, sdr in sources:
        ref_colour, ref_light = looks(frame(sdr))
        print(f"\n{name}: SDR {ref_colour:6.1f} / {ref_light:6.1f}")
        for transfer in ("hlg", "pq"):
            hdr = phone_samples.make_hdr_video(sdr, work / f"{name}-{transfer}.mp4", transfer=transfer)
            raw_colour, raw_light = looks(frame(hdr))
            print(f"  {transfer:<3} untreated            {raw_colour:6.1f} / {raw_light:6.1f}")
            for operator in OPERATORS:
                colour, light = looks(frame(hdr, operator=operator))
                error = abs(colour - ref_colour) / ref_colour + abs(light - ref_light) / ref_light
                totals[operator].append(error)
                print(
                    f"  {transfer:<3} {operator:<22} {colour:6.1f} / {light:6.1f}"
                    f"  ({100 * (colour / ref_colour - 1):+5.1f} % / {100 * (light / ref_light - 1):+5.1f} %)"
                )
    print("\nmean |colour error| + |luma error| over all clips:")
    for operator, errors in sorted(totals.items(), key=lambda item: sum(item[1])):
        print(f"  {operator:<22} {100 * sum(errors) / len(errors):5.1f} %")


if __name__ == "__main__":
    main()
