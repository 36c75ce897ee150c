"""The XlsxWriter renderer: every layout feature lands in the file, and user text stays text."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine

from pmo_xl.layout import (
    Block,
    CellStyle,
    Chart,
    ConditionalFormat,
    Formula,
    FrameBlock,
    Link,
    Note,
    Pending,
    PrintSetup,
    Range,
    Series,
    SheetLayout,
    TableDef,
    Validation,
    frame_value,
)
from pmo_xl.render_pdf import PdfConversionError, to_pdf
from pmo_xl.workbook import CellError, Uncached
from pmo_xl.xlsx_writer import (
    WORKBOOK_CODENAME_KEY,
    ButtonSpec,
    DocumentProperties,
    TextNote,
    render_xlsx,
)

HEADER = CellStyle(bold=True, fill="#1F4E78", font_color="#FFFFFF", border=True)
RED = CellStyle(font_color="#9C0006", fill="#FFC7CE")


def summary_layout() -> SheetLayout:
    """A sheet using every feature a renderer supports."""
    layout = SheetLayout(
        "Synthèse",
        column_widths={0: 12.0, 1: 30.0, 2: 12.0, 3: 11.0, 4: 11.0},
        freeze=(1, 1),
        autofilter=Range(0, 0, 3, 5),
        tab_color="#FF0000",
        hide_gridlines=True,
        print_setup=PrintSetup(
            repeat_rows=(0, 0),
            print_area=Range(0, 0, 9, 5),
            margins_cm=2.54,
            header="&CSynthèse",
            footer="&CPage &P / &N",
        ),
    )
    layout.add(
        Block(0, 0, [["Code projet", "Nom", "Début", "Budget (j)", "Avancement", "Actif"]], HEADER)
    )
    layout.add(
        Block(
            1,
            0,
            [
                ["PRJ-001", "Alpha", dt.date(2026, 1, 5), 120.5, 0.25, True],
                ["PRJ-002", "Bêta", dt.date(2026, 2, 2), 80, 0.5, False],
                ["PRJ-003", "Gamma", dt.datetime(2026, 3, 2, 14, 30), 40.0, None, None],
            ],
            column_styles=[
                CellStyle(),
                CellStyle(),
                CellStyle(number_format="date"),
                CellStyle(number_format="days"),
                CellStyle(number_format="pct"),
                CellStyle(),
            ],
        )
    )
    # 120.5 + 80 + 40 = 240.5
    layout.add(Block(4, 3, [[Formula("=SUM(D2:D4)", cached=240.5)]]))
    layout.merges.append((Range(6, 0, 6, 3), "Portefeuille 2026", HEADER))
    layout.links.append(Link(7, 0, "Voir le détail", cell="B3", sheet="Détails"))
    layout.links.append(
        Link(8, 0, "Planning Alpha", cell="F12", sheet="Planning", file="projets/alpha.xlsx")
    )
    layout.notes.append(Note(1, 3, "Budget révisé le 05/01/2026"))
    layout.conditional_formats += [
        ConditionalFormat(Range(1, 3, 3, 3), "greater", 100, RED),
        ConditionalFormat(Range(1, 1, 3, 1), "text_contains", "Bêta", RED),
    ]
    layout.charts.append(
        Chart(
            "column",
            "Budget par projet",
            categories=Range(1, 0, 3, 0),
            series=(Series("Budget (j)", Range(1, 3, 3, 3), color="#1F4E78"),),
            anchor=(10, 0),
            y_title="jours",
        )
    )
    layout.validations += [
        Validation(Range(1, 5, 3, 5), choices=("Oui", "Non"), prompt="Projet actif ?"),
        Validation(Range(1, 1, 3, 1), source="=Détails!$A$2:$A$4"),
    ]
    return layout


def details_layout() -> SheetLayout:
    layout = SheetLayout("Détails")
    layout.add(Block(0, 0, [["Ressource", "Jours", "TJM (€)", "Coût (€)"]], HEADER))
    layout.add(
        Block(
            1,
            0,
            [["Alice", 10, 500, None], ["Bob", 4, 650, None], ["Chloé", 2.5, 700, None]],
            column_styles=[
                CellStyle(),
                CellStyle(number_format="days"),
                CellStyle(number_format="eur"),
                CellStyle(number_format="eur"),
            ],
        )
    )
    layout.tables.append(
        TableDef(
            Range(0, 0, 3, 3), "Couts", formulas={"Coût (€)": "=Couts[@[Jours]]*Couts[@[TJM (€)]]"}
        )
    )
    return layout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("render") / "synthese.xlsx"
    render_xlsx([summary_layout(), details_layout()], path)
    return path


@pytest.fixture(scope="module")
def book(rendered: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(rendered)


def read_values(path: Path) -> list[list[Any]]:
    """The first sheet's values as Excel shows them."""
    return python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def sheet_xml(path: Path, index: int = 1) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{index}.xml").decode("utf-8")


# --- values and formats ----------------------------------------------------------------------


def test_sheets_are_written_in_layout_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["Synthèse", "Détails"]


def test_a_pending_sheet_keeps_its_rank_and_is_filled_after_the_others(tmp_path: Path) -> None:
    order: list[str] = []

    def built_last() -> SheetLayout:
        order.append("résolu")
        return SheetLayout("Plus tard", [Block(0, 0, [["prêt"]])])

    table = SheetLayout("Tableau", [FrameBlock(0, 0, [pd.Series(["a", "b"])], [CellStyle()])])
    path = tmp_path / "pending.xlsx"
    render_xlsx([Pending("Plus tard", built_last), table], path)
    assert order == ["résolu"]
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Plus tard", "Tableau"]
    assert book["Plus tard"]["A1"].value == "prêt"
    # The table body of the second sheet went to its own part, not to the pending sheet's.
    assert [c.value for c in book["Tableau"]["A"]] == ["a", "b"]


def test_a_pending_sheet_is_written_as_if_it_had_been_ready(tmp_path: Path) -> None:
    later, again, ready = tmp_path / "later.xlsx", tmp_path / "again.xlsx", tmp_path / "ready.xlsx"
    render_xlsx([Pending("Synthèse", summary_layout), details_layout()], later)
    render_xlsx([Pending("Synthèse", summary_layout), details_layout()], again)
    render_xlsx([summary_layout(), details_layout()], ready)
    # Pending sheets are always filled last: the same layouts give the same bytes.
    assert later.read_bytes() == again.read_bytes()
    for name in ("Synthèse", "Détails"):
        assert all_values(later, name) == all_values(ready, name)
    assert openpyxl.load_workbook(later).sheetnames == ["Synthèse", "Détails"]


def all_values(path: Path, sheet: str) -> list[list[Any]]:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(sheet).to_python()


def test_a_pending_sheet_built_under_another_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Autre"):
        render_xlsx([Pending("Prévu", lambda: SheetLayout("Autre"))], tmp_path / "x.xlsx")


def test_values_read_back_with_their_types(book: openpyxl.Workbook) -> None:
    ws = book["Synthèse"]
    assert [c.value for c in ws[2]] == [
        "PRJ-001",
        "Alpha",
        dt.datetime(2026, 1, 5),
        120.5,
        0.25,
        True,
    ]
    assert ws["D3"].value == 80
    assert ws["F3"].value is False
    assert ws["E4"].value is None


def test_number_formats_follow_the_column_styles(book: openpyxl.Workbook) -> None:
    ws = book["Synthèse"]
    assert ws["C2"].number_format == "dd/mm/yyyy"
    assert ws["D2"].number_format == "#,##0.0"
    assert ws["E2"].number_format == "0.0%"
    assert book["Détails"]["C2"].number_format == '#,##0 "€"'


def test_datetime_with_a_time_gets_the_datetime_format(book: openpyxl.Workbook) -> None:
    # Column style says "date"; a value with 14:30 keeps that explicit date format.
    assert book["Synthèse"]["C4"].value == dt.datetime(2026, 3, 2, 14, 30)


def test_date_in_a_general_column_gets_the_date_format(tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    layout = SheetLayout("S", [Block(0, 0, [[dt.date(2026, 1, 5), dt.datetime(2026, 1, 5, 9)]])])
    render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["S"]
    assert (ws["A1"].number_format, ws["B1"].number_format) == ("dd/mm/yyyy", "dd/mm/yyyy hh:mm")


def test_english_layout_uses_english_number_formats(tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    layout = SheetLayout(
        "S",
        [
            Block(
                0,
                0,
                [[dt.date(2026, 1, 5), 1000]],
                column_styles=[CellStyle(), CellStyle(number_format="eur")],
            )
        ],
        lang="en",
    )
    render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["S"]
    assert (ws["A1"].number_format, ws["B1"].number_format) == ("yyyy-mm-dd", '"€"#,##0')


def test_cell_style_is_applied(book: openpyxl.Workbook) -> None:
    cell = book["Synthèse"]["A1"]
    assert cell.font.b is True
    assert cell.font.color.rgb == "FFFFFFFF"
    assert cell.fill.fgColor.rgb == "FF1F4E78"
    assert cell.border.left.style == "thin"


def test_formula_is_written_with_its_cached_value(rendered: Path) -> None:
    assert openpyxl.load_workbook(rendered)["Synthèse"]["D5"].value == "=SUM(D2:D4)"
    assert openpyxl.load_workbook(rendered, data_only=True)["Synthèse"]["D5"].value == 240.5


def test_error_values_and_uncached_formulas_are_written_as_their_text(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    layout = SheetLayout("S", [Block(0, 0, [[CellError("#REF!"), Uncached("=A1*2")]])])
    render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["S"]
    assert [(c.value, c.data_type) for c in ws[1]] == [("#REF!", "s"), ("=A1*2", "s")]


def test_missing_numbers_are_blank(tmp_path: Path) -> None:
    path = tmp_path / "nan.xlsx"
    render_xlsx([SheetLayout("S", [Block(0, 0, [[float("nan"), float("inf"), None, 1]])])], path)
    ws = openpyxl.load_workbook(path)["S"]
    assert [c.value for c in ws[1]] == [None, None, None, 1]


def test_pandas_and_numpy_values_are_written_typed(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    pd = pytest.importorskip("pandas")
    path = tmp_path / "np.xlsx"
    row = [np.int64(3), np.float64(2.5), np.bool_(True), pd.Timestamp("2026-01-05"), pd.NaT]
    render_xlsx([SheetLayout("S", [Block(0, 0, [row])])], path)
    ws = openpyxl.load_workbook(path)["S"]
    assert [c.value for c in ws["A1:E1"][0]] == [3, 2.5, True, dt.datetime(2026, 1, 5), None]


def test_date_before_1900_is_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    render_xlsx([SheetLayout("S", [Block(0, 0, [[dt.date(1899, 5, 1)]])])], path)
    assert openpyxl.load_workbook(path)["S"]["A1"].value == "1899-05-01"


# --- sheet features --------------------------------------------------------------------------


def test_column_widths(book: openpyxl.Workbook) -> None:
    dims = book["Synthèse"].column_dimensions
    # XlsxWriter stores the width plus Excel's padding of 0.71 characters: 12 -> 12.71.
    assert (round(dims["A"].width, 2), round(dims["B"].width, 2)) == (12.71, 30.71)


def test_freeze_panes(book: openpyxl.Workbook) -> None:
    assert book["Synthèse"].freeze_panes == "B2"


def test_autofilter(book: openpyxl.Workbook) -> None:
    assert book["Synthèse"].auto_filter.ref == "A1:F4"


def test_merged_cells_hold_the_value_in_their_first_cell(book: openpyxl.Workbook) -> None:
    ws = book["Synthèse"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A7:D7"]
    assert ws["A7"].value == "Portefeuille 2026"


def test_internal_hyperlink_points_to_sheet_and_cell(book: openpyxl.Workbook) -> None:
    cell = book["Synthèse"]["A8"]
    assert cell.value == "Voir le détail"
    assert cell.hyperlink.location == "'Détails'!B3"


def test_external_hyperlink_points_to_file_sheet_and_cell(rendered: Path) -> None:
    cell = openpyxl.load_workbook(rendered)["Synthèse"]["A9"]
    assert cell.value == "Planning Alpha"
    # XlsxWriter writes relative paths with Windows separators, as Excel does.
    assert cell.hyperlink.target == "projets\\alpha.xlsx"
    assert cell.hyperlink.location == "'Planning'!F12"


def test_note_on_cell(book: openpyxl.Workbook) -> None:
    comment = book["Synthèse"]["D2"].comment
    assert (comment.text, comment.author) == ("Budget révisé le 05/01/2026", "pmo_xl")


def test_conditional_formats(book: openpyxl.Workbook) -> None:
    rules = {
        str(cf.sqref): [(r.type, r.operator, r.formula) for r in cf.rules]
        for cf in book["Synthèse"].conditional_formatting
    }
    assert rules == {
        "D2:D4": [("cellIs", "greaterThan", ["100"])],
        "B2:B4": [("containsText", "containsText", ['NOT(ISERROR(SEARCH("Bêta",B2)))'])],
    }


def test_text_condition_compares_with_a_quoted_string(tmp_path: Path) -> None:
    path = tmp_path / "cf.xlsx"
    layout = SheetLayout("S", [Block(0, 0, [["Bloqué"]])])
    layout.conditional_formats.append(
        ConditionalFormat(Range(0, 0, 0, 0), "equals", 'Dit "non"', RED)
    )
    render_xlsx([layout], path)
    (cf,) = openpyxl.load_workbook(path)["S"].conditional_formatting
    assert cf.rules[0].formula == ['"Dit ""non"""']


def test_chart_is_a_native_chart_on_the_sheet_data(rendered: Path) -> None:
    with zipfile.ZipFile(rendered) as z:
        chart = z.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:barChart>" in chart and '<c:barDir val="col"/>' in chart
    assert "<c:f>Synthèse!$D$2:$D$4</c:f>" in chart
    assert "<c:f>Synthèse!$A$2:$A$4</c:f>" in chart
    assert "Budget par projet" in chart


def test_validations(book: openpyxl.Workbook) -> None:
    found = {
        str(v.sqref): (v.type, v.formula1, v.prompt)
        for v in book["Synthèse"].data_validations.dataValidation
    }
    assert found == {
        "F2:F4": ("list", '"Oui,Non"', "Projet actif ?"),
        "B2:B4": ("list", "Détails!$A$2:$A$4", None),
    }


def test_table_with_header_from_the_layout_and_a_formula_column(book: openpyxl.Workbook) -> None:
    ws = book["Détails"]
    table = ws.tables["Couts"]
    assert table.ref == "A1:D4"
    assert [c.name for c in table.tableColumns] == ["Ressource", "Jours", "TJM (€)", "Coût (€)"]
    # XlsxWriter stores "@" as Excel's file form "[#This Row],".
    assert ws["D2"].value == "=Couts[[#This Row],[Jours]]*Couts[[#This Row],[TJM (€)]]"
    # add_table rewrites the header cells; they keep the layout's header style.
    assert ws["A1"].font.b is True


def test_print_setup(book: openpyxl.Workbook) -> None:
    ws = book["Synthèse"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    # fitToWidth=1 is the file format's default, so it is left out of the XML.
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'Synthèse'!$A$1:$F$10"
    # 2.54 cm = 1 inch.
    assert (ws.page_margins.left, ws.page_margins.top) == (1.0, 1.0)
    assert ws.oddHeader.center.text == "Synthèse"
    assert ws.print_options.horizontalCentered is True


def test_tab_colour_and_hidden_gridlines(book: openpyxl.Workbook) -> None:
    ws = book["Synthèse"]
    assert ws.sheet_properties.tabColor.rgb == "FFFF0000"
    assert ws.sheet_view.showGridLines is False


# --- user text stays text ----------------------------------------------------------------------

PAYLOADS = [
    "=1+1",
    "+1",
    "-1+2",
    "@SUM(A1)",
    '=HYPERLINK("http://x","y")',
    "\t=1",
    "\r=1",
    "\n=1",
    "#REF!",
    "#N/A",
    "#DIV/0!",
    "=cmd|' /C calc'!A0",
    'DDE("cmd")',
    "=2+5+cmd|' /C calc'!A0",
    "http://example.com",
    "0123",
    "TRUE",
    "1e5",
    "_x0041_",
]


@pytest.fixture(scope="module")
def payload_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("inject") / "inject.xlsx"
    layout = SheetLayout("Contrôles", [Block(0, 0, [[p] for p in PAYLOADS])])
    layout.merges.append((Range(0, 2, 0, 3), "=1+1", None))
    layout.links.append(Link(1, 2, "=1+1", cell="A1"))
    notes = render_xlsx([layout], path)
    assert notes == []
    return path


def test_no_written_cell_is_a_formula(payload_file: Path) -> None:
    assert "<f>" not in sheet_xml(payload_file)


def test_every_written_cell_is_a_string_never_an_error(payload_file: Path) -> None:
    types = re.findall(r'<c r="[A-Z]+\d+"(?: s="\d+")?(?: t="(\w+)")?', sheet_xml(payload_file))
    assert types and set(types) == {"s"}


def test_user_text_reads_back_unchanged(payload_file: Path) -> None:
    # calamine decodes Excel's "_x000D_" escapes as Excel does (openpyxl leaves them).
    rows = read_values(payload_file)
    assert [row[0] for row in rows] == PAYLOADS
    assert (rows[0][2], rows[1][2]) == ("=1+1", "=1+1")


def test_chart_title_looking_like_a_reference_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    layout = SheetLayout("S", [Block(0, 0, [["a", 1], ["b", 2]])])
    layout.charts.append(
        Chart(
            "bar",
            "S!A1 hors budget",
            Range(0, 0, 1, 0),
            (Series("=S!B1", Range(0, 1, 1, 1)),),
            (3, 0),
        )
    )
    render_xlsx([layout], path)
    with zipfile.ZipFile(path) as z:
        chart = z.read("xl/charts/chart1.xml").decode("utf-8")
    assert "<c:tx><c:strRef>" not in chart  # no title or series name taken from a cell
    assert "S!\u200bA1 hors budget" in chart


def test_control_characters_are_removed_with_a_note_per_cell(tmp_path: Path) -> None:
    path = tmp_path / "ctl.xlsx"
    layout = SheetLayout(
        "Planning", [Block(0, 0, [["Lot\x0b 1", "ok"], ["ok", "a\x00b\x1fc\ufffe"]])]
    )
    notes = render_xlsx([layout], path)
    ws = openpyxl.load_workbook(path)["Planning"]
    assert (ws["A1"].value, ws["B2"].value) == ("Lot 1", "abc")
    assert notes == [
        TextNote("Planning", "A1", "Lot\x0b 1"),
        TextNote("Planning", "B2", "a\x00b\x1fc\ufffe"),
    ]


def test_tab_and_line_breaks_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "ws.xlsx"
    notes = render_xlsx([SheetLayout("S", [Block(0, 0, [["a\tb\r\nc"]])])], path)
    assert notes == []
    assert read_values(path) == [["a\tb\r\nc"]]


def test_text_longer_than_excel_allows_is_cut_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "long.xlsx"
    long_text = "x" * 40_000
    notes = render_xlsx([SheetLayout("S", [Block(0, 0, [[long_text]])])], path)
    assert len(openpyxl.load_workbook(path)["S"]["A1"].value) == 32_767
    assert notes == [TextNote("S", "A1", long_text, "TEXT_TRUNCATED")]


def test_note_becomes_a_control_characters_finding() -> None:
    finding = TextNote("Planning", "C7", "Lot\x0b 1").to_finding("projet_alpha.xlsx")
    assert (finding.code, finding.severity, finding.location) == (
        "CONTROL_CHARACTERS",
        "warning",
        "Planning!C7",
    )
    assert finding.params["value"] == "Lot 1"


def test_comment_text_is_cleaned_too(tmp_path: Path) -> None:
    path = tmp_path / "n.xlsx"
    layout = SheetLayout("S", notes=[Note(0, 0, "voir\x07 ici")])
    notes = render_xlsx([layout], path)
    assert openpyxl.load_workbook(path)["S"]["A1"].comment.text == "voir ici"
    assert notes == [TextNote("S", "A1", "voir\x07 ici")]


# --- files -----------------------------------------------------------------------------------


def test_same_layouts_give_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    render_xlsx([summary_layout(), details_layout()], first)
    render_xlsx([summary_layout(), details_layout()], second)
    assert first.read_bytes() == second.read_bytes()


def test_document_properties_are_written(tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    created = dt.datetime(2026, 10, 15, 0, 0)
    render_xlsx(
        [SheetLayout("S")], path, properties=DocumentProperties(title="COPIL", created=created)
    )
    props = openpyxl.load_workbook(path).properties
    assert (props.title, props.creator, props.created) == ("COPIL", "pmo_xl", created)


def test_failed_render_leaves_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"previous")
    bad = SheetLayout("S")
    bad.tables.append(TableDef(Range(0, 0, 2, 1), "A1"))  # a table name Excel refuses
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="table A1"):
        render_xlsx([bad], path)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_xlsm_carries_the_vba_project_code_names_and_buttons(tmp_path: Path) -> None:
    pyopenvba = pytest.importorskip("pyopenvba")
    olevba = pytest.importorskip("oletools.olevba")
    # A real vbaProject.bin: give an empty .xlsm a project with one module.
    seed = tmp_path / "seed.xlsm"
    render_xlsx([SheetLayout("Accueil")], seed)
    excel = pyopenvba.ExcelFile(str(seed))
    excel.add_vba_project().add_module(
        "Module1", 'Sub Consolider()\r\n    MsgBox "ok"\r\nEnd Sub\r\n'
    )
    excel.save(str(seed))
    with zipfile.ZipFile(seed) as z:
        (tmp_path / "vbaProject.bin").write_bytes(z.read("xl/vbaProject.bin"))

    path = tmp_path / "pmo.xlsm"
    render_xlsx(
        [SheetLayout("Accueil")],
        path,
        vba_project=tmp_path / "vbaProject.bin",
        vba_codenames={WORKBOOK_CODENAME_KEY: "ThisWorkbook", "Accueil": "Sheet1"},
        buttons=[ButtonSpec("Accueil", "B2", "Consolider", "Consolider")],
    )
    with zipfile.ZipFile(path) as z:
        content_types = z.read("[Content_Types].xml").decode()
        workbook_xml = z.read("xl/workbook.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        vml = z.read("xl/drawings/vmlDrawing1.vml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in content_types
    assert '<workbookPr codeName="ThisWorkbook"' in workbook_xml
    assert '<sheetPr codeName="Sheet1"/>' in sheet
    assert "<x:FmlaMacro>[0]!Consolider</x:FmlaMacro>" in vml and "Consolider" in vml
    parser = olevba.VBA_Parser(str(path), data=path.read_bytes())
    code = "".join(source for _, _, _, source in parser.extract_macros())
    assert "Sub Consolider()" in code


def test_button_on_unknown_sheet_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Inconnue"):
        render_xlsx(
            [SheetLayout("S")],
            tmp_path / "b.xlsm",
            buttons=[ButtonSpec("Inconnue", "A1", "Go", "Go")],
        )


def test_zip_entries_carry_a_fixed_timestamp(rendered: Path) -> None:
    # What makes the bytes reproducible besides the fixed creation date.
    with zipfile.ZipFile(io.BytesIO(rendered.read_bytes())) as z:
        assert all(info.date_time[0] == 1980 for info in z.infolist())


def test_time_of_day_gets_a_time_format(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    render_xlsx([SheetLayout("S", [Block(0, 0, [[dt.time(9, 30)]])])], path)
    cell = openpyxl.load_workbook(path)["S"]["A1"]
    assert (cell.value, cell.number_format) == (dt.time(9, 30), "hh:mm")


# --- PDF through LibreOffice -------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_rendered_workbook_converts_to_pdf_with_formulas_recalculated(
    rendered: Path, tmp_path: Path
) -> None:
    pdf = to_pdf(rendered, tmp_path / "pdf")
    assert pdf == tmp_path / "pdf" / "synthese.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Portefeuille 2026" in text
        # The table's formula column has no stored value: LibreOffice computed 10 × 500 = 5000.
        assert re.search(r"5[ ,.\u202f\xa0]?000 €", text)


def test_missing_libreoffice_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("pmo_xl.render_pdf.find_soffice", lambda: None)
    with pytest.raises(PdfConversionError) as raised:
        to_pdf(tmp_path / "copil.xlsx", tmp_path)
    assert "LibreOffice n'est pas installé" in raised.value.message("fr")
    assert "LibreOffice is not installed" in raised.value.message("en")


# --- the heaviest table sheet generated by a forked child -------------------------------------


def two_tables() -> list[SheetLayout]:
    """Two sheets of table bodies, text and numbers (the second one the heavier)."""
    small = pd.Series([f"ligne {i}" for i in range(50)])
    big = pd.Series([f"tâche {i % 37}" for i in range(400)])
    return [
        SheetLayout("Petit", [FrameBlock(1, 0, [small, pd.Series(range(50))], [CellStyle()] * 2)]),
        SheetLayout("Gros", [FrameBlock(1, 0, [big, pd.Series(range(400))], [CellStyle()] * 2)]),
    ]


@pytest.fixture
def child_for_small_sheets(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Children for these small sheets; the jobs started, listed."""
    from pmo_xl import xlsx_writer

    monkeypatch.setattr(xlsx_writer, "_CHILD_MIN_CELLS", 100)
    monkeypatch.setattr(xlsx_writer, "_CHILD_MIN_REST", 10)
    started: list[object] = []
    real = xlsx_writer.in_background

    def spy(fn: Any, *args: Any) -> object:
        job = real(fn, *args)
        started.append(job)
        return job

    monkeypatch.setattr(xlsx_writer, "in_background", spy)
    return started


def test_a_sheet_made_by_a_child_gives_the_same_workbook(
    tmp_path: Path, child_for_small_sheets: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    from pmo_xl import sandbox, xlsx_writer

    render_xlsx(two_tables(), tmp_path / "child.xlsx")
    if sandbox.start_method() == "fork":
        assert len(child_for_small_sheets) == 1 and child_for_small_sheets[0] is not None
    monkeypatch.setattr(xlsx_writer, "in_background", lambda fn, *args: None)
    render_xlsx(two_tables(), tmp_path / "here.xlsx")
    assert (tmp_path / "child.xlsx").read_bytes() == (tmp_path / "here.xlsx").read_bytes()
    # Its last row: i = 399, 399 - 10 × 37 = 29 (the sheet's values start at the block).
    assert all_values(tmp_path / "child.xlsx", "Gros")[399] == ["tâche 29", 399]
    assert multiprocessing.active_children() == []


def test_a_failed_child_leaves_its_sheet_to_this_process(
    tmp_path: Path, child_for_small_sheets: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from pmo_xl import xlsx_writer

    parent, real = os.getpid(), xlsx_writer._sheet_xml

    def fails_in_a_child(*args: Any) -> Any:
        if os.getpid() != parent:
            raise MemoryError
        return real(*args)

    monkeypatch.setattr(xlsx_writer, "_sheet_xml", fails_in_a_child)
    render_xlsx(two_tables(), tmp_path / "o.xlsx")
    (job,) = child_for_small_sheets
    assert job is None or not job.succeeded()  # type: ignore[attr-defined]
    with zipfile.ZipFile(tmp_path / "o.xlsx") as z:
        assert z.testzip() is None
    assert all_values(tmp_path / "o.xlsx", "Gros")[38] == ["tâche 1", 38]  # 38 = 37 + 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Texte", "Texte"),
        ("", ""),
        (3, 3),
        (True, True),
        (1.25, 1.25),
        (float("nan"), None),
        (float("inf"), None),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 27)),
        (dt.datetime(2026, 11, 27, 9, 30), dt.datetime(2026, 11, 27, 9, 30)),
        (None, None),
        (pd.NaT, None),
        (pd.Timestamp("2026-11-27"), dt.date(2026, 11, 27)),
        (pd.Timestamp("2026-11-27 09:30"), dt.datetime(2026, 11, 27, 9, 30)),  # a moment
        (np.float64(2.5), np.float64(2.5)),  # a float already
        (np.float64("nan"), None),
        (np.int64(4), 4),
        (np.bool_(True), True),
        (b"x", "b'x'"),
    ],
)
def test_frame_values_are_what_a_cell_holds(value: Any, expected: Any) -> None:
    """Plain values pass as they are (the fast path), pandas and numpy scalars are converted,
    blanks of every kind are None, anything else is its text."""
    got = frame_value(value)
    assert got == expected and type(got) is type(expected)
