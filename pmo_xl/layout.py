"""What pmo_xl writes, described as data: a sheet is blocks of values plus presentation.

Every output (consolidation sheets, ``Contrôles``, ``COPIL``, the templates) is built as a
:class:`SheetLayout` by pure code, then handed to one renderer: XlsxWriter for files
(:mod:`pmo_xl.xlsx_writer`), xlwings for a live workbook (:mod:`pmo_xl.excel`), or kept in memory.
Blocks are rectangles so that a renderer writes them in a few large range writes.

Strings are always data: a renderer writes ``str`` as text, never as a formula. The program's
own formulas are :class:`Formula` values.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeAlias

from pmo_xl.workbook import CellError, CellValue, Grid, Uncached

NumberFormat: TypeAlias = Literal[
    "general", "text", "int", "days", "eur", "pct", "ratio", "date", "datetime"
]

# Excel number formats. Excel shows them in the user's locale (decimal comma in French Excel).
NUMBER_FORMATS: dict[str, str] = {
    "general": "General",
    "text": "@",
    "int": "#,##0",
    "days": "#,##0.0",
    "eur": '#,##0 "€"',
    "pct": "0.0%",
    "ratio": "0.00",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}
NUMBER_FORMATS_EN: dict[str, str] = {**NUMBER_FORMATS, "date": "yyyy-mm-dd", "eur": '"€"#,##0'}


@dataclass(frozen=True)
class Formula:
    """A formula written by pmo_xl itself (templates): ``Formula("=SUM(A1:A3)")``."""

    text: str
    cached: float | str | None = None


Value: TypeAlias = CellValue | Formula


@dataclass(frozen=True)
class CellStyle:
    """Presentation of a cell. Colours are ``"#RRGGBB"``; ``None`` means the default."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    font_color: str | None = None
    fill: str | None = None
    number_format: NumberFormat = "general"
    align: Literal["left", "center", "right"] | None = None
    valign: Literal["top", "center", "bottom"] | None = None
    wrap: bool = False
    border: bool = False
    border_color: str | None = None
    indent: int = 0


@dataclass
class Block:
    """A rectangle of values at 0-based (``row``, ``col``): one style, or one per column."""

    row: int
    col: int
    values: list[list[Value]]
    style: CellStyle | None = None
    column_styles: list[CellStyle] | None = None
    row_height: float | None = None

    @property
    def n_rows(self) -> int:
        return len(self.values)

    @property
    def n_cols(self) -> int:
        return max((len(r) for r in self.values), default=0)

    def style_at(self, col_offset: int) -> CellStyle | None:
        if self.column_styles is not None and col_offset < len(self.column_styles):
            return self.column_styles[col_offset]
        return self.style


class FrameBlock(Block):
    """A table body held as columns (pandas Series or arrays of equal length), one style each.

    The file renderer writes the columns directly (no row lists: a 250,000-row table costs
    megabytes, not a gigabyte); any other reader sees ``values``, the rows as
    :func:`frame_value` converts them, built on first use.
    """

    def __init__(
        self,
        row: int,
        col: int,
        columns: Sequence[Any],
        column_styles: list[CellStyle],
        row_height: float | None = None,
        *,
        group_column: int | None = None,
    ) -> None:
        lengths = {len(c) for c in columns}
        if len(lengths) > 1 or len(column_styles) != len(columns):
            raise ValueError("FrameBlock: columns of unequal length, or not one style per column")
        self.row = row
        self.col = col
        self.columns = tuple(columns)
        self.style = None
        self.column_styles = column_styles
        self.row_height = row_height
        # Rows come in runs of equal values of this column (a project's, a person's): a file
        # renderer may keep each run's XML for the next run (pmo_xl.sheet_pieces).
        self.group_column = group_column
        self._rows: list[list[Value]] | None = None
        self._n_rows = lengths.pop() if lengths else 0

    @property
    def values(self) -> list[list[Value]]:
        """The rows, converted like :func:`frame_value` (built once; treat as read-only)."""
        if self._rows is None:
            self._rows = [[frame_value(v) for v in row] for row in zip(*self.columns, strict=True)]
        return self._rows

    @values.setter
    def values(self, rows: list[list[Value]]) -> None:
        raise AttributeError("a FrameBlock's values are its columns")

    @property
    def n_rows(self) -> int:
        return self._n_rows

    @property
    def n_cols(self) -> int:
        return len(self.columns) if self._n_rows else 0

    def __repr__(self) -> str:
        return f"FrameBlock(row={self.row}, col={self.col}, {self._n_rows} × {len(self.columns)})"


def frame_value(value: Any) -> Value:
    """pandas/numpy scalars → values a renderer writes (NaN/NaT → blank, timestamps → dates, or
    date-times when they hold a time of day: the history's "Calculé le")."""
    # Plain values first, as the checks below treat them: the outputs of 1,000 projects ask
    # for some 90,000 (the COPIL's texts, numbers and dates, the sheets' mixed columns).
    if isinstance(value, str | int):  # bool is an int
        return value
    kind = type(value)
    if kind is dt.date and isinstance(value, dt.date):  # not a datetime, nor a Timestamp
        return value
    if kind is float and isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    import pandas as pd

    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        moment = value.to_pydatetime()
        return moment if moment.time() != dt.time() else moment.date()
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dt.date | str | bool | int):
        return value
    if hasattr(value, "item"):  # numpy scalar
        return frame_value(value.item())
    return str(value)


@dataclass(frozen=True)
class Range:
    """A 0-based inclusive rectangle."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def a1(self) -> str:
        from pmo_xl.workbook import cell_address

        start = cell_address(self.first_row + 1, self.first_col + 1)
        end = cell_address(self.last_row + 1, self.last_col + 1)
        return start if start == end else f"{start}:{end}"


class Link(NamedTuple):
    """A hyperlink to a cell of this workbook (``sheet``, ``cell``) or of another ``file``.

    A named tuple: a findings sheet makes one per finding (17,765 at 1,000 projects), and a
    frozen dataclass took five times as long to make (0.028 s)."""

    row: int
    col: int
    text: str
    cell: str  # e.g. "F12"
    sheet: str | None = None
    file: str | None = None  # path of another workbook; None = this workbook


@dataclass(frozen=True)
class Note:
    """A comment/note on a cell (used to explain a finding at the offending cell)."""

    row: int
    col: int
    text: str
    author: str = "pmo_xl"


@dataclass(frozen=True)
class ConditionalFormat:
    """Style cells of ``range`` whose value satisfies the rule.

    kinds: ``equals`` (value == ``value``), ``greater`` (> ``value``), ``less`` (< ``value``),
    ``between`` (``value`` ≤ x ≤ ``value2``), ``text_contains`` (``value`` is a str).
    """

    range: Range
    kind: Literal["equals", "greater", "less", "between", "text_contains"]
    value: float | str
    style: CellStyle
    value2: float | None = None


@dataclass(frozen=True)
class Series:
    name: str
    values: Range
    color: str | None = None


@dataclass(frozen=True)
class Chart:
    """A native chart whose data lies in this sheet. ``anchor`` is the 0-based top-left cell."""

    kind: Literal["column", "bar", "line"]
    title: str
    categories: Range
    series: tuple[Series, ...]
    anchor: tuple[int, int]
    width_px: int = 480
    height_px: int = 260
    y_title: str | None = None
    number_format: NumberFormat = "general"


@dataclass(frozen=True)
class Validation:
    """A dropdown on ``range``: fixed ``choices``, or a ``source`` (``=Ressources!$A$2:$A$50``)."""

    range: Range
    choices: tuple[str, ...] = ()
    source: str | None = None
    prompt: str | None = None


@dataclass(frozen=True)
class TableDef:
    """An Excel Table (ListObject) over ``range`` whose first row is the header."""

    range: Range
    name: str
    style: str = "Table Style Medium 2"
    columns: tuple[str, ...] = ()
    formulas: dict[str, str] = field(default_factory=dict)  # header -> structured formula


@dataclass(frozen=True)
class PrintSetup:
    landscape: bool = True
    paper: Literal["A4"] = "A4"
    fit_width: int = 1
    fit_height: int = 0  # 0 = as many pages as needed
    repeat_rows: tuple[int, int] | None = None  # 0-based inclusive
    print_area: Range | None = None
    margins_cm: float = 1.0
    header: str | None = None
    footer: str | None = None
    center_horizontally: bool = True
    # 0-based rows that start a new page (manual breaks, e.g. so that no section is cut).
    row_breaks: tuple[int, ...] = ()


@dataclass
class SheetLayout:
    """One sheet to (re)write: values in blocks, and how they look, print and behave."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    column_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)  # points, 0-based rows
    freeze: tuple[int, int] | None = None  # first unfrozen (row, col), 0-based
    autofilter: Range | None = None
    merges: list[tuple[Range, Value, CellStyle | None]] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    validations: list[Validation] = field(default_factory=list)
    tables: list[TableDef] = field(default_factory=list)
    print_setup: PrintSetup | None = None
    tab_color: str | None = None
    hide_gridlines: bool = False
    lang: Literal["fr", "en"] = "fr"

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def to_grid(self) -> Grid:
        """The values as a reader would see them (formulas as their cached value)."""
        cells: dict[tuple[int, int], CellValue] = {}
        for block in self.blocks:
            for r, row in enumerate(block.values):
                for c, value in enumerate(row):
                    cells[(block.row + r, block.col + c)] = _as_cell_value(value)
        for rng, value, _style in self.merges:
            cells[(rng.first_row, rng.first_col)] = _as_cell_value(value)
        if not cells:
            return Grid([])
        n_rows = max(r for r, _ in cells) + 1
        n_cols = max(c for _, c in cells) + 1
        rows: list[list[CellValue]] = [[None] * n_cols for _ in range(n_rows)]
        for (r, c), value in cells.items():
            rows[r][c] = value
        return Grid(rows)


@dataclass(frozen=True)
class Pending:
    """A sheet whose layout another process is still building: renderers place it at its rank
    and fill it last, so that the other sheets are written meanwhile."""

    name: str
    resolve: Callable[[], SheetLayout]


def _as_cell_value(value: Value) -> CellValue:
    if isinstance(value, Formula):
        return value.cached if value.cached is not None else Uncached(value.text)
    return value


def is_error_literal(value: object) -> bool:
    from pmo_xl.workbook import ERROR_LITERALS

    return isinstance(value, str) and value.strip().upper() in ERROR_LITERALS


__all__ = [
    "NUMBER_FORMATS",
    "NUMBER_FORMATS_EN",
    "Block",
    "CellError",
    "CellStyle",
    "Chart",
    "ConditionalFormat",
    "Formula",
    "FrameBlock",
    "Link",
    "Note",
    "Pending",
    "PrintSetup",
    "Range",
    "Series",
    "SheetLayout",
    "TableDef",
    "Validation",
    "Value",
    "dt",
    "frame_value",
]
