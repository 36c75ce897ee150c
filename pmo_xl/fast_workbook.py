"""Workbooks on disk, read fast: python-calamine (Rust) behind the same interface as openpyxl.

:func:`open_fast` gives the values :class:`~pmo_xl.file_workbook.OpenpyxlWorkbook` gives, about ten
times faster. Where pmo_xl was built with its C reader (:mod:`pmo_xl.native`), the sheets Excel
and the usual libraries write are read by it, with calamine's values and about four times faster
than calamine; it hands any other sheet to calamine.

What calamine loses is read back from the sheet XML: error cells (calamine reads ``#REF!`` as
``''``) become :class:`CellError`, formulas saved without a value :class:`Uncached`. Calamine's
value conventions are mapped to openpyxl's: a blank is ``None`` (not ``''``), a date is a
``datetime``, a whole number an ``int``. A workbook calamine cannot read the way openpyxl does
(sheets other than worksheets, a part missing) raises :class:`FastUnsupported`, and the caller
reads it with openpyxl. Only run it on files that passed :func:`pmo_xl.preflight.preflight`:
both readers allocate a sheet's whole used range at once.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from python_calamine import CalamineWorkbook

from pmo_xl.file_workbook import uncached_formulas
from pmo_xl.native import MAX_CELLS, sheet_reader
from pmo_xl.workbook import (
    CellError,
    CellValue,
    Grid,
    Uncached,
    WorkbookError,
    access_error,
    column_index,
)

if TYPE_CHECKING:
    from pmo_xl.preflight import PreflightResult

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError)
_STRINGS, _STYLES = "xl/sharedStrings.xml", "xl/styles.xml"
_CELL_TAG = re.compile(rb"<c\s([^>]*?)(/?)>")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_ERROR_VALUE = re.compile(rb"<v>([^<]*)</v>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_WHOLE = 1e15  # below this a float that is a whole number is written "123" (openpyxl: int)
# "_x000D_" in a string: calamine decodes it (a carriage return), openpyxl keeps the six
# characters. Rare (text pasted from Windows), so such workbooks are read by openpyxl.
_ESCAPED_CHAR = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# Every formula tag <f>, <f …> or <f/>: a sheet without one has no formula left uncomputed,
# which one search tells instead of uncached_formulas' five (<formula1> of lists is not one).
_FORMULA_TAG = re.compile(rb"<f[\s/>]")


class FastUnsupported(Exception):
    """The fast reader would not read this workbook exactly as openpyxl does: use openpyxl."""


def normalize(value: Any) -> CellValue:
    """One calamine value as openpyxl gives it: ``''`` → None, date → datetime, 5.0 → 5."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        return int(value) if value.is_integer() and -_WHOLE < value < _WHOLE else value
    if kind is dt.date:
        return dt.datetime(value.year, value.month, value.day)
    return value  # type: ignore[no-any-return]


class RawGrid(Grid):
    """A sheet's values as calamine gives them (``''`` blanks, ``date``, floats), rectangular.

    Same meaning as a :class:`Grid` once each value goes through :attr:`normalize`; readers that
    convert whole columns use it to skip per-cell work (see :func:`pmo_xl.reading.table_from_grid`).
    """

    @staticmethod
    def normalize(value: Any) -> CellValue:
        return normalize(value)

    def cell(self, row: int, col: int) -> CellValue:
        return normalize(super().cell(row, col))

    def to_grid(self) -> Grid:
        """The openpyxl-equivalent :class:`Grid` (trailing blanks dropped)."""
        rows: list[list[CellValue]] = []
        for raw in self.rows:
            values = [normalize(v) for v in raw]
            while values and values[-1] is None:
                values.pop()
            rows.append(values)
        while rows and not rows[-1]:
            rows.pop()
        return Grid(rows, self.first_row, self.first_col)


def _attrs(text: bytes) -> dict[str, str]:
    return {
        k.decode().rsplit(":", 1)[-1] if k != b"r:id" else "r:id": _unescape(v)
        for k, v in _ATTR.findall(text)
    }


def _unescape(raw: bytes) -> str:
    from html import unescape

    return unescape(raw.decode("utf-8"))


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part in the zip (``xl/worksheets/sheet1.xml``), workbook order."""
    return _sheet_parts(archive.read)


def _sheet_parts(read: Callable[[str], bytes]) -> dict[str, str]:
    workbook = read("xl/workbook.xml")
    rels = read("xl/_rels/workbook.xml.rels")
    targets: dict[str, tuple[str, str]] = {}
    for m in _RELATIONSHIP.finditer(rels):
        a = _attrs(m.group(1))
        if "Id" in a and "Target" in a:
            target = a["Target"]
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[a["Id"]] = (posixpath.normpath(path), a.get("Type", ""))
    parts: dict[str, str] = {}
    for m in _SHEET.finditer(workbook.split(b"<sheets", 1)[-1]):
        a = _attrs(m.group(1))
        rid = next((v for k, v in a.items() if k in ("r:id", "id")), None)
        if "name" not in a or rid not in targets:
            raise FastUnsupported(f"sheet without a part: {a.get('name')}")
        part, kind = targets[rid]
        if not kind.endswith("/worksheet"):
            raise FastUnsupported(f"not a worksheet: {kind}")  # chart, dialog or macro sheet
        parts[a["name"]] = part
    return parts


def _check_escapes(xml: bytes, part: str) -> None:
    """Refuse strings holding ``_xHHHH_`` escapes (see :data:`_ESCAPED_CHAR`)."""
    # "_" alone is found at memchr speed, and a sheet seldom holds one.
    if b"_" in xml and b"_x" in xml and _ESCAPED_CHAR.search(xml):
        raise FastUnsupported(f"{part}: escaped characters in text")


def error_cells(sheet_xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) → error literal of every ``t="e"`` cell that holds a value."""
    if b't="e"' not in sheet_xml:
        return {}  # the common case, at memchr speed
    found: dict[tuple[int, int], str] = {}
    for m in _CELL_TAG.finditer(sheet_xml):
        attrs = m.group(1)
        if b't="e"' not in attrs or m.group(2):
            continue  # not an error cell, or an empty one (openpyxl: None)
        ref = _REF.search(attrs)
        if ref is None:
            raise FastUnsupported("error cell without a reference")
        body = sheet_xml[m.end() : sheet_xml.find(b"</c>", m.end())]
        value = _ERROR_VALUE.search(body)
        if value is not None and value.group(1):
            found[(int(ref.group(2)), column_index(ref.group(1).decode()))] = _unescape(
                value.group(1)
            )
    return found


class FastWorkbook:
    """A closed ``.xlsx``/``.xlsm`` file read with python-calamine; same values as openpyxl.

    ``preflighted``: what :func:`pmo_xl.preflight.preflight` found for this file; the parts it
    inflated are taken from it instead of being inflated again, if the file has not changed.
    """

    def __init__(
        self,
        path: Path | str,
        label: str | None = None,
        preflighted: PreflightResult | None = None,
    ) -> None:
        self.path = Path(path)
        self._label = label or self.path.name
        self._raw: dict[str, RawGrid] = {}
        self._grids: dict[str, Grid] = {}
        self._archive: zipfile.ZipFile | None = None
        self._kept: Mapping[str, bytes] = {}
        self._names: frozenset[str] | None = None  # the zip's parts, when preflight listed them
        if preflighted is not None and preflighted.path == self.path:
            self._kept = preflighted.parts_if_unchanged()
            self._names = preflighted.part_names if self._kept else None
        self._book: Any = None
        try:
            if "xl/workbook.xml" not in self._kept:
                self._zip()  # opening errors are told here, as they always were
            self._parts = _sheet_parts(self._member)
            strings = self._member(_STRINGS) if self._has(_STRINGS) else None
            if strings is not None:
                _check_escapes(strings, "shared strings")
            self._reader = sheet_reader(
                self._member("xl/workbook.xml"),
                self._member(_STYLES) if self._has(_STYLES) else None,
                strings,
                MAX_CELLS,
            )
            if self._reader is None:
                self._calamine()
        except FastUnsupported:
            self.close()
            raise
        except (FileNotFoundError, PermissionError) as exc:
            raise access_error(self._label, exc) from exc
        except Exception as exc:  # a broken zip, calamine's own errors: openpyxl will tell
            self.close()
            raise FastUnsupported(f"{type(exc).__name__}: {exc}") from exc

    def _calamine(self) -> Any:
        """The calamine workbook, opened on first use (the C reader may need it for no sheet)."""
        if self._book is None:
            try:
                self._book = CalamineWorkbook.from_path(str(self.path))
            except (FileNotFoundError, PermissionError) as exc:
                raise access_error(self._label, exc) from exc
            except Exception as exc:  # calamine's own errors, a broken zip: openpyxl will tell
                self.close()
                raise FastUnsupported(f"{type(exc).__name__}: {exc}") from exc
            if list(self._book.sheet_names) != list(self._parts):
                self.close()
                raise FastUnsupported("sheet lists differ")
        return self._book

    def _zip(self) -> zipfile.ZipFile:
        if self._archive is None:
            self._archive = zipfile.ZipFile(self.path)
        return self._archive

    def _has(self, part: str) -> bool:
        if part in self._kept:
            return True
        return part in (self._names if self._names is not None else self._zip().NameToInfo)

    def _member(self, part: str) -> bytes:
        """A part of the zip, decompressed: as preflight inflated it, else read now."""
        kept = self._kept.get(part)
        return kept if kept is not None else self._zip().read(part)

    @property
    def label(self) -> str:
        return self._label

    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def read_sheet(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self.raw_sheet(name).to_grid()
        return self._grids[name]

    def raw_sheet(self, name: str) -> RawGrid:
        """The sheet as calamine reads it, errors and uncached formulas put back."""
        if name not in self._raw:
            self._raw[name] = self._read(name)
        return self._raw[name]

    def _read(self, name: str) -> RawGrid:
        try:
            xml = self._member(self._parts[name])
            read = self._reader.rows(xml) if self._reader is not None else None
            if read is None:
                rows = self._calamine().get_sheet_by_name(name).to_python(skip_empty_area=False)
            else:
                rows, found = read
        except FastUnsupported:
            raise
        except _ZIP_ERRORS as exc:
            raise WorkbookError(
                self._label, "fichier tronqué ou corrompu", "truncated or corrupt file"
            ) from exc
        except Exception as exc:  # malformed XML and the like: openpyxl gives the reason
            raise FastUnsupported(f"{name}: {type(exc).__name__}: {exc}") from exc
        if read is None:  # the C reader read only plain tags, and no text with an escape
            if b":sheetData" in xml:
                raise FastUnsupported(f"{name}: prefixed XML tags")  # the scans look for <c
            _check_escapes(xml, name)
        patches: dict[tuple[int, int], CellValue]
        if read is not None:  # the C reader found them as it read the cells
            patches = {(r, c): CellError(text) for r, c, kind, text in found if kind == 0}
            for r, c, kind, text in found:
                if kind == 1:
                    patches.setdefault((r, c), Uncached(text))
        else:
            patches = {k: CellError(v) for k, v in error_cells(xml).items()}
            uncached = uncached_formulas(xml) if _FORMULA_TAG.search(xml) else {}
            for key, formula in uncached.items():
                patches.setdefault(key, Uncached(formula))
        for (r, c), value in patches.items():
            while len(rows) < r:
                rows.append([])
            row = rows[r - 1]
            if len(row) < c:
                row.extend([""] * (c - len(row)))
            if isinstance(value, CellError) or row[c - 1] == "":
                row[c - 1] = value
        return RawGrid(rows)

    def close(self) -> None:
        book = getattr(self, "_book", None)
        if book is not None:
            book.close()
        archive = getattr(self, "_archive", None)
        if archive is not None:
            archive.close()

    def __enter__(self) -> FastWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_fast(
    path: Path | str, label: str | None = None, preflighted: PreflightResult | None = None
) -> FastWorkbook:
    """Open a workbook with calamine; :class:`FastUnsupported` when openpyxl must read it.
    ``preflighted``: the file's :func:`~pmo_xl.preflight.preflight` result, to reuse its work."""
    return FastWorkbook(path, label, preflighted)
