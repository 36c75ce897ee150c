"""The Excel buttons, run on xlwings' remote engine: what each click would send back to Excel.

Books are built from the demo workbooks and from small hand-made grids; every write the entry
point makes is an action in ``book.json()`` (sheet positions are 0-based, rows and columns too).
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import xlwings as xw
from builders import simple_project, write_book
from xlwings_payload import actions, grids_of, remote_book

from pmo_xl import excel, labels
from pmo_xl.demo import CUTOFF, DemoPortfolio, build_demo
from pmo_xl.excel_book import MARKS_HEADER, MARKS_SHEET, XlwingsWorkbook, notice
from pmo_xl.file_workbook import open_workbook
from pmo_xl.layout import Block, SheetLayout
from pmo_xl.templates import pmo_template_layouts
from pmo_xl.workbook import Grid
from pmo_xl.xlsx_writer import render_xlsx

RED, YELLOW = "#FFC7CE", "#FFEB9C"  # Excel's "light red" / "yellow" fills: error / warning
PROJECT_SHEETS = [
    "Projet", "Planning", "Charges", "Ressources", "Coûts", "Risques", "Actions", "Décisions",
    "Mode d'emploi",
]  # fmt: skip  # the demo project workbook's tabs, positions 0..8
PMO_SHEETS = ["Paramètres", "TJM", "Projets", "Correspondances", "Règles", "Mode d'emploi"]
OUTPUTS = ["Consolidation", "Charges", "Charge ressources", "Contrôles", "Fichiers", "Historique"]

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def cell_name(row0: int, col0: int) -> str:
    """0-based (row, col) of an action → ``"A1"``."""
    col, letters = col0 + 1, ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row0 + 1}"


def colours(book: xw.Book) -> dict[tuple[int, str], str | None]:
    """The last fill each cell received: ``{(sheet position, "K9"): "#FFC7CE"}``, from one fill
    per range (``setRangeColor``) or a matrix of fills, ``"keep"`` where none (``setRangeColors``).
    """
    found: dict[tuple[int, str], str | None] = {}
    for a in actions(book):
        if a["func"] not in ("setRangeColor", "setRangeColors"):
            continue
        for r in range(a["row_count"]):
            for c in range(a["column_count"]):
                fill = a["args"][0] if a["func"] == "setRangeColor" else a["args"][0][r][c]
                if fill != "keep":
                    cell = cell_name(a["start_row"] + r, a["start_column"] + c)
                    found[(a["sheet_position"], cell)] = fill.upper() if fill else None
    return found


def notes(book: xw.Book) -> dict[tuple[int, str], str]:
    """The notes added: ``{(sheet position, "K9"): text}``."""
    added = actions(book, "addNote")
    return {(a["sheet_position"], a["args"][0].replace("$", "")): a["args"][1] for a in added}


def writes_to(book: xw.Book, position: int) -> list[dict[str, Any]]:
    return [a for a in actions(book, "setValues") if a["sheet_position"] == position]


def block_at(book: xw.Book, position: int, row0: int) -> list[list[Any]]:
    """The values written in one action to sheet ``position`` from 0-based row ``row0``."""
    (found,) = [a for a in writes_to(book, position) if a["start_row"] == row0]
    return found["values"]  # type: ignore[no-any-return]


def alert(book: xw.Book) -> str:
    (box,) = actions(book, "alert")
    return str(box["args"][0])


def added_sheets(book: xw.Book) -> list[list[Any]]:
    return [a["args"] for a in actions(book, "addSheet")]


def with_setting(grids: dict[str, Grid], item: str, value: object) -> dict[str, Grid]:
    """The PMO grids with the setting ``item`` (French or English label) set to ``value``."""
    sheet = "Paramètres" if "Paramètres" in grids else "Settings"
    settings = grids[sheet]
    rows = [list(r) for r in settings.rows]
    for row in rows:
        if row and row[0] == item:
            row[1] = value
            break
    else:
        raise AssertionError(f"no {item!r} row")
    return {**grids, sheet: Grid(rows, settings.first_row, settings.first_col)}


def with_folder(grids: dict[str, Grid], folder: Path | str) -> dict[str, Grid]:
    """The PMO grids with ``Dossier des projets`` set to ``folder`` (an unsaved edit)."""
    item = "Dossier des projets" if "Paramètres" in grids else "Projects folder"
    return with_setting(grids, item, str(folder))


def pmo_template_grids(folder: Path, lang: labels.Lang = "fr") -> dict[str, Grid]:
    """The empty PMO template (French or English), pointing at ``folder``."""
    return with_folder(grids_of(pmo_template_layouts(lang)), folder)


def clean_project(code: str = "PRJ-1", **changes: Any) -> dict[str, Any]:
    """A project with no finding: 20 j budget, 3 + 3 j booked by Alice, 14 j left, all tabs."""
    sheets = simple_project(code, consumed=6, remaining=14, **changes)
    for spec in labels.PROJECT_SHEETS:
        if spec.layout == "table" and spec.label.fr not in sheets:
            sheets[spec.label.fr] = [[c.label.fr for c in spec.columns]]
    return sheets


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoPortfolio:
    return build_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def demo_grids(demo: DemoPortfolio) -> dict[str, dict[str, Grid]]:
    """Grids of the demo's PMO workbook (folder made absolute) and of project PRJ-005.

    The demo's PMO workbook ships last month's ``Historique``; these tests start from a PMO
    workbook that has never been consolidated, so that every output sheet is a new one.
    """
    with (
        open_workbook(demo.pmo) as pmo,
        open_workbook(demo.projects_dir / "projet_PRJ-005.xlsx") as p,
    ):
        pmo_grids = with_folder(grids_of(pmo), demo.projects_dir)
        pmo_grids.pop("Historique", None)
        return {"pmo": pmo_grids, "PRJ-005": grids_of(p)}


@pytest.fixture(scope="module")
def verified(demo_grids: dict[str, dict[str, Grid]]) -> Iterator[tuple[xw.Book, Any]]:
    """Project PRJ-005 of the demo after one click on "Vérifier" (run once for the module)."""
    with pytest.MonkeyPatch.context() as mp:
        book = remote_book(mp, demo_grids["PRJ-005"], book_name="projet_PRJ-005.xlsx")
        yield book, excel.verifier(book)


@pytest.fixture(scope="module")
def consolidated(demo_grids: dict[str, dict[str, Grid]]) -> Iterator[tuple[xw.Book, Any]]:
    """The demo's PMO workbook after one click on "Consolider"."""
    with pytest.MonkeyPatch.context() as mp:
        book = remote_book(mp, demo_grids["pmo"], book_name="pmo.xlsm")
        yield book, excel.consolider(book)


# ---------------------------------------------------------------------------------------------
# "Vérifier"
# ---------------------------------------------------------------------------------------------


def test_verifier_adds_the_controles_sheet_after_the_last_tab(
    verified: tuple[xw.Book, Any],
) -> None:
    book, _ = verified
    # 9 tabs (positions 0..8): Contrôles is the 10th, then the hidden marks registry.
    assert added_sheets(book) == [[9, "Contrôles"], [10, MARKS_SHEET]]


def test_verifier_first_finding_row_links_to_its_cell(verified: tuple[xw.Book, Any]) -> None:
    book, _ = verified
    # Title row 1, counts row 2, header row 4, findings from row 5 (0-based 4). Errors first,
    # then Planning before the later tabs, then by row: K9 (row 9) before A27 and F38.
    first = block_at(book, 9, 4)[0]
    assert first[:4] == ["Erreur", "projet_PRJ-005.xlsx", "PRJ-005", "Planning"]
    assert first[4] == '=HYPERLINK("#\'Planning\'!K9","K9")'
    assert first[5] == "PLANNING_DONE_WITH_REMAINING"
    assert "Terminé" in first[6] and "reste à faire" in first[6]


def test_verifier_colours_each_planted_mistake_by_severity(
    verified: tuple[xw.Book, Any], demo: DemoPortfolio
) -> None:
    book, _ = verified
    # The mistakes planted in PRJ-005 and their severity per the findings catalogue.
    expected = {
        ("Planning", "F38"): RED,  # end before start: error
        ("Planning", "A27"): RED,  # duplicate ID: error
        ("Planning", "K9"): RED,  # done with remaining work: error
        ("Planning", "I17"): YELLOW,  # unknown predecessor: warning
        ("Planning", "J7"): YELLOW,  # milestone with effort: warning
        ("Planning", "D16"): YELLOW,  # unknown owner: warning
        ("Actions", "D2"): YELLOW,  # date typed as text: warning
        ("Projet", "B15"): YELLOW,  # manual weather without a reason: warning
    }
    planted = {(p.sheet, p.cell) for p in demo.planted if p.file == "projet_PRJ-005.xlsx"}
    assert planted == set(expected)
    painted = colours(book)
    for (sheet, cell), fill in expected.items():
        assert painted[(PROJECT_SHEETS.index(sheet), cell)] == fill, (sheet, cell)


def test_verifier_explains_each_marked_cell_in_a_note(verified: tuple[xw.Book, Any]) -> None:
    book, _ = verified
    note = notes(book)[(PROJECT_SHEETS.index("Planning"), "K9")]
    assert note.startswith("pmo_xl\nErreur : ")
    assert "Terminé" in note


def test_a_cell_with_two_findings_gets_one_note_with_both(verified: tuple[xw.Book, Any]) -> None:
    book, _ = verified
    # Actions!D2: its due date is typed as text AND the action is overdue: two warnings.
    note = notes(book)[(PROJECT_SHEETS.index("Actions"), "D2")]
    assert note.count("Avertissement : ") == 2


def test_verifier_writes_no_value_into_the_project_sheets(verified: tuple[xw.Book, Any]) -> None:
    book, _ = verified
    inputs = set(range(len(PROJECT_SHEETS)))
    touched = Counter(a["func"] for a in actions(book) if a["sheet_position"] in inputs)
    # Marks only: fills and notes, never values, formats or clearing.
    assert set(touched) <= {"setRangeColor", "setRangeColors", "addNote"}


def test_verifier_returns_the_findings(verified: tuple[xw.Book, Any]) -> None:
    _, findings = verified
    assert {"PLANNING_ID_DUPLICATE", "PROJECT_WEATHER_WITHOUT_REASON"} <= {f.code for f in findings}


def test_verifier_summary_counts_per_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    project = clean_project()
    project["Planning"][1][9] = "Terminé"  # J2 "Terminé" with 14 j left in I2: one error
    project["Charges"][2][3] = 4.0  # Alice: 4 j on the week of 9/11 + ...
    project["Charges"].append([dt.date(2026, 11, 10), "Alice Martin", "T1", 1.0])
    # ... 1 j = 5 j in a week of 4 working days (11/11 is a holiday): one warning.
    book = remote_book(monkeypatch, project, book_name="p.xlsx")
    findings = excel.verifier(book)
    assert findings is not None
    assert [(f.severity, f.code) for f in findings] == [
        ("error", "PLANNING_DONE_WITH_REMAINING"),
        ("warning", "ENTRY_OVERBOOKED"),
    ]
    assert alert(book).startswith(
        "Vérification de « p.xlsx » : 1 erreur(s) · 1 avertissement(s) · 0 info(s)."
    )


def test_unsaved_edits_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same mistake typed and not saved yet: the live values are what is checked.
    project = clean_project()
    project["Planning"][1][9] = "Terminé"
    book = remote_book(monkeypatch, project, book_name="p.xlsx")
    excel.verifier(book)
    # Planning is position 1; I2 holds the 14 j left on a task marked done.
    assert {k: v for k, v in colours(book).items() if k[0] < 8} == {(1, "I2"): RED}


def test_a_clean_project_gets_no_mark_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    book = remote_book(monkeypatch, clean_project(), book_name="p.xlsx")
    assert excel.verifier(book) == []
    # Positions 0..7 are the project's tabs; Contrôles (8) has its own header fills.
    assert [cell for cell in colours(book) if cell[0] < 8] == []
    assert actions(book, "addNote") == []
    assert "Aucun constat : rien à corriger." in alert(book)
    # Header row 4 (0-based 3), then the "no finding" line in row 5.
    assert block_at(book, 8, 4) == [["Aucun constat : rien à corriger."]]


def test_findings_without_a_cell_are_listed_not_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    project = clean_project()
    del project["Coûts"]  # a missing optional tab: one info about the whole sheet, no cell
    book = remote_book(monkeypatch, project, book_name="p.xlsx")
    findings = excel.verifier(book)
    assert [(f.severity, f.code, f.cell) for f in findings or []] == [
        ("info", "SHEET_ABSENT", None)
    ]
    assert actions(book, "addNote") == []
    assert "La liste complète est dans l'onglet « Contrôles »." in alert(book)


def test_a_second_run_clears_the_previous_marks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    # The last run marked Planning!B2 (since fixed) with a note; Contrôles is already there.
    project: dict[str, Any] = clean_project()
    project["Contrôles"] = [["Contrôles"], ["old"]]
    project[MARKS_SHEET] = [MARKS_HEADER, ["Planning", "B2", "", "oui"]]
    book = remote_book(
        monkeypatch, project, book_name="p.xlsx", notes={"Planning": ["B2"]}, hidden=[MARKS_SHEET]
    )
    # The Contrôles and registry tabs themselves are not findings of the project.
    assert excel.verifier(book) == []
    # B2's fill goes back to none and our note is deleted; nothing else is marked.
    assert {k: v for k, v in colours(book).items() if k[0] < 8} == {(1, "B2"): None}
    assert [a["args"] for a in actions(book, "deleteNote")] == [["$B$2"]]
    # Contrôles (position 8) is cleared in place, not added again.
    assert [a["sheet_position"] for a in actions(book, "sheetClear")] == [8]
    assert added_sheets(book) == []


def scattered_mistakes(n: int) -> dict[str, Any]:
    """A clean project whose Charges has ``n`` faulty rows from row 4, the fault alternating
    between an unknown resource (column B) and an unknown task (column C), so that no two
    faulty cells touch; then three times the same entry (the last two: duplicates, column A)."""
    project = clean_project()
    for i in range(n):
        resource = f"Zoé {i}" if i % 2 == 0 else "Alice Martin"
        task = "T1" if i % 2 == 0 else f"T9-{i}"
        project["Charges"].append([dt.date(2026, 11, 3), resource, task, 0.001])
    project["Charges"] += [[dt.date(2026, 11, 4), "Alice Martin", "T1", 0.1]] * 3
    return project


def fill_actions(book: xw.Book, position: int) -> list[dict[str, Any]]:
    return [
        a
        for a in actions(book)
        if a["func"] in ("setRangeColor", "setRangeColors") and a["sheet_position"] == position
    ]


def test_scattered_cells_are_coloured_in_one_call_per_colour_and_cleared_by_the_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = scattered_mistakes(200)
    charges = list(project).index("Charges")
    book = remote_book(monkeypatch, project, book_name="p.xlsx")
    excel.verifier(book)
    # B4, C5, B6, … C203 are errors (red); A205 and A206 repeat row 204 (warnings, yellow).
    marked = {f"{'BC'[i % 2]}{4 + i}": RED for i in range(200)} | {"A205": YELLOW, "A206": YELLOW}
    assert {cell: fill for (at, cell), fill in colours(book).items() if at == charges} == marked
    assert len(fill_actions(book, charges)) == 2  # not 202: one per colour
    assert len(actions(book, "addNote")) == 202  # notes are one per cell
    # Every mistake fixed; the registry the first run wrote tells the second what to undo.
    registry_at = len(project) + 1
    assert added_sheets(book)[-1] == [registry_at, MARKS_SHEET]
    registry = writes_to(book, registry_at)[-1]["values"]
    fixed = {**clean_project(), "Contrôles": [["Contrôles"]], MARKS_SHEET: registry}
    again = remote_book(
        monkeypatch,
        fixed,
        book_name="p.xlsx",
        notes={"Charges": list(marked)},
        hidden=[MARKS_SHEET],
    )
    assert excel.verifier(again) == []
    assert {cell: fill for (at, cell), fill in colours(again).items() if at == charges} == {
        cell: None for cell in marked
    }
    assert len(fill_actions(again, charges)) == 1
    assert len(actions(again, "deleteNote")) == 202


# ---------------------------------------------------------------------------------------------
# "Consolider"
# ---------------------------------------------------------------------------------------------


def test_consolider_adds_the_output_sheets_after_the_inputs(
    consolidated: tuple[xw.Book, Any],
) -> None:
    book, _ = consolidated
    assert added_sheets(book) == [[6 + i, name] for i, name in enumerate(OUTPUTS)]


def test_consolider_never_writes_to_an_input_sheet(consolidated: tuple[xw.Book, Any]) -> None:
    book, _ = consolidated
    inputs = set(range(len(PMO_SHEETS)))
    assert [a for a in actions(book) if a["sheet_position"] in inputs] == []


def test_consolidation_sheet_has_one_row_per_demo_project(
    consolidated: tuple[xw.Book, Any],
) -> None:
    book, result = consolidated
    # Header on row 4 (0-based 3), projects from row 5: PRJ-001 .. PRJ-008, then the total.
    header = block_at(book, 6, 3)[0]
    assert header[:2] == ["Code projet", "Nom du projet"]
    codes = [row[0] for row in block_at(book, 6, 4)]
    assert codes == [f"PRJ-00{i}" for i in range(1, 9)] + ["TOTAL"]
    assert result.consolidated == 8


def test_files_sheet_names_the_missing_project_first(
    consolidated: tuple[xw.Book, Any], demo: DemoPortfolio
) -> None:
    book, _ = consolidated
    # Fichiers (position 10): missing files come before the consolidated ones.
    first = block_at(book, 10, 4)[0]
    assert first[1:3] == ["Manquant", demo.missing[0]]


def test_findings_link_to_the_cell_in_the_project_file(
    consolidated: tuple[xw.Book, Any], demo: DemoPortfolio
) -> None:
    book, _ = consolidated
    first = block_at(book, 9, 4)[0]
    path = demo.projects_dir / "projet_PRJ-005.xlsx"
    assert first[4] == f'=HYPERLINK("[{path}]\'Planning\'!K9","K9")'


def test_consolider_summary(consolidated: tuple[xw.Book, Any]) -> None:
    book, _ = consolidated
    text = alert(book)
    assert text.startswith("Consolidation au 20/11/2026 : 8 projet(s) consolidé(s).")
    # 8 workbooks in the folder, and PRJ-009 listed in Projets without a file.
    assert "Fichiers : 8 consolidé(s) · 1 manquant(s)." in text
    assert "Onglets mis à jour : " + ", ".join(OUTPUTS) + "." in text


def test_status_bar_progress_degrades_with_a_notice_on_remote(
    consolidated: tuple[xw.Book, Any],
) -> None:
    book, _ = consolidated
    assert "Progression non affichée : ce moteur Excel n'a pas de barre d'état." in alert(book)
    assert actions(book, "setStatusBar") == []


def test_status_bar_shows_each_file_on_desktop() -> None:
    app = SimpleNamespace(engine=SimpleNamespace(name="excel"), status_bar=False)
    book = SimpleNamespace(app=app)
    shown: list[str] = []
    notices: list[str] = []
    progress = excel.status_progress(book, notices)  # type: ignore[arg-type]
    for i, name in enumerate(["projet_a.xlsx", "projet_b.xlsx"], 1):
        progress(i, 40, name)
        shown.append(app.status_bar)
    assert shown == ["Consolidation 1/40 : projet_a.xlsx", "Consolidation 2/40 : projet_b.xlsx"]
    assert notices == []


def test_history_keeps_the_live_books_earlier_rows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_book(tmp_path / "projets" / "a.xlsx", clean_project("PRJ-1"))
    grids: dict[str, Any] = pmo_template_grids(tmp_path / "projets")
    # An earlier cut-off typed in the live Historique (unsaved): header on row 4, as written.
    grids["Historique"] = [
        ["Historique"], [], [],
        ["Date d'arrêté", "Code projet", "Nom du projet"],
        [dt.datetime(2026, 11, 13), "PRJ-1", "Projet PRJ-1"],
    ]  # fmt: skip
    book = remote_book(monkeypatch, grids)
    excel.consolider(book)
    position = len(grids) - 1  # Historique is cleared in place at its own position
    rows = block_at(book, position, 4)
    # The 13/11 row kept, then this run's 20/11 row for PRJ-1 (project cut-off, 2026-11-20).
    assert [(r[0], r[1]) for r in rows] == [("2026-11-13", "PRJ-1"), ("2026-11-20", "PRJ-1")]
    assert [a["sheet_position"] for a in actions(book, "sheetClear")] == [position]


def consolidated_before(folder: Path, lang: labels.Lang = "fr") -> dict[str, Any]:
    """A PMO workbook already consolidated at 20/11/2026, now pointing at ``folder``."""
    grids: dict[str, Any] = pmo_template_grids(folder, lang)
    grids["Consolidation"] = [["Code projet", "Nom du projet"], ["PRJ-1", "Projet PRJ-1"]]
    grids["Historique"] = [
        ["Historique"], [], [],
        ["Date d'arrêté", "Code projet", "Nom du projet"],
        [dt.datetime(2026, 11, 20), "PRJ-1", "Projet PRJ-1"],
    ]  # fmt: skip
    return grids


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [
        (
            "fr",
            "Aucun classeur projet consolidé dans {folder} : pmo.xlsm n'est pas réécrit, la "
            "consolidation précédente et son historique restent tels quels.",
        ),
        (
            "en",
            "No project workbook consolidated in {folder}: pmo.xlsm is not rewritten, the "
            "previous consolidation and its history stay as they are.",
        ),
    ],
)
def test_consolider_on_an_empty_folder_writes_nothing_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: labels.Lang, sentence: str
) -> None:
    # An unmounted share or a OneDrive folder not synced yet: the folder is there, but empty.
    empty = tmp_path / "projets"
    empty.mkdir()
    book = remote_book(monkeypatch, consolidated_before(empty, lang))
    result = excel.consolider(book)
    assert result is not None and result.consolidated == 0
    # Not a sheet cleared, added or written: last run's Consolidation and Historique stay.
    assert [a["func"] for a in actions(book)] == ["alert"]
    assert sentence.format(folder=empty) in alert(book)


def test_rapport_copil_on_an_empty_folder_writes_and_exports_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    empty = tmp_path / "projets"
    empty.mkdir()
    book = remote_book(monkeypatch, consolidated_before(empty))
    result = excel.rapport_copil(book, export_dir=tmp_path / "direction")
    assert result is not None and result.consolidated == 0
    assert [a["func"] for a in actions(book)] == ["alert"]
    assert list(tmp_path.rglob("COPIL_*")) == []
    assert f"Aucun classeur projet consolidé dans {empty} : pmo.xlsm n'est pas réécrit" in alert(
        book
    )


def test_consolider_takes_the_history_of_the_clis_output_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pmo_xl import commands

    # A scheduled `pmo-xl consolidate` at 13/11, when PRJ-1's budget was still 10 days; then
    # the budget becomes 20 and the PMO clicks for the 20/11 cut-off.
    folder = tmp_path / "projets"
    write_book(folder / "a.xlsx", clean_project("PRJ-1", budget=10))
    commands.consolidate(folder, cutoff=dt.date(2026, 11, 13))
    write_book(folder / "a.xlsx", clean_project("PRJ-1"))
    cli = commands.copil(folder, tmp_path / "COPIL.xlsx").result
    book = remote_book(monkeypatch, pmo_template_grids(folder))
    result = excel.consolider(book)
    assert result is not None
    # The same trend as `pmo-xl copil`: drift 100 % at 13/11, 0 % now.
    assert [(p.code, p.trend) for p in result.projects] == [("PRJ-1", "better")]
    assert [(p.code, p.trend) for p in cli.projects] == [("PRJ-1", "better")]
    # ... and the 13/11 snapshot kept in the live Historique (position 11).
    rows = block_at(book, 11, 4)
    assert [(r[0], r[1]) for r in rows] == [("2026-11-13", "PRJ-1"), ("2026-11-20", "PRJ-1")]


def expected_projects(n: int) -> list[list[Any]]:
    """A ``Projets`` sheet expecting PRJ-01 … PRJ-n, each in ``projet_PRJ-xx.xlsx``."""
    return [
        ["Projets"], [], ["Code projet", "Fichier", "Actif"],
        *[[f"PRJ-{i:02d}", f"projet_PRJ-{i:02d}.xlsx", "Oui"] for i in range(1, n + 1)],
    ]  # fmt: skip


def test_the_message_box_names_ten_files_to_chase_then_points_to_the_files_sheet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Projets lists 25 projects; the folder holds only PRJ-01's workbook: 24 files missing.
    write_book(tmp_path / "projets" / "projet_PRJ-01.xlsx", clean_project("PRJ-01"))
    grids: dict[str, Any] = pmo_template_grids(tmp_path / "projets")
    grids["Projets"] = expected_projects(25)
    book = remote_book(monkeypatch, grids)
    excel.consolider(book)
    lines = alert(book).splitlines()
    missing = [line for line in lines if line.startswith("• Manquant : ")]
    reason = " — attendu dans la liste Projets, introuvable dans le dossier"
    assert missing == [f"• Manquant : projet_PRJ-{i:02d}.xlsx{reason}" for i in range(2, 12)]
    assert "… et 14 autre(s) : voir l'onglet « Fichiers »." in lines
    # The Fichiers sheet (position 10) still lists all 25 files.
    assert len(block_at(book, 10, 4)) == 25


def test_nothing_consolidated_caps_the_files_to_chase_without_the_files_sheet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Projets lists 25 projects, the folder is empty: nothing written, so the Fichiers sheet
    # still holds the last run's files and cannot be where the other 15 are listed.
    empty = tmp_path / "projets"
    empty.mkdir()
    grids: dict[str, Any] = consolidated_before(empty)
    grids["Projets"] = expected_projects(25)
    book = remote_book(monkeypatch, grids)
    excel.consolider(book)
    lines = alert(book).splitlines()
    missing = [line for line in lines if line.startswith("• Manquant : ")]
    assert [line.split(" — ")[0] for line in missing] == [
        f"• Manquant : projet_PRJ-{i:02d}.xlsx" for i in range(1, 11)
    ]
    assert "… et 15 autre(s)." in lines
    assert "Fichiers »" not in alert(book)


def many_entries(code: str, n: int) -> dict[str, Any]:
    """A clean project whose Charges has ``n`` rows of 0.01 j (2026-11-02 .. 2026-11-20)."""
    project = clean_project(code)
    days = [dt.date(2026, 11, 2) + dt.timedelta(d) for d in range(19)]
    workdays = [d for d in days if d.weekday() < 5 and d != dt.date(2026, 11, 11)]
    rows = [[workdays[i % len(workdays)], "Alice Martin", "T1", 0.01] for i in range(n)]
    project["Charges"] = [project["Charges"][0], *rows]
    return project


def consolidate_counts(
    monkeypatch: pytest.MonkeyPatch, folder: Path
) -> tuple[Counter[str], list[float]]:
    """Actions of one "Consolider" over ``folder``, by kind; and each project's consumed days."""
    book = remote_book(monkeypatch, pmo_template_grids(folder))
    result = excel.consolider(book)
    assert result is not None
    return Counter(a["func"] for a in actions(book)), [p.consumed_days for p in result.projects]


def test_write_actions_do_not_grow_with_the_number_of_rows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for code in ("PRJ-1", "PRJ-2"):
        write_book(tmp_path / "small" / f"{code}.xlsx", many_entries(code, 2))
        write_book(tmp_path / "large" / f"{code}.xlsx", many_entries(code, 600))
    small, small_days = consolidate_counts(monkeypatch, tmp_path / "small")
    large, large_days = consolidate_counts(monkeypatch, tmp_path / "large")
    # Every row was read: 2 × 0.01 = 0.02 j vs 600 × 0.01 = 6 j per project.
    assert small_days == pytest.approx([0.02, 0.02])
    assert large_days == pytest.approx([6.0, 6.0])
    # ... and written with the same range writes (one per block), the same actions overall.
    assert large["setValues"] == small["setValues"]
    assert large == small


def test_a_relative_projects_folder_on_remote_says_what_to_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The remote engine gives no folder for the workbook: "projets" cannot be resolved.
    book = remote_book(monkeypatch, pmo_template_grids(Path("projets")))
    assert excel.consolider(book) is None
    text = alert(book)
    assert "« Consolider » n'a pas abouti : Le dossier des projets « projets »" in text
    assert "chemin complet dans l'onglet Paramètres" in text
    assert [a for a in actions(book) if a["func"] != "alert"] == []


def test_a_file_given_as_the_projects_folder_is_said_to_be_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    workbook = tmp_path / "projets" / "a.xlsx"  # a project workbook's path, pasted
    write_book(workbook, clean_project("PRJ-1"))
    book = remote_book(monkeypatch, pmo_template_grids(workbook))
    assert excel.consolider(book) is None
    assert alert(book).startswith(
        f"« Consolider » n'a pas abouti : {workbook} est un fichier, pas un dossier : indiquez "
        "dans l'onglet Paramètres (« Dossier des projets ») le dossier qui contient les "
        "classeurs projet (pour contrôler un seul classeur : son bouton « Vérifier », dans le "
        "classeur lui-même)."
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_missing_settings_sheet_is_said_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: labels.Lang
) -> None:
    grids = pmo_template_grids(tmp_path, lang)
    settings = "Paramètres" if lang == "fr" else "Settings"
    renamed = {(f"{settings} (old)" if k == settings else k): v for k, v in grids.items()}
    book = remote_book(monkeypatch, renamed)
    assert excel.consolider(book) is None
    expected = (
        "Ce classeur n'a pas d'onglet « Paramètres » (renommé ou supprimé ?)"
        if lang == "fr"
        else "This workbook has no 'Settings' sheet (renamed or deleted?)"
    )
    assert expected in alert(book)
    assert [a["func"] for a in actions(book)] == ["alert"]


def test_a_settings_sheet_renamed_through_correspondances_is_found(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The PMO calls Paramètres "Pilotage" and says so in Correspondances; the folder cell is
    # empty: the message is about the folder, not about a missing sheet.
    grids: dict[str, Any] = with_setting(pmo_template_grids(tmp_path), "Dossier des projets", None)
    grids["Pilotage"] = grids.pop("Paramètres")
    grids["Correspondances"] = [
        ["Correspondances"], [], ["Feuille", "Nom dans vos classeurs", "Champ pmo_xl"],
        [None, "Pilotage", "Paramètres"],
    ]  # fmt: skip
    book = remote_book(monkeypatch, grids)
    assert excel.consolider(book) is None
    assert alert(book).startswith(
        "« Consolider » n'a pas abouti : Aucun dossier de projets : indiquez-le dans l'onglet "
        "Paramètres (« Dossier des projets »)."
    )


def english_book_without_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> xw.Book:
    """The English PMO template (Rates, Projects…) whose Settings sheet was deleted."""
    grids = pmo_template_grids(tmp_path, "en")
    del grids["Settings"]
    return remote_book(monkeypatch, grids)


def test_an_english_book_without_settings_says_folder_errors_in_english(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    book = english_book_without_settings(monkeypatch, tmp_path)
    assert excel.consolider(book, projects_dir=Path("/nowhere/projects")) is None
    assert alert(book).startswith(
        "'Consolidate' did not complete: Projects folder not found: /nowhere/projects."
    )


def test_an_english_book_without_settings_gets_english_output_sheets(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_book(tmp_path / "projects" / "a.xlsx", clean_project("PRJ-1"))
    book = english_book_without_settings(monkeypatch, tmp_path)
    assert excel.consolider(book, projects_dir=tmp_path / "projects") is not None
    assert [name for _, name in added_sheets(book)] == [
        "Consolidation", "Effort", "Resource load", "Findings", "Files", "History",
    ]  # fmt: skip


def test_write_outputs_refuses_a_layout_named_like_an_input_sheet(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = remote_book(monkeypatch, {"Paramètres": [["x"]], "TJM": [["y"]]})
    xbook = XlwingsWorkbook(book)
    layouts = [SheetLayout("Consolidation", [Block(0, 0, [["a"]])])]
    for name in ("TJM", "tjm", "Settings", "Paramètres", "Mode d'emploi"):  # any case, FR or EN
        with pytest.raises(excel.InputSheetError):
            excel.write_outputs(xbook, [*layouts, SheetLayout(name)], labels.PMO_SHEETS)
    # Refused before anything is written: not even the harmless Consolidation.
    assert actions(book) == []


def test_consolider_refuses_to_overwrite_an_input_sheet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pmo_xl.outputs

    real = pmo_xl.outputs.output_layouts

    def clashing(*args: Any, **kwargs: Any) -> list[SheetLayout]:
        return [*real(*args, **kwargs), SheetLayout("TJM", [Block(0, 0, [["écrasé"]])])]

    monkeypatch.setattr(pmo_xl.outputs, "output_layouts", clashing)
    write_book(tmp_path / "projets" / "a.xlsx", clean_project("PRJ-1"))
    book = remote_book(monkeypatch, pmo_template_grids(tmp_path / "projets"))
    assert excel.consolider(book) is None
    assert actions(book, "setValues") == []
    assert "refuse d'écrire dans l'onglet « TJM »" in alert(book)


def test_an_unexpected_error_is_a_french_message_and_a_log_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, demo_grids: dict[str, dict[str, Grid]]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disque indisponible")

    monkeypatch.setattr(excel, "consolidate_folder", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    book = remote_book(monkeypatch, demo_grids["pmo"])
    assert excel.consolider(book) is None
    text = alert(book)
    assert text.startswith("« Consolider » n'a pas abouti : RuntimeError — disque indisponible")
    assert "Traceback" not in text
    (log,) = (tmp_path / excel.LOG_FOLDER).glob("erreur_consolider_*.log")
    assert str(log) in text
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert "disque indisponible" in log.read_text(encoding="utf-8")


@pytest.mark.parametrize("english", ["Langue = en", "English template"])
@pytest.mark.parametrize(
    ("button", "action"),
    [(excel.consolider, "Consolidate"), (excel.rapport_copil, "COPIL report")],
)
def test_a_failure_is_said_in_the_settings_language(
    monkeypatch: pytest.MonkeyPatch, english: str, button: Any, action: str
) -> None:
    if english == "Langue = en":  # French tabs, English asked for in Paramètres
        grids = with_setting(pmo_template_grids(Path("/nowhere/projets")), "Langue", "en")
    else:  # pmo-xl init --lang en: Settings, Rates…
        grids = pmo_template_grids(Path("/nowhere/projets"), "en")
    book = remote_book(monkeypatch, grids)
    assert button(book) is None
    (box,) = actions(book, "alert")
    message, title = box["args"][:2]
    assert title == "pmo_xl — error"
    assert message == (
        f"'{action}' did not complete: Projects folder not found: /nowhere/projets. Fix it "
        "in the Settings sheet ('Projects folder').\n\nNo input sheet was modified; the result "
        "sheets may be incomplete: run again once fixed."
    )


def test_verifier_answers_in_english_on_the_english_project_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pmo_xl.templates import project_template_layouts

    grids = grids_of(project_template_layouts("en"))  # Project, Schedule, Time entries…
    book = remote_book(monkeypatch, grids, book_name="project.xlsm")
    findings = excel.verifier(book)
    assert findings is not None
    assert alert(book).startswith("Check of 'project.xlsm': 0 error(s) · 1 warning(s) · 0 info(s).")
    assert "is in the 'Findings' sheet." in alert(book)
    assert added_sheets(book)[0] == [len(grids), "Findings"]
    (note,) = notes(book).values()
    assert note.startswith("pmo_xl\nWarning: ")


def test_sheets_language_follows_the_tab_names() -> None:
    english = ["Project", "Schedule", "Time entries", "Actions", "How to use"]
    french = ["Projet", "Planning", "Charges", "Actions", "Mode d'emploi"]
    assert excel.sheets_language(english, labels.PROJECT_SHEETS) == "en"
    assert excel.sheets_language(french, labels.PROJECT_SHEETS) == "fr"
    assert excel.sheets_language(["Actions", "Feuil1"], labels.PROJECT_SHEETS) == "fr"


@pytest.mark.parametrize(
    ("twin", "title"),
    [
        (excel.verifier_caller, "Vérification de « p.xlsx »"),
        (excel.consolider_caller, "« Consolider » n'a pas abouti"),
        (excel.rapport_copil_caller, "« Rapport COPIL » n'a pas abouti"),
    ],
)
def test_the_runpython_twins_act_on_the_calling_book(
    monkeypatch: pytest.MonkeyPatch, twin: Any, title: str
) -> None:
    from pmo_xl import sandbox

    # The project grids have no Paramètres: the PMO buttons say that sheet is missing.
    book = remote_book(monkeypatch, clean_project(), book_name="p.xlsx")
    monkeypatch.setattr(xw.Book, "caller", lambda: book)
    monkeypatch.setattr(sandbox, "_keep", [False])  # put back after the test
    assert twin() is None
    assert alert(book).startswith(title)
    # A button's Python may live on (xlwings' UDF server): its workers wait for the next click.
    assert sandbox._keep == [True]


def test_the_twins_say_when_not_started_from_excel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def no_caller() -> None:
        raise RuntimeError("no caller book")

    from pmo_xl import sandbox

    monkeypatch.setattr(xw.Book, "caller", no_caller)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sandbox, "_keep", [False])
    with pytest.raises(RuntimeError, match="doit être lancé depuis un bouton du classeur Excel"):
        excel.consolider_caller()
    assert sandbox._keep == [False]  # not a button: nothing to keep for
    assert len(list((tmp_path / excel.LOG_FOLDER).glob("erreur_consolider_*.log"))) == 1


# ---------------------------------------------------------------------------------------------
# The worksheet functions over the sheets "Consolider" writes
# ---------------------------------------------------------------------------------------------


def consolidated_outputs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: labels.Lang
) -> xw.Book:
    """A book holding the output sheets of one "Consolider" over a clean project PRJ-1."""
    from pmo_xl.outputs import output_layouts

    write_book(tmp_path / "projets" / "a.xlsx", clean_project("PRJ-1"))
    result = excel.consolider(
        remote_book(monkeypatch, pmo_template_grids(tmp_path / "projets", lang))
    )
    assert result is not None
    return remote_book(monkeypatch, grids_of(output_layouts(result, lang)))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_pmo_charge_reads_the_resource_load_sheet_consolider_writes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: labels.Lang
) -> None:
    from pmo_xl import udfs

    book = consolidated_outputs(monkeypatch, tmp_path, lang)
    header = "Semaine (lundi)" if lang == "fr" else "Week (Monday)"
    assert header in book.sheets[2]["A4:C4"].value
    # 14 days left from the 20/11 cut-off to 18/12, 20 working days: 0.7 a day, 3.5 a week.
    caller = book.sheets[0]["A1"]
    assert udfs.PMO_CHARGE("Alice Martin", dt.date(2026, 11, 25), caller) == pytest.approx(3.5)


@pytest.mark.parametrize(
    ("lang", "indicator"),
    [("fr", "ev_days"), ("fr", "VA (j)"), ("en", "ev_days"), ("en", "EV (days)")],
)
def test_pmo_indicateur_finds_every_column_of_the_consolidation_sheet(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lang: labels.Lang, indicator: str
) -> None:
    from pmo_xl import udfs
    from pmo_xl.outputs import CONSOLIDATION_COLUMNS

    book = consolidated_outputs(monkeypatch, tmp_path, lang)
    caller = book.sheets[0]["A1"]
    # Earned value = progress × budget = 6 / (6 + 14) × 20 = 6 days.
    assert udfs.PMO_INDICATEUR("PRJ-1", indicator, caller) == pytest.approx(6.0)
    for column in CONSOLIDATION_COLUMNS:  # by field name or by the header shown
        for name in (column.field, column.label.text(lang)):
            found = udfs.PMO_INDICATEUR("PRJ-1", name, caller)
            assert not str(found).startswith("#PMO"), (name, found)


# ---------------------------------------------------------------------------------------------
# "Rapport COPIL"
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reported(
    demo_grids: dict[str, dict[str, Grid]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[xw.Book, Any, Path]]:
    out = tmp_path_factory.mktemp("direction")
    with pytest.MonkeyPatch.context() as mp:
        book = remote_book(mp, demo_grids["pmo"], book_name="pmo.xlsm")
        yield book, excel.rapport_copil(book, export_dir=out), out


def test_rapport_copil_adds_only_the_copil_tab(reported: tuple[xw.Book, Any, Path]) -> None:
    book, result, _ = reported
    assert result is not None
    assert added_sheets(book) == [[6, "COPIL"]]
    inputs = set(range(len(PMO_SHEETS)))
    assert [a for a in actions(book) if a["sheet_position"] in inputs] == []
    assert writes_to(book, 6)


def test_rapport_copil_exports_the_workbook_for_the_direction(
    reported: tuple[xw.Book, Any, Path],
) -> None:
    book, _, out = reported
    xlsx = out / f"COPIL_{CUTOFF.isoformat()}.xlsx"  # COPIL_2026-11-20.xlsx
    assert xlsx.is_file()
    with open_workbook(xlsx) as copil:
        assert copil.sheet_names()
    assert f"Exporté pour la direction : {xlsx}" in alert(book)


def test_rapport_copil_says_there_is_no_pdf_on_the_remote_engine(
    reported: tuple[xw.Book, Any, Path],
) -> None:
    book, _, out = reported
    assert list(out.glob("*.pdf")) == []
    assert notice("pdf", "fr") in alert(book)


def test_rapport_copil_without_a_folder_says_the_files_were_not_exported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_book(tmp_path / "projets" / "a.xlsx", clean_project("PRJ-1"))
    book = remote_book(monkeypatch, pmo_template_grids(tmp_path / "projets"))
    assert excel.rapport_copil(book) is not None
    assert "Classeur COPIL autonome non exporté" in alert(book)
    assert list(tmp_path.rglob("COPIL_*")) == []


class FakeDesktopBook:
    """Just what :func:`excel.export_copil` asks of a desktop Excel book."""

    def __init__(self, fail: bool = False) -> None:
        self.app = SimpleNamespace(engine=SimpleNamespace(name="excel"))
        self.fail = fail
        self.pdfs: list[tuple[str, Sequence[str] | None]] = []

    def to_pdf(self, path: str, include: Sequence[str] | None = None) -> None:
        if self.fail:
            raise OSError("aucune imprimante")
        self.pdfs.append((path, include))


@pytest.fixture
def copil_writes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, bool]]:
    """Stand-in for ``copil.write_copil_workbook``: records (path, pdf) and writes nothing."""
    from pmo_xl import copil

    calls: list[tuple[Path, bool]] = []

    def write(report: Any, path: Path, *, pdf: bool) -> tuple[Path, Path | None]:
        calls.append((path, pdf))
        return path, path.with_suffix(".pdf") if pdf else None

    monkeypatch.setattr(copil, "write_copil_workbook", write)
    return calls


def test_desktop_without_libreoffice_prints_the_copil_tab_with_excel(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, copil_writes: list[tuple[Path, bool]]
) -> None:
    monkeypatch.setattr("pmo_xl.render_pdf.find_soffice", lambda: None)
    book = FakeDesktopBook()
    lines = excel.export_copil(book, object(), tmp_path, CUTOFF, "COPIL")  # type: ignore[arg-type]
    assert copil_writes == [(tmp_path / "COPIL_2026-11-20.xlsx", False)]
    assert book.pdfs == [(str(tmp_path / "COPIL_2026-11-20.pdf"), ["COPIL"])]
    assert lines[-1] == f"Exporté pour la direction : {tmp_path / 'COPIL_2026-11-20.pdf'}"


def test_desktop_with_libreoffice_makes_the_clis_pdf(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, copil_writes: list[tuple[Path, bool]]
) -> None:
    monkeypatch.setattr("pmo_xl.render_pdf.find_soffice", lambda: Path("/usr/bin/soffice"))
    book = FakeDesktopBook()
    excel.export_copil(book, object(), tmp_path, CUTOFF, "COPIL")  # type: ignore[arg-type]
    assert copil_writes == [(tmp_path / "COPIL_2026-11-20.xlsx", True)]
    assert book.pdfs == []


def test_a_pdf_excel_cannot_print_is_said_not_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, copil_writes: list[tuple[Path, bool]]
) -> None:
    monkeypatch.setattr("pmo_xl.render_pdf.find_soffice", lambda: None)
    lines = excel.export_copil(
        FakeDesktopBook(fail=True),  # type: ignore[arg-type]
        object(),  # type: ignore[arg-type]
        tmp_path,
        CUTOFF,
        "COPIL",
    )
    assert lines[0] == f"Exporté pour la direction : {tmp_path / 'COPIL_2026-11-20.xlsx'}"
    assert lines[1].startswith("PDF non produit (Excel : aucune imprimante)")


# ---------------------------------------------------------------------------------------------
# Where the workbook is
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fullname", "folder"),
    [
        ("/home/pmo/Portefeuille/pmo.xlsm", Path("/home/pmo/Portefeuille")),
        ("https://d.docs.live.net/abc/Documents/pmo.xlsm", None),  # OneDrive
        ("Classeur1", None),  # never saved
        ("pmo.xlsm", None),  # remote engine: the name only
    ],
)
def test_book_folder(fullname: str, folder: Path | None) -> None:
    assert excel.book_folder(SimpleNamespace(fullname=fullname)) == folder  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# "Rapport COPIL": a few hundred write actions, whatever the number of projects
# ---------------------------------------------------------------------------------------------

COPIL_POSITION = 6  # after the 6 tabs of the PMO workbook


def copil_actions(book: xw.Book) -> Counter[str]:
    """The actions writing the COPIL tab, by kind."""
    return Counter(a["func"] for a in actions(book) if a["sheet_position"] == COPIL_POSITION)


def exceptions(result: Any) -> int:
    """How many projects the COPIL details (a line of explanations under their row)."""
    from pmo_xl.copil import build_report

    return sum(p.detailed for p in build_report(result, "fr").projects)


def renamed_copy(source: Path, target: Path, code: str, new_code: str) -> None:
    """The project workbook ``source`` saved as ``target``, with ``code`` read as ``new_code``."""
    with open_workbook(source) as book:
        grids = grids_of(book)
    layouts = [
        SheetLayout(
            name,
            [
                Block(
                    grid.first_row - 1,
                    grid.first_col - 1,
                    [[v.replace(code, new_code) if isinstance(v, str) else v for v in row]
                     for row in grid.rows],
                )
            ],
        )
        for name, grid in grids.items()
    ]  # fmt: skip
    render_xlsx(layouts, target)


@pytest.fixture(scope="module")
def reported_sixteen(
    demo: DemoPortfolio,
    demo_grids: dict[str, dict[str, Grid]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[xw.Book, Any]]:
    """ "Rapport COPIL" over the demo's 8 projects and a copy of each (PRJ-101 .. PRJ-108)."""
    folder = tmp_path_factory.mktemp("projets16")
    for path in demo.projects:
        shutil.copy(path, folder / path.name)
        code = path.stem.removeprefix("projet_")
        new_code = code.replace("PRJ-0", "PRJ-1")
        renamed_copy(path, folder / path.name.replace(code, new_code), code, new_code)
    with pytest.MonkeyPatch.context() as mp:
        book = remote_book(mp, demo_grids["pmo"], book_name="pmo.xlsm")
        yield book, excel.rapport_copil(book, projects_dir=folder)


def test_rapport_copil_writes_its_tab_in_a_few_hundred_actions(
    reported: tuple[xw.Book, Any, Path],
) -> None:
    book, _, _ = reported
    # The demo's COPIL tab: about 110 rows × 16 columns of styled cells, 270 merged ranges.
    # Written block by block (12 border calls per bordered merge, each merged value apart)
    # it took about 11,000 actions; on desktop Excel each is a round trip of a few ms.
    # Coalesced it is about 500: 600 leaves room for a richer report and still fails as
    # soon as merges, merged values or borders go back to one call per cell or per range.
    assert sum(copil_actions(book).values()) <= 600


def test_rapport_copil_writes_do_not_grow_with_the_projects(
    reported: tuple[xw.Book, Any, Path], reported_sixteen: tuple[xw.Book, Any]
) -> None:
    (book8, result8, _), (book16, result16) = reported, reported_sixteen
    assert (len(result8.projects), len(result16.projects)) == (8, 16)
    eight, sixteen = copil_actions(book8), copil_actions(book16)
    # The range writes, borders, number formats, fills, conditional formats, column widths and
    # charts: as many for 16 projects as for 8 (tables are blocks, their looks rectangles).
    same = ["setValues", "setBorderProperty", "setNumberFormat", "setRangeColor",
            "addConditionalFormat", "setColumnWidth", "addChart"]  # fmt: skip
    assert {k: sixteen[k] for k in same} == {k: eight[k] for k in same}
    # A project on track is one more row of the table; a project in trouble adds its own
    # line of explanations (its merge, italic text in its weather's colour, height): at most
    # 10 actions each, and the whole tab stays within the same bound.
    added = exceptions(result16) - exceptions(result8)
    assert added > 0
    assert sum(sixteen.values()) - sum(eight.values()) <= 10 * added
    assert sum(sixteen.values()) <= 600
