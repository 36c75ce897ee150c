"""Working days: Monday–Friday minus the public holidays of the holiday country (France by default).

Calendar used below (November 2026):
    Mon 2  Tue 3  Wed 4  Thu 5  Fri 6  | Sat 7  Sun 8
    Mon 9  Tue 10 Wed 11 Thu 12 Fri 13 | Sat 14 Sun 15     Wed 11 = Armistice (public holiday)
    Mon 16 ...
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from pmo_xl import calendar
from pmo_xl.calendar import (
    UnknownHolidayCountry,
    is_known_country,
    is_working_day,
    iso_monday,
    next_working_day_after,
    slip_working_days,
    working_days_between,
    working_days_by_period,
    working_days_in,
    working_days_of_week,
)

D = dt.date


def dates(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


# --- working_days_between: [start, end], both ends included ---------------------------------


def test_a_full_week_without_holiday_has_five_working_days() -> None:
    # Mon 2 → Fri 6 November 2026: 2, 3, 4, 5, 6 = 5
    assert working_days_between(D(2026, 11, 2), D(2026, 11, 6)) == 5


def test_a_public_holiday_is_not_counted() -> None:
    # Mon 9 → Fri 13: 9, 10, 12, 13 = 4 (Wed 11 November is Armistice)
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13)) == 4


def test_weekends_are_not_counted() -> None:
    # Fri 6 → Mon 9: Fri 6, Mon 9 = 2 (Sat 7, Sun 8 skipped)
    assert working_days_between(D(2026, 11, 6), D(2026, 11, 9)) == 2


def test_a_single_working_day_counts_one_and_a_holiday_counts_zero() -> None:
    assert working_days_between(D(2026, 11, 12), D(2026, 11, 12)) == 1
    assert working_days_between(D(2026, 11, 11), D(2026, 11, 11)) == 0


def test_an_end_before_the_start_counts_zero() -> None:
    assert working_days_between(D(2026, 11, 13), D(2026, 11, 9)) == 0


def test_timestamps_and_numpy_dates_are_accepted() -> None:
    # Fri 1 May (Fête du travail) and Fri 8 May (Victoire 1945), Thu 14 May (Ascension) and
    # Mon 25 May (Pentecôte) are off: May 2026 has 21 weekdays − 4 = 17 working days.
    assert working_days_between(pd.Timestamp("2026-05-01"), np.datetime64("2026-05-31")) == 17


def test_series_version_counts_each_row_and_leaves_missing_dates_empty() -> None:
    start = dates("2026-11-02", "2026-11-09", None)
    end = dates("2026-11-06", "2026-11-13", "2026-11-13")
    counts = working_days_between(start, end)
    # 5 (full week), 4 (Armistice week), NaN (no start)
    assert counts.tolist()[:2] == [5.0, 4.0]
    assert np.isnan(counts.iloc[2])


def test_series_version_accepts_one_scalar_end() -> None:
    # Mon 2 → Fri 13 = 5 + 4 = 9; Mon 9 → Fri 13 = 4
    assert working_days_between(dates("2026-11-02", "2026-11-09"), D(2026, 11, 13)).tolist() == [
        9.0,
        4.0,
    ]


# --- working_days_in: (start, end], the days a date moved by ----------------------------------


def test_working_days_in_leaves_out_the_start_day() -> None:
    # (Fri 6, Thu 12] = Mon 9, Tue 10, Thu 12 = 3 (Wed 11 is a holiday)
    assert working_days_in(D(2026, 11, 6), D(2026, 11, 12)) == 3


def test_working_days_in_an_empty_range_is_zero() -> None:
    assert working_days_in(D(2026, 11, 12), D(2026, 11, 12)) == 0
    assert working_days_in(D(2026, 11, 12), D(2026, 11, 6)) == 0


# --- slip_working_days (CALCULATIONS.md §10) ---------------------------------------------------


def test_a_late_milestone_slips_by_the_working_days_after_its_baseline() -> None:
    # baseline Fri 6, forecast Thu 12: (6, 12] = Mon 9, Tue 10, Thu 12 = +3
    assert slip_working_days(D(2026, 11, 6), D(2026, 11, 12)) == 3


def test_an_early_milestone_has_a_negative_slip() -> None:
    # baseline Thu 12, forecast Fri 6: −(6, 12] = −3
    assert slip_working_days(D(2026, 11, 12), D(2026, 11, 6)) == -3


def test_a_milestone_on_its_baseline_has_no_slip() -> None:
    assert slip_working_days(D(2026, 11, 6), D(2026, 11, 6)) == 0


def test_moving_a_milestone_over_a_weekend_only_is_no_slip() -> None:
    # baseline Fri 6, forecast Sun 8: (6, 8] holds no working day
    assert slip_working_days(D(2026, 11, 6), D(2026, 11, 8)) == 0


def test_slip_of_a_column_with_a_missing_date() -> None:
    slips = slip_working_days(
        dates("2026-11-06", "2026-11-12", None), dates("2026-11-12", "2026-11-06", "2026-11-06")
    )
    assert slips.tolist()[:2] == [3.0, -3.0]
    assert np.isnan(slips.iloc[2])


# --- single days and weeks -----------------------------------------------------------------------


def test_is_working_day() -> None:
    assert is_working_day(D(2026, 11, 12)) is True  # Thursday
    assert is_working_day(D(2026, 11, 11)) is False  # Armistice
    assert is_working_day(D(2026, 11, 14)) is False  # Saturday
    assert is_working_day(dates("2026-11-12", "2026-11-11", None)).tolist() == [True, False, False]


def test_next_working_day_after_skips_the_holiday() -> None:
    # Tue 10 → Wed 11 is Armistice → Thu 12
    assert next_working_day_after(D(2026, 11, 10)) == D(2026, 11, 12)


def test_next_working_day_after_a_friday_is_the_monday() -> None:
    assert next_working_day_after(D(2026, 11, 13)) == D(2026, 11, 16)


def test_next_working_day_after_new_years_eve_2026() -> None:
    # Thu 31 Dec → Fri 1 Jan 2027 is a holiday → Sat, Sun → Mon 4 Jan 2027
    assert next_working_day_after(D(2026, 12, 31)) == D(2027, 1, 4)


def test_iso_monday_of_a_sunday_is_the_monday_before() -> None:
    assert iso_monday(D(2026, 11, 15)) == D(2026, 11, 9)
    assert iso_monday(D(2026, 11, 9)) == D(2026, 11, 9)
    mondays = iso_monday(dates("2026-11-15", "2027-01-01", None))
    assert mondays.iloc[:2].dt.date.tolist() == [D(2026, 11, 9), D(2026, 12, 28)]
    assert pd.isna(mondays.iloc[2])


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (D(2026, 11, 2), 5),  # no holiday
        (D(2026, 11, 9), 4),  # Wed 11 Nov, Armistice
        (D(2026, 12, 21), 4),  # Fri 25 Dec, Christmas
        (D(2026, 5, 11), 4),  # Thu 14 May, Ascension
        (D(2026, 8, 10), 5),  # 15 August 2026 is a Saturday: nothing lost
    ],
)
def test_working_days_of_week(monday: dt.date, expected: int) -> None:
    assert working_days_of_week(monday) == expected


def test_working_days_of_week_of_a_column() -> None:
    # weeks of 9 Nov (Armistice) and 16 Nov: 4 and 5
    assert working_days_of_week(dates("2026-11-09", "2026-11-16")).tolist() == [4.0, 5.0]


# --- holiday country -------------------------------------------------------------------------


def test_another_country_has_its_own_holidays() -> None:
    # 11 November is a working day in Germany: Mon 9 → Fri 13 = 5
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13), "DE") == 5


def test_a_subdivision_adds_its_holidays() -> None:
    # Alsace-Moselle (FR-57) also takes Good Friday (3 April 2026) off: Mon 30 Mar → Fri 3 Apr
    assert working_days_between(D(2026, 3, 30), D(2026, 4, 3), "FR") == 5
    assert working_days_between(D(2026, 3, 30), D(2026, 4, 3), "FR-57") == 4


def test_an_unknown_country_is_a_readable_error() -> None:
    assert not is_known_country("XX")
    assert is_known_country("fr")
    with pytest.raises(UnknownHolidayCountry, match="XX"):
        working_days_between(D(2026, 11, 9), D(2026, 11, 13), "XX")


# --- cutting spans by week or month (resource load, effort by month) --------------------------


def test_a_span_is_cut_into_iso_weeks_with_their_working_days() -> None:
    # Wed 28 Oct → Thu 12 Nov 2026: week of 26 Oct = Wed, Thu, Fri = 3; week of 2 Nov = 5;
    # week of 9 Nov = Mon, Tue, Thu = 3 (Armistice). The second span (end < start) yields nothing.
    span, week, days = working_days_by_period(
        np.array(["2026-10-28", "2026-11-20"], dtype="datetime64[D]"),
        np.array(["2026-11-12", "2026-11-19"], dtype="datetime64[D]"),
        "week",
    )
    assert span.tolist() == [0, 0, 0]
    assert week.astype(str).tolist() == ["2026-10-26", "2026-11-02", "2026-11-09"]
    assert days.tolist() == [3, 5, 3]


def test_a_span_is_cut_into_months_with_their_working_days() -> None:
    # Wed 28 Oct 2026 → Tue 12 Jan 2027: Oct 28–30 = 3; November = 21 weekdays − 11 Nov = 20;
    # December = 23 weekdays − 25 Dec = 22; January 4–8 and 11–12 = 7 (1 Jan is a holiday).
    _span, month, days = working_days_by_period(
        np.array(["2026-10-28"], dtype="datetime64[D]"),
        np.array(["2027-01-12"], dtype="datetime64[D]"),
        "month",
    )
    assert month.astype(str).tolist() == ["2026-10-01", "2026-11-01", "2026-12-01", "2027-01-01"]
    assert days.tolist() == [3, 20, 22, 7]


def test_period_start_gives_the_monday_or_the_first_of_the_month() -> None:
    day = np.array(["2026-11-15"], dtype="datetime64[D]")
    assert calendar.period_start(day, "week").astype(str).tolist() == ["2026-11-09"]
    assert calendar.period_start(day, "month").astype(str).tolist() == ["2026-11-01"]


# --- the stored holiday table ------------------------------------------------------------------


def _forget_holidays() -> None:
    """No holiday known in memory: the next question reads the stored table (or computes)."""
    calendar._table.clear()
    calendar._holidays_of_year.cache_clear()
    calendar.holiday_dates.cache_clear()
    calendar._busday_calendar.cache_clear()


@pytest.fixture
def fresh_table(tmp_path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """An empty cache folder and no holiday known in memory; both put back afterwards."""
    monkeypatch.setenv("PMO_XL_CACHE_DIR", str(tmp_path))
    _forget_holidays()
    yield tmp_path
    _forget_holidays()


def test_holidays_computed_once_are_read_back_without_the_holidays_package(
    fresh_table, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 9–13 Nov 2026 with the 11th off = 4, first from the package, then from the stored file.
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13)) == 4
    (stored,) = fresh_table.glob("holidays-*.json")
    _forget_holidays()

    def no_package(*_: object) -> None:
        raise AssertionError("the holidays package was used again")

    monkeypatch.setattr(calendar, "_computed_holidays", no_package)
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13)) == 4
    assert "FR:2026" in stored.read_text(encoding="utf-8")


def test_a_damaged_holiday_table_is_computed_again(fresh_table) -> None:
    working_days_between(D(2026, 11, 9), D(2026, 11, 13))
    (stored,) = fresh_table.glob("holidays-*.json")
    stored.write_text('{"FR:2026": [42', encoding="utf-8")  # cut short
    _forget_holidays()
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13)) == 4
    assert "2026-11-11" in stored.read_text(encoding="utf-8")


def test_an_unknown_country_stays_unknown_once_stored(fresh_table) -> None:
    assert not is_known_country("XX")
    calendar._holidays_of_year.cache_clear()
    assert not is_known_country("XX")
    assert is_known_country("FR")


def test_a_holiday_table_holding_something_else_than_dates_is_computed_again(fresh_table) -> None:
    working_days_between(D(2026, 11, 9), D(2026, 11, 13))
    (stored,) = fresh_table.glob("holidays-*.json")
    stored.write_text('{"FR:2026": ["2026-13-45"]}', encoding="utf-8")  # not a day
    _forget_holidays()
    assert working_days_between(D(2026, 11, 9), D(2026, 11, 13)) == 4
