"""Reaching the outside world on a stranger's behalf: URL checks and bounded fetches.

No Pillow or ffmpeg here: the light API functions import this package.
"""

from vodcover.net.addresses import is_public_address
from vodcover.net.safe_fetch import (
    Fetched,
    HttpTarget,
    S3Target,
    SourceStream,
    Target,
    UrlPolicy,
    check_url,
    cover_url_policy,
    fetch_bytes,
    open_stream,
    safe_file_name,
    source_url_policy,
)

__all__ = [
    "Fetched",
    "HttpTarget",
    "S3Target",
    "SourceStream",
    "Target",
    "UrlPolicy",
    "check_url",
    "cover_url_policy",
    "fetch_bytes",
    "is_public_address",
    "open_stream",
    "safe_file_name",
    "source_url_policy",
]
