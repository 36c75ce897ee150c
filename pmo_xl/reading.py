"""Read project and PMO workbooks into the typed model, the way people really fill them.

French or English names, any case, accents or not; the header row anywhere in the first 20 rows;
columns in any order; dates and numbers typed as text. What cannot be understood becomes a
:class:`~pmo_xl.model.Finding` at its cell; only a file that cannot be opened at all raises
(:class:`~pmo_xl.workbook.WorkbookError`, from the source).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_xl import labels, native
from pmo_xl.calendar import DEFAULT_COUNTRY, is_known_country
from pmo_xl.labels import Column, SheetSpec, norm
from pmo_xl.messages import severity
from pmo_xl.model import (
    ExpectedProject,
    Finding,
    Mapping,
    ProfileRate,
    ProjectInfo,
    ProjectWorkbook,
    RowSource,
    RuleOverride,
    Settings,
    Table,
    Thresholds,
    empty_frame,
    prime_columns,
)
from pmo_xl.workbook import CellError, CellValue, Grid, Uncached, WorkbookSource, column_letter

HEADER_SEARCH_ROWS = 20
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# ---------------------------------------------------------------------------------------------
# Vocabulary: the catalogue plus the company's own names (Correspondances)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """Name lookups for one run: built-in aliases plus the PMO's ``Correspondances``."""

    mappings: tuple[tuple[str | None, str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings | None) -> Vocabulary:
        if settings is None:
            return cls()
        return cls(tuple((m.sheet, m.their_name, m.our_name) for m in settings.mappings))

    def sheet_keys(self, spec: SheetSpec) -> set[str]:
        return _sheet_keys(spec, self.mappings)

    def column_lookup(self, spec: SheetSpec) -> dict[str, tuple[str, int]]:
        return _column_lookup(spec, self.mappings)


@lru_cache(maxsize=256)
def _sheet_keys(spec: SheetSpec, mappings: tuple[tuple[str | None, str, str], ...]) -> set[str]:
    keys = set(spec.label.match_keys())
    for _sheet, theirs, ours in mappings:
        if norm(ours) in spec.label.match_keys():
            keys.add(norm(theirs))
    return keys


@lru_cache(maxsize=256)
def _column_lookup(
    spec: SheetSpec, mappings: tuple[tuple[str | None, str, str], ...]
) -> dict[str, tuple[str, int]]:
    """Normalised header → (field, priority); priority 0 = a label or a mapping, 1 = an alias."""
    lookup: dict[str, tuple[str, int]] = {}
    for col in spec.columns:
        for key in (norm(col.label.fr), norm(col.label.en)):
            if key and (key not in lookup or lookup[key][1] > 0):
                lookup[key] = (col.field, 0)
    for col in spec.columns:
        for alias in col.label.aliases:
            lookup.setdefault(norm(alias), (col.field, 1))
    for sheet, theirs, ours in mappings:
        if sheet and norm(sheet) not in spec.label.match_keys():
            continue
        for col in spec.columns:
            if norm(ours) in col.label.match_keys() or norm(ours) == norm(col.field):
                lookup[norm(theirs)] = (col.field, 0)
    # Every unit spelled another way: "Reste à faire (jours)" is "Reste à faire (j)".
    for key, (fld, _prio) in list(lookup.items()):
        lookup.setdefault(unit_key(key), (fld, 1))
    return lookup


# A header's unit written the ways people write it: (j), (jours), (j.h), (jours-homme), (days),
# (person-days); (€), (euros), (EUR). Only at the end of a header, and only to match one.
_DAY_UNITS = re.compile(
    r"(?:jourshommes?|hommesjours?|jhommes?|jours?|jh|hj|persondays?|mandays?|days?)$"
)
_EUR_UNITS = re.compile(r"(?:euros?)$")


def unit_key(key: str) -> str:
    """A normalised header with its unit in one spelling (``resteafairejours`` →
    ``resteafairej``), so that a unit written another way still names the column. A header
    that is little more than a unit (``Jour``, ``Days``) is left as it is."""
    for units, unit in ((_DAY_UNITS, "j"), (_EUR_UNITS, "eur")):
        found = units.search(key)
        if found is not None and found.start() >= 2:
            return key[: found.start()] + unit
    return key


def find_sheet(names: Sequence[str], spec: SheetSpec, vocab: Vocabulary) -> str | None:
    keys = vocab.sheet_keys(spec)
    # Exact label first: a workbook holding both "Projet" and "Projets" must pick the right one.
    for name in names:
        if _norm(name) in {_norm(spec.label.fr), _norm(spec.label.en)}:
            return name
    for name in names:
        if _norm(name) in keys:
            return name
    return None


# ---------------------------------------------------------------------------------------------
# Cell conversion. Each converter returns (value, finding code or None, params).
# ---------------------------------------------------------------------------------------------

_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$"), "dmy"),
    (re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})$"), "dmy2"),
    (
        re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
        "ymd",
    ),
)
_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_text_date(text: str) -> dt.date | None:
    """``15/11/2026``, ``15-11-26``, ``2026-11-15`` → a date; French day-first order."""
    s = text.strip()
    for pattern, order in _DATE_PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        a, b, c = (int(x) for x in m.groups()[:3])
        try:
            if order == "ymd":
                return dt.date(a, b, c)
            year = c if order == "dmy" else 2000 + c
            return dt.date(year, b, a)
        except ValueError:
            return None
    return None


def parse_text_number(text: str) -> float | None:
    """``2,5`` → 2.5, ``1 234,50`` → 1234.5, ``12 j`` → None (units are not guessed)."""
    s = _SPACES.sub("", text.strip()).rstrip("€").rstrip()
    if s.endswith("%"):
        inner = parse_text_number(s[:-1])
        return None if inner is None else inner / 100
    if not _NUMBER_RE.match(s):
        return None
    return float(s.replace(",", "."))


Converted = tuple[Any, str | None, dict[str, Any]]

# No effort, rate or amount comes near this: beyond it a value is a mistake (1e308 pasted from
# elsewhere), and summing it would make the portfolio's totals infinite.
MAX_NUMBER = native.MAX_NUMBER


def _special(value: CellValue) -> Converted | None:
    if isinstance(value, CellError):
        return None, "CELL_ERROR", {"value": value.code}
    if isinstance(value, Uncached):
        return None, "FORMULA_NOT_CALCULATED", {"value": value.formula}
    return None


def convert_number(value: CellValue) -> Converted:
    if isinstance(value, bool):
        return None, "NUMBER_INVALID", {"value": value}
    if isinstance(value, int | float):
        if isinstance(value, float) and not np.isfinite(value):
            return None, "NUMBER_INVALID", {"value": str(value)}
        if abs(value) > MAX_NUMBER:
            return None, "NUMBER_OUT_OF_RANGE", {"value": str(value)}
        return float(value), None, {}
    special = _special(value)
    if special:
        return special
    if isinstance(value, str):
        if not value.strip():
            return None, None, {}
        number = parse_text_number(value)
        if number is None:
            return None, "NUMBER_INVALID", {"value": value}
        if not abs(number) <= MAX_NUMBER:
            return None, "NUMBER_OUT_OF_RANGE", {"value": value}
        return number, "NUMBER_AS_TEXT", {"value": value, "number": number}
    return None, "NUMBER_INVALID", {"value": str(value)}


# A planning date outside these years is a typo (or a serial number gone wrong), and pandas
# cannot hold dates beyond 2262 anyway.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def convert_date(value: CellValue) -> Converted:
    converted = _convert_date(value)
    day = converted[0]
    if isinstance(day, dt.date) and not FIRST_YEAR <= day.year <= LAST_YEAR:
        # A real date (9999-12-31, a year typed 2062 for 2026…), only out of a plan's reach.
        params = {"value": day, "first": FIRST_YEAR, "last": LAST_YEAR}
        return None, "DATE_OUT_OF_RANGE", params
    return converted


def _convert_date(value: CellValue) -> Converted:
    if isinstance(value, dt.datetime):
        return value.date(), None, {}
    if isinstance(value, dt.date):
        return value, None, {}
    special = _special(value)
    if special:
        return special
    if isinstance(value, str):
        if not value.strip():
            return None, None, {}
        parsed = parse_text_date(value)
        if parsed is None:
            return None, "DATE_INVALID", {"value": value}
        return parsed, "DATE_AS_TEXT", {"value": value, "date": parsed}
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        # A serial number in a General-formatted cell: Excel shows it as a number, not a date.
        # Serials 1 to 59 come before the 29 February 1900 Excel counts but that never was:
        # a day later than the count from 30/12/1899 (as openpyxl and native.serial_value).
        serial = int(value)
        day = (_EXCEL_EPOCH + dt.timedelta(days=serial + (serial < 60))).date()
        return day, "DATE_AS_TEXT", {"value": value, "date": day}
    return None, "DATE_INVALID", {"value": value if isinstance(value, bool) else str(value)}


def convert_text(value: CellValue) -> Converted:
    if value is None:
        return None, None, {}
    if isinstance(value, str):
        text = value.strip()
        return (text or None), None, {}
    special = _special(value)
    if special:
        return special
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), None, {}
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None, {}
    if isinstance(value, dt.date):
        return value.isoformat(), None, {}
    return str(value), None, {}


def convert_enum(value: CellValue, enum: str, column: str) -> Converted:
    if isinstance(value, bool) and enum == "yesno":
        return ("yes" if value else "no"), None, {}
    special = _special(value)
    if special:
        return special
    text, _code, _params = convert_text(value)
    if text is None:
        return None, None, {}
    found = _enum_table(enum).get(_norm(text))
    if found is None:
        return (
            None,
            "VALUE_UNKNOWN",
            {
                "value": text,
                "column": column,
                "choices": labels.enum_choices(enum),
            },
        )
    return found, None, {}


def convert(value: CellValue, col: Column) -> Converted:
    if value is None:
        return None, None, {}
    if col.kind == "number":
        return convert_number(value)
    if col.kind == "date":
        return convert_date(value)
    if col.kind == "enum" and col.enum:
        return convert_enum(value, col.enum, col.label.fr)
    return convert_text(value)


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


@dataclass
class _Context:
    file: str
    project: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def add(
        self,
        code: str,
        at_sheet: str | None,
        cell: str | None = None,
        row: int | None = None,
        column: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                file=self.file,
                project=self.project,
                sheet=at_sheet,
                cell=cell,
                row=row,
                column=column,
                severity=severity(code),
                code=code,
                params=params or {},
            )
        )


def _is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header(
    grid: Grid, lookup: dict[str, tuple[str, int]], spec: SheetSpec
) -> tuple[int, dict[str, tuple[int, str]], list[tuple[str, int, int]]] | None:
    """Best header row in the first rows: (row index, field → (col index, header), duplicates)."""
    best: tuple[int, dict[str, tuple[int, str]], list[tuple[str, int, int]]] | None = None
    best_score = 0
    required = {c.field for c in spec.columns if c.required}
    fields = {f for f, _prio in lookup.values()}
    top_score = len(fields) + len(required & fields)  # no later row can do better
    for r, row in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        if best_score == top_score:
            break
        chosen: dict[str, tuple[int, int, str]] = {}
        dups: list[tuple[str, int, int]] = []
        for c, value in enumerate(row):
            if not isinstance(value, str):
                continue
            key = _norm(value)
            hit = lookup.get(key)
            if hit is None:
                hit = lookup.get(unit_key(key))
                if hit is None:
                    continue
            fld, prio = hit
            if fld in chosen:
                if prio < chosen[fld][1]:
                    chosen[fld] = (c, prio, value)
                elif prio == chosen[fld][1]:
                    dups.append((value, chosen[fld][0], c))
                continue
            chosen[fld] = (c, prio, value)
        score = len(chosen) + len(required & set(chosen))
        if score > best_score and (len(chosen) >= 2 or (required and required <= set(chosen))):
            best_score = score
            best = (r, {f: (c, h) for f, (c, _p, h) in chosen.items()}, dups)
    return best


def read_table(
    source: WorkbookSource,
    spec: SheetSpec,
    ctx: _Context,
    vocab: Vocabulary,
    sheet_names: Sequence[str] | None = None,
) -> Table:
    names = list(sheet_names if sheet_names is not None else source.sheet_names())
    sheet = find_sheet(names, spec, vocab)
    if sheet is None:
        code = "SHEET_MISSING" if spec.required else "SHEET_ABSENT"
        ctx.add(code, spec.label.fr, params={"sheet": spec.label.fr})
        return Table.empty(spec, ctx.file)
    # A source that can hand over its raw values (the fast reader) spares a per-cell pass:
    # table_from_grid converts whole columns and normalises only the odd cells.
    raw_sheet = getattr(source, "raw_sheet", None)
    grid = raw_sheet(sheet) if raw_sheet is not None else source.read_sheet(sheet)
    return table_from_grid(grid, spec, ctx, vocab, sheet)


def table_from_grid(
    grid: Grid, spec: SheetSpec, ctx: _Context, vocab: Vocabulary, sheet: str
) -> Table:
    lookup = vocab.column_lookup(spec)
    header = _find_header(grid, lookup, spec)
    if header is None:
        expected = [c.label.fr for c in spec.columns if c.kind != "formula"]
        ctx.add("HEADER_NOT_FOUND", sheet, params={"sheet": sheet, "expected": expected})
        return Table(spec, ctx.file, sheet, empty_frame(spec))
    header_r, found, dups = header
    header_row = grid.first_row + header_r
    letters = {f: column_letter(grid.first_col + c) for f, (c, _h) in found.items()}
    for value, first_c, dup_c in dups:
        first = f"{column_letter(grid.first_col + first_c)}{header_row}"
        cell = f"{column_letter(grid.first_col + dup_c)}{header_row}"
        ctx.add(
            "COLUMN_DUPLICATE", sheet, cell, header_row, value, {"column": value, "first": first}
        )
    for col in spec.columns:
        if col.required and col.field not in found:
            params = {"column": col.label.fr, "sheet": sheet, "row": header_row}
            ctx.add("COLUMN_MISSING", sheet, None, header_row, col.label.fr, params)

    data = grid.rows[header_r + 1 :]
    wanted = [
        (col, found[col.field][0])
        for col in spec.columns
        if col.field in found and col.kind != "formula"
    ]
    # Column by column, not cell by cell: one transpose, then numpy masks and per-type fast
    # paths; only the cells that are not plain values of their column's kind go through
    # convert(), in row order, so values and findings are those of a cell-by-cell loop.
    # A reader's rectangle of rows is turned into columns in one C step where it can be.
    transposed: Sequence[Sequence[Any]] = []
    if data:
        by_column = native.columns(data)
        transposed = by_column if by_column else list(itertools.zip_longest(*data))
    scanned: dict[int, _Scanned | _Typed] = {}
    blank = np.ones(len(data), dtype=bool)
    for col, c in wanted:
        scanned[c] = _scan(transposed[c] if c < len(transposed) else None, len(data), col.kind)
        blank &= scanned[c].blank
    every_row = not blank.any()
    keep = np.arange(len(data)) if every_row else np.flatnonzero(~blank)
    rows_excel = (keep + (header_row + 1)).astype("int64")
    normalize = getattr(grid, "normalize", None)
    columns: dict[str, Any] = {}
    for col in spec.columns:
        if col.field not in found or col.kind == "formula":
            columns[col.field] = None
            continue
        c = found[col.field][0]
        header_text = found[col.field][1]
        letter = letters[col.field]
        column = scanned[c]
        if isinstance(column, _Typed):
            values, odd = _convert_typed(column, None if every_row else keep, col, normalize)
        else:
            raw = column.values if every_row else column.values[keep]
            values, odd = _convert_column(raw, col, normalize, column)
        for i, code, params in odd:
            excel_row = int(rows_excel[i])
            ctx.add(code, sheet, f"{letter}{excel_row}", excel_row, header_text, params)
        columns[col.field] = values
    frame = _typed_frame(spec, columns, rows_excel)
    headers = {f: h for f, (_c, h) in found.items()}
    return Table(spec, ctx.file, sheet, frame, letters, headers, header_row)


_NONE = type(None)
_NULL: Any = None  # compared element-wise by np.equal (an object array holds None itself)
_FAST_TYPES: dict[str, frozenset[type]] = {
    "number": frozenset({float, int, _NONE}),
    "date": frozenset({dt.datetime, dt.date, _NONE}),
    "enum": frozenset({str, _NONE}),
    "text": frozenset({str, _NONE}),
}
_NS_PER_DAY = 86_400 * 10**9
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_FIRST_DAY = dt.date(FIRST_YEAR, 1, 1).toordinal()
_LAST_DAY = dt.date(LAST_YEAR, 12, 31).toordinal()
_NAT = np.iinfo(np.int64).min
_DAY_TYPES = frozenset({dt.date, dt.datetime})


def _ordinals(values: list[Any], distinct: Iterable[Any] | None = None) -> np.ndarray:
    """Day numbers of dates and datetimes (time of day dropped, as ``.date()``), 0 for None.
    Each distinct date is converted once (3,000 entries fall on a few hundred days);
    ``distinct``: the values, or more, already gathered."""
    day_of: dict[Any, int] = {None: 0}
    for v in set(values) if distinct is None else distinct:
        if type(v) in _DAY_TYPES:
            day_of[v] = v.toordinal()
    return np.fromiter(map(day_of.__getitem__, values), dtype=np.int64, count=len(values))


def _datetimes(ordinals: np.ndarray) -> np.ndarray:
    """``datetime64[ns]`` of day numbers; 0 → NaT. Numpy's own conversion of date objects is
    twenty times slower."""
    ns = (ordinals - _EPOCH_ORDINAL) * _NS_PER_DAY
    ns[ordinals == 0] = _NAT
    return ns.view("datetime64[ns]")


@dataclass
class _Scanned:
    """One column of a sheet, looked at once: what the conversion needs to know of it."""

    values: np.ndarray  # the cells; empty texts become None (every converter reads them alike)
    kinds: set[type]  # the types found in ``values``, or more
    distinct: set[Any] | None  # the distinct cells, when the column may hold text
    blank: np.ndarray | bool  # ``_is_blank`` of each cell; False: no blank cell


@dataclass
class _Typed:
    """A column as :func:`native.typed_column` typed it, and its cells for the slow ones."""

    values: Any  # float64 or day-number array, or list of texts
    slow: np.ndarray  # cells convert() must look at
    blank: np.ndarray  # as _Scanned.blank
    cells: list[Any]


def _scan(cells: Sequence[Any] | None, n: int, kind: str = "text") -> _Scanned | _Typed:
    """The column's values, their types and blanks (None, or text that is only spaces), in as
    few passes as the column needs: a column of numbers or dates filled on every row takes two.
    A number or date column whose blanks are ``''`` (the fast reader's) stays on the fast path.
    With the C code, one pass types the column (``kind``: the column's kind in the format),
    for :func:`_convert_typed`.
    """
    if cells is None:
        return _Scanned(np.empty(n, dtype=object), {_NONE}, {None}, True)
    if type(cells) is list and len(cells) == n:
        typed = native.typed_column(cells, kind, _FIRST_DAY, _LAST_DAY)
        if typed is not None:
            return _Typed(*typed, cells)
    # fromiter: ten times faster than assigning a tuple of dates to an object array
    values = np.fromiter(cells, dtype=object, count=n)
    kinds = set(map(type, cells))
    if str not in kinds and _NONE not in kinds:
        return _Scanned(values, kinds, None, False)
    distinct = set(cells)
    texts = {v for v in distinct if type(v) is str}
    has_empty, has_none = "" in distinct, None in distinct
    if has_empty:
        values[np.equal(values, "")] = None
        kinds = (kinds - {str} if texts == {""} else kinds) | {_NONE}
    blank: np.ndarray | bool = np.equal(values, _NULL) if has_empty or has_none else False
    spaces = {v for v in texts if v and not v.strip()}
    if spaces:  # rare: cells holding only spaces
        blank = blank | np.fromiter((v in spaces for v in values), dtype=bool, count=n)
    return _Scanned(values, kinds, distinct, blank)


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return norm(text)


@lru_cache(maxsize=64)
def _enum_table(enum: str) -> dict[str, str]:
    return labels.enum_lookup(enum)


Odd = list[tuple[int, str, dict[str, Any]]]


def _convert_column(
    raw: np.ndarray, col: Column, normalize: Any, scanned: _Scanned
) -> tuple[Any, Odd]:
    """Values of one column (kept rows) as :func:`convert` gives them, and its findings.

    Cells of the column's plain types (numbers, dates, text) are converted with numpy; the
    others ("slow": text in a number column, an error, a date out of range…) one by one with
    :func:`convert`, after ``normalize`` (the fast reader's raw value → the reference's), in row
    order. ``values`` is a float64 array, a datetime64[ns] array or a list (text, list values).
    ``scanned``: what :func:`_scan` found in the whole column.
    """
    fast = _FAST_TYPES.get(col.kind, _FAST_TYPES["text"])
    n = len(raw)
    if scanned.kinds <= fast:
        slow = np.zeros(n, dtype=bool)
    else:
        slow = ~np.fromiter(map(fast.__contains__, map(type, raw)), dtype=bool, count=n)
    any_slow = bool(slow.any())
    values_list: list[Any] = raw.tolist()
    if col.kind == "enum":
        return values_list, _convert_enum_column(values_list, slow, col, normalize)
    if col.kind == "number":
        plain = (np.where(slow, _NULL, raw) if any_slow else raw).astype("float64")  # None → NaN
        not_finite = ~(np.abs(plain) <= MAX_NUMBER)
        if not_finite.any():  # NaN, ±inf, out of range: to convert() (a None is only blank)
            slow |= not_finite & ~np.equal(raw, _NULL)
    elif col.kind == "date":
        plain_days = (
            [None if s else v for v, s in zip(values_list, slow.tolist(), strict=True)]
            if any_slow
            else values_list
        )
        days = _ordinals(plain_days, scanned.distinct)
        slow |= (days != 0) & ((days < _FIRST_DAY) | (days > _LAST_DAY))  # DATE_INVALID
    odd: Odd = []
    for i in np.flatnonzero(slow).tolist():
        value = values_list[i]
        converted, code, params = convert(normalize(value) if normalize else value, col)
        values_list[i] = converted
        if code is not None:
            odd.append((i, code, params))
    if col.kind == "number":
        if slow.any():
            plain[slow] = np.array([values_list[i] for i in np.flatnonzero(slow)], dtype="float64")
        return plain, odd
    if col.kind == "date":
        if slow.any():
            days[slow] = _ordinals([values_list[i] for i in np.flatnonzero(slow)])
        return _datetimes(days), odd
    if not slow.any():
        return _texts(values_list, scanned.distinct), odd
    plain_texts = [v for v, s in zip(values_list, slow.tolist(), strict=True) if not s]
    texts = iter(_texts(plain_texts, scanned.distinct))
    return [v if s else next(texts) for v, s in zip(values_list, slow.tolist(), strict=True)], odd


def _convert_typed(
    typed: _Typed, keep: np.ndarray | None, col: Column, normalize: Any
) -> tuple[Any, Odd]:
    """:func:`_convert_column` of a column the C code typed (rows ``keep``, or all): the same
    values and findings; only the slow cells go through :func:`convert`, in row order."""
    # The C code's arrays and lists are this column's own: converted in place.
    values, slow = typed.values, typed.slow
    at = None if keep is None else keep.tolist()
    if at is not None:
        slow = slow[keep]
        values = values[keep] if isinstance(values, np.ndarray) else [values[i] for i in at]
    if col.kind == "enum":  # its list holds the slow cells as they were
        return values, _convert_enum_column(values, slow, col, normalize)
    slow_at = np.flatnonzero(slow).tolist()
    odd: Odd = []
    converted_values: list[Any] = []
    for i in slow_at:
        value = typed.cells[i if at is None else at[i]]
        converted, code, params = convert(normalize(value) if normalize else value, col)
        converted_values.append(converted)
        if code is not None:
            odd.append((i, code, params))
    if col.kind == "number":
        if slow_at:
            values[slow_at] = np.array(converted_values, dtype="float64")  # None → NaN
        return values, odd
    if col.kind == "date":
        if slow_at:
            values[slow_at] = _ordinals(converted_values)
        return _datetimes(values), odd
    for i, converted in zip(slow_at, converted_values, strict=True):
        values[i] = converted
    return values, odd


def _convert_enum_column(values: list[Any], slow: np.ndarray, col: Column, normalize: Any) -> Odd:
    """List values, converted in place: each distinct text once, other types cell by cell."""
    found: dict[Any, Converted] = {}
    odd: Odd = []
    for i, value in enumerate(values):
        if slow[i]:
            converted = convert(normalize(value) if normalize is not None else value, col)
        elif value is None:
            continue
        else:
            converted = found.get(value) or found.setdefault(value, convert(value, col))
        values[i] = converted[0]
        if converted[1] is not None:
            odd.append((i, converted[1], dict(converted[2])))
    return odd


def _texts(values: list[Any], distinct: Iterable[Any] | None = None) -> list[str | None]:
    """Text cells stripped (blank → None), equal texts shared: a name repeated on 3,000 rows
    is one object, in memory and when pickled. Each distinct text is stripped once;
    ``distinct``: the values, or more, already gathered."""
    shared: dict[str, str] = {}
    stripped: dict[Any, str | None] = {}
    for value in set(values) if distinct is None else distinct:
        if type(value) is str:
            text = value.strip()
            stripped[value] = shared.setdefault(text, text) if text else None
    return list(map(stripped.get, values))


def _typed_frame(spec: SheetSpec, columns: dict[str, Any], rows: np.ndarray) -> pd.DataFrame:
    n = len(rows)
    arrays: dict[str, np.ndarray] = {}
    for col in spec.columns:
        values = columns.get(col.field)
        if col.kind == "number":
            arrays[col.field] = (
                np.asarray(values, dtype="float64") if values is not None else np.full(n, np.nan)
            )
        elif col.kind == "date":
            arrays[col.field] = (
                np.asarray(values, dtype="datetime64[ns]")
                if values is not None
                else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
            )
        else:
            column = np.empty(n, dtype=object)
            if values is not None:
                column[:] = values
            arrays[col.field] = column
    arrays["row"] = np.asarray(rows, dtype="int64")
    frame = _frame(arrays, n)
    prime_columns(frame, arrays)
    return frame


# pandas-internal constructors _frame uses where this pandas has them
_FROM_MGR: Any = getattr(pd.DataFrame, "_from_mgr", None)
_arrays_to_mgr: Any
try:
    _arrays_to_mgr = importlib.import_module("pandas.core.internals.construction").arrays_to_mgr
except (ImportError, AttributeError):  # a pandas that moved it: the public constructor
    _arrays_to_mgr = None


def _frame(arrays: dict[str, np.ndarray], n: int) -> pd.DataFrame:
    """A DataFrame of these typed arrays, their dtypes kept: text stays ``object`` (from a
    bare array pandas would infer ``str``).

    pandas' own constructor from already checked arrays, one block per column (not merged by
    dtype: these frames are read column by column), costs a third of ``DataFrame(dict)``
    (~1.5 ms a workbook). It is not public API: a pandas without it takes the public path
    (tests/test_fast_path.py checks the dtypes either way)."""
    index = pd.RangeIndex(n)
    if _arrays_to_mgr is not None and _FROM_MGR is not None:
        with contextlib.suppress(TypeError, ValueError, AttributeError):
            mgr = _arrays_to_mgr(
                list(arrays.values()),
                _column_index(tuple(arrays)),
                index,
                verify_integrity=False,
                consolidate=False,
            )
            frame: pd.DataFrame = _FROM_MGR(mgr, axes=mgr.axes)
            return frame
    # A Series for each text column, so that pandas keeps ``object``.
    data = {
        name: pd.Series(a, dtype=object, index=index, copy=False) if a.dtype == object else a
        for name, a in arrays.items()
    }
    return pd.DataFrame(data, index=index, copy=False)


@lru_cache(maxsize=64)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The columns' Index of a table's frames, made once per table kind (an Index is
    immutable; pandas infers its dtype each time it makes one, 0.1 ms)."""
    return pd.Index(names)


@dataclass
class KeyValues:
    """A label/value sheet: field → (value, cell of the value, Excel row)."""

    sheet: str | None
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)


def read_key_values(
    source: WorkbookSource,
    spec: SheetSpec,
    ctx: _Context,
    vocab: Vocabulary,
    sheet_names: Sequence[str] | None = None,
) -> KeyValues:
    names = list(sheet_names if sheet_names is not None else source.sheet_names())
    sheet = find_sheet(names, spec, vocab)
    if sheet is None:
        if spec.required:
            ctx.add("SHEET_MISSING", spec.label.fr, params={"sheet": spec.label.fr})
        return KeyValues(None)
    grid = source.read_sheet(sheet)
    lookup = vocab.column_lookup(spec)
    result = KeyValues(sheet)
    for r, row in enumerate(grid.rows):
        excel_row = grid.first_row + r
        # The label sits in one of the first three columns, its value in the next cell.
        for c, value in enumerate(row[:3]):
            if not isinstance(value, str):
                continue
            key = _norm(value)
            hit = lookup.get(key)
            if hit is None:
                hit = lookup.get(unit_key(key))
                if hit is None:
                    continue
            fld = hit[0]
            if fld in result.cells:
                break
            col = spec.column(fld)
            cell = f"{column_letter(grid.first_col + c + 1)}{excel_row}"
            raw = row[c + 1] if c + 1 < len(row) else None
            converted, code, params = convert(raw, col)
            if code is not None:
                ctx.add(code, sheet, cell, excel_row, col.label.fr, params)
            result.values[fld] = converted
            result.cells[fld] = cell
            break
    return result


# ---------------------------------------------------------------------------------------------
# Project workbook
# ---------------------------------------------------------------------------------------------

TABLE_SPECS: tuple[SheetSpec, ...] = tuple(s for s in labels.PROJECT_SHEETS if s.layout == "table")


def read_project(
    source: WorkbookSource,
    settings: Settings | None = None,
    *,
    path: Path | None = None,
    file: str | None = None,
) -> ProjectWorkbook:
    """Read one project workbook. Problems become findings; nothing here raises on bad values.

    >>> from pmo_xl.workbook import MemoryWorkbook
    >>> wb = MemoryWorkbook.from_rows("p.xlsx", {"Projet": [["Code projet", "PRJ-1"]],
    ...     "Planning": [["ID", "Tâche"], ["T1", "Cadrage"]]})
    >>> read_project(wb).tasks.frame["name"].tolist()
    ['Cadrage']
    """
    vocab = Vocabulary.from_settings(settings)
    ctx = _Context(file or source.label)
    names = source.sheet_names()
    kv = read_key_values(source, labels.PROJECT, ctx, vocab, names)
    info_values = dict(kv.values)
    if isinstance(info_values.get("code"), str):
        ctx.project = info_values["code"]
    info = ProjectInfo(**info_values, sheet=kv.sheet, cells=kv.cells)
    for i, f in enumerate(ctx.findings):
        if f.project is None and ctx.project:
            ctx.findings[i] = f.model_copy(update={"project": ctx.project})
    tables = {spec.key: read_table(source, spec, ctx, vocab, names) for spec in TABLE_SPECS}
    return ProjectWorkbook(ctx.file, path, info, tables, ctx.findings)


# ---------------------------------------------------------------------------------------------
# PMO workbook
# ---------------------------------------------------------------------------------------------


def _fraction(value: float | None, default: float) -> float:
    """Thresholds may be typed as 5 (meaning 5 %) or 0.05 or 5 %."""
    if value is None:
        return default
    return value / 100 if value > 1 else value


def read_settings(
    source: WorkbookSource, *, base_dir: Path | None = None
) -> tuple[Settings, list[Finding]]:
    """Read ``Paramètres``, ``TJM``, ``Projets``, ``Correspondances``, ``Règles`` (all optional)."""
    ctx = _Context(source.label)
    names = source.sheet_names()
    # Correspondances first: they may rename the other sheets' columns too.
    mappings_table = read_table(source, labels.MAPPINGS, ctx, Vocabulary(), names)
    mappings = [
        Mapping(sheet=r["sheet"], their_name=r["their_name"], our_name=r["our_name"])
        for r in mappings_table.frame.to_dict("records")
        if r["their_name"] and r["our_name"]
    ]
    vocab = Vocabulary(tuple((m.sheet, m.their_name, m.our_name) for m in mappings))
    kv = read_key_values(source, labels.SETTINGS, ctx, vocab, names)
    v = kv.values
    thresholds = Thresholds(
        drift_green_max=_fraction(v.get("drift_green_max"), 0.05),
        drift_amber_max=_fraction(v.get("drift_amber_max"), 0.10),
        index_green_min=v.get("index_green_min") or 0.95,
        index_amber_min=v.get("index_amber_min") or 0.90,
        index_suspicious_above=v.get("index_suspicious_above") or 1.10,
    )
    folder = v.get("projects_folder")
    projects_folder = None
    if folder:
        projects_folder = Path(str(folder)).expanduser()
        if not projects_folder.is_absolute() and base_dir is not None:
            projects_folder = base_dir / projects_folder

    rates_table = read_table(source, labels.RATES, ctx, vocab, names)
    rates = [
        ProfileRate(
            profile=r["profile"],
            rate=r["rate"],
            valid_from=_date_or_none(r["valid_from"]),
            source=_row_source(rates_table, int(r["row"])),
        )
        for r in rates_table.frame.to_dict("records")
        if r["profile"] and _finite(r["rate"])
    ]
    expected_table = read_table(source, labels.EXPECTED_PROJECTS, ctx, vocab, names)
    expected = [
        ExpectedProject(
            code=r["code"],
            file=r["file"],
            active=r["active"] != "no",
            source=_row_source(expected_table, int(r["row"])),
        )
        for r in expected_table.frame.to_dict("records")
        if r["code"]
    ]
    rules_table = read_table(source, labels.RULES, ctx, vocab, names)
    rules: dict[str, RuleOverride] = {}
    for r in rules_table.frame.to_dict("records"):
        if not r["code"]:
            continue
        sev = _severity_value(r["severity"])
        rules[str(r["code"]).strip().upper()] = RuleOverride(
            enabled=r["enabled"] != "no", severity=sev
        )
    language = v.get("language") or "fr"
    country = str(v.get("holiday_country") or DEFAULT_COUNTRY).strip().upper()
    if not is_known_country(country):
        # Said once, at its cell; the run goes on with France's holidays (every project refused
        # with a library's error about its calendar sent the PMO to repair intact workbooks).
        ctx.add(
            "HOLIDAY_COUNTRY_UNKNOWN",
            kv.sheet,
            kv.cells.get("holiday_country"),
            params={"value": v.get("holiday_country"), "default": DEFAULT_COUNTRY},
        )
        country = DEFAULT_COUNTRY
    settings = Settings(
        portfolio_name=v.get("portfolio_name") or None,
        prepared_by=v.get("prepared_by"),
        projects_folder=projects_folder,
        cutoff=v.get("cutoff"),
        holiday_country=country,
        language=language,
        thresholds=thresholds,
        budget_tolerance=_fraction(v.get("budget_tolerance"), 0.20),
        decision_max_wait_days=int(v.get("decision_max_wait_days") or 30),
        stale_after_days=int(v.get("stale_after_days") or 45),
        rates=rates,
        expected_projects=expected,
        mappings=mappings,
        rules=rules,
        source_file=source.label,
    )
    # Absent optional PMO sheets are normal: keep only real problems.
    findings = [f for f in ctx.findings if f.code != "SHEET_ABSENT"]
    return settings, findings


def _severity_value(value: Any) -> Any:
    if not value:
        return None
    key = norm(value)
    for code, label in labels.SEVERITIES.items():
        if key in label.match_keys() or key == code:
            return code
    return None


def _finite(value: Any) -> bool:
    return isinstance(value, float) and np.isfinite(value)


def _date_or_none(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _row_source(table: Table, row: int) -> RowSource:
    return RowSource(
        file=table.file,
        sheet=table.sheet or table.spec.label.fr,
        row=row,
        cells={f: f"{letter}{row}" for f, letter in table.columns.items()},
    )


def all_findings(projects: Iterable[ProjectWorkbook]) -> list[Finding]:
    return [f for p in projects for f in p.findings]
