"""Working days: Monday to Friday minus the public holidays of a country (France by default).

Every function takes scalars (``datetime.date``, ``pandas.Timestamp``) or whole columns
(``pandas.Series`` of dates, ``NaT`` allowed) and counts with numpy's business-day functions, so
a column of 300,000 tasks costs one call. Column results are ``float64`` (``NaN`` where a date is
missing); scalar results are plain ``int``/``bool``/``date``.

>>> import datetime as dt
>>> working_days_between(dt.date(2026, 11, 9), dt.date(2026, 11, 13))  # 11 Nov is a holiday
4
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, TypeAlias, overload

import numpy as np
import pandas as pd

DEFAULT_COUNTRY = "FR"

DateLike: TypeAlias = dt.date | pd.Timestamp | np.datetime64
Period = Literal["week", "month"]

_DAY = np.timedelta64(1, "D")
# 1970-01-01 was a Thursday: shifting by 3 days makes integer division by 7 split on Mondays.
_MONDAY_SHIFT = 3


class UnknownHolidayCountry(ValueError):
    """The holiday country setting names no country the ``holidays`` package knows."""

    def __init__(self, country: str) -> None:
        super().__init__(
            f"Pays des jours fériés inconnu : « {country} ». Indiquez un code pays ISO à deux "
            f"lettres (FR, BE, CH…), éventuellement suivi d'une subdivision (FR-57). / "
            f"Unknown holiday country '{country}': use a two-letter ISO code (FR, BE, CH…), "
            f"optionally followed by a subdivision (FR-57)."
        )
        self.country = country


# ---------------------------------------------------------------------------------------------
# Holidays, cached per country and year span
# ---------------------------------------------------------------------------------------------


def _split_country(country: str | None) -> tuple[str, str | None]:
    """``"fr"`` → ``("FR", None)``; ``"FR-57"`` → ``("FR", "57")`` (Alsace-Moselle)."""
    text = (country or DEFAULT_COUNTRY).strip().upper().replace("_", "-")
    code, _, subdiv = text.partition("-")
    return code, (subdiv or None)


_SPAN = 10  # years computed on each side of a year asked for: one computation serves for long


@lru_cache(maxsize=512)
def _holidays_of_year(country: str, year: int) -> tuple[np.datetime64, ...]:
    canonical = _canonical(country)
    key = f"{canonical}:{year}"
    table = _stored_table()
    if key not in table:
        years = range(year - _SPAN, year + _SPAN + 1)
        table.update(
            (f"{canonical}:{y}", days) for y, days in _computed_holidays(country, years).items()
        )
        _store_table(table)
    days = table[key]
    if days is None:
        raise UnknownHolidayCountry(country)
    return tuple(np.datetime64(day, "D") for day in days)


def _computed_holidays(country: str, years: range) -> dict[int, list[str] | None]:
    """Year → ISO dates of the country's holidays (None: unknown country), from the ``holidays``
    package; imported here only, as it loads its 250 countries (0.2 s)."""
    import holidays

    code, subdiv = _split_country(country)
    try:
        found = holidays.country_holidays(code, subdiv=subdiv, years=years)
    except NotImplementedError:
        return dict.fromkeys(years)
    by_year: dict[int, list[str] | None] = {y: [] for y in years}
    for day in sorted(found):
        by_year[day.year].append(day.isoformat())  # type: ignore[union-attr]
    return by_year


# The holidays computed once are kept in the user's cache folder, per version of the holidays
# package: a run (and each of its workers) then reads a small JSON file instead of importing the
# package. A missing, unreadable or foreign file is computed again.
_table: list[dict[str, list[str] | None]] = []


def _table_path() -> Path | None:
    """``<cache folder>/holidays-<version>.json``; None if the package cannot be found."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or not spec.submodule_search_locations:
        return None
    site = Path(next(iter(spec.submodule_search_locations))).parent
    versions = sorted(
        p.name[len("holidays-") : -len(".dist-info")] for p in site.glob("holidays-*.dist-info")
    )
    if len(versions) != 1:
        return None  # no version to key on: computed each run
    from pmo_xl.cache import default_cache_dir

    return default_cache_dir() / f"holidays-{versions[0]}.json"


def _stored_table() -> dict[str, list[str] | None]:
    if not _table:
        table: dict[str, list[str] | None] = {}
        path = _table_path()
        if path is not None:
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = None
            if isinstance(loaded, dict) and all(
                v is None or (isinstance(v, list) and all(_is_iso_day(d) for d in v))
                for v in loaded.values()
            ):
                table = loaded
        _table.append(table)
    return _table[0]


def _is_iso_day(value: object) -> bool:
    """``"2026-11-11"``: what the table holds (anything else makes it computed again)."""
    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _store_table(table: dict[str, list[str] | None]) -> None:
    """Write the table atomically; a cache folder that cannot be written is left alone."""
    from pmo_xl.safe_io import OutputError, atomic_write

    path = _table_path()
    if path is None:
        return
    with contextlib.suppress(OSError, OutputError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(table), encoding="utf-8"))


def is_known_country(country: str) -> bool:
    """Whether ``country`` (``"FR"``, ``"FR-57"``…) has a holiday calendar; for settings checks."""
    try:
        _holidays_of_year(country, 2026)
    except UnknownHolidayCountry:
        return False
    return True


@lru_cache(maxsize=64)
def holiday_dates(country: str, first_year: int, last_year: int) -> np.ndarray:
    """Public holidays of ``country`` in years ``first_year``–``last_year``, sorted, day unit."""
    days = [
        d for year in range(first_year, last_year + 1) for d in _holidays_of_year(country, year)
    ]
    array = np.array(days, dtype="datetime64[D]")
    array.setflags(write=False)  # shared by the cache
    return array


@lru_cache(maxsize=64)
def _busday_calendar(country: str, first_year: int, last_year: int) -> np.busdaycalendar:
    return np.busdaycalendar(
        weekmask="1111100", holidays=holiday_dates(country, first_year, last_year)
    )


def _calendar_for(country: str, *arrays: np.ndarray) -> np.busdaycalendar:
    """A business-day calendar covering every date of ``arrays`` (one spare year on each side)."""
    years = [
        a[~np.isnat(a)].astype("datetime64[Y]").astype("int64") + 1970
        for a in arrays
        if a.size and not np.isnat(a).all()
    ]
    if years:
        first, last = int(min(y.min() for y in years)), int(max(y.max() for y in years))
    else:
        first = last = dt.date.today().year
    return _busday_calendar(_canonical(country), first - 1, last + 1)


def _canonical(country: str | None) -> str:
    code, subdiv = _split_country(country)
    return f"{code}-{subdiv}" if subdiv else code


# ---------------------------------------------------------------------------------------------
# Conversions
# ---------------------------------------------------------------------------------------------


def _days(value: Any) -> np.ndarray:
    """Any date, column of dates or None → ``datetime64[D]`` array (``NaT`` where missing)."""
    if isinstance(value, pd.Series | pd.Index):
        return np.asarray(pd.to_datetime(value).to_numpy(dtype="datetime64[D]"))
    if isinstance(value, np.ndarray):
        return value.astype("datetime64[D]")
    if value is None or (not isinstance(value, dt.date | np.datetime64) and pd.isna(value)):
        return np.array(["NaT"], dtype="datetime64[D]")
    if isinstance(value, pd.Timestamp):
        return np.array([value.to_datetime64()], dtype="datetime64[D]")
    if isinstance(value, dt.datetime):
        value = value.date()
    return np.array([value], dtype="datetime64[D]")


def _is_column(*values: Any) -> bool:
    return any(isinstance(v, pd.Series | pd.Index | np.ndarray) for v in values)


def _index_of(*values: Any) -> pd.Index | None:
    for v in values:
        if isinstance(v, pd.Series):
            return v.index
    return None


def _count(begin: np.ndarray, end: np.ndarray, country: str) -> np.ndarray:
    """``np.busday_count(begin, end)`` (begin included, end excluded) as float, NaN for NaT."""
    begin, end = np.broadcast_arrays(begin, end)
    valid = ~(np.isnat(begin) | np.isnat(end))
    out = np.full(begin.shape, np.nan)
    if valid.any():
        cal = _calendar_for(country, begin[valid], end[valid])
        out[valid] = np.busday_count(begin[valid], end[valid], busdaycal=cal)
    return out


def _result(values: np.ndarray, as_column: bool, index: pd.Index | None) -> Any:
    if as_column:
        return pd.Series(values, index=index, dtype="float64")
    value = values[0]
    return None if np.isnan(value) else int(value)


# ---------------------------------------------------------------------------------------------
# Counting
# ---------------------------------------------------------------------------------------------


@overload
def working_days_between(start: DateLike, end: DateLike, country: str = DEFAULT_COUNTRY) -> int: ...
@overload
def working_days_between(
    start: pd.Series[Any], end: pd.Series[Any] | DateLike, country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
@overload
def working_days_between(
    start: DateLike, end: pd.Series[Any], country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
def working_days_between(start: Any, end: Any, country: str = DEFAULT_COUNTRY) -> Any:
    """Working days in [start, end], both included; 0 when end < start.

    Mon 9 → Fri 13 Nov 2026 = 4 (Wed 11 is Armistice).
    """
    counts = np.clip(_count(_days(start), _days(end) + _DAY, country), 0, None)
    return _result(counts, _is_column(start, end), _index_of(start, end))


@overload
def working_days_in(
    start_exclusive: DateLike, end_inclusive: DateLike, country: str = DEFAULT_COUNTRY
) -> int: ...
@overload
def working_days_in(
    start_exclusive: pd.Series[Any],
    end_inclusive: pd.Series[Any] | DateLike,
    country: str = DEFAULT_COUNTRY,
) -> pd.Series[float]: ...
@overload
def working_days_in(
    start_exclusive: DateLike, end_inclusive: pd.Series[Any], country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
def working_days_in(
    start_exclusive: Any, end_inclusive: Any, country: str = DEFAULT_COUNTRY
) -> Any:
    """Working days in (start, end]: the days a date moved by; 0 when end ≤ start."""
    counts = np.clip(
        _count(_days(start_exclusive) + _DAY, _days(end_inclusive) + _DAY, country), 0, None
    )
    return _result(counts, _is_column(start_exclusive, end_inclusive), _index_of(start_exclusive))


@overload
def slip_working_days(
    baseline: DateLike, forecast: DateLike, country: str = DEFAULT_COUNTRY
) -> int: ...
@overload
def slip_working_days(
    baseline: pd.Series[Any], forecast: pd.Series[Any] | DateLike, country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
@overload
def slip_working_days(
    baseline: DateLike, forecast: pd.Series[Any], country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
def slip_working_days(baseline: Any, forecast: Any, country: str = DEFAULT_COUNTRY) -> Any:
    """Milestone slip (CALCULATIONS.md §10): +working days in (baseline, forecast] when late,
    −working days in (forecast, baseline] when early.

    numpy counts a reversed range ``busday_count(b, a)`` (a < b) as −(working days in (a, b]),
    which is the early case as is; the late case shifts both ends by a day to count (b, f].
    """
    base, fore = np.broadcast_arrays(_days(baseline), _days(forecast))
    late = _count(base + _DAY, fore + _DAY, country)
    early = _count(base, fore, country)
    counts = np.where(fore >= base, late, early)
    return _result(counts, _is_column(baseline, forecast), _index_of(baseline, forecast))


@overload
def is_working_day(date: DateLike, country: str = DEFAULT_COUNTRY) -> bool: ...
@overload
def is_working_day(date: pd.Series[Any], country: str = DEFAULT_COUNTRY) -> pd.Series[bool]: ...
def is_working_day(date: Any, country: str = DEFAULT_COUNTRY) -> Any:
    """Monday–Friday and not a public holiday. A missing date is not a working day."""
    days = _days(date)
    valid = ~np.isnat(days)
    out = np.zeros(days.shape, dtype=bool)
    if valid.any():
        out[valid] = np.is_busday(days[valid], busdaycal=_calendar_for(country, days[valid]))
    if _is_column(date):
        return pd.Series(out, index=_index_of(date), dtype=bool)
    return bool(out[0])


@overload
def next_working_day_after(date: DateLike, country: str = DEFAULT_COUNTRY) -> dt.date: ...
@overload
def next_working_day_after(
    date: pd.Series[Any], country: str = DEFAULT_COUNTRY
) -> pd.Series[Any]: ...
def next_working_day_after(date: Any, country: str = DEFAULT_COUNTRY) -> Any:
    """First working day strictly after ``date`` (Tue 10 Nov 2026 → Thu 12: the 11th is off)."""
    days = _days(date) + _DAY
    valid = ~np.isnat(days)
    out = np.full(days.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    if valid.any():
        # A one-month margin so the calendar also covers a roll over New Year.
        cal = _calendar_for(country, days[valid], days[valid] + np.timedelta64(31, "D"))
        out[valid] = np.busday_offset(days[valid], 0, roll="forward", busdaycal=cal)
    if _is_column(date):
        return pd.Series(out.astype("datetime64[ns]"), index=_index_of(date))
    return out[0].astype(dt.date)


@overload
def iso_monday(dates: DateLike) -> dt.date: ...
@overload
def iso_monday(dates: pd.Series[Any]) -> pd.Series[Any]: ...
def iso_monday(dates: Any) -> Any:
    """The Monday of each date's ISO week (a Sunday belongs to the week begun six days before)."""
    days = _days(dates)
    ordinal = days.astype("int64")
    mondays = ((ordinal + _MONDAY_SHIFT) // 7 * 7 - _MONDAY_SHIFT).astype("datetime64[D]")
    mondays[np.isnat(days)] = np.datetime64("NaT")
    if _is_column(dates):
        return pd.Series(mondays.astype("datetime64[ns]"), index=_index_of(dates))
    return mondays[0].astype(dt.date)


@overload
def working_days_of_week(monday: DateLike, country: str = DEFAULT_COUNTRY) -> int: ...
@overload
def working_days_of_week(
    monday: pd.Series[Any], country: str = DEFAULT_COUNTRY
) -> pd.Series[float]: ...
def working_days_of_week(monday: Any, country: str = DEFAULT_COUNTRY) -> Any:
    """Working days of the ISO week starting on ``monday`` (any day of the week works): 0 to 5."""
    start = _days(iso_monday(monday))
    counts = _count(start, start + np.timedelta64(7, "D"), country)
    return _result(counts, _is_column(monday), _index_of(monday))


# ---------------------------------------------------------------------------------------------
# Spreading effort over working days, by week or by month (resource load, effort by month)
# ---------------------------------------------------------------------------------------------


def working_days_array(
    first: DateLike, last: DateLike, country: str = DEFAULT_COUNTRY
) -> np.ndarray:
    """Every working day in [first, last], sorted ``datetime64[D]``."""
    lo, hi = _days(first)[0], _days(last)[0]
    if np.isnat(lo) or np.isnat(hi) or hi < lo:
        return np.array([], dtype="datetime64[D]")
    span = np.arange(lo, hi + _DAY, dtype="datetime64[D]")
    return span[np.is_busday(span, busdaycal=_calendar_for(country, span[:1], span[-1:]))]


def _period_start(period_id: np.ndarray, period: Period) -> np.ndarray:
    if period == "week":
        return (period_id * 7 - _MONDAY_SHIFT).astype("datetime64[D]")
    return period_id.astype("datetime64[M]").astype("datetime64[D]")


def _period_id(days: np.ndarray, period: Period) -> np.ndarray:
    if period == "week":
        return (days.astype("int64") + _MONDAY_SHIFT) // 7
    return days.astype("datetime64[M]").astype("int64")


def period_start(days: np.ndarray, period: Period = "week") -> np.ndarray:
    """Monday of the week (or 1st of the month) of each ``datetime64[D]`` day."""
    return _period_start(_period_id(days.astype("datetime64[D]"), period), period)


def working_days_by_period(
    first: np.ndarray | pd.Series[Any],
    last: np.ndarray | pd.Series[Any],
    period: Period = "week",
    country: str = DEFAULT_COUNTRY,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cut each span [first[i], last[i]] into weeks (or months) and count its working days in each.

    Returns three aligned arrays ``(span_index, period_start, working_days)``, one entry per span
    and period with at least one working day; a span with no working day yields nothing. Spans are
    cut per period, not per day, so a year-long task costs 52 rows, not 250.
    """
    first_d, last_d = _days(first), _days(last)
    empty = (
        np.array([], dtype="int64"),
        np.array([], dtype="datetime64[D]"),
        np.array([], dtype="int64"),
    )
    ok = ~(np.isnat(first_d) | np.isnat(last_d)) & (last_d >= first_d)
    if not ok.any():
        return empty
    workdays = working_days_array(first_d[ok].min(), last_d[ok].max(), country)
    # Each span as a half-open range [a, b) of positions in ``workdays``.
    a = np.searchsorted(workdays, first_d, side="left")
    b = np.searchsorted(workdays, last_d, side="right")
    keep = np.flatnonzero(ok & (b > a))
    if keep.size == 0:
        return empty
    a, b = a[keep], b[keep]
    p_first = _period_id(workdays[a], period)
    p_last = _period_id(workdays[b - 1], period)
    n_periods = p_last - p_first + 1
    span = np.repeat(np.arange(keep.size), n_periods)
    offsets = np.arange(span.size) - np.repeat(np.cumsum(n_periods) - n_periods, n_periods)
    pid = p_first[span] + offsets
    starts = _period_start(pid, period)
    lo = np.maximum(a[span], np.searchsorted(workdays, starts, side="left"))
    hi = np.minimum(b[span], np.searchsorted(workdays, _period_start(pid + 1, period), side="left"))
    counts = hi - lo
    nonzero = counts > 0  # a week of holidays only inside a span
    return keep[span][nonzero], starts[nonzero], counts[nonzero].astype("int64")
