"""``vodcover upload FILE``: create a video through the signed API and upload its file.

The same flow as any client: ``POST /videos`` (SigV4, ``execute-api``) answers a presigned PUT,
the file goes there, and the video is the caller's, visible in the library and the console.
Defaults talk to ``vodcover local`` on this machine as its default user.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from vodcover.errors import InvalidParameter
from vodcover_dev.cli import parse_user, progress

LOCAL_ENDPOINT = "http://127.0.0.1:3000"
LOCAL_USER = "local:local-secret"
LOCAL_REGION = "us-east-1"
MAX_TITLE_CHARS = 128


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "upload",
        help="upload a video file through the signed API (POST /videos, then PUT to the presigned URL)",
        description="Create a video with POST /videos (SigV4-signed) and PUT FILE to the presigned "
        "upload URL it answers. Prints the video id and how to follow its status. By default it "
        f"talks to vodcover local at {LOCAL_ENDPOINT} as {LOCAL_USER.split(':')[0]}.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the video file to upload")
    parser.add_argument("--title", default=None, help="the video's title (default: the file name)")
    parser.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    parser.add_argument("--description", default="", help="a description")
    parser.add_argument(
        "--endpoint",
        default=LOCAL_ENDPOINT,
        help=f"the API's base URL, stage included (default {LOCAL_ENDPOINT})",
    )
    parser.add_argument(
        "--user",
        default=LOCAL_USER,
        metavar="KEY:SECRET",
        help="the access key id and secret to sign with (default: the local stack's default user)",
    )
    parser.add_argument("--region", default=LOCAL_REGION, help=f"the signing region (default {LOCAL_REGION})")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.set_defaults(run=run_upload)


def run_upload(args: argparse.Namespace) -> dict[str, Any]:
    from vodcover_dev.api_client import SignedApi

    path: Path = args.file
    if not path.is_file():
        raise InvalidParameter("File", f"{path} is not a readable file.")
    try:
        access_key, secret = parse_user(args.user)
    except ValueError as exc:
        raise InvalidParameter("User", f"--user: {exc}") from None
    title = (args.title if args.title is not None else path.stem or path.name)[:MAX_TITLE_CHARS]
    size = path.stat().st_size
    api = SignedApi(args.endpoint, access_key, secret, args.region)
    request: dict[str, Any] = {"title": title, "fileName": path.name, "fileSize": size}
    if args.tag:
        request["tags"] = args.tag
    if args.description:
        request["description"] = args.description
    ticket = api.call("POST", "/videos", json_body=request, expect=201)
    video_id = ticket["videoId"]
    progress(f"uploading {path.name} ({size} bytes) as video {video_id}")
    with path.open("rb") as video_file:  # streamed: a video need not fit in memory
        api.upload(ticket, video_file)
    status_url = f"{api.endpoint}/videos/{video_id}"
    progress(
        f"uploaded; follow its status (Uploading → Processing → Normal) with:\n"
        f"  curl --aws-sigv4 'aws:amz:{args.region}:execute-api' --user '{access_key}:…' {status_url}"
    )
    return {"videoId": video_id, "status": status_url}
