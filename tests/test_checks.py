"""The rule catalogue (issue 4): every rule fires at the exact cell it blames, and only then.

Each rule has a case that triggers it and a near miss that does not. The workbooks are built in
code from one clean project (``clean_sheets``) with one thing changed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from rich.console import Console

from pmo_xl import checks, messages
from pmo_xl.checks import (
    RULES,
    apply_overrides,
    check_portfolio,
    error_rows,
    project_findings,
    run_checks,
    sort_findings,
)
from pmo_xl.findings_sheet import findings_layout, print_findings
from pmo_xl.layout import Link
from pmo_xl.model import Finding, ProfileRate, ProjectWorkbook, RuleOverride, Settings
from pmo_xl.reading import read_project
from pmo_xl.validation import findings_json, validate_files
from pmo_xl.workbook import CellValue, MemoryWorkbook

D = dt.date
CUTOFF = D(2026, 3, 31)

# --- A clean project ------------------------------------------------------------------------

PROJET: dict[str, CellValue] = {  # label in A, value in B, rows 1..10
    "Code projet": "PRJ-001",  # B1
    "Nom du projet": "Refonte du site",  # B2
    "Chef de projet": "Claire Martin",  # B3
    "Date de début": D(2026, 1, 5),  # B4 (a Monday)
    "Date de fin prévue": D(2026, 6, 30),  # B5
    "Budget initial (j)": 40,  # B6
    "Budget révisé (j)": None,  # B7
    "Date d'arrêté": CUTOFF,  # B8
    "Météo manuelle": None,  # B9
    "Justification météo": None,  # B10
}
# Planning columns: A ID, B Tâche, C Responsable, D Début, E Fin, F Fin référence, G Jalon,
# H Prédécesseurs, I Charge prévue (j), J Reste à faire (j), K Statut.
TASK_FIELDS = {
    "id": "ID",
    "name": "Tâche",
    "owner": "Responsable",
    "start": "Début",
    "end": "Fin",
    "baseline": "Fin référence",
    "milestone": "Jalon",
    "predecessors": "Prédécesseurs",
    "planned": "Charge prévue (j)",
    "remaining": "Reste à faire (j)",
    "status": "Statut",
}
TASKS: list[dict[str, CellValue]] = [  # rows 2, 3, 4
    dict(id="T1", name="Cadrage", owner="Claire Martin", start=D(2026, 1, 5), end=D(2026, 1, 30),
         baseline=D(2026, 1, 30), milestone="Non", predecessors=None, planned=10, remaining=0,
         status="Terminé"),
    dict(id="T2", name="Réalisation", owner="Paul Durand", start=D(2026, 2, 2),
         end=D(2026, 4, 30), baseline=D(2026, 4, 30), milestone="Non", predecessors="T1",
         planned=25, remaining=15, status="En cours"),
    dict(id="J1", name="Mise en production", owner="Claire Martin", start=D(2026, 4, 30),
         end=D(2026, 4, 30), baseline=D(2026, 4, 30), milestone="Oui", predecessors="T2",
         planned=0, remaining=0, status="À faire"),
]  # fmt: skip
# Σ planned = 10 + 25 + 0 = 35 days for a 40-day budget: 12.5 % away, within the 20 % tolerance.

ENTRY_HEADER = ["Date", "Ressource", "ID tâche", "Consommé (j)"]  # A B C D
ENTRIES: list[list[CellValue]] = [  # rows 2..5, one weekly entry dated on the Monday
    [D(2026, 1, 12), "Claire Martin", "T1", 5],
    [D(2026, 1, 19), "Claire Martin", "T1", 5],
    [D(2026, 2, 2), "Paul Durand", "T2", 5],
    [D(2026, 2, 9), "Paul Durand", "T2", 5],
]
RESOURCE_HEADER = ["Ressource", "Profil", "TJM (€)", "Capacité (j/sem)"]  # A B C D
RESOURCES: list[list[CellValue]] = [  # rows 2, 3
    ["Claire Martin", "Chef de projet", 800, 5],
    ["Paul Durand", "Développeur", 600, 5],
]
COST_HEADER = ["Date", "Nature", "Libellé", "Montant (€)", "Statut"]  # A B C D E
COSTS: list[list[CellValue]] = [[D(2026, 1, 15), "Licence", "Jira", 1200, "Payé"]]  # row 2
RISK_HEADER = ["ID", "Risque", "Probabilité", "Impact", "Responsable", "Échéance", "Statut"]
RISKS: list[list[CellValue]] = [
    ["R1", "Retard fournisseur", 2, 3, "Claire Martin", D(2026, 4, 15), "Ouvert"]
]
ACTION_HEADER = ["ID", "Action", "Responsable", "Échéance", "Statut"]  # A B C D E
ACTIONS: list[list[CellValue]] = [["A1", "Relancer le fournisseur", "Paul Durand", D(2026, 4, 15),
                                   "En cours"]]  # fmt: skip
DECISION_HEADER = ["ID", "Date", "Décision", "Demandeur", "Statut"]  # A B C D E
DECISIONS: list[list[CellValue]] = [["D1", D(2026, 3, 20), "Valider le périmètre",
                                     "Claire Martin", "Attendue"]]  # fmt: skip


def task(**changes: CellValue) -> dict[str, CellValue]:
    """A clean extra task (row 5 when appended to TASKS), with ``changes``."""
    base: dict[str, CellValue] = dict(
        id="T3", name="Recette", owner="Paul Durand", start=D(2026, 2, 2), end=D(2026, 4, 30),
        baseline=D(2026, 4, 30), milestone="Non", predecessors=None, planned=0, remaining=0,
        status="À faire",
    )  # fmt: skip
    return {**base, **changes}


def planning(tasks: list[dict[str, CellValue]]) -> list[list[CellValue]]:
    return [list(TASK_FIELDS.values())] + [[t[f] for f in TASK_FIELDS] for t in tasks]


def changed(index: int, **changes: CellValue) -> list[dict[str, CellValue]]:
    """TASKS with task ``index`` changed."""
    return [({**t, **changes} if i == index else t) for i, t in enumerate(TASKS)]


def clean_sheets() -> dict[str, list[list[CellValue]]]:
    return {
        "Projet": [[k, v] for k, v in PROJET.items()],
        "Planning": planning(TASKS),
        "Charges": [ENTRY_HEADER, *ENTRIES],
        "Ressources": [RESOURCE_HEADER, *RESOURCES],
        "Coûts": [COST_HEADER, *COSTS],
        "Risques": [RISK_HEADER, *RISKS],
        "Actions": [ACTION_HEADER, *ACTIONS],
        "Décisions": [DECISION_HEADER, *DECISIONS],
    }


def project_of(
    *,
    projet: dict[str, CellValue] | None = None,
    tasks: list[dict[str, CellValue]] | None = None,
    entries: list[list[CellValue]] | None = None,
    drop: tuple[str, ...] = (),
    file: str = "projet_prj001.xlsx",
    **sheets: list[list[CellValue]],
) -> ProjectWorkbook:
    """The clean project with some sheets replaced (``projet`` changes single labels)."""
    rows = clean_sheets()
    if projet:
        rows["Projet"] = [[k, v] for k, v in {**PROJET, **projet}.items()]
    if tasks is not None:
        rows["Planning"] = planning(tasks)
    if entries is not None:
        rows["Charges"] = [ENTRY_HEADER, *entries]
    for name, sheet_rows in sheets.items():
        rows[{"Couts": "Coûts", "Decisions": "Décisions"}.get(name, name)] = sheet_rows
    for name in drop:
        del rows[name]
    return read_project(MemoryWorkbook.from_rows(file, rows))


def found(
    code: str,
    project: ProjectWorkbook,
    *,
    settings: Settings | None = None,
    cutoff: dt.date | None = CUTOFF,
    cutoff_given: bool = True,
) -> list[tuple[str | None, str | None]]:
    """(sheet, cell) of each finding with ``code``."""
    return [
        (f.sheet, f.cell)
        for f in run_checks(project, settings or Settings(), cutoff, cutoff_given=cutoff_given)
        if f.code == code
    ]


def findings_of(code: str, project: ProjectWorkbook, **kw: Any) -> list[Finding]:
    settings = kw.pop("settings", None) or Settings()
    return [
        f
        for f in run_checks(project, settings, kw.get("cutoff", CUTOFF), cutoff_given=True)
        if f.code == code
    ]


# --- The catalogue itself -------------------------------------------------------------------


def test_clean_project_has_no_finding_at_all() -> None:
    project = project_of()
    assert project.findings == []
    assert run_checks(project, Settings(), CUTOFF, cutoff_given=True) == []


def test_every_rule_has_a_unique_code_and_a_message_with_its_severity_in_both_languages() -> None:
    codes = checks.all_codes()
    assert len(codes) == len(set(codes))
    for rule in [*RULES, *checks.PORTFOLIO_RULES]:
        message = messages.MESSAGES[rule.code]
        assert message.severity == rule.severity, rule.code
        assert message.fr and message.en
    assert messages.MESSAGES["FILE_UNREADABLE"].severity == "error"


# --- Projet ---------------------------------------------------------------------------------


def blank_template() -> ProjectWorkbook:
    rows = {"Projet": [[label, None] for label in PROJET], "Planning": planning([])}
    return read_project(MemoryWorkbook.from_rows("projet_modele.xlsx", rows))


def test_blank_template_gets_one_warning_instead_of_an_error_per_empty_field() -> None:
    finding = run_checks(blank_template(), Settings(), None, cutoff_given=False)
    assert [(f.code, f.severity, f.sheet, f.cell) for f in finding] == [
        ("PROJECT_NOT_FILLED", "warning", "Projet", "B1")
    ]


def test_project_with_tasks_but_empty_fields_is_not_a_blank_template() -> None:
    blank = {label: None for label in PROJET}
    project = project_of(projet=blank)
    assert found("PROJECT_NOT_FILLED", project) == []
    assert len(found("PROJECT_FIELD_MISSING", project)) == 6


def test_project_lead_missing_is_blamed_on_its_value_cell() -> None:
    assert found("PROJECT_FIELD_MISSING", project_of(projet={"Chef de projet": None})) == [
        ("Projet", "B3")
    ]


def test_project_with_a_revised_budget_only_does_not_lack_a_budget() -> None:
    project = project_of(projet={"Budget initial (j)": None, "Budget révisé (j)": 45})
    assert found("PROJECT_FIELD_MISSING", project) == []


def test_project_label_absent_altogether_is_reported_on_the_sheet() -> None:
    rows = {k: v for k, v in PROJET.items() if k != "Nom du projet"}
    project = read_project(
        MemoryWorkbook.from_rows(
            "p.xlsx", {**clean_sheets(), "Projet": [[k, v] for k, v in rows.items()]}
        )
    )
    assert found("PROJECT_FIELD_MISSING", project) == [("Projet", None)]


def test_project_ending_before_it_starts_is_blamed_on_the_planned_end() -> None:
    project = project_of(projet={"Date de fin prévue": D(2026, 1, 2)})
    assert found("PROJECT_END_BEFORE_START", project) == [("Projet", "B5")]


def test_project_ending_the_day_it_starts_is_fine() -> None:
    project = project_of(projet={"Date de fin prévue": D(2026, 1, 5)})
    assert found("PROJECT_END_BEFORE_START", project) == []


def test_zero_budget_is_an_error_at_the_budget_cell() -> None:
    finding = findings_of(
        "PROJECT_BUDGET_NOT_POSITIVE", project_of(projet={"Budget initial (j)": 0})
    )
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Projet", "B6", "error")]


def test_small_positive_budget_is_accepted() -> None:
    project = project_of(projet={"Budget initial (j)": 0.5})
    assert found("PROJECT_BUDGET_NOT_POSITIVE", project) == []


def test_revised_budget_without_initial_is_blamed_on_the_empty_initial_cell() -> None:
    project = project_of(projet={"Budget initial (j)": None, "Budget révisé (j)": 45})
    assert found("PROJECT_REVISED_WITHOUT_INITIAL", project) == [("Projet", "B6")]


def test_revised_budget_with_its_initial_is_fine() -> None:
    project = project_of(projet={"Budget révisé (j)": 45})
    assert found("PROJECT_REVISED_WITHOUT_INITIAL", project) == []


def test_cutoff_missing_everywhere_is_an_error_at_the_project_cutoff_cell() -> None:
    project = project_of(projet={"Date d'arrêté": None})
    assert found("PROJECT_CUTOFF_MISSING", project, cutoff=None, cutoff_given=False) == [
        ("Projet", "B8")
    ]


def test_empty_project_cutoff_is_fine_when_the_pmo_gives_one() -> None:
    project = project_of(projet={"Date d'arrêté": None})
    assert found("PROJECT_CUTOFF_MISSING", project, cutoff=CUTOFF, cutoff_given=True) == []


def test_manual_weather_without_reason_is_blamed_on_the_reason_cell() -> None:
    project = project_of(projet={"Météo manuelle": "Orage"})
    finding = findings_of("PROJECT_WEATHER_WITHOUT_REASON", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Projet", "B10")]
    assert "« Orage »" in finding[0].message("fr")
    assert "'Stormy'" in finding[0].message("en")


def test_manual_weather_with_a_reason_is_fine() -> None:
    project = project_of(
        projet={"Météo manuelle": "Orage", "Justification météo": "Fournisseur défaillant"}
    )
    assert found("PROJECT_WEATHER_WITHOUT_REASON", project) == []


# --- Planning (extra task on row 5) ---------------------------------------------------------


def test_task_without_id_is_blamed_on_the_id_cell() -> None:
    project = project_of(tasks=[*TASKS, task(id=None)])
    assert found("PLANNING_ID_MISSING", project) == [("Planning", "A5")]


def test_id_typed_as_a_number_is_an_id() -> None:
    project = project_of(tasks=[*TASKS, task(id=7)])
    assert found("PLANNING_ID_MISSING", project) == []


def test_duplicate_id_is_blamed_on_the_repeat_and_names_the_first_row() -> None:
    project = project_of(tasks=[*TASKS, task(id="t2")])
    finding = findings_of("PLANNING_ID_DUPLICATE", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Planning", "A5")]
    # T2 is on row 3 (header on row 1, T1 on row 2).
    assert finding[0].params["first_row"] == 3
    assert finding[0].params["first_cell"] == "A3"
    assert "ligne 3 (A3)" in finding[0].message("fr")


def test_ids_that_only_look_alike_are_not_duplicates() -> None:
    project = project_of(tasks=[*TASKS, task(id="T20")])
    assert found("PLANNING_ID_DUPLICATE", project) == []


def test_task_without_name_is_blamed_on_the_name_cell() -> None:
    project = project_of(tasks=[*TASKS, task(name=None)])
    assert found("PLANNING_NAME_MISSING", project) == [("Planning", "B5")]


def test_task_with_a_name_has_no_name_finding() -> None:
    project = project_of(tasks=[*TASKS, task(name="0")])
    assert found("PLANNING_NAME_MISSING", project) == []


def test_task_without_owner_is_blamed_on_the_owner_cell() -> None:
    project = project_of(tasks=[*TASKS, task(owner=None)])
    assert found("PLANNING_OWNER_MISSING", project) == [("Planning", "C5")]


def test_milestone_needs_no_owner() -> None:
    project = project_of(tasks=changed(2, owner=None))
    assert found("PLANNING_OWNER_MISSING", project) == []


def test_task_without_start_is_blamed_on_the_start_cell() -> None:
    project = project_of(tasks=[*TASKS, task(start=None)])
    assert found("PLANNING_DATES_MISSING", project) == [("Planning", "D5")]


def test_milestone_with_only_its_end_and_cancelled_task_without_dates_are_fine() -> None:
    project = project_of(
        tasks=[*changed(2, start=None), task(start=None, end=None, status="Abandonné")]
    )
    assert found("PLANNING_DATES_MISSING", project) == []


def test_unreadable_date_is_reported_once_by_the_reader_not_again_as_missing() -> None:
    project = project_of(tasks=[*TASKS, task(start="bientôt")])
    all_findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    at_d5 = [f.code for f in all_findings if f.cell == "D5"]
    assert at_d5 == ["DATE_INVALID"]


def test_task_ending_before_it_starts_is_blamed_on_the_end_cell() -> None:
    project = project_of(tasks=[*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))])
    finding = findings_of("PLANNING_END_BEFORE_START", project)
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Planning", "E5", "error")]
    assert finding[0].message("fr") == (
        "La fin (10/03/2026) est avant le début (12/03/2026). Corrigez l'une des deux dates."
    )


def test_one_day_task_is_not_ending_before_it_starts() -> None:
    project = project_of(tasks=[*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 12))])
    assert found("PLANNING_END_BEFORE_START", project) == []


def test_task_without_baseline_end_is_blamed_on_the_baseline_cell() -> None:
    project = project_of(tasks=[*TASKS, task(baseline=None)])
    assert found("PLANNING_BASELINE_MISSING", project) == [("Planning", "F5")]


def test_cancelled_task_needs_no_baseline() -> None:
    project = project_of(tasks=[*TASKS, task(baseline=None, status="Abandonné")])
    assert found("PLANNING_BASELINE_MISSING", project) == []


def test_baseline_column_absent_is_reported_once_for_the_sheet() -> None:
    rows = [[c for i, c in enumerate(r) if i != 5] for r in planning(TASKS)]  # drop column F
    project = project_of(Planning=rows)
    assert found("PLANNING_BASELINE_MISSING", project) == [("Planning", None)]


def test_milestone_with_planned_effort_is_blamed_on_the_planned_cell() -> None:
    project = project_of(tasks=changed(2, planned=2))
    assert found("PLANNING_MILESTONE_WITH_EFFORT", project) == [("Planning", "I4")]


def test_milestone_with_zero_effort_is_fine() -> None:
    assert found("PLANNING_MILESTONE_WITH_EFFORT", project_of()) == []


def test_milestone_spanning_days_is_blamed_on_its_end() -> None:
    project = project_of(tasks=changed(2, start=D(2026, 4, 27)))
    assert found("PLANNING_MILESTONE_TOO_LONG", project) == [("Planning", "E4")]


def test_milestone_on_one_day_is_fine() -> None:
    assert found("PLANNING_MILESTONE_TOO_LONG", project_of()) == []


def test_unknown_predecessor_is_blamed_on_the_predecessors_cell_naming_it() -> None:
    project = project_of(tasks=[*TASKS, task(predecessors="T1; T7")])
    finding = findings_of("PLANNING_PREDECESSOR_UNKNOWN", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Planning", "H5")]
    assert finding[0].params["unknown"] == ["T7"]


def test_predecessors_separated_by_commas_and_spaces_are_all_known() -> None:
    project = project_of(tasks=[*TASKS, task(predecessors=" T1 ,T2")])
    assert found("PLANNING_PREDECESSOR_UNKNOWN", project) == []


def test_dependency_cycle_flags_every_task_in_it_and_names_them_all() -> None:
    # T1 ← J1 closes the chain T1 → T2 → J1 into a cycle.
    project = project_of(tasks=changed(0, predecessors="J1"))
    finding = findings_of("PLANNING_DEPENDENCY_CYCLE", project)
    assert [(f.sheet, f.cell) for f in finding] == [
        ("Planning", "H2"),
        ("Planning", "H3"),
        ("Planning", "H4"),
    ]
    assert all(f.params["cycle"] == ["T1", "T2", "J1"] for f in finding)
    assert "T1, T2, J1" in finding[0].message("fr")


def test_task_depending_on_itself_is_a_cycle() -> None:
    project = project_of(tasks=[*TASKS, task(predecessors="T3")])
    assert found("PLANNING_DEPENDENCY_CYCLE", project) == [("Planning", "H5")]


def test_chain_of_dependencies_is_no_cycle() -> None:
    assert found("PLANNING_DEPENDENCY_CYCLE", project_of()) == []


def test_task_starting_before_its_predecessor_ends_is_blamed_on_its_start() -> None:
    # T1 ends on 30/01; T2 (its successor) now starts on 29/01.
    project = project_of(tasks=changed(1, start=D(2026, 1, 29)))
    finding = findings_of("PLANNING_STARTS_BEFORE_PREDECESSOR", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Planning", "D3")]
    assert finding[0].params["predecessor"] == "T1"
    assert finding[0].params["predecessor_end"] == D(2026, 1, 30)


def test_task_starting_the_day_its_predecessor_ends_is_accepted() -> None:
    project = project_of(tasks=changed(1, start=D(2026, 1, 30)))
    assert found("PLANNING_STARTS_BEFORE_PREDECESSOR", project) == []


def test_negative_remaining_effort_is_blamed_on_its_cell() -> None:
    project = project_of(tasks=[*TASKS, task(remaining=-2)])
    assert found("PLANNING_EFFORT_NEGATIVE", project) == [("Planning", "J5")]


def test_zero_effort_is_not_negative() -> None:
    project = project_of(tasks=[*TASKS, task(planned=0, remaining=0)])
    assert found("PLANNING_EFFORT_NEGATIVE", project) == []


def test_done_task_with_remaining_effort_is_blamed_on_the_remaining_cell() -> None:
    project = project_of(tasks=[*TASKS, task(status="Terminé", remaining=3)])
    assert found("PLANNING_DONE_WITH_REMAINING", project) == [("Planning", "J5")]


def test_done_task_with_nothing_remaining_is_fine() -> None:
    project = project_of(tasks=[*TASKS, task(status="Terminé", remaining=0)])
    assert found("PLANNING_DONE_WITH_REMAINING", project) == []


def test_task_that_should_have_ended_before_the_cutoff_is_late_at_its_end() -> None:
    project = project_of(tasks=[*TASKS, task(end=D(2026, 3, 20), remaining=3)])
    finding = findings_of("PLANNING_TASK_LATE", project)
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Planning", "E5", "warning")]


def test_task_ending_on_the_cutoff_day_is_not_late() -> None:
    project = project_of(tasks=[*TASKS, task(end=CUTOFF, remaining=3)])
    assert found("PLANNING_TASK_LATE", project) == []


def test_owner_not_in_resources_is_blamed_on_the_owner_cell_with_a_suggestion() -> None:
    project = project_of(tasks=[*TASKS, task(owner="paul durand")])
    finding = findings_of("PLANNING_OWNER_UNKNOWN", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Planning", "C5")]
    assert "vouliez-vous dire « Paul Durand »" in finding[0].message("fr")


def test_owners_are_not_checked_when_there_is_no_resources_sheet() -> None:
    project = project_of(tasks=[*TASKS, task(owner="Pierre Dupont")], drop=("Ressources",))
    assert found("PLANNING_OWNER_UNKNOWN", project) == []


def test_task_starting_before_the_project_is_blamed_on_its_start() -> None:
    project = project_of(tasks=[*TASKS, task(start=D(2026, 1, 2))])
    assert found("PLANNING_OUTSIDE_PROJECT", project) == [("Planning", "D5")]


def test_task_planned_to_end_after_the_project_is_blamed_on_its_baseline_end() -> None:
    project = project_of(tasks=[*TASKS, task(end=D(2026, 7, 1), baseline=D(2026, 7, 1))])
    assert found("PLANNING_OUTSIDE_PROJECT", project) == [("Planning", "F5")]


def test_task_without_baseline_ending_after_the_project_is_blamed_on_its_end() -> None:
    project = project_of(tasks=[*TASKS, task(end=D(2026, 7, 1), baseline=None)])
    assert found("PLANNING_OUTSIDE_PROJECT", project) == [("Planning", "E5")]


def test_forecast_slipping_past_the_project_end_is_a_delay_not_a_planning_mistake() -> None:
    project = project_of(tasks=[*TASKS, task(end=D(2026, 7, 1), baseline=D(2026, 6, 30))])
    assert found("PLANNING_OUTSIDE_PROJECT", project) == []


def test_task_spanning_exactly_the_project_dates_is_inside() -> None:
    project = project_of(tasks=[*TASKS, task(start=D(2026, 1, 5), end=D(2026, 6, 30))])
    assert found("PLANNING_OUTSIDE_PROJECT", project) == []


def test_planned_effort_far_from_budget_is_blamed_on_the_planned_header() -> None:
    # Σ planned = 35 + 20 = 55 against 40: |55 − 40| / 40 = 37.5 % > 20 %.
    project = project_of(tasks=[*TASKS, task(planned=20, remaining=20)])
    finding = findings_of("PLANNING_EFFORT_VS_BUDGET", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Planning", "I1")]
    assert finding[0].params["gap_pct"] == 37.5


def test_planned_effort_exactly_at_the_tolerance_is_accepted() -> None:
    # Σ planned = 35 + 13 = 48 against 40: 8 / 40 = 20 %, not beyond the tolerance.
    project = project_of(tasks=[*TASKS, task(planned=13, remaining=13)])
    assert found("PLANNING_EFFORT_VS_BUDGET", project) == []


def test_budget_tolerance_is_a_setting() -> None:
    # 35 against 40 is 12.5 % away: beyond a 10 % tolerance.
    project = project_of()
    assert found(
        "PLANNING_EFFORT_VS_BUDGET", project, settings=Settings(budget_tolerance=0.10)
    ) == [("Planning", "I1")]


# --- Charges (extra entry on row 6) ---------------------------------------------------------


def test_entry_without_resource_is_blamed_on_the_resource_cell() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), None, "T2", 1]])
    assert found("ENTRY_FIELD_MISSING", project) == [("Charges", "B6")]


def test_complete_entry_has_nothing_missing() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Paul Durand", "T2", 1]])
    assert found("ENTRY_FIELD_MISSING", project) == []


def test_entry_by_someone_not_in_resources_is_an_error_at_the_resource_cell() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Pierre Dupont", "T2", 1]])
    finding = findings_of("ENTRY_RESOURCE_UNKNOWN", project)
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Charges", "B6", "error")]


def test_entry_resources_are_not_checked_without_a_resources_sheet() -> None:
    project = project_of(
        entries=[*ENTRIES, [D(2026, 2, 16), "Pierre Dupont", "T2", 1]], drop=("Ressources",)
    )
    assert found("ENTRY_RESOURCE_UNKNOWN", project) == []


def test_entry_on_an_unknown_task_is_blamed_on_the_task_cell() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Paul Durand", "T7", 1]])
    assert found("ENTRY_TASK_UNKNOWN", project) == [("Charges", "C6")]


def test_entry_on_a_numeric_task_id_matches_the_task() -> None:
    project = project_of(
        tasks=[*TASKS, task(id=7)], entries=[*ENTRIES, [D(2026, 2, 16), "Paul Durand", 7, 1]]
    )
    assert found("ENTRY_TASK_UNKNOWN", project) == []


def test_entry_on_a_milestone_is_blamed_on_the_task_cell() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Claire Martin", "J1", 1]])
    assert found("ENTRY_ON_MILESTONE", project) == [("Charges", "C6")]


def test_entry_on_a_task_is_not_on_a_milestone() -> None:
    assert found("ENTRY_ON_MILESTONE", project_of()) == []


def test_zero_day_entry_is_blamed_on_the_days_cell() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Paul Durand", "T2", 0]])
    assert found("ENTRY_NOT_POSITIVE", project) == [("Charges", "D6")]


def test_half_day_entry_is_positive() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 16), "Paul Durand", "T2", 0.5]])
    assert found("ENTRY_NOT_POSITIVE", project) == []


def test_more_than_five_days_in_a_week_is_blamed_on_the_last_row_of_the_week() -> None:
    # Paul already has 5 days in the week of 9 Feb (row 5); 1 more on Wed 11 Feb makes 6 > 5.
    project = project_of(entries=[*ENTRIES, [D(2026, 2, 11), "Paul Durand", "T2", 1]])
    finding = findings_of("ENTRY_OVERBOOKED", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Charges", "D6")]
    assert finding[0].params["total"] == 6.0
    assert finding[0].params["limit"] == 5.0
    assert finding[0].params["rows"] == [5, 6]


def test_week_with_a_public_holiday_allows_fewer_days() -> None:
    # Easter Monday 6 April 2026 is a French holiday: that week has 4 working days, 4.5 > 4.
    project = project_of(entries=[*ENTRIES, [D(2026, 4, 7), "Paul Durand", "T2", 4.5]])
    assert found("ENTRY_OVERBOOKED", project, cutoff=D(2026, 4, 30)) == [("Charges", "D6")]


def test_four_days_in_a_holiday_week_are_not_overbooked() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 4, 7), "Paul Durand", "T2", 4]])
    assert found("ENTRY_OVERBOOKED", project, cutoff=D(2026, 4, 30)) == []


def test_holiday_country_is_a_setting() -> None:
    # Tuesday 14 July 2026 is a holiday in France, not in Great Britain: 5 > 4 days in France only.
    entries = [*ENTRIES, [D(2026, 7, 13), "Paul Durand", "T2", 5]]
    project = project_of(entries=entries, projet={"Date de fin prévue": D(2026, 7, 31)})
    assert found("ENTRY_OVERBOOKED", project, cutoff=D(2026, 7, 31)) == [("Charges", "D6")]
    assert (
        found(
            "ENTRY_OVERBOOKED",
            project,
            cutoff=D(2026, 7, 31),
            settings=Settings(holiday_country="GB"),
        )
        == []
    )


def test_more_than_a_day_on_one_day_is_overbooked_when_entries_are_daily() -> None:
    # Entries on 16 and 17 Feb: Paul's week is typed day by day. 16 Feb: 0.75 + 0.5 = 1.25 > 1.
    entries = [
        *ENTRIES,
        [D(2026, 2, 16), "Paul Durand", "T2", 0.75],  # row 6
        [D(2026, 2, 16), "Paul Durand", "T1", 0.5],  # row 7
        [D(2026, 2, 17), "Paul Durand", "T2", 1],  # row 8
    ]
    finding = findings_of("ENTRY_OVERBOOKED", project_of(entries=entries))
    assert [(f.sheet, f.cell) for f in finding] == [("Charges", "D7")]
    assert finding[0].params["total"] == 1.25
    assert finding[0].params["period_fr"] == "le 16/02/2026"


def test_weekly_entry_dated_on_the_monday_is_not_a_day_overbooked() -> None:
    # The clean project books 5 days on Monday 12 Jan for the whole week: not 5 days in a day.
    assert found("ENTRY_OVERBOOKED", project_of()) == []


def test_entry_after_the_cutoff_is_a_warning_at_its_date() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 4, 1), "Paul Durand", "T2", 1]])
    finding = findings_of("ENTRY_AFTER_CUTOFF", project)
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Charges", "A6", "warning")]


def test_entry_on_the_cutoff_day_counts() -> None:
    project = project_of(entries=[*ENTRIES, [CUTOFF, "Paul Durand", "T2", 1]])
    assert found("ENTRY_AFTER_CUTOFF", project) == []


def test_entry_in_a_week_before_the_project_start_is_blamed_on_its_date() -> None:
    # The project starts on Monday 5 Jan; Friday 2 Jan is in the week before.
    project = project_of(entries=[*ENTRIES, [D(2026, 1, 2), "Claire Martin", "T1", 1]])
    assert found("ENTRY_BEFORE_PROJECT_START", project) == [("Charges", "A6")]


def test_weekly_entry_dated_on_the_monday_of_the_start_week_is_accepted() -> None:
    # A project starting on Wednesday 7 Jan; the week's entry is dated Monday 5 Jan.
    project = project_of(
        projet={"Date de début": D(2026, 1, 7)},
        entries=[*ENTRIES, [D(2026, 1, 5), "Claire Martin", "T1", 2]],
    )
    assert found("ENTRY_BEFORE_PROJECT_START", project) == []


def test_same_date_person_and_task_twice_is_blamed_on_the_second_row() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 1, 12), "Claire Martin", "T1", 5]])
    finding = findings_of("ENTRY_DUPLICATE", project)
    assert [(f.sheet, f.cell) for f in finding] == [("Charges", "A6")]
    assert finding[0].params["first_row"] == 2


def test_same_date_and_person_on_another_task_is_no_duplicate() -> None:
    project = project_of(entries=[*ENTRIES, [D(2026, 1, 12), "Claire Martin", "T2", 0.5]])
    assert found("ENTRY_DUPLICATE", project) == []


# --- Ressources (extra resource on row 4) ---------------------------------------------------


def test_resource_listed_twice_is_blamed_on_the_second_name() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["claire martin", "Chef de projet", 800, 5]]
    finding = findings_of("RESOURCE_DUPLICATE", project_of(Ressources=rows))
    assert [(f.sheet, f.cell) for f in finding] == [("Ressources", "A4")]
    assert finding[0].params["first_row"] == 2


def test_similar_but_different_names_are_not_duplicates() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Claire Martini", "Chef de projet", 800, 5]]
    assert found("RESOURCE_DUPLICATE", project_of(Ressources=rows)) == []


def test_resource_without_any_rate_is_blamed_on_the_rate_cell() -> None:
    # The PMO workbook was read: it has rates, none for Architecte.
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", None, 5]]
    pmo = Settings(rates=[ProfileRate(profile="Développeur", rate=600)], source_file="pmo.xlsx")
    project = project_of(Ressources=rows)
    assert found("RESOURCE_NO_RATE", project, settings=pmo) == [("Ressources", "C4")]


def test_a_pmo_workbook_without_rates_gives_no_profile_a_rate() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", None, 5]]
    pmo = Settings(source_file="pmo.xlsx")
    project = project_of(Ressources=rows)
    assert found("RESOURCE_NO_RATE", project, settings=pmo) == [("Ressources", "C4")]


def test_without_the_pmo_workbook_a_profile_may_have_its_rate_there() -> None:
    # The Vérifier button and validate without --pmo: the profiles' rates are unknown, so only
    # the row with neither a rate nor a profile (row 5) has no rate anywhere.
    rows = [
        RESOURCE_HEADER,
        *RESOURCES,
        ["Léa Petit", "Architecte", None, 5],
        ["Max Roux", None, None, 5],
    ]
    assert found("RESOURCE_NO_RATE", project_of(Ressources=rows)) == [("Ressources", "C5")]


def test_resource_without_rate_is_fine_when_the_pmo_has_one_for_its_profile() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", None, 5]]
    pmo = Settings(rates=[ProfileRate(profile="architecte", rate=900)])
    assert found("RESOURCE_NO_RATE", project_of(Ressources=rows), settings=pmo) == []


def test_capacity_typed_in_hours_is_blamed_on_the_capacity_cell() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", 900, 35]]
    assert found("RESOURCE_CAPACITY_OUT_OF_RANGE", project_of(Ressources=rows)) == [
        ("Ressources", "D4")
    ]


def test_capacities_of_zero_and_seven_days_are_in_range() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", 900, 7], ["Max", "X", 1, 0]]
    assert found("RESOURCE_CAPACITY_OUT_OF_RANGE", project_of(Ressources=rows)) == []


def test_a_capacity_just_over_seven_days_a_week_is_out_of_range() -> None:
    rows = [RESOURCE_HEADER, *RESOURCES, ["Léa Petit", "Architecte", 900, 7.5]]
    assert found("RESOURCE_CAPACITY_OUT_OF_RANGE", project_of(Ressources=rows)) == [
        ("Ressources", "D4")
    ]


# --- Coûts (extra cost on row 3) ------------------------------------------------------------


def test_negative_cost_is_blamed_on_the_amount() -> None:
    rows = [COST_HEADER, *COSTS, [D(2026, 2, 1), "Achat", "Serveur", -300, "Engagé"]]
    assert found("COST_NEGATIVE", project_of(Couts=rows)) == [("Coûts", "D3")]


def test_zero_cost_is_not_negative() -> None:
    rows = [COST_HEADER, *COSTS, [D(2026, 2, 1), "Achat", "Offert", 0, "Engagé"]]
    assert found("COST_NEGATIVE", project_of(Couts=rows)) == []


def test_cost_without_date_is_blamed_on_the_date_cell() -> None:
    rows = [COST_HEADER, *COSTS, [None, "Achat", "Serveur", 300, "Engagé"]]
    assert found("COST_DATE_MISSING", project_of(Couts=rows)) == [("Coûts", "A3")]


def test_cost_with_a_date_has_no_date_finding() -> None:
    assert found("COST_DATE_MISSING", project_of()) == []


def test_cost_without_nature_is_blamed_on_the_nature_cell() -> None:
    rows = [COST_HEADER, *COSTS, [D(2026, 2, 1), None, "Serveur", 300, "Engagé"]]
    assert found("COST_NATURE_MISSING", project_of(Couts=rows)) == [("Coûts", "B3")]


def test_unknown_nature_is_the_readers_finding_not_a_missing_one() -> None:
    rows = [COST_HEADER, *COSTS, [D(2026, 2, 1), "Bidule", "Serveur", 300, "Engagé"]]
    project = project_of(Couts=rows)
    assert found("COST_NATURE_MISSING", project) == []
    assert [(f.code, f.cell) for f in project.findings] == [("VALUE_UNKNOWN", "B3")]


def test_cost_without_status_is_an_error_at_the_status_cell() -> None:
    rows = [COST_HEADER, *COSTS, [D(2026, 2, 1), "Achat", "Serveur", 300, None]]
    finding = findings_of("COST_STATUS_MISSING", project_of(Couts=rows))
    assert [(f.sheet, f.cell, f.severity) for f in finding] == [("Coûts", "E3", "error")]


def test_cost_with_a_status_has_no_status_finding() -> None:
    assert found("COST_STATUS_MISSING", project_of()) == []


# --- Risques, Actions, Décisions (extra row 3) ----------------------------------------------


def test_open_risk_without_owner_is_blamed_on_the_owner_cell() -> None:
    rows = [RISK_HEADER, *RISKS, ["R2", "Départ", 1, 2, None, D(2026, 5, 1), "Ouvert"]]
    assert found("RISK_OWNER_MISSING", project_of(Risques=rows)) == [("Risques", "E3")]


def test_closed_risk_needs_no_owner_nor_due_date() -> None:
    rows = [RISK_HEADER, *RISKS, ["R2", "Départ", 1, 2, None, None, "Clos"]]
    project = project_of(Risques=rows)
    assert found("RISK_OWNER_MISSING", project) == []
    assert found("RISK_DUE_MISSING", project) == []


def test_open_risk_without_due_date_is_blamed_on_the_due_cell() -> None:
    rows = [RISK_HEADER, *RISKS, ["R2", "Départ", 1, 2, "Paul Durand", None, "Ouvert"]]
    assert found("RISK_DUE_MISSING", project_of(Risques=rows)) == [("Risques", "F3")]


def test_probability_outside_one_to_four_is_blamed_on_its_cell() -> None:
    rows = [RISK_HEADER, *RISKS, ["R2", "Départ", 5, 2.5, "Paul Durand", D(2026, 5, 1), "Ouvert"]]
    assert found("RISK_SCALE_OUT_OF_RANGE", project_of(Risques=rows)) == [
        ("Risques", "C3"),
        ("Risques", "D3"),
    ]


def test_probability_and_impact_of_one_and_four_are_in_range() -> None:
    rows = [RISK_HEADER, *RISKS, ["R2", "Départ", 4, 1, "Paul Durand", D(2026, 5, 1), "Ouvert"]]
    assert found("RISK_SCALE_OUT_OF_RANGE", project_of(Risques=rows)) == []


def test_open_action_without_owner_is_blamed_on_the_owner_cell() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", None, D(2026, 4, 10), "À faire"]]
    assert found("ACTION_OWNER_MISSING", project_of(Actions=rows)) == [("Actions", "C3")]


def test_done_action_needs_no_owner() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", None, D(2026, 4, 10), "Fait"]]
    assert found("ACTION_OWNER_MISSING", project_of(Actions=rows)) == []


def test_open_action_without_due_date_is_blamed_on_the_due_cell() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", "Paul Durand", None, "À faire"]]
    assert found("ACTION_DUE_MISSING", project_of(Actions=rows)) == [("Actions", "D3")]


def test_cancelled_action_needs_no_due_date() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", "Paul Durand", None, "Abandonné"]]
    assert found("ACTION_DUE_MISSING", project_of(Actions=rows)) == []


def test_open_action_past_its_due_date_is_overdue_at_the_due_cell() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", "Paul Durand", D(2026, 3, 30), "En cours"]]
    assert found("ACTION_OVERDUE", project_of(Actions=rows)) == [("Actions", "D3")]


def test_action_due_on_the_cutoff_day_is_not_overdue() -> None:
    rows = [ACTION_HEADER, *ACTIONS, ["A2", "Planifier", "Paul Durand", CUTOFF, "En cours"]]
    assert found("ACTION_OVERDUE", project_of(Actions=rows)) == []


def test_awaited_decision_without_requester_is_blamed_on_the_requester_cell() -> None:
    rows = [DECISION_HEADER, *DECISIONS, ["D2", D(2026, 3, 25), "Budget", None, "Attendue"]]
    assert found("DECISION_REQUESTER_MISSING", project_of(Decisions=rows)) == [("Décisions", "D3")]


def test_taken_decision_needs_no_requester() -> None:
    rows = [DECISION_HEADER, *DECISIONS, ["D2", D(2026, 3, 25), "Budget", None, "Prise"]]
    assert found("DECISION_REQUESTER_MISSING", project_of(Decisions=rows)) == []


def test_decision_awaited_too_long_is_blamed_on_its_date() -> None:
    # Requested on 1 Feb, cut-off 31 Mar: 28 + 31 − 1 = 58 days > 30.
    rows = [DECISION_HEADER, *DECISIONS, ["D2", D(2026, 2, 1), "Budget", "Paul", "Attendue"]]
    finding = findings_of("DECISION_WAITING_TOO_LONG", project_of(Decisions=rows))
    assert [(f.sheet, f.cell) for f in finding] == [("Décisions", "B3")]
    assert finding[0].params["days"] == 58


def test_decision_awaited_exactly_the_allowed_days_is_fine() -> None:
    # 1 Mar → 31 Mar = 30 days, not more than 30.
    rows = [DECISION_HEADER, *DECISIONS, ["D2", D(2026, 3, 1), "Budget", "Paul", "Attendue"]]
    assert found("DECISION_WAITING_TOO_LONG", project_of(Decisions=rows)) == []


# --- Across projects ------------------------------------------------------------------------


def test_same_project_code_in_two_files_flags_both_at_their_code_cell() -> None:
    a = project_of(file="a.xlsx")
    b = project_of(file="b.xlsx")
    finding = [f for f in check_portfolio([a, b], Settings()) if f.code == "PROJECT_CODE_DUPLICATE"]
    assert [(f.file, f.sheet, f.cell) for f in finding] == [
        ("a.xlsx", "Projet", "B1"),
        ("b.xlsx", "Projet", "B1"),
    ]
    assert finding[0].params["others"] == ["b.xlsx"]


def test_different_project_codes_are_no_duplicate() -> None:
    a = project_of(file="a.xlsx")
    b = project_of(file="b.xlsx", projet={"Code projet": "PRJ-002"})
    assert [
        f for f in check_portfolio([a, b], Settings()) if f.code == "PROJECT_CODE_DUPLICATE"
    ] == []


def _team(file: str, code: str, claire: str) -> ProjectWorkbook:
    """The clean project in which Claire Martin's name is written ``claire`` everywhere."""

    def spelled(value: CellValue) -> CellValue:
        return claire if value == "Claire Martin" else value

    return project_of(
        file=file,
        projet={"Code projet": code, "Chef de projet": claire},
        tasks=[{k: spelled(v) for k, v in t.items()} for t in TASKS],
        entries=[[spelled(v) for v in row] for row in ENTRIES],
        Ressources=[RESOURCE_HEADER, *[[spelled(v) for v in row] for row in RESOURCES]],
    )


def test_one_person_written_three_ways_across_projects_is_named_in_each_place() -> None:
    a = _team("a.xlsx", "PRJ-A", "Claire Martin")
    b = _team("b.xlsx", "PRJ-B", "C. Martin")
    c = _team("c.xlsx", "PRJ-C", "claire martin")
    finding = [
        f for f in check_portfolio([a, b, c], Settings()) if f.code == "RESOURCE_NAME_VARIANTS"
    ]
    # Each spelling at its first place: the Ressources name cell A2.
    assert {(f.file, f.sheet, f.cell, f.params["name"]) for f in finding} == {
        ("a.xlsx", "Ressources", "A2", "Claire Martin"),
        ("b.xlsx", "Ressources", "A2", "C. Martin"),
        ("c.xlsx", "Ressources", "A2", "claire martin"),
    }
    in_b = next(f for f in finding if f.file == "b.xlsx")
    assert "« Claire Martin » (a.xlsx)" in in_b.message("fr")
    assert "« claire martin » (c.xlsx)" in in_b.message("fr")


def test_different_first_names_and_identical_spellings_are_no_variants() -> None:
    a = _team("a.xlsx", "PRJ-A", "Claire Martin")
    b = _team("b.xlsx", "PRJ-B", "Charles Martin")
    c = _team("c.xlsx", "PRJ-C", "Claire Martin")
    findings = check_portfolio([a, b, c], Settings())
    assert [f for f in findings if f.code == "RESOURCE_NAME_VARIANTS"] == []


def test_surname_in_capitals_first_is_the_same_person() -> None:
    a = _team("a.xlsx", "PRJ-A", "Claire Martin")
    b = _team("b.xlsx", "PRJ-B", "MARTIN Claire")
    names = {
        f.params["name"]
        for f in check_portfolio([a, b], Settings())
        if f.code == "RESOURCE_NAME_VARIANTS"
    }
    assert names == {"Claire Martin", "MARTIN Claire"}


def test_shares_carry_each_spelling_split_and_give_the_same_variants() -> None:
    """The portfolio stage compares the names each worker split (the share's ``name_parts``),
    not names it splits again: the findings are those of the workbooks themselves."""
    from pmo_xl.portfolio import analyse_project

    teams = [
        _team("a.xlsx", "PRJ-A", "Claire Martin"),
        _team("b.xlsx", "PRJ-B", "C. Martin"),
        _team("c.xlsx", "PRJ-C", "MARTIN Claire"),
    ]
    shares = [analyse_project(t, Settings(), None).share for t in teams]
    assert all(s is not None for s in shares)
    b = shares[1]
    assert b is not None
    assert b.name_parts["C. Martin"] == ("martin", ("c",))
    assert shares[2] is not None and shares[2].name_parts["MARTIN Claire"] == (
        "martin",
        ("claire",),
    )

    def variants(projects: Any) -> list[tuple[str, str | None, Any]]:
        return [
            (f.file, f.cell, f.params)
            for f in check_portfolio(projects, Settings())
            if f.code == "RESOURCE_NAME_VARIANTS"
        ]

    assert variants(shares) == variants(teams)
    assert {p["name"] for _f, _c, p in variants(shares)} == {
        "Claire Martin",
        "C. Martin",
        "MARTIN Claire",
    }
    # The parts a share brings are the ones compared: "C. Martin" said to be a Durand is
    # nobody's variant any more.
    b.name_parts = {**b.name_parts, "C. Martin": ("durand", ("c",))}
    assert {p["name"] for _f, _c, p in variants(shares)} == {"Claire Martin", "MARTIN Claire"}


def test_over_allocated_person_gets_one_warning_with_the_worst_week() -> None:
    load = pd.DataFrame(
        {
            "resource": ["Paul Durand", "Paul Durand", "Paul Durand", "Claire Martin"],
            "week": pd.to_datetime(["2026-04-06", "2026-04-13", "2026-04-20", "2026-04-06"]),
            "load_days": [6.0, 7.5, 4.0, 3.0],
            "capacity_days": [4.0, 5.0, 5.0, 4.0],
            "over_allocated": [True, True, False, False],
            "by_project": [{"PRJ-001": 6.0}, {"PRJ-001": 3.0, "PRJ-004": 4.5}, {}, {}],
        }
    )
    finding = check_portfolio([], Settings(source_file="pmo.xlsm"), load)
    assert [(f.code, f.severity, f.params["name"]) for f in finding] == [
        ("RESOURCE_OVERALLOCATED", "warning", "Paul Durand")
    ]
    # Two weeks over; excess 6 − 4 = 2 on 6 Apr and 7.5 − 5 = 2.5 on 13 Apr: the worst is 13 Apr.
    assert finding[0].params["weeks"] == 2
    assert finding[0].params["peak_week"] == D(2026, 4, 13)
    assert finding[0].sheet == "Charge ressources"
    # The projects of the worst week, most loaded first: PRJ-004 (4.5 days), PRJ-001 (3 days).
    assert "(PRJ-004, PRJ-001)" in finding[0].message("fr")


def test_load_within_capacity_gives_no_over_allocation() -> None:
    load = pd.DataFrame(
        {
            "resource": ["Paul Durand"],
            "week": pd.to_datetime(["2026-04-13"]),
            "load_days": [5.0],
            "capacity_days": [5.0],
            "over_allocated": [False],
        }
    )
    assert check_portfolio([], Settings(), load) == []


# --- Every rule at once --------------------------------------------------------------------


def _everything_wrong() -> list[Finding]:
    """One workbook holding a mistake for every rule, plus a second file for the portfolio."""
    tasks = [
        *changed(2, planned=2, start=D(2026, 4, 27)),  # milestone with effort, too long
        task(id=None, name=None, owner=None, start=None, baseline=None, remaining=-2),
        task(id="t2", start=D(2026, 3, 12), end=D(2026, 3, 10), predecessors="T1; T7",
             owner="paul durand", remaining=3, status="En cours"),
        task(id="T5", status="Terminé", remaining=3, start=D(2026, 1, 2)),
        task(id="T6", predecessors="T6"),
        task(id="T8", predecessors="T1", start=D(2026, 1, 20), planned=40),
    ]  # fmt: skip
    entries = [
        *ENTRIES,
        [D(2026, 2, 16), None, "T2", 1],
        [D(2026, 2, 16), "Pierre Dupont", "T2", 1],
        [D(2026, 2, 16), "Paul Durand", "T7", 1],
        [D(2026, 2, 16), "Claire Martin", "J1", 1],
        [D(2026, 2, 23), "Paul Durand", "T2", 0],
        [D(2026, 2, 11), "Paul Durand", "T2", 1],
        [D(2026, 4, 1), "Paul Durand", "T2", 1],
        [D(2026, 1, 2), "Claire Martin", "T1", 1],
        [D(2026, 1, 12), "Claire Martin", "T1", 5],
    ]
    project = project_of(
        projet={
            "Chef de projet": None,
            "Date de fin prévue": D(2026, 1, 2),
            "Budget initial (j)": None,
            "Budget révisé (j)": 45,
            "Date d'arrêté": None,
            "Budget initial (€)": -100,
            "Météo manuelle": "Orage",
        },
        tasks=tasks,
        entries=entries,
        Ressources=[RESOURCE_HEADER, *RESOURCES, ["claire martin", "X", 800, 5],
                    ["Léa Petit", "Architecte", None, 35], ["C. Martin", "X", 800, 5]],
        Couts=[COST_HEADER, *COSTS, [None, None, "Serveur", -300, None]],
        Risques=[RISK_HEADER, *RISKS, ["R2", "Départ", 5, 2, None, None, "Ouvert"]],
        Actions=[ACTION_HEADER, *ACTIONS, ["A2", "Planifier", None, None, "À faire"],
                 ["A3", "Relancer", "Paul", D(2026, 3, 2), "À faire"]],
        Decisions=[DECISION_HEADER, *DECISIONS, ["D2", D(2026, 2, 1), "Budget", None, "Attendue"]],
    )  # fmt: skip
    other = project_of(file="autre.xlsx", projet={"Budget initial (j)": None})
    load = pd.DataFrame(
        {
            "resource": ["Paul Durand"],
            "week": pd.to_datetime(["2026-04-13"]),
            "load_days": [7.0],
            "capacity_days": [5.0],
            "over_allocated": [True],
        }
    )
    settings = Settings(budget_tolerance=0.2, source_file="pmo.xlsx")  # read, and no rates
    return [
        *run_checks(project, settings, CUTOFF, cutoff_given=False),
        *run_checks(blank_template(), settings, CUTOFF, cutoff_given=False),
        *check_portfolio([project, other], settings, load),
    ]


def test_every_rule_fires_on_a_workbook_holding_every_mistake() -> None:
    assert sorted({f.code for f in _everything_wrong()}) == sorted(checks.all_codes())


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_message_gets_all_its_values(lang: str) -> None:
    import string

    for finding in _everything_wrong():
        template = getattr(messages.MESSAGES[finding.code], lang)
        wanted = {name for _t, name, _f, _c in string.Formatter().parse(template) if name}
        assert wanted <= set(finding.params), (finding.code, wanted - set(finding.params))


# --- Settings, ordering, rows left out ------------------------------------------------------


def test_a_rule_switched_off_in_regles_raises_nothing() -> None:
    project = project_of(tasks=[*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))])
    off = Settings(rules={"PLANNING_END_BEFORE_START": RuleOverride(enabled=False)})
    assert found("PLANNING_END_BEFORE_START", project, settings=off) == []


def test_regles_can_change_a_rules_severity() -> None:
    project = project_of(tasks=[*TASKS, task(end=D(2026, 3, 20), remaining=3)])
    stricter = Settings(rules={"PLANNING_TASK_LATE": RuleOverride(severity="error")})
    finding = findings_of("PLANNING_TASK_LATE", project, settings=stricter)
    assert [f.severity for f in finding] == ["error"]


def test_overrides_also_apply_to_the_readers_findings() -> None:
    project = project_of(tasks=[*TASKS, task(start="12/03/2026", end=D(2026, 3, 20))])
    assert [f.code for f in project.findings] == ["DATE_AS_TEXT"]
    quiet = Settings(rules={"DATE_AS_TEXT": RuleOverride(enabled=False)})
    assert apply_overrides(project.findings, quiet) == []
    loud = Settings(rules={"DATE_AS_TEXT": RuleOverride(severity="error")})
    assert [f.severity for f in apply_overrides(project.findings, loud)] == ["error"]


def test_findings_are_sorted_errors_first_then_by_file_sheet_and_row() -> None:
    def at(severity: str, file: str, sheet: str | None, row: int | None) -> Finding:
        cell = f"A{row}" if row else None
        return Finding(file=file, sheet=sheet, cell=cell, row=row, severity=severity, code="X")  # type: ignore[arg-type]

    unordered = [
        at("warning", "a.xlsx", "Planning", 2),
        at("error", "b.xlsx", "Projet", 3),
        at("error", "a.xlsx", "Charges", 10),
        at("error", "a.xlsx", "Planning", 12),
        at("error", "a.xlsx", "Planning", 9),
        at("info", "a.xlsx", "Coûts", None),
    ]
    ordered = [(f.severity, f.file, f.sheet, f.row) for f in sort_findings(unordered)]
    assert ordered == [
        ("error", "a.xlsx", "Planning", 9),
        ("error", "a.xlsx", "Planning", 12),
        ("error", "a.xlsx", "Charges", 10),
        ("error", "b.xlsx", "Projet", 3),
        ("warning", "a.xlsx", "Planning", 2),
        ("info", "a.xlsx", "Coûts", None),
    ]


def test_error_rows_name_the_rows_to_leave_out_per_file_and_table() -> None:
    project = project_of(
        tasks=[*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))],  # error on row 5
        entries=[
            *ENTRIES,
            [D(2026, 2, 16), "Paul Durand", "T7", 1],  # row 6: unknown task, an error
            [D(2026, 4, 1), "Paul Durand", "T2", 1],  # row 7: after the cut-off, a warning
        ],
    )
    findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    assert error_rows(findings, [project]) == {
        "projet_prj001.xlsx": {"planning": {5}, "time_entries": {6}}
    }
    # Without the projects, the sheet names are matched through the catalogue.
    assert error_rows(findings) == error_rows(findings, [project])


# --- Random valid workbooks -----------------------------------------------------------------

PEOPLE = ["Claire Martin", "Paul Durand", "Léa Petit", "Marc Morel"]


@st.composite
def valid_project_sheets(draw: st.DrawFn) -> tuple[dict[str, list[list[CellValue]]], dt.date]:
    """A consistent project: dates in order, known owners, entries on real tasks ≤ cut-off."""
    start = D(2025, 1, 6) + dt.timedelta(weeks=draw(st.integers(0, 100)))  # a Monday
    team = PEOPLE[: draw(st.integers(1, len(PEOPLE)))]
    n_tasks = draw(st.integers(1, 8))
    tasks: list[dict[str, CellValue]] = []
    for i in range(n_tasks):
        milestone = i > 0 and draw(st.booleans())
        begin = start + dt.timedelta(days=draw(st.integers(0, 90)))
        end = begin if milestone else begin + dt.timedelta(days=draw(st.integers(0, 60)))
        planned = 0 if milestone else draw(st.integers(1, 30))
        # Predecessors: earlier tasks that end on or before this one starts.
        eligible = [t["id"] for t in tasks if t["end"] <= begin]  # type: ignore[operator]
        preds = (
            draw(st.lists(st.sampled_from(eligible), unique=True, max_size=2)) if eligible else []
        )
        tasks.append(
            dict(id=f"T{i + 1}", name=f"Tâche {i + 1}", owner=draw(st.sampled_from(team)),
                 start=begin, end=end, baseline=end, milestone="Oui" if milestone else "Non",
                 predecessors="; ".join(str(p) for p in preds) or None, planned=planned,
                 remaining=0, status="À faire")
        )  # fmt: skip
    planned_end = max(t["end"] for t in tasks)  # type: ignore[type-var]
    assert isinstance(planned_end, dt.date)
    span = (planned_end - start).days
    cutoff = start + dt.timedelta(days=draw(st.integers(0, span)))
    entries: list[list[CellValue]] = []
    for t in tasks:
        assert isinstance(t["start"], dt.date) and isinstance(t["end"], dt.date)
        if t["end"] < cutoff:  # should be over at the cut-off: done
            t["status"], t["remaining"] = "Terminé", 0
        elif t["milestone"] == "Non":
            t["status"] = draw(st.sampled_from(["À faire", "En cours", "Bloqué"]))
            t["remaining"] = draw(st.integers(0, int(t["planned"])))  # type: ignore[call-overload]
        if t["milestone"] == "Oui" or t["start"] > cutoff:
            continue
        # A quarter day per task and week, dated on the Monday: at most 8 × 0.25 = 2 days a week.
        monday = t["start"] - dt.timedelta(days=t["start"].weekday())
        while monday <= min(t["end"], cutoff):
            entries.append([monday, t["owner"], t["id"], 0.25])
            monday += dt.timedelta(weeks=1)
    budget = sum(float(t["planned"]) for t in tasks)  # type: ignore[arg-type]
    projet = {**PROJET, "Date de début": start, "Date de fin prévue": planned_end,
              "Budget initial (j)": budget, "Date d'arrêté": cutoff}  # fmt: skip
    open_until = cutoff + dt.timedelta(days=draw(st.integers(0, 60)))
    asked_on = cutoff - dt.timedelta(days=draw(st.integers(0, 30)))
    sheets = {
        "Projet": [[k, v] for k, v in projet.items()],
        "Planning": planning(tasks),
        "Charges": [ENTRY_HEADER, *entries],
        "Ressources": [RESOURCE_HEADER, *[[p, "Développeur", 600, 5] for p in team]],
        "Coûts": [COST_HEADER, [start, "Licence", "Outil", draw(st.integers(0, 5000)), "Engagé"]],
        "Risques": [RISK_HEADER, ["R1", "Risque", draw(st.integers(1, 4)), draw(st.integers(1, 4)),
                                  team[0], open_until, "Ouvert"]],
        "Actions": [ACTION_HEADER, ["A1", "Action", team[-1], open_until, "En cours"]],
        "Décisions": [DECISION_HEADER, ["D1", asked_on, "Décision", team[0], "Attendue"]],
    }  # fmt: skip
    return sheets, cutoff


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_project_sheets())
def test_random_valid_project_workbooks_raise_no_error_nor_warning(
    generated: tuple[dict[str, list[list[CellValue]]], dt.date],
) -> None:
    sheets, cutoff = generated
    project = read_project(MemoryWorkbook.from_rows("projet_random.xlsx", sheets))
    findings = project_findings(project, Settings(), cutoff, cutoff_given=True)
    assert [(f.code, f.location) for f in findings if f.severity != "info"] == []


# --- The Contrôles sheet and the terminal report --------------------------------------------


def _faulty_project() -> ProjectWorkbook:
    return project_of(
        tasks=[*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))],  # error, Planning!E5
        entries=[*ENTRIES, [D(2026, 4, 1), "Paul Durand", "T2", 1]],  # warning, Charges!A6
    )


def test_findings_sheet_lists_errors_first_with_links_into_the_project_workbook() -> None:
    project = _faulty_project()
    findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    layout = findings_layout(findings, "fr", in_project_workbook=True)
    grid = layout.to_grid()
    assert layout.name == "Contrôles"
    assert grid.rows[3] == [
        "Sévérité",
        "Fichier",
        "Projet",
        "Feuille",
        "Cellule",
        "Code",
        "Message",
    ]
    assert grid.rows[1][:6] == ["Erreur", 1, "Avertissement", 1, "Info", 0]
    assert [r[0] for r in grid.rows[4:6]] == ["Erreur", "Avertissement"]
    assert grid.rows[4][3:6] == ["Planning", "E5", "PLANNING_END_BEFORE_START"]
    # Row 4 (0-based) holds the first finding; the link sits on the Cellule column (index 4).
    assert layout.links == [
        Link(4, 4, "E5", "E5", sheet="Planning"),
        Link(5, 4, "A6", "A6", sheet="Charges"),
    ]
    assert layout.freeze == (4, 0)
    assert layout.autofilter is not None and layout.autofilter.a1() == "A4:G6"
    assert {cf.value for cf in layout.conditional_formats} == {"Erreur", "Avertissement", "Info"}


def test_findings_sheet_in_the_pmo_workbook_links_to_the_project_file() -> None:
    project = _faulty_project()
    findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    path = Path("projets/projet_prj001.xlsx")
    layout = findings_layout(
        findings, "en", in_project_workbook=False, file_paths={"projet_prj001.xlsx": path}
    )
    assert layout.name == "Findings"
    assert layout.links[0] == Link(4, 4, "E5", "E5", sheet="Planning", file=str(path))


def test_findings_about_the_pmo_workbook_itself_link_inside_it() -> None:
    rate = Finding(file="pmo.xlsm", sheet="TJM", cell="B4", row=4, code="NUMBER_INVALID")
    project = Finding(file="p.xlsx", sheet="Planning", cell="E5", row=5, code="X")
    layout = findings_layout(
        [rate, project], "fr", in_project_workbook=False, file_paths={}, own_file="pmo.xlsm"
    )
    # Sorted by file, p.xlsx (row 4, no known path: no link) comes before pmo.xlsm (row 5).
    assert layout.links == [Link(5, 4, "B4", "B4", sheet="TJM")]


def test_findings_without_a_cell_link_to_the_sheet_or_to_nothing() -> None:
    sheet_level = Finding(file="p.xlsx", sheet="Planning", code="PLANNING_BASELINE_MISSING")
    absent = Finding(file="p.xlsx", sheet="Coûts", code="SHEET_ABSENT", severity="info")
    layout = findings_layout([sheet_level, absent], "fr", in_project_workbook=True)
    # Errors first: the baseline finding (error by default here) on row 4, linked on Feuille.
    assert layout.links == [Link(4, 3, "Planning", "A1", sheet="Planning")]


def test_findings_sheet_without_finding_says_so() -> None:
    grid = findings_layout([], "fr", in_project_workbook=True).to_grid()
    assert grid.rows[4][0] == "Aucun constat : rien à corriger."


def test_terminal_report_groups_by_file_and_sheet_with_cells_and_counts() -> None:
    project = _faulty_project()
    findings = project_findings(project, Settings(), CUTOFF, cutoff_given=True)
    console = Console(record=True, width=300, color_system=None)
    print_findings(findings, "fr", console)
    text = console.export_text()
    assert "projet_prj001.xlsx (PRJ-001) — 1 erreur(s) · 1 avertissement(s) · 0 info(s)" in text
    planning_at = text.index("  Planning")
    charges_at = text.index("  Charges")
    assert planning_at < text.index("E5") < charges_at < text.index("A6")
    assert "Total : 1 erreur(s) · 1 avertissement(s) · 0 info(s)" in text


# --- pmo-xl validate ------------------------------------------------------------------------


def _save(path: Path, sheets: dict[str, list[list[CellValue]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_validate_exits_1_on_errors_and_reports_an_unreadable_file(tmp_path: Path) -> None:
    sheets = clean_sheets()
    sheets["Planning"] = planning([*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))])
    faulty = _save(tmp_path / "projet_a.xlsx", sheets)
    broken = tmp_path / "projet_b.xlsx"
    broken.write_bytes(b"not a workbook")
    findings, code = validate_files([faulty, broken], Settings())
    assert code == 1
    assert ("projet_a.xlsx", "Planning", "E5", "PLANNING_END_BEFORE_START") in {
        (f.file, f.sheet, f.cell, f.code) for f in findings
    }
    unreadable = [f for f in findings if f.code == "FILE_UNREADABLE"]
    assert [(f.file, f.severity) for f in unreadable] == [("projet_b.xlsx", "error")]
    # The reason the consolidation gives too: found by its bytes (preflight), not "corrupt".
    assert "fichier texte" in unreadable[0].message("fr")
    assert ".." not in unreadable[0].message("fr")


def test_validate_takes_the_command_lines_cutoff_over_the_pmos(tmp_path: Path) -> None:
    # As consolidate: --cutoff, else the PMO's date, else the project's own (31 Mar, after
    # every entry). The entries of 2 Feb (A4) and 9 Feb (A5) are both after 1 Feb (the command
    # line); only the one of 9 Feb is after 5 Feb (the PMO's).
    clean = _save(tmp_path / "projet_a.xlsx", clean_sheets())
    pmo = Settings(cutoff=D(2026, 2, 5))
    given, _ = validate_files([clean], pmo, cutoff=D(2026, 2, 1))
    assert [f.cell for f in given if f.code == "ENTRY_AFTER_CUTOFF"] == ["A4", "A5"]
    alone, _ = validate_files([clean], pmo)
    assert [f.cell for f in alone if f.code == "ENTRY_AFTER_CUTOFF"] == ["A5"]


def test_validate_exits_0_on_a_clean_workbook(tmp_path: Path) -> None:
    clean = _save(tmp_path / "projet_a.xlsx", clean_sheets())
    findings, code = validate_files([clean], Settings())
    assert code == 0
    assert {f.severity for f in findings} <= {"info"}


def test_validate_json_holds_location_and_message(tmp_path: Path) -> None:
    sheets = clean_sheets()
    sheets["Planning"] = planning([*TASKS, task(start=D(2026, 3, 12), end=D(2026, 3, 10))])
    findings, _code = validate_files([_save(tmp_path / "projet_a.xlsx", sheets)], Settings())
    data = json.loads(findings_json(findings, "en"))
    first = data[0]
    assert first["location"] == "Planning!E5"
    assert first["message"] == (
        "The end (2026-03-10) is before the start (2026-03-12). Correct one of the two dates."
    )


def test_validate_exits_0_on_the_blank_shipped_template(tmp_path: Path) -> None:
    from pmo_xl.templates import write_templates

    template = next(p for p in write_templates(tmp_path) if p.name.startswith("projet"))
    findings, code = validate_files([template], Settings())
    assert code == 0
    assert [f.code for f in findings if f.severity != "info"] == ["PROJECT_NOT_FILLED"]


def test_demo_planted_mistakes_are_found_at_their_cells(tmp_path: Path) -> None:
    from pmo_xl.demo import build_demo
    from pmo_xl.file_workbook import open_workbook
    from pmo_xl.reading import read_settings

    demo = build_demo(tmp_path)
    with open_workbook(demo.pmo) as source:
        pmo_settings, _ = read_settings(source, base_dir=demo.root)
    findings, code = validate_files(demo.projects, pmo_settings)
    assert code == 1
    located = {(f.file, f.sheet, f.cell, f.code) for f in findings}
    planted = {(p.file, p.sheet, p.cell, p.code) for p in demo.planted}
    assert planted - located == set()
    # And no error anywhere else: the demo's other mistakes are warnings at most.
    errors = {(f.file, f.sheet, f.cell, f.code) for f in findings if f.severity == "error"}
    assert errors <= planted


def test_a_date_in_a_message_reads_day_month_year_in_french_and_iso_in_english() -> None:
    from pmo_xl.messages import render

    params = {"end": D(2026, 3, 5), "start": dt.datetime(2026, 11, 20, 9, 30)}
    assert render("PROJECT_END_BEFORE_START", params, "fr").startswith(
        "La fin prévue (05/03/2026) est avant le début (20/11/2026)."
    )
    assert render("PROJECT_END_BEFORE_START", params, "en").startswith(
        "The planned end (2026-03-05) is before the start (2026-11-20)."
    )
