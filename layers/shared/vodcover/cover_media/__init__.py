"""The cover media function's boundary: what the covers API asks of Pillow and ffmpeg.

The covers API carries no media layer (it stays under 20 MB and cold-starts fast), so checking
a cover image by its content and taking the frame at a ``coverTime`` run in the cover media
function, invoked synchronously (docs/design.md, "Functions and triggers"):

- :mod:`~vodcover.cover_media.headers`: pure-Python checks both sides run (the API refuses
  obvious bad input without an invoke);
- :mod:`~vodcover.cover_media.protocol`: the typed requests and answers and their JSON form;
- :mod:`~vodcover.cover_media.remote`: the API's side, a Lambda ``Invoke`` through botocore;
- :mod:`~vodcover.cover_media.service`: the media side, one function per operation.
"""
