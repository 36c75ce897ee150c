"""The workbook templates: what they contain, and that what is typed in them reads back as typed."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pmo_xl import labels
from pmo_xl.file_workbook import open_workbook
from pmo_xl.layout import SheetLayout
from pmo_xl.reading import read_project, read_settings
from pmo_xl.render_pdf import to_pdf
from pmo_xl.templates import (
    PMO_TEMPLATE_FILE,
    PROJECT_TEMPLATE_FILE,
    ProjectData,
    project_template_layouts,
    table_cell,
    write_templates,
    write_workbook,
)
from pmo_xl.workbook import MemoryWorkbook

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")

# Column order and header row of "the same project, laid out by an English-speaking company".
SHUFFLED = {
    "planning": ("status", "name", "planned_days", "id", "remaining_days", "start", "owner"),
    "time_entries": ("days", "task_id", "resource", "date"),
    "resources": ("capacity", "kind", "name"),
    "risks": ("impact", "title", "probability"),
    "decisions": ("status", "title"),
}


def sample_project() -> ProjectData:
    """A small project typed by hand; every expected value below comes from here."""
    return ProjectData(
        info={
            "code": "PRJ-042",
            "name": "Nouveau portail RH",
            "lead": "Alice Dupont",
            "sponsor": "Bernard Roux",
            "start": dt.date(2026, 3, 2),
            "planned_end": dt.date(2026, 6, 30),
            "budget_initial_days": 40.0,
            "budget_initial_eur": 30000.0,
            "cutoff": dt.date(2026, 4, 17),
            "phase": "execution",
            "manual_weather": "amber",
            "weather_reason": "Recette décalée d'une semaine",
        },
        rows={
            "planning": [
                task("T1", "Cadrage", "Alice Dupont", (2, 13), 8.0, 4.0, "in_progress"),
                task("T2", "Spécifications", "Bob Martin", (16, 27), 3.0, 0.0, "done", "T1"),
                task("T3", "Développement", "Bob Martin", (2, 31), 12.5, 12.5, "todo", "T1;T2"),
                {
                    "id": "T4",
                    "name": "Mise en production",
                    "owner": "Alice Dupont",
                    "start": dt.date(2026, 6, 30),
                    "end": dt.date(2026, 6, 30),
                    "baseline_end": dt.date(2026, 6, 30),
                    "milestone": "yes",
                    "predecessors": "T3",
                    "planned_days": 0.0,
                    "remaining_days": 0.0,
                    "status": "todo",
                },
            ],
            "time_entries": [
                {
                    "date": dt.date(2026, 3, 2),
                    "resource": "Alice Dupont",
                    "task_id": "T1",
                    "days": 1.5,
                },
                {
                    "date": dt.date(2026, 3, 9),
                    "resource": "Alice Dupont",
                    "task_id": "T1",
                    "days": 2.0,
                },
                {
                    "date": dt.date(2026, 3, 16),
                    "resource": "Bob Martin",
                    "task_id": "T2",
                    "days": 3.0,
                },
            ],
            "resources": [
                {
                    "name": "Alice Dupont",
                    "profile": "Chef de projet",
                    "rate": 650.0,
                    "capacity": 5.0,
                    "kind": "internal",
                },
                {
                    "name": "Bob Martin",
                    "profile": "Développeur",
                    "capacity": 4.0,
                    "kind": "external",
                },
            ],
            "costs": [
                {
                    "date": dt.date(2026, 3, 10),
                    "nature": "licence",
                    "label": "Licence SIRH",
                    "amount": 1200.0,
                    "status": "committed",
                },
            ],
            "risks": [
                {
                    "id": "R1",
                    "title": "Retard du fournisseur",
                    "probability": 3,
                    "impact": 4,
                    "owner": "Alice Dupont",
                    "due": dt.date(2026, 5, 15),
                    "status": "open",
                },
            ],
            "actions": [
                {
                    "id": "A1",
                    "title": "Relancer le fournisseur",
                    "owner": "Bob Martin",
                    "due": dt.date(2026, 4, 10),
                    "status": "in_progress",
                    "origin": "COPIL 2026-04-02",
                },
            ],
            "decisions": [
                {
                    "id": "D1",
                    "date": dt.date(2026, 4, 2),
                    "title": "Valider le budget révisé",
                    "requested_by": "Alice Dupont",
                    "status": "pending",
                    "impact_days": 5.0,
                    "impact_eur": 3250.0,
                },
            ],
        },
    )


def task(
    task_id: str,
    name: str,
    owner: str,
    march_days: tuple[int, int],
    planned: float,
    remaining: float,
    status: str,
    predecessors: str | None = None,
) -> dict[str, Any]:
    start, end = dt.date(2026, 3, march_days[0]), dt.date(2026, 3, march_days[1])
    return {
        "id": task_id,
        "work_package": "Lot 1",
        "name": name,
        "owner": owner,
        "start": start,
        "end": end,
        "baseline_end": end,
        "milestone": "no",
        "predecessors": predecessors,
        "planned_days": planned,
        "remaining_days": remaining,
        "status": status,
    }


def in_memory(layouts: list[SheetLayout], label: str = "p.xlsx") -> MemoryWorkbook:
    return MemoryWorkbook(label, {layout.name: layout.to_grid() for layout in layouts})


def layout_named(layouts: list[SheetLayout], name: str) -> SheetLayout:
    return next(layout for layout in layouts if layout.name == name)


@pytest.fixture(scope="module")
def written_templates(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module")
def filled_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("filled") / "projet_PRJ-042.xlsx"
    return write_workbook(project_template_layouts("fr", sample_project()), path)


# --- the empty templates -------------------------------------------------------------------


def test_init_writes_the_project_template_and_the_pmo_workbook(written_templates: list[Path]):
    assert [p.name for p in written_templates] == [PROJECT_TEMPLATE_FILE, PMO_TEMPLATE_FILE]
    assert [p.name for p in written_templates] == ["projet_modele.xlsx", "pmo.xlsx"]


def test_empty_project_template_reads_back_with_no_finding(written_templates: list[Path]):
    with open_workbook(written_templates[0]) as source:
        project = read_project(source)
    assert [f.code for f in project.findings] == []
    assert project.tasks.frame.empty and project.time_entries.frame.empty


def test_empty_project_template_has_every_sheet_in_catalogue_order(written_templates: list[Path]):
    book = openpyxl.load_workbook(written_templates[0])
    assert book.sheetnames == [
        "Projet",
        "Planning",
        "Charges",
        "Ressources",
        "Coûts",
        "Risques",
        "Actions",
        "Décisions",
        "Mode d'emploi",
    ]


def test_english_template_uses_the_english_names():
    layouts = project_template_layouts("en")
    assert [layout.name for layout in layouts] == [
        "Project",
        "Schedule",
        "Time entries",
        "Resources",
        "Costs",
        "Risks",
        "Actions",
        "Decisions",
        "How to use",
    ]
    schedule = layout_named(layouts, "Schedule").to_grid()
    assert schedule.rows[0][:3] == ["ID", "Work package", "Task"]


def test_empty_pmo_template_reads_back_as_the_default_settings(written_templates: list[Path]):
    with open_workbook(written_templates[1]) as source:
        settings, findings = read_settings(source, base_dir=Path("/pmo"))
    assert findings == []
    assert settings.projects_folder == Path("/pmo/projets")
    assert settings.language == "fr" and settings.holiday_country == "FR"
    # Defaults of DOMAIN.md: green drift ≤ 5 %, amber ≤ 10 %, indices 0.95 / 0.90.
    assert settings.thresholds.drift_green_max == pytest.approx(0.05)
    assert settings.thresholds.drift_amber_max == pytest.approx(0.10)
    assert settings.thresholds.index_green_min == pytest.approx(0.95)
    assert settings.cutoff is None


def test_pmo_template_has_its_input_sheets(written_templates: list[Path]):
    book = openpyxl.load_workbook(written_templates[1])
    assert book.sheetnames == [
        "Paramètres",
        "TJM",
        "Projets",
        "Correspondances",
        "Règles",
        "Mode d'emploi",
    ]
    assert book["TJM"]["A3"].value == "Profil"  # header under a title and a subtitle
    assert book["TJM"]["C3"].value == "Valable à partir du"


def test_templates_are_written_byte_for_byte_the_same_twice(tmp_path: Path):
    first = write_templates(tmp_path / "a")
    second = write_templates(tmp_path / "b")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


# --- what makes them pleasant to fill --------------------------------------------------------


def test_planning_is_an_excel_table_with_formula_columns(written_templates: list[Path]):
    sheet = openpyxl.load_workbook(written_templates[0])["Planning"]
    table = sheet.tables["Planning"]
    formulas = {
        c.name: c.calculatedColumnFormula.attr_text
        for c in table.tableColumns
        if c.calculatedColumnFormula is not None
    }
    assert set(formulas) == {"Consommé (j)", "Réestimé (j)", "Écart (j)"}
    assert "SUMIFS(Charges[Consommé (j)],Charges[ID tâche]" in formulas["Consommé (j)"]


def test_risk_criticity_is_a_formula_column(written_templates: list[Path]):
    table = openpyxl.load_workbook(written_templates[0])["Risques"].tables["Risques"]
    criticity = next(c for c in table.tableColumns if c.name == "Criticité")
    assert "*" in criticity.calculatedColumnFormula.attr_text


def test_header_rows_are_frozen(written_templates: list[Path]):
    book = openpyxl.load_workbook(written_templates[0])
    # Planning also keeps ID, Lot and Tâche in view when scrolling right.
    assert book["Planning"].freeze_panes == "D2"
    assert book["Charges"].freeze_panes == "A2"
    assert book["Projet"].freeze_panes == "A2"


def _validations(sheet: Any) -> dict[str, str]:
    """First cell of each dropdown → its list or source."""
    out = {}
    for dv in sheet.data_validations.dataValidation:
        first = str(dv.sqref).split(":")[0]
        out[first] = dv.formula1
    return out


def test_status_milestone_and_owner_have_dropdowns(written_templates: list[Path]):
    planning = _validations(openpyxl.load_workbook(written_templates[0])["Planning"])
    assert planning["L2"] == '"À faire,En cours,Terminé,Bloqué,Abandonné"'  # Statut
    assert planning["H2"] == '"Oui,Non"'  # Jalon
    assert planning["D2"] == "'Ressources'!$A$2:$A$501"  # Responsable: names of Ressources


def test_time_entries_offer_the_people_and_the_task_ids(written_templates: list[Path]):
    entries = _validations(openpyxl.load_workbook(written_templates[0])["Charges"])
    assert entries["B2"] == "'Ressources'!$A$2:$A$501"
    assert entries["C2"] == "'Planning'!$A$2:$A$501"


def test_cost_nature_phase_and_weather_have_dropdowns(written_templates: list[Path]):
    book = openpyxl.load_workbook(written_templates[0])
    costs = _validations(book["Coûts"])
    assert costs["B2"] == '"Achat,Sous-traitance,Licence,Frais,Autre"'
    assert costs["E2"] == '"Prévu,Engagé,Payé"'
    project = _validations(book["Projet"])
    assert project["B13"] == '"Cadrage,Réalisation,Recette,Clos,Suspendu"'
    assert project["B14"] == '"Soleil,Nuageux,Orage"'


def test_dates_and_days_have_number_formats(filled_file: Path):
    sheet = openpyxl.load_workbook(filled_file)["Planning"]
    assert sheet["E2"].number_format == "dd/mm/yyyy"  # Début
    assert sheet["J2"].number_format == "#,##0.0"  # Charge prévue (j)
    assert sheet["A2"].number_format == "@"  # ID: text, so "1.10" never becomes 1.1


def test_project_values_go_in_column_b_next_to_their_label(filled_file: Path):
    sheet = openpyxl.load_workbook(filled_file)["Projet"]
    assert (sheet["A2"].value, sheet["B2"].value) == ("Code projet", "PRJ-042")
    assert sheet["B2"].fill.fgColor.rgb.endswith("FFF2CC")  # input cells stand out


def test_guide_sheet_is_french_or_english():
    fr = layout_named(project_template_layouts("fr"), "Mode d'emploi").to_grid()
    en = layout_named(project_template_layouts("en"), "How to use").to_grid()
    assert fr.rows[0][0] == "Mode d'emploi du classeur projet"
    assert en.rows[0][0] == "How to use the project workbook"


# --- filled by code, read back ---------------------------------------------------------------


def test_filled_template_reads_back_without_any_finding(filled_file: Path):
    with open_workbook(filled_file) as source:
        project = read_project(source)
    assert project.findings == []


def test_filled_template_gives_back_the_project_sheet(filled_file: Path):
    with open_workbook(filled_file) as source:
        info = read_project(source).info
    assert info.code == "PRJ-042"
    assert info.start == dt.date(2026, 3, 2)
    assert info.budget_initial_days == 40.0
    assert info.phase == "execution"
    assert (info.manual_weather, info.weather_reason) == ("amber", "Recette décalée d'une semaine")
    assert info.cells["budget_initial_days"] == "B8"


def test_filled_template_gives_back_the_tasks(filled_file: Path):
    with open_workbook(filled_file) as source:
        tasks = read_project(source).tasks
    t3 = tasks.frame.set_index("id").loc["T3"]
    assert t3["planned_days"] == 12.5
    assert t3["start"] == pd.Timestamp(2026, 3, 2)
    assert t3["predecessors"] == "T1;T2"
    assert t3["status"] == "todo"
    assert tasks.frame.set_index("id").loc["T4", "milestone"] == "yes"
    assert tasks.address("planned_days", 4) == "Planning!J4"  # T3 is on row 4


def test_filled_template_gives_back_every_other_sheet(filled_file: Path):
    with open_workbook(filled_file) as source:
        project = read_project(source)
    assert project.time_entries.frame["days"].sum() == 6.5  # 1.5 + 2 + 3
    resources = project.resources.frame.set_index("name")
    assert resources.loc["Alice Dupont", "rate"] == 650.0
    assert resources.loc["Bob Martin", "kind"] == "external"
    assert project.costs.frame.loc[0, "nature"] == "licence"
    assert project.costs.frame.loc[0, "status"] == "committed"
    assert (project.risks.frame.loc[0, "probability"], project.risks.frame.loc[0, "impact"]) == (
        3,
        4,
    )
    assert project.actions.frame.loc[0, "due"] == pd.Timestamp(2026, 4, 10)
    assert project.decisions.frame.loc[0, "status"] == "pending"
    assert project.decisions.frame.loc[0, "impact_eur"] == 3250.0


def test_memory_and_file_versions_of_a_filled_template_read_the_same(filled_file: Path):
    in_file = read_project(open_workbook(filled_file))
    in_memory_project = read_project(in_memory(project_template_layouts("fr", sample_project())))
    for key, table in in_file.tables.items():
        pd.testing.assert_frame_equal(table.frame, in_memory_project.tables[key].frame)


def test_unknown_field_in_project_data_is_refused():
    data = ProjectData({}, {"planning": [{"id": "T1", "charge": 3}]})
    with pytest.raises(ValueError, match="charge"):
        project_template_layouts("fr", data)


# --- French and English layouts of the same project ------------------------------------------


def _english_project() -> Any:
    layouts = project_template_layouts("en", sample_project(), column_order=SHUFFLED, header_row=3)
    return read_project(in_memory(layouts, "project_en.xlsx"))


def test_french_and_english_layouts_give_equal_models():
    french = read_project(in_memory(project_template_layouts("fr", sample_project())))
    english = _english_project()
    assert english.findings == []
    for key, table in french.tables.items():
        # Rows are two lower in the English layout (header on row 3): compare the values only.
        pd.testing.assert_frame_equal(
            table.frame.drop(columns="row"), english.tables[key].frame.drop(columns="row")
        )
    ignore = {"sheet", "cells"}
    assert french.info.model_dump(exclude=ignore) == english.info.model_dump(exclude=ignore)


def test_english_layout_puts_headers_on_row_3_in_the_given_order():
    english = _english_project()
    tasks = english.tasks
    assert tasks.sheet == "Schedule" and tasks.header_row == 3
    assert tasks.columns["status"] == "A" and tasks.columns["name"] == "B"
    assert tasks.headers["status"] == "Status"
    # T3 is the 3rd task: row 3 + 3 = 6; planned effort is the 3rd column.
    assert tasks.address("planned_days", 6) == "Schedule!C6"


def test_table_cell_matches_where_the_reader_finds_the_value():
    english = _english_project()
    cell = table_cell(
        labels.PLANNING, "planned_days", 2, column_order=SHUFFLED, header_row=3
    )  # T3: data index 2
    assert cell == "C6"
    assert english.tasks.frame.set_index("row").loc[6, "planned_days"] == 12.5


def test_english_layout_writes_list_values_in_english():
    layouts = project_template_layouts("en", sample_project(), column_order=SHUFFLED, header_row=3)
    grid = layout_named(layouts, "Schedule").to_grid()
    assert grid.rows[2][0] == "Status"
    assert [row[0] for row in grid.rows[3:7]] == ["In progress", "Done", "To do", "To do"]


# --- LibreOffice ------------------------------------------------------------------------------


def _libreoffice_convert(files: list[Path], fmt: str, outdir: Path, profile: Path) -> None:
    """Convert with a private profile set to recalculate formulas when a file is loaded."""
    settings = profile / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )
    assert SOFFICE is not None
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


@needs_libreoffice
def test_libreoffice_opens_both_templates_and_converts_them_to_pdf(
    written_templates: list[Path], tmp_path: Path
):
    pdfs = [to_pdf(template, tmp_path) for template in written_templates]
    assert [p.name for p in pdfs] == ["projet_modele.pdf", "pmo.pdf"]
    assert all(p.read_bytes().startswith(b"%PDF") for p in pdfs)
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdfs[0]), "-"], check=True, capture_output=True, text=True
        ).stdout
        assert "Mode d'emploi du classeur projet" in text
        assert "Charge prévue" in text


@needs_libreoffice
def test_libreoffice_recomputes_the_formula_columns(filled_file: Path, tmp_path: Path):
    _libreoffice_convert([filled_file], "xlsx", tmp_path / "out", tmp_path / "profile")
    book = openpyxl.load_workbook(tmp_path / "out" / filled_file.name, data_only=True)
    planning = book["Planning"]
    headers = [c.value for c in planning[1]]
    rows = {
        row[0]: dict(zip(headers, row, strict=False))
        for row in planning.iter_rows(min_row=2, values_only=True)
    }
    t1 = rows["T1"]
    assert t1["Consommé (j)"] == pytest.approx(3.5)  # 1.5 + 2
    assert t1["Réestimé (j)"] == pytest.approx(7.5)  # 3.5 + 4 remaining
    assert t1["Écart (j)"] == pytest.approx(-0.5)  # 7.5 − 8 planned
    t2 = rows["T2"]
    assert t2["Consommé (j)"] == pytest.approx(3.0)
    assert t2["Réestimé (j)"] == pytest.approx(3.0)  # 3 + 0
    assert t2["Écart (j)"] == pytest.approx(0.0)  # 3 − 3
    assert rows["T3"]["Réestimé (j)"] == pytest.approx(12.5)  # nothing booked + 12.5 remaining
    risks = book["Risques"]
    risk_headers = [c.value for c in risks[1]]
    risk = dict(zip(risk_headers, next(risks.iter_rows(min_row=2, values_only=True)), strict=False))
    assert risk["Criticité"] == 12  # 3 × 4
