"""History snapshots and trends (issue: consolidation §4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from pmo_xl.history import (
    HISTORY_COLUMNS,
    history_from_grid,
    merge_history,
    previous_snapshot,
    snapshot_rows,
    trend,
)
from pmo_xl.workbook import Grid

RUN = dt.datetime(2026, 11, 20, 18, 0)


def _snap(cutoff: dt.date, weather: str, drift: float, code: str = "PRJ-1") -> pd.DataFrame:
    return snapshot_rows([{"code": code, "weather": weather, "drift_pct": drift}], cutoff, RUN)


def test_worse_weather_is_a_downward_trend() -> None:
    assert trend("red", 0.12, "amber", 0.12) == "worse"


def test_same_weather_with_drift_down_two_points_is_better() -> None:
    # 0.06 - 0.08 = -0.02: at least one point better.
    assert trend("amber", 0.06, "amber", 0.08) == "better"


def test_drift_change_under_one_point_is_the_same() -> None:
    assert trend("green", 0.034, "green", 0.03) == "same"


def test_same_weather_with_drift_down_exactly_one_point_is_better() -> None:
    # Budget 100, EAC 106 then 105: drift 6 % then 5 %. In floats 0.05 - 0.06 is -0.00999…,
    # yet it is the one point the README promises ↑ for.
    assert trend("green", 0.05, "green", 0.06) == "better"


def test_same_weather_with_drift_up_exactly_one_point_is_worse() -> None:
    # 0.09 - 0.08 is 0.00999… in floats: still one point up.
    assert trend("amber", 0.09, "amber", 0.08) == "worse"


def test_same_weather_with_drift_up_two_points_is_worse() -> None:
    # Amber both times, 0.10 - 0.08 = +0.02: the drift decides, ↓.
    assert trend("amber", 0.10, "amber", 0.08) == "worse"


def test_drift_change_just_under_one_point_either_way_is_the_same() -> None:
    # 0.9 point up, then 0.9 point down: noise.
    assert (trend("amber", 0.089, "amber", 0.08), trend("amber", 0.071, "amber", 0.08)) == (
        "same",
        "same",
    )


def test_no_previous_snapshot_gives_no_trend() -> None:
    assert trend("green", 0.0, None, None) is None


def test_rerun_for_the_same_cutoff_replaces_its_snapshot() -> None:
    oct_, nov = dt.date(2026, 10, 16), dt.date(2026, 11, 20)
    history = merge_history([], _snap(oct_, "green", 0.02), oct_)
    history = merge_history([history], _snap(nov, "amber", 0.07), nov)
    history = merge_history([history], _snap(nov, "red", 0.12), nov)  # same cut-off, re-run
    assert history[["cutoff", "weather"]].values.tolist() == [[oct_, "green"], [nov, "red"]]


def test_previous_snapshot_is_the_latest_before_the_cutoff() -> None:
    sep, oct_, nov = dt.date(2026, 9, 18), dt.date(2026, 10, 16), dt.date(2026, 11, 20)
    history = pd.concat(
        [_snap(sep, "red", 0.2), _snap(oct_, "amber", 0.07), _snap(nov, "green", 0.01)]
    )
    prev = previous_snapshot(history, nov)
    assert prev[["code", "weather"]].values.tolist() == [["PRJ-1", "amber"]]


def test_history_sheet_reads_back_from_its_french_headers() -> None:
    header = [label.fr for label in HISTORY_COLUMNS.values()]
    row = [None] * len(header)
    row[0], row[1], row[3], row[4] = dt.datetime(2026, 10, 16), "PRJ-1", "Nuageux", 0.07
    frame = history_from_grid(Grid([["Historique"], header, row]))
    assert frame[["cutoff", "code", "weather", "drift_pct"]].values.tolist() == [
        [dt.date(2026, 10, 16), "PRJ-1", "amber", 0.07]
    ]


def test_the_computed_on_column_is_wide_enough_for_its_date_and_time() -> None:
    # "28/11/2026 09:15" is 16 characters: at the 13 the other columns take, Excel shows ####.
    from pmo_xl.history import HISTORY_COLUMNS
    from pmo_xl.outputs import history_layout

    layout = history_layout(pd.DataFrame(columns=[*HISTORY_COLUMNS]))
    at = list(HISTORY_COLUMNS).index("run_at")
    assert layout.column_widths[at] >= len("28/11/2026 09:15") + 1


def test_the_computed_on_column_keeps_its_time_of_day(tmp_path: Path) -> None:
    # "Calculé le 28/11/2026 00:00" for a run at 09:15: the time was cut to its day.
    import openpyxl

    from pmo_xl.layout import frame_value
    from pmo_xl.outputs import history_layout
    from pmo_xl.xlsx_writer import render_xlsx

    run_at = dt.datetime(2026, 11, 28, 9, 15)
    snapshot = snapshot_rows([{"code": "PRJ-1", "weather": "green"}], dt.date(2026, 11, 20), run_at)
    render_xlsx([history_layout(snapshot)], tmp_path / "h.xlsx")
    last = list(openpyxl.load_workbook(tmp_path / "h.xlsx").active.iter_rows())[-1]
    assert (last[0].value, last[-1].value) == (dt.datetime(2026, 11, 20), run_at)
    assert last[-1].number_format == "dd/mm/yyyy hh:mm"
    # The live workbook's writer (xlwings) gets its values through frame_value.
    assert frame_value(snapshot["run_at"].iloc[0]) == run_at
    assert frame_value(pd.Timestamp(2026, 11, 20)) == dt.date(2026, 11, 20)
