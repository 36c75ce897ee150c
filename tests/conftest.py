"""Shared test setup: make tests/ importable (builders, payload helpers)."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# The load cache lives in the user's cache folder; tests keep theirs private and disposable:
# made by the process that starts the tests (pytest-xdist's workers inherit it) and removed when
# that process ends (each run used to leave one folder in /tmp).
if "PMO_XL_CACHE_DIR" not in os.environ:
    _cache_dir = tempfile.mkdtemp(prefix="pmo_xl_test_cache_")
    os.environ["PMO_XL_CACHE_DIR"] = _cache_dir
    atexit.register(shutil.rmtree, _cache_dir, ignore_errors=True)
