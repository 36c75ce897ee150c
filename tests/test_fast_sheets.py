"""Large tables: a frame's columns go to the file as they are, read back exactly as cells would.

A :class:`~pmo_xl.layout.FrameBlock` (what ``sheets.table_sheet`` builds) is not written cell by
cell: its rows are generated as sheet XML and spliced into the file. These tests read the file
back (openpyxl, calamine) and check values, types, formats, notes and heights by hand.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from c_reader import needs_c_reader
from xlwings_payload import actions, remote_book

from pmo_xl import xlsx_writer
from pmo_xl.excel_book import XlwingsWorkbook
from pmo_xl.labels import Label
from pmo_xl.layout import (
    Block,
    CellStyle,
    Formula,
    FrameBlock,
    Link,
    Note,
    Range,
    SheetLayout,
    TableDef,
)
from pmo_xl.sheets import Col, table_sheet
from pmo_xl.xlsx_writer import TextNote, render_xlsx


@pytest.fixture(autouse=True, params=[pytest.param("C rows", marks=needs_c_reader), "numpy grid"])
def row_writer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test twice: rows written by the C code, and by the numpy grid (no C build)."""
    monkeypatch.setenv("PMO_XL_NATIVE", "1" if request.param == "C rows" else "0")
    return str(request.param)


TEXT = CellStyle(valign="top")
DAYS = CellStyle(number_format="days", valign="top")
DATE = CellStyle(number_format="date", valign="top")
WRAP = CellStyle(wrap=True, valign="top")


def frame_layout(columns: list[Any], styles: list[CellStyle], row: int = 1) -> SheetLayout:
    """A header in row 1, the frame's rows from row 2 (0-based ``row``)."""
    layout = SheetLayout("T")
    layout.add(Block(0, 0, [[f"h{i}" for i in range(len(columns))]], CellStyle(bold=True)))
    layout.add(FrameBlock(row, 0, columns, styles))
    return layout


def cells(path: Path, sheet: str = "T") -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


# --- values and types --------------------------------------------------------------------------


def test_a_frame_reads_back_cell_by_cell_with_its_types(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    frame = pd.DataFrame(
        {
            "code": ["PRJ-1", "PRJ-2", None],
            "days": [4.5, np.nan, 10.0],
            "month": pd.to_datetime(["2026-01-01", "2026-02-01", None]),
            "over": [True, False, True],
            "n": [3, 0, -2],
        }
    )
    layout = frame_layout([frame[c] for c in frame.columns], [TEXT, DAYS, DATE, TEXT, TEXT])
    assert render_xlsx([layout], path) == []
    assert cells(path) == [
        ["h0", "h1", "h2", "h3", "h4"],
        ["PRJ-1", 4.5, dt.datetime(2026, 1, 1), True, 3],
        ["PRJ-2", None, dt.datetime(2026, 2, 1), False, 0],
        # None, NaN and NaT are blank cells; 10.0 is written "10", read as an int like before.
        [None, 10, None, True, -2],
    ]


def test_calamine_reads_the_same_values(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    layout = frame_layout([pd.Series(["a", "b"]), pd.Series([1.25, 2.0])], [TEXT, DAYS])
    render_xlsx([layout], path)
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("T")
    assert rows.to_python() == [["h0", "h1"], ["a", 1.25], ["b", 2.0]]


def test_number_formats_follow_the_column_styles(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    columns = [pd.Series([1.5]), pd.to_datetime(pd.Series(["2026-03-02"])), pd.Series(["x"])]
    render_xlsx([frame_layout(columns, [DAYS, DATE, TEXT])], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert [ws[a].number_format for a in ("A2", "B2", "C2")] == ["#,##0.0", "dd/mm/yyyy", "General"]
    assert ws["B2"].alignment.vertical == "top"


def test_an_english_sheet_gets_iso_dates(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    layout = frame_layout([pd.to_datetime(pd.Series(["2026-03-02"]))], [DATE])
    layout.lang = "en"
    render_xlsx([layout], path)
    assert openpyxl.load_workbook(path)["T"]["A2"].number_format == "yyyy-mm-dd"


def test_dates_in_a_general_column_get_the_date_format(tmp_path: Path) -> None:
    # Mixed values: a date in a text column is still a date, with the date format.
    path = tmp_path / "t.xlsx"
    mixed = pd.Series(["texte", dt.date(2026, 5, 4), 7.5, dt.datetime(2026, 5, 4, 14, 30)])
    render_xlsx([frame_layout([mixed], [TEXT])], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert [ws[f"A{r}"].value for r in range(2, 6)] == [
        "texte",
        dt.datetime(2026, 5, 4),
        7.5,
        dt.datetime(2026, 5, 4, 14, 30),
    ]
    assert (ws["A3"].number_format, ws["A5"].number_format) == ("dd/mm/yyyy", "dd/mm/yyyy hh:mm")


def test_a_date_before_1900_is_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx([frame_layout([pd.to_datetime(pd.Series(["1899-12-25"]))], [DATE])], path)
    assert cells(path)[1] == ["1899-12-25"]


def test_infinities_are_blank(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx([frame_layout([pd.Series([math.inf, 2.0, -math.inf])], [DAYS])], path)
    assert [row[0] for row in cells(path)[1:]] == [None, 2, None]


def test_a_frame_writes_what_the_same_rows_in_a_block_write(tmp_path: Path) -> None:
    # The cell-by-cell writer is the reference: same values, types and looks, cell for cell.
    columns = [
        pd.Series(["a", "=1+1", None, " padded ", "R&D <x>"]),
        pd.Series([1.0, 0.1 + 0.2, np.nan, 1e20, -3.0]),
        pd.Series([dt.date(2026, 1, 5), None, "x", 3, dt.datetime(1900, 1, 1, 12)], dtype=object),
        pd.to_datetime(
            pd.Series(["2026-02-01 10:00", None, "1960-06-01 00:00", "2026-01-01 00:00", None])
        ),
        pd.Series([True, False, True, True, False]),
    ]
    styles = [TEXT, DAYS, TEXT, DATE, CellStyle(bold=True, fill="#FFC7CE")]
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    frame = FrameBlock(1, 0, columns, styles)
    render_xlsx([SheetLayout("T", [frame])], fast)
    render_xlsx([SheetLayout("T", [Block(1, 0, frame.values, column_styles=styles)])], slow)
    a, b = openpyxl.load_workbook(fast)["T"], openpyxl.load_workbook(slow)["T"]
    assert a.dimensions == b.dimensions == "A2:E6"
    for row_a, row_b in zip(a.iter_rows(), b.iter_rows(), strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            assert (x.value, type(x.value), x.number_format) == (
                y.value,
                type(y.value),
                y.number_format,
            )
            assert repr(x.font) == repr(y.font) and repr(x.fill) == repr(y.fill)


# --- text safety -------------------------------------------------------------------------------


def test_formula_looking_text_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    texts = ["=1+1", "+A1", "-2", "@SUM(A1)", "#REF!"]
    render_xlsx([frame_layout([pd.Series(texts)], [TEXT])], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert [(ws[f"A{r}"].value, ws[f"A{r}"].data_type) for r in range(2, 7)] == [
        (t, "s") for t in texts
    ]
    with zipfile.ZipFile(path) as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_control_characters_are_removed_and_reported_at_their_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    columns = [pd.Series(["ok", "Lot\x0b 1", "ok"]), pd.Series(["a\x00b", "ok", "ok"])]
    notes = render_xlsx([frame_layout(columns, [TEXT, TEXT])], path)
    # Frame rows start at row 2: "a\x00b" is B2, "Lot\x0b 1" is A3; notes in reading order.
    assert notes == [TextNote("T", "B2", "a\x00b"), TextNote("T", "A3", "Lot\x0b 1")]
    assert cells(path)[1:3] == [["ok", "ab"], ["Lot 1", "ok"]]


def test_a_repeated_dirty_text_is_reported_at_every_cell(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    notes = render_xlsx([frame_layout([pd.Series(["x\x07", "y", "x\x07"])], [TEXT])], path)
    assert [n.cell for n in notes] == ["A2", "A4"]


def test_overlong_text_is_cut_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    long_text = "x" * 40_000
    notes = render_xlsx([frame_layout([pd.Series(["ok", long_text])], [TEXT])], path)
    assert notes == [TextNote("T", "A3", long_text, "TEXT_TRUNCATED")]
    assert len(cells(path)[2][0]) == 32_767


def test_text_that_looks_like_an_excel_escape_is_kept(tmp_path: Path) -> None:
    # "_x0041_" in the file would read as "A": it is escaped as XlsxWriter does.
    path = tmp_path / "t.xlsx"
    texts = ["_x0041_", "a\r\nb", "  lead", "trail  ", "R&D <b>"]
    render_xlsx([frame_layout([pd.Series(texts)], [TEXT])], path)
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name("T")
    assert [row[0] for row in rows.to_python()[1:]] == texts


# --- presentation ------------------------------------------------------------------------------


def table(frame: pd.DataFrame) -> SheetLayout:
    columns = [
        Col("code", Label("Code", "Code"), width=10),
        Col("note", Label("Note", "Note"), width=10, wrap=True),
    ]
    return table_sheet("T", "Titre", columns, frame)


def test_wrapped_text_gets_the_row_height_of_its_lines(tmp_path: Path) -> None:
    # Width 10 → int(10 × 1.25) = 12 characters a line.
    frame = pd.DataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "note": [
                "court",  # 1 line: no height
                "x" * 30,  # 30 // 12 + 1 = 3 lines → 45 pt
                "abc\ndef",  # 2 lines → 30 pt
                "y" * 300,  # 300 // 12 + 1 = 26 lines, capped at 15 → 225 pt
            ],
        }
    )
    layout = table(frame)
    # Data rows start at 0-based row 4.
    assert layout.row_heights == {5: 45.0, 6: 30.0, 7: 225.0}
    path = tmp_path / "t.xlsx"
    render_xlsx([layout], path)
    dims = openpyxl.load_workbook(path)["T"].row_dimensions
    assert (dims[6].height, dims[7].height, dims[8].height) == (45.0, 30.0, 225.0)
    assert dims[4].height == 30.0  # the header row
    assert dims[5].height is None


def test_wrapped_one_line_texts_get_the_same_heights_by_their_lengths_alone() -> None:
    # No line break anywhere: the heights come from the lengths only (the fast path).
    # Width 10 → 12 characters a line: 11 → 1 line, 12 → 2 lines (12 // 12 + 1), 30 → 3.
    frame = pd.DataFrame({"code": ["A", "B", "C"], "note": ["x" * 11, "x" * 12, "x" * 30]})
    assert table(frame).row_heights == {5: 30.0, 6: 45.0}
    with_break = frame.assign(note=["x" * 11, "x" * 12, "x" * 29 + "\n"])  # 30 → 3, "" → 1
    assert table(with_break).row_heights == {5: 30.0, 6: 60.0}


def test_a_table_sheet_keeps_freeze_filter_and_widths(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx([table(pd.DataFrame({"code": ["A", "B"], "note": ["x", "y"]}))], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert ws.freeze_panes == "A5"
    assert ws.auto_filter.ref == "A4:B6"
    # Both columns are 10 wide: one <col> element for A:B (10 + XlsxWriter's padding).
    assert ws.column_dimensions["A"].width == pytest.approx(10.71, abs=0.01)
    assert (ws.column_dimensions["A"].min, ws.column_dimensions["A"].max) == (1, 2)
    assert ws.print_title_rows == "$4:$4"
    assert ws["A5"].value == "A" and ws["B6"].value == "y"


def test_a_link_over_a_frame_cell_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    layout = frame_layout([pd.Series(["a", "b", "c"]), pd.Series(["F1", "F2", "F3"])], [TEXT] * 2)
    layout.links.append(Link(2, 1, "Planning!F2", "F2", sheet="Planning"))
    render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert [[c.value for c in row] for row in ws["A2:B4"]] == [
        ["a", "F1"],
        ["b", "Planning!F2"],
        ["c", "F3"],
    ]
    assert ws["B3"].hyperlink.location == "'Planning'!F2"
    assert ws["B2"].hyperlink is None


def _links_layout(kind: str, files: tuple[str, str, str]) -> SheetLayout:
    """Links over a table's cells (text and number columns) and one above it, in a frame or
    (the cell-by-cell reference) in a block."""
    n = 12  # room for the marker cells the frame needs besides the links
    columns = [pd.Series([f"p{i}" for i in range(n)]), pd.Series([float(i) for i in range(n)])]
    styles = [TEXT, DAYS]
    body: Block = FrameBlock(1, 0, columns, styles)
    if kind == "block":
        body = Block(1, 0, body.values, column_styles=styles)
    layout = SheetLayout("T", [Block(0, 0, [["titre", "x"]]), body])
    layout.links += [
        Link(0, 1, "en haut", "A1", sheet="Autre"),
        Link(7, 0, "F2", "F2", sheet="Planning"),  # this workbook, another sheet
        Link(8, 0, "ici", "B3"),  # this workbook, this sheet
        Link(8, 1, "projet", "D5", sheet="Charges", file=files[0]),
        Link(9, 0, "p 2", "A1", sheet="Jalons", file=files[1]),
        Link(10, 1, "réseau", "A1", file=files[2]),
        Link(11, 1, "b\x07", "A1", sheet="Autre"),  # a control character: cleaned, noted
    ]
    return layout


def _cells_and_links(path: Path) -> list[tuple[Any, ...]]:
    ws = openpyxl.load_workbook(path)["T"]
    found = []
    for row in ws.iter_rows():
        for c in row:
            link = c.hyperlink
            found.append(
                (
                    c.coordinate,
                    c.value,
                    c.number_format,
                    repr(c.font),
                    None if link is None else (link.target, link.location, link.display),
                )
            )
    return found


def _sheet_and_rels(path: Path) -> tuple[str, str]:
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        return sheet, z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()


def test_links_over_a_frame_are_the_cell_by_cell_writers_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = ("C:/PMO/projet 1.xlsx", "projets/p 2 [v1].xlsx", "\\\\srv\\p.xlsx")
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    by_xlsxwriter: list[Link] = []
    write_link = xlsx_writer._Renderer.write_link

    def counted(self: Any, ws: Any, layout: SheetLayout, link: Link) -> None:
        by_xlsxwriter.append(link)
        write_link(self, ws, layout, link)

    monkeypatch.setattr(xlsx_writer._Renderer, "write_link", counted)
    notes = render_xlsx([_links_layout("frame", files)], fast)
    assert [link.row for link in by_xlsxwriter] == [0]  # the one above the table
    assert notes == render_xlsx([_links_layout("block", files)], slow)
    assert [n.cell for n in notes] == ["B12"]
    assert _cells_and_links(fast) == _cells_and_links(slow)
    sheet, rels = _sheet_and_rels(fast)
    assert sheet.count("<hyperlink ") == 7 and rels.count("<Relationship ") == 3
    assert 'Target="file:///C:\\PMO\\projet%201.xlsx"' in rels
    assert 'Target="projets\\p%202%20%5bv1%5d.xlsx"' in rels
    assert 'Target="file:///\\\\srv\\p.xlsx"' in rels


def test_a_link_over_a_frame_to_a_file_with_a_hash_in_its_name_opens_that_file(
    tmp_path: Path,
) -> None:
    # XlsxWriter cuts such a path at the "#" (the rest becomes the location); the frame's
    # links keep the whole path, "#" escaped as Excel does.
    path = tmp_path / "t.xlsx"
    render_xlsx([_links_layout("frame", ("C:/PMO/lot #1.xlsx", "a.xlsx", "b.xlsx"))], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert ws["B9"].hyperlink.target == "file:///C:\\PMO\\lot%20%231.xlsx"
    assert ws["B9"].hyperlink.location == "'Charges'!D5"


def test_links_over_a_frame_beyond_excels_limits_keep_their_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A limit of 5 links in the sheet: the link above the table and four over it; the last
    # one (B12) keeps its text, without a link. An address longer than Excel takes (A10)
    # keeps its text too, and leaves its place to another link.
    monkeypatch.setattr(xlsx_writer, "_MAX_LINKS", 5)
    path = tmp_path / "t.xlsx"
    render_xlsx([_links_layout("frame", ("a.xlsx", "x" * 2100 + ".xlsx", "c.xlsx"))], path)
    ws = openpyxl.load_workbook(path)["T"]
    linked = [c.coordinate for row in ws.iter_rows() for c in row if c.hyperlink is not None]
    assert linked == ["B1", "A8", "A9", "B9", "B11"]
    assert (ws["A10"].value, ws["B12"].value) == ("p 2", "b")


def test_a_frame_link_goes_with_the_sheets_other_relationships(tmp_path: Path) -> None:
    # A note makes XlsxWriter write the sheet's relationships (drawing, comments): the
    # links' are added after them, with ids of their own.
    layout = _links_layout("frame", ("a.xlsx", "b.xlsx", "c.xlsx"))
    layout.notes.append(Note(0, 0, "une note"))
    path = tmp_path / "t.xlsx"
    render_xlsx([layout], path)
    _, rels = _sheet_and_rels(path)
    ids = re.findall(r'Id="(rId\d+)"', rels)
    assert len(ids) == len(set(ids)) == 5  # vmlDrawing, comments and the three links
    ws = openpyxl.load_workbook(path)["T"]
    assert ws["A1"].comment.text == "une note" and ws["B9"].hyperlink.target == "a.xlsx"


def test_rows_are_the_same_whatever_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pd.DataFrame({"code": list("ABCDEFG"), "note": ["x" * 30, "", "z", "", "", "x", ""]})
    layout = table(frame)
    layout.links.append(Link(8, 1, "→", "A1"))  # a link in the fifth data row
    whole, chunked = tmp_path / "whole.xlsx", tmp_path / "chunked.xlsx"
    render_xlsx([layout], whole)
    monkeypatch.setattr(xlsx_writer, "_CHUNK_ROWS", 3)
    render_xlsx([layout], chunked)
    assert whole.read_bytes() == chunked.read_bytes()


@needs_c_reader
def test_the_c_rows_are_the_bytes_of_the_numpy_grid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Text, numbers, dates, blanks with and without a format, wrapped rows of their own
    # height, a link over a frame cell, a side block inside the frame's rows; chunks of 4 rows.
    n = 11
    frame = pd.DataFrame(
        {
            "code": [f"P{i % 3}" for i in range(n)],
            "days": [i / 7 if i % 4 else np.nan for i in range(n)],
            "when": [dt.date(2026, 1, 1 + i) if i % 5 else None for i in range(n)],
            "note": ["é\nligne" if i % 6 == 0 else "" for i in range(n)],
        }
    )
    columns = [
        Col("code", Label("Code", "Code"), width=10),
        Col("days", Label("Jours", "Days"), kind="days"),
        Col("when", Label("Date", "Date"), kind="date"),
        Col("note", Label("Note", "Note"), width=10, wrap=True),
    ]
    layout = table_sheet("T", "Titre", columns, frame)
    layout.links.append(Link(6, 0, "→", "A1"))
    layout.add(Block(9, 6, [["à côté"]]))
    layout.add(FrameBlock(20, 0, [pd.Series([1.0, np.nan, 3.0])], [CellStyle()]))
    monkeypatch.setattr(xlsx_writer, "_CHUNK_ROWS", 4)
    written = {}
    for native in ("1", "0"):
        monkeypatch.setenv("PMO_XL_NATIVE", native)
        render_xlsx([layout], tmp_path / f"{native}.xlsx")
        with zipfile.ZipFile(tmp_path / f"{native}.xlsx") as z:
            written[native] = z.read("xl/worksheets/sheet1.xml")
    assert written["1"] == written["0"]
    assert b'<c r="A21"' in written["1"] and b'<c r="A22"' not in written["1"]


def test_a_frame_sharing_its_rows_with_another_block_is_still_written(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    layout = frame_layout([pd.Series(["a", "b"])], [TEXT])
    layout.add(Block(1, 2, [["side"], ["note"]]))
    render_xlsx([layout], path)
    assert cells(path) == [["h0", None, None], ["a", None, "side"], ["b", None, "note"]]


def test_blank_cells_without_a_format_are_not_written(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    layout = SheetLayout("T", [FrameBlock(0, 0, [pd.Series([1.0, np.nan, 3.0])], [CellStyle()])])
    render_xlsx([layout], path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A2"' not in xml
    assert cells(path) == [[1], [None], [3]]


def test_the_sheet_dimension_covers_the_frame(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx([frame_layout([pd.Series(range(1000)), pd.Series(range(1000))], [DAYS] * 2)], path)
    ws = openpyxl.load_workbook(path, read_only=True)["T"]
    assert ws.calculate_dimension() == "A1:B1001"


def test_same_frame_gives_the_same_bytes(tmp_path: Path) -> None:
    frame = pd.DataFrame({"code": ["A", "B\x07"], "note": ["x" * 30, "y"]})
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    render_xlsx([table(frame)], first)
    render_xlsx([table(frame)], second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    "column",
    [
        [1, 2.5, None, 3, -0.0, float("inf"), float("nan"), 2**60, 1e-7, 3.0],
        [dt.date(2026, 11, 27), None, dt.date(1899, 12, 1), dt.date(2026, 11, 27)],
        [1, dt.date(2026, 1, 2), None, True, "x"],  # a real mix: value by value
    ],
    ids=["numbers and blanks", "dates and blanks", "mixed"],
)
def test_an_object_column_of_numbers_or_dates_writes_what_the_value_by_value_path_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: list[Any]
) -> None:
    cells = np.array(column, dtype=object)
    mixed = str in set(map(type, column))
    assert (xlsx_writer._typed_cells(cells, set(map(type, column))) is None) == mixed
    layout = frame_layout([pd.Series(column, dtype=object)], [DAYS])
    typed, by_value = tmp_path / "typed.xlsx", tmp_path / "by_value.xlsx"
    render_xlsx([layout], typed)
    monkeypatch.setattr(xlsx_writer, "_typed_cells", lambda cells, kinds: None)
    render_xlsx([layout], by_value)
    for part in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"):
        with zipfile.ZipFile(typed) as a, zipfile.ZipFile(by_value) as b:
            assert a.read(part) == b.read(part), part


# --- other readers of a layout -----------------------------------------------------------------


def test_a_frames_values_are_its_rows_converted() -> None:
    block = FrameBlock(
        0,
        0,
        [
            pd.Series(["a", None]),
            pd.Series([1.5, np.nan]),
            pd.to_datetime(pd.Series(["2026-01-05", None])),
        ],
        [TEXT, DAYS, DATE],
    )
    assert (block.n_rows, block.n_cols) == (2, 3)
    assert block.values == [["a", 1.5, dt.date(2026, 1, 5)], [None, None, None]]
    assert SheetLayout("T", [block]).to_grid().rows == block.values


def test_a_live_workbook_writes_a_frame_in_one_range_write(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    block = FrameBlock(
        3, 1, [pd.Series(["PRJ-1", "PRJ-2"]), pd.Series([100.0, np.nan])], [TEXT, DAYS]
    )
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [block]))
    writes = actions(xl, "setValues")
    assert len(writes) == 1
    assert (writes[0]["start_row"], writes[0]["start_column"]) == (3, 1)
    assert writes[0]["values"] == [["PRJ-1", 100.0], ["PRJ-2", ""]]


def test_frame_columns_must_have_one_length_and_one_style() -> None:
    with pytest.raises(ValueError):
        FrameBlock(0, 0, [pd.Series([1]), pd.Series([1, 2])], [TEXT, TEXT])
    with pytest.raises(ValueError):
        FrameBlock(0, 0, [pd.Series([1])], [TEXT, TEXT])


def test_a_table_over_a_frame_names_its_columns_from_the_frames_first_row(
    tmp_path: Path,
) -> None:
    # The table covers every cell of the frame: the frame is written cell by cell there.
    path = tmp_path / "t.xlsx"
    block = FrameBlock(
        0, 0, [pd.Series(["Code", "PRJ-1"]), pd.Series(["Budget", 12.5])], [TEXT] * 2
    )
    layout = SheetLayout("T", [block], tables=[TableDef(Range(0, 0, 1, 1), "Projets")])
    render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["T"]
    assert [c.name for c in ws.tables["Projets"].tableColumns] == ["Code", "Budget"]
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Code", "Budget"],
        ["PRJ-1", 12.5],
    ]


def test_the_load_detail_lists_projects_by_code_with_one_decimal() -> None:
    from pmo_xl.outputs import _details

    # 2.0 → "2,0"; 1.25 → "1,2" (Python rounds the binary 1.25 half to even).
    assert _details([{"PRJ-2": 1.25, "PRJ-1": 2.0}], ",") == ["PRJ-1 : 2,0 ; PRJ-2 : 1,2"]
    assert _details([{"PRJ-3": 0.54}], ".") == ["PRJ-3 : 0.5"]
    assert _details([{}], ",") == [""]


def test_a_load_formatted_once_is_the_same_text_in_every_row() -> None:
    from pmo_xl.outputs import _details

    # 2.5 first alone, then beside 0.25 (→ "0,2", half to even), then alone again.
    rows = [{"PRJ-1": 2.5}, {"PRJ-2": 2.5, "PRJ-1": 0.25}, {"PRJ-3": 2.5}]
    assert _details(rows, ",") == ["PRJ-1 : 2,5", "PRJ-1 : 0,2 ; PRJ-2 : 2,5", "PRJ-3 : 2,5"]


# --- large blocks of plain values are written as frames ----------------------------------------


def _report_layout(formula: bool = False) -> SheetLayout:
    """A COPIL-like table: 300 rows of 8 columns with a title row merged over each pair, wrapped
    rows of their own height; text, numbers, booleans, dates and blanks."""
    rows: list[list[Any]] = []
    for i in range(300):
        if i % 2 == 0:
            rows.append([f"Projet {i}"] + [None] * 7)
        else:
            rows.append(
                [f"P{i}", i * 0.5, i, i % 3 == 0, dt.date(2026, 1, 1 + i % 28), None, "é", -i]
            )
    if formula:
        rows[5][5] = Formula("=1+1", 2)
    styles = [TEXT, DAYS, DAYS, TEXT, DATE, TEXT, WRAP, DAYS]
    layout = SheetLayout("T", [Block(0, 0, [["titre"]]), Block(2, 0, rows, column_styles=styles)])
    layout.merges += [(Range(2 + i, 0, 2 + i, 7), f"Projet {i}", TEXT) for i in range(0, 300, 2)]
    layout.row_heights.update({2 + i: 30.0 for i in range(1, 300, 4)})
    return layout


def test_a_large_block_of_plain_values_is_written_as_a_frame_with_the_same_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    as_frame = xlsx_writer._as_frame
    monkeypatch.setattr(xlsx_writer, "_as_frame", lambda b: made.append(as_frame(b)) or made[-1])
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    render_xlsx([_report_layout()], fast)
    assert [m is not None for m in made] == [False, True]  # the title stays cell by cell
    monkeypatch.setattr(xlsx_writer, "_as_frame", lambda b: None)
    render_xlsx([_report_layout()], slow)
    a, b = openpyxl.load_workbook(fast)["T"], openpyxl.load_workbook(slow)["T"]
    assert a.dimensions == b.dimensions == "A1:H302"
    for row_a, row_b in zip(a.iter_rows(), b.iter_rows(), strict=True):
        for x, y in zip(row_a, row_b, strict=True):
            assert (x.value, type(x.value), x.number_format, repr(x.font), repr(x.alignment)) == (
                y.value,
                type(y.value),
                y.number_format,
                repr(y.font),
                repr(y.alignment),
            )
    assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
    heights = {k: v.height for k, v in a.row_dimensions.items() if v.height}
    assert heights == {k: v.height for k, v in b.row_dimensions.items() if v.height}
    assert heights[4] == 30.0  # Excel row 4 = layout row 3, the first of the tall ones


def test_a_block_with_a_formula_or_ragged_rows_is_written_cell_by_cell() -> None:
    assert xlsx_writer._as_frame(_report_layout(formula=True).blocks[1]) is None
    ragged = _report_layout().blocks[1]
    ragged.values[7] = ragged.values[7][:3]
    assert xlsx_writer._as_frame(ragged) is None
    small = Block(0, 0, [["a", 1.0]] * 10, column_styles=[TEXT, DAYS])
    assert xlsx_writer._as_frame(small) is None  # 20 cells: not worth a frame


def test_an_attribute_is_escaped_as_the_standard_library_escapes_it() -> None:
    """``_attr`` writes what ``xml.sax.saxutils.escape`` wrote (the module is no longer imported
    for it: it brings urllib, http and ssl with it)."""
    from xml.sax.saxutils import escape

    rng = random.Random(7)
    alphabet = "a&<>\"\n\r\t'é;#"
    texts = ["", "plain", "&amp;", "a<b>c", '"quoted"\n\r\t'] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(500)
    ]
    entities = {'"': "&quot;", "\n": "&#xA;", "\r": "&#xD;", "\t": "&#x9;"}
    for text in texts:
        assert xlsx_writer._attr(text) == escape(text, entities)


def _merged_layout() -> SheetLayout:
    """A COPIL-like table whose merges hold every kind of value, and merges that must stay
    XlsxWriter's (a formula, a date before 1900, a link inside)."""
    rows: list[list[Any]] = [[f"P{i}", i * 0.5, None, None, None, i] for i in range(400)]
    boxed = CellStyle(italic=True, fill="#FFC7CE", border=True, wrap=True, valign="top")
    dated = CellStyle(number_format="date", fill="#D9E1F2", border=True)
    values: list[Any] = [
        "↳ dérive de 15,8 % du budget",
        None,
        2.5,
        True,
        dt.date(2026, 11, 30),
        dt.datetime(2026, 11, 30, 14, 30),
        float("nan"),
        "a\x01b",  # cleaned, with its note
        Formula("=1+1", 2),
        dt.date(1899, 12, 1),
    ]
    layout = SheetLayout(
        "T", [Block(0, 0, rows, column_styles=[TEXT, DAYS, TEXT, TEXT, DATE, DAYS])]
    )
    for i in range(0, 400, 2):
        value = values[(i // 2) % len(values)]
        style = dated if isinstance(value, dt.date) else boxed
        layout.merges.append((Range(i, 1, i, 4), value, style))
    layout.merges.append((Range(395, 5, 397, 5), 7, boxed))  # over three rows
    layout.merges.append((Range(305, 1, 305, 5), "lien", boxed))
    layout.links.append(Link(305, 3, "lien", "A1", sheet="T"))
    return layout


def _cells(path: Path) -> list[tuple[Any, ...]]:
    sheet = openpyxl.load_workbook(path)["T"]
    return [
        (
            c.coordinate,
            c.value,
            type(c.value),
            c.number_format,
            repr(c.font),
            repr(c.fill),
            repr(c.border),
            repr(c.alignment),
            c.hyperlink.location if c.hyperlink else None,
        )
        for row in sheet.iter_rows()
        for c in row
    ]


def test_merges_inside_a_frame_are_its_cells_as_merge_range_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xlsxwriter.worksheet

    merged: list[str] = []
    real = xlsxwriter.worksheet.Worksheet.merge_range

    def counted(self: Any, *args: Any) -> Any:
        merged.append(xlsx_writer.Range(*args[:4]).a1())
        return real(self, *args)

    monkeypatch.setattr(xlsxwriter.worksheet.Worksheet, "merge_range", counted)
    fast, slow = tmp_path / "fast.xlsx", tmp_path / "slow.xlsx"
    fast_notes = render_xlsx([_merged_layout()], fast)
    # Left to XlsxWriter: the formula, the date before 1900, the merge holding a link.
    kept = [r.a1() for r, v, _ in _merged_layout().merges if isinstance(v, Formula)]
    kept += [r.a1() for r, v, _ in _merged_layout().merges if v == dt.date(1899, 12, 1)]
    assert sorted(merged) == sorted([*kept, "B306:F306"])
    monkeypatch.setattr(xlsx_writer, "_as_frame", lambda b: None)
    slow_notes = render_xlsx([_merged_layout()], slow)
    assert _cells(fast) == _cells(slow)
    a, b = openpyxl.load_workbook(fast)["T"], openpyxl.load_workbook(slow)["T"]
    assert sorted(map(str, a.merged_cells.ranges)) == sorted(map(str, b.merged_cells.ranges))
    assert len(a.merged_cells.ranges) == 202 and a.dimensions == b.dimensions
    assert sorted(map(repr, fast_notes)) == sorted(map(repr, slow_notes))
    assert any(n.cell == "B15" for n in fast_notes)  # "a\x01b" cleaned where it is
