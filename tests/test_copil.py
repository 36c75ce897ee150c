"""The COPIL report: what it says (model), how it is laid out (sheet), what the direction gets
(standalone workbook and PDF, rendered by LibreOffice for the demo portfolio)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from pmo_xl import copil
from pmo_xl.consolidation import MilestoneFigure, ProjectFigures, portfolio_totals
from pmo_xl.copil import CopilReport, build_report, copil_layout, write_copil_workbook
from pmo_xl.history import HISTORY_COLUMNS
from pmo_xl.layout import SheetLayout
from pmo_xl.model import Finding, Settings, Thresholds
from pmo_xl.portfolio import PortfolioResult
from pmo_xl.scanning import FileStatus
from pmo_xl.weather import Reason

CUTOFF = dt.date(2026, 3, 20)
PREVIOUS = dt.date(2026, 2, 20)
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice is not installed"
)


# ---------------------------------------------------------------------------------------------
# A small portfolio built by hand
# ---------------------------------------------------------------------------------------------


def _project(code: str, **fields: Any) -> ProjectFigures:
    base: dict[str, Any] = {
        "code": code,
        "name": f"Projet {code[-1]}",
        "lead": "Claire Martin",
        "file": f"projet_{code}.xlsx",
        "budget_days": 100.0,
        "consumed_days": 50.0,
        "remaining_days": 48.0,
        "eac_days": 98.0,
        "drift_days": -2.0,
        "drift_pct": -0.02,
        "progress_pct": 50 / 98,
        "budget_eur": 60_000.0,
        "cost_to_date_eur": 30_000.0,
        "eac_eur": 58_800.0,
        "drift_eur": -1_200.0,
        "spi": 1.0,
        "cpi": 1.02,
        "weather": "green",
        "weather_computed": "green",
        "trend": "same",
        "cutoff": CUTOFF,
    }
    return ProjectFigures(**(base | fields))


def _final_milestone(slip: int) -> MilestoneFigure:
    return MilestoneFigure(
        id="T9",
        name="Jalon : mise en production",
        baseline=dt.date(2026, 3, 27),
        forecast=dt.date(2026, 4, 6),
        status="todo",
        slip_days=slip,
        is_final=True,
        late=slip > 0,
    )


def small_projects() -> list[ProjectFigures]:
    """A on track; B turns red by drift (200 j → 236 j: +36 j = +18 %); C turns red by its final
    milestone (6 working days late); D stays amber (CPI 0.92)."""
    late = _final_milestone(6)
    return [
        _project("PRJ-A"),
        _project(
            "PRJ-B",
            budget_days=200.0,
            eac_days=236.0,
            drift_days=36.0,
            drift_pct=0.18,
            weather="red",
            weather_computed="red",
            trend="worse",
            weather_reasons=[
                Reason(
                    code="WEATHER_DRIFT",
                    signal="red",
                    params={"drift_pct": 0.18, "percent": 18.0, "limit": 10.0},
                )
            ],
        ),
        _project(
            "PRJ-C",
            weather="red",
            weather_computed="red",
            trend="worse",
            milestones=[late],
            next_milestone=late,
            weather_reasons=[
                Reason(
                    code="WEATHER_FINAL_MILESTONE_LATE",
                    signal="red",
                    params={
                        "id": "T9",
                        "name": "Jalon : mise en production",
                        "baseline": late.baseline,
                        "forecast": late.forecast,
                        "slip_days": 6,
                    },
                )
            ],
        ),
        _project(
            "PRJ-D",
            project_cutoff=dt.date(2026, 1, 30),
            cpi=0.92,
            weather="amber",
            weather_computed="amber",
            weather_reasons=[
                Reason(
                    code="WEATHER_CPI",
                    signal="amber",
                    params={"index": "CPI", "value": 0.92, "limit": 0.95},
                )
            ],
        ),
    ]


def _history(previous: dict[str, str]) -> pd.DataFrame:
    rows = [
        {c: None for c in HISTORY_COLUMNS} | {"cutoff": PREVIOUS, "code": code, "weather": w}
        for code, w in previous.items()
    ]
    return pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))


def _risks(criticities: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [f"R{i}" for i in range(len(criticities))],
            "title": [f"Risque {i}" for i in range(len(criticities))],
            "probability": [2.0] * len(criticities),
            "impact": [c / 2 for c in criticities],
            "owner": ["Léa Fournier"] * len(criticities),
            "mitigation": ["Atelier de cadrage"] * len(criticities),
            "due": [pd.Timestamp("2026-04-30")] * len(criticities),
            "status": ["open"] * len(criticities),
            "project": ["PRJ-A"] * len(criticities),
            "criticity": criticities,
        }
    )


def _actions() -> pd.DataFrame:
    """Listed in the wrong order on purpose: due 27/03 (open), 02/03 (late), 10/03 (late)."""
    due = pd.to_datetime(["2026-03-27", "2026-03-02", "2026-03-10"])
    return pd.DataFrame(
        {
            "title": ["Préparer la recette", "Signer le bon de commande", "Valider les maquettes"],
            "owner": ["Hugo Bonnet", "Inès Mercier", "Thomas Petit"],
            "due": due,
            "status": ["todo", "in_progress", "todo"],
            "origin": ["COPIL 2026-02-20"] * 3,
            "project": ["PRJ-A", "PRJ-B", "PRJ-C"],
            "overdue": due < pd.Timestamp(CUTOFF),
        }
    )


def _decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": ["Décaler la mise en production", "Valider le budget révisé (+36 j)"],
            "requested_by": ["Claire Martin", "Julien Moreau"],
            "date": pd.to_datetime(["2026-03-13", "2026-02-03"]),
            "status": ["pending", "pending"],
            "impact_days": [float("nan"), 36.0],
            "impact_eur": [float("nan"), 21_600.0],
            "project": ["PRJ-C", "PRJ-B"],
            # 20/03 − 13/03 = 7 days; 20/03 − 03/02 = 45 days (over the 30-day limit).
            "waiting_days": [7, 45],
        }
    )


def small_result(**changes: Any) -> PortfolioResult:
    projects = changes.pop("projects", small_projects())
    settings = Settings(portfolio_name="Portefeuille test", prepared_by="Nathalie Roche")
    result = PortfolioResult(
        cutoff=CUTOFF,
        settings=settings,
        run_at=dt.datetime(2026, 3, 21, 9, 30),
        projects=projects,
        totals=portfolio_totals(projects),
        resource_load=pd.DataFrame(
            {
                "resource": ["Marie Curie", "Marie Curie"],
                "week": pd.to_datetime(["2026-03-23", "2026-03-30"]),
                "load_days": [7.0, 3.0],
                "capacity_days": [5.0, 5.0],
                "over_allocated": [True, False],
                "by_project": [{"PRJ-A": 4.0, "PRJ-B": 3.0}, {"PRJ-A": 3.0}],
            }
        ),
        effort=pd.DataFrame(
            {
                "project": ["PRJ-A", "PRJ-A"],
                "month": pd.to_datetime(["2026-02-01", "2026-04-01"]),
                "resource": ["Marie Curie", "Marie Curie"],
                "consumed_days": [50.0, 0.0],
                "remaining_days": [0.0, 48.0],
            }
        ),
        findings=[
            Finding(
                file="projet_PRJ-B.xlsx",
                project="PRJ-B",
                sheet="Planning",
                cell="F12",
                severity="error",
                code="PLANNING_END_BEFORE_START",
                params={"start": dt.date(2026, 3, 9), "end": dt.date(2026, 3, 2)},
            )
        ],
        files=[
            FileStatus("projet_PRJ-E.xlsx", "missing", project="PRJ-E", reason="introuvable"),
            FileStatus("vieux.xlsx", "rejected", reason="fichier protégé par mot de passe"),
        ],
        risks=_risks([4, 16, 9, 12, 1, 2, 3, 6, 8, 6, 12, 2]),
        actions=_actions(),
        decisions=_decisions(),
        history=_history({"PRJ-A": "green", "PRJ-B": "amber", "PRJ-C": "green", "PRJ-D": "amber"}),
        stale=["PRJ-D"],
    )
    for key, value in changes.items():
        setattr(result, key, value)
    return result


@pytest.fixture
def report() -> CopilReport:
    return build_report(small_result(), "fr")


def grid(layout: SheetLayout) -> list[list[Any]]:
    return layout.to_grid().rows


def row_of(layout: SheetLayout, value: Any, col: int = 0) -> int:
    return next(r for r, row in enumerate(grid(layout)) if len(row) > col and row[col] == value)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------


def test_report_sections_follow_the_copil_pack_order(report: CopilReport) -> None:
    assert report.section_names() == [
        "header", "synthesis", "projects", "milestones", "charts", "risks", "decisions",
        "actions", "data_quality",
    ]  # fmt: skip


def test_header_names_portfolio_cutoff_period_and_author(report: CopilReport) -> None:
    h = report.header
    assert (h.portfolio_name, h.cutoff, h.previous_cutoff, h.prepared_by) == (
        "Portefeuille test",
        CUTOFF,
        PREVIOUS,
        "Nathalie Roche",
    )
    assert h.generated_on == dt.datetime(2026, 3, 21, 9, 30)


def test_synthesis_says_which_projects_turned_red_and_why(report: CopilReport) -> None:
    assert report.synthesis.sentences[0] == (
        "2 projets passent à l'orage : PRJ-B Projet B (dérive de 18\u00a0% du budget) et "
        "PRJ-C Projet C (jalon final en retard de 6\u00a0jours ouvrés)."
    )


def test_a_project_already_red_stays_red_in_the_synthesis() -> None:
    result = small_result(history=_history({"PRJ-B": "red", "PRJ-C": "amber"}))
    first = build_report(result, "fr").synthesis.sentences[0]
    assert first.startswith("PRJ-C Projet C passe à l'orage (jalon final en retard de 6")
    assert "PRJ-B Projet B reste à l'orage (dérive de 18\u00a0% du budget)" in first


def test_without_history_the_synthesis_says_which_projects_are_red() -> None:
    report = build_report(small_result(history=_history({})), "fr")
    assert report.synthesis.sentences[0].startswith("2 projets sont à l'orage : PRJ-B Projet B (")
    assert all(p.previous_weather is None for p in report.projects)


def test_synthesis_gives_totals_biggest_drift_committee_people_and_data(
    report: CopilReport,
) -> None:
    text = " ".join(report.synthesis.sentences)
    # EAC 98 + 236 + 98 + 98 = 530 j for 100 + 200 + 100 + 100 = 500 j: +30 j, +6 %.
    assert "estimé à 530\u00a0j pour 500\u00a0j budgétés (+30\u00a0j, soit +6\u00a0%)" in text
    assert "la plus forte dérive est celle de PRJ-B Projet B (+36\u00a0j, +18\u00a0%)" in text
    assert "2 décisions attendent le comité" in text
    assert "dont « Valider le budget révisé (+36 j) » (PRJ-B) depuis 45 jours" in text
    assert "2 des 3 actions ouvertes sont en retard" in text
    # Marie Curie: 7 j planned for 5 j of capacity in the week of 23/03/2026.
    assert "1 personne est surchargée" in text and "Marie Curie (7\u00a0j planifiés" in text
    assert "5\u00a0j la semaine du 23/03/2026)" in text
    assert "1 classeur manque (PRJ-E)" in text and "1 classeur est rejeté (vieux.xlsx)" in text


def test_synthesis_has_three_to_six_sentences(report: CopilReport) -> None:
    assert 3 <= len(report.synthesis.sentences) <= 6
    empty = build_report(small_result(projects=[], files=[], findings=[]), "fr")
    assert 3 <= len(empty.synthesis.sentences) <= 6


def test_synthesis_in_english() -> None:
    sentences = build_report(small_result(), "en").synthesis.sentences
    assert sentences[0] == (
        "2 projects turn stormy: PRJ-B Projet B (drift of 18% of the budget) and "
        "PRJ-C Projet C (final milestone late by 6 working days)."
    )


def test_projects_worst_weather_first_with_trend_and_reasons(report: CopilReport) -> None:
    assert [(p.code, p.weather, p.trend) for p in report.projects] == [
        ("PRJ-B", "red", "worse"),
        ("PRJ-C", "red", "worse"),
        ("PRJ-D", "amber", "same"),
        ("PRJ-A", "green", "same"),
    ]
    b, c, d, a = report.projects
    assert b.reasons == ["dérive de 18\u00a0% du budget (seuil 10\u00a0%)"]
    assert c.reasons == [
        "jalon final « mise en production » en retard de 6\u00a0jours ouvrés "
        "(06/04/2026 au lieu du 27/03/2026)"
    ]
    assert d.detailed and d.stale and not a.detailed and a.reasons == []
    assert (c.next_milestone, c.next_milestone_slip) == ("Jalon : mise en production", 6)


def test_totals_are_the_consolidation_totals(report: CopilReport) -> None:
    t = report.synthesis.totals
    # Budget 500 j, EAC 530 j; € : 4 × 60 000 = 240 000 budget, 4 × 58 800 = 235 200 EAC.
    assert (t.budget_days, t.eac_days, t.drift_days) == (500.0, 530.0, 30.0)
    assert t.drift_pct == pytest.approx(0.06)
    assert (t.budget_eur, t.eac_eur, t.drift_eur) == (240_000.0, 235_200.0, -4_800.0)
    assert t.remaining_eur == 235_200.0 - 120_000.0
    assert report.synthesis.weather_counts == {"green": 1, "amber": 1, "red": 2}


def test_top_risks_are_at_most_ten_sorted_by_criticity(report: CopilReport) -> None:
    assert [r.criticity for r in report.risks.rows] == [16, 12, 12, 9, 8, 6, 6, 4, 3, 2]
    assert report.risks.open_count == 12


def test_overdue_actions_come_first(report: CopilReport) -> None:
    rows = report.actions.rows
    assert [(a.title, a.overdue, a.days_late) for a in rows] == [
        ("Signer le bon de commande", True, 18),  # due 02/03: 18 days before 20/03
        ("Valider les maquettes", True, 10),
        ("Préparer la recette", False, None),
    ]
    assert rows[1].status == "À faire"
    assert (report.actions.open_count, report.actions.overdue_count) == (3, 2)


def test_decisions_longest_waiting_first_flagged_past_the_limit(report: CopilReport) -> None:
    assert [(d.project, d.waiting_days, d.waiting_too_long) for d in report.decisions] == [
        ("PRJ-B", 45, True),
        ("PRJ-C", 7, False),
    ]


def test_milestones_late_first() -> None:
    on_time = MilestoneFigure(
        id="T3",
        name="Recette",
        baseline=dt.date(2026, 3, 31),
        forecast=dt.date(2026, 3, 31),
        status="todo",
        slip_days=0,
    )
    projects = small_projects()
    projects[0] = projects[0].model_copy(update={"milestones": [on_time]})
    rows = build_report(small_result(projects=projects), "fr").milestones.rows
    assert [(m.project, m.state, m.slip_days) for m in rows] == [
        ("PRJ-C", "late", 6),
        ("PRJ-A", "upcoming", 0),
    ]


def test_data_quality_lists_missing_rejected_stale_and_error_counts(
    report: CopilReport,
) -> None:
    rows = [(r.project, r.file, r.state, r.errors, r.warnings) for r in report.data_quality.rows]
    assert rows == [
        ("PRJ-E", "projet_PRJ-E.xlsx", "missing", 0, 0),
        (None, "vieux.xlsx", "rejected", 0, 0),
        ("PRJ-D", "projet_PRJ-D.xlsx", "stale", 0, 0),
        ("PRJ-B", "projet_PRJ-B.xlsx", "errors", 1, 0),
    ]
    rejected = report.data_quality.rows[1]
    assert rejected.detail == "fichier protégé par mot de passe"
    # Stale by the previous cut-off or by age: the line says the declared date either way.
    assert report.data_quality.rows[2].detail == "pas mis à jour : arrêté déclaré au 30/01/2026"
    assert report.data_quality.rows[3].detail is not None
    assert "Planning!F12 : La fin (02/03/2026) est avant le début (09/03/2026)" in (
        report.data_quality.rows[3].detail
    )
    assert report.data_quality.clean == 2  # PRJ-A and PRJ-C


def test_a_workbook_stale_by_its_file_date_alone_is_not_said_to_declare_a_cut_off() -> None:
    result = small_result()
    for p in result.projects:
        if p.code == "PRJ-D":
            p.project_cutoff = None
    (row,) = [r for r in build_report(result, "fr").data_quality.rows if r.state == "stale"]
    assert row.detail == "fichier non modifié depuis le dernier arrêté"


def test_chart_data_budget_vs_eac_effort_per_month_and_over_allocation(
    report: CopilReport,
) -> None:
    budget, effort, load = report.charts
    assert budget.categories == ["PRJ-A", "PRJ-B", "PRJ-C", "PRJ-D"]
    assert budget.series[1][1] == [98.0, 236.0, 98.0, 98.0]
    assert effort.categories == ["févr. 26", "avr. 26"]
    assert effort.series == [("Consommé", [50.0, 0.0]), ("Reste à faire planifié", [0.0, 48.0])]
    assert (load.categories, load.series) == (
        ["Marie Curie"],
        [("Charge", [7.0]), ("Capacité", [5.0])],
    )


def _many_over_allocated(n: int) -> pd.DataFrame:
    """Person k (1…n) loaded 5 + k days in a 5-day week: excess k, the last one the worst."""
    return pd.DataFrame(
        {
            "resource": [f"Personne {k:02d}" for k in range(1, n + 1)],
            "week": pd.to_datetime(["2026-03-23"] * n),
            "load_days": [5.0 + k for k in range(1, n + 1)],
            "capacity_days": [5.0] * n,
            "over_allocated": [True] * n,
            "by_project": [{"PRJ-A": 5.0 + k} for k in range(1, n + 1)],
        }
    )


def test_charts_of_a_large_portfolio_keep_the_largest_drifts_and_worst_overloads() -> None:
    # 17 projects: PRJ-00…PRJ-16, EAC = 100 + i days on a 100-day budget (drift i days).
    # The 15 largest drifts are PRJ-02…PRJ-16; PRJ-00 (0 d) and PRJ-01 (1 d) are left out,
    # and so is PRJ-99: no budget, hence no drift, however large its EAC.
    many = [_project(f"PRJ-{i:02d}", eac_days=100.0 + i, drift_days=float(i)) for i in range(17)]
    many.append(_project("PRJ-99", budget_days=None, eac_days=500.0, drift_days=None))
    result = small_result(projects=many, resource_load=_many_over_allocated(12))
    budget, _effort, load = build_report(result, "fr").charts
    assert budget.categories == [f"PRJ-{i:02d}" for i in range(2, 17)]  # by code
    assert budget.series[1][1] == [100.0 + i for i in range(2, 17)]
    assert budget.total == 18
    # 12 people over capacity by 1…12 days: the 8 worst are 12 down to 5, worst first.
    assert load.categories == [f"Personne {k:02d}" for k in range(12, 4, -1)]
    assert load.series[0][1] == [5.0 + k for k in range(12, 4, -1)]
    assert load.total == 12


def test_capped_charts_say_what_they_leave_out() -> None:
    many = [_project(f"PRJ-{i:02d}", eac_days=100.0 + i, drift_days=float(i)) for i in range(17)]
    result = small_result(projects=many, resource_load=_many_over_allocated(12))
    layout = copil_layout(build_report(result, "fr"), "fr")
    rows = grid(layout)
    title = row_of(layout, "Charge et coûts")
    assert rows[title][3] == (
        "Budget : les 15 plus fortes dérives sur 17 projets"
        " · surcharges : les 8 personnes les plus surchargées sur 12"
    )
    english = grid(copil_layout(build_report(result, "en"), "en"))
    assert "the 8 most over-allocated of 12 people" in " ".join(
        str(v) for row in english for v in row if v
    )


def test_charts_of_a_small_portfolio_show_everything(report: CopilReport) -> None:
    assert [chart.total for chart in report.charts] == [0, 0, 0]
    layout = copil_layout(report, "fr")
    title = grid(layout)[row_of(layout, "Charge et coûts")]
    assert not any(title[1:])  # no note beside the section title


def test_french_number_formats_in_text() -> None:
    assert copil.fmt_number(1234.5, "fr", 1) == "1\u00a0234,5"
    assert copil.fmt_pct(0.2028, "fr") == "20,3\u00a0%"
    assert copil.fmt_eur(20155, "fr", signed=True) == "+20\u00a0155\u00a0€"
    assert copil.fmt_eur(20155, "en") == "€20,155"
    assert copil.fmt_date(dt.date(2026, 11, 20), "fr") == "20/11/2026"


# ---------------------------------------------------------------------------------------------
# The sheet
# ---------------------------------------------------------------------------------------------


def test_sheet_is_named_copil_and_shows_every_section_in_order(report: CopilReport) -> None:
    layout = copil_layout(report, "fr")
    assert layout.name == "COPIL"
    titles = ["Synthèse", "Projets", "Jalons", "Charge et coûts", "Risques majeurs"]
    titles += ["Décisions attendues du comité", "Plan d'actions", "Qualité des données"]
    rows = [row_of(layout, t) for t in titles]
    assert rows == sorted(rows)
    assert grid(layout)[0][0] == "COPIL — Portefeuille test"


def test_on_track_project_takes_one_line_exceptions_a_second(report: CopilReport) -> None:
    layout = copil_layout(report, "fr")
    rows = grid(layout)
    b = row_of(layout, "PRJ-B")
    assert rows[b][3] == "● Orage" and rows[b][4] == "↓"
    assert rows[b + 1][1] == "↳ dérive de 18\u00a0% du budget (seuil 10\u00a0%)"
    d = row_of(layout, "PRJ-D")
    assert rows[d + 1][1].endswith("· classeur non mis à jour")
    a = row_of(layout, "PRJ-A")
    assert rows[a + 1][0] == "Portefeuille"  # no detail line under the on-track project


def test_project_row_holds_the_figures_as_numbers(report: CopilReport) -> None:
    layout = copil_layout(report, "fr")
    b = grid(layout)[row_of(layout, "PRJ-B")]
    # progress, budget, EAC, drift %, budget €, EAC €, SPI, CPI
    assert b[5:13] == [50 / 98, 200.0, 236.0, 0.18, 60_000.0, 58_800.0, 1.0, 1.02]


def test_print_setup_is_a4_landscape_one_page_wide_with_header_repeated(
    report: CopilReport,
) -> None:
    layout = copil_layout(report, "fr")
    setup = layout.print_setup
    assert setup is not None
    assert (setup.landscape, setup.paper, setup.fit_width, setup.fit_height) == (
        True,
        "A4",
        1,
        0,
    )
    assert setup.repeat_rows == (0, 1)
    assert setup.print_area is not None and setup.print_area.last_col == 15
    # The chart data lies right of the print area.
    assert all(c.categories.first_col > setup.print_area.last_col for c in layout.charts)


def test_page_breaks_fall_between_sections() -> None:
    many = [_project(f"PRJ-{i:02d}") for i in range(40)]
    layout = copil_layout(build_report(small_result(projects=many), "fr"), "fr")
    breaks = layout.print_setup.row_breaks if layout.print_setup else ()
    assert breaks
    titles = set(copil.SECTION_TITLES[k].fr for k in copil.SECTION_TITLES)
    assert all(grid(layout)[r][0] in titles for r in breaks)


def test_three_native_charts_on_their_data(report: CopilReport) -> None:
    layout = copil_layout(report, "fr")
    assert [c.kind for c in layout.charts] == ["column", "column", "bar"]
    rows = grid(layout)
    budget = layout.charts[0]
    eac = budget.series[1].values
    values = [rows[r][eac.first_col] for r in range(eac.first_row, eac.last_row + 1)]
    assert values == [98.0, 236.0, 98.0, 98.0]
    assert rows[eac.first_row - 1][eac.first_col] == "Réestimé"  # the series name above


def test_conditional_formats_colour_weather_and_drift(report: CopilReport) -> None:
    layout = copil_layout(report, "fr")
    rules = [(cf.kind, cf.value) for cf in layout.conditional_formats]
    assert ("equals", "● Orage") in rules and ("equals", "● Nuageux") in rules
    # Drift above the 10 % amber limit turns red.
    assert any(k == "greater" and v == pytest.approx(0.10) for k, v in rules)


# ---------------------------------------------------------------------------------------------
# The direction's workbook
# ---------------------------------------------------------------------------------------------


def test_standalone_workbook_holds_only_values_no_formula_no_link(
    report: CopilReport, tmp_path: Path
) -> None:
    xlsx, pdf = write_copil_workbook(report, tmp_path / "COPIL.xlsx", pdf=False)
    assert pdf is None
    with zipfile.ZipFile(xlsx) as z:
        names = z.namelist()
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        assert sheets == ["xl/worksheets/sheet1.xml"]
        assert all("<f>" not in z.read(n).decode() and "<f " not in z.read(n).decode()
                   for n in sheets)  # fmt: skip
        assert not [n for n in names if "externalLink" in n]
        assert "externalLink" not in z.read("xl/_rels/workbook.xml.rels").decode()
        charts = [z.read(n).decode() for n in names if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    refs = {r for c in charts for r in re.findall(r"<c:f>([^<]*)</c:f>", c)}
    assert refs and all(r.startswith("COPIL!") for r in refs)
    assert openpyxl.load_workbook(xlsx).sheetnames == ["COPIL"]


def test_text_from_project_workbooks_stays_text(tmp_path: Path) -> None:
    projects = small_projects()
    projects[1] = projects[1].model_copy(update={"name": '=HYPERLINK("http://x.io","clic")'})
    risks = _risks([9])
    risks["title"] = ["@SUM(A1:A9)"]
    report = build_report(small_result(projects=projects, risks=risks), "fr")
    xlsx, _ = write_copil_workbook(report, tmp_path / "COPIL.xlsx")
    sheet = openpyxl.load_workbook(xlsx)["COPIL"]
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row if c.value}
    assert cells['=HYPERLINK("http://x.io","clic")'] == "s"
    assert cells["@SUM(A1:A9)"] == "s"


# ---------------------------------------------------------------------------------------------
# The demo portfolio, rendered by LibreOffice
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_copil(tmp_path_factory: pytest.TempPathFactory) -> tuple[PortfolioResult, Path, Path]:
    from pmo_xl.docs import demo_result

    root = tmp_path_factory.mktemp("copil_demo")
    result = demo_result(root / "demo")
    xlsx, pdf = write_copil_workbook(build_report(result, "fr"), root / "COPIL.xlsx", pdf=True)
    assert pdf is not None
    return result, xlsx, pdf


def _pdf_pages(pdf: Path) -> list[tuple[float, float]]:
    """(width, height) in points of each page, from pdfinfo or the PDF itself."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(
            ["pdfinfo", "-f", "1", "-l", "999", str(pdf)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [
            (float(w), float(h))
            for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", out)
        ]
    data = pdf.read_bytes()
    n = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    return [(841.89, 595.28)] * n


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


@needs_libreoffice
def test_demo_copil_is_at_most_three_a4_landscape_pages(
    demo_copil: tuple[PortfolioResult, Path, Path],
) -> None:
    _, _, pdf = demo_copil
    pages = _pdf_pages(pdf)
    assert 1 <= len(pages) <= 3
    assert all(abs(w - 841.89) < 1 and abs(h - 595.28) < 1 for w, h in pages)


@needs_libreoffice
def test_demo_copil_workbook_values_equal_the_consolidation(
    demo_copil: tuple[PortfolioResult, Path, Path],
) -> None:
    result, xlsx, _ = demo_copil
    sheet = openpyxl.load_workbook(xlsx)["COPIL"]
    rows: dict[Any, tuple[Any, ...]] = {}
    for r in sheet.iter_rows(min_col=1, max_col=16, values_only=True):
        rows.setdefault(r[0], r)  # the first line of a code is its line in the project table
    for p in result.projects:
        row = rows[p.code]
        # columns H (EAC days), I (drift %), K (cost at completion)
        # (written with 16 significant digits: equal up to the last binary digit)
        assert (row[7], row[8], row[10]) == pytest.approx(
            (p.eac_days, p.drift_pct, p.eac_eur), rel=1e-14
        )
    assert rows["Portefeuille"][7] == result.totals["eac_days"]


@needs_libreoffice
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_demo_copil_pdf_shows_the_consolidation_figures_in_french(
    demo_copil: tuple[PortfolioResult, Path, Path],
) -> None:
    result, _, pdf = demo_copil
    text = _pdf_text(pdf)
    for p in result.projects:
        assert p.drift_pct is not None
        eac = f"{p.eac_days:.1f}".replace(".", ",")
        drift = f"{p.drift_pct * 100:.1f}".replace(".", ",")
        # EAC and drift are side by side: "216,5   20,3%" on the project's line.
        assert re.search(rf"(?<![\d,]){eac}\s+{drift}\s?%", text), (p.code, eac, drift)
    sections = ["Synthèse", "Projets", "Jalons", "Charge et coûts", "Risques majeurs"]
    sections += ["Décisions attendues du comité", "Plan d'actions", "Qualité des données"]
    found = [re.search(rf"^\s*{re.escape(s)}\b", text, re.MULTILINE) for s in sections]
    positions = [m.start() if m else -1 for m in found]
    assert -1 not in positions
    assert positions == sorted(positions)


def test_a_sunny_project_with_partial_figures_gets_its_second_line(report: CopilReport) -> None:
    # Rows in error left out: the direction must not read the sunny line as on track.
    a = next(p for p in report.projects if p.code == "PRJ-A")
    projects = [
        p.model_copy(update={"incomplete_data": True}) if p is a else p for p in report.projects
    ]
    partial = report.model_copy(update={"projects": projects})
    line = "↳ chiffres partiels : lignes en erreur écartées"

    def texts(built: CopilReport) -> list[Any]:
        return [v for row in grid(copil_layout(built, "fr")) for v in row]

    assert not a.detailed and line not in texts(report)
    assert line in texts(partial)


def test_the_synthesis_names_each_index_beside_its_value(report: CopilReport) -> None:
    # Under the Budget and Consommé headers, two bare ratios read as a budget and a consumption.
    layout = copil_layout(report, "fr")
    row = grid(layout)[row_of(layout, "Indices")]
    t = report.synthesis.totals
    assert [row[c] for c in (0, 2, 3, 5, 7)] == ["Indices", "SPI", t.spi, "CPI", t.cpi]


def test_copil_reasons_never_show_a_value_equal_to_the_threshold_it_is_beyond() -> None:
    # CPI 0.9465 < 0.95 (amber); drift 5.004 % > 5 % (amber): "0,95, seuil 0,95" or "5,0 %
    # (seuil 5 %)" would contradict the colour beside them.
    from pmo_xl.copil import reason_text
    from pmo_xl.weather import project_weather

    _, reasons = project_weather(0.05004, 1.0, 0.9465, [], Thresholds())
    assert [reason_text(r, "fr") for r in reasons] == [
        "dérive de 5,004\u00a0% du budget (seuil 5\u00a0%)",
        "chaque jour consommé produit moins que prévu (CPI 0,947, seuil 0,95)",
    ]
    _, reasons = project_weather(0.07, 1.0, 0.85, [], Thresholds())
    assert [reason_text(r, "en", short=True) for r in reasons] == [
        "drift of 7% of the budget",
        "low cost efficiency (CPI 0.85)",
    ]


def test_a_reason_s_texts_are_worked_out_once_and_follow_its_parameters() -> None:
    from pmo_xl import copil
    from pmo_xl.weather import Reason

    reason = Reason(code="WEATHER_DRIFT", signal="red", params={"drift_pct": 0.2, "limit": 10.0})
    assert copil.reason_text(reason, "fr") == "dérive de 20\u00a0% du budget (seuil 10\u00a0%)"
    assert copil.reason_text(reason, "en") == "drift of 20% of the budget (limit 10%)"
    first = copil._reason_params(reason, "fr")
    assert copil._reason_params(reason, "fr") is first  # once per language
    moved = reason.model_copy(update={"params": {"drift_pct": 0.3, "limit": 10.0}})
    assert copil.reason_text(moved, "fr") == "dérive de 30\u00a0% du budget (seuil 10\u00a0%)"
    assert reason == Reason(code="WEATHER_DRIFT", signal="red", params=reason.params)
