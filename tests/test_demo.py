"""The demo portfolio: deterministic, realistic, readable, and with its mistakes where it says."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pmo_xl.demo import CUTOFF, PLANTED, DemoPortfolio, build_demo
from pmo_xl.file_workbook import open_workbook
from pmo_xl.model import ProjectWorkbook, Settings
from pmo_xl.reading import read_project, read_settings

# Findings the reader itself raises on planted mistakes (the others come from the checks).
READER_CODES = {"DATE_AS_TEXT", "NUMBER_AS_TEXT"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoPortfolio:
    return build_demo(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def settings(demo: DemoPortfolio) -> Settings:
    with open_workbook(demo.pmo) as source:
        found, findings = read_settings(source, base_dir=demo.root)
    assert findings == []
    return found


@pytest.fixture(scope="module")
def projects(demo: DemoPortfolio, settings: Settings) -> dict[str, ProjectWorkbook]:
    out = {}
    for path in demo.projects:
        with open_workbook(path) as source:
            project = read_project(source, settings)
        out[str(project.code)] = project
    return out


def _drift(project: ProjectWorkbook) -> float:
    """(EAC − budget) / budget, EAC = Σ time entries + Σ remaining."""
    consumed = project.time_entries.frame["days"].sum()
    remaining = project.tasks.frame["remaining_days"].sum()
    budget = project.info.budget_days
    assert budget
    return float((consumed + remaining - budget) / budget)


def _final_milestone(project: ProjectWorkbook) -> pd.Series:
    milestones = project.tasks.frame[project.tasks.frame["milestone"] == "yes"]
    return milestones.sort_values("baseline_end").iloc[-1]


# --- files -------------------------------------------------------------------------------------


def test_demo_writes_eight_projects_and_the_pmo_workbook(demo: DemoPortfolio):
    assert demo.pmo == demo.root / "pmo.xlsx" and demo.pmo.exists()
    assert [p.name for p in demo.projects] == [f"projet_PRJ-00{i}.xlsx" for i in range(1, 9)]
    assert all(p.parent == demo.root / "projets" and p.exists() for p in demo.projects)


def test_two_builds_give_the_same_bytes(demo: DemoPortfolio, tmp_path: Path):
    again = build_demo(tmp_path)
    for first, second in zip([demo.pmo, *demo.projects], [again.pmo, *again.projects], strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_another_seed_gives_another_portfolio(demo: DemoPortfolio, tmp_path: Path):
    other = build_demo(tmp_path, seed=7)
    assert other.projects[0].read_bytes() != demo.projects[0].read_bytes()


# --- the PMO workbook --------------------------------------------------------------------------


def test_pmo_workbook_points_at_the_projects_folder_and_the_cutoff(
    demo: DemoPortfolio, settings: Settings
):
    assert settings.projects_folder == demo.root / "projets"
    assert settings.cutoff == dt.date(2026, 11, 20) == CUTOFF
    assert CUTOFF.weekday() == 4  # a Friday
    assert "Atelier Numérique Lyonnais" in settings.portfolio_name


def test_pmo_expects_nine_projects_one_of_which_is_missing(demo: DemoPortfolio, settings: Settings):
    expected = {p.code: p.file for p in settings.expected_projects}
    assert sorted(expected) == [f"PRJ-00{i}" for i in range(1, 10)]
    assert demo.missing == ["PRJ-009"]
    assert not (demo.projects_dir / str(expected["PRJ-009"])).exists()
    assert all((demo.projects_dir / str(expected[f"PRJ-00{i}"])).exists() for i in range(1, 9))


def test_developer_rate_changes_once_during_the_year(settings: Settings):
    developer = sorted((r.valid_from, r.rate) for r in settings.rates if r.profile == "Développeur")
    assert developer == [(dt.date(2026, 1, 1), 540.0), (dt.date(2026, 7, 1), 560.0)]


def test_one_person_has_a_project_rate_over_the_profile_rate(
    projects: dict[str, ProjectWorkbook],
):
    overrides = {
        (code, r["name"]): r["rate"]
        for code, p in projects.items()
        for r in p.resources.frame.to_dict("records")
        if pd.notna(r["rate"])
    }
    assert overrides == {("PRJ-002", "Marc Vidal"): 650.0}


# --- every file reads back ---------------------------------------------------------------------


def test_every_project_reads_back_with_only_the_planted_reader_findings(
    projects: dict[str, ProjectWorkbook],
):
    planted = {(p.file, p.sheet, p.cell, p.code) for p in PLANTED if p.code in READER_CODES}
    found = {(f.file, f.sheet, f.cell, f.code) for p in projects.values() for f in p.findings}
    assert found == planted


def test_english_project_reads_as_well_as_the_french_ones(
    demo: DemoPortfolio, projects: dict[str, ProjectWorkbook]
):
    english = projects["PRJ-004"]
    assert demo.english.name == "projet_PRJ-004.xlsx"
    assert english.findings == []
    assert english.tasks.sheet == "Schedule" and english.tasks.header_row == 3
    assert english.time_entries.sheet == "Time entries"
    assert english.tasks.columns["name"] == "A"  # its own column order: Task first
    assert english.info.name == "Supplier portal"
    french = projects["PRJ-001"]
    for key in ("planning", "time_entries", "resources", "risks", "actions"):
        assert list(english.tables[key].frame.columns) == list(french.tables[key].frame.columns)
        assert len(english.tables[key].frame) > 0
    assert set(english.tasks.frame["status"]) <= {"todo", "in_progress", "done", "blocked"}


def test_english_project_has_title_rows_above_its_headers(demo: DemoPortfolio):
    sheet = openpyxl.load_workbook(demo.english, read_only=True)["Schedule"]
    rows = list(sheet.iter_rows(min_row=1, max_row=3, max_col=2, values_only=True))
    assert rows[0][0] == "Schedule — PRJ-004 — Supplier portal"
    assert rows[2] == ("Task", "ID")


# --- realistic shapes --------------------------------------------------------------------------


def test_each_project_has_two_to_six_people(projects: dict[str, ProjectWorkbook]):
    sizes = {code: len(p.resources.frame) for code, p in projects.items()}
    assert all(2 <= n <= 6 for n in sizes.values()), sizes
    assert min(sizes.values()) == 2 and max(sizes.values()) == 6


def test_people_work_on_several_projects(projects: dict[str, ProjectWorkbook]):
    where: dict[str, set[str]] = defaultdict(set)
    for code, p in projects.items():
        for name in p.resources.frame["name"]:
            where[name].add(code)
    shared = {name for name, codes in where.items() if len(codes) >= 2}
    assert {"Thomas Petit", "Camille Durand", "Nicolas Leroy"} <= shared


def test_someone_is_planned_over_capacity_in_some_week(projects: dict[str, ProjectWorkbook]):
    load: dict[tuple[str, pd.Timestamp], float] = defaultdict(float)
    for p in projects.values():
        tasks = p.tasks.frame
        for t in tasks[(tasks["planned_days"] > 0) & (tasks["end"] >= tasks["start"])].itertuples():
            weeks = pd.date_range(t.start, t.end, freq="W-MON", inclusive="both")
            mondays = weeks if len(weeks) else pd.DatetimeIndex([t.start])
            for monday in mondays:
                load[(str(t.owner), monday)] += t.planned_days / len(mondays)
    assert max(load.values()) > 5


def test_each_project_has_20_to_80_tasks_with_lots_and_dependencies(
    projects: dict[str, ProjectWorkbook],
):
    for code, p in projects.items():
        tasks = p.tasks.frame
        assert 20 <= len(tasks) <= 80, code
        assert tasks["work_package"].nunique() >= 4, code
        assert tasks["predecessors"].notna().sum() >= len(tasks) // 2, code


def test_each_project_has_one_final_milestone_at_its_planned_end(
    projects: dict[str, ProjectWorkbook],
):
    for code, p in projects.items():
        final = _final_milestone(p)
        assert final["baseline_end"].date() == p.info.planned_end, code
        later = p.tasks.frame[p.tasks.frame["baseline_end"] > final["baseline_end"]]
        assert later.empty, code


def test_time_entries_are_weekly_and_span_10_to_30_weeks(projects: dict[str, ProjectWorkbook]):
    for code, p in projects.items():
        entries = p.time_entries.frame
        valid = entries[entries["date"] <= pd.Timestamp(CUTOFF)]
        weeks = valid["date"].dt.to_period("W-SUN").nunique()
        assert 10 <= weeks <= 30, (code, weeks)
        # Dated on the week's first working day: the Monday, or Tuesday after a holiday Monday.
        assert (valid["date"].dt.day_of_week <= 1).all(), code


def test_costs_exist_in_all_three_statuses(projects: dict[str, ProjectWorkbook]):
    statuses = {s for p in projects.values() for s in p.costs.frame["status"]}
    assert statuses == {"planned", "committed", "paid"}


def test_some_actions_are_overdue_and_some_decisions_awaited(
    projects: dict[str, ProjectWorkbook],
):
    actions = pd.concat([p.actions.frame for p in projects.values()])
    overdue = actions[(actions["due"] < pd.Timestamp(CUTOFF)) & (actions["status"] != "done")]
    assert len(overdue) >= 2
    decisions = pd.concat([p.decisions.frame for p in projects.values()])
    assert (decisions["status"] == "pending").sum() >= 2


# --- weather variety ---------------------------------------------------------------------------


def test_erp_migration_is_red_drift_over_10_percent_and_a_late_go_live(
    projects: dict[str, ProjectWorkbook],
):
    erp = projects["PRJ-002"]
    assert _drift(erp) > 0.10
    final = _final_milestone(erp)
    assert final["end"] > final["baseline_end"]


def test_hr_dashboard_is_red_by_its_late_go_live_only(projects: dict[str, ProjectWorkbook]):
    hr = projects["PRJ-006"]
    assert abs(_drift(hr)) <= 0.05
    final = _final_milestone(hr)
    assert final["end"] > final["baseline_end"]


def test_mobile_app_is_amber_drift_between_5_and_10_percent(projects: dict[str, ProjectWorkbook]):
    mobile = projects["PRJ-003"]
    assert 0.05 < _drift(mobile) <= 0.10
    final = _final_milestone(mobile)
    assert final["end"] == final["baseline_end"]
    milestones = mobile.tasks.frame[mobile.tasks.frame["milestone"] == "yes"]
    assert (milestones["end"] > milestones["baseline_end"]).sum() == 1  # one slips, not the last


def test_on_track_projects_stay_within_budget_and_on_time(projects: dict[str, ProjectWorkbook]):
    for code in ("PRJ-001", "PRJ-004", "PRJ-007", "PRJ-008"):
        project = projects[code]
        assert _drift(project) <= 0.05, code
        milestones = project.tasks.frame[project.tasks.frame["milestone"] == "yes"]
        assert (milestones["end"] == milestones["baseline_end"]).all(), code


def test_one_project_has_a_manual_weather_with_its_reason(projects: dict[str, ProjectWorkbook]):
    manual = {
        code: (p.info.manual_weather, bool(p.info.weather_reason))
        for code, p in projects.items()
        if p.info.manual_weather
    }
    assert manual == {"PRJ-005": ("green", False), "PRJ-008": ("amber", True)}


# --- planted mistakes --------------------------------------------------------------------------


def test_planted_list_is_what_the_build_planted(demo: DemoPortfolio):
    assert demo.planted == PLANTED
    assert {p.file for p in PLANTED} == {"projet_PRJ-005.xlsx", "projet_PRJ-007.xlsx"}


def test_every_required_mistake_is_planted():
    assert {p.code for p in PLANTED} == {
        "PLANNING_END_BEFORE_START",
        "PLANNING_ID_DUPLICATE",
        "PLANNING_PREDECESSOR_UNKNOWN",
        "PLANNING_MILESTONE_WITH_EFFORT",
        "PLANNING_DONE_WITH_REMAINING",
        "PLANNING_OWNER_UNKNOWN",
        "ENTRY_TASK_UNKNOWN",
        "ENTRY_RESOURCE_UNKNOWN",
        "ENTRY_AFTER_CUTOFF",
        "ENTRY_DUPLICATE",
        "DATE_AS_TEXT",
        "NUMBER_AS_TEXT",
        "RISK_SCALE_OUT_OF_RANGE",
        "PROJECT_WEATHER_WITHOUT_REASON",
        "RESOURCE_NAME_VARIANTS",
    }


def _cell(demo: DemoPortfolio, code: str) -> tuple[openpyxl.worksheet.worksheet.Worksheet, str]:
    planted = next(p for p in PLANTED if p.code == code)
    book = openpyxl.load_workbook(demo.projects_dir / planted.file)
    return book[planted.sheet], planted.cell


def _row_values(sheet: openpyxl.worksheet.worksheet.Worksheet, row: int) -> list[object]:
    return [c.value for c in sheet[row]]


def test_planted_text_date_and_text_number_are_typed_as_text(demo: DemoPortfolio):
    sheet, cell = _cell(demo, "DATE_AS_TEXT")
    assert sheet[cell].value == "15/10/2026"
    sheet, cell = _cell(demo, "NUMBER_AS_TEXT")
    assert sheet[cell].value == "2,5"


def test_planted_schedule_mistakes_are_in_their_cells(demo: DemoPortfolio):
    sheet, cell = _cell(demo, "PLANNING_END_BEFORE_START")
    row = sheet[cell].row
    assert sheet[cell].value < sheet[f"E{row}"].value  # Fin before Début
    sheet, cell = _cell(demo, "PLANNING_ID_DUPLICATE")
    ids = [c.value for c in sheet["A"]]
    assert ids.count(sheet[cell].value) == 2
    sheet, cell = _cell(demo, "PLANNING_PREDECESSOR_UNKNOWN")
    unknown = set(str(sheet[cell].value).split(";")) - set(ids)
    assert len(unknown) == 1
    sheet, cell = _cell(demo, "PLANNING_MILESTONE_WITH_EFFORT")
    assert sheet[cell].value == 1 and sheet[f"H{sheet[cell].row}"].value == "Oui"
    sheet, cell = _cell(demo, "PLANNING_DONE_WITH_REMAINING")
    assert sheet[cell].value == 2 and sheet[f"L{sheet[cell].row}"].value == "Terminé"
    sheet, cell = _cell(demo, "PLANNING_OWNER_UNKNOWN")
    assert sheet[cell].value == "Équipe infra"


def test_planted_entry_mistakes_are_in_their_cells(demo: DemoPortfolio):
    sheet, cell = _cell(demo, "ENTRY_AFTER_CUTOFF")
    assert sheet[cell].value.date() == dt.date(2026, 11, 23)  # the Monday after the cut-off
    sheet, cell = _cell(demo, "ENTRY_DUPLICATE")
    row = sheet[cell].row
    assert _row_values(sheet, row) == _row_values(sheet, row - 1)
    sheet, cell = _cell(demo, "ENTRY_RESOURCE_UNKNOWN")
    assert sheet[cell].value == "Lucas Garnier"
    sheet, cell = _cell(demo, "ENTRY_TASK_UNKNOWN")
    planning_ids = {c.value for c in sheet.parent["Planning"]["A"]}
    assert sheet[cell].value not in planning_ids


def test_planted_risk_project_and_name_mistakes_are_in_their_cells(demo: DemoPortfolio):
    sheet, cell = _cell(demo, "RISK_SCALE_OUT_OF_RANGE")
    assert sheet[cell].value == 5
    sheet, cell = _cell(demo, "RESOURCE_NAME_VARIANTS")
    assert sheet[cell].value == "C. Martin"
    sheet, cell = _cell(demo, "PROJECT_WEATHER_WITHOUT_REASON")
    assert sheet[f"A{sheet[cell].row}"].value == "Justification météo"
    assert sheet[cell].value is None
    assert sheet[f"B{sheet[cell].row - 1}"].value == "Soleil"  # Météo manuelle, just above


def test_claire_martin_is_written_in_full_in_the_other_projects(
    projects: dict[str, ProjectWorkbook],
):
    spellings = {
        code: name
        for code, p in projects.items()
        for name in p.resources.frame["name"]
        if "Martin" in name
    }
    assert spellings == {
        "PRJ-001": "Claire Martin",
        "PRJ-004": "Claire Martin",
        "PRJ-007": "C. Martin",
    }


def test_the_demo_says_when_it_cannot_make_the_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from pmo_xl.cli import app

    monkeypatch.setattr("pmo_xl.render_pdf.find_soffice", lambda: None)
    res = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "demo")])
    assert res.exit_code == 0, res.output
    said = " ".join(res.output.split())
    assert (
        "Impossible de produire le PDF de « COPIL.xlsx » : LibreOffice n'est pas installé" in said
    )
    assert (tmp_path / "demo" / "COPIL.xlsx").is_file()
    assert not (tmp_path / "demo" / "COPIL.pdf").exists()
