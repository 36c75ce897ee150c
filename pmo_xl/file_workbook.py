"""Workbooks on disk, read-only: the reference reader over openpyxl.

The file is opened read-only and never written. Error cells become :class:`CellError`, so a
``#REF!`` never reads as blank or zero; declared dimensions are ignored (files written by other
tools often understate them) and the real extent is read.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from pmo_xl.workbook import CellError, CellValue, Grid, WorkbookError

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, KeyError)


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
        except FileNotFoundError as exc:
            raise WorkbookError(self._label, "fichier introuvable", "file not found") from exc
        except PermissionError as exc:
            raise WorkbookError(
                self._label, "accès refusé (fichier verrouillé ?)", "access denied (locked?)"
            ) from exc
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
        while rows and not rows[-1]:
            rows.pop()
        return Grid(rows)

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> OpenpyxlWorkbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workbook(path: Path | str, label: str | None = None) -> OpenpyxlWorkbook:
    """Open a workbook file for reading (read-only; raises :class:`WorkbookError` if impossible)."""
    return OpenpyxlWorkbook(path, label)
