"""Media tools: the one door to ffmpeg, probing, snapshots and frame scoring.

Only media functions (with the media layer) import this package; API functions never do.
"""
