"""The C reader of worksheet XML (:mod:`pmo_xl._sheetxml`), when pmo_xl was built with it.

``pip install`` compiles it where a C compiler is found (``setup.py``; on Windows, the Visual
C++ Build Tools). Without it, or with ``PMO_XL_NATIVE=0`` in the environment, every sheet is
read by python-calamine as before: same values, about four times slower to parse.

The C side reads a sheet's cells in one pass and gives the rows calamine's ``to_python()``
gives. What it cannot decide alone comes from here: the shared strings, which styles are dates
(openpyxl's own rules, so the reference reader and this one agree), and each date's value
(:func:`openpyxl.utils.datetime.from_excel`, once per distinct number).
"""

from __future__ import annotations

import gc
import importlib
import os
import re
from pathlib import Path
from types import ModuleType
from typing import Any

_sheetxml: ModuleType | None
try:
    _sheetxml = importlib.import_module("pmo_xl._sheetxml")
except ImportError:  # built without a C compiler: calamine reads every sheet
    _sheetxml = None

_DATE_1904 = re.compile(rb"""\bdate1904\s*=\s*["'](?:1|true)["']""", re.IGNORECASE)
_STYLE_CODES: dict[bytes, bytes | None] = {}  # styles.xml → per style: 0 number, 1 date, 2 time
_STYLE_MEMO_SIZE = 64
# Beyond this a sheet is left to calamine (preflight refuses far smaller sheets by default).
MAX_CELLS = 20_000_000


def enabled() -> bool:
    """The C reader is built and not turned off (``PMO_XL_NATIVE=0``)."""
    return _sheetxml is not None and os.environ.get("PMO_XL_NATIVE", "1") != "0"


def fingerprint() -> str:
    """What the cache must know of the reader: which one, and which build of it."""
    if not enabled() or _sheetxml is None:
        return "calamine"
    built = Path(_sheetxml.__file__ or "")
    st = built.stat()
    return f"native:{built.name}:{st.st_size}:{st.st_mtime_ns}"


_DATES: dict[tuple[float, int], Any] = {}  # (serial, kind) → value: a portfolio's weeks recur
_DATES_SIZE = 100_000


def _date_of(value: float, kind: int) -> Any:
    """A date cell's value as openpyxl gives it (a duration for kind 2)."""
    key = (value, kind)
    known = _DATES.get(key)
    if known is None:
        from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

        if len(_DATES) >= _DATES_SIZE:
            _DATES.clear()
        known = _DATES[key] = from_excel(value, WINDOWS_EPOCH, timedelta=kind == 2)
    return known


def style_codes(styles_xml: bytes) -> bytes | None:
    """Per cell style (``s="3"``): 0 a number, 1 a date, 2 a duration, as openpyxl decides; None
    when the style sheet does not parse. Memoised: a portfolio's workbooks share a template."""
    if styles_xml in _STYLE_CODES:
        return _STYLE_CODES[styles_xml]
    codes: bytes | None
    try:
        from openpyxl.styles.stylesheet import Stylesheet
        from openpyxl.xml.functions import fromstring

        sheet = Stylesheet.from_tree(fromstring(styles_xml))
        codes = bytes(
            2 if i in sheet.timedelta_formats else 1 if i in sheet.date_formats else 0
            for i in range(len(sheet.cell_styles))
        )
    except Exception:  # a style sheet openpyxl cannot read: calamine reads the workbook
        codes = None
    if len(_STYLE_CODES) >= _STYLE_MEMO_SIZE:
        _STYLE_CODES.clear()
    _STYLE_CODES[styles_xml] = codes
    return codes


Patch = tuple[int, int, int, str]  # row, column (from 1), 0 error / 1 uncached formula, text


class SheetReader:
    """Reads the sheets of one workbook; its shared strings and date styles are parsed once."""

    def __init__(self, strings: list[str], styles: bytes, max_cells: int) -> None:
        self._strings, self._styles, self._max_cells = strings, styles, max_cells

    def rows(self, sheet_xml: bytes) -> tuple[list[list[Any]], list[Patch]] | None:
        """The sheet's rows as calamine's ``to_python(skip_empty_area=False)``, and the cells
        calamine does not tell: ``(row, col, 0, error)`` for an error cell's value, ``(row,
        col, 1, "=formula")`` for a formula saved without its value. None: use calamine (a
        feature the C reader leaves to it)."""
        assert _sheetxml is not None
        patches: list[Patch] = []
        # The rows hold no reference cycle: the collector would only walk them again and again
        # as they are made (a fifth of the parse).
        collecting = gc.isenabled()
        gc.disable()
        try:
            rows: list[list[Any]] | None = _sheetxml.parse_sheet(
                sheet_xml, self._strings, self._styles, _date_of, self._max_cells, patches
            )
        finally:
            if collecting:
                gc.enable()
        return None if rows is None else (rows, patches)


def strict_extent(data: bytes) -> tuple[int, int] | None:
    """The largest row and column of a piece of sheet XML whose every cell and row tag is
    written ``<c r="A1"`` / ``<row r="1"`` (preflight's fast path, at C speed); None for another
    form (preflight then measures the sheet exactly). Only when :func:`enabled`."""
    assert _sheetxml is not None
    found: tuple[int, int] | None = _sheetxml.strict_extent(data)
    return found


def sheet_reader(
    workbook_xml: bytes, styles_xml: bytes | None, strings_xml: bytes | None, max_cells: int
) -> SheetReader | None:
    """A reader for this workbook's sheets, or None when calamine must read it all: no C
    reader, 1904 dates, shared strings or styles it cannot read."""
    if not enabled() or _sheetxml is None or _DATE_1904.search(workbook_xml):
        return None
    styles = style_codes(styles_xml) if styles_xml is not None else b""
    if styles is None:
        return None
    strings: list[str] | None = [] if strings_xml is None else _sheetxml.parse_sst(strings_xml)
    if strings is None:
        return None
    return SheetReader(strings, styles, max_cells)


__all__ = [
    "MAX_CELLS",
    "Patch",
    "SheetReader",
    "enabled",
    "fingerprint",
    "sheet_reader",
    "style_codes",
]
