"""What a cover change costs with renditions (issue 16): bytes, CPU, requests, signing.

Measures, on scikit-image's real photographs (``make bench`` installs them):
- the bytes of every rendition of a 1920x1080 cover and the CPU time of making the whole set;
- the placeholder (BlurHash + data URI) size and CPU time;
- how often the detail-centred crops keep the subject, against a centred crop;
- the CPU cost of CloudFront signed URLs (a private library) with the shipped signer: one RSA
  signature per video and expiry step, then each further URL of that video;
- one cover change through the covers use case (``PUT /videos/{id}/cover`` without HTTP) on
  moto in-process: wall time, AWS requests by operation, bytes written to S3.

Run: ``.venv/bin/python bench/embed_renditions.py`` (prints a JSON report; ~10 s).
"""

from __future__ import annotations

import io
import json
import os
import time
from typing import Any

from PIL import Image, ImageFilter
from skimage import data as photographs

from vodcover.media import placeholders, renditions

# Located by eye on the photographs (pixel coordinates in the original files).
SUBJECTS = {"astronaut": (225, 112), "chelsea": (262, 247), "coffee": (288, 127), "rocket": (319, 200)}
CAT_FACE = (150, 60, 350, 280)  # in chelsea.png


def photograph(name: str) -> Image.Image:
    return Image.fromarray(getattr(photographs, name)()).convert("RGB")


def full_hd_cover() -> bytes:
    """The rocket photograph cut to 16:9 and brought to 1920x1080, as a quality-90 JPEG."""
    rocket = photograph("rocket")
    height = round(rocket.width * 9 / 16)
    top = (rocket.height - height) // 2
    picture = rocket.crop((0, top, rocket.width, top + height)).resize((1920, 1080), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def cpu_seconds(fn: Any, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def rendition_report() -> dict[str, Any]:
    cover = full_hd_cover()
    made = renditions.make_renditions(cover)
    per_format = {}
    for fmt in renditions.writable_formats():
        options = renditions.RenditionOptions(formats=(fmt,))
        per_format[fmt] = round(cpu_seconds(lambda o=options: renditions.make_renditions(cover, o)), 3)
    return {
        "source": {"width": 1920, "height": 1080, "jpeg_bytes": len(cover)},
        "renditions": [
            {
                "aspect": r.aspect,
                "width": r.width,
                "height": r.height,
                "format": r.format,
                "bytes": len(r.data),
            }
            for r in made
        ],
        "count": len(made),
        "total_bytes": sum(len(r.data) for r in made),
        "cpu_seconds_full_set": round(cpu_seconds(lambda: renditions.make_renditions(cover)), 3),
        "cpu_seconds_by_format": per_format,
    }


def placeholder_report() -> dict[str, Any]:
    picture = renditions.open_cover(full_hd_cover())
    found = placeholders.make_placeholder(picture)
    return {
        "blurhash": found.blurhash,
        "blurhash_chars": len(found.blurhash),
        "data_uri_chars": len(found.data_uri),
        "cpu_seconds": round(cpu_seconds(lambda: placeholders.make_placeholder(picture)), 4),
    }


def _inside(point: tuple[int, int], box: tuple[int, int, int, int]) -> bool:
    return box[0] <= point[0] < box[2] and box[1] <= point[1] < box[3]


def crop_report() -> dict[str, Any]:
    rows = []
    for name, subject in SUBJECTS.items():
        picture = photograph(name)
        for label, ratio in (("1:1", (1, 1)), ("9:16", (9, 16))):
            w, h = picture.size
            detail = renditions.salient_crop_box(picture, ratio)
            centred = renditions.crop_box(w, h, ratio, (w / 2, h / 2))
            rows.append(
                {
                    "photo": name,
                    "aspect": label,
                    "detail_keeps": _inside(subject, detail),
                    "centre_keeps": _inside(subject, centred),
                }
            )
    composites = []
    for blur in (15, 30, 60):
        for left in (60, 1400):
            background = photograph("coffee").resize((1920, 1080)).filter(ImageFilter.GaussianBlur(blur))
            cat = photograph("chelsea")
            top = (1080 - cat.height) // 2
            background.paste(cat, (left, top))
            box = renditions.salient_crop_box(background, (9, 16))
            face = (left + CAT_FACE[0], top + CAT_FACE[1], left + CAT_FACE[2], top + CAT_FACE[3])
            keeps = box[0] <= face[0] and face[2] <= box[2]
            composites.append({"background_blur_px": blur, "subject_left": left, "keeps_face": keeps})
    return {"photographs": rows, "sharp_subject_on_defocused_background": composites}


def use_moto_credentials() -> None:
    """Fake credentials and a region for the in-process moto these reports run against."""
    fake_credentials = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench"}  # moto's only
    os.environ.update(fake_credentials, AWS_DEFAULT_REGION="us-east-1")


def signing_report() -> dict[str, Any]:
    """The shipped signer (``rsa`` with CRT, dal/cdn_signing.py), key in a moto Secrets Manager:
    one RSA signature per video and expiry step, then every URL of that video reuses it."""
    import boto3
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from moto import mock_aws

    from vodcover.dal.cdn_signing import CdnUrlSigner

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cdn = "https://d111111abcdef8.cloudfront.net"
    videos = [f"v{i:04d}{'0' * 28}" for i in range(200)]
    use_moto_credentials()
    with mock_aws():
        arn = boto3.client("secretsmanager").create_secret(Name="bench-url-signing-key", SecretString=pem)[
            "ARN"
        ]
        signer = CdnUrlSigner("K2JCJMDEHXQW5F", arn, ttl_seconds=3600, clock=lambda: 1_900_000_000.0)
        signer.sign(f"{cdn}/covers/warm/x.webp", scope=f"{cdn}/*/warm/*")  # reads the secret once
        per_video = cpu_seconds(
            lambda: [signer.sign(f"{cdn}/covers/{v}/c.webp", scope=f"{cdn}/*/{v}/*") for v in videos],
            repeat=1,  # a second round would hit the per-step cache
        )
        one = videos[0]
        answer = [f"{cdn}/snapshots/{one}/{n:02d}.jpg" for n in range(30)]
        per_answer_url = cpu_seconds(lambda: [signer.sign(u, scope=f"{cdn}/*/{one}/*") for u in answer])
        sample = signer.sign(answer[0], scope=f"{cdn}/*/{one}/*")
    return {
        "signer": "rsa (pure Python, CRT), as shipped",
        "cpu_ms_per_video_signature": round(per_video / len(videos) * 1000, 3),
        "cpu_ms_per_url_of_a_signed_video": round(per_answer_url / len(answer) * 1000, 4),
        "signed_url_chars": len(sample),
    }


def cover_change_report() -> dict[str, Any]:
    """Two uploads of a 1920x1080 cover; the second (replacing a person's cover) is reported."""
    from collections import Counter

    import boto3
    from moto import mock_aws

    use_moto_credentials()
    from vodcover import dependencies
    from vodcover.dal.aws import client
    from vodcover.models import MediaInfo, SourceObject, VideoRecord, VideoStatus, utc_now
    from vodcover.settings import get_settings
    from vodcover.usecases.covers import CoverEditor

    cover = full_hd_cover()
    with mock_aws():
        dependencies.reset()
        settings = get_settings()
        boto3.client("s3").create_bucket(Bucket=settings.media_bucket)
        boto3.client("dynamodb").create_table(
            TableName=settings.videos_table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "videoId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "videoId", "KeyType": "HASH"}],
        )
        now = utc_now()
        record = VideoRecord(
            video_id="bench",
            owner="alice",
            status=VideoStatus.NORMAL,
            created_at=now,
            updated_at=now,
            source=SourceObject(key="uploads/bench/a.mp4"),
            media=MediaInfo(duration=10, width=1920, height=1080),
        )
        dependencies.video_repository().update("bench", lambda _current: record)
        editor = CoverEditor(
            videos=dependencies.video_repository(),
            store=dependencies.media_store(),
            events=dependencies.event_publisher(),
            settings=settings,
            frame_at=lambda *_args: (b"", 0, 0),
        )
        editor.upload_cover("alice", "bench", cover)  # the first person cover
        requests: Counter[str] = Counter()
        written = [0]

        def count(model: Any, **_kwargs: Any) -> None:
            requests[f"{model.service_model.service_name}:{model.name}"] += 1

        def weigh(params: Any, **_kwargs: Any) -> None:
            body = params.get("Body")
            written[0] += len(body) if isinstance(body, bytes) else 0

        for service in ("s3", "dynamodb", "events"):
            client(service).meta.events.register("before-call", count)
        client("s3").meta.events.register("before-parameter-build.s3.PutObject", weigh)
        start = time.perf_counter()
        editor.upload_cover("alice", "bench", cover)
        wall = time.perf_counter() - start
    return {
        "wall_ms": round(wall * 1000),
        "lambda_invocations": 1,
        "aws_requests": dict(sorted(requests.items())),
        "s3_bytes_written": written[0],
        "note": "embed/ is a server-side CopyObject: no bytes uploaded for it",
    }


def main() -> None:
    report = {
        "cover_change": cover_change_report(),
        "renditions": rendition_report(),
        "placeholder": placeholder_report(),
        "crops": crop_report(),
        "signing": signing_report(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
