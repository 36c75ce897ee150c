"""A live workbook through xlwings: read sheets as grids, write layouts in few actions.

Run against xlwings' remote engine (``xw.Book(json=payload)``): every write becomes an action in
``book.json()``, which is what the tests look at.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from xlwings_payload import actions, grids_of, remote_book

from pmo_xl.excel_book import (
    MARKS_HEADER,
    MARKS_SHEET,
    CellMark,
    XlwingsWorkbook,
    excel_text,
    export_pdf,
    from_excel,
    notice,
    set_status,
    show_message,
)
from pmo_xl.file_workbook import open_workbook
from pmo_xl.findings_sheet import findings_layout
from pmo_xl.layout import (
    Block,
    CellStyle,
    Formula,
    Link,
    Note,
    PrintSetup,
    Range,
    SheetLayout,
    Value,
)
from pmo_xl.model import Finding
from pmo_xl.reading import read_project
from pmo_xl.vba_build import build_templates
from pmo_xl.workbook import (
    CellError,
    Grid,
    WorkbookSink,
    WorkbookSource,
    cell_address,
    column_index,
)

# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def test_is_a_workbook_source_and_sink(monkeypatch: pytest.MonkeyPatch) -> None:
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Projet": [["Code projet", "PRJ-1"]]}))
    assert isinstance(book, WorkbookSource)
    assert isinstance(book, WorkbookSink)
    assert book.label == "pmo.xlsm"


def test_read_sheet_keeps_the_used_range_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    # A table typed from C5: the grid starts there, not at A1.
    grid = Grid([["Ressource", "TJM (€)"], ["Alice", 650.0]], first_row=5, first_col=3)
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Ressources": grid}))
    read = book.read_sheet("Ressources")
    assert (read.first_row, read.first_col) == (5, 3)
    assert read.cell(6, 4) == 650.0  # D6
    assert read.rows == [["Ressource", "TJM (€)"], ["Alice", 650.0]]


def test_dates_are_read_as_datetimes(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["Date de début", dt.datetime(2026, 9, 1)]]
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Projet": rows}))
    assert book.read_sheet("Projet").cell(1, 2) == dt.datetime(2026, 9, 1)


def test_error_cells_are_read_as_cell_errors_not_blanks(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [["Budget initial (j)", CellError("#DIV/0!")], ["Sponsor", CellError("#REF!")]]
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Projet": rows}))
    grid = book.read_sheet("Projet")
    assert grid.cell(1, 2) == CellError("#DIV/0!")
    assert grid.cell(2, 2) == CellError("#REF!")


def test_empty_cells_are_none_and_an_empty_sheet_is_an_empty_grid(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Projet": [["Code", None, "x"]], "Vide": []}))
    assert book.read_sheet("Projet").rows == [["Code", None, "x"]]
    assert book.read_sheet("Vide").rows == []


def test_unsaved_edits_are_read_through_the_same_reader_as_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    projet = [
        ["Code projet", "PRJ-7"],
        ["Nom du projet", "Migration"],
        ["Chef de projet", "Léa"],
        ["Date de début", dt.datetime(2026, 9, 1)],
        ["Date de fin prévue", dt.datetime(2026, 12, 18)],
        ["Budget initial (j)", 80.0],
    ]
    planning = [["ID", "Tâche", "Reste à faire (j)"], ["T1", "Analyse", 4.5]]
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Projet": projet, "Planning": planning}))
    project = read_project(book)
    assert project.info.code == "PRJ-7"
    assert project.info.budget_initial_days == 80.0
    assert project.tasks.frame["remaining_days"].tolist() == [4.5]


def test_sheet_names_hide_the_marks_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = {"Projet": [["a"]], MARKS_SHEET: [["Feuille"]], "Planning": [["b"]]}
    book = XlwingsWorkbook(remote_book(monkeypatch, sheets))
    assert book.sheet_names() == ["Projet", "Planning"]


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------


def test_a_new_sheet_is_added_after_the_last_one(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Paramètres": [["x"]], "TJM": [["y"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("Consolidation", [Block(0, 0, [["a"]])]))
    # Third sheet, 0-based position 2.
    assert [a["args"] for a in actions(xl, "addSheet")] == [[2, "Consolidation"]]
    assert actions(xl, "sheetClear") == []


def test_an_existing_sheet_is_cleared_in_place_not_added(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Paramètres": [["x"]], "Consolidation": [["old"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("Consolidation", [Block(0, 0, [["a"]])]))
    assert [a["sheet_position"] for a in actions(xl, "sheetClear")] == [1]
    assert actions(xl, "addSheet") == []


def test_input_sheets_are_not_touched(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Paramètres": [["x"]], "Consolidation": [["old"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("Consolidation", [Block(0, 0, [["a"]])]))
    assert {a["sheet_position"] for a in actions(xl) if a["func"] != "addSheet"} == {1}


def test_each_block_is_one_range_write_at_its_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout(
        "S",
        [
            Block(0, 0, [["Consolidation"]]),
            Block(3, 1, [["Code projet", "Budget (j)"], ["PRJ-1", 100.0], ["PRJ-2", None]]),
        ],
    )
    XlwingsWorkbook(xl).write_sheet(layout)
    writes = actions(xl, "setValues")
    assert len(writes) == 2
    # Block at 0-based (3, 1) is B4:C6.
    assert (writes[1]["start_row"], writes[1]["start_column"]) == (3, 1)
    assert (writes[1]["row_count"], writes[1]["column_count"]) == (3, 2)
    assert writes[1]["values"] == [["Code projet", "Budget (j)"], ["PRJ-1", 100.0], ["PRJ-2", ""]]


def test_dates_are_written_as_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(0, 0, [[dt.date(2026, 11, 20)]])]))
    # xlwings sends a date-only value as its ISO day; Excel stores it as a date serial.
    assert actions(xl, "setValues")[0]["values"] == [["2026-11-20"]]


def test_text_that_excel_would_parse_is_written_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    texts = ['=HYPERLINK("http://x")', "#REF!", "1.10", "+33 6", "VRAI", "Lot 1", "'quoted"]
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(0, 0, [texts])]))
    assert actions(xl, "setValues")[0]["values"] == [
        ['\'=HYPERLINK("http://x")', "'#REF!", "'1.10", "'+33 6", "'VRAI", "Lot 1", "''quoted"]
    ]


def test_the_programs_own_formulas_are_written_as_formulas(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout("S", [Block(0, 0, [[1.0], [2.0], [Formula("=SUM(A1:A2)", 3.0)]])])
    XlwingsWorkbook(xl).write_sheet(layout)
    assert actions(xl, "setValues")[0]["values"] == [[1.0], [2.0], ["=SUM(A1:A2)"]]


def test_number_formats_are_one_call_per_run_of_columns_before_the_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    days, pct = CellStyle(number_format="days"), CellStyle(number_format="pct")
    block = Block(
        1, 0, [["PRJ-1", 10.0, 12.0, 0.2], ["PRJ-2", 5.0, 5.5, 0.1]],
        column_styles=[CellStyle(), days, days, pct],
    )  # fmt: skip
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [block]))
    formats = actions(xl, "setNumberFormat")
    # Columns B:C share "days" (one call over B2:C3), D has "pct"; A is General (no call).
    assert [(a["args"], a["start_column"], a["column_count"], a["row_count"]) for a in formats] == [
        (["#,##0.0"], 1, 2, 2),
        (["0.0%"], 3, 1, 2),
    ]
    funcs = [a["func"] for a in actions(xl)]
    assert funcs.index("setNumberFormat") < funcs.index("setValues")


def _table_layout(n_rows: int) -> SheetLayout:
    header = CellStyle(bold=True, fill="#1F3864", font_color="#FFFFFF")
    rows = [
        [f"PRJ-{i}", f"Projet {i}", 100.0 + i, 0.05, dt.date(2026, 11, 20)] for i in range(n_rows)
    ]
    styles = [CellStyle(), CellStyle(wrap=True), CellStyle(number_format="days"),
              CellStyle(number_format="pct"), CellStyle(number_format="date")]  # fmt: skip
    links = [Link(4 + i, 0, f"PRJ-{i}", "A1", sheet="Projets") for i in range(n_rows)]
    return SheetLayout(
        "Consolidation",
        [
            Block(0, 0, [["Consolidation au 20/11/2026"]], CellStyle(bold=True, size=14)),
            Block(3, 0, [["Code", "Nom", "Réestimé (j)", "Dérive (%)", "Arrêté"]], header),
            Block(4, 0, rows, column_styles=styles),
        ],
        column_widths={0: 12, 1: 30, 2: 12, 3: 12, 4: 12},
        freeze=(4, 0),
        links=links,
    )


def test_write_actions_do_not_grow_with_the_number_of_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    small = remote_book(monkeypatch, {"S": [["x"]]})
    large = remote_book(monkeypatch, {"S": [["x"]]})
    XlwingsWorkbook(small).write_sheet(_table_layout(10))
    XlwingsWorkbook(large).write_sheet(_table_layout(1000))
    assert len(actions(large)) == len(actions(small))
    assert [a["func"] for a in actions(large)] == [a["func"] for a in actions(small)]
    # The 1,000 data rows are one write of 1,000 rows.
    assert max(a["row_count"] or 0 for a in actions(large, "setValues")) == 1000


def test_links_are_hyperlink_formulas_inside_the_block_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout(
        "Contrôles",
        [Block(0, 0, [["Planning!F12", "Date de fin avant le début"]])],
        links=[Link(0, 0, "Planning!F12", "F12", sheet="Planning")],
    )
    XlwingsWorkbook(xl).write_sheet(layout)
    assert actions(xl, "addHyperlink") == []
    assert actions(xl, "setValues")[0]["values"] == [
        ['=HYPERLINK("#\'Planning\'!F12","Planning!F12")', "Date de fin avant le début"]
    ]


def test_a_link_to_another_workbook_opens_it_at_the_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    link = Link(0, 0, "projet_a.xlsx", "B4", sheet="Projet", file=r"C:\PMO\projet_a.xlsx")
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(0, 0, [["x"]])], links=[link]))
    assert actions(xl, "setValues")[0]["values"] == [
        ['=HYPERLINK("[C:\\PMO\\projet_a.xlsx]\'Projet\'!B4","projet_a.xlsx")']
    ]


def test_styles_are_one_call_per_attribute_over_the_styled_range(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    header = CellStyle(bold=True, fill="#1F3864")
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(2, 0, [["a", "b", "c"]], header)]))
    fills = actions(xl, "setRangeColor")
    assert [(a["args"], a["start_row"], a["column_count"]) for a in fills] == [(["#1F3864"], 2, 3)]
    assert [a["args"] for a in actions(xl, "setFontProperty")] == [["bold", True]]


def test_column_widths_are_sent_in_points_to_the_remote_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", column_widths={0: 10, 1: 10, 3: 30}))
    widths = actions(xl, "setColumnWidth")
    # 10 characters = (10 × 7 + 5) px × 0.75 = 56.25 pt, for A:B in one call; 30 → 161.25 pt.
    assert [(a["args"], a["start_column"], a["column_count"]) for a in widths] == [
        ([56.25], 0, 2),
        ([161.25], 3, 1),
    ]


def test_header_rows_are_frozen_where_the_engine_can(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", freeze=(4, 0)))
    assert [a["args"] for a in actions(xl, "freezePaneAtRange")] == [["1:4"]]


def test_notes_are_added_on_office_js(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", notes=[Note(1, 2, "À vérifier")]))
    assert [a["args"] for a in actions(xl, "addNote")] == [["$C$2", "À vérifier"]]


def test_notes_degrade_to_a_notice_where_the_client_has_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]}, client="VBA")
    book = XlwingsWorkbook(xl)
    book.write_sheet(SheetLayout("S", [Block(0, 0, [["x"]])], notes=[Note(1, 2, "À vérifier")]))
    assert actions(xl, "addNote") == []
    assert any("Notes non ajoutées" in n for n in book.notices)
    assert len(actions(xl, "setValues")) == 1  # the figures are written all the same


# ---------------------------------------------------------------------------------------------
# Few calls for a whole sheet's look (desktop Excel: one round trip each)
# ---------------------------------------------------------------------------------------------

GREY, WHITE = "#bfbfbf", "#ffffff"  # as the remote engine sends colours


def calls(book: Any, func: str) -> list[tuple[Any, ...]]:
    """``(args, start_row, start_column, row_count, column_count)`` of each action ``func``."""
    return [
        (a["args"], a["start_row"], a["start_column"], a["row_count"], a["column_count"])
        for a in actions(book, func)
    ]


def border_lines(book: Any) -> dict[tuple[str, int, int], str]:
    """The border lines drawn, by colour: ``("h", 3, 1)`` is the line above row 3 (0-based),
    over column 1; ``("v", 2, 4)`` the line left of column 4, along row 2."""
    lines: dict[tuple[str, int, int], str] = {}
    for a in actions(book, "setBorderProperty"):
        side, attribute, colour = a["args"]
        if attribute != "color":
            continue
        r0, c0 = a["start_row"], a["start_column"]
        rows, cols = range(r0, r0 + a["row_count"]), range(c0, c0 + a["column_count"])
        drawn = {
            "edge_top": [("h", r0, c) for c in cols],
            "edge_left": [("v", r, c0) for r in rows],
            "inside_horizontal": [("h", r, c) for r in rows[1:] for c in cols],
            "inside_vertical": [("v", r, c) for c in cols[1:] for r in rows],
        }[side]
        for line in drawn:
            assert line not in lines, f"{line} drawn twice"
            lines[line] = colour
    return lines


def test_a_style_shared_by_stacked_blocks_is_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    bold = CellStyle(bold=True)
    layout = SheetLayout("S", [Block(0, 0, [["a", "b"]], bold), Block(1, 0, [["c", "d"]], bold)])
    XlwingsWorkbook(xl).write_sheet(layout)
    # A1:B1 and A2:B2 are one rectangle: A1:B2, 2 rows × 2 columns.
    assert calls(xl, "setFontProperty") == [(["bold", True], 0, 0, 2, 2)]


def test_a_blank_cell_does_not_split_a_font(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    bold = CellStyle(bold=True)
    block = Block(0, 0, [["PRJ-1", None, "PRJ-2"]], column_styles=[bold, CellStyle(), bold])
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [block]))
    # B1 is empty: bold or not, it shows nothing, so A1:C1 is one call.
    assert calls(xl, "setFontProperty") == [(["bold", True], 0, 0, 1, 3)]


def test_a_blank_cell_keeps_its_fill(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    navy = CellStyle(fill="#1F3864")
    block = Block(0, 0, [["a", None, "b"]], column_styles=[navy, CellStyle(), navy])
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [block]))
    # A fill shows on an empty cell: A1 and C1, not B1.
    assert calls(xl, "setRangeColor") == [(["#1F3864"], 0, 0, 1, 1), (["#1F3864"], 0, 2, 1, 1)]


def test_a_merged_cells_value_is_written_inside_its_blocks_write(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    title = CellStyle(bold=True)
    layout = SheetLayout(
        "S",
        [Block(0, 0, [[None, None, None], ["a", "b", "c"]])],
        merges=[(Range(0, 0, 0, 2), "Synthèse", title)],
    )
    XlwingsWorkbook(xl).write_sheet(layout)
    assert calls(xl, "setValues") == [([None], 0, 0, 2, 3)]
    assert actions(xl, "setValues")[0]["values"] == [["Synthèse", "", ""], ["a", "b", "c"]]
    assert calls(xl, "rangeMerge") == [([False], 0, 0, 1, 3)]  # A1:C1


def test_a_merged_value_outside_every_block_is_a_write_of_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout("S", merges=[(Range(4, 1, 5, 3), "Graphique : —", None)])
    XlwingsWorkbook(xl).write_sheet(layout)
    assert [(a["start_row"], a["start_column"], a["values"]) for a in actions(xl, "setValues")] == [
        (4, 1, [["Graphique : —"]])
    ]
    assert calls(xl, "rangeMerge") == [([False], 4, 1, 2, 3)]  # B5:D6


def test_one_row_merges_stacked_on_consecutive_rows_are_one_merge_across(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    rows: list[list[Value]] = [[f"PRJ-{r}", f"Risque {r}", None] for r in (1, 2, 3)]
    merges: list[tuple[Range, Value, CellStyle | None]] = [
        (Range(r, 1, r, 2), rows[r][1], CellStyle(wrap=True)) for r in range(3)
    ]
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(0, 0, rows)], merges=merges))
    # B1:C1, B2:C2 and B3:C3: "merge across" B1:C3 merges each row on its own.
    assert calls(xl, "rangeMerge") == [([True], 0, 1, 3, 2)]


def test_cells_are_merged_after_their_look_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    style = CellStyle(bold=True, fill="#1F3864", border=True)
    layout = SheetLayout("S", [Block(0, 0, [["Titre", None]], style)])
    layout.merges.append((Range(0, 0, 0, 1), "Titre", style))
    XlwingsWorkbook(xl).write_sheet(layout)
    funcs = [a["func"] for a in actions(xl)]
    # No style call falls on part of a merged area: they all come first.
    assert funcs[-1] == "rangeMerge"
    assert funcs.count("rangeMerge") == 1


def test_a_bordered_table_is_drawn_line_by_line(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    grey = CellStyle(border=True, border_color="#BFBFBF")
    XlwingsWorkbook(xl).write_sheet(SheetLayout("S", [Block(1, 1, [[1, 2, 3]] * 3, grey)]))
    # B2:D4 has 4 horizontal lines (above rows 2, 3, 4 and below row 4), each over B:D: the
    # inside lines of B1:D5 (0-based rows 0..4). Likewise its 4 vertical lines are the inside
    # lines of A2:E4. One side × (colour, line style) each: 4 actions, where the 6 sides of
    # "all borders" × 2 take 12.
    assert calls(xl, "setBorderProperty") == [
        (["inside_horizontal", "color", GREY], 0, 1, 5, 3),
        (["inside_horizontal", "line_style", "continuous"], 0, 1, 5, 3),
        (["inside_vertical", "color", GREY], 1, 0, 3, 5),
        (["inside_vertical", "line_style", "continuous"], 1, 0, 3, 5),
    ]


def test_every_edge_of_a_bordered_cell_is_drawn_once(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    grey = CellStyle(border=True, border_color="#BFBFBF")
    # A1 alone, and B3:C3 with C4 under C3: an L of three cells, from the sheet's edges.
    layout = SheetLayout(
        "S",
        [Block(0, 0, [["a"]], grey), Block(2, 1, [["b", "c"]], grey), Block(3, 2, [["d"]], grey)],
    )
    XlwingsWorkbook(xl).write_sheet(layout)
    expected = {
        ("h", 0, 0), ("h", 1, 0), ("v", 0, 0), ("v", 0, 1),  # A1
        ("h", 2, 1), ("h", 2, 2), ("h", 3, 1), ("h", 3, 2),  # B3:C3 top and bottom
        ("v", 2, 1), ("v", 2, 2), ("v", 2, 3),  # B3:C3 left, middle, right
        ("h", 4, 2), ("v", 3, 2), ("v", 3, 3),  # C4: bottom, left, right (top is C3's)
    }  # fmt: skip
    assert border_lines(xl) == {line: GREY for line in expected}


def test_the_line_under_a_header_takes_its_bodys_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    header = CellStyle(border=True, border_color="#FFFFFF", fill="#1F3864")
    body = CellStyle(border=True, border_color="#BFBFBF")
    layout = SheetLayout("S", [Block(2, 1, [["Code"]], header), Block(3, 1, [["PRJ-1"]], body)])
    XlwingsWorkbook(xl).write_sheet(layout)
    lines = border_lines(xl)
    # B3 (header) over B4 (body): the line between them, above 0-based row 3, is the body's.
    assert (lines[("h", 2, 1)], lines[("h", 3, 1)], lines[("h", 4, 1)]) == (WHITE, GREY, GREY)
    assert (lines[("v", 2, 1)], lines[("v", 3, 1)]) == (WHITE, GREY)


def test_row_heights_are_one_call_per_run_of_equal_heights(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout(
        "S", [Block(0, 0, [["Titre"]], row_height=20)], row_heights={2: 30, 3: 30, 4: 15}
    )
    XlwingsWorkbook(xl).write_sheet(layout)
    # Row 1: 20 pt; rows 3-4: 30 pt in one call; row 5: 15 pt.
    assert [(a["args"], a["start_row"], a["row_count"]) for a in actions(xl, "setRowHeight")] == [
        ([20], 0, 1),
        ([30], 2, 2),
        ([15], 4, 1),
    ]


def test_past_many_height_runs_excel_fits_the_rows_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    # A long table of wrapped text: every other row 30 pt from row 5 on, 150 runs.
    heights = {4 + r: 30.0 if r % 2 else 15.0 for r in range(150)}
    layout = SheetLayout("S", [Block(3, 0, [["Message"]], row_height=30)], row_heights=heights)
    XlwingsWorkbook(xl).write_sheet(layout)
    # The header's own height, then one autofit over rows 5..154 (0-based 4..153).
    assert [(a["args"], a["start_row"]) for a in actions(xl, "setRowHeight")] == [([30], 3)]
    assert calls(xl, "setAutofit") == [(["rows"], 4, 0, 150, 1)]


def test_a_block_of_blanks_on_the_cleared_sheet_is_not_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    layout = SheetLayout("S", [Block(0, 0, [["Titre"]]), Block(2, 0, [[None, None]], row_height=8)])
    XlwingsWorkbook(xl).write_sheet(layout)
    assert calls(xl, "setValues") == [([None], 0, 0, 1, 1)]
    assert calls(xl, "setRowHeight") == [([8], 2, 0, 1, 1)]


def test_an_attribute_the_engine_lacks_is_said_once(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]}, client="VBA")
    centred = CellStyle(align="center")
    layout = SheetLayout("S", [Block(0, 0, [["a"]], centred), Block(2, 1, [["b"]], centred)])
    book = XlwingsWorkbook(xl)
    book.write_sheet(layout)
    # The VBA client cannot align: one notice for both cells, the values written all the same.
    (said,) = book.notices
    assert said.startswith("Mise en forme partielle sur « S » (alignement) : ")
    assert len(actions(xl, "setValues")) == 2


class _PageApi:
    """Just what page breaks ask of desktop Excel's Worksheet object, recorded."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.HPageBreaks = SimpleNamespace(Add=lambda cell: self.done.append(f"break {cell}"))
        self.PageSetup = SimpleNamespace()

    def ResetAllPageBreaks(self) -> None:  # Excel's name
        self.done.append("reset")

    def Range(self, address: str) -> str:  # Excel's name
        return address


def test_page_breaks_are_set_on_desktop_excel_after_removing_the_old_ones() -> None:
    api = _PageApi()
    sheet = SimpleNamespace(api=api, page_setup=SimpleNamespace(print_area=None))
    desktop = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="excel")))
    book = XlwingsWorkbook(desktop)  # type: ignore[arg-type]
    layout = SheetLayout("COPIL", print_setup=PrintSetup(row_breaks=(12, 39)))
    book._print_setup(sheet, layout)  # type: ignore[arg-type]
    # 0-based rows 12 and 39: breaks before A13 and A40; last run's breaks reset first.
    assert api.done == ["reset", "break A13", "break A40"]
    assert book.notices == []
    assert api.PageSetup.Orientation == 2  # landscape


def test_print_setup_and_page_breaks_degrade_to_one_notice_on_remote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    book = XlwingsWorkbook(xl)
    book.write_sheet(SheetLayout("S", print_setup=PrintSetup(row_breaks=(12, 39))))
    assert book.notices == [notice("print")]
    assert "sauts de page" in notice("print")


# ---------------------------------------------------------------------------------------------
# Marks for "Vérifier"
# ---------------------------------------------------------------------------------------------


def test_marked_cells_of_every_fill_are_one_colour_matrix_on_office_js(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"Planning": [["x"]]})
    book = XlwingsWorkbook(xl)
    marks = [
        CellMark("F12", "#FFC7CE", "Fin avant le début"),
        CellMark("F13", "#FFC7CE", "Fin avant le début"),
        CellMark("F14", "#FFC7CE", None),
        CellMark("B3", "#FFEB9C", "Responsable inconnu"),
    ]
    assert book.mark_cells("Planning", marks) == 4
    # One action over B3:F14 (0-based row 2, column 1, 12 rows, 5 columns): B3 yellow,
    # F12:F14 red, every other cell left as it is.
    (fill,) = calls(xl, "setRangeColors")
    keep = ["keep"] * 5
    matrix = [["#ffeb9c", *keep[1:]], *[keep] * 8, *[[*keep[1:], "#ffc7ce"]] * 3]
    assert fill == ([matrix], 2, 1, 12, 5)
    assert actions(xl, "setRangeColor") == []
    assert sorted(a["args"][0] for a in actions(xl, "addNote")) == ["$B$3", "$F$12", "$F$13"]


def test_the_vba_client_gets_one_fill_call_per_rectangle(monkeypatch: pytest.MonkeyPatch) -> None:
    # VBA's RunRemotePython (Remote.bas) has no setRangeColors: a fill per range instead.
    xl = remote_book(monkeypatch, {"Planning": [["x"]]}, client="VBA")
    marks = [CellMark(f"F{row}", "#FFC7CE") for row in (12, 13, 14)] + [CellMark("B3", "#FFEB9C")]
    assert XlwingsWorkbook(xl).mark_cells("Planning", marks) == 4
    # F12:F14 is one rectangle (0-based row 11, column 5, 3 rows); B3 is alone.
    assert sorted(calls(xl, "setRangeColor")) == [
        (["#FFC7CE"], 11, 5, 3, 1),
        (["#FFEB9C"], 2, 1, 1, 1),
    ]
    assert actions(xl, "setRangeColors") == []


class RecordedRange:
    """A desktop Excel range whose fill is set: the address and the fill, recorded."""

    def __init__(self, address: str, fills: list[tuple[str, str | None]]) -> None:
        self.address, self.fills = address, fills

    @property
    def color(self) -> None:
        raise AssertionError("fills are set, not read, here")

    @color.setter
    def color(self, fill: str | None) -> None:
        self.fills.append((self.address, fill))


class RecordedSheet:
    """Just what filling cells asks of a desktop Excel sheet: ``range(address).color = …``."""

    def __init__(self) -> None:
        self.fills: list[tuple[str, str | None]] = []

    def range(self, address: str) -> RecordedRange:
        return RecordedRange(address, self.fills)


def cell_position(cell: str) -> tuple[int, int]:
    """``"C12"`` → (12, 3)."""
    letters = cell.rstrip("0123456789")
    return int(cell[len(letters) :]), column_index(letters)


def cells_of(address: str) -> set[str]:
    """``"B2,C3:C4"`` → ``{"B2", "C3", "C4"}``."""
    found = set()
    for area in address.split(","):
        first, _, last = area.partition(":")
        (r0, c0), (r1, c1) = cell_position(first), cell_position(last or first)
        found |= {cell_address(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    return found


def test_desktop_excel_gets_one_multi_area_range_per_fill_under_255_characters() -> None:
    desktop = SimpleNamespace(app=SimpleNamespace(engine=SimpleNamespace(name="excel")))
    book = XlwingsWorkbook(desktop)  # type: ignore[arg-type]
    sheet = RecordedSheet()
    scattered = {f"{'BC'[i % 2]}{4 + i}": "#FFC7CE" for i in range(200)}  # B4, C5, … C203
    fills: dict[str, str | None] = {**scattered, "F2": "#FFC7CE", "F3": "#FFC7CE", "A9": None}
    book._fill_cells(sheet, fills)  # type: ignore[arg-type]
    # 202 red cells: "F2:F3", then "B4", "C5", … "C203": 904 characters with their commas,
    # 4 addresses of at most 255; A9's fill removed in a call of its own.
    assert [fill for _, fill in sheet.fills] == [None] + ["#FFC7CE"] * 4
    assert all(len(address) <= 255 for address, _ in sheet.fills)
    assert sheet.fills[0][0] == "A9"
    red = [cells_of(address) for address, _ in sheet.fills[1:]]
    assert set().union(*red) == set(scattered) | {"F2", "F3"}
    assert sum(len(cells) for cells in red) == 202  # no cell filled twice


def test_marks_are_recorded_in_a_hidden_sheet(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Planning": [["x"]]})
    XlwingsWorkbook(xl).mark_cells("Planning", [CellMark("F12", "#FFC7CE", "Fin avant le début")])
    assert [a["args"] for a in actions(xl, "addSheet")] == [[1, MARKS_SHEET]]
    assert [a["args"] for a in actions(xl, "setSheetVisibility")] == [["Hidden"]]
    registry = actions(xl, "setValues")[-1]["values"]
    # The remote engine cannot read the fill before marking: recorded as unknown (blank).
    assert registry == [["Feuille", "Cellule", "Fond d'origine", "Note ajoutée"],
                        ["Planning", "F12", "", "oui"]]  # fmt: skip


def test_clearing_marks_undoes_exactly_the_recorded_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = [["Feuille", "Cellule", "Fond d'origine", "Note ajoutée"],
                ["Planning", "F12", "", "oui"], ["Planning", "F13", "", "non"],
                ["Planning", "C2", "#FFFF00", "non"]]  # fmt: skip
    xl = remote_book(
        monkeypatch,
        {"Planning": [["x"]], MARKS_SHEET: registry},
        notes={"Planning": ["F12"]},
        hidden=[MARKS_SHEET],
    )
    assert XlwingsWorkbook(xl).clear_marks() == 3
    # One action over C2:F13: F12:F13 back to no fill, C2 back to its yellow, nothing else.
    (fill,) = calls(xl, "setRangeColors")
    keep = ["keep"] * 4
    matrix = [["#ffff00", *keep[1:]], *[keep] * 9, *[[*keep[1:], None]] * 2]
    assert fill == ([matrix], 1, 2, 12, 4)
    assert [a["args"] for a in actions(xl, "deleteNote")] == [["$F$12"]]
    assert actions(xl, "setValues")[-1]["values"] == [
        ["Feuille", "Cellule", "Fond d'origine", "Note ajoutée"]
    ]


def test_a_cell_with_its_own_note_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Planning": [["x"]]}, notes={"Planning": ["F12"]})
    XlwingsWorkbook(xl).mark_cells("Planning", [CellMark("F12", "#FFC7CE", "Fin avant le début")])
    assert actions(xl, "addNote") == []
    assert actions(xl, "setValues")[-1]["values"][1] == ["Planning", "F12", "", "non"]


def test_marks_are_capped_and_the_rest_left_to_the_findings_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    xl = remote_book(monkeypatch, {"Charges": [["x"]]})
    book = XlwingsWorkbook(xl, max_marks=2)
    marks = [CellMark(f"A{row}", "#FFC7CE", "Date invalide") for row in (2, 3, 4, 5, 6)]
    assert book.mark_cells("Charges", marks) == 2
    assert book.notices == [
        "2 cellules marquées sur 5 : les autres sont listées dans l'onglet Contrôles."
    ]


# ---------------------------------------------------------------------------------------------
# Desktop-only features degrade on the remote engine
# ---------------------------------------------------------------------------------------------


def test_status_bar_is_desktop_only(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    assert set_status(xl, "Consolidation 12/40 : projet_x.xlsx") is False
    assert actions(xl) == []


def test_pdf_export_says_why_it_is_unavailable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    xl = remote_book(monkeypatch, {"COPIL": [["x"]]})
    message = export_pdf(xl, tmp_path / "copil.pdf")
    assert message is not None and "pmo-xl copil" in message


def test_a_message_box_is_an_alert_action(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"S": [["x"]]})
    show_message(xl, "3 erreurs, 2 avertissements", "Vérifier")
    assert [a["args"][:2] for a in actions(xl, "alert")] == [
        ["3 erreurs, 2 avertissements", "Vérifier"]
    ]


@pytest.mark.parametrize(
    ("text", "written"),
    [("Lot 1", "Lot 1"), ("12 janv. 2026", "'12 janv. 2026"), ("mars 2026", "'mars 2026"),
     ("-5", "'-5"), ("#N/A", "'#N/A"), ("Réalisation", "Réalisation"), ("(3)", "'(3)")],
)  # fmt: skip
def test_excel_text_quotes_what_excel_would_convert(text: str, written: str) -> None:
    assert excel_text(text) == written


def test_marks_of_several_sheets_in_one_run_are_all_recorded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The remote engine's sheets are a snapshot: the registry must not be read back mid-run.
    xl = remote_book(monkeypatch, {"Planning": [["x"]], "Charges": [["y"]]})
    book = XlwingsWorkbook(xl)
    book.mark_cells("Planning", [CellMark("F12", "#FFC7CE")])
    book.mark_cells("Charges", [CellMark("A2", "#FFC7CE")])
    assert actions(xl, "setValues")[-1]["values"][1:] == [
        ["Planning", "F12", "", "non"],
        ["Charges", "A2", "", "non"],
    ]


def test_a_new_run_clears_the_old_marks_then_records_only_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = [MARKS_HEADER, ["Planning", "B7", "", "non"]]
    xl = remote_book(monkeypatch, {"Planning": [["x"]], MARKS_SHEET: registry})
    book = XlwingsWorkbook(xl)
    assert book.clear_marks() == 1
    book.mark_cells("Planning", [CellMark("F12", "#FFC7CE")])
    assert actions(xl, "setValues")[-1]["values"][1:] == [["Planning", "F12", "", "non"]]


def test_the_cap_on_marks_counts_every_sheet_of_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Planning": [["x"]], "Charges": [["y"]]})
    book = XlwingsWorkbook(xl, max_marks=3)
    book.mark_cells("Planning", [CellMark(f"F{r}", "#FFC7CE") for r in (2, 3)])
    book.mark_cells("Charges", [CellMark(f"A{r}", "#FFC7CE") for r in (2, 3, 4)])
    # 2 + 1 marked (cap 3) out of 2 + 3 = 5 asked.
    assert book.notices == [
        "3 cellules marquées sur 5 : les autres sont listées dans l'onglet Contrôles."
    ]


# ---------------------------------------------------------------------------------------------
# Whole workbooks
# ---------------------------------------------------------------------------------------------


def test_the_project_template_opened_in_excel_reads_like_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = build_templates(tmp_path)[0]
    xl = remote_book(monkeypatch, grids_of(open_workbook(path)), book_name=path.name)
    book = XlwingsWorkbook(xl)
    assert book.sheet_names() == [*open_workbook(path).sheet_names()]
    assert read_project(book).info.sheet == "Projet"


def test_the_findings_sheet_is_written_without_notices_on_office_js(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    findings = [
        Finding(
            file="p.xlsx",
            sheet="Planning",
            cell=f"F{row}",
            row=row,
            code="PLANNING_END_BEFORE_START",
        )
        for row in range(5, 25)
    ]
    xl = remote_book(monkeypatch, {"Projet": [["x"]]})
    book = XlwingsWorkbook(xl)
    book.write_sheet(findings_layout(findings, in_project_workbook=True))
    # Only what the remote engine cannot do at all is left out, each said once.
    assert book.notices == [notice("autofilter"), notice("print")]
    assert actions(xl, "addHyperlink") == []  # 20 links, all inside the one block write


def test_a_newer_error_windows_hands_over_as_a_number_is_read_as_that_error() -> None:
    # #SPILL! (xlErrSpill 2045) comes from COM as 0x800A07FD, signed; xlwings leaves it a number.
    assert from_excel(-2146826243) == CellError("#SPILL!")
    assert from_excel(-2146826243.0) == -2146826243.0  # a float is a number
    assert from_excel(42) == 42
