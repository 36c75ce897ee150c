"""Building blocks for tabular output sheets: a title, a styled header, typed columns.

One function, :func:`table_sheet`, turns a DataFrame and a column list into a
:class:`~pmo_xl.layout.SheetLayout` with frozen header, filter, widths and number formats, so that
every output sheet looks the same and is written in one block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pmo_xl.labels import Label, Lang
from pmo_xl.layout import (
    Block,
    CellStyle,
    FrameBlock,
    NumberFormat,
    PrintSetup,
    Range,
    SheetLayout,
    Value,
    frame_value,
)

NAVY = "#1F3864"
HEADER_FILL = "#1F3864"
HEADER_FONT = "#FFFFFF"
TITLE_STYLE = CellStyle(bold=True, size=14, font_color=NAVY)
SUBTITLE_STYLE = CellStyle(italic=True, font_color="#595959")
HEADER_STYLE = CellStyle(
    bold=True, font_color=HEADER_FONT, fill=HEADER_FILL, wrap=True, valign="center", border=True
)
WEATHER_FILLS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}
WEATHER_FONTS = {"green": "#006100", "amber": "#9C5700", "red": "#9C0006"}


@dataclass(frozen=True)
class Col:
    """One output column: field of the frame, header, number format, width."""

    field: str
    label: Label
    kind: NumberFormat = "general"
    width: float = 14
    wrap: bool = False


# Widths below which Excel and LibreOffice show #### for every value of the format.
MIN_WIDTHS: dict[str, float] = {"date": 11, "datetime": 17}

# pandas/numpy scalars → values a renderer writes (NaN/NaT → blank); kept under its old name.
cell_value = frame_value


def table_sheet(
    name: str,
    title: str,
    columns: Sequence[Col],
    frame: pd.DataFrame,
    lang: Lang = "fr",
    *,
    subtitle: str | None = None,
    tab_color: str | None = None,
    group_by: str | None = None,
) -> SheetLayout:
    """A sheet with a title (row 1), an optional subtitle (row 2), a header and the rows.

    ``group_by``: the field whose runs of equal values group the rows (see
    :attr:`~pmo_xl.layout.FrameBlock.group_column`)."""
    layout = SheetLayout(name=name, lang=lang, tab_color=tab_color)
    layout.add(Block(0, 0, [[title]], TITLE_STYLE))
    if subtitle:
        layout.add(Block(1, 0, [[subtitle]], SUBTITLE_STYLE))
    header_row = 3
    layout.add(
        Block(header_row, 0, [[c.label.text(lang) for c in columns]], HEADER_STYLE, row_height=30)
    )
    styles = [CellStyle(number_format=c.kind, wrap=c.wrap, valign="top") for c in columns]
    if len(frame):
        # Columns, not row lists: the file renderer writes them as they are.
        fields = [c.field for c in columns]
        group = fields.index(group_by) if group_by is not None else None
        layout.add(
            FrameBlock(header_row + 1, 0, [frame[f] for f in fields], styles, group_column=group)
        )
    layout.column_widths = {
        i: max(c.width, MIN_WIDTHS.get(c.kind, 0)) for i, c in enumerate(columns)
    }
    layout.row_heights = frame_row_heights(frame, columns, header_row + 1)
    layout.freeze = (header_row + 1, 0)
    last_row = header_row + max(len(frame), 1)
    layout.autofilter = Range(header_row, 0, last_row, len(columns) - 1)
    # Printed, a working sheet is one page wide with its header on every page.
    layout.print_setup = PrintSetup(
        landscape=True, fit_width=1, fit_height=0, repeat_rows=(header_row, header_row)
    )
    return layout


LINE_POINTS = 15.0


def wrapped_row_heights(
    data: Sequence[Sequence[Value]], columns: Sequence[Col], first_row: int
) -> dict[int, float]:
    """Row heights that show every line of wrapped text (renderers do not autofit rows)."""
    wrapped = [i for i, c in enumerate(columns) if c.wrap]
    heights: dict[int, float] = {}
    for r, row in enumerate(data):
        lines = 1
        for i in wrapped:
            text = row[i]
            if isinstance(text, str) and text:
                per_line = max(int(columns[i].width * 1.25), 1)
                lines = max(lines, sum(len(part) // per_line + 1 for part in text.split("\n")))
        if lines > 1:
            heights[first_row + r] = min(lines, 15) * LINE_POINTS
    return heights


def frame_row_heights(
    frame: pd.DataFrame, columns: Sequence[Col], first_row: int
) -> dict[int, float]:
    """:func:`wrapped_row_heights` of a frame's rows, reading only its wrapped columns."""
    lines = np.ones(len(frame), dtype=np.int64)
    for col in columns:
        if not col.wrap or not len(frame):
            continue
        k = max(int(col.width * 1.25), 1)
        texts = frame[col.field].tolist()
        if set(map(type, texts)) == {str} and "\n" not in "\x00".join(texts):
            # Text on one line in every row (the load detail: 190,000 rows): lengths at C speed.
            counts = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)) // k + 1
        else:
            counts = np.asarray(
                [
                    (
                        len(t) // k + 1
                        if "\n" not in t
                        else sum(len(p) // k + 1 for p in t.split("\n"))
                    )
                    if isinstance(t, str)
                    else 1
                    for t in texts
                ],
                dtype=np.int64,
            )
        np.maximum(lines, counts, out=lines)
    tall = np.flatnonzero(lines > 1)
    heights = np.minimum(lines[tall], 15) * LINE_POINTS
    return dict(zip((tall + first_row).tolist(), heights.tolist(), strict=True))


def data_range(layout: SheetLayout, col: int, n_rows: int, header_row: int = 3) -> Range:
    """The data cells of one column of a :func:`table_sheet` (for conditional formats)."""
    return Range(header_row + 1, col, header_row + max(n_rows, 1), col)
