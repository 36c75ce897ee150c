"""The native code pmo_xl uses where it is there: its C reader of worksheet XML
(:mod:`pmo_xl._sheetxml`, which also writes the rows of output tables) and ISA-L's deflate
(python-isal).

``pip install`` compiles the C reader where a C compiler is found (``setup.py``; on Windows, the
Visual C++ Build Tools). Without it, or with ``PMO_XL_NATIVE=0`` in the environment, every sheet
is read by python-calamine as before: same values, about four times slower to parse.

The C side reads a sheet's cells in one pass and gives the rows calamine's ``to_python()``
gives; it also types a table's columns for the reader (:func:`typed_column`). What it cannot
decide alone comes from here: the shared strings, which styles are dates and each date's value,
both by openpyxl's rules (so the reference reader and this one agree) without importing
openpyxl in each worker.

ISA-L inflates and deflates about three to four times as fast as zlib, in standard deflate;
where python-isal has no wheel, zlib (:func:`inflater`, :func:`compressor`, :data:`crc32`).
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

_sheetxml: ModuleType | None
try:
    _sheetxml = importlib.import_module("pmo_xl._sheetxml")
except ImportError:  # built without a C compiler: calamine reads every sheet
    _sheetxml = None

_isal: ModuleType | None
try:
    _isal = importlib.import_module("isal.isal_zlib")
except ImportError:  # a machine python-isal has no wheel for: zlib
    _isal = None
ISAL = _isal is not None
# What a broken deflate stream raises, whichever library inflates it.
INFLATE_ERRORS: tuple[type[Exception], ...] = (
    (zlib.error, _isal.error) if _isal is not None else (zlib.error,)
)
crc32: Callable[[bytes | memoryview, int], int] = _isal.crc32 if _isal is not None else zlib.crc32


def inflater() -> Any:
    """A raw-deflate decompressor (``decompress(data, max_length)``, ``unconsumed_tail``,
    ``eof``, as zlib's)."""
    return _isal.decompressobj(-15) if _isal is not None else zlib.decompressobj(-15)


def compressor(level: int, *, fast: bool = True) -> Any:
    """A raw-deflate compressor. ``level``: zlib's (1 fastest … 9 smallest); ISA-L's 1 to 3
    stand for zlib's 1-3, 4-6 and 7-9. ``fast=False``: zlib whatever is installed."""
    if fast and _isal is not None:
        return _isal.compressobj(1 if level <= 3 else 2 if level <= 6 else 3, zlib.DEFLATED, -15)
    return zlib.compressobj(level, zlib.DEFLATED, -15)


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
        if len(_DATES) >= _DATES_SIZE:
            _DATES.clear()
        known = _DATES[key] = serial_value(value, duration=kind == 2)
    return known


_EPOCH = dt.datetime(1899, 12, 30)  # serial 0 of the 1900 date system, as Excel counts


def serial_value(serial: float, *, duration: bool = False) -> dt.datetime | dt.time | dt.timedelta:
    """An Excel serial number as openpyxl reads it (``from_excel``), without importing openpyxl
    in each worker (0.1 s): a duration to the millisecond; a time of day below 1; else a date
    and time, the time to the millisecond, serials 1 to 59 moved a day for Excel's phantom
    29 February 1900. ValueError or OverflowError outside the dates Python holds."""
    if duration:
        elapsed = dt.timedelta(days=serial)
        if elapsed.microseconds:
            whole = elapsed.total_seconds() // 1
            elapsed = dt.timedelta(seconds=whole, microseconds=round(elapsed.microseconds, -3))
        return elapsed
    day, fraction = divmod(serial, 1)
    time_of_day = dt.timedelta(milliseconds=round(fraction * 86_400 * 1000))  # its rounding
    if 0 <= serial < 1 and time_of_day.days == 0:
        minutes, seconds = divmod(time_of_day.seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return dt.time(hours, minutes, seconds, time_of_day.microseconds)
    if 0 < serial < 60:
        day += 1
    return _EPOCH + dt.timedelta(days=day) + time_of_day


# ECMA-376 §18.8.30: the built-in number formats 14-22 and 45-47 show dates or times; 46
# ([h]:mm:ss) an elapsed time. Others (0-13, 37-44, 48-49, and ids without a built-in code
# for openpyxl) are numbers.
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_BUILTIN_DURATIONS = frozenset({46})
# A format shows a date or time when its first section holds d, m, y, h or s outside quoted
# text and outside brackets other than [h], [hh], [m], [mm], [s], [ss], and not right after an
# underscore or a backslash; a duration when it holds [h], [m] or [s] (openpyxl's rules).
_IGNORED = re.compile(r'"[^"\n]*"|\[(?!(?:h|hh|m|mm|s|ss)\])[^\]]*\]')
_DATE_TOKEN = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED = re.compile(
    r"\[(?:hh?\](?::mm(?::ss(?:\.0*)?)?)?|mm?\](?::ss(?:\.0*)?)?|ss?\](?:\.0*)?)", re.IGNORECASE
)
_NUM_FMT = re.compile(rb"<numFmt\s([^>]*)>")
_CELL_XFS = re.compile(rb"<cellXfs\b[^>]*?(?:/>|>(.*?)</cellXfs>)", re.DOTALL)
_XF = re.compile(rb"<xf\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')


def format_kind(code: str | None) -> int:
    """0 a number format, 1 a date or time, 2 an elapsed time (a duration)."""
    if code is None:
        return 0
    first = code.split(";", 1)[0]
    if not _DATE_TOKEN.search(_IGNORED.sub("", first)):
        return 0  # "[H]" alone: elapsed, but no date token once its bracket is dropped
    return 2 if _ELAPSED.search(first) else 1


def _attributes(text: bytes) -> dict[bytes, str]:
    from html import unescape

    return {
        m[1]: unescape((m[2] if m[2] is not None else m[3]).decode("utf-8"))
        for m in _ATTRIBUTE.finditer(text)
    }


def _style_codes_here(styles_xml: bytes) -> bytes | None:
    """:func:`style_codes` of a plain style sheet (no prefixed tags, no comment, one
    ``<cellXfs>``), without openpyxl's import (0.1 s in each worker); None otherwise."""
    if b":numFmt" in styles_xml or b":xf" in styles_xml or b"<!--" in styles_xml:
        return None
    blocks = _CELL_XFS.findall(styles_xml)
    if len(blocks) != 1:
        return None
    custom: dict[int, str] = {}
    for m in _NUM_FMT.finditer(styles_xml):
        attrs = _attributes(m[1])
        number, code = attrs.get(b"numFmtId", ""), attrs.get(b"formatCode")
        if not number.isdigit() or code is None:
            return None
        custom[int(number)] = code
    codes = bytearray()
    for m in _XF.finditer(blocks[0]):
        number = _attributes(m[1]).get(b"numFmtId", "0")
        if not number.isdigit():
            return None
        numfmt = int(number)
        if numfmt in custom:
            codes.append(format_kind(custom[numfmt]))
        elif numfmt in _BUILTIN_DATES:
            codes.append(2 if numfmt in _BUILTIN_DURATIONS else 1)
        else:
            codes.append(0)
    return bytes(codes)


def style_codes(styles_xml: bytes) -> bytes | None:
    """Per cell style (``s="3"``): 0 a number, 1 a date, 2 a duration, as openpyxl decides; None
    when the style sheet does not parse. Memoised: a portfolio's workbooks share a template."""
    if styles_xml in _STYLE_CODES:
        return _STYLE_CODES[styles_xml]
    codes = _style_codes_here(styles_xml)
    if codes is None:
        try:  # an unusual style sheet: openpyxl's own reading of it
            from openpyxl.styles.stylesheet import Stylesheet
            from openpyxl.xml.functions import fromstring

            sheet = Stylesheet.from_tree(fromstring(styles_xml))
            dates, durations = sheet.date_formats, sheet.timedelta_formats
            codes = bytes(
                (2 if i in durations else 1) if i in dates else 0
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


def strict_extent(data: bytes) -> tuple[int, int, bool] | None:
    """The largest row and column of a piece of sheet XML whose every cell and row tag is
    written ``<c r="A1"`` / ``<row r="1"`` (preflight's fast path, at C speed), and whether it
    holds a ``<mergeCell`` or ``<hyperlink`` tag; None for another form (preflight then measures
    the sheet exactly). Only when :func:`enabled`."""
    assert _sheetxml is not None
    found: tuple[int, int, bool] | None = _sheetxml.strict_extent(data)
    return found


def columns(rows: list[list[Any]]) -> list[list[Any]] | None:
    """The columns of rows of equal length (the readers' sheets), in one C step; None when the
    rows are not a rectangle or the C reader is off (``zip`` them then)."""
    if not enabled() or _sheetxml is None:
        return None
    found: list[list[Any]] | None = _sheetxml.transpose(rows)
    return found


# typed_column's kinds: a column's kind in the format → how the C code types it
_TYPED_KINDS = {"number": 0, "date": 1, "enum": 3}
_TYPED_TEXT = 2


# Beyond this a number read in a table is a mistake: NUMBER_OUT_OF_RANGE (see reading).
MAX_NUMBER = 1e12


def typed_column(
    cells: list[Any], kind: str, first_day: int, last_day: int
) -> tuple[Any, np.ndarray, np.ndarray] | None:
    """One column of a table (``kind`` of the format), typed in one C pass: ``(values, slow,
    blank)``; None when the C code is off (reading's numpy path then does the same).

    ``values``: float64 for a number column (NaN where empty), int64 day numbers for a date
    column (``toordinal``, 0 where empty), else a list: texts stripped, blank texts None, equal
    texts one object (``enum``: the texts as they are, only ``''`` made None). ``slow``: the
    cells ``convert()`` must look at (another type, a NaN, a date outside
    ``first_day..last_day``), left as they were in a list. ``blank``: None, ``''`` or spaces."""
    if not enabled() or _sheetxml is None:
        return None
    values, slow, blank = _sheetxml.typed_column(
        cells, _TYPED_KINDS.get(kind, _TYPED_TEXT), first_day, last_day
    )
    flags = np.frombuffer(slow, dtype=np.bool_)
    if kind == "number":
        values = np.frombuffer(values, dtype=np.float64)
        huge = np.abs(values) > MAX_NUMBER  # NaN compares False: the C code flagged those
        if huge.any():
            flags = flags | huge  # convert() says NUMBER_OUT_OF_RANGE
    elif kind == "date":
        values = np.frombuffer(values, dtype=np.int64)
    return values, flags, np.frombuffer(blank, dtype=np.bool_)


def frame_rows(
    first_number: int,
    tails: list[bytes],
    tail_codes: Any,
    opens: list[bytes],
    codes: list[Any],
    endings: list[list[bytes | None]],
    start: int,
    stop: int,
    skip: Any,
) -> list[bytes] | None:
    """The ``<row>`` elements of an output table body's rows ``start:stop`` in one C step,
    in pieces split at the rows of ``skip`` (which the caller writes); None when the C code is
    off (xlsx_writer's numpy grid then gives the same text).

    Row ``i`` is numbered ``first_number + i``; its tag ends with ``tails[tail_codes[i]]``
    (``tails[0]`` when ``tail_codes`` is None); in column ``j`` its cell is ``opens[j]``, the
    number and ``endings[j][codes[j][i]]`` (the last ending for a code of -1; no cell where it
    is None). Codes and ``skip`` (increasing) are C-contiguous ``intp`` arrays."""
    if not enabled() or _sheetxml is None:
        return None
    pieces: list[bytes] = _sheetxml.frame_rows(
        first_number, tails, tail_codes, opens, codes, endings, start, stop, skip
    )
    return pieces


def group_rows(
    tails: list[bytes],
    tail_codes: Any,
    opens: list[bytes],
    codes: list[Any],
    endings: list[list[bytes | None]],
    starts: Any,
) -> list[bytes] | None:
    """The ``<row>`` elements of a table body's rows without row or cell numbers (each row
    follows the one before, each cell the one before it), one piece per group of rows
    ``starts[g]:starts[g + 1]``; columns as :func:`frame_rows` takes them. None when the C
    code is off."""
    if not enabled() or _sheetxml is None:
        return None
    pieces: list[bytes] = _sheetxml.group_rows(tails, tail_codes, opens, codes, endings, starts)
    return pieces


def grouped_texts(
    labels: list[str], values: list[str], codes: Any, starts: Any, mid: str, sep: str
) -> list[str] | None:
    """Per group ``g``, its items ``k`` in ``starts[g]:starts[g + 1]`` written
    ``labels[k] + mid + values[codes[k]]`` and joined by ``sep`` (``""`` for a group without
    items), in one C step; None when the C code is off. ``codes`` and ``starts`` (from 0 to
    ``len(labels)``, nondecreasing) are C-contiguous ``intp`` arrays."""
    if not enabled() or _sheetxml is None:
        return None
    texts: list[str] = _sheetxml.grouped_texts(labels, values, codes, starts, mid, sep)
    return texts


def text_hashes(cells: list[Any], key: str) -> np.ndarray | None:
    """Per cell, a 64-bit SipHash-2-4 of its text under ``key`` (16 ASCII characters); blanks
    (None, NaN) all alike and unlike any text. None when a cell is anything else, or when the C
    code is off (the caller hashes with pandas)."""
    if not enabled() or _sheetxml is None:
        return None
    hashed = _sheetxml.text_hashes(cells, key.encode("ascii"))
    return None if hashed is None else np.frombuffer(hashed, dtype=np.uint64)


def grouped_dicts(keys: list[Any], values: list[Any], starts: Any) -> list[dict[Any, Any]] | None:
    """Per group ``g``, ``dict(zip(keys[s:e], values[s:e]))`` for ``s, e = starts[g],
    starts[g + 1]``, in one C step; None when the C code is off."""
    if not enabled() or _sheetxml is None:
        return None
    dicts: list[dict[Any, Any]] = _sheetxml.grouped_dicts(keys, values, starts)
    return dicts


def records(names: list[str], columns: list[list[Any]]) -> list[dict[str, Any]]:
    """``[dict(zip(names, row)) for row in zip(*columns)]`` (columns of one length), in one C
    step where the C code is on (190,000 rows of six columns: 0.16 s in Python)."""
    if not enabled() or _sheetxml is None:
        return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    made: list[dict[str, Any]] = _sheetxml.records(names, columns)
    return made


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
    "INFLATE_ERRORS",
    "ISAL",
    "MAX_CELLS",
    "Patch",
    "SheetReader",
    "columns",
    "compressor",
    "crc32",
    "enabled",
    "fingerprint",
    "format_kind",
    "frame_rows",
    "group_rows",
    "grouped_dicts",
    "grouped_texts",
    "inflater",
    "records",
    "serial_value",
    "sheet_reader",
    "strict_extent",
    "style_codes",
]
