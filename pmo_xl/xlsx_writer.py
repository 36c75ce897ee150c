"""Render :class:`~pmo_xl.layout.SheetLayout` values into a new .xlsx/.xlsm file with XlsxWriter.

Every value is written with its typed call (``write_string`` for text, so user text never becomes
a formula or an error), text is cleaned of characters XML forbids (each cleaned cell is reported
as a :class:`TextNote`), and the same input always gives the same bytes. A large table
(:class:`~pmo_xl.layout.FrameBlock`) is written column by column as sheet XML spliced into the
file, with the same cells, styles and notes as cell by cell. Example::

    notes = render_xlsx([SheetLayout("Feuil1", [Block(0, 0, [["=1+1"]])])], Path("out.xlsx"))
    findings = [note.to_finding("out.xlsx") for note in notes]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import math
import numbers
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name

from pmo_xl import native, sheet_pieces
from pmo_xl.layout import (
    NUMBER_FORMATS,
    NUMBER_FORMATS_EN,
    Block,
    CellStyle,
    Chart,
    ConditionalFormat,
    Formula,
    FrameBlock,
    Link,
    Pending,
    Range,
    SheetLayout,
    TableDef,
    Value,
    frame_value,
)
from pmo_xl.model import Finding
from pmo_xl.safe_io import atomic_write
from pmo_xl.safe_text import MAX_CELL_CHARS, clean_text, truncate_text
from pmo_xl.sandbox import Background, in_background
from pmo_xl.sheet_pieces import Piece, PieceStore, StoredPieces
from pmo_xl.workbook import CellError, Uncached, cell_address, column_index
from pmo_xl.zip_out import Deflater, ZipOut, stored_bytes

# Fixed so that the same layouts give the same bytes; pass the cut-off date for a meaningful one.
FIXED_CREATED = dt.datetime(2000, 1, 1)
# Key of ``vba_codenames`` naming the workbook module (a sheet cannot have an empty name).
WORKBOOK_CODENAME_KEY = ""

WORKBOOK_OPTIONS: dict[str, Any] = {
    # Strings are data: XlsxWriter must never turn text into a formula, a link or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Time zones from pandas timestamps are dropped (Excel has none) instead of raising.
    "remove_timezone": True,
    # Each part assembled in memory, not in a temporary file written, zipped, then removed:
    # the big bodies are spliced in afterwards, so the parts are small (1,000 projects: 22
    # files, 0.08 s).
    "in_memory": True,
}

_TIME_FORMAT = "hh:mm"
_LINK_COLOR = "#0563C1"  # Excel's hyperlink blue
_A4 = 9  # XlsxWriter/Excel paper code
_EXCEL_EPOCH = dt.date(1900, 1, 1)
# XlsxWriter reads a chart name like "Sheet!A1" (with or without "=") as a cell reference.
_CHART_REF = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")


@dataclass(frozen=True)
class TextNote:
    """A cell whose text was changed to be writable: control characters removed, or cut."""

    sheet: str
    cell: str | None
    original: str
    code: Literal["CONTROL_CHARACTERS", "TEXT_TRUNCATED"] = "CONTROL_CHARACTERS"

    def to_finding(self, file: str, project: str | None = None) -> Finding:
        clean, _ = clean_text(self.original)
        return Finding(
            file=file,
            project=project,
            sheet=self.sheet,
            cell=self.cell,
            severity="warning",
            code=self.code,
            params={"value": clean[:60], "length": len(self.original), "limit": MAX_CELL_CHARS},
        )


@dataclass(frozen=True)
class DocumentProperties:
    """File properties; ``created`` is fixed by default so that output bytes are reproducible."""

    title: str = ""
    subject: str = ""
    author: str = "pmo_xl"
    company: str = ""
    comments: str = ""
    created: dt.datetime = FIXED_CREATED


@dataclass(frozen=True)
class ButtonSpec:
    """A form button on ``sheet`` at ``cell`` (``"B2"``) that runs VBA ``macro``."""

    sheet: str
    cell: str
    caption: str
    macro: str
    width_px: int = 160
    height_px: int = 30


def render_xlsx(
    layouts: Sequence[SheetLayout | Pending],
    path: Path,
    *,
    vba_project: Path | None = None,
    vba_codenames: dict[str, str] | None = None,
    buttons: Sequence[ButtonSpec] = (),
    properties: DocumentProperties = DocumentProperties(),
    pieces: PieceStore | None = None,
    on_closed: Callable[[], object] | None = None,
) -> list[TextNote]:
    """Write ``layouts`` as the sheets of a new workbook at ``path`` (replaced atomically).

    ``vba_project`` is a ``vbaProject.bin`` (``path`` should end in ``.xlsm``); ``vba_codenames``
    maps sheet names (and :data:`WORKBOOK_CODENAME_KEY`) to the code names its modules use. A
    :class:`~pmo_xl.layout.Pending` sheet keeps its rank and is filled after the others.
    ``pieces``: where the rows of grouped table bodies (``FrameBlock.group_column``) are kept
    between runs, each group's rows reused while its cells are the same
    (:mod:`pmo_xl.sheet_pieces`); None: every row is written anew, with shared strings.
    ``on_closed``: called once every sheet is laid out and XlsxWriter has written its parts,
    before the table bodies are spliced in (the last step, which needs no other input).
    """
    return atomic_write(
        Path(path),
        lambda tmp: _render(
            layouts, tmp, vba_project, vba_codenames or {}, buttons, properties, pieces, on_closed
        ),
    )


def _render(
    layouts: Sequence[SheetLayout | Pending],
    path: Path,
    vba_project: Path | None,
    vba_codenames: dict[str, str],
    buttons: Sequence[ButtonSpec],
    properties: DocumentProperties,
    pieces: PieceStore | None = None,
    on_closed: Callable[[], object] | None = None,
) -> list[TextNote]:
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    renderer = _Renderer(workbook, pieces)
    workbook.set_properties(
        {
            "title": properties.title,
            "subject": properties.subject,
            "author": properties.author,
            "company": properties.company,
            "comments": properties.comments,
            "created": properties.created,
        }
    )
    if vba_project is not None:
        workbook.add_vba_project(str(vba_project))
        workbook.set_vba_name(vba_codenames.get(WORKBOOK_CODENAME_KEY, "ThisWorkbook"))
    sheets = {}
    for layout in layouts:
        worksheet = workbook.add_worksheet(layout.name)
        if vba_project is not None and layout.name in vba_codenames:
            worksheet.set_vba_name(vba_codenames[layout.name])
        sheets[layout.name] = worksheet
    # Sheets still being built elsewhere are filled last, whatever their rank: the others are
    # written meanwhile, and the bytes do not depend on which one was ready first.
    for layout in [la for la in layouts if not isinstance(la, Pending)]:
        renderer.render_sheet(sheets[layout.name], layout)
    for pending in [la for la in layouts if isinstance(la, Pending)]:
        ready = pending.resolve()
        if ready.name != pending.name:
            raise ValueError(f"sheet {pending.name!r} was built as {ready.name!r}")
        renderer.render_sheet(sheets[pending.name], ready)
    for button in buttons:
        if button.sheet not in sheets:
            raise ValueError(f"Button {button.caption!r}: no sheet named {button.sheet!r}")
        row, col = xl_cell_to_rowcol(button.cell)
        sheets[button.sheet].insert_button(
            row,
            col,
            {
                "macro": button.macro,
                "caption": button.caption,
                "width": button.width_px,
                "height": button.height_px,
            },
        )
    workbook.close()
    if on_closed is not None:
        on_closed()
    if renderer.bodies:
        _splice_bodies(path, renderer.bodies, renderer)
    return renderer.notes


class _Renderer:
    """Writes sheets into one XlsxWriter workbook, sharing its format cache and its notes."""

    def __init__(self, workbook: Any, pieces: PieceStore | None = None) -> None:
        self.workbook = workbook
        self.pieces = pieces
        self.notes: list[TextNote] = []
        self._formats: dict[tuple[CellStyle | None, str, bool], Any] = {}
        self._dxf_formats: dict[tuple[CellStyle, str], Any] = {}
        self._by_props: dict[tuple[tuple[str, Any], ...], Any] = {}
        self._sheet = ""
        self._sheet_number = 0  # XlsxWriter writes sheet N as xl/worksheets/sheetN.xml
        self._body_merges: set[int] = set()  # the sheet's merges whose cells a body writes
        self._number_formats = NUMBER_FORMATS
        self.bodies: list[_FrameBody | _GroupedBody] = []

    # --- formats -----------------------------------------------------------------------------

    def cell_format(self, style: CellStyle | None, num_format: str, link: bool = False) -> Any:
        """The XlsxWriter format for a style and an explicit number format (cached)."""
        key = (style, num_format, link)
        fmt = self._formats.get(key)
        if fmt is None and key not in self._formats:
            props = _style_props(style) if style is not None else {}
            if num_format != "General":
                props["num_format"] = num_format
            if link:
                props.update(underline=1, font_color=_LINK_COLOR)
            # No format at all keeps the cell on Excel's default style (smaller file). Styles
            # that look the same share one format: a spliced table body names a format by the
            # style index XlsxWriter gave it, and a duplicate is given none of its own.
            fmt = None
            if props:
                signature = tuple(sorted(props.items()))
                fmt = self._by_props.get(signature)
                if fmt is None:
                    fmt = self._by_props[signature] = self.workbook.add_format(props)
            self._formats[key] = fmt
        return fmt

    def style_format(self, style: CellStyle | None) -> Any:
        num = self._number_formats[style.number_format] if style is not None else "General"
        return self.cell_format(style, num)

    def temporal_format(self, style: CellStyle | None, kind: str) -> Any:
        """Format of a date/datetime/time cell: the style's own if it is a date format."""
        if kind != "time" and style is not None and style.number_format in ("date", "datetime"):
            return self.style_format(style)
        num = _TIME_FORMAT if kind == "time" else self._number_formats[kind]
        return self.cell_format(style, num)

    def dxf_format(self, style: CellStyle) -> Any:
        num = self._number_formats[style.number_format]
        key = (style, num)
        if key not in self._dxf_formats:
            # Conditional formats only take font, fill, border and number format.
            props: dict[str, Any] = {"bold": style.bold, "italic": style.italic}
            if style.font_color:
                props["font_color"] = style.font_color
            if style.fill:
                props["bg_color"] = style.fill
            if style.border:
                props.update(border=1, border_color=style.border_color or "#000000")
            if num != "General":
                props["num_format"] = num
            self._dxf_formats[key] = self.workbook.add_format(props)
        return self._dxf_formats[key]

    # --- text --------------------------------------------------------------------------------

    def text(self, value: str, row: int | None, col: int | None) -> str:
        """``value`` cleaned and cut to Excel's limit, with a note when changed."""
        text, changed = clean_text(value)
        text, truncated = truncate_text(text)
        if changed or truncated:
            cell = cell_address(row + 1, col + 1) if row is not None and col is not None else None
            if changed:
                self.notes.append(TextNote(self._sheet, cell, value))
            if truncated:
                self.notes.append(TextNote(self._sheet, cell, value, "TEXT_TRUNCATED"))
        return text

    # --- sheet -------------------------------------------------------------------------------

    def render_sheet(self, ws: Any, layout: SheetLayout) -> None:
        self._sheet = layout.name
        self._sheet_number = ws.index + 1  # its part: xl/worksheets/sheet<n>.xml
        self._number_formats = NUMBER_FORMATS_EN if layout.lang == "en" else NUMBER_FORMATS
        for col, width in sorted(layout.column_widths.items()):
            ws.set_column(col, col, width)
        bodies: list[_FrameBody | _GroupedBody] = []
        self._sheet_links = len(layout.links)
        self._body_merges = set()
        for block in layout.blocks:
            frame = block if isinstance(block, FrameBlock) else _as_frame(block)
            body = self.frame_body(ws, layout, frame, block) if frame is not None else None
            if body is not None:
                bodies.append(body)
            else:
                self.write_block(ws, block)
        heights = sorted(layout.row_heights.items())
        rows = [row for row, _ in heights]
        in_body: set[int] = set()
        for body in bodies:  # the spliced rows carry their own height (the first body's)
            lo, hi = bisect_left(rows, body.first_row), bisect_right(rows, body.last_row)
            for row, height in heights[lo:hi]:
                if row not in in_body:
                    body.heights[row] = height
                    in_body.add(row)
        for row, height in heights:
            if row not in in_body:
                ws.set_row(row, height)
        self.bodies += bodies
        for k, (rng, value, style) in enumerate(layout.merges):
            if k in self._body_merges and _register_merge(ws, rng):
                continue  # its cells are the body's
            fmt = self.style_format(style)
            if (rng.first_row, rng.first_col) != (rng.last_row, rng.last_col):
                ws.merge_range(rng.first_row, rng.first_col, rng.last_row, rng.last_col, "", fmt)
            # merge_range writes through the untyped write(); the value itself is written typed.
            self.write_value(ws, rng.first_row, rng.first_col, value, style)
        # Each link a body took is one of its cells; the others are XlsxWriter's (a findings
        # sheet's 17,765 links all are its body's: not looked up one by one).
        if sum(body.n_links for body in bodies) < len(layout.links):
            in_bodies = {(r, c) for body in bodies for r, c in body.link_cells}
            for link in layout.links:
                if (link.row, link.col) not in in_bodies:
                    self.write_link(ws, layout, link)
        for note in layout.notes:
            width, height = _comment_size(note.text)
            ws.write_comment(
                note.row,
                note.col,
                self.text(note.text, note.row, note.col),
                {"author": note.author, "width": width, "height": height},
            )
        for cf in layout.conditional_formats:
            self.add_conditional_format(ws, cf)
        for table in layout.tables:
            self.add_table(ws, layout, table)
        for chart in layout.charts:
            self.add_chart(ws, layout.name, chart)
        for validation in layout.validations:
            rng = validation.range
            options: dict[str, Any] = {"validate": "list"}
            if validation.source is not None:
                options["source"] = validation.source
            else:
                options["source"] = [self.text(c, None, None) for c in validation.choices]
            if validation.prompt:
                options["input_message"] = self.text(validation.prompt, None, None)[:255]
            _check(
                ws.data_validation(
                    rng.first_row, rng.first_col, rng.last_row, rng.last_col, options
                ),
                f"validation {rng.a1()} (a list longer than 255 characters needs a source range)",
            )
        if layout.freeze is not None:
            ws.freeze_panes(*layout.freeze)
        if layout.autofilter is not None:
            a = layout.autofilter
            ws.autofilter(a.first_row, a.first_col, a.last_row, a.last_col)
        if layout.print_setup is not None:
            _print_setup(ws, layout)
        if layout.tab_color:
            ws.set_tab_color(layout.tab_color)
        if layout.hide_gridlines:
            ws.hide_gridlines(2)  # 2 = on screen and when printed

    # --- table bodies written as XML ----------------------------------------------------------

    def frame_body(
        self, ws: Any, layout: SheetLayout, block: FrameBlock, source: Block | None = None
    ) -> _FrameBody | _GroupedBody | None:
        """Plan ``block``'s cells as XML spliced in after the workbook is closed (None: write it
        cell by cell), and report its cleaned texts as the cell-by-cell writer does.

        XlsxWriter still writes a few marker cells inside the block, so that each format the
        block needs gets a style index and the workbook a shared-string table; the splice
        drops them and extends the sheet's dimension over the block. ``source``: the layout's
        block ``block`` was made from (:func:`_as_frame`), if not ``block`` itself.
        """
        first, last = block.row, block.row + block.n_rows - 1
        if block.n_rows == 0 or last >= _MAX_ROW or block.col + block.n_cols > _MAX_COL:
            return None
        for other in layout.blocks:
            # Cells of another block in the same rows would have to be merged into each row.
            if (
                other is not (source or block)
                and other.n_rows
                and other.n_cols
                and other.row <= last
                and first < other.row + other.n_rows
            ):
                return None
        if block.group_column is not None and source in (None, block):
            grouped = self.grouped_body(ws, layout, block)
            if grouped is not None:
                return grouped
        styles = [block.style_at(c) for c in range(block.n_cols)]
        columns = [
            self.plan_column(values, style)
            for values, style in zip(block.columns, styles, strict=True)
        ]
        merges = self.body_merges(ws, layout, block, columns)
        hyperlinks = self.body_links(layout, block, columns)
        markers = self.place_markers(layout, block, columns)
        if markers is None:
            return None
        self._body_merges |= merges
        for (row, col), (kind, value, fmt) in markers.items():
            if kind == "s":
                ws.write_string(row, col, value, fmt)
            else:
                ws.write_number(row, col, 0, fmt)
        found = [
            (block.row + int(r), block.col + j, dirty[int(code)])
            for j, column in enumerate(columns)
            if (dirty := column.dirty)
            for r, code in _rows_with(column.codes, list(dirty))
        ]
        for row, col, (original, changed, truncated) in sorted(found, key=lambda t: t[:2]):
            cell = cell_address(row + 1, col + 1)
            if changed:
                self.notes.append(TextNote(self._sheet, cell, original))
            if truncated:
                self.notes.append(TextNote(self._sheet, cell, original, "TEXT_TRUNCATED"))
        return _FrameBody(
            self._sheet_number,
            first,
            last,
            block.col,
            columns,
            set(markers),
            block.row_height,
            _extent(block, columns),
            sum(kind == "s" for kind, _, _ in markers.values()),
            hyperlinks=hyperlinks,
        )

    def body_merges(
        self, ws: Any, layout: SheetLayout, block: FrameBlock, columns: list[_Column]
    ) -> set[int]:
        """The merged ranges within ``block`` whose cells the body writes (their indexes in
        ``layout.merges``): the first cell's value and the others' blanks, in the merge's
        format, become entries of their columns. XlsxWriter's ``merge_range`` wrote each cell
        (the COPIL of 1,000 projects: a reason row merged over 15 columns per project, 15,000
        cells), which the splice then parsed back and merged into the rows: 0.19 s of the
        sheet's 0.27. A merge holding a link, a table or a value written otherwise than as a
        text, number, boolean or day stays XlsxWriter's."""
        first, last = block.row, block.row + block.n_rows - 1
        left, right = block.col, block.col + block.n_cols - 1
        if not layout.merges or not hasattr(ws, "merge") or not hasattr(ws, "merged_cells"):
            return set()
        candidates: list[int] = []
        at_row: dict[int, list[int]] = {}
        for k, (rng, _value, _style) in enumerate(layout.merges):
            if (
                first <= rng.first_row
                and rng.last_row <= last
                and left <= rng.first_col
                and rng.last_col <= right
                and (rng.first_row, rng.first_col) != (rng.last_row, rng.last_col)
            ):
                candidates.append(k)
                for r in range(rng.first_row, rng.last_row + 1):
                    at_row.setdefault(r, []).append(k)
        refused: set[int] = set()
        for link in layout.links:
            for k in at_row.get(link.row, ()):
                if layout.merges[k][0].first_col <= link.col <= layout.merges[k][0].last_col:
                    refused.add(k)
        tables = [t.range for t in layout.tables]
        taken: set[int] = set()
        # Per column: each entry placed, and the body rows showing it.
        placed: dict[int, dict[tuple[str, str, int], tuple[_Entry, list[int]]]] = {}

        def place(j: int, entry: _Entry, rows: range) -> None:
            kind, text, fmt = entry
            slots = placed.setdefault(j, {})
            slot = slots.get((kind, text, id(fmt)))
            if slot is None:
                slot = slots[(kind, text, id(fmt))] = (entry, [])
            slot[1].extend(rows)

        for k in candidates:
            rng, value, style = layout.merges[k]
            if k in refused or any(_overlaps(rng, t) for t in tables):
                continue
            entry = self.merge_entry(value, style, rng.first_row, rng.first_col)
            if entry is None:
                continue
            blank: _Entry = ("z", "", self.style_format(style))
            r0, r1 = rng.first_row - first, rng.last_row - first
            place(rng.first_col - left, entry, range(r0, r0 + 1))
            place(rng.first_col - left, blank, range(r0 + 1, r1 + 1))
            for c in range(rng.first_col + 1, rng.last_col + 1):
                place(c - left, blank, range(r0, r1 + 1))
            taken.add(k)
        for j, slots in placed.items():
            columns[j] = _with_cells(columns[j], list(slots.values()))
        return taken

    def merge_entry(
        self, value: Value, style: CellStyle | None, row: int, col: int
    ) -> _Entry | None:
        """A merge's value as :meth:`write_value` writes it, or None where it writes it
        otherwise than as one typed cell."""
        fmt = self.style_format(style)
        if value is None:
            return ("z", "", fmt)
        if isinstance(value, str):
            text = self.text(value, row, col)
            return ("s", text, fmt) if text else None
        if isinstance(value, bool | np.bool_):
            return ("b", "1" if value else "0", fmt)
        if isinstance(value, numbers.Real):
            number = float(value)
            return ("n", f"{number:.16G}", fmt) if math.isfinite(number) else ("z", "", fmt)
        if isinstance(value, dt.date) and value == value:
            day = value.date() if isinstance(value, dt.datetime) else value
            if day >= _EXCEL_EPOCH:
                return self.entry(value, style)
        return None

    def body_links(
        self, layout: SheetLayout, block: FrameBlock, columns: list[_Column]
    ) -> list[_Hyperlink]:
        """The links over ``block``'s cells, made cells of the body: each one's text becomes an
        entry of its column, in the hyperlink look; the ``<hyperlink>`` elements are spliced
        with the rows. XlsxWriter would write each link as a cell (a findings sheet holds
        thousands), which the splice then merges into its row."""
        cells, hyperlinks = self.plan_links(layout, block)
        for j, (rows, entries) in cells.items():
            _add_links(columns[j], rows, entries)
        return hyperlinks

    def plan_links(
        self, layout: SheetLayout, block: FrameBlock
    ) -> tuple[dict[int, tuple[list[int], list[tuple[str, Any]]]], list[_Hyperlink]]:
        """The cells of the links over ``block``: per column, their rows (from the block's
        first) and what each shows (its text, in the column's look in hyperlink blue); and
        the ``<hyperlink>`` elements' places and targets.

        Links over a merged range are left to XlsxWriter (the merge writes its cell later);
        so are links beyond Excel's limits (XlsxWriter keeps their text, as
        :meth:`write_link`)."""
        first, last = block.row, block.row + block.n_rows - 1
        left, right = block.col, block.col + block.n_cols
        merged = [rng for rng, _, _ in layout.merges]
        # By row * _MAX_COL + col: ints sort ten times faster than (row, col) tuples.
        over: dict[int, Link] = {}
        for link in layout.links:  # the last link on a cell wins, as in XlsxWriter
            row, col = link.row, link.col
            inside = first <= row <= last and left <= col < right
            if inside and not (merged and any(_inside(rng, row, col) for rng in merged)):
                over[row * _MAX_COL + col] = link
        if not over:
            return {}, []
        # Every link of the sheet counts towards Excel's limit, whoever writes it.
        budget = _MAX_LINKS - (self._sheet_links - len(over))
        hyperlinks: list[_Hyperlink] = []
        formats: dict[int, Any] = {}  # per column: its look, in hyperlink blue
        files_too_long: dict[str, bool] = {}
        # A findings sheet holds a link per row (18,000 at 1,000 projects): what links share
        # (the sheet a location names, a text already clean) is worked out once.
        prefixes: dict[str | None, str] = {}
        clean: set[str] = set()
        added: dict[int, tuple[list[int], list[tuple[str, Any]]]] = {}  # column: rows, entries
        for key in sorted(over):
            link = over[key]
            row, col = link.row, link.col
            target = link.sheet or (layout.name if link.file is None else None)
            prefix = prefixes.get(target)
            if prefix is None:
                prefix = prefixes[target] = f"{_quote_sheet(target)}!" if target else ""
            location = prefix + link.cell
            text = link.text
            if text not in clean:
                text = self.text(text, row, col)
                if text == link.text:
                    clean.add(text)
            j = col - left
            fmt = formats.get(j)
            if fmt is None:
                style = block.style_at(j)
                num_format = self._number_formats[style.number_format] if style else "General"
                fmt = formats[j] = self.cell_format(style, num_format, link=True)
            rows, entries = added.get(j) or added.setdefault(j, ([], []))
            rows.append(row - first)
            entries.append((text, fmt))
            if link.file is None:
                too_long = _too_long("internal:" + location)
            else:
                file_too_long = files_too_long.get(link.file)
                if file_too_long is None:
                    file_too_long = _too_long("external:" + link.file)
                    files_too_long[link.file] = file_too_long
                too_long = file_too_long or _too_long(location)
            if too_long or budget <= 0:
                continue  # the text, in the link's look, without the link (as write_link)
            budget -= 1
            hyperlinks.append((row, col, link.file, location, text))
        return added, hyperlinks

    def place_markers(
        self, layout: SheetLayout, block: FrameBlock, columns: list[_Column]
    ) -> dict[tuple[int, int], _Entry] | None:
        """Marker cells: one per format the block uses, and one shared string; in its first
        cells where nothing else writes (a link or merge there stays). None: not enough room.

        They sit in the block's first rows: XlsxWriter walks every row up to its last cell.
        """
        formats: dict[int, Any] = {}
        text: str | None = None
        for column in columns:
            for fmt in [column.blank, *column.formats, *(f for _, f in column.links)]:
                if fmt is not None:
                    formats.setdefault(id(fmt), fmt)
            if text is None:
                text = column.first_text()
        payloads: list[_Entry] = [("n", "", fmt) for fmt in formats.values()]
        if text is not None:  # so that the workbook has a shared-string table to extend
            payloads.append(("s", text, None))
        places = _marker_places(layout, block, len(payloads))
        return None if places is None else dict(zip(places, payloads, strict=True))

    def grouped_body(self, ws: Any, layout: SheetLayout, block: FrameBlock) -> _GroupedBody | None:
        """Plan ``block`` as a grouped body (see :mod:`pmo_xl.sheet_pieces`), or None to write
        it as any other body: no piece store, no C code, a body not in column A (a row's
        first cell without a number is in A), or links, merges or tables in its rows, in any
        column (rows without numbers cannot take cells written apart).

        Its cells are planned once the workbook is closed, for the groups not kept from the
        last run; so every format its cells may take (a column's own, and its date and
        date-time formats where a date may appear, its links' look) gets a marker cell now,
        hence a style index. Links over its cells are its cells (their text, in the link
        look); their ``<hyperlink>`` elements are made on every run (they name rows)."""
        if self.pieces is None or not native.enabled() or block.col != 0:
            return None
        first, last = block.row, block.row + block.n_rows - 1
        left, right = block.col, block.col + block.n_cols
        # A link in its rows beside it is a cell written apart (by XlsxWriter, or merged in).
        if any(first <= link.row <= last and not left <= link.col < right for link in layout.links):
            return None
        ranges = [rng for rng, _, _ in layout.merges] + [t.range for t in layout.tables]
        if any(rng.first_row <= last and first <= rng.last_row for rng in ranges):
            return None
        links, hyperlinks = self.plan_links(layout, block)
        styles = [block.style_at(c) for c in range(block.n_cols)]
        candidates: list[list[Any]] = []
        for j, (values, style) in enumerate(zip(block.columns, styles, strict=True)):
            dtype = getattr(values, "dtype", None)
            formats = [self.style_format(style)]
            if not (isinstance(dtype, np.dtype) and dtype.kind in "biuf"):  # a date may appear
                formats += [self.temporal_format(style, k) for k in ("date", "datetime")]
            if j in links:
                formats += list({id(fmt): fmt for _, fmt in links[j][1]}.values())
            candidates.append(formats)
        distinct = {id(f): f for formats in candidates for f in formats if f is not None}
        places = _marker_places(layout, block, len(distinct))
        if places is None:
            return None
        for (row, col), fmt in zip(places, distinct.values(), strict=True):
            ws.write_number(row, col, 0, fmt)
        return _GroupedBody(
            self._sheet_number,
            first,
            last,
            block.col,
            block,
            styles,
            candidates,
            set(places),
            block.row_height,
            self._sheet,
            self._number_formats,
            hyperlinks=hyperlinks,
            links={
                j: (np.asarray(rows, dtype=np.intp), entries)
                for j, (rows, entries) in links.items()
            },
        )

    def plan_column(self, values: Any, style: CellStyle | None) -> _Column:
        """One column as entries (its distinct cells) and, per row, the entry it shows."""
        base = self.style_format(style)
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        dtype = series.dtype
        # numpy dtypes only: pandas' nullable ones hold pd.NA, which frame_value writes as text.
        plain = isinstance(dtype, np.dtype)
        if plain and dtype.kind in "iuf":  # numbers; NaN and infinities are blanks
            codes, uniques = _factorize(series.to_numpy(dtype=np.float64), np.isfinite)
            return _Column(codes, list(map("{:.16G}".format, uniques.tolist())), "n", base)
        if plain and dtype.kind == "b":
            return _Column(series.to_numpy(dtype=np.intp), ["0", "1"], "b", base)
        if plain and dtype.kind == "M":  # naive timestamps: their day, or their moment if timed
            missing = np.iinfo(np.int64).min
            ticks = series.to_numpy().astype("datetime64[us]").view(np.int64)
            known = ticks != missing
            if not ((ticks % _DAY_US != 0) & known).any():
                days = np.where(known, ticks // _DAY_US, missing)
                codes, uniques = _factorize(days, lambda u: u != missing)
                entries = [
                    self.entry(_UNIX_DAY + dt.timedelta(days=d), style) for d in uniques.tolist()
                ]
                return _Column.mixed(codes, entries, base)
            codes, uniques = _factorize(ticks, lambda u: u != missing)
            moments = [_UNIX_MOMENT + dt.timedelta(microseconds=t) for t in uniques.tolist()]
            return _Column.mixed(codes, [self.entry(m, style) for m in moments], base)
        cells = series.to_numpy(dtype=object)
        string_dtype = isinstance(dtype, pd.StringDtype) and dtype.na_value is not pd.NA
        kinds = set() if string_dtype else set(map(type, cells))
        if string_dtype or kinds <= {str, type(None)}:
            codes, uniques = pd.factorize(cells)
            texts, dirty = _clean_texts(uniques.tolist())
            return _Column(np.asarray(codes, dtype=np.intp), texts, "s", base, dirty=dirty)
        # Numbers or dates with blanks (the COPIL's and the consolidation's object columns):
        # as the typed columns they would be, the same cells without a Python step per value.
        typed = _typed_cells(cells, kinds)
        if typed is not None:
            return self.plan_column(pd.Series(typed, copy=False), style)
        return self.generic_column(cells, style, base)

    def generic_column(self, cells: Any, style: CellStyle | None, base: Any) -> _Column:
        """Any mix of values, each converted as :func:`frame_value` and typed as write_value."""
        index: dict[tuple[type, Any], int] = {}
        entries: list[_Entry] = []
        dirty: dict[int, tuple[str, bool, bool]] = {}
        codes = np.full(len(cells), -1, dtype=np.intp)
        for i, cell in enumerate(cells.tolist()):
            value = frame_value(cell)
            if value is None or value != value:  # NaN, NaT
                continue
            if not isinstance(value, bool | int | float | dt.date):
                value = str(value)
            key = (type(value), value)
            code = index.get(key)
            if code is None:
                code = index[key] = len(entries)
                if isinstance(value, str):
                    texts, found = _clean_texts([value])
                    if found:
                        dirty[code] = found[0]
                    entries.append(("s", texts[0], base))
                else:
                    entries.append(self.entry(value, style))
            codes[i] = code
        column = _Column.mixed(codes, entries, base)
        column.dirty = dirty
        return column

    def entry(self, value: bool | float | dt.date, style: CellStyle | None) -> _Entry:
        """A number, boolean or date as ``(kind, text, format)``, typed as write_value does."""
        base = self.style_format(style)
        if isinstance(value, bool):
            return ("b", "1" if value else "0", base)
        if isinstance(value, int | float):
            return ("n", f"{value:.16G}", base)
        day = value.date() if isinstance(value, dt.datetime) else value
        if day < _EXCEL_EPOCH:  # Excel has no dates before 1900: kept as text
            return ("s", value.isoformat(), base)
        timed = isinstance(value, dt.datetime) and value.time() != dt.time(0)
        fmt = self.temporal_format(style, "datetime" if timed else "date")
        return ("n", f"{_excel_serial(value):.16G}", fmt)

    def write_block(self, ws: Any, block: Block) -> None:
        # The hot path (100k+ rows): common types are tested first with local names (bool
        # before int, as True is an int), formats are resolved once per column, rarer types
        # go through write_value.
        n_cols = block.n_cols
        styles = [block.style_at(c) for c in range(n_cols)]
        formats = [self.style_format(s) for s in styles]
        date_formats = [self.temporal_format(s, "date") for s in styles]
        write_string, write_number = ws.write_string, ws.write_number
        write_blank, write_boolean = ws.write_blank, ws.write_boolean
        write_datetime = ws.write_datetime
        text_of = self.text
        col0 = block.col
        if block.row_height is not None:
            for r in range(block.row, block.row + block.n_rows):
                ws.set_row(r, block.row_height)
        for row, values in enumerate(block.values, start=block.row):
            for col, value in enumerate(values, start=col0):
                if isinstance(value, str):
                    text, changed = clean_text(value)
                    if changed or len(text) > MAX_CELL_CHARS:
                        text = text_of(value, row, col)
                    write_string(row, col, text, formats[col - col0])
                elif value is None:
                    write_blank(row, col, None, formats[col - col0])
                elif isinstance(value, bool):
                    write_boolean(row, col, value, formats[col - col0])
                elif isinstance(value, float | int):
                    if math.isfinite(value):
                        write_number(row, col, value, formats[col - col0])
                    else:  # NaN (missing in pandas) and inf have no Excel value
                        write_blank(row, col, None, formats[col - col0])
                elif type(value) is dt.date and value >= _EXCEL_EPOCH:
                    write_datetime(row, col, value, date_formats[col - col0])
                else:
                    self.write_value(ws, row, col, value, styles[col - col0])

    def write_value(
        self, ws: Any, row: int, col: int, value: Value, style: CellStyle | None
    ) -> None:
        """Write one value with the call matching its type (never the untyped ``write``)."""
        fmt = self.style_format(style)
        if value is None:
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            ws.write_string(row, col, self.text(value, row, col), fmt)
        elif isinstance(value, Formula):
            cached = value.cached
            if isinstance(cached, str):
                cached = clean_text(cached)[0]
            ws.write_formula(row, col, value.text, fmt, cached)
        elif isinstance(value, CellError | Uncached):
            ws.write_string(row, col, self.text(str(value), row, col), fmt)
        elif isinstance(value, bool | np.bool_):
            ws.write_boolean(row, col, bool(value), fmt)
        elif isinstance(value, numbers.Real):  # numpy numbers
            number = float(value)
            if math.isfinite(number):
                ws.write_number(row, col, number, fmt)
            else:
                ws.write_blank(row, col, None, fmt)
        elif isinstance(value, dt.datetime | dt.date):
            if value != value:  # pandas NaT
                ws.write_blank(row, col, None, fmt)
            elif (value.date() if isinstance(value, dt.datetime) else value) < _EXCEL_EPOCH:
                # Excel has no dates before 1900: keep the information as text.
                ws.write_string(row, col, value.isoformat(), fmt)
            else:
                timed = isinstance(value, dt.datetime) and value.time() != dt.time(0)
                ws.write_datetime(
                    row, col, value, self.temporal_format(style, "datetime" if timed else "date")
                )
        elif isinstance(value, dt.time):
            ws.write_datetime(row, col, value, self.temporal_format(style, "time"))
        else:
            ws.write_string(row, col, self.text(str(value), row, col), fmt)

    def write_link(self, ws: Any, layout: SheetLayout, link: Link) -> None:
        target = link.sheet or (layout.name if link.file is None else None)
        location = f"{_quote_sheet(target)}!{link.cell}" if target else link.cell
        url = f"internal:{location}" if link.file is None else f"external:{link.file}#{location}"
        text = self.text(link.text, link.row, link.col)
        # The link keeps the look of the cell it sits on, in hyperlink blue.
        style = _style_at(layout, link.row, link.col)
        num_format = self._number_formats[style.number_format] if style else "General"
        fmt = self.cell_format(style, num_format, link=True)
        if ws.write_url(link.row, link.col, url, fmt, text) < 0:
            # Over Excel's limits (URL length, 65,530 links per sheet): keep the text.
            ws.write_string(link.row, link.col, text, fmt)

    def add_conditional_format(self, ws: Any, cf: ConditionalFormat) -> None:
        options: dict[str, Any] = {"format": self.dxf_format(cf.style)}
        if cf.kind == "text_contains":
            options.update(
                type="text", criteria="containing", value=self.text(str(cf.value), None, None)
            )
        elif cf.kind == "between":
            options.update(type="cell", criteria="between", minimum=cf.value, maximum=cf.value2)
        else:
            criteria = {"equals": "==", "greater": ">", "less": "<"}[cf.kind]
            options.update(type="cell", criteria=criteria, value=_criteria_value(cf.value))
        r = cf.range
        _check(
            ws.conditional_format(r.first_row, r.first_col, r.last_row, r.last_col, options),
            f"conditional format {r.a1()}",
        )

    def add_table(self, ws: Any, layout: SheetLayout, table: TableDef) -> None:
        r = table.range
        headers = list(table.columns) or [
            _header_text(_value_at(layout, r.first_row, c))
            for c in range(r.first_col, r.last_col + 1)
        ]
        columns: list[dict[str, Any]] = []
        seen: set[str] = set()
        for offset, header in enumerate(headers):
            # Excel requires non-empty headers, unique ignoring case.
            name = self.text(header, r.first_row, r.first_col + offset) or f"Colonne{offset + 1}"
            base, n = name, 2
            while name.lower() in seen:
                name, n = f"{base} {n}", n + 1
            seen.add(name.lower())
            col = r.first_col + offset
            column: dict[str, Any] = {
                "header": name,
                # add_table rewrites the header cells: keep the layout's look on them.
                "header_format": self.style_format(_style_at(layout, r.first_row, col)),
            }
            if name in table.formulas:
                column["formula"] = table.formulas[name]
                column["format"] = self.style_format(_style_at(layout, r.first_row + 1, col))
            columns.append(column)
        _check(
            ws.add_table(
                r.first_row,
                r.first_col,
                r.last_row,
                r.last_col,
                {"name": table.name, "style": table.style, "columns": columns},
            ),
            f"table {table.name}",
        )

    def add_chart(self, ws: Any, sheet: str, spec: Chart) -> None:
        chart = self.workbook.add_chart({"type": spec.kind})
        for series in spec.series:
            options: dict[str, Any] = {
                "name": _chart_text(self.text(series.name, None, None)),
                "categories": _range_list(sheet, spec.categories),
                "values": _range_list(sheet, series.values),
            }
            if series.color:
                options["line" if spec.kind == "line" else "fill"] = {"color": series.color}
            chart.add_series(options)
        chart.set_title(
            {"name": _chart_text(self.text(spec.title, None, None)), "name_font": {"size": 12}}
        )
        # Small axis labels: at the default size a reader skips every other category label.
        small = {"size": 8}
        value_axis: dict[str, Any] = {
            "num_format": self._number_formats[spec.number_format],
            "num_font": small,
        }
        if spec.y_title:
            value_axis["name"] = _chart_text(self.text(spec.y_title, None, None))
        # A bar chart is a column chart turned sideways: its value axis is the x axis.
        set_values, set_categories = (
            (chart.set_x_axis, chart.set_y_axis)
            if spec.kind == "bar"
            else (chart.set_y_axis, chart.set_x_axis)
        )
        set_values(value_axis)
        set_categories({"num_font": small})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": spec.width_px, "height": spec.height_px})
        _check(ws.insert_chart(spec.anchor[0], spec.anchor[1], chart), f"chart {spec.title}")


def _style_props(style: CellStyle) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if style.bold:
        props["bold"] = True
    if style.italic:
        props["italic"] = True
    if style.size is not None:
        props["font_size"] = style.size
    if style.font_color:
        props["font_color"] = style.font_color
    if style.fill:
        props.update(pattern=1, bg_color=style.fill)
    if style.align:
        props["align"] = style.align
    if style.valign:
        props["valign"] = "vcenter" if style.valign == "center" else style.valign
    if style.wrap:
        props["text_wrap"] = True
    if style.border:
        props["border"] = 1
        if style.border_color:
            props["border_color"] = style.border_color
    if style.indent:
        props["indent"] = style.indent
    return props


def _print_setup(ws: Any, layout: SheetLayout) -> None:
    setup = layout.print_setup
    assert setup is not None
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(_A4)
    ws.fit_to_pages(setup.fit_width, setup.fit_height)
    if setup.repeat_rows is not None:
        ws.repeat_rows(*setup.repeat_rows)
    if setup.print_area is not None:
        a = setup.print_area
        ws.print_area(a.first_row, a.first_col, a.last_row, a.last_col)
    inches = setup.margins_cm / 2.54
    ws.set_margins(left=inches, right=inches, top=inches, bottom=inches)
    # Header and footer are Excel header codes ("&CTitle", "Page &P / &N"); they sit inside
    # the page margin.
    if setup.header:
        ws.set_header(clean_text(setup.header)[0], {"margin": inches / 2})
    if setup.footer:
        ws.set_footer(clean_text(setup.footer)[0], {"margin": inches / 2})
    if setup.center_horizontally:
        ws.center_horizontally()
    if setup.row_breaks:
        # XlsxWriter's break at row r falls between rows r - 1 and r (0-based): before row r.
        ws.set_h_pagebreaks(sorted(setup.row_breaks))


def _check(result: int | None, what: str) -> None:
    # XlsxWriter warns and returns a negative code for what Excel would reject; for
    # presentation built by pmo_xl itself that is a bug worth stopping on.
    if result is not None and result < 0:
        raise ValueError(f"XlsxWriter rejected the {what} (code {result})")


def _block_at(layout: SheetLayout, row: int, col: int) -> Block | None:
    for block in reversed(layout.blocks):  # a later block overwrites an earlier one
        if (
            block.row <= row < block.row + block.n_rows
            and block.col <= col < block.col + block.n_cols
        ):
            return block
    return None


def _style_at(layout: SheetLayout, row: int, col: int) -> CellStyle | None:
    block = _block_at(layout, row, col)
    return block.style_at(col - block.col) if block is not None else None


def _value_at(layout: SheetLayout, row: int, col: int) -> Value:
    block = _block_at(layout, row, col)
    if block is None:
        return None
    if isinstance(block, FrameBlock):  # one cell, without building the rows
        column = block.columns[col - block.col]
        return frame_value(
            column.iloc[row - block.row] if hasattr(column, "iloc") else column[row - block.row]
        )
    values = block.values[row - block.row]
    return values[col - block.col] if col - block.col < len(values) else None


def _header_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return str(value.cached or "")
    return str(value)


# A plain block of at least this many cells is written as a frame (the COPIL's table of 1,000
# projects: 32,000 cells, each a Python call into XlsxWriter and XML made cell by cell).
_FRAME_MIN_CELLS = 2_000
_PLAIN_TYPES = frozenset({str, float, int, bool, type(None), dt.date, dt.datetime})


def _as_frame(block: Block) -> FrameBlock | None:
    """A large block of plain values (text, numbers, booleans, dates, blanks) in rows of one
    length, as a frame of the same cells; None for any other block (formulas, errors, ragged
    rows: cell by cell, as before)."""
    rows = block.values
    n_cols = block.n_cols
    if len(rows) * n_cols < _FRAME_MIN_CELLS or any(len(r) != n_cols for r in rows):
        return None
    if not {type(v) for r in rows for v in r} <= _PLAIN_TYPES:
        return None
    styles = [s for c in range(n_cols) if (s := block.style_at(c)) is not None]
    if len(styles) < n_cols:
        return None  # a frame column has one style; a block without one has none to give
    columns = [pd.Series(list(column), dtype=object) for column in zip(*rows, strict=True)]
    return FrameBlock(block.row, block.col, columns, styles, block.row_height)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _criteria_value(value: float | str) -> float | str:
    # A text criterion is an Excel string literal; an unquoted one would be a formula.
    if isinstance(value, str):
        return '"' + clean_text(value)[0].replace('"', '""') + '"'
    return value


def _chart_text(text: str) -> str:
    # Keep user text from being read as a reference: a zero-width space after "!" breaks the
    # "Sheet!A1" pattern without changing what the reader sees.
    return text.replace("!", "!\u200b") if _CHART_REF.match(text) else text


def _range_list(sheet: str, rng: Range) -> list[Any]:
    return [sheet, rng.first_row, rng.first_col, rng.last_row, rng.last_col]


def _comment_size(text: str) -> tuple[int, int]:
    """Width and height in pixels of a note box showing ``text`` without scrolling."""
    lines = sum(1 + len(line) // 48 for line in text.splitlines() or [""])
    return 320, min(max(80, 16 * lines + 12), 400)


# --- table bodies as XML -----------------------------------------------------------------------
#
# A table of 250,000 rows written cell by cell through XlsxWriter costs tens of seconds and a
# gigabyte (a Python object per cell, then XML per cell). A FrameBlock is instead planned column
# by column (numpy, one entry per distinct value), XlsxWriter writes everything else, and the
# block's rows are generated as XML and spliced into the closed file's sheet, with the same
# markup XlsxWriter would have written: shared strings, style indexes, row heights.

# (kind, text, format): "n" number text, "b" boolean "0"/"1", "s" text (cleaned, shared string).
_Entry = tuple[str, str, Any]

_MAX_ROW = 1_048_576 - 1  # 0-based, Excel's last row
_MAX_COL = 16_384
_MAX_LINKS = 65_530  # per sheet (XlsxWriter's limit, Excel's)
_MAX_URL = 2_079  # UTF-16 units of a link's address and of its location (XlsxWriter's default)
_UNIX_DAY = dt.date(1970, 1, 1)
_UNIX_MOMENT = dt.datetime(1970, 1, 1)
_DAY_US = 86_400_000_000  # microseconds in a day
_SERIAL_EPOCH = dt.datetime(1899, 12, 31)
_SST = "xl/sharedStrings.xml"
_CHUNK_ROWS = 16_384  # rows generated and compressed at a time: bounded memory
# zlib level of the spliced sheets: level 1 is ~3 times faster than XlsxWriter's 6 on this
# repetitive XML for a file ~25 % larger.
_BODY_LEVEL = 1

# XlsxWriter's escapes in shared strings: "_xHHHH_" would read as a character, so its "_" is
# written "_x005F"; control characters left (CR) become "_xHHHH_"; edge whitespace is preserved.
_SI_SPECIAL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f&<>]|^\s|\s$")
# What regular expressions call whitespace (\\s), as code points.
_WHITESPACE = np.array([c for c in range(0x3001) if chr(c).isspace()], dtype=np.uint32)
_SI_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")
_SI_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_EDGE_SPACE = re.compile(r"^\s|\s$")
_ROW_XML = re.compile(r'<row r="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
_CELL_XML = re.compile(r'<c r="([A-Z]+)\d+"[^>]*?(?:/>|>.*?</c>)', re.S)  # its column letters
_DIMENSION = re.compile(r'<dimension ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"/>')
_SI_ELEMENT = re.compile(r"<si>(.*?)</si>", re.S)
_UNIQUE_COUNT = re.compile(r'count="(\d+)" uniqueCount="(\d+)"')


@dataclass
class _Column:
    """A planned column: its distinct cells (entries), and per row the entry it shows.

    Entries are texts of one ``kind`` in the ``blank`` format (a column of one type), or of
    the per-entry ``kinds`` and ``formats`` (a mixed column, ``kind == ""``).
    """

    codes: Any  # numpy intp array, one per row; -1: blank
    texts: list[str]
    kind: str  # "n" number, "b" boolean "0"/"1", "s" text (a shared string), "": see kinds
    # (a mixed column's entries may also be "z": a blank in the entry's format)
    blank: Any  # format of a blank cell (and of every entry of a one-kind column); None: none
    kinds: list[str] = field(default_factory=list)
    formats: list[Any] = field(default_factory=list)
    dirty: dict[int, tuple[str, bool, bool]] = field(default_factory=dict)  # entry → notes
    # Cells under a link: (text, format), shared strings after the entries (their codes).
    links: list[tuple[str, Any]] = field(default_factory=list)

    @classmethod
    def mixed(cls, codes: Any, entries: list[_Entry], blank: Any) -> _Column:
        kinds = [kind for kind, _, _ in entries]
        texts = [text for _, text, _ in entries]
        return cls(codes, texts, "", blank, kinds, [fmt for _, _, fmt in entries])

    def first_text(self) -> str | None:
        if self.kind:
            return self.texts[0] if self.kind == "s" and self.texts else None
        return next((t for k, t in zip(self.kinds, self.texts, strict=True) if k == "s"), None)


def _add_links(column: _Column, rows: Any, entries: list[tuple[str, Any]]) -> None:
    """``column`` showing ``entries`` (a link's text and look) at ``rows``: each link cell an
    entry of its own, after the others."""
    codes = column.codes.copy()
    start = len(column.texts) + len(column.links)
    codes[np.asarray(rows, dtype=np.intp)] = np.arange(start, start + len(rows))
    column.codes = codes
    column.links.extend(entries)


def _with_cells(column: _Column, placed: list[tuple[_Entry, list[int]]]) -> _Column:
    """``column`` with these rows showing these entries instead (a mixed column, the entries
    it had first, so their codes stand)."""
    if column.links:
        raise RuntimeError("cells placed over a column that has links already")
    if column.kind:
        n = len(column.texts)
        column = _Column(
            column.codes,
            column.texts,
            "",
            column.blank,
            [column.kind] * n,
            [column.blank] * n,
            dict(column.dirty),
        )
    codes = column.codes.copy()
    for (kind, text, fmt), rows in placed:
        codes[np.asarray(rows, dtype=np.intp)] = len(column.texts)
        column.kinds.append(kind)
        column.texts.append(text)
        column.formats.append(fmt)
    column.codes = codes
    return column


def _overlaps(a: Range, b: Range) -> bool:
    return (
        a.first_row <= b.last_row
        and b.first_row <= a.last_row
        and a.first_col <= b.last_col
        and b.first_col <= a.last_col
    )


def _register_merge(ws: Any, rng: Range) -> bool:
    """Record a merged range whose cells are written otherwise, as ``merge_range`` records it
    (``<mergeCell>``, the sheet's extent, an overlap with another merge or a table refused);
    False where this XlsxWriter keeps its merges elsewhere (then ``merge_range`` it)."""
    merge, merged, tables = (getattr(ws, n, None) for n in ("merge", "merged_cells", "table_cells"))
    if not isinstance(merge, list) or not isinstance(merged, dict) or not isinstance(tables, dict):
        return False
    cell_range = rng.a1()
    cells = [
        (row, col)
        for row in range(rng.first_row, rng.last_row + 1)
        for col in range(rng.first_col, rng.last_col + 1)
    ]
    if not (merged.keys().isdisjoint(cells) and tables.keys().isdisjoint(cells)):
        previous = next(merged.get(c) or tables.get(c) for c in cells if c in merged or c in tables)
        raise OverlappingRange(f"Merge range '{cell_range}' overlaps previous range '{previous}'.")
    merged.update(dict.fromkeys(cells, cell_range))
    ws._check_dimensions(rng.first_row, rng.first_col)
    ws._check_dimensions(rng.last_row, rng.last_col)
    merge.append([rng.first_row, rng.first_col, rng.last_row, rng.last_col])
    return True


def _typed_cells(cells: Any, kinds: set[type]) -> np.ndarray | None:
    """An object column of numbers (not booleans) or of dates (not date-times), with blanks,
    as float64 or datetime64[D] with NaN or NaT for the blanks: :meth:`_Renderer.plan_column`
    writes them as :meth:`_Renderer.generic_column` writes the values (numbers as "%.16G" of
    their float, infinities blank; a date as its day); None for any other column."""
    values = [v for v in kinds if v is not type(None)]
    if not values:
        return None
    try:
        if set(values) <= {float, int}:
            return np.array([np.nan if v is None else v for v in cells.tolist()], dtype=np.float64)
        if values == [dt.date]:
            return np.array(cells.tolist(), dtype="datetime64[D]")  # None: NaT
    except (OverflowError, ValueError):  # an int beyond float's range: as generic_column
        return None
    return None


def _factorize(values: Any, keep: Any) -> tuple[Any, Any]:
    """``(codes, uniques)`` in order of appearance; uniques failing ``keep`` become blanks."""
    codes, uniques = pd.factorize(values)
    kept = keep(uniques)
    if not kept.all():
        remap = np.where(kept, np.cumsum(kept) - 1, -1)
        codes = np.where(codes < 0, -1, remap[codes])
        uniques = uniques[kept]
    return np.asarray(codes, dtype=np.intp), uniques


def _clean_texts(texts: list[str]) -> tuple[list[str], dict[int, tuple[str, bool, bool]]]:
    """Texts as written (cleaned, cut), and ``{index: (original, cleaned, cut)}`` if changed."""
    # Code points of all the texts at once find the few that may need clean_text (a superset
    # of what it removes: C0/C1 controls, surrogates, non-characters); it decides.
    codes = _code_points(texts)
    low = np.flatnonzero(codes < 0x20)
    low = low[~np.isin(codes[low], (0x09, 0x0A, 0x0D))]
    high = np.flatnonzero(codes >= 0x7F)
    c = codes[high]
    high = high[
        (c <= 0x9F)
        | ((c >= 0xD800) & (c <= 0xDFFF))
        | ((c >= 0xFDD0) & (c <= 0xFDEF))
        | ((c & 0xFFFE) == 0xFFFE)
    ]
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    flagged = set(_texts_at(lengths, np.concatenate((low, high))))
    flagged.update(np.flatnonzero(lengths > MAX_CELL_CHARS // 2).tolist())
    if not flagged:
        return texts, {}
    written = list(texts)
    dirty: dict[int, tuple[str, bool, bool]] = {}
    for i in sorted(flagged):
        raw = texts[i]
        text, changed = clean_text(raw)
        text, truncated = truncate_text(text)
        if changed or truncated:
            dirty[i] = (raw, changed, truncated)
        written[i] = _utf16_cut(text)
    return written, dirty


def _code_points(texts: list[str]) -> Any:
    """The code points of ``texts`` joined by newlines, as a numpy array (one per character)."""
    joined = "\n".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(joined, dtype="<u4")


def _texts_at(lengths: Any, positions: Any) -> list[int]:
    """Indexes of the texts (joined by one separator) holding the characters at ``positions``."""
    if not len(positions):
        return []
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
    found: list[int] = np.unique(np.searchsorted(starts, positions, side="right") - 1).tolist()
    return found


# A link over a body's cell: (row, col, file, location, text), to ``location`` in this
# workbook (``file`` None) or in another one. A plain tuple: a findings sheet makes one per row.
_Hyperlink = tuple[int, int, str | None, str, str]


@dataclass
class _FrameBody:
    """A FrameBlock to splice into sheet ``sheet_number`` once the workbook is closed."""

    sheet_number: int
    first_row: int
    last_row: int
    first_col: int
    columns: list[_Column]
    markers: set[tuple[int, int]]
    row_height: float | None
    extent: Range | None  # the cells it writes (for the sheet's dimension); None: none
    string_markers: int = 0
    heights: dict[int, float] = field(default_factory=dict)
    hyperlinks: list[_Hyperlink] = field(default_factory=list)

    @property
    def link_cells(self) -> list[tuple[int, int]]:
        """The cells of links the body writes (with or without their hyperlink)."""
        return [
            (self.first_row + int(r), self.first_col + j)
            for j, column in enumerate(self.columns)
            if column.links
            for r in np.flatnonzero(column.codes >= len(column.texts)).tolist()
        ]

    @property
    def n_links(self) -> int:
        return sum(len(column.links) for column in self.columns)

    @property
    def n_cells(self) -> int:
        return (self.last_row - self.first_row + 1) * len(self.columns)


def _extent(block: FrameBlock, columns: list[_Column]) -> Range | None:
    """The rectangle of the cells a body writes (a blank without a format is no cell)."""
    used = [c.blank is not None or bool((c.codes >= 0).any()) for c in columns]
    if not any(used):
        return None
    rows = np.zeros(block.n_rows, dtype=bool)
    for column in columns:
        if column.blank is not None:
            rows[:] = True
            break
        rows |= column.codes >= 0
    filled = np.flatnonzero(rows)
    cols = [j for j, u in enumerate(used) if u]
    return Range(
        block.row + int(filled[0]),
        block.col + cols[0],
        block.row + int(filled[-1]),
        block.col + cols[-1],
    )


class _Taken:
    """Whether a cell is written by a link, a merge or a table (written after the blocks)."""

    def __init__(self, layout: SheetLayout) -> None:
        self.links = {(link.row, link.col) for link in layout.links}
        self.ranges = [rng for rng, _, _ in layout.merges] + [t.range for t in layout.tables]

    def __call__(self, row: int, col: int) -> bool:
        return (row, col) in self.links or any(_inside(r, row, col) for r in self.ranges)


def _marker_places(layout: SheetLayout, block: FrameBlock, n: int) -> list[tuple[int, int]] | None:
    """The first ``n`` cells of ``block`` that nothing else writes (None: not that many).

    They sit in the block's first rows: XlsxWriter walks every row up to its last cell."""
    taken = _Taken(layout)
    first, last = block.row, block.row + block.n_rows - 1
    right = block.col + block.n_cols - 1
    places: list[tuple[int, int]] = []
    cells = ((r, c) for r in range(first, last + 1) for c in range(block.col, right + 1))
    for cell in cells:
        if len(places) >= n:
            break
        if not taken(*cell):
            places.append(cell)
    return places if len(places) >= n else None


@dataclass
class _GroupedBody:
    """A FrameBlock whose rows are written per group (:mod:`pmo_xl.sheet_pieces`) once the
    workbook is closed: planned then, for the groups the store does not hold."""

    sheet_number: int
    first_row: int
    last_row: int
    first_col: int
    block: FrameBlock
    styles: list[CellStyle | None]
    candidates: list[list[Any]]  # per column, the formats its cells may take
    markers: set[tuple[int, int]]
    row_height: float | None
    sheet: str
    number_formats: dict[str, str]
    heights: dict[int, float] = field(default_factory=dict)
    hyperlinks: list[_Hyperlink] = field(default_factory=list)
    # Per column with links: their rows (from the body's first, ascending) and what each shows.
    links: dict[int, tuple[Any, list[tuple[str, Any]]]] = field(default_factory=dict)

    @property
    def link_cells(self) -> list[tuple[int, int]]:
        """The cells of links the body writes (with or without their hyperlink)."""
        return [
            (self.first_row + r, self.first_col + j)
            for j, (rows, _) in self.links.items()
            for r in rows.tolist()
        ]

    @property
    def n_links(self) -> int:
        return sum(len(rows) for rows, _ in self.links.values())

    @property
    def n_cols(self) -> int:
        return len(self.block.columns)

    def shown_columns(self) -> list[Any]:
        """The block's columns with each link cell's text in place of the value under it."""
        columns = list(self.block.columns)
        for j, (rows, entries) in self.links.items():
            values = np.array(pd.Series(columns[j], copy=False).to_numpy(dtype=object))
            values[rows] = [text for text, _ in entries]
            columns[j] = values
        return columns

    def link_marks(self) -> Any:
        """Per row, a uint64 telling which of its cells are links (0: none): each column's
        own mark, xor-ed (any number of columns)."""
        marks = np.zeros(self.last_row - self.first_row + 1, dtype=np.uint64)
        for j, (rows, _) in self.links.items():
            marks[rows] ^= sheet_pieces.mix(np.asarray([j + 1], dtype=np.uint64))[0]
        return marks

    @property
    def extent(self) -> Range:
        return Range(
            self.first_row, self.first_col, self.last_row, self.first_col + self.n_cols - 1
        )


_writer_code: list[str] = []


def _writer_fingerprint() -> str:
    """What kept pieces depend on in pmo_xl's code: its version, this module, the text rules
    and the C code that writes rows."""
    if not _writer_code:
        from pmo_xl import __version__, safe_text

        h = hashlib.sha256(__version__.encode())
        for module in (__file__, sheet_pieces.__file__, safe_text.__file__):
            st = Path(module or "").stat()
            h.update(f"|{Path(module or '').name}:{st.st_size}:{st.st_mtime_ns}".encode())
        _writer_code.append(h.hexdigest())
    return f"{_writer_code[0]}|{native.fingerprint()}"


@dataclass
class _Groups:
    """A grouped body at the splice: its groups, their digests, the pieces the store kept for
    them (None: to make), and where that store's pieces go afterwards."""

    body: _GroupedBody
    renderer: _Renderer
    stored: StoredPieces
    starts: Any  # intp: each group's first row (within the body), then the row count
    digests: list[bytes] | None  # None: cells that cannot be digested; nothing is kept
    kept: list[Piece | None]
    tails: list[str]
    tail_codes: Any

    @classmethod
    def of(cls, body: _GroupedBody, renderer: _Renderer) -> _Groups:
        store = renderer.pieces
        assert store is not None  # a body is grouped only with a store
        indexes = [[None if f is None else f.xf_index for f in fs] for fs in body.candidates]
        if any(
            i is None and f is not None
            for fs, ix in zip(body.candidates, indexes, strict=True)
            for f, i in zip(fs, ix, strict=True)
        ):
            raise RuntimeError("a grouped body's format has no style index")
        columns = body.shown_columns() if body.links else body.block.columns
        dtypes = [str(getattr(c, "dtype", "object")) for c in columns]
        key = hashlib.sha256(
            repr((_writer_fingerprint(), body.first_col, dtypes, indexes)).encode()
        ).hexdigest()
        stored: StoredPieces | None = None
        with contextlib.suppress(Exception):  # missing or damaged: every group is made
            stored = store.load(body.sheet)
        if stored is None or stored.key != key:
            stored = StoredPieces(key, sheet_pieces.new_salt())
        assert body.block.group_column is not None
        tails, tail_codes = _row_tails(body, len(columns))
        row_codes = sheet_pieces.text_codes(tails, tail_codes)
        if body.links:  # a link cell is written in another look than the same text
            row_codes = row_codes ^ body.link_marks()
        starts, digests = sheet_pieces.grouped_fingerprints(
            columns, body.block.group_column, row_codes, stored.salt
        )
        if digests is not None:
            starts, digests = sheet_pieces.chunked(starts, digests)
        n_groups = len(starts) - 1
        kept: list[Piece | None] = (
            [None] * n_groups if digests is None else [stored.pieces.get(d) for d in digests]
        )
        return cls(body, renderer, stored, starts, digests, kept, tails, tail_codes)

    @property
    def work(self) -> int:
        """Cells of the groups to make."""
        lengths = np.diff(self.starts)
        todo = [g for g, piece in enumerate(self.kept) if piece is None]
        return int(lengths[todo].sum()) * self.body.n_cols if todo else 0

    def make(self) -> list[Piece]:
        """The pieces of the groups not kept, in order: their rows planned at once, then
        written and deflated about ``_CHUNK_ROWS`` rows at a time (bounded memory)."""
        todo = [g for g, piece in enumerate(self.kept) if piece is None]
        if not todo:
            return []
        body, renderer, starts = self.body, self.renderer, self.starts
        lengths = np.diff(starts)[todo]
        if len(todo) == len(self.kept):
            take = None  # every row: the columns as they are
        else:
            take = np.concatenate([np.arange(starts[g], starts[g + 1]) for g in todo])
        bounds = np.concatenate(([0], np.cumsum(lengths))).astype(np.intp)
        # Planned as the sheet was: its number formats; its formats exist (markers).
        renderer._number_formats, renderer._sheet = body.number_formats, body.sheet
        allowed = {id(f) for fs in body.candidates for f in fs if f is not None}
        columns: list[_Column] = []
        for values, style in zip(body.block.columns, body.styles, strict=True):
            series = values if isinstance(values, pd.Series) else pd.Series(values)
            columns.append(
                renderer.plan_column(series if take is None else series.iloc[take], style)
            )
        for j, (rows, entries) in body.links.items():  # the links in the rows made here
            at = rows if take is None else np.searchsorted(take, rows)
            made_here = (
                np.ones(len(rows), dtype=bool)
                if take is None
                else (at < len(take)) & (take[np.minimum(at, len(take) - 1)] == rows)
            )
            kept = [e for e, keep in zip(entries, made_here.tolist(), strict=True) if keep]
            _add_links(columns[j], at[made_here], kept)
        tails = [t[1:].encode("utf-8") for t in self.tails]  # no number: no quote to close
        tail_codes = self.tail_codes if take is None else self.tail_codes[take]
        opens = [b"<c"] * len(columns)
        codes = [np.ascontiguousarray(c.codes, dtype=np.intp) for c in columns]
        endings = [_inline_endings(c, allowed) for c in columns]
        notes: list[list[sheet_pieces.PieceNote]] = [[] for _ in todo]
        for j, column in enumerate(columns):
            for r, code in _rows_with(column.codes, list(column.dirty)):
                original, changed, truncated = column.dirty[int(code)]
                g = int(np.searchsorted(bounds, r, side="right")) - 1
                notes[g].append((int(r - bounds[g]), j, original, changed, truncated))
        made: list[Piece] = []
        first = 0  # first group of the batch (an index into todo)
        while first < len(todo):
            last = int(np.searchsorted(bounds, bounds[first] + _CHUNK_ROWS, side="left"))
            last = min(max(last, first + 1), len(todo))
            lo, hi = int(bounds[first]), int(bounds[last])
            xmls = native.group_rows(
                tails,
                np.ascontiguousarray(tail_codes[lo:hi], dtype=np.intp),
                opens,
                [c[lo:hi] for c in codes],
                endings,
                bounds[first : last + 1] - lo,
            )
            if xmls is None:
                raise RuntimeError("grouped bodies need the C code")
            batch_notes = [tuple(sorted(n)) for n in notes[first:last]]
            made += sheet_pieces.deflate_pieces(xmls, _BODY_LEVEL, batch_notes)
            first = last
        return made

    def all_pieces(self, made: list[Piece]) -> list[Piece]:
        """Every group's piece, in order: kept, or the next one made."""
        fresh = iter(made)
        return [piece if piece is not None else next(fresh) for piece in self.kept]

    def finish(self, made: list[Piece]) -> None:
        """The notes of every group's changed texts; the pieces kept for the next run."""
        body = self.body
        pieces = self.all_pieces(made)
        for g, piece in enumerate(pieces):
            for r, j, original, changed, truncated in piece.notes:
                row = body.first_row + int(self.starts[g]) + r
                cell = cell_address(row + 1, body.first_col + j + 1)
                if changed:
                    self.renderer.notes.append(TextNote(body.sheet, cell, original))
                if truncated:
                    self.renderer.notes.append(
                        TextNote(body.sheet, cell, original, "TEXT_TRUNCATED")
                    )
        if self.digests is None or self.renderer.pieces is None:
            return
        keep = dict(zip(self.digests, pieces, strict=True))
        if made or len(keep) != len(self.stored.pieces):
            stored = StoredPieces(self.stored.key, self.stored.salt, keep)
            with contextlib.suppress(Exception):  # only the next run's speed is at stake
                self.renderer.pieces.save(body.sheet, stored)


def _inline_endings(column: _Column, allowed: set[int]) -> list[bytes | None]:
    """What follows ``<c`` for each entry of a column, then for a blank, in a row without
    numbers: text inline, and a blank always a cell (a cell left out would move the next)."""

    def style(fmt: Any) -> str:
        if fmt is None:
            return ""
        if id(fmt) not in allowed or fmt.xf_index is None:
            raise RuntimeError("a grouped body's cell takes a format without a marker")
        return f' s="{fmt.xf_index}"'

    s = style(column.blank)
    if column.kind == "s":
        texts = _t_elements(column.texts)
        endings = [f'{s} t="inlineStr"><is>{t}</is></c>' for t in texts]
    elif column.kind == "n":
        endings = [f"{s}><v>{t}</v></c>" for t in column.texts]
    elif column.kind == "b":
        endings = [f'{s} t="b"><v>{t}</v></c>' for t in column.texts]
    else:
        texts = [t for k, t in zip(column.kinds, column.texts, strict=True) if k == "s"]
        inline = dict(zip(texts, _t_elements(texts), strict=True))
        endings = _mixed_endings(
            column, "", style, lambda s, text: f'{s} t="inlineStr"><is>{inline[text]}</is></c>'
        )
    link_texts = _t_elements([text for text, _ in column.links])
    for (_, fmt), text in zip(column.links, link_texts, strict=True):  # after the entries
        endings.append(f'{style(fmt)} t="inlineStr"><is>{text}</is></c>')
    return [*(e.encode("utf-8") for e in endings), f"{s}/>".encode()]


def _rows_with(codes: Any, wanted: list[int]) -> Iterator[tuple[int, int]]:
    """``(row, code)`` of the rows whose code is one of ``wanted``."""
    rows = np.flatnonzero(np.isin(codes, wanted))
    return zip(rows.tolist(), codes[rows].tolist(), strict=True)


def _utf16_cut(text: str) -> str:
    """XlsxWriter's own cut of a text longer than 32,767 UTF-16 units (characters past U+FFFF
    count twice), after :func:`truncate_text`'s cut in characters."""
    if len(text) <= MAX_CELL_CHARS // 2 or len(text.encode("utf-16-le", "surrogatepass")) <= (
        2 * MAX_CELL_CHARS
    ):
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > MAX_CELL_CHARS:
            return text[:index]
    return text


def _excel_serial(value: dt.date) -> float:
    """Excel's serial number of a date or datetime, exactly as XlsxWriter computes it."""
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
    else:
        moment = dt.datetime.fromordinal(value.toordinal())
    delta = moment - _SERIAL_EPOCH
    serial = delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400
    if isinstance(value, dt.datetime) and tuple(moment.isocalendar()) == (1900, 1, 1):
        serial -= 1
    # Excel counts a 29 February 1900 that never was.
    return serial + 1 if serial > 59 else serial


class _SharedStrings:
    """The shared-string table: XlsxWriter's, then the texts the bodies add."""

    def __init__(self, sst: str) -> None:
        elements = _SI_ELEMENT.findall(sst)
        self.base = len(elements)
        # XlsxWriter's plain entries (nothing escaped) are their text: a body reuses them.
        self.known: dict[str, int] = {}
        for i, inner in enumerate(elements):
            if inner.startswith("<t>") and inner.endswith("</t>"):
                text = inner[3:-4]
                if "&" not in text and "<" not in text and "_x" not in text:
                    self.known.setdefault(text, i)
        self.added: dict[str, int] = {}

    def index(self, text: str) -> int:
        found = self.known.get(text)
        if found is None:
            found = self.added.get(text)
            if found is None:
                found = self.added[text] = self.base + len(self.added)
        return found

    def indexes(self, texts: list[str]) -> list[int]:
        """Each text's index, new texts added in order of first use (no Python call per text:
        a findings sheet adds a hundred thousand)."""
        known, added = self.known, self.added
        fresh = [t for t in dict.fromkeys(texts) if t not in known and t not in added]
        first = self.base + len(added)
        added.update(zip(fresh, range(first, first + len(fresh)), strict=True))
        return [known[t] if t in known else added[t] for t in texts]


def _si_xml(text: str) -> str:
    """The ``<si>`` element of a shared string, as XlsxWriter writes it."""
    if _SI_SPECIAL.search(text) is None:
        return f"<si><t>{text}</t></si>"
    text = _SI_ESCAPED.sub(r"_x005F\1", text)
    text = _SI_CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
    space = ' xml:space="preserve"' if _EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<si><t{space}>{text}</t></si>"


def _si_elements(texts: list[str]) -> str:
    """The ``<si>`` elements of ``texts``: the code points of all of them at once find the few
    that need escaping; the others are written as they are."""
    special = _special_texts(texts)
    return "".join(
        [_si_xml(t) if i in special else f"<si><t>{t}</t></si>" for i, t in enumerate(texts)]
    )


def _t_elements(texts: list[str]) -> list[str]:
    """The ``<t>`` element of each text, as in its ``<si>`` (an inline string's is the same)."""
    special = _special_texts(texts)
    return [_si_xml(t)[4:-5] if i in special else f"<t>{t}</t>" for i, t in enumerate(texts)]


def _special_texts(texts: list[str]) -> set[int]:
    """The indexes of the texts :func:`_si_xml` must escape (or whose edge spaces it keeps)."""
    codes = _code_points(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    low = np.flatnonzero(codes < 0x40)  # controls (CR is escaped), &, <, >
    c = codes[low]
    low = low[((c < 0x20) & (c != 0x09) & (c != 0x0A)) | (c == 0x26) | (c == 0x3C) | (c == 0x3E)]
    underscore = np.flatnonzero(codes[:-1] == 0x5F)  # "_x": maybe "_xHHHH_"
    underscore_x = underscore[codes[underscore + 1] == 0x78]
    special = set(_texts_at(lengths, np.concatenate((low, underscore_x))))
    # Leading or trailing whitespace: the first and last character of each text.
    starts = np.concatenate(([0], np.cumsum(lengths[:-1] + 1)))
    filled = lengths > 0
    edges = np.concatenate((starts[filled], (starts + lengths - 1)[filled]))
    owners = np.concatenate((np.flatnonzero(filled), np.flatnonzero(filled)))
    special.update(owners[np.isin(codes[edges], _WHITESPACE)].tolist())
    return special


def _height_attributes(points: float | None) -> str:
    """A ``<row>``'s height attributes, as XlsxWriter's set_row writes them."""
    if points is None:
        return ""
    pixels = int(points * 4.0 / 3.0 + 0.5)
    return "" if pixels == 20 else f' ht="{pixels * 0.75:.16g}" customHeight="1"'


def _splice_bodies(
    path: Path, bodies: list[_FrameBody | _GroupedBody], renderer: _Renderer
) -> None:
    """Rewrite the closed workbook at ``path`` with the bodies' rows in their sheets.

    The parts XlsxWriter wrote and the splice leaves alone are copied compressed as they are.
    On Linux the heaviest sheet is generated and deflated by a forked child while this process
    does the others (:func:`_child_sheet`). Grouped bodies take the pieces the store kept and
    make the others (:class:`_Groups`), which the store then keeps."""
    data = path.read_bytes()
    grouped = {id(b): _Groups.of(b, renderer) for b in bodies if isinstance(b, _GroupedBody)}
    made: dict[int, list[Piece]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        sst = source.read(_SST).decode("utf-8") if _SST in source.namelist() else ""
        counts = _UNIQUE_COUNT.search(sst)
        count = int(counts[1]) if counts else 0
        strings = _SharedStrings(sst)
        mids: dict[int, list[Any]] = {}
        for body in bodies:
            if isinstance(body, _GroupedBody):
                continue  # its text is inline
            mids[id(body)] = []
            for column in body.columns:
                column_mids, used = _cell_endings(column, strings)
                mids[id(body)].append(column_mids)
                count += used
            count -= body.string_markers  # dropped by the splice
        if strings.added and not sst:  # a marker string makes XlsxWriter write the table
            raise RuntimeError("table bodies hold text but the workbook has no shared strings")
        by_sheet: dict[str, list[_FrameBody | _GroupedBody]] = {}
        for body in bodies:
            by_sheet.setdefault(f"xl/worksheets/sheet{body.sheet_number}.xml", []).append(body)
        sheets = {part: source.read(part).decode("utf-8") for part in by_sheet}
        rels = _linked_sheets(source, sheets, by_sheet)
        child, job = _child_sheet(sheets, by_sheet, mids, grouped)
        try:
            with open(path, "wb") as f:
                out = ZipOut(f)
                for info in source.infolist():
                    part = info.filename
                    if part == _SST:
                        unique = strings.base + len(strings.added)
                        head = _UNIQUE_COUNT.sub(
                            f'count="{count}" uniqueCount="{unique}"', sst, count=1
                        )
                        end = head.rindex("</sst>")
                        added = _si_elements(list(strings.added))
                        sst_bytes = (head[:end] + added + "</sst>").encode("utf-8")
                        out.write(info, sst_bytes, _BODY_LEVEL)
                    elif part in rels:
                        out.write(info, rels.pop(part).encode("utf-8"), _BODY_LEVEL)
                    elif part in by_sheet:
                        done = job.outcome() if part == child and job is not None else None
                        here = by_sheet[part]  # no child, or it failed (any error is raised)
                        if not isinstance(done, tuple) and not _has_groups(here):
                            chunks = _plain_parts(sheets[part], here, mids)
                            out.write_chunks(info, chunks, _BODY_LEVEL)
                            continue
                        if not isinstance(done, tuple):
                            done = _sheet_with_groups(sheets[part], here, mids, grouped)
                        deflated, crc, size, new_pieces = done
                        made.update(new_pieces)
                        out.write_deflated(info, deflated, crc, size)
                    else:
                        out.copy(info, stored_bytes(data, info))
                for part, xml in sorted(rels.items()):  # sheets that had no relationships
                    info = zipfile.ZipInfo(part, date_time=source.infolist()[0].date_time)
                    out.write(info, xml.encode("utf-8"), _BODY_LEVEL)
                out.close()
        finally:
            if job is not None:
                job.outcome()  # no child left behind, whatever happened here
    for key, groups in grouped.items():
        groups.finish(made.get(key, []))


_HYPERLINK_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
)
# What follows <hyperlinks> in a worksheet (CT_Worksheet's sequence), or its end.
_AFTER_HYPERLINKS = re.compile(
    r"<(?:printOptions|pageMargins|pageSetup|headerFooter|rowBreaks|colBreaks|ignoredErrors"
    r"|drawing|legacyDrawing|legacyDrawingHF|picture|oleObjects|controls|webPublishItems"
    r"|tableParts|extLst)\b|</worksheet>"
)
_TO_ESCAPE = re.compile('[&<>"\n\r\t]')
_ATTRIBUTE_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "\n": "&#xA;",
    "\r": "&#xD;",
    "\t": "&#x9;",
}


def _linked_sheets(
    source: zipfile.ZipFile,
    sheets: dict[str, str],
    by_sheet: dict[str, list[_FrameBody | _GroupedBody]],
) -> dict[str, str]:
    """The bodies' links put in their sheets' XML (``sheets``, changed in place); the
    sheets' relationship parts that the external ones need, by part name."""
    names = set(source.namelist())
    rels: dict[str, str] = {}
    for part, bodies in by_sheet.items():
        links = sorted((h for b in bodies for h in b.hyperlinks), key=itemgetter(0, 1))
        if not links:
            continue
        folder, _, name = part.rpartition("/")
        rels_part = f"{folder}/_rels/{name}.rels"
        old = source.read(rels_part).decode("utf-8") if rels_part in names else None
        next_id = max(map(int, re.findall(r'Id="rId(\d+)"', old or "")), default=0) + 1
        elements, relations = [], []
        letters: dict[int, str] = {}
        targets: dict[str, str] = {}
        locations: dict[str, str] = {}  # escaped once: many links name the same cell
        for row, col, file, location, text in links:
            letter = letters.get(col) or letters.setdefault(col, xl_col_to_name(col))
            where = locations.get(location)
            if where is None:
                where = locations[location] = _attr(location)
            if file is None:
                elements.append(
                    f'<hyperlink ref="{letter}{row + 1}" location="{where}" '
                    f'display="{_attr(text)}"/>'
                )
                continue
            target = targets.get(file) or targets.setdefault(file, _attr(_file_target(file)))
            relations.append(
                f'<Relationship Id="rId{next_id}" Type="{_HYPERLINK_REL}" Target="{target}" '
                'TargetMode="External"/>'
            )
            elements.append(
                f'<hyperlink ref="{letter}{row + 1}" r:id="rId{next_id}" location="{where}"/>'
            )
            next_id += 1
        sheet = sheets[part]
        if "</hyperlinks>" in sheet:  # XlsxWriter's own links too
            at = sheet.index("</hyperlinks>")
            sheets[part] = sheet[:at] + "".join(elements) + sheet[at:]
        else:
            found = _AFTER_HYPERLINKS.search(sheet, sheet.index("</sheetData>"))
            at = found.start() if found else len(sheet)
            sheets[part] = (
                sheet[:at] + "<hyperlinks>" + "".join(elements) + "</hyperlinks>" + sheet[at:]
            )
        if relations:
            head = old[: old.rindex("</Relationships>")] if old else _RELS_HEAD
            rels[rels_part] = head + "".join(relations) + "</Relationships>"
    return rels


def _file_target(file: str) -> str:
    """The relationship target of a link to another workbook, as XlsxWriter writes it for
    ``external:`` links: backslashes, ``file:///`` before an absolute path, URL escapes."""
    path = file.replace("/", "\\")
    absolute = path.startswith("\\\\") or (len(path) > 1 and path[0].isalpha() and path[1] == ":")
    target = "file:///" + path if absolute else path.removeprefix(".\\")
    if re.search("%[0-9a-fA-F]{2}", target) is None:  # not escaped already
        for char in '%" <>[]^`{}':
            target = target.replace(char, f"%{ord(char):02x}")
    return target.replace("#", "%23")


def _attr(text: str) -> str:
    """``text`` as an XML attribute value between double quotes (what ``xml.sax.saxutils``'
    ``escape`` gives with these entities; importing it imports ``urllib.request``, ``http`` and
    ``ssl``: 0.03 s of every run)."""
    return _TO_ESCAPE.sub(_attribute_escape, text)


def _attribute_escape(found: re.Match[str]) -> str:
    return _ATTRIBUTE_ESCAPES[found.group()]


def _inside(rng: Range, row: int, col: int) -> bool:
    return rng.first_row <= row <= rng.last_row and rng.first_col <= col <= rng.last_col


def _too_long(address: str) -> bool:
    """Whether a link's address or location is over Excel's limit, in UTF-16 units as Excel
    counts (no character takes more than two: most are told by their length alone)."""
    if 2 * len(address) <= _MAX_URL:
        return False
    units = len(address) if address.isascii() else len(address.encode("utf-16-le")) // 2
    return units > _MAX_URL


# A sheet is generated by a forked child only when it and the rest are both worth a process
# (cells of table bodies): 1,000 projects give two sheets of 1.3 million cells each.
_CHILD_MIN_CELLS = 200_000
_CHILD_MIN_REST = 50_000


def _child_sheet(
    sheets: dict[str, str],
    by_sheet: dict[str, list[_FrameBody | _GroupedBody]],
    mids: dict[int, list[Any]],
    grouped: dict[int, _Groups],
) -> tuple[str | None, Background | None]:
    """The heaviest sheet's XML, generated and deflated by a forked child, when worth it."""

    def work(body: _FrameBody | _GroupedBody) -> int:
        return grouped[id(body)].work if isinstance(body, _GroupedBody) else body.n_cells

    weights = sorted(
        ((sum(map(work, bodies)), part) for part, bodies in by_sheet.items()), reverse=True
    )
    if len(weights) < 2 or weights[0][0] < _CHILD_MIN_CELLS:
        return None, None
    if sum(w for w, _ in weights[1:]) < _CHILD_MIN_REST:
        return None, None
    part = weights[0][1]
    return part, in_background(_sheet_xml, sheets[part], by_sheet[part], mids, grouped)


_Deflated = tuple[bytes, int, int, dict[int, list[Piece]]]


def _has_groups(bodies: list[_FrameBody | _GroupedBody]) -> bool:
    return any(isinstance(b, _GroupedBody) for b in bodies)


def _sheet_xml(
    sheet: str,
    bodies: list[_FrameBody | _GroupedBody],
    mids: dict[int, list[Any]],
    grouped: dict[int, _Groups],
) -> _Deflated:
    """A sheet's XML with its bodies, deflated: the bytes, their CRC-32 and size, and the
    pieces its grouped bodies made (by body)."""
    if _has_groups(bodies):
        return _sheet_with_groups(sheet, bodies, mids, grouped)
    deflater = Deflater(_BODY_LEVEL)
    deflated = [deflater.deflate(part) for part in _plain_parts(sheet, bodies, mids)]
    deflated.append(deflater.flush())
    return b"".join(deflated), deflater.crc, deflater.size, {}


def _plain_parts(
    sheet: str, bodies: list[_FrameBody | _GroupedBody], mids: dict[int, list[Any]]
) -> Iterator[bytes]:
    for part in _sheet_parts(sheet, bodies, mids):
        if part is None:
            raise RuntimeError("a grouped body in a sheet written without its pieces")
        yield part


def _sheet_with_groups(
    sheet: str,
    bodies: list[_FrameBody | _GroupedBody],
    mids: dict[int, list[Any]],
    grouped: dict[int, _Groups],
) -> _Deflated:
    """A sheet holding grouped bodies: the XML before, between and after them deflated as
    pieces, and each body's pieces (kept or made here) in its place."""
    made: dict[int, list[Piece]] = {}
    slots: list[list[Piece]] = []
    for body in sorted(bodies, key=lambda b: b.first_row):
        if isinstance(body, _GroupedBody):
            groups = grouped[id(body)]
            made[id(body)] = groups.make()
            slots.append(groups.all_pieces(made[id(body)]))
    segments: list[list[bytes]] = [[]]
    for part in _sheet_parts(sheet, bodies, mids):
        if part is None:
            segments.append([])
        else:
            segments[-1].append(part)
    pieces: list[Piece] = []
    for k, segment in enumerate(segments):
        xml = b"".join(segment)
        if k < len(slots):
            pieces += sheet_pieces.deflate_pieces([xml], _BODY_LEVEL)
            pieces += slots[k]
        else:
            pieces.append(sheet_pieces.deflate_last(xml, _BODY_LEVEL))
    deflated, crc, size = sheet_pieces.joined(pieces)
    return deflated, crc, size, made


def _cell_endings(column: _Column, strings: _SharedStrings) -> tuple[Any, int]:
    """What follows ``<c r="A5`` for each entry, then for a blank (None: no cell); and the
    number of shared-string cells."""

    def style(fmt: Any) -> str:
        if fmt is None:
            return ""
        if fmt.xf_index is None:  # a marker cell makes XlsxWriter give every format one
            raise RuntimeError("a table body's format has no style index")
        return f' s="{fmt.xf_index}"'

    blank = None if column.blank is None else f'"{style(column.blank)}/>'
    s = style(column.blank)
    if column.kind == "s":
        endings = [f'"{s} t="s"><v>{i}</v></c>' for i in strings.indexes(column.texts)]
        used = int(np.count_nonzero(column.codes >= 0))
    elif column.kind == "n":
        endings = [f'"{s}><v>{t}</v></c>' for t in column.texts]
        used = int(np.count_nonzero(column.codes >= len(column.texts)))  # links: text
    elif column.kind == "b":
        endings = [f'"{s} t="b"><v>{t}</v></c>' for t in column.texts]
        used = int(np.count_nonzero(column.codes >= len(column.texts)))
    else:
        shared = [t for k, t in zip(column.kinds, column.texts, strict=True) if k == "s"]
        shared_at = dict(zip(shared, strings.indexes(shared), strict=True))  # in one step
        endings = _mixed_endings(
            column, '"', style, lambda s, text: f'"{s} t="s"><v>{shared_at[text]}</v></c>'
        )
        kinds = [k == "s" for k in column.kinds] + [True] * len(column.links) + [False]
        used = int(np.asarray(kinds, dtype=bool)[column.codes].sum())
    indexes = strings.indexes([text for text, _ in column.links])
    styles: dict[int, str] = {}  # a link's look: one or two formats for thousands of links
    for (_, fmt), index in zip(column.links, indexes, strict=True):
        look = styles.get(id(fmt))
        if look is None:
            look = styles[id(fmt)] = style(fmt)
        endings.append(f'"{look} t="s"><v>{index}</v></c>')
    return np.asarray([*endings, blank], dtype=object), used


def _mixed_endings(
    column: _Column, quote: str, style: Callable[[Any], str], text: Callable[[str, str], str]
) -> list[str]:
    """The cell endings of a mixed column's entries, each typed and in its own format; a
    text's made by ``text(style, text)`` (a shared or an inline string). ``quote``: what closes
    the cell's ``r`` attribute (nothing in a row without numbers)."""
    endings = []
    for kind, value, fmt in zip(column.kinds, column.texts, column.formats, strict=True):
        if kind == "s":
            endings.append(text(style(fmt), value))
        elif kind == "z":  # a blank in its format (a merged cell's)
            endings.append(f"{quote}{style(fmt)}/>")
        elif kind == "b":
            endings.append(f'{quote}{style(fmt)} t="b"><v>{value}</v></c>')
        else:
            endings.append(f"{quote}{style(fmt)}><v>{value}</v></c>")
    return endings


def _sheet_parts(
    sheet: str, bodies: list[_FrameBody | _GroupedBody], mids: dict[int, list[Any]]
) -> Iterator[bytes | None]:
    """The sheet's XML (UTF-8) with each body's rows in place of XlsxWriter's rows over the
    same span; a grouped body's rows are left to the caller: None in their place."""
    sheet = _DIMENSION.sub(lambda m: _dimension(m[1], bodies), sheet, count=1)
    sheet = sheet.replace("<sheetData/>", "<sheetData></sheetData>", 1)  # no cell of its own
    rows = [(int(m[1]), m) for m in _ROW_XML.finditer(sheet)]
    done = 0
    last_written = 0  # number of the last row written so far
    columns: dict[str, int] = {}  # letters → 0-based column (the COPIL's merges: 15,000 cells)
    for body in sorted(bodies, key=lambda b: b.first_row):
        inside = [m for number, m in rows if body.first_row < number <= body.last_row + 1]
        extra: dict[int, list[tuple[int, str]]] = {}
        for match in inside:
            row = int(match[1]) - 1
            for cell in _CELL_XML.finditer(match[2] or ""):
                col = columns.get(cell[1])
                if col is None:
                    col = columns[cell[1]] = column_index(cell[1]) - 1
                if (row, col) not in body.markers:
                    extra.setdefault(row, []).append((col, cell[0]))
        start = inside[0].start() if inside else _row_insert_at(sheet, rows, body.first_row)
        end = inside[-1].end() if inside else start
        yield sheet[done:start].encode("utf-8")
        last_written = max([last_written] + [n for n, m in rows if m.end() <= start])
        if isinstance(body, _GroupedBody):
            if extra:
                raise RuntimeError("cells written apart inside a grouped body")
            # Its rows carry no number: each follows the row before, which must be the one
            # just above the body (an empty row of that number if nothing else is there).
            if body.first_row > 0 and last_written != body.first_row:
                yield f'<row r="{body.first_row}"/>'.encode()
            yield None
        else:
            yield from _body_rows(body, mids[id(body)], extra)
        last_written = body.last_row + 1
        done = end
    yield sheet[done:].encode("utf-8")


def _dimension(ref: str, bodies: list[_FrameBody | _GroupedBody]) -> str:
    """XlsxWriter's ``<dimension ref>`` extended to the bodies' cells."""
    first, _, last = ref.partition(":")
    (r0, c0), (r1, c1) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last or first)
    for body in bodies:
        if body.extent is not None:
            e = body.extent
            r0, c0 = min(r0, e.first_row), min(c0, e.first_col)
            r1, c1 = max(r1, e.last_row), max(c1, e.last_col)
    return f'<dimension ref="{Range(r0, c0, r1, c1).a1()}"/>'


def _row_insert_at(sheet: str, rows: list[tuple[int, Any]], first_row: int) -> int:
    """Where rows numbered from ``first_row`` (0-based) go when XlsxWriter wrote none there."""
    after = [m for number, m in rows if number > first_row + 1]
    return after[0].start() if after else sheet.index("</sheetData>")


def _body_rows(
    body: _FrameBody, mids: list[Any], extra: dict[int, list[tuple[int, str]]]
) -> Iterator[bytes]:
    """The ``<row>`` elements of a body (UTF-8), a chunk of rows at a time.

    Each row is ``<row r="``, the number, the rest of the row tag, then per column ``<c r="A``,
    the number and the cell's ending (``mids``: one per distinct value, the blank last). The C
    code writes a chunk in one step (:func:`pmo_xl.native.frame_rows`: 1,000 projects, 126 MB
    of rows in about a tenth of a second), leaving out the rows where XlsxWriter also wrote
    cells (:func:`_merged_row`); without it, a grid of strings is filled by numpy indexing and
    joined once (about a second)."""
    n_cols = len(body.columns)
    opens = [f'<c r="{xl_col_to_name(body.first_col + j)}' for j in range(n_cols)]
    n_rows = body.last_row - body.first_row + 1
    tails, tail_codes = _row_tails(body, n_cols)
    if not native.enabled():  # no C code: the grid
        row_tails = np.asarray(tails, dtype=object)[tail_codes]
        for start in range(0, n_rows, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n_rows)
            yield _grid_rows(body, mids, extra, opens, row_tails, start, stop)
        return
    native_args = (
        [t.encode("utf-8") for t in tails],
        tail_codes,
        [o.encode("utf-8") for o in opens],
        [np.ascontiguousarray(column.codes, dtype=np.intp) for column in body.columns],
        [[None if e is None else e.encode("utf-8") for e in endings] for endings in mids],
    )
    skip = np.asarray(sorted(extra), dtype=np.intp) - body.first_row
    for start in range(0, n_rows, _CHUNK_ROWS):
        stop = min(start + _CHUNK_ROWS, n_rows)
        pieces = native.frame_rows(body.first_row + 1, *native_args, start, stop, skip)
        assert pieces is not None  # the C code is enabled
        # The C code wrote the rows but those where XlsxWriter also wrote cells (links over a
        # table's cells: thousands in the findings sheet): they are merged here.
        chunk = [pieces[0]]
        inside = skip[(skip >= start) & (skip < stop)].tolist()
        for i, piece in zip(inside, pieces[1:], strict=True):
            chunk += (_merged_row(body, mids, extra[body.first_row + i], opens, i), piece)
        yield b"".join(chunk)


def _row_tails(body: _FrameBody | _GroupedBody, n_cols: int) -> tuple[list[str], Any]:
    """Per row of a body, its tag's end (with its height) as an index into the distinct ends
    (intp), and those ends."""
    span = f"{body.first_col + 1}:{body.first_col + n_cols}"
    n_rows = body.last_row - body.first_row + 1
    tails = [_row_tail(span, body.row_height)]
    tail_codes = np.zeros(n_rows, dtype=np.intp)
    if body.heights:
        points = sorted(set(body.heights.values()))
        tails += [_row_tail(span, p) for p in points]
        code_of = {p: k + 1 for k, p in enumerate(points)}
        rows = np.fromiter(body.heights, dtype=np.intp, count=len(body.heights)) - body.first_row
        inside = (rows >= 0) & (rows < n_rows)
        codes = np.asarray([code_of[p] for p in body.heights.values()], dtype=np.intp)
        tail_codes[rows[inside]] = codes[inside]
    return tails, tail_codes


def _merged_row(
    body: _FrameBody, mids: list[Any], extra: list[tuple[int, str]], opens: list[str], i: int
) -> bytes:
    """Row ``i`` of a body with the cells XlsxWriter wrote there (which win: written later)."""
    number = str(body.first_row + i + 1)
    merged = {
        body.first_col + j: f"{opens[j]}{number}{endings[column.codes[i]]}"
        for j, (column, endings) in enumerate(zip(body.columns, mids, strict=True))
        if endings[column.codes[i]] is not None
    } | dict(extra)
    cols = sorted(merged)
    points = body.heights.get(body.first_row + i, body.row_height)
    tail = _row_tail(f"{cols[0] + 1}:{cols[-1] + 1}", points)
    cells = "".join(merged[c] for c in cols)
    return f'<row r="{number}{tail}{cells}</row>'.encode()


def _grid_rows(
    body: _FrameBody,
    mids: list[Any],
    extra: dict[int, list[tuple[int, str]]],
    opens: list[str],
    tails: Any,
    start: int,
    stop: int,
) -> bytes:
    """Rows ``start:stop`` of a body as a grid of strings filled by numpy indexing and joined
    once, no Python operation per cell; the rows where XlsxWriter also wrote cells as
    :func:`_merged_row` makes them."""
    n_cols = len(body.columns)
    first = body.first_row + start
    numbers = np.arange(first + 1, body.first_row + stop + 1).astype(str).astype(object)
    grid = np.empty((stop - start, 3 * n_cols + 4), dtype=object)
    grid[:, 0] = '<row r="'
    grid[:, 1] = numbers
    grid[:, 2] = tails[start:stop]
    for j, (column, endings) in enumerate(zip(body.columns, mids, strict=True)):
        codes = column.codes[start:stop]
        grid[:, 3 * j + 3] = opens[j]
        grid[:, 3 * j + 4] = numbers
        grid[:, 3 * j + 5] = endings[codes]
        if endings[-1] is None:  # blanks without a format are no cell: three empty strings
            grid[codes < 0, 3 * j + 3 : 3 * j + 6] = ""
    grid[:, -1] = "</row>"
    for row in [r for r in extra if first <= r < body.first_row + stop]:
        grid[row - first, :] = ""
        merged = _merged_row(body, mids, extra[row], opens, row - body.first_row)
        grid[row - first, 0] = merged.decode("utf-8")
    return "".join(grid.ravel().tolist()).encode("utf-8")


def _row_tail(span: str, points: float | None) -> str:
    """What follows a row's number in its tag: ``" spans="1:7">``, with its height if any."""
    return f'" spans="{span}"{_height_attributes(points)}>'


__all__ = [
    "FIXED_CREATED",
    "WORKBOOK_CODENAME_KEY",
    "WORKBOOK_OPTIONS",
    "ButtonSpec",
    "DocumentProperties",
    "TextNote",
    "render_xlsx",
]
