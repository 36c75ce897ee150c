"""The one interface between pmo_xl and a spreadsheet: read a sheet as a grid, write a sheet layout.

Implementations: files on disk (:mod:`pmo_xl.file_workbook`), a live ``xlwings.Book``
(:mod:`pmo_xl.excel`), and :class:`MemoryWorkbook` here, for tests and for data built in code.
The core only ever sees :class:`Grid` values, so it never imports openpyxl or xlwings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeAlias, runtime_checkable

from pmo_xl.labels import os_error_label

if TYPE_CHECKING:
    from pmo_xl.layout import SheetLayout

ERROR_LITERALS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
        "#EXTERNAL!",
        "#PYTHON!",
        "#DATA!",
    }
)


@dataclass(frozen=True)
class CellError:
    """An Excel error value (``#REF!``, ``#DIV/0!``…) — never to be read as blank or zero."""

    code: str

    def __str__(self) -> str:
        return self.code


@dataclass(frozen=True)
class Uncached:
    """A formula cell whose file holds no computed value (saved by a non-calculating tool)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


CellValue: TypeAlias = (
    str | int | float | bool | dt.datetime | dt.date | dt.time | CellError | Uncached | None
)


@dataclass
class Grid:
    """The values of one sheet's used range; ``rows[0][0]`` is at (``first_row``, ``first_col``)."""

    rows: list[list[CellValue]]
    first_row: int = 1
    first_col: int = 1

    def cell(self, row: int, col: int) -> CellValue:
        """Value at 1-based Excel coordinates, ``None`` outside the grid."""
        r, c = row - self.first_row, col - self.first_col
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.rows), default=0)


def column_letter(col: int) -> str:
    """1 → ``A``, 28 → ``AB``."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int:
    """``A`` → 1, ``AB`` → 28."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def cell_address(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


class WorkbookError(Exception):
    """A workbook that cannot be opened at all: names the file and says why, in plain words."""

    def __init__(self, file: str, reason: str, reason_en: str | None = None) -> None:
        super().__init__(f"{file} : {reason}")
        self.file = file
        self.reason = reason
        self.reason_en = reason_en or reason


def access_error(file: str, exc: FileNotFoundError | PermissionError) -> WorkbookError:
    """The plain-words reason a file could not be opened at all (both file readers)."""
    reason = os_error_label(exc)
    return WorkbookError(file, reason.fr, reason.en)


@runtime_checkable
class WorkbookSource(Protocol):
    """A workbook I can read sheets from."""

    @property
    def label(self) -> str:
        """How findings name this workbook (usually the file name)."""
        ...

    def sheet_names(self) -> list[str]: ...

    def read_sheet(self, name: str) -> Grid: ...


@runtime_checkable
class WorkbookSink(Protocol):
    """A workbook I can write whole sheets into (each write replaces the sheet)."""

    def write_sheet(self, layout: SheetLayout) -> None: ...


@dataclass
class MemoryWorkbook:
    """A workbook held in memory: a first-class implementation for tests and generated data.

    >>> wb = MemoryWorkbook.from_rows("projet_demo.xlsx", {"Projet": [["Code projet", "PRJ-1"]]})
    >>> wb.read_sheet("Projet").cell(1, 2)
    'PRJ-1'
    """

    label: str = "memoire.xlsx"
    sheets: dict[str, Grid] = field(default_factory=dict)
    written: dict[str, SheetLayout] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, label: str, sheets: dict[str, Sequence[Sequence[CellValue]]]
    ) -> MemoryWorkbook:
        return cls(label, {name: Grid([list(r) for r in rows]) for name, rows in sheets.items()})

    def sheet_names(self) -> list[str]:
        return list(self.sheets)

    def read_sheet(self, name: str) -> Grid:
        return self.sheets[name]

    def write_sheet(self, layout: SheetLayout) -> None:
        self.written[layout.name] = layout
        self.sheets[layout.name] = layout.to_grid()

    def __iter__(self) -> Iterator[str]:
        return iter(self.sheets)
