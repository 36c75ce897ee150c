"""One snapshot per project and cut-off date, so that trends need nothing from the PMO.

The history lives where the PMO can see it: the ``Historique`` sheet of the consolidation
workbook (and of the PMO workbook when the Excel button writes there). Each run reads the
previous rows back, replaces those of its own cut-off date (re-runs are idempotent) and writes
the whole table again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import pandas as pd

from pmo_xl.labels import Label, enum_lookup, norm
from pmo_xl.weather import EPSILON
from pmo_xl.workbook import Grid

Trend = Literal["better", "same", "worse"]
WEATHER_RANK = {"green": 0, "amber": 1, "red": 2}
DRIFT_STEP = 0.01  # a drift change under one percentage point is noise, not a trend

# Column field -> header. The history sheet is read back, so its headers are part of the format.
HISTORY_COLUMNS: dict[str, Label] = {
    "cutoff": Label("Date d'arrêté", "Cut-off date"),
    "code": Label("Code projet", "Project code"),
    "name": Label("Nom du projet", "Project name"),
    "weather": Label("Météo", "Weather"),
    "drift_pct": Label("Dérive (%)", "Drift (%)"),
    "drift_days": Label("Dérive (j)", "Drift (days)"),
    "budget_days": Label("Budget (j)", "Budget (days)"),
    "consumed_days": Label("Consommé (j)", "Consumed (days)"),
    "eac_days": Label("Réestimé (j)", "EAC (days)"),
    "progress_pct": Label("Avancement (%)", "Progress (%)"),
    "spi": Label("SPI", "SPI"),
    "cpi": Label("CPI", "CPI"),
    "eac_eur": Label("Coût à terminaison (€)", "Cost at completion (€)"),
    "run_at": Label("Calculé le", "Computed on"),
}


def empty_history() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in HISTORY_COLUMNS})


def history_from_grid(grid: Grid) -> pd.DataFrame:
    """Read a ``Historique`` sheet back (French or English headers, header on any of rows 1-5)."""
    lookup = {key: f for f, label in HISTORY_COLUMNS.items() for key in label.match_keys()}
    weather_lookup = enum_lookup("weather")  # Soleil, Sunny, vert, green… → green
    header_index, cols = None, {}
    for index, row in enumerate(grid.rows[:5]):
        cols = {lookup[norm(v)]: c for c, v in enumerate(row) if norm(v) in lookup}
        if {"cutoff", "code"} <= set(cols):
            header_index = index
            break
    if header_index is None:
        return empty_history()
    records = []
    for row in grid.rows[header_index + 1 :]:
        rec = {f: (row[c] if c < len(row) else None) for f, c in cols.items()}
        if rec.get("code") in (None, "") or rec.get("cutoff") is None:
            continue
        rec["cutoff"] = _as_date(rec["cutoff"])
        rec["weather"] = weather_lookup.get(norm(rec.get("weather")), rec.get("weather"))
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=list(HISTORY_COLUMNS))
    return frame.dropna(subset=["cutoff"])


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def merge_history(
    previous: Iterable[pd.DataFrame], snapshot: pd.DataFrame, cutoff: dt.date
) -> pd.DataFrame:
    """All previous rows, minus those of ``cutoff`` (replaced by ``snapshot``), sorted."""
    frames = [f for f in previous if len(f)]
    old = pd.concat(frames, ignore_index=True) if frames else empty_history()
    old = old[old["cutoff"] != cutoff]
    # The same history may come from two places (output and PMO workbook): keep one copy.
    old = old.drop_duplicates(subset=["cutoff", "code"], keep="last")
    merged = pd.concat([old, snapshot[list(HISTORY_COLUMNS)]], ignore_index=True)
    return merged.sort_values(["cutoff", "code"], kind="stable").reset_index(drop=True)


def snapshot_rows(
    projects: Iterable[Mapping[str, Any]], cutoff: dt.date, run_at: dt.datetime
) -> pd.DataFrame:
    rows = [
        {f: p.get(f) for f in HISTORY_COLUMNS if f not in ("cutoff", "run_at")}
        | {"cutoff": cutoff, "run_at": run_at}
        for p in projects
        if p.get("code")
    ]
    return pd.DataFrame.from_records(rows, columns=list(HISTORY_COLUMNS))


def previous_snapshot(history: pd.DataFrame, cutoff: dt.date) -> pd.DataFrame:
    """For each project, its latest snapshot strictly before ``cutoff``."""
    before = history[history["cutoff"] < cutoff]
    if before.empty:
        return before
    return before.sort_values("cutoff").groupby("code", as_index=False).last()


def trend(
    weather: str | None,
    drift_pct: float | None,
    previous_weather: str | None,
    previous_drift_pct: float | None,
) -> Trend | None:
    """↑ better, → same, ↓ worse against the previous cut-off; None without a previous one.

    Weather decides first; with the same weather, a drift change of at least one point does.
    """
    if previous_weather not in WEATHER_RANK or weather not in WEATHER_RANK:
        return None
    now, before = WEATHER_RANK[weather], WEATHER_RANK[previous_weather]
    if now != before:
        return "better" if now < before else "worse"
    if _num(drift_pct) is None or _num(previous_drift_pct) is None:
        return "same"
    delta = float(drift_pct) - float(previous_drift_pct)  # type: ignore[arg-type]
    # 0.05 - 0.06 is -0.00999… in floats: a change of exactly one point must count, both ways.
    if delta <= -DRIFT_STEP + EPSILON:
        return "better"
    if delta >= DRIFT_STEP - EPSILON:
        return "worse"
    return "same"


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


TREND_ARROWS: dict[str | None, str] = {"better": "↑", "same": "→", "worse": "↓", None: "—"}
