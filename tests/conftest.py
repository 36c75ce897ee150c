"""Shared test setup: make tests/ importable (builders, payload helpers)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
# The load cache lives in the user's cache folder; tests keep theirs private and disposable.
os.environ.setdefault("PMO_XL_CACHE_DIR", tempfile.mkdtemp(prefix="pmo_xl_test_cache_"))
