"""Reaching the outside world: URL checks, the one HTTP door, bounded fetches.

- :mod:`~vodcover.net.url_policy`: may this URL be fetched (SSRF rules), and from which addresses;
- :mod:`~vodcover.net.http_get`: every outbound GET, through urllib3 (pinned or ranged);
- :mod:`~vodcover.net.s3_source`: ``s3://`` of the media bucket;
- :mod:`~vodcover.net.fetch`: one stream over both, size and time capped.

No Pillow or ffmpeg here: the light API functions import this package. Import the module
you need; this package imports nothing, so judging a URL does not load the HTTP client.
"""
