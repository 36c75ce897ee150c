"""Reading project and PMO workbooks as people really fill them (WORKBOOK_FORMAT.md)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.worksheet.table import Table as XlTable

from pmo_xl.file_workbook import open_workbook
from pmo_xl.model import Mapping, Settings
from pmo_xl.reading import parse_text_date, parse_text_number, read_project, read_settings
from pmo_xl.workbook import CellError, MemoryWorkbook, Uncached, WorkbookError

PROJET_FR = [
    ["Code projet", "PRJ-001"],
    ["Nom du projet", "Refonte du site"],
    ["Chef de projet", "Claire Martin"],
    ["Date de début", dt.datetime(2026, 9, 1)],
    ["Date de fin prévue", dt.datetime(2026, 12, 18)],
    ["Budget initial (j)", 100],
    ["Date d'arrêté", dt.datetime(2026, 11, 20)],
]
PLANNING_HEADER_FR = [
    "ID", "Lot", "Tâche", "Responsable", "Début", "Fin", "Fin référence", "Jalon",
    "Prédécesseurs", "Charge prévue (j)", "Reste à faire (j)", "Statut",
]  # fmt: skip
PLANNING_ROWS = [
    ["T1", "Cadrage", "Ateliers", "Claire Martin", dt.datetime(2026, 9, 1),
     dt.datetime(2026, 9, 11), dt.datetime(2026, 9, 11), "Non", None, 8, 0, "Terminé"],
    ["T2", "Réalisation", "Développement", "Paul Durand", dt.datetime(2026, 9, 14),
     dt.datetime(2026, 11, 27), dt.datetime(2026, 11, 20), "Non", "T1", 40, 12.5, "En cours"],
    ["J1", "Réalisation", "Mise en production", "Claire Martin", dt.datetime(2026, 12, 18),
     dt.datetime(2026, 12, 18), dt.datetime(2026, 12, 18), "Oui", "T2", 0, 0, "À faire"],
]  # fmt: skip


def french_workbook() -> MemoryWorkbook:
    return MemoryWorkbook.from_rows(
        "projet_prj001.xlsx",
        {"Projet": PROJET_FR, "Planning": [PLANNING_HEADER_FR, *PLANNING_ROWS]},
    )


def test_project_sheet_values_are_read_with_their_cells() -> None:
    project = read_project(french_workbook())
    assert project.info.code == "PRJ-001"
    assert project.info.budget_initial_days == 100.0
    assert project.info.cutoff == dt.date(2026, 11, 20)
    assert project.info.cells["budget_initial_days"] == "B6"


def test_planning_rows_keep_their_excel_row_and_column() -> None:
    tasks = read_project(french_workbook()).tasks
    # Header on row 1, so T2 is on row 3; "Reste à faire (j)" is the 11th column, K.
    t2 = tasks.frame.set_index("id").loc["T2"]
    assert t2["row"] == 3
    assert t2["remaining_days"] == 12.5
    assert tasks.address("remaining_days", 3) == "Planning!K3"


def test_status_and_yes_no_become_canonical_values() -> None:
    frame = read_project(french_workbook()).tasks.frame
    assert frame["status"].tolist() == ["done", "in_progress", "todo"]
    assert frame["milestone"].tolist() == ["no", "no", "yes"]


def english_workbook() -> MemoryWorkbook:
    """The same project, laid out in English, columns shuffled, header on row 3 after a title."""
    projet_en = [
        ["Project code", "PRJ-001"],
        ["Project name", "Refonte du site"],
        ["Project lead", "Claire Martin"],
        ["Start date", dt.datetime(2026, 9, 1)],
        ["Planned end", dt.datetime(2026, 12, 18)],
        ["Baseline budget (days)", 100],
        ["Cut-off date", dt.datetime(2026, 11, 20)],
    ]
    english = {
        "ID": "ID", "Lot": "Work package", "Tâche": "Task", "Responsable": "Owner",
        "Début": "Start", "Fin": "End", "Fin référence": "Baseline end", "Jalon": "Milestone",
        "Prédécesseurs": "Predecessors", "Charge prévue (j)": "Planned effort (days)",
        "Reste à faire (j)": "Remaining (days)", "Statut": "Status",
    }  # fmt: skip
    order = [11, 2, 0, 10, 9, 3, 4, 5, 6, 7, 8, 1]
    status_en = {"Terminé": "Done", "En cours": "In progress", "À faire": "To do"}
    yes_en = {"Oui": "Yes", "Non": "No"}
    rows = []
    for row in PLANNING_ROWS:
        r = list(row)
        r[11] = status_en[r[11]]
        r[7] = yes_en[r[7]]
        rows.append([r[i] for i in order] + ["extra column, ignored"])
    header = [english[PLANNING_HEADER_FR[i]] for i in order] + ["Notes"]
    return MemoryWorkbook.from_rows(
        "project_prj001.xlsx",
        {
            "Project": projet_en,
            "SCHEDULE": [["Website redesign — schedule"], [], header, *rows],
        },
    )


def test_french_and_english_layouts_give_equal_models() -> None:
    fr = read_project(french_workbook())
    en = read_project(english_workbook())
    assert fr.info.model_dump(exclude={"cells", "sheet"}) == en.info.model_dump(
        exclude={"cells", "sheet"}
    )
    fields = [c for c in fr.tasks.frame.columns if c != "row"]
    assert fr.tasks.frame[fields].equals(en.tasks.frame[fields])
    assert not [f for f in en.findings if f.severity == "error"]


def test_header_found_below_title_rows_gives_real_row_numbers() -> None:
    tasks = read_project(english_workbook()).tasks
    assert tasks.header_row == 3
    assert tasks.frame["row"].tolist() == [4, 5, 6]
    # Status was moved to the first column in the English layout.
    assert tasks.cell("status", 4) == "A4"


def _planning_with_header_on_row(row: int) -> MemoryWorkbook:
    notes = [[f"Note {n}"] for n in range(1, row)]  # text above the table, rows 1 to row - 1
    planning = [*notes, PLANNING_HEADER_FR, *PLANNING_ROWS]
    return MemoryWorkbook.from_rows(
        "projet_prj001.xlsx", {"Projet": PROJET_FR, "Planning": planning}
    )


def test_a_header_on_row_20_is_found() -> None:
    # README: "a header row anywhere in the first 20 rows".
    tasks = read_project(_planning_with_header_on_row(20)).tasks
    assert (tasks.header_row, tasks.frame["row"].tolist()) == (20, [21, 22, 23])


def test_a_header_on_row_21_is_not_found() -> None:
    project = read_project(_planning_with_header_on_row(21))
    assert [f.code for f in project.findings if f.sheet == "Planning"] == ["HEADER_NOT_FOUND"]


def test_names_ignore_case_accents_and_spaces_also_in_sheet_names() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            " PROJET ": [["  code PROJET ", "PRJ-9"], ["date d'arrete", dt.datetime(2026, 1, 2)]],
            "planning": [["id", "TACHE", "reste a faire (J)"], ["T1", "Dev", 3]],
        },
    )
    project = read_project(wb)
    assert project.info.code == "PRJ-9"
    assert project.info.cutoff == dt.date(2026, 1, 2)
    assert project.tasks.frame["remaining_days"].tolist() == [3.0]


def test_date_typed_as_text_is_read_with_a_warning_at_its_cell() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [
                ["ID", "Tâche", "Début", "Fin", "Charge prévue (j)", "Reste à faire (j)"],
                ["T1", "Dev", "15/11/2026", "2026-11-20", 3, 1],
            ],
        },
    )
    project = read_project(wb)
    assert project.tasks.frame["start"].dt.date.tolist() == [dt.date(2026, 11, 15)]
    assert project.tasks.frame["end"].dt.date.tolist() == [dt.date(2026, 11, 20)]
    warnings = {(f.cell, f.code, f.severity) for f in project.findings if f.sheet == "Planning"}
    assert warnings == {("C2", "DATE_AS_TEXT", "warning"), ("D2", "DATE_AS_TEXT", "warning")}


def test_decimal_comma_number_is_read_with_a_warning() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [["ID", "Tâche", "RAF"], ["T1", "D", "2,5"]],
        },
    )
    project = read_project(wb)
    assert project.tasks.frame["remaining_days"].tolist() == [2.5]
    finding = next(f for f in project.findings if f.code == "NUMBER_AS_TEXT")
    assert (finding.sheet, finding.cell, finding.project) == ("Planning", "C2", "P")
    assert "2,5" in finding.message("fr") and "2.5" in finding.message("en")


def test_values_that_cannot_be_understood_are_findings_not_exceptions() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [
                ["ID", "Tâche", "Début", "Charge prévue (j)", "Statut", "RAF"],
                ["T1", "Dev", "31/02/2026", "beaucoup", "Presque fini", 1],
            ],
        },
    )
    found = {(f.cell, f.code) for f in read_project(wb).findings if f.severity == "error"}
    assert found == {("C2", "DATE_INVALID"), ("D2", "NUMBER_INVALID"), ("E2", "VALUE_UNKNOWN")}


def test_error_cells_are_never_read_as_zero() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [["ID", "Tâche", "Reste à faire (j)"], ["T1", "Dev", CellError("#REF!")]],
        },
    )
    project = read_project(wb)
    assert project.tasks.frame["remaining_days"].isna().all()
    (finding,) = [f for f in project.findings if f.code == "CELL_ERROR"]
    assert finding.cell == "C2" and "#REF!" in finding.message()


def test_formula_without_computed_value_is_reported() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [["ID", "Tâche", "Charge prévue (j)"], ["T1", "Dev", Uncached("=2*4")]],
        },
    )
    (finding,) = [f for f in read_project(wb).findings if f.code == "FORMULA_NOT_CALCULATED"]
    assert finding.cell == "C2"


def test_cached_formula_columns_are_not_read() -> None:
    # Réestimé (j) holds a stale cached value (99); the model never carries it.
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [["ID", "Tâche", "Reste à faire (j)", "Réestimé (j)"], ["T1", "D", 2, 99]],
        },
    )
    frame = read_project(wb).tasks.frame
    assert frame["eac_formula"].isna().all()
    assert frame["remaining_days"].tolist() == [2.0]


def test_missing_optional_sheet_means_nothing_to_report() -> None:
    project = read_project(french_workbook())
    assert not project.costs.present
    assert len(project.costs.frame) == 0
    infos = {f.params["sheet"] for f in project.findings if f.code == "SHEET_ABSENT"}
    assert "Coûts" in infos


def test_missing_planning_sheet_is_an_error() -> None:
    wb = MemoryWorkbook.from_rows("p.xlsx", {"Projet": [["Code projet", "P"]]})
    codes = {(f.code, f.severity) for f in read_project(wb).findings}
    assert ("SHEET_MISSING", "error") in codes


def test_company_names_are_mapped_through_correspondances() -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Plan de charge": [["ID", "Tâche", "Jours restants"], ["T1", "Dev", 4]],
        },
    )
    settings = Settings(
        mappings=[
            Mapping(their_name="Plan de charge", our_name="Planning"),
            Mapping(sheet="Planning", their_name="Jours restants", our_name="Reste à faire (j)"),
        ]
    )
    project = read_project(wb, settings)
    assert project.tasks.sheet == "Plan de charge"
    assert project.tasks.frame["remaining_days"].tolist() == [4.0]


def test_text_parsers_follow_french_conventions() -> None:
    assert parse_text_date("03/04/2026") == dt.date(2026, 4, 3)  # day first
    assert parse_text_date("2026-04-03") == dt.date(2026, 4, 3)
    assert parse_text_date("3 avril") is None
    assert parse_text_number("1 234,50") == 1234.5
    assert parse_text_number("12 j") is None


def test_excel_table_in_a_real_file_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Projet"
    ws.append(["Code projet", "PRJ-T"])
    plan = wb.create_sheet("Planning")
    plan.append(["Planning du projet"])
    plan.append([])
    plan.append(["ID", "Tâche", "Charge prévue (j)"])
    plan.append(["T1", "Dev", 5])
    plan.append(["T2", "Test", 2.5])
    plan.add_table(XlTable(displayName="tPlanning", ref="A3:C5"))
    path = tmp_path / "projet_t.xlsx"
    wb.save(path)
    with open_workbook(path) as source:
        project = read_project(source)
    assert project.tasks.frame["planned_days"].tolist() == [5.0, 2.5]
    assert project.tasks.cell("planned_days", 5) == "C5"


def test_unopenable_file_raises_one_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "projet_casse.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(WorkbookError) as info:
        open_workbook(path)
    assert "projet_casse.xlsx" in str(info.value)
    assert "corrompu" in info.value.reason


def test_a_workbook_another_program_holds_open_is_said_so(tmp_path: Path) -> None:
    # Windows says EACCES with a sharing-violation code: not "access denied", which sends the
    # PMO to check rights that are fine.
    from pmo_xl.workbook import access_error

    held = PermissionError(13, "Permission denied")
    held.winerror = 32  # type: ignore[attr-defined]
    said = access_error("projet_a.xlsx", held)
    assert (said.reason, said.reason_en) == (
        "fichier ouvert par un autre programme (Excel ?)",
        "file open in another program",
    )
    missing = access_error("projet_b.xlsx", FileNotFoundError(2, "No such file or directory"))
    assert (missing.reason, missing.reason_en) == ("introuvable", "not found")


def test_pmo_settings_thresholds_rates_and_expected_projects() -> None:
    wb = MemoryWorkbook.from_rows(
        "pmo.xlsx",
        {
            "Paramètres": [
                ["Dossier des projets", "projets"],
                ["Date d'arrêté", dt.datetime(2026, 11, 20)],
                ["Dérive max vert", 4],  # typed as a percentage
                ["Langue", "English"],
            ],
            "TJM": [
                ["Profil", "TJM (€)", "Valable à partir du"],
                ["Développeur", 550, dt.datetime(2026, 1, 1)],
                ["Développeur", 600, dt.datetime(2026, 7, 1)],
            ],
            "Projets": [["Code projet", "Fichier", "Actif"], ["PRJ-001", "projet_a.xlsx", "Oui"]],
            "Règles": [["Code règle", "Active", "Sévérité"], ["ENTRY_DUPLICATE", "Non", None]],
        },
    )
    settings, findings = read_settings(wb, base_dir=Path("/data/pmo"))
    assert findings == []
    assert settings.projects_folder == Path("/data/pmo/projets")
    assert settings.thresholds.drift_green_max == pytest.approx(0.04)
    assert settings.language == "en"
    assert (settings.portfolio_name, settings.title) == (None, "Portfolio")  # the English default
    assert [(r.rate, r.valid_from) for r in settings.rates] == [
        (550.0, dt.date(2026, 1, 1)),
        (600.0, dt.date(2026, 7, 1)),
    ]
    assert settings.rates[1].source is not None and settings.rates[1].source.row == 3
    assert settings.expected_projects[0].code == "PRJ-001"
    assert settings.rules["ENTRY_DUPLICATE"].enabled is False


def test_an_unknown_holiday_country_is_said_at_its_cell_and_france_is_used() -> None:
    wb = MemoryWorkbook.from_rows(
        "pmo.xlsx",
        {"Paramètres": [["Date d'arrêté", dt.datetime(2026, 11, 20)], ["Pays", "France"]]},
    )
    settings, findings = read_settings(wb)
    assert settings.holiday_country == "FR"
    assert [(f.code, f.sheet, f.cell, f.severity) for f in findings] == [
        ("HOLIDAY_COUNTRY_UNKNOWN", "Paramètres", "B2", "error")
    ]
    said = findings[0].message("fr")
    assert said.startswith("« France » n'est pas un pays de jours fériés connu : les jours ")
    assert "les jours fériés de FR sont utilisés" in said


def test_a_holiday_country_with_its_region_is_accepted() -> None:
    wb = MemoryWorkbook.from_rows("pmo.xlsx", {"Paramètres": [["Pays", "fr-57"]]})
    settings, findings = read_settings(wb)
    assert (settings.holiday_country, findings) == ("FR-57", [])


def test_formula_saved_without_value_in_a_real_file_is_reported(tmp_path: Path) -> None:
    # openpyxl writes formulas without computing them, like many export tools.
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Projet"
    ws.append(["Code projet", "PRJ-F"])
    plan = wb.create_sheet("Planning")
    plan.append(["ID", "Tâche", "Charge prévue (j)", "Reste à faire (j)"])
    plan.append(["T1", "Dev", "=2*4", 3])
    path = tmp_path / "projet_f.xlsx"
    wb.save(path)
    with open_workbook(path) as source:
        project = read_project(source)
    (finding,) = [f for f in project.findings if f.code == "FORMULA_NOT_CALCULATED"]
    assert (finding.sheet, finding.cell) == ("Planning", "C2")
    assert "=2*4" in finding.message()
    assert project.tasks.frame["planned_days"].isna().all()


def test_error_value_in_a_real_file_is_a_finding_not_a_zero(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Projet"
    ws.append(["Code projet", "PRJ-E"])
    plan = wb.create_sheet("Planning")
    plan.append(["ID", "Tâche", "Reste à faire (j)"])
    plan.append(["T1", "Dev", "#DIV/0!"])  # openpyxl stores this as an error cell (t="e")
    path = tmp_path / "projet_e.xlsx"
    wb.save(path)
    with open_workbook(path) as source:
        project = read_project(source)
    (finding,) = [f for f in project.findings if f.code == "CELL_ERROR"]
    assert (finding.cell, finding.params["value"]) == ("C2", "#DIV/0!")


def test_a_frames_columns_are_made_once_and_forgotten_with_the_frame() -> None:
    import gc

    import pandas as pd

    from pmo_xl import model

    frame = pd.DataFrame({"a": [1.0, 2.0], "b": pd.Series(["x", "y"], dtype=object)})
    first = model.column_array(frame, "a")
    assert first.tolist() == [1.0, 2.0]
    assert model.column_array(frame, "a") is first  # the same array, not a new Series
    assert model.column_array(frame, "b").tolist() == ["x", "y"]
    key = id(frame)
    assert key in model._COLUMN_ARRAYS
    del frame, first
    gc.collect()
    assert key not in model._COLUMN_ARRAYS  # nothing kept once the frame is gone


def test_a_read_tables_columns_are_the_arrays_it_was_built_from_read_only() -> None:
    import numpy as np

    from pmo_xl import model

    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "PRJ-1"]],
            "Planning": [["ID", "Tâche", "Reste à faire (j)"], ["T1", "Dev", 2], ["T2", "Test", 3]],
        },
    )
    frame = read_project(wb).tasks.frame
    remaining = model.column_array(frame, "remaining_days")
    assert remaining.tolist() == [2.0, 3.0]  # as frame["remaining_days"].to_numpy() gives
    assert model.column_array(frame, "id").tolist() == ["T1", "T2"]
    assert not remaining.flags.writeable  # as pandas' copy-on-write to_numpy(): no one writes
    with pytest.raises(ValueError):
        remaining[0] = 9.0
    assert frame["remaining_days"].tolist() == [2.0, 3.0]
    assert isinstance(remaining, np.ndarray)


@pytest.mark.parametrize("internal", [True, False], ids=["pandas-internal", "public"])
def test_a_tables_frame_keeps_its_types_whichever_constructor_builds_it(
    internal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from pmo_xl import reading

    if not internal:  # a pandas without the internal constructor
        monkeypatch.setattr(reading, "_arrays_to_mgr", None)
    arrays = {
        "name": np.array(["a", None], dtype=object),
        "days": np.array([1.5, np.nan]),
        "start": np.array(["2026-01-05", "NaT"], dtype="datetime64[ns]"),
        "row": np.array([2, 3], dtype="int64"),
    }
    frame = reading._frame(arrays, 2)
    assert [str(t) for t in frame.dtypes] == ["object", "float64", "datetime64[ns]", "int64"]
    assert frame["name"].tolist() == ["a", None]
    assert frame["days"].iloc[0] == 1.5 and np.isnan(frame["days"].iloc[1])
    assert frame.loc[frame["row"] == 3, "name"].tolist() == [None]


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Date d'arrêté :", "datedarrete"),  # accents, apostrophe and colon dropped
        ("Reste à faire (j)", "resteafairej"),
        ("C. Martin", "cmartin"),  # plain ASCII: case and punctuation only
        ("ABC-12 x", "abc12x"),
        ("Coût €", "couteur"),  # the euro sign is a word
        ("Œuvre", "oeuvre"),
        ("  ", ""),
    ],
)
def test_labels_match_without_accents_case_or_punctuation(label: str, key: str) -> None:
    from pmo_xl.labels import norm

    assert norm(label) == key


@pytest.mark.parametrize(
    "header", ["Reste à faire (jours)", "Reste à faire (j.h)", "RAF (jours-homme)", "Remaining (d)"]
)
def test_a_unit_written_another_way_still_names_the_column(header: str) -> None:
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [["ID", "Tâche", "Charge prévue (jours)", header], ["T1", "Dev", 5, 2]],
        },
    )
    project = read_project(wb)
    frame = project.tasks.frame
    said = [f for f in project.findings if f.severity != "info"]  # info: the absent sheets
    if header == "Remaining (d)":  # a bare "d" is too short to be read as a unit: said
        assert [f.code for f in said] == ["COLUMN_MISSING"]
        assert said[0].params["column"] == "Reste à faire (j)"
        return
    assert (frame["planned_days"].tolist(), frame["remaining_days"].tolist()) == ([5.0], [2.0])
    assert said == []


def test_a_missing_effort_column_is_an_error_not_a_silent_zero() -> None:
    # "Reste à faire" not found: the estimate at completion would be the consumed alone.
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [
                ["ID", "Tâche", "Charge prévue (j)", "Effort restant ?"],
                ["T1", "D", 5, 2],
            ],
        },
    )
    (finding,) = [f for f in read_project(wb).findings if f.severity != "info"]
    assert (finding.code, finding.severity, finding.sheet) == (
        "COLUMN_MISSING",
        "error",
        "Planning",
    )
    assert finding.params["column"] == "Reste à faire (j)"


@pytest.fixture(params=["C typing", "numpy typing"])
def either_typing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each table column typed by the C code, then by numpy and the cell-by-cell conversion."""
    from pmo_xl import native

    if request.param == "numpy typing":
        monkeypatch.setattr(native, "enabled", lambda: False)


@pytest.mark.usefixtures("either_typing")
def test_a_number_beyond_any_plausible_value_is_an_error_at_its_cell() -> None:
    # 1e308 pasted into an effort cell made the portfolio's totals infinite ("inf %").
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"], ["Budget initial (j)", 1e300]],
            "Planning": [
                ["ID", "Tâche", "Charge prévue (j)", "Reste à faire (j)"],
                ["T1", "Dev", 1e308, 2],
                ["T2", "Test", 3, "20000000000000"],
                ["T3", "Doc", 1e12, -1e12],
            ],
        },
    )
    project = read_project(wb)
    errors = {(f.sheet, f.cell, f.code) for f in project.findings if f.severity == "error"}
    assert errors == {
        ("Projet", "B2", "NUMBER_OUT_OF_RANGE"),
        ("Planning", "C2", "NUMBER_OUT_OF_RANGE"),
        ("Planning", "D3", "NUMBER_OUT_OF_RANGE"),
    }
    frame = project.tasks.frame
    assert frame["planned_days"].tolist()[1:] == [3.0, 1e12]
    assert np.isnan(frame["planned_days"].iloc[0]) and np.isnan(frame["remaining_days"].iloc[1])


@pytest.mark.usefixtures("either_typing")
def test_a_real_date_out_of_a_plans_reach_is_said_as_such() -> None:
    # 9999-12-31 is a date Excel shows: "n'est pas une date" was wrong; the year is the fault.
    wb = MemoryWorkbook.from_rows(
        "p.xlsx",
        {
            "Projet": [["Code projet", "P"]],
            "Planning": [
                ["ID", "Tâche", "Début", "Charge prévue (j)", "Reste à faire (j)"],
                ["T1", "Dev", dt.datetime(9999, 12, 31), 1, 1],
                ["T2", "Doc", "15/11/2062", 1, 1],
                ["T3", "Test", dt.date(2026, 11, 16), 1, 1],
            ],
        },
    )
    project = read_project(wb)
    out = [f for f in project.findings if f.code == "DATE_OUT_OF_RANGE"]
    assert [f.cell for f in out] == ["C2"]
    assert out[0].message("fr").startswith("Le 31/12/9999 est hors des années 1900 à 2200")
    assert project.tasks.frame["start"].dt.date.tolist()[1:] == [
        dt.date(2062, 11, 15),
        dt.date(2026, 11, 16),
    ]


def test_a_logical_cell_in_a_number_column_is_named_as_excel_shows_it() -> None:
    from pmo_xl.reading import convert_number

    _value, code, params = convert_number(True)
    from pmo_xl.messages import render

    assert code == "NUMBER_INVALID"
    assert render(code, params, "fr").startswith("« VRAI » n'est pas un nombre")
    assert render(code, params, "en").startswith("'TRUE' is not a number")
