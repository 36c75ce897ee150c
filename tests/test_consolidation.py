"""Consolidation figures (CALCULATIONS.md), checked against values worked out by hand.

The complete project PRJ-001 below, cut-off Friday 13 November 2026 (Wed 11 Nov = Armistice):

    Budget initial (j) 40, Budget révisé (j) 50 → budget 50 days; Budget initial (€) 30,000.

    PMO rates (TJM): Développeur 500 € from 2026-01-01, 600 € from 2026-11-01;
                     Chef de projet 800 € from 2026-01-01.
    Ressources: Alice, Développeur, no TJM       → profile rate, 500 then 600
                Bob,   Développeur, TJM 700 €   → 700 (the project's rate wins)
                Carla, Chef de projet, no TJM   → 800

    Planning (row: ID owner Début → Fin, Fin référence, planned, remaining, status)
      2 T1 Alice 19/10 → 30/10, réf 30/10, 10 j, RAF 0,  Terminé
      3 T2 Bob   02/11 → 27/11, réf 20/11, 28 j, RAF 12, En cours
      4 T3 Alice 23/11 → 04/12, réf 04/12, 10 j, RAF 10, À faire
      5 T4 Carla 02/11 → 20/11, réf 16/11, 10 j, RAF 3,  En cours
      6 T5 Bob   02/11 → 06/11, réf 06/11,  3 j, RAF 2,  Abandonné
      7 J1 milestone "Go recette"  Fin 12/11, réf Fri 06/11
      8 J2 milestone "Mise en prod" Fin 04/12, réf 04/12

    Charges (row: date, person, task, days → rate → €)
      2 23/10 Alice T1 5 → 500 → 2,500
      3 30/10 Alice T1 5 → 500 → 2,500
      4 06/11 Alice T1 1 → 600 → 600      (the profile rate changed on 1 Nov)
      5 06/11 Bob   T2 4 → 700 → 2,800
      6 13/11 Bob   T2 4 → 700 → 2,800    (on the cut-off day: counts)
      7 06/11 Bob   T5 1 → 700 → 700
      8 06/11 Carla T4 2 → 800 → 1,600
      9 13/11 Carla T4 1 → 800 → 800
     10 20/11 Alice T3 2                   after the cut-off: left out
     11 10/11 Bob   T2 3                   carries an error finding: left out

    Coûts: Licence 1,000 Payé; Sous-traitance 3,000 Engagé; Achat 2,000 Prévu.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from pmo_xl.consolidation import (
    JSON_PROJECT_FIELDS,
    ProjectFigures,
    daily_rates,
    effort_by_month,
    elapsed_fraction,
    load_by_project,
    portfolio_totals,
    project_figures,
    project_share,
    rate_at,
    resource_load,
    resource_load_of,
    task_progress,
    valid_frame,
)
from pmo_xl.model import ProfileRate, ProjectWorkbook, Settings
from pmo_xl.reading import read_project
from pmo_xl.workbook import MemoryWorkbook

D = dt.date
CUTOFF = D(2026, 11, 13)
ERROR_ROWS = {"time_entries": {11}}

PLANNING_HEADER = [
    "ID",
    "Tâche",
    "Responsable",
    "Début",
    "Fin",
    "Fin référence",
    "Jalon",
    "Charge prévue (j)",
    "Reste à faire (j)",
    "Statut",
]
CHARGES_HEADER = ["Date", "Ressource", "ID tâche", "Consommé (j)"]
RESOURCES_HEADER = ["Ressource", "Profil", "TJM (€)", "Capacité (j/sem)"]
COSTS_HEADER = ["Date", "Nature", "Libellé", "Montant (€)", "Statut"]

SETTINGS = Settings(
    rates=[
        ProfileRate(profile="Développeur", rate=500, valid_from=D(2026, 1, 1)),
        ProfileRate(profile="Développeur", rate=600, valid_from=D(2026, 11, 1)),
        ProfileRate(profile="Chef de projet", rate=800, valid_from=D(2026, 1, 1)),
    ]
)


def make_project(
    code: str,
    planning: Sequence[Sequence[Any]],
    *,
    entries: Sequence[Sequence[Any]] = (),
    resources: Sequence[Sequence[Any]] = (),
    costs: Sequence[Sequence[Any]] = (),
    info: Sequence[Sequence[Any]] = (("Budget initial (j)", 50),),
    file: str | None = None,
) -> ProjectWorkbook:
    """A project workbook built in memory, read by the real reader."""
    sheets: dict[str, list[list[Any]]] = {
        "Projet": [["Code projet", code], ["Nom du projet", f"Projet {code}"], *map(list, info)],
        "Planning": [PLANNING_HEADER, *map(list, planning)],
        "Charges": [CHARGES_HEADER, *map(list, entries)],
    }
    if resources:
        sheets["Ressources"] = [RESOURCES_HEADER, *map(list, resources)]
    if costs:
        sheets["Coûts"] = [COSTS_HEADER, *map(list, costs)]
    return read_project(MemoryWorkbook.from_rows(file or f"projet_{code}.xlsx", sheets))


def task(
    tid: str,
    owner: str | None,
    start: dt.date | None,
    end: dt.date | None,
    remaining: float | None,
    *,
    baseline: dt.date | None = None,
    planned: float | None = None,
    status: str = "En cours",
    milestone: str = "Non",
) -> list[Any]:
    return [tid, f"Tâche {tid}", owner, start, end, baseline, milestone, planned, remaining, status]


def d(day: int, month: int, year: int = 2026) -> dt.date:
    return D(year, month, day)


# fmt: off
COMPLETE_PLANNING = [
    # ID   Tâche         Resp.    Début      Fin        Fin réf.   Jalon  Prévu RAF   Statut
    ["T1", "Conception", "Alice", d(19, 10), d(30, 10), d(30, 10), "Non", 10,   0,    "Terminé"],
    ["T2", "Dévelop.",   "Bob",   d(2, 11),  d(27, 11), d(20, 11), "Non", 28,   12,   "En cours"],
    ["T3", "Recette",    "Alice", d(23, 11), d(4, 12),  d(4, 12),  "Non", 10,   10,   "À faire"],
    ["T4", "Pilotage",   "Carla", d(2, 11),  d(20, 11), d(16, 11), "Non", 10,   3,    "En cours"],
    ["T5", "Option",     "Bob",   d(2, 11),  d(6, 11),  d(6, 11),  "Non", 3,    2,    "Abandonné"],
    ["J1", "Go recette", None,    d(12, 11), d(12, 11), d(6, 11),  "Oui", None, None, "À faire"],
    ["J2", "Mise en prod", None,  d(4, 12),  d(4, 12),  d(4, 12),  "Oui", None, None, "À faire"],
]
# fmt: on


def complete_project() -> ProjectWorkbook:
    return make_project(
        "PRJ-001",
        COMPLETE_PLANNING,
        entries=[
            [D(2026, 10, 23), "Alice", "T1", 5],
            [D(2026, 10, 30), "Alice", "T1", 5],
            [D(2026, 11, 6), "Alice", "T1", 1],
            [D(2026, 11, 6), "Bob", "T2", 4],
            [D(2026, 11, 13), "Bob", "T2", 4],
            [D(2026, 11, 6), "Bob", "T5", 1],
            [D(2026, 11, 6), "Carla", "T4", 2],
            [D(2026, 11, 13), "Carla", "T4", 1],
            [D(2026, 11, 20), "Alice", "T3", 2],
            [D(2026, 11, 10), "Bob", "T2", 3],
        ],
        resources=[
            ["Alice", "Développeur", None, 5],
            ["Bob", "Développeur", 700, None],
            ["Carla", "Chef de projet", None, 4],
        ],
        costs=[
            [D(2026, 10, 1), "Licence", "Licences IDE", 1000, "Payé"],
            [D(2026, 10, 15), "Sous-traitance", "Audit sécurité", 3000, "Engagé"],
            [D(2026, 12, 1), "Achat", "Serveur de recette", 2000, "Prévu"],
        ],
        info=[
            ["Chef de projet", "Carla"],
            ["Budget initial (j)", 40],
            ["Budget révisé (j)", 50],
            ["Budget initial (€)", 30000],
        ],
    )


@pytest.fixture(scope="module")
def figures() -> ProjectFigures:
    return project_figures(complete_project(), SETTINGS, CUTOFF, ERROR_ROWS)


# --- §1–4: effort -------------------------------------------------------------------------------


def test_budget_is_the_revised_one_when_filled(figures: ProjectFigures) -> None:
    # Budget révisé 50 beats Budget initial 40; no Budget révisé (€), so the initial 30,000 €
    assert figures.budget_days == 50
    assert figures.budget_eur == 30000


def test_consumed_sums_the_entries_dated_up_to_the_cutoff(figures: ProjectFigures) -> None:
    # rows 2–9: 5 + 5 + 1 + 4 + 4 + 1 + 2 + 1 = 23 (row 10 is after the cut-off, row 11 excluded)
    assert figures.consumed_days == pytest.approx(23)


def test_entries_after_the_cutoff_are_left_out() -> None:
    # cut-off moved to 20/11: row 10 (20/11, 2 days) now counts → 23 + 2 = 25
    later = project_figures(complete_project(), SETTINGS, D(2026, 11, 20), ERROR_ROWS)
    assert later.consumed_days == pytest.approx(25)


def test_rows_with_an_error_are_left_out_and_the_data_marked_incomplete() -> None:
    # Without the exclusion, row 11 (3 days) counts: 23 + 3 = 26, and the data is complete
    project = complete_project()
    assert project_figures(project, SETTINGS, CUTOFF).consumed_days == pytest.approx(26)
    assert project_figures(project, SETTINGS, CUTOFF).incomplete_data is False
    assert project_figures(project, SETTINGS, CUTOFF, ERROR_ROWS).incomplete_data is True


def test_remaining_leaves_out_milestones_and_cancelled_tasks(figures: ProjectFigures) -> None:
    # T1 0 + T2 12 + T3 10 + T4 3 = 25 (T5 Abandonné's 2 days and the milestones left out)
    assert figures.remaining_days == pytest.approx(25)


def test_eac_and_drift_in_days(figures: ProjectFigures) -> None:
    # EAC = 23 + 25 = 48; drift = 48 − 50 = −2; −2 / 50 = −0.04
    assert figures.eac_days == pytest.approx(48)
    assert figures.drift_days == pytest.approx(-2)
    assert figures.drift_pct == pytest.approx(-0.04)


def test_progress_is_consumed_over_eac(figures: ProjectFigures) -> None:
    # 23 / 48 = 0.479166…
    assert figures.progress_pct == pytest.approx(23 / 48)


# --- §5–7: costs --------------------------------------------------------------------------------


def test_rate_is_the_profile_rate_valid_at_the_date() -> None:
    project = complete_project()
    # Alice has no project TJM: Développeur 500 until 31/10, 600 from 01/11 (inclusive)
    assert rate_at(project, SETTINGS, "Alice", D(2026, 10, 31)) == 500
    assert rate_at(project, SETTINGS, "Alice", D(2026, 11, 1)) == 600


def test_the_project_rate_wins_over_the_profile_rate() -> None:
    # Bob is a Développeur too, but Ressources gives him 700 €, whatever the date
    project = complete_project()
    assert rate_at(project, SETTINGS, "Bob", D(2026, 10, 1)) == 700
    assert rate_at(project, SETTINGS, "Bob", D(2026, 11, 13)) == 700


def test_people_are_matched_whatever_the_case_and_spacing() -> None:
    assert rate_at(complete_project(), SETTINGS, "  ALICE ", D(2026, 11, 2)) == 600


def test_daily_rates_of_a_column() -> None:
    project = complete_project()
    entries = valid_frame(project.time_entries, ERROR_ROWS)
    rates = daily_rates(
        entries["resource"], entries["date"], project.resources.frame, SETTINGS.rates
    )
    # rows 2–11 as in the module docstring (row 10 Alice 20/11 → 600, row 11 Bob → 700)
    assert rates.tolist() == [500, 500, 600, 700, 700, 700, 800, 800, 600]


def test_labour_cost_to_date_uses_the_rate_at_each_entry_date(figures: ProjectFigures) -> None:
    # Alice 5×500 + 5×500 + 1×600 = 5,600; Bob (4 + 4 + 1) × 700 = 6,300; Carla 3 × 800 = 2,400
    # 5,600 + 6,300 + 2,400 = 14,300
    assert figures.labour_cost_to_date_eur == pytest.approx(14300)


def test_cost_to_date_adds_committed_and_paid_costs(figures: ProjectFigures) -> None:
    # 14,300 + 1,000 (Payé) + 3,000 (Engagé) = 18,300; the Prévu 2,000 is not spent yet
    assert figures.external_cost_to_date_eur == pytest.approx(4000)
    assert figures.cost_to_date_eur == pytest.approx(18300)


def test_eac_eur_adds_remaining_at_the_owners_rate_at_the_cutoff_and_planned_costs(
    figures: ProjectFigures,
) -> None:
    # remaining: T2 12 × 700 (Bob) + T3 10 × 600 (Alice at 13/11) + T4 3 × 800 (Carla) = 16,800
    # (T5 Abandonné is not costed). EAC = 18,300 + 16,800 + 2,000 (Prévu) = 37,100
    assert figures.remaining_cost_eur == pytest.approx(16800)
    assert figures.external_planned_eur == pytest.approx(2000)
    assert figures.eac_eur == pytest.approx(37100)


def test_drift_eur(figures: ProjectFigures) -> None:
    # 37,100 − 30,000 = 7,100
    assert figures.drift_eur == pytest.approx(7100)


def test_no_rate_is_an_error_at_the_charges_cell_and_costs_zero() -> None:
    # Dan is in no Ressources row: his 2 days cost 0; Alice's 1 day costs 600 (Développeur, Nov)
    project = make_project(
        "PRJ-R",
        [task("T1", "Alice", D(2026, 11, 2), D(2026, 11, 6), 0, planned=3)],
        entries=[[D(2026, 11, 2), "Alice", "T1", 1], [D(2026, 11, 3), "Dan", "T1", 2]],
        resources=[["Alice", "Développeur", None, None]],
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    assert result.cost_to_date_eur == pytest.approx(600)
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.location) == (
        "RATE_MISSING",
        "error",
        "Charges!B3",
    )
    assert finding.params["consumed"] == 2
    assert result.incomplete_data is True


def test_a_profile_rate_not_yet_valid_is_missing_and_reported_at_the_ressources_row() -> None:
    # Alice's entry of 15/12/2025 comes before the first Développeur rate (01/01/2026)
    project = make_project(
        "PRJ-R2",
        [task("T1", "Alice", D(2025, 12, 15), D(2026, 1, 9), 0, planned=3)],
        entries=[[D(2025, 12, 15), "Alice", "T1", 1], [D(2026, 1, 5), "Alice", "T1", 2]],
        resources=[["Alice", "Développeur", None, None]],
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    # only the January days are costed: 2 × 500 = 1,000
    assert result.cost_to_date_eur == pytest.approx(1000)
    (finding,) = result.findings
    assert finding.location == "Ressources!C2"
    assert finding.params["date"] == D(2025, 12, 15)
    assert "Alice" in finding.message("fr")


def test_remaining_without_owner_is_costed_zero_and_reported() -> None:
    project = make_project(
        "PRJ-R3", [task("T1", None, D(2026, 11, 16), D(2026, 11, 20), 4, planned=4)]
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    assert result.eac_eur == 0
    assert [f.code for f in result.findings] == ["RATE_MISSING_OWNER"]
    assert result.findings[0].location == "Planning!C2"


def test_days_costed_at_zero_for_want_of_a_rate_are_among_the_run_findings() -> None:
    # The figures' RATE_MISSING reaches the findings the PMO reads (Contrôles, JSON), once.
    from pmo_xl.portfolio import analyse_project

    project = make_project(
        "PRJ-R4",
        [task("T1", "Alice", D(2025, 12, 15), D(2026, 1, 9), 0, planned=3)],
        entries=[[D(2025, 12, 15), "Alice", "T1", 1], [D(2026, 1, 5), "Alice", "T1", 2]],
        resources=[["Alice", "Développeur", None, None]],
    )
    load = analyse_project(project, SETTINGS, CUTOFF)
    rate = [f for f in load.findings if f.code.startswith("RATE_MISSING")]
    assert [(f.code, f.severity, f.location) for f in rate] == [
        ("RATE_MISSING", "error", "Ressources!C2")
    ]
    owner = make_project("PRJ-R5", [task("T1", None, D(2026, 11, 16), D(2026, 11, 20), 4)])
    load = analyse_project(owner, SETTINGS, CUTOFF)
    assert [f.location for f in load.findings if f.code == "RATE_MISSING_OWNER"] == ["Planning!C2"]


def test_a_person_with_no_rate_anywhere_keeps_their_capacity_and_their_time() -> None:
    # Léa (Architecte, no rate here nor in the PMO's TJM sheet, capacity 3 d/week) booked 2 days
    # on 2 Nov and has 5 days left on T2 in the week of 16 Nov (no public holiday).
    from pmo_xl.portfolio import analyse_project

    project = make_project(
        "PRJ-R6",
        [
            task("T1", "Alice", D(2026, 11, 2), D(2026, 11, 6), 0, planned=1),
            task("T2", "Léa", D(2026, 11, 16), D(2026, 11, 20), 5, planned=7),
        ],
        entries=[[D(2026, 11, 2), "Alice", "T1", 1], [D(2026, 11, 2), "Léa", "T2", 2]],
        resources=[["Alice", "Développeur", None, None], ["Léa", "Architecte", None, 3]],
    )
    settings = SETTINGS.model_copy(update={"source_file": "pmo.xlsx"})
    load = analyse_project(project, settings, CUTOFF)
    assert load.figures is not None and load.share is not None
    # Said once, at her rate cell: the check's error, not the figures' again.
    said = [(f.code, f.location) for f in load.findings if "RATE" in f.code]
    assert said == [("RESOURCE_NO_RATE", "Ressources!C3")]
    # Her time counts (1 + 2 = 3 days), costed at 0: Alice's day at 600 € (November rate).
    assert load.figures.consumed_days == pytest.approx(3)
    assert load.figures.cost_to_date_eur == pytest.approx(600)
    assert load.figures.incomplete_data is True
    # Her capacity is hers: 5 days in a week of 3 days' capacity (3 × 5 working days / 5).
    table = resource_load_of([load.share], settings).weekly
    lea = table[table["resource"] == "Léa"]
    assert lea[["load_days", "capacity_days", "over_allocated"]].values.tolist() == [
        [5.0, 3.0, True]
    ]


def test_a_task_left_out_takes_its_time_entries_with_it() -> None:
    # T1 is Terminé with 2 days left (an error: the row is left out). Its 3 days booked must go
    # with it, else they count as actual cost against no earned value.
    # Kept: T2, 9–20 Nov, planned 8, remaining 4, 4 days booked on 9 Nov; cut-off Fri 13 Nov.
    #   consumed 4, remaining 4, EAC 8; T2 progress 4 / (4 + 4) = 0.5, EV = 8 × 0.5 = 4
    #   PV = 8 × 4/9 (9, 10, 12, 13 Nov of 9 working days to 20 Nov; 11 Nov is a holiday)
    #   CPI = 4 / 4 = 1, SPI = 4 / (32/9) = 1.125; cost to date 4 × 600 € = 2,400 €
    from pmo_xl.portfolio import analyse_project

    project = make_project(
        "PRJ-L",
        [
            task(
                "T1", "Alice", D(2026, 11, 2), D(2026, 11, 6), 2,
                baseline=D(2026, 11, 6), planned=3, status="Terminé",
            ),
            task(
                "T2", "Alice", D(2026, 11, 9), D(2026, 11, 20), 4,
                baseline=D(2026, 11, 20), planned=8,
            ),
        ],
        entries=[[D(2026, 11, 2), "Alice", "T1", 3], [D(2026, 11, 9), "Alice", "T2", 4]],
        resources=[["Alice", "Développeur", None, None]],
    )  # fmt: skip
    load = analyse_project(project, SETTINGS, CUTOFF)
    figures = load.figures
    assert figures is not None
    assert [f.code for f in load.findings if f.severity == "error" and f.sheet != "Projet"] == [
        "PLANNING_DONE_WITH_REMAINING"
    ]
    assert (figures.consumed_days, figures.remaining_days, figures.eac_days) == (4, 4, 8)
    assert figures.ev_days == pytest.approx(4)
    assert figures.pv_days == pytest.approx(32 / 9)
    assert figures.cpi == pytest.approx(1.0)
    assert figures.spi == pytest.approx(1.125)
    assert figures.cost_to_date_eur == pytest.approx(2400)
    assert figures.incomplete_data is True


def test_a_duplicate_id_left_out_keeps_the_entries_of_the_task_that_stays() -> None:
    # The second T1 row is the error; the first T1 still counts, and so do its 3 days.
    from pmo_xl.portfolio import analyse_project

    project = make_project(
        "PRJ-L2",
        [
            task("T1", "Alice", D(2026, 11, 2), D(2026, 11, 6), 0, planned=3, status="Terminé"),
            task("T1", "Alice", D(2026, 11, 9), D(2026, 11, 13), 1, planned=2),
        ],
        entries=[[D(2026, 11, 2), "Alice", "T1", 3]],
        resources=[["Alice", "Développeur", None, None]],
    )
    load = analyse_project(project, SETTINGS, CUTOFF)
    assert "PLANNING_ID_DUPLICATE" in {f.code for f in load.findings}
    assert load.figures is not None and load.figures.consumed_days == 3


# --- §8–9: earned value ------------------------------------------------------------------------


def test_task_progress() -> None:
    project = complete_project()
    tasks = project.tasks.frame
    entries = valid_frame(project.time_entries, ERROR_ROWS)
    entries = entries[entries["date"] <= "2026-11-13"]
    progress = task_progress(tasks, entries)["progress"].tolist()
    # T1 Terminé → 1; T2 8 / (8 + 12) = 0.4; T3 0 / (0 + 10) = 0; T4 3 / (3 + 3) = 0.5;
    # T5 1 / (1 + 2) = 1/3; J1, J2: nothing consumed nor remaining → 0
    assert progress == pytest.approx([1, 0.4, 0, 0.5, 1 / 3, 0, 0])


def test_task_progress_is_zero_when_nothing_consumed_nor_remaining() -> None:
    project = make_project("P", [task("T1", "A", None, None, 0, planned=5, status="À faire")])
    assert task_progress(project.tasks.frame, project.time_entries.frame)["progress"].tolist() == [
        0
    ]


def test_a_done_task_with_no_time_booked_has_progress_one() -> None:
    # §8: Terminé → 1, even with nothing consumed nor remaining (not 0 / (0 + 0)).
    project = make_project("P", [task("T1", "A", None, None, 0, planned=5, status="Terminé")])
    assert task_progress(project.tasks.frame, project.time_entries.frame)["progress"].tolist() == [
        1
    ]


def test_earned_value(figures: ProjectFigures) -> None:
    # 10 × 1 + 28 × 0.4 + 10 × 0 + 10 × 0.5 + 3 × 1/3 = 10 + 11.2 + 0 + 5 + 1 = 27.2
    assert figures.ev_days == pytest.approx(27.2)


def test_elapsed_fraction_counts_working_days_of_the_baseline_span() -> None:
    fractions = elapsed_fraction(complete_project().tasks.frame, CUTOFF, "FR").tolist()
    # T1 réf 30/10 < cut-off → 1
    # T2 [02/11, 20/11]: [02/11, 13/11] = 5 + 4 = 9 working days of 9 + 5 = 14 → 9/14
    # T3 starts 23/11, after the cut-off → 0
    # T4 [02/11, 16/11]: 9 of 9 + 1 = 10 → 0.9
    # T5 réf 06/11 < cut-off → 1; J1 réf 06/11 → 1; J2 [04/12, 04/12] starts later → 0
    assert fractions == pytest.approx([1, 9 / 14, 0, 0.9, 1, 1, 0])


def test_elapsed_fraction_falls_back_on_fin_when_fin_reference_is_missing() -> None:
    # Début Mon 02/11, no Fin référence, Fin Fri 20/11 → 9 / 14
    project = make_project("P", [task("T1", "A", D(2026, 11, 2), D(2026, 11, 20), 5, planned=5)])
    assert elapsed_fraction(project.tasks.frame, CUTOFF, "FR").tolist() == pytest.approx([9 / 14])


def test_planned_value(figures: ProjectFigures) -> None:
    # 10 × 1 + 28 × 9/14 + 10 × 0 + 10 × 0.9 + 3 × 1 = 10 + 18 + 0 + 9 + 3 = 40
    assert figures.pv_days == pytest.approx(40)


def test_spi_and_cpi(figures: ProjectFigures) -> None:
    # SPI = 27.2 / 40 = 0.68; CPI = 27.2 / 23 = 1.1826…
    assert figures.spi == pytest.approx(0.68)
    assert figures.cpi == pytest.approx(27.2 / 23)


def test_indices_are_none_when_their_divisor_is_zero() -> None:
    # A task not started yet: nothing planned by the cut-off (PV 0), nothing consumed
    project = make_project(
        "P", [task("T1", "A", D(2026, 12, 1), D(2026, 12, 4), 4, planned=4, status="À faire")]
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    assert (result.pv_days, result.spi, result.cpi) == (0, None, None)


# --- §10: milestones --------------------------------------------------------------------------


def test_milestone_slip_across_armistice(figures: ProjectFigures) -> None:
    # J1: baseline Fri 06/11, forecast Thu 12/11: Mon 9, Tue 10, Thu 12 = 3 (Wed 11 is off)
    j1, j2 = figures.milestones
    assert (j1.id, j1.baseline, j1.forecast, j1.slip_days) == (
        "J1",
        D(2026, 11, 6),
        D(2026, 11, 12),
        3,
    )
    assert j1.late and not j1.is_final
    assert j1.source == "Planning!E7"
    # J2 on time and the final milestone (latest Fin référence, 04/12)
    assert (j2.slip_days, j2.is_final) == (0, True)


def test_milestone_slip_counts_the_working_days_of_the_pmos_holiday_country() -> None:
    # Baseline Fri 06/11, forecast Thu 12/11. Armistice (Wed 11/11) is not a holiday in
    # Germany: Mon 9, Tue 10, Wed 11, Thu 12 = 4 (3 in France).
    project = make_project(
        "P",
        [task("J1", None, d(12, 11), d(12, 11), None, baseline=d(6, 11), milestone="Oui")],
    )
    german = SETTINGS.model_copy(update={"holiday_country": "DE"})
    (j1,) = project_figures(project, german, CUTOFF).milestones
    assert j1.slip_days == 4


def test_planned_value_counts_the_working_days_of_the_pmos_holiday_country() -> None:
    # 9 days planned over Mon 09/11 → Fri 20/11, cut-off Fri 13/11.
    # France (Armistice off): 4 of 9 working days elapsed → PV 9 × 4/9 = 4.
    # Germany: 5 of 10 → PV 9 × 5/10 = 4.5.
    project = make_project(
        "P", [task("T1", "Alice", d(9, 11), d(20, 11), 9, baseline=d(20, 11), planned=9)]
    )
    german = SETTINGS.model_copy(update={"holiday_country": "DE"})
    assert (
        project_figures(project, german, CUTOFF).pv_days,
        project_figures(project, SETTINGS, CUTOFF).pv_days,
    ) == pytest.approx((4.5, 4))


def test_the_next_milestone_is_the_earliest_not_done(figures: ProjectFigures) -> None:
    assert figures.next_milestone is not None
    assert figures.next_milestone.id == "J1"


# --- weather ----------------------------------------------------------------------------------


def test_weather_of_the_complete_project(figures: ProjectFigures) -> None:
    # drift −4 % → green; SPI 0.68 → red; CPI 1.18 → green but above 1.10; J1 late → amber
    assert figures.weather_computed == "red"
    assert figures.weather == "red"
    assert [r.code for r in figures.weather_reasons] == [
        "WEATHER_SPI",
        "WEATHER_INDEX_SUSPICIOUS",
        "WEATHER_MILESTONE_LATE",
    ]


def test_manual_weather_with_a_reason_is_shown_and_the_computed_one_kept() -> None:
    # Drift: 3 + 8 = 11 days on a budget of 10 → +10 % → amber; the lead forces Soleil.
    # The task starts after the cut-off (PV 0 → no SPI); EV = 11 × 3/11 = 3, CPI = 3/3 = 1.
    project = make_project(
        "P",
        [task("T1", "A", D(2026, 11, 16), D(2026, 11, 20), 8, planned=11)],
        entries=[[D(2026, 11, 5), "A", "T1", 3]],
        info=[
            ["Budget initial (j)", 10],
            ["Météo manuelle", "Soleil"],
            ["Justification météo", "Dérive absorbée par le lot 2, validé en COPIL"],
        ],
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    assert result.drift_pct == pytest.approx(0.10)
    assert (result.weather, result.weather_computed) == ("green", "amber")
    assert result.weather_reasons[-1].code == "WEATHER_MANUAL"


# --- edge cases ---------------------------------------------------------------------------------


def test_drift_pct_is_none_when_the_budget_is_zero() -> None:
    # consumed 5 + remaining 5 = 10 on a budget of 0: drift 10 days, no percentage
    project = make_project(
        "P",
        [task("T1", "A", D(2026, 11, 2), D(2026, 11, 20), 5, planned=10)],
        entries=[[D(2026, 11, 5), "A", "T1", 5]],
        info=[["Budget initial (j)", 0]],
    )
    result = project_figures(project, SETTINGS, CUTOFF)
    assert (result.drift_days, result.drift_pct) == (10, None)


def test_progress_is_zero_when_eac_is_zero() -> None:
    project = make_project("P", [task("T1", "A", D(2026, 11, 2), D(2026, 11, 20), 0)])
    result = project_figures(project, SETTINGS, CUTOFF)
    assert (result.eac_days, result.progress_pct) == (0, 0)


def test_an_excluded_planning_row_is_left_out_of_every_figure() -> None:
    # T2 (row 3) carries an error: only T1's remaining (4) and planned (4) count
    project = make_project(
        "P",
        [
            task("T1", "A", D(2026, 11, 16), D(2026, 11, 20), 4, planned=4),
            task("T2", "A", D(2026, 11, 16), D(2026, 11, 20), 6, planned=6),
        ],
    )
    result = project_figures(project, SETTINGS, CUTOFF, {"planning": {3}})
    assert result.remaining_days == 4
    assert result.incomplete_data is True


def test_as_json_has_exactly_the_documented_keys(figures: ProjectFigures) -> None:
    data = figures.as_json("en")
    assert list(data) == list(JSON_PROJECT_FIELDS)
    assert data["milestones"][0] == {
        "id": "J1",
        "name": "Go recette",
        "baseline": "2026-11-06",
        "forecast": "2026-11-12",
        "slip_days": 3,
    }
    assert data["weather_reasons"][0]["code"] == "WEATHER_SPI"
    assert data["trend"] is None


# --- portfolio ----------------------------------------------------------------------------------


def test_portfolio_drift_pct_is_total_drift_over_total_budget() -> None:
    a = ProjectFigures(file="a.xlsx", budget_days=50, eac_days=48, drift_days=-2, weather="red")
    b = ProjectFigures(file="b.xlsx", budget_days=100, eac_days=120, drift_days=20)
    c = ProjectFigures(file="c.xlsx", budget_days=None, eac_days=7, weather="amber")
    totals = portfolio_totals([a, b, c])
    # budgets 50 + 100 = 150 (c has none); drift −2 + 20 = 18; 18 / 150 = 0.12
    assert totals["budget_days"] == 150
    assert totals["drift_days"] == 18
    assert totals["drift_pct"] == pytest.approx(0.12)
    assert totals["eac_days"] == 48 + 120 + 7
    assert totals["weather_counts"] == {"green": 1, "amber": 1, "red": 1}


# --- resource load across projects ----------------------------------------------------------------


def two_projects_for_alice() -> list[ProjectWorkbook]:
    # Cut-off Fri 06/11; the week of Mon 09/11 holds Armistice (Wed 11): 4 working days
    a = make_project(
        "PRJ-A",
        [task("A1", "Alice", D(2026, 11, 9), D(2026, 11, 13), 2.5)],
        resources=[["Alice", "Développeur", None, 5]],
    )
    b = make_project("PRJ-B", [task("B1", "alice", D(2026, 11, 9), D(2026, 11, 13), 2)])
    return [a, b]


@pytest.fixture(params=["C code", "Python"])
def c_code(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The weekly texts and dicts made by the C code (when built) and by plain Python alike."""
    monkeypatch.setenv("PMO_XL_NATIVE", "1" if request.param == "C code" else "0")


def test_one_person_on_two_projects_in_a_holiday_week_is_over_allocated(c_code: None) -> None:
    load = resource_load(two_projects_for_alice(), SETTINGS, D(2026, 11, 6))
    (week,) = load.weekly.to_dict("records")
    # load 2.5 + 2 = 4.5; capacity 5 × 4 / 5 = 4 → over-allocated
    assert week["resource"] == "Alice"
    assert week["week"].date() == D(2026, 11, 9)
    assert week["load_days"] == pytest.approx(4.5)
    assert week["capacity_days"] == pytest.approx(4)
    assert week["over_allocated"]
    assert week["by_project"] == {"PRJ-A": 2.5, "PRJ-B": 2.0}
    detail = load_by_project(load.weekly)
    assert detail[["project", "load_days"]].values.tolist() == [["PRJ-A", 2.5], ["PRJ-B", 2.0]]


def test_the_load_detail_names_each_weeks_projects_in_code_order_with_one_decimal(
    c_code: None,
) -> None:
    # PRJ-B's workbook comes first; the detail still lists PRJ-A first (code order), as the
    # by_project dict sorted. Weeks of Mon 09/11 (both) and Mon 16/11 (PRJ-B alone, 1.25 →
    # "1,2": Python rounds the binary 1.25 half to even).
    b = make_project(
        "PRJ-B",
        [
            task("B1", "Alice", D(2026, 11, 9), D(2026, 11, 13), 2),
            task("B2", "Alice", D(2026, 11, 16), D(2026, 11, 16), 1.25),
        ],
    )
    a = make_project("PRJ-A", [task("A1", "Alice", D(2026, 11, 9), D(2026, 11, 13), 2.5)])
    load = resource_load([b, a], SETTINGS, D(2026, 11, 6))
    assert load.detail is not None
    assert load.detail.texts(",") == ["PRJ-A : 2,5 ; PRJ-B : 2,0", "PRJ-B : 1,2"]
    assert load.detail.texts(".") == ["PRJ-A : 2.5 ; PRJ-B : 2.0", "PRJ-B : 1.2"]


def test_load_is_spread_evenly_over_the_working_days_of_the_task() -> None:
    # 3 days over Mon 09 → Mon 16/11: 9, 10, 12, 13, 16 = 5 working days → 0.6 a day
    # week of 09/11: 4 × 0.6 = 2.4; week of 16/11: 1 × 0.6 = 0.6
    project = make_project("P", [task("T1", "Bob", D(2026, 11, 9), D(2026, 11, 16), 3)])
    weekly = resource_load([project], SETTINGS, D(2026, 11, 6)).weekly
    assert [w.date() for w in weekly["week"]] == [D(2026, 11, 9), D(2026, 11, 16)]
    assert weekly["load_days"].tolist() == pytest.approx([2.4, 0.6])


def test_load_starts_the_day_after_the_cutoff() -> None:
    # Task 02/11 → 13/11 with 4 days left at cut-off Fri 06/11: spread over Sat 07 → Fri 13,
    # i.e. Mon 9, Tue 10, Thu 12, Fri 13 → 1 a day, all in the week of 09/11
    project = make_project("P", [task("T1", "Bob", D(2026, 11, 2), D(2026, 11, 13), 4)])
    weekly = resource_load([project], SETTINGS, D(2026, 11, 6)).weekly
    assert [w.date() for w in weekly["week"]] == [D(2026, 11, 9)]
    assert weekly["load_days"].tolist() == pytest.approx([4])


def test_a_late_task_loads_the_first_working_day_after_the_cutoff_and_is_reported() -> None:
    # Fin Thu 05/11 is past at cut-off Tue 10/11: the 2 days go on Thu 12/11 (Wed 11 is off)
    project = make_project("P", [task("T1", "Bob", D(2026, 11, 2), D(2026, 11, 5), 2)])
    load = resource_load([project], SETTINGS, D(2026, 11, 10))
    assert load.weekly["load_days"].tolist() == [2]
    assert load.weekly["week"].iloc[0].date() == D(2026, 11, 9)
    (finding,) = load.findings
    assert (finding.code, finding.severity, finding.location) == (
        "TASK_LATE_LOAD",
        "warning",
        "Planning!E2",
    )
    assert finding.params["placed"] == D(2026, 11, 12)


def test_done_cancelled_milestones_and_empty_remaining_do_not_load() -> None:
    project = make_project(
        "P",
        [
            task("T1", "Bob", D(2026, 11, 9), D(2026, 11, 13), 2, status="Terminé"),
            task("T2", "Bob", D(2026, 11, 9), D(2026, 11, 13), 2, status="Abandonné"),
            task("J1", "Bob", D(2026, 11, 13), D(2026, 11, 13), 2, milestone="Oui"),
            task("T3", "Bob", D(2026, 11, 9), D(2026, 11, 13), 0),
            task("T4", "Bob", D(2026, 11, 9), D(2026, 11, 13), 1),
        ],
    )
    # only T4: 1 day
    assert resource_load([project], SETTINGS, D(2026, 11, 6)).weekly["load_days"].tolist() == [1]


def test_a_load_equal_to_the_capacity_is_not_over_allocated() -> None:
    # Week of Mon 09/11 (Armistice on Wed 11): capacity 5 × 4/5 = 4; 4 days left over Mon 09
    # → Fri 13 (1 a day) load exactly 4. Over-allocated only when load > capacity.
    project = make_project(
        "P",
        [task("T1", "Alice", d(9, 11), d(13, 11), 4)],
        resources=[["Alice", "Développeur", None, 5]],
    )
    (week,) = resource_load([project], SETTINGS, D(2026, 11, 6)).weekly.to_dict("records")
    assert (week["capacity_days"], week["load_days"], week["over_allocated"]) == (4, 4, False)


def test_capacity_is_the_smallest_one_given_across_projects() -> None:
    # Alice: 4 j/sem in PRJ-A, 3 in PRJ-B → 3; week of 16/11 has 5 working days → 3 × 5/5 = 3;
    # her 5 days over Mon 16 → Fri 20 (1 a day) exceed it
    a = make_project(
        "PRJ-A",
        [task("A1", "Alice", D(2026, 11, 16), D(2026, 11, 20), 5)],
        resources=[["Alice", None, 500, 4]],
    )
    b = make_project("PRJ-B", [], resources=[["Alice", None, 500, 3]])
    (week,) = resource_load([a, b], SETTINGS, D(2026, 11, 13)).weekly.to_dict("records")
    assert (week["capacity_days"], week["load_days"], week["over_allocated"]) == (3, 5, True)


def test_excluded_rows_do_not_load() -> None:
    projects = two_projects_for_alice()
    excluded = {"projet_PRJ-B.xlsx": {"planning": {2}}}
    (week,) = resource_load(projects, SETTINGS, D(2026, 11, 6), excluded).weekly.to_dict("records")
    # PRJ-B's task is left out: 2.5 ≤ 4
    assert (week["load_days"], week["over_allocated"]) == (2.5, False)


# --- effort by month ------------------------------------------------------------------------------


def test_effort_by_month_of_the_complete_project() -> None:
    rows = effort_by_month(
        [complete_project()], SETTINGS, CUTOFF, {"projet_PRJ-001.xlsx": ERROR_ROWS}
    )
    table = {
        (r["month"].date(), r["resource"]): (r["consumed_days"], r["remaining_days"])
        for r in rows.to_dict("records")
    }
    # Consumed: Alice Oct 5 + 5, Nov 1; Bob Nov 4 + 4 + 1; Carla Nov 2 + 1.
    # Remaining, from Sat 14/11: T2 Bob 12 over 16–27/11 (10 working days) → all in November;
    # T3 Alice 10 over 23/11–04/12: 23–27, 30 Nov = 6 days, 1–4 Dec = 4 → 6 / 4;
    # T4 Carla 3 over 16–20/11 → November. T5 is Abandonné.
    assert table == {
        (D(2026, 10, 1), "Alice"): (10, 0),
        (D(2026, 11, 1), "Alice"): (1, 6),
        (D(2026, 11, 1), "Bob"): (9, 12),
        (D(2026, 11, 1), "Carla"): (3, 3),
        (D(2026, 12, 1), "Alice"): (0, 4),
    }
    # per project the sheet adds up to the consolidation: 23 consumed, 25 remaining
    assert rows["consumed_days"].sum() == pytest.approx(23)
    assert rows["remaining_days"].sum() == pytest.approx(25)


# --- A project's share of the cross-project tables (what a worker sends back) -----------------


def test_a_project_share_sums_load_per_person_and_week_and_effort_per_month() -> None:
    # Cut-off Fri 06/11. T1 (Bob): 3 days over Mon 09 -> Mon 16/11 = 5 working days, 0.6 a day:
    # week of 09/11 = 2.4, week of 16/11 = 0.6, both in November. T2 has no owner: no load, but
    # its 2 days (Mon 09/11 alone) count in the effort with no resource.
    # Time: Bob 1 + 0.5 in October, 1 in November (on 02/11); 10/11 is after the cut-off.
    project = make_project(
        "P",
        [
            task("T1", "Bob", D(2026, 11, 9), D(2026, 11, 16), 3),
            task("T2", None, D(2026, 11, 9), D(2026, 11, 9), 2),
        ],
        entries=[
            [D(2026, 10, 5), "Bob", "T1", 1],
            [D(2026, 10, 6), "bob", "T1", 0.5],
            [D(2026, 11, 2), "Bob", "T1", 1],
            [D(2026, 11, 10), "Bob", "T1", 4],
        ],
    )
    share = project_share(project, SETTINGS, D(2026, 11, 6))
    assert share.load["key"].tolist() == ["bob", "bob"]
    assert [str(w)[:10] for w in share.load["week"]] == ["2026-11-09", "2026-11-16"]
    assert share.load["load_days"].tolist() == pytest.approx([2.4, 0.6])
    assert share.effort["key"].tolist() == ["bob", "bob", None]  # no owner sorts last
    assert [str(m)[:10] for m in share.effort["month"]] == [
        "2026-10-01",
        "2026-11-01",
        "2026-11-01",
    ]
    assert share.effort["consumed_days"].tolist() == pytest.approx([1.5, 1.0, 0.0])
    assert share.effort["remaining_days"].tolist() == pytest.approx([0.0, 3.0, 2.0])
    assert share.owners == {"bob": "Bob"} and share.entrants == {"bob": "Bob"}


def test_stacking_shares_keeps_types_and_blanks_a_column_a_project_lacks() -> None:
    from pmo_xl.model import join_columns

    a = {
        "id": np.array(["R1", "R2"], dtype=object),
        "due": np.array(["2026-11-02", "NaT"], dtype="datetime64[ns]"),
    }
    b = {"id": np.array(["R9"], dtype=object)}
    frame = join_columns([a, {}, b])
    assert frame["id"].tolist() == ["R1", "R2", "R9"]
    # "due" exists in A only: B's row gets a blank date there, A's dates stay dates.
    assert str(frame["due"].dtype).startswith("datetime64")
    assert frame["due"].tolist()[0] == pd.Timestamp(2026, 11, 2)
    assert pd.isna(frame["due"]).tolist() == [False, True, True]


def test_stacking_shares_with_dates_and_text_in_one_column_keeps_the_dates() -> None:
    from pmo_xl.model import join_columns

    # numpy would turn datetime64[ns] into integers when mixed with text: they stay dates.
    a = {"due": np.array(["2026-11-02"], dtype="datetime64[ns]")}
    b = {"due": np.array(["fin novembre"], dtype=object)}
    assert join_columns([a, b])["due"].tolist() == [pd.Timestamp(2026, 11, 2), "fin novembre"]


def test_loads_of_a_person_week_and_project_are_summed_and_sorted() -> None:
    from pmo_xl.consolidation import _person_week_project

    monday, next_monday = np.datetime64("2026-11-23", "ns"), np.datetime64("2026-11-30", "ns")
    # Rows as shares give them: person 1's two weeks on project 0, person 0 on projects 1, 0.
    person = np.array([1, 1, 0, 0], dtype=np.int64)
    week = np.array([next_monday, monday, monday, monday])
    project = np.array([0, 0, 1, 0], dtype=np.int64)
    distinct = _person_week_project(person, week, project, np.array([1.5, 2.0, 0.5, 1.0]))
    assert distinct.values.tolist() == [
        [0, pd.Timestamp(monday), 0, 1.0],
        [0, pd.Timestamp(monday), 1, 0.5],
        [1, pd.Timestamp(monday), 0, 2.0],
        [1, pd.Timestamp(next_monday), 0, 1.5],
    ]
    # Person 1's two rows in one week, on one project (two rows of a share): 1.5 + 2.0.
    same_week = np.array([monday] * 4)
    summed = _person_week_project(person, same_week, project, np.array([1.5, 2.0, 0.5, 1.0]))
    assert summed["load_days"].tolist() == [1.0, 0.5, 3.5]


def test_effort_rows_are_sorted_by_project_month_and_resource_a_blank_one_last() -> None:
    from pmo_xl.consolidation import _by_project_month_resource

    may, june = pd.Timestamp("2026-05-01"), pd.Timestamp("2026-06-01")
    frame = {
        "project": np.array(["PRJ-B", "PRJ-A", "PRJ-A", "PRJ-A"], dtype=object),
        "month": np.array([may, june, may, may], dtype="datetime64[ns]"),
        "resource": np.array(["Léa", None, "Zoé", "Léa"], dtype=object),
        "consumed_days": np.array([1.0, 2.0, 3.0, 4.0]),
        "remaining_days": np.array([0.5, 0.0, 0.0, 1.5]),
    }
    # Ranks as effort_by_month_of gives them: PRJ-A 0, PRJ-B 1; Léa 0, Zoé 1, blank 2.
    projects = np.array([1, 0, 0, 0])
    rows = _by_project_month_resource(frame, projects, np.array([0, 2, 1, 0])).values.tolist()
    assert rows[:2] == [["PRJ-A", may, "Léa", 4.0, 1.5], ["PRJ-A", may, "Zoé", 3.0, 0.0]]
    assert rows[2][:2] == ["PRJ-A", june] and pd.isna(rows[2][2]) and rows[2][3:] == [2.0, 0.0]
    assert rows[3] == ["PRJ-B", may, "Léa", 1.0, 0.5]
    # Two spellings shown alike: PRJ-A, May, Léa twice → 4 + 3 = 7 consumed, 1.5 remaining.
    frame["resource"][2] = "Léa"
    summed = _by_project_month_resource(frame, projects, np.array([0, 2, 0, 0])).values.tolist()
    assert summed[0] == ["PRJ-A", may, "Léa", 7.0, 1.5] and len(summed) == 3


@pytest.mark.parametrize("seed", range(6))
def test_one_key_sort_gives_lexsorts_order(seed: int) -> None:
    """The load rows sorted through one combined key come in np.lexsort's order, duplicates in
    their first order, whatever the keys (large or negative ones go through lexsort itself)."""
    from pmo_xl.consolidation import _day_numbers, _lexsorted

    rng = np.random.default_rng(seed)
    n = 2_000
    high = [3, 50, 10**7][seed % 3]
    person = rng.integers(0, high, n)
    project = rng.integers(0, 40, n)
    if seed == 4:
        project = project - 20  # negative: lexsort itself
    mondays = np.datetime64("2026-01-05", "ns") + rng.integers(0, 60, n) * np.timedelta64(7, "D")
    week = mondays.copy()
    if seed == 5:
        week[::7] = np.datetime64("NaT", "ns")  # blank weeks: their nanoseconds as they are
        week[1::11] += np.timedelta64(3, "h")  # a week not at midnight, likewise
    expected = np.lexsort((project, week.view(np.int64), person))
    assert (_lexsorted(person, _day_numbers(week), project) == expected).all()
    days = _day_numbers(mondays)
    assert days.min() == 0 and (np.diff(np.unique(days)) % 7 == 0).all()


def test_day_numbers_keep_the_weeks_order() -> None:
    from pmo_xl.consolidation import _day_numbers

    weeks = np.array(["2026-11-30", "2026-11-23", "2027-01-04"], dtype="datetime64[ns]")
    assert _day_numbers(weeks).tolist() == [7, 0, 42]  # days from 23 Nov 2026
    timed = weeks + np.timedelta64(1, "h")
    assert (_day_numbers(timed) == timed.view(np.int64)).all()
