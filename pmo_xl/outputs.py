"""The sheets a consolidation writes: Consolidation, Charges, Charge ressources, Contrôles,
Fichiers, Historique — as layouts, for any renderer (file or live workbook).

The PMO's input sheets (Paramètres, TJM, Projets, Correspondances, Règles) are never among them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, overload

import numpy as np
import pandas as pd

from pmo_xl.consolidation import LoadDetail, ProjectFigures
from pmo_xl.findings_sheet import findings_layout, link_paths
from pmo_xl.history import HISTORY_COLUMNS, TREND_ARROWS
from pmo_xl.labels import (
    CONSOLIDATION_HEADERS,
    FILE_STATUSES,
    LOAD_HEADERS,
    OUTPUT_SHEETS,
    WEATHER_WORDS,
    Label,
    Lang,
    day_text,
    enum_label,
)
from pmo_xl.layout import CellStyle, ConditionalFormat, Pending, SheetLayout
from pmo_xl.portfolio import PortfolioResult
from pmo_xl.sheets import WEATHER_FILLS, WEATHER_FONTS, Col, data_range, table_sheet

L = Label
H = CONSOLIDATION_HEADERS


def _weather_word(value: Any, lang: Lang) -> str:
    return WEATHER_WORDS[value].text(lang) if value in WEATHER_WORDS else ""


def _weather_formats(layout: SheetLayout, col: int, n_rows: int, lang: Lang) -> None:
    for weather, label in WEATHER_WORDS.items():
        layout.conditional_formats.append(
            ConditionalFormat(
                data_range(layout, col, n_rows),
                "equals",
                label.text(lang),
                CellStyle(
                    fill=WEATHER_FILLS[weather], font_color=WEATHER_FONTS[weather], bold=True
                ),
            )
        )


def _yes_no(value: Any, lang: Lang) -> str:
    return enum_label("yesno", "yes" if value else "no", lang)


CONSOLIDATION_COLUMNS = (
    Col("code", H["code"], width=12),
    Col("name", H["name"], width=28),
    Col("lead", H["lead"], width=18),
    Col("weather_text", H["weather_text"], width=10),
    Col("trend_text", H["trend_text"], width=9),
    Col("weather_computed_text", H["weather_computed_text"], width=11),
    Col("reasons", H["reasons"], width=50, wrap=True),
    Col("phase_text", H["phase_text"], width=12),
    Col("budget_days", H["budget_days"], "days", 11),
    Col("consumed_days", H["consumed_days"], "days", 11),
    Col("remaining_days", H["remaining_days"], "days", 11),
    Col("eac_days", H["eac_days"], "days", 11),
    Col("drift_days", H["drift_days"], "days", 10),
    Col("drift_pct", H["drift_pct"], "pct", 10),
    Col("progress_pct", H["progress_pct"], "pct", 11),
    Col("budget_eur", H["budget_eur"], "eur", 12),
    Col("cost_to_date_eur", H["cost_to_date_eur"], "eur", 12),
    Col("eac_eur", H["eac_eur"], "eur", 13),
    Col("drift_eur", H["drift_eur"], "eur", 12),
    Col("pv_days", H["pv_days"], "days", 9),
    Col("ev_days", H["ev_days"], "days", 9),
    Col("spi", H["spi"], "ratio", 7),
    Col("cpi", H["cpi"], "ratio", 7),
    Col("next_milestone_name", H["next_milestone_name"], width=24, wrap=True),
    Col("next_milestone_date", H["next_milestone_date"], "date", 11),
    Col("next_milestone_slip", H["next_milestone_slip"], "int", 11),
    Col("incomplete_text", H["incomplete_text"], width=11),
    Col("cutoff", H["cutoff"], "date", 11),
    Col("file", H["file"], width=28),
)


def consolidation_frame(result: PortfolioResult, lang: Lang) -> pd.DataFrame:
    columns = [c.field for c in CONSOLIDATION_COLUMNS]
    # The figures the sheet shows, as they are (model_dump would copy every field of every
    # project, nested ones too, to keep a few: 0.012 s at 1,000 projects).
    shown = [f for f in columns if f in ProjectFigures.model_fields]
    rows = []
    for p in result.projects:
        nxt = p.next_milestone
        rows.append(
            {f: getattr(p, f) for f in shown}
            | {
                "weather_text": _weather_word(p.weather, lang),
                "weather_computed_text": _weather_word(p.weather_computed, lang),
                "trend_text": TREND_ARROWS.get(p.trend, "—"),
                "reasons": "\n".join(r.message(lang) for r in p.weather_reasons),
                "phase_text": enum_label("phase", p.phase, lang) if p.phase else "",
                "next_milestone_name": nxt.name if nxt else None,
                "next_milestone_date": nxt.forecast if nxt else None,
                "next_milestone_slip": nxt.slip_days if nxt else None,
                "incomplete_text": _yes_no(p.incomplete_data, lang),
            }
        )
    return pd.DataFrame(rows, columns=columns)


def consolidation_sheet(result: PortfolioResult, lang: Lang = "fr") -> SheetLayout:
    frame = consolidation_frame(result, lang)
    t = result.totals
    total_row = {c.field: None for c in CONSOLIDATION_COLUMNS} | {
        "code": "TOTAL",
        "name": L("Portefeuille", "Portfolio").text(lang),
    }
    for key in (
        "budget_days", "consumed_days", "remaining_days", "eac_days", "drift_days", "drift_pct",
        "budget_eur", "cost_to_date_eur", "eac_eur", "drift_eur", "pv_days", "ev_days", "spi",
        "cpi",
    ):  # fmt: skip
        total_row[key] = t.get(key)
    if len(frame):
        frame = pd.concat([frame, pd.DataFrame([total_row])], ignore_index=True)
    title = OUTPUT_SHEETS["consolidation"].text(lang)
    subtitle = (
        f"{result.settings.title} — "
        + L("arrêté au", "cut-off").text(lang)
        + f" {day_text(result.cutoff, lang)}"
    )
    layout = table_sheet(
        title, f"{title} — {result.settings.title}", CONSOLIDATION_COLUMNS, frame, lang,
        subtitle=subtitle, tab_color="#1F3864",
    )  # fmt: skip
    _weather_formats(layout, 3, len(frame), lang)
    _weather_formats(layout, 5, len(frame), lang)
    return layout


EFFORT_COLUMNS = (
    Col("project", L("Projet", "Project"), width=14),
    Col("month", L("Mois", "Month"), "date", 12),
    Col("resource", L("Ressource", "Resource"), width=22),
    Col("consumed_days", L("Consommé (j)", "Consumed (days)"), "days", 13),
    Col("remaining_days", L("Reste à faire (j)", "Remaining (days)"), "days", 14),
)


def effort_sheet(result: PortfolioResult, lang: Lang = "fr") -> SheetLayout:
    title = OUTPUT_SHEETS["effort"].text(lang)
    return table_sheet(
        title,
        title + " — " + L("projet × mois × ressource", "project × month × resource").text(lang),
        EFFORT_COLUMNS,
        result.effort,
        lang,
        group_by="project",
    )


LOAD_COLUMNS = (
    Col("resource", LOAD_HEADERS["resource"], width=22),
    Col("week", LOAD_HEADERS["week"], "date", 13),
    Col("load_days", LOAD_HEADERS["load_days"], "days", 11),
    Col("capacity_days", LOAD_HEADERS["capacity_days"], "days", 11),
    Col("over_days", LOAD_HEADERS["over_days"], "days", 11),
    Col("over_text", LOAD_HEADERS["over_text"], width=11),
    Col("detail", LOAD_HEADERS["detail"], width=50, wrap=True),
)


def resource_load_frame(result: PortfolioResult, lang: Lang) -> pd.DataFrame:
    load = result.resource_load
    if load.empty:
        return pd.DataFrame(columns=[c.field for c in LOAD_COLUMNS])
    sep = "," if lang == "fr" else "."
    detail = result.resource_detail
    if detail is not None and len(detail.starts) == len(load) + 1:
        # Not a copy of the by_project dicts (190,000 objects touched for nothing).
        frame = load.drop(columns="by_project")
        frame["detail"] = detail.texts(sep)
    else:  # a result put together by hand
        frame = load.copy()
        frame["detail"] = _details(frame["by_project"].tolist(), sep)
    frame["over_days"] = (frame["load_days"] - frame["capacity_days"]).clip(lower=0)
    yes, no = _yes_no(True, lang), _yes_no(False, lang)
    frame["over_text"] = np.where(frame["over_allocated"].to_numpy(dtype=bool), yes, no).astype(
        object
    )
    return frame


def _details(by_project: list[dict[str, float]], sep: str) -> list[str]:
    """``"PRJ-1 : 2,5 ; PRJ-2 : 1,0"`` per row: each project's load, by project code."""
    return LoadDetail.from_by_project(by_project).texts(sep)


def resource_load_sheet(result: PortfolioResult, lang: Lang = "fr") -> SheetLayout:
    title = OUTPUT_SHEETS["resource_load"].text(lang)
    frame = resource_load_frame(result, lang)
    layout = table_sheet(
        title,
        title + " — " + L("charge planifiée vs capacité", "planned load vs capacity").text(lang),
        LOAD_COLUMNS,
        frame,
        lang,
        group_by="resource",
    )
    layout.conditional_formats.append(
        ConditionalFormat(
            data_range(layout, 4, len(frame)),
            "greater",
            0,
            CellStyle(fill=WEATHER_FILLS["red"], font_color=WEATHER_FONTS["red"], bold=True),
        )
    )
    return layout


FILE_COLUMNS = (
    Col("file", L("Fichier", "File"), width=34),
    Col("status_text", L("Statut", "Status"), width=14),
    Col("project", L("Projet", "Project"), width=14),
    Col("reason", L("Raison", "Reason"), width=70, wrap=True),
)
FILE_STATUS_LABELS = FILE_STATUSES


def files_sheet(result: PortfolioResult, lang: Lang = "fr") -> SheetLayout:
    rank = {"rejected": 0, "missing": 1, "unexpected": 2, "ignored": 3, "consolidated": 4}
    rows = sorted(result.files, key=lambda f: (rank[f.status], f.file))
    frame = pd.DataFrame(
        [
            {
                "file": f.file,
                "status_text": FILE_STATUS_LABELS[f.status].text(lang),
                "project": f.project,
                "reason": f.reason_text(lang),
            }
            for f in rows
        ],
        columns=[c.field for c in FILE_COLUMNS],
    )
    title = OUTPUT_SHEETS["files"].text(lang)
    layout = table_sheet(title, title, FILE_COLUMNS, frame, lang)
    for status, fill in (("rejected", "red"), ("missing", "red"), ("unexpected", "amber")):
        layout.conditional_formats.append(
            ConditionalFormat(
                data_range(layout, 1, len(frame)),
                "equals",
                FILE_STATUS_LABELS[status].text(lang),
                CellStyle(fill=WEATHER_FILLS[fill], font_color=WEATHER_FONTS[fill]),
            )
        )
    return layout


HISTORY_KINDS = {
    "cutoff": "date", "drift_pct": "pct", "drift_days": "days", "budget_days": "days",
    "consumed_days": "days", "eac_days": "days", "progress_pct": "pct", "spi": "ratio",
    "cpi": "ratio", "eac_eur": "eur", "run_at": "datetime",
}  # fmt: skip


def history_sheet(result: PortfolioResult, lang: Lang = "fr") -> SheetLayout:
    return history_layout(result.history, lang)


def history_layout(history: pd.DataFrame, lang: Lang = "fr") -> SheetLayout:
    """The ``Historique`` sheet: one row per project and cut-off date."""
    cols = [
        Col(f, label, HISTORY_KINDS.get(f, "general"), 24 if f == "name" else 13)  # type: ignore[arg-type]
        for f, label in HISTORY_COLUMNS.items()
    ]
    frame = history.copy()
    frame["weather"] = [_weather_word(w, lang) for w in frame["weather"]]
    title = OUTPUT_SHEETS["history"].text(lang)
    note = L(
        "Une ligne par projet et par date d'arrêté ; relue et complétée à chaque consolidation.",
        "One row per project and cut-off date; read back and extended at every consolidation.",
    ).text(lang)
    layout = table_sheet(title, title, cols, frame, lang, subtitle=note)
    _weather_formats(layout, 3, len(frame), lang)
    return layout


def findings_sheet(
    result: PortfolioResult, lang: Lang = "fr", link_base: Path | None = None
) -> SheetLayout:
    """``Contrôles``; each finding links to its cell in the project file, named from
    ``link_base``, the folder of the workbook written (see :func:`link_paths`)."""
    paths = link_paths({f.file: f.path for f in result.files if f.path is not None}, link_base)
    here = [label.text(lang) for label in OUTPUT_SHEETS.values()]
    return findings_layout(
        result.findings, lang, in_project_workbook=False, file_paths=paths, own_sheets=here
    )


@overload
def output_layouts(
    result: PortfolioResult,
    lang: Lang = "fr",
    *,
    copil: SheetLayout | None = None,
    link_base: Path | None = None,
) -> list[SheetLayout]: ...


@overload
def output_layouts(
    result: PortfolioResult, lang: Lang = "fr", *, copil: Pending, link_base: Path | None = None
) -> list[SheetLayout | Pending]: ...


def output_layouts(
    result: PortfolioResult,
    lang: Lang = "fr",
    *,
    copil: SheetLayout | Pending | None = None,
    link_base: Path | None = None,
) -> list[SheetLayout] | list[SheetLayout | Pending]:
    """Every output sheet, in the order the PMO reads them (the COPIL first, when given).

    ``link_base``: the folder of the workbook they are written to, from which the findings'
    links name the project files."""
    layouts: list[SheetLayout | Pending] = [consolidation_sheet(result, lang)]
    if copil is not None:
        layouts.insert(0, copil)
    layouts += [
        effort_sheet(result, lang),
        resource_load_sheet(result, lang),
        findings_sheet(result, lang, link_base),
        files_sheet(result, lang),
        history_sheet(result, lang),
    ]
    return layouts
