"""Render :class:`~pmo_xl.layout.SheetLayout` values into a new .xlsx/.xlsm file with XlsxWriter.

Every value is written with its typed call (``write_string`` for text, so user text never becomes
a formula or an error), text is cleaned of characters XML forbids (each cleaned cell is reported
as a :class:`TextNote`), and the same input always gives the same bytes. Example::

    notes = render_xlsx([SheetLayout("Feuil1", [Block(0, 0, [["=1+1"]])])], Path("out.xlsx"))
    findings = [note.to_finding("out.xlsx") for note in notes]
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from pmo_xl.layout import (
    NUMBER_FORMATS,
    NUMBER_FORMATS_EN,
    Block,
    CellStyle,
    Chart,
    ConditionalFormat,
    Formula,
    Link,
    Range,
    SheetLayout,
    TableDef,
    Value,
)
from pmo_xl.model import Finding
from pmo_xl.safe_io import atomic_write
from pmo_xl.safe_text import MAX_CELL_CHARS, clean_text, truncate_text
from pmo_xl.workbook import CellError, Uncached, cell_address

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
    layouts: Sequence[SheetLayout],
    path: Path,
    *,
    vba_project: Path | None = None,
    vba_codenames: dict[str, str] | None = None,
    buttons: Sequence[ButtonSpec] = (),
    properties: DocumentProperties = DocumentProperties(),
) -> list[TextNote]:
    """Write ``layouts`` as the sheets of a new workbook at ``path`` (replaced atomically).

    ``vba_project`` is a ``vbaProject.bin`` (``path`` should end in ``.xlsm``); ``vba_codenames``
    maps sheet names (and :data:`WORKBOOK_CODENAME_KEY`) to the code names its modules use.
    """
    return atomic_write(
        Path(path),
        lambda tmp: _render(layouts, tmp, vba_project, vba_codenames or {}, buttons, properties),
    )


def _render(
    layouts: Sequence[SheetLayout],
    path: Path,
    vba_project: Path | None,
    vba_codenames: dict[str, str],
    buttons: Sequence[ButtonSpec],
    properties: DocumentProperties,
) -> list[TextNote]:
    workbook = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    renderer = _Renderer(workbook)
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
        renderer.render_sheet(worksheet, layout)
        sheets[layout.name] = worksheet
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
    return renderer.notes


class _Renderer:
    """Writes sheets into one XlsxWriter workbook, sharing its format cache and its notes."""

    def __init__(self, workbook: Any) -> None:
        self.workbook = workbook
        self.notes: list[TextNote] = []
        self._formats: dict[tuple[CellStyle | None, str, bool], Any] = {}
        self._dxf_formats: dict[tuple[CellStyle, str], Any] = {}
        self._sheet = ""
        self._number_formats = NUMBER_FORMATS

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
            # No format at all keeps the cell on Excel's default style (smaller file).
            fmt = self.workbook.add_format(props) if props else None
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
        cell = cell_address(row + 1, col + 1) if row is not None and col is not None else None
        text, changed = clean_text(value)
        if changed:
            self.notes.append(TextNote(self._sheet, cell, value))
        text, truncated = truncate_text(text)
        if truncated:
            self.notes.append(TextNote(self._sheet, cell, value, "TEXT_TRUNCATED"))
        return text

    # --- sheet -------------------------------------------------------------------------------

    def render_sheet(self, ws: Any, layout: SheetLayout) -> None:
        self._sheet = layout.name
        self._number_formats = NUMBER_FORMATS_EN if layout.lang == "en" else NUMBER_FORMATS
        for col, width in sorted(layout.column_widths.items()):
            ws.set_column(col, col, width)
        for block in layout.blocks:
            self.write_block(ws, block)
        for row, height in sorted(layout.row_heights.items()):
            ws.set_row(row, height)
        for rng, value, style in layout.merges:
            fmt = self.style_format(style)
            if (rng.first_row, rng.first_col) != (rng.last_row, rng.last_col):
                ws.merge_range(rng.first_row, rng.first_col, rng.last_row, rng.last_col, "", fmt)
            # merge_range writes through the untyped write(); the value itself is written typed.
            self.write_value(ws, rng.first_row, rng.first_col, value, style)
        for link in layout.links:
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
        chart.set_title({"name": _chart_text(self.text(spec.title, None, None))})
        value_axis: dict[str, Any] = {"num_format": self._number_formats[spec.number_format]}
        if spec.y_title:
            value_axis["name"] = _chart_text(self.text(spec.y_title, None, None))
        # A bar chart is a column chart turned sideways: its value axis is the x axis.
        (chart.set_x_axis if spec.kind == "bar" else chart.set_y_axis)(value_axis)
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
    values = block.values[row - block.row]
    return values[col - block.col] if col - block.col < len(values) else None


def _header_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        return str(value.cached or "")
    return str(value)


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


__all__ = [
    "FIXED_CREATED",
    "WORKBOOK_CODENAME_KEY",
    "WORKBOOK_OPTIONS",
    "ButtonSpec",
    "DocumentProperties",
    "TextNote",
    "render_xlsx",
]
