"""Workbooks on disk, read-only: the reference reader over openpyxl.

The file is opened read-only and never written. Error cells become :class:`CellError`, so a
``#REF!`` never reads as blank or zero; declared dimensions are ignored (files written by other
tools often understate them) and the real extent is read.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from pmo_xl.workbook import (
    CellError,
    CellValue,
    Grid,
    Uncached,
    WorkbookError,
    access_error,
    column_index,
)

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError)

# A formula cell saved with no value (by a tool that does not calculate): <c r="J4"><f>…</f></c>
# or an empty <v/>. A text formula whose result is "" (t="str") legitimately has <v></v>.
_UNCACHED_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]+)"([^>]*)>\s*<f(?:\s[^>]*)?(?:/>|>([^<]*)</f>)'
    rb"\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>"
)
_UNCACHED_HINTS = (b"</f></c>", b"/></c>", b"<v></v>", b"<v />", b"<v/>")


def uncached_formulas(sheet_xml: bytes) -> dict[tuple[int, int], str]:
    """(row, col) → formula text of every formula cell without a computed value."""
    if not any(hint in sheet_xml for hint in _UNCACHED_HINTS):
        return {}  # the common case, decided at memchr speed
    found: dict[tuple[int, int], str] = {}
    for m in _UNCACHED_CELL.finditer(sheet_xml):
        if b't="str"' in m.group(3):
            continue
        formula = (m.group(4) or b"").decode("utf-8", "replace")
        found[(int(m.group(2)), column_index(m.group(1).decode()))] = "=" + formula
    return found


class OpenpyxlWorkbook:
    """A closed ``.xlsx``/``.xlsm`` file, read with openpyxl in read-only mode.

    Sheets are read lazily and cached; ``close()`` (or the context manager) releases the file.
    """

    def __init__(self, path: Path | str, label: str | None = None) -> None:
        self.path = Path(path)
        self._label = label or self.path.name
        self._grids: dict[str, Grid] = {}
        try:
            import openpyxl

            self._book: Any = openpyxl.load_workbook(
                self.path, read_only=True, data_only=True, keep_links=False
            )
        except (FileNotFoundError, PermissionError) as exc:
            raise access_error(self._label, exc) from exc
        except _ZIP_ERRORS as exc:
            raise WorkbookError(
                self._label, "fichier tronqué ou corrompu", "truncated or corrupt file"
            ) from exc
        except Exception as exc:  # openpyxl raises many types for unreadable content
            raise WorkbookError(
                self._label,
                f"classeur illisible ({type(exc).__name__})",
                f"unreadable workbook ({type(exc).__name__})",
            ) from exc

    @property
    def label(self) -> str:
        return self._label

    def sheet_names(self) -> list[str]:
        return [ws.title for ws in self._book.worksheets]

    def read_sheet(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self._read(name)
        return self._grids[name]

    def _read(self, name: str) -> Grid:
        ws = self._book[name]
        ws.reset_dimensions()  # never trust <dimension>: an understated one hides rows
        rows: list[list[CellValue]] = []
        try:
            for row in ws.iter_rows():
                values: list[CellValue] = []
                for cell in row:
                    value = cell.value
                    if cell.data_type == "e" and value is not None:
                        value = CellError(str(value))
                    values.append(value)
                while values and values[-1] is None:
                    values.pop()
                rows.append(values)
        except _ZIP_ERRORS as exc:
            raise WorkbookError(
                self._label, "fichier tronqué ou corrompu", "truncated or corrupt file"
            ) from exc
        except Exception as exc:  # malformed XML and the like: the file, not the program
            raise WorkbookError(
                self._label,
                f"feuille « {name} » illisible ({type(exc).__name__}) : ouvrez et réparez le "
                "classeur dans Excel, puis enregistrez-le",
                f"sheet '{name}' unreadable ({type(exc).__name__}): open and repair the workbook "
                "in Excel, then save it",
            ) from exc
        for (r, c), formula in self._uncached(ws).items():
            while len(rows) < r:
                rows.append([])
            row_values = rows[r - 1]
            if len(row_values) < c:
                row_values.extend([None] * (c - len(row_values)))
            if row_values[c - 1] is None:
                row_values[c - 1] = Uncached(formula)
        while rows and not rows[-1]:
            rows.pop()
        return Grid(rows)

    def _uncached(self, ws: Any) -> dict[tuple[int, int], str]:
        part = getattr(ws, "_worksheet_path", None)
        if not part:
            return {}
        try:
            with zipfile.ZipFile(self.path) as archive:
                return uncached_formulas(archive.read(part.lstrip("/")))
        except (*_ZIP_ERRORS, OSError):
            return {}

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> OpenpyxlWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workbook(path: Path | str, label: str | None = None) -> OpenpyxlWorkbook:
    """Open a workbook file for reading (read-only; raises :class:`WorkbookError` if impossible)."""
    return OpenpyxlWorkbook(path, label)
