"""Build the JSON an xlwings client sends (Office.js add-in, or VBA's RunRemotePython) for tests.

``xw.Book(json=payload)`` then gives a remote-engine book that records every write as an
action in ``book.json()["actions"]`` instead of touching Excel. Format as read by
``xlwings/pro/_xlremote.py`` 0.37.8: ``values`` always start at A1, empty cells are ``""``,
dates are ISO strings ending in ``Z``; ``used_range_address`` gives the used range's real
origin; only the Office.js client sends ``notes`` (and supports notes, gridlines, alignment).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
import xlwings as xw

from pmo_xl.layout import SheetLayout
from pmo_xl.workbook import CellError, Grid, Uncached, WorkbookSource, cell_address


def client_value(value: object) -> object:
    """A Python cell value as the client serialises it."""
    if value is None:
        return ""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, Uncached):
        return ""  # a file saved without computed values: Excel would show the result
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00.000Z"
    return value


def sheet_payload(
    name: str,
    rows: Sequence[Sequence[object]] | Grid,
    *,
    client: str = "Office.js",
    notes: Sequence[str] = (),
    visible: bool = True,
) -> dict[str, Any]:
    """One sheet: ``rows`` start at A1, or at a :class:`Grid`'s own origin; ``notes`` are cells."""
    first_row, first_col = (rows.first_row, rows.first_col) if isinstance(rows, Grid) else (1, 1)
    data = rows.rows if isinstance(rows, Grid) else rows
    n_rows = first_row - 1 + len(data)
    n_cols = first_col - 1 + max((len(r) for r in data), default=0)
    values: list[list[object]] = [[""] * n_cols for _ in range(n_rows)]
    for r, row in enumerate(data):
        for c, value in enumerate(row):
            values[first_row - 1 + r][first_col - 1 + c] = client_value(value)
    sheet: dict[str, Any] = {
        "name": name,
        "values": values if values else [[]],
        "pictures": [],
        "tables": [],
    }
    if client == "Office.js":
        used = None
        if data and n_cols:
            start = cell_address(first_row, first_col)
            end = cell_address(n_rows, n_cols)
            used = start if start == end else f"{start}:{end}"
        sheet.update(
            used_range_address=used,
            visibility="Visible" if visible else "Hidden",
            show_gridlines=True,
            notes=[{"address": cell} for cell in notes],
            shapes=[],
            charts=[],
            pivot_tables=[],
            print_area=None,
        )
    return sheet


def payload_from_grids(
    sheets: Mapping[str, Sequence[Sequence[object]] | Grid],
    *,
    client: str = "Office.js",
    book_name: str = "pmo.xlsm",
    active_sheet: int = 0,
    notes: Mapping[str, Sequence[str]] | None = None,
    hidden: Sequence[str] = (),
) -> dict[str, Any]:
    """The whole book as the client sends it: ``{"Projet": [["Code projet", "PRJ-1"]], ...}``."""
    return {
        "client": client,
        "version": xw.__version__,
        "book": {"name": book_name, "active_sheet_index": active_sheet, "selection": "A1"},
        "names": [],
        "sheets": [
            sheet_payload(
                n,
                rows,
                client=client,
                notes=(notes or {}).get(n, ()),
                visible=n not in hidden,
            )
            for n, rows in sheets.items()
        ],
    }


def grids_of(source: WorkbookSource | Sequence[SheetLayout]) -> dict[str, Grid]:
    """Every sheet of a workbook (a file, a demo workbook) or of layouts, as grids."""
    if isinstance(source, WorkbookSource):
        return {name: source.read_sheet(name) for name in source.sheet_names()}
    return {layout.name: layout.to_grid() for layout in source}


def remote_book(
    monkeypatch: pytest.MonkeyPatch,
    sheets: Mapping[str, Sequence[Sequence[object]] | Grid],
    **kwargs: Any,
) -> xw.Book:
    """A remote-engine book over ``sheets``; the licence key is set for this test only."""
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    _register_remote_engine()
    return xw.Book(json=payload_from_grids(sheets, **kwargs))


def _register_remote_engine() -> None:
    """xlwings registers its remote engine at import time only if a licence key was set then."""
    if "remote" in xw.engines.engines_by_name:
        return
    from xlwings.main import Engine
    from xlwings.pro import _xlremote

    xw.engines.add(Engine(impl=_xlremote.engine))


def actions(book: xw.Book, func: str | None = None) -> list[dict[str, Any]]:
    """The actions the book would send back to Excel, optionally only those of one kind."""
    found: list[dict[str, Any]] = book.json()["actions"]
    return [a for a in found if func is None or a["func"] == func]
