"""Whether pmo_xl was built with its C reader, for tests of it (see pmo_xl/native.py)."""

from __future__ import annotations

import os

import pytest

from pmo_xl import native

BUILT = native._sheetxml is not None
# CI installs a C compiler and must test the C reader; elsewhere pip leaves it out where no
# compiler is found, and every sheet is read by calamine (tested whatever the build).
needs_c_reader = pytest.mark.skipif(
    not BUILT and os.environ.get("CI") != "true",
    reason="pmo_xl was built without its C reader (no C compiler): calamine reads every sheet",
)
