"""Import a function's ``app.py`` by path, as Lambda does: its folder first on ``sys.path``, so
the modules next to it (``functions/videos_api/videos_*_routes.py``) import by their own names.

Used by everything that loads handlers outside Lambda (the local stack, the openapi.yaml
generator, the tests), under a module name of the caller's choosing so several functions' ``app``
modules live in one process.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType


def load_app_module(path: Path, module_name: str) -> ModuleType:
    """``path`` imported as ``module_name``; on failure nothing of it stays in ``sys.modules``."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module
