"""Write openapi.yaml from the REST routes and models (``make openapi``; see vodcover_dev.openapi)."""

from __future__ import annotations

from vodcover_dev.openapi import write

if __name__ == "__main__":
    print(f"wrote {write()}")
