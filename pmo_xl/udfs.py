"""Worksheet functions (UDFs): ``=PMO_DERIVE(B4;B3)`` in any workbook once xlwings imports them.

Each function is a plain, tested Python function (``reestimate``, ``drift``…) and a thin
``PMO_…`` twin registered with xlwings' decorators. A bad argument gives a readable text such as
``#PMO: budget nul`` in the cell, never a Python traceback. ``PMO_INDICATEUR`` and ``PMO_CHARGE``
read the last consolidation stored in the calling workbook (``Consolidation``,
``Charge ressources``); they are volatile so that a new consolidation shows at the next recalc.

Importing this module needs no Excel: xlwings only records the functions' signatures.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pandas as pd

from pmo_xl import calendar, weather
from pmo_xl.excel_book import from_excel
from pmo_xl.labels import (
    CONSOLIDATION_HEADERS,
    LOAD_HEADERS,
    OUTPUT_SHEETS,
    WEATHER_WORDS,
    Label,
    Lang,
    day_text,
    norm,
)
from pmo_xl.model import Thresholds
from pmo_xl.reading import FIRST_YEAR, LAST_YEAR, convert_date, parse_text_date
from pmo_xl.safe_text import MAX_CELL_CHARS, shorten
from pmo_xl.workbook import CellError, CellValue, Grid

if TYPE_CHECKING:
    from pmo_xl.workbook import WorkbookSource

P = ParamSpec("P")
R = TypeVar("R")

PREFIX = "#PMO: "
_HEADER_SEARCH_ROWS = 20
_SHOWN_CHARS = 60  # of a value quoted in a message


def _also(label: Label, *aliases: str) -> Label:
    """``label`` also matched under ``aliases`` (older or hand-made sheets)."""
    return Label(label.fr, label.en, (*label.aliases, *aliases))


# Other spellings of the consolidation's columns (older or hand-made sheets, the JSON's names),
# by the catalogue's key: the headers themselves are labels.CONSOLIDATION_HEADERS'.
_INDICATOR_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("Code",),
    "name": ("Projet", "Project"),
    "phase_text": ("phase",),
    "cutoff": ("Arrêté", "Cutoff"),
    "weather_text": ("weather",),
    "weather_computed_text": ("weather_computed",),
    "trend_text": ("trend",),
    "consumed_days": ("Actual (days)",),
    "remaining_days": ("RAF (j)",),
    "eac_days": ("Estimate at completion (days)",),
    "drift_days": ("Écart (j)", "Variance (days)"),
    "progress_pct": ("Avancement (%)", "Progress (%)"),
    "ev_days": ("Valeur acquise (j)", "Earned value (days)", "EV (j)"),
    "pv_days": ("Valeur planifiée (j)", "Planned value (days)", "PV (j)"),
    "eac_eur": ("EAC (€)",),
}
INDICATOR_LABELS: dict[str, Label] = {
    key: _also(header, *_INDICATOR_ALIASES.get(key, ()))
    for key, header in CONSOLIDATION_HEADERS.items()
}
# Built once: PMO_INDICATEUR runs on Excel's calculation thread, once per cell.
_INDICATOR_KEYS: dict[str, frozenset[str]] = {
    key: frozenset(label.match_keys() | {norm(key)}) for key, label in INDICATOR_LABELS.items()
}
_KEYS_BY_SPELLING: dict[str, frozenset[str]] = {  # reversed: the catalogue's first column wins
    spelling: keys for keys in reversed(_INDICATOR_KEYS.values()) for spelling in keys
}
# The Charge ressources sheet's headers (labels.LOAD_HEADERS), and other spellings.
RESOURCE = _also(LOAD_HEADERS["resource"], "Collaborateur", "Personne", "Person", "Nom", "Name")
WEEK = _also(LOAD_HEADERS["week"], "Semaine", "Week", "Lundi", "Monday", "Semaine du", "Week of")
LOAD = _also(
    LOAD_HEADERS["load_days"],
    "Charge",
    "Load",
    "load_days",
    "Charge planifiée (j)",
    "Planned load (days)",
    "Charge prévue (j)",
)

_ERRORS: dict[str, tuple[str, str]] = {
    "not_number": (
        "{name} n'est pas un nombre (« {value} »)",
        "{name} is not a number ('{value}')",
    ),
    "negative": ("{name} négatif ({value})", "negative {name} ({value})"),
    "error_cell": ("{name} est une erreur ({value})", "{name} is an error ({value})"),
    "budget_blank": ("budget vide", "empty budget"),
    "budget_zero": ("budget nul", "zero budget"),
    "not_date": ("{name} n'est pas une date (« {value} »)", "{name} is not a date ('{value}')"),
    "blank_date": ("{name} vide", "empty {name}"),
    "country": ("pays inconnu « {value} » (ex. FR, BE, FR-57)", "unknown country '{value}'"),
    "no_indicator": (
        "aucun indicateur renseigné (dérive, SPI, CPI)",
        "no indicator given (drift, SPI, CPI)",
    ),
    "no_sheet": (
        "pas d'onglet « {sheet} » : cliquez sur « Consolider »",
        "no '{sheet}' sheet: click 'Consolider'",
    ),
    "no_header": (
        "en-tête « {header} » introuvable dans « {sheet} »",
        "header '{header}' not found in '{sheet}'",
    ),
    "unknown_project": (
        "projet « {value} » absent de « {sheet} »",
        "project '{value}' not in '{sheet}'",
    ),
    "unknown_indicator": (
        "indicateur « {value} » inconnu (ex. spi, eac_days, « Dérive (%) »)",
        "unknown indicator '{value}' (e.g. spi, eac_days, 'Drift (%)')",
    ),
    "unknown_resource": (
        "ressource « {value} » absente de « {sheet} »",
        "resource '{value}' not in '{sheet}'",
    ),
    "unknown_week": (
        "semaine du {value} absente de « {sheet} »",
        "week of {value} not in '{sheet}'",
    ),
    "blank_arg": ("{name} vide", "empty {name}"),
    "one_cell": (
        "{name} : une seule cellule attendue, pas une plage",
        "{name}: one cell expected, not a range",
    ),
    "year_range": (
        "{name} hors des années {first} à {last} ({value}) : une faute de frappe sur l'année ?",
        "{name} outside the years {first} to {last} ({value}): a mistyped year?",
    ),
    "not_finite": (
        "résultat hors des nombres qu'une cellule peut contenir ({value})",
        "result beyond the numbers a cell can hold ({value})",
    ),
    "internal": ("erreur inattendue ({value})", "unexpected error ({value})"),
}


class UdfError(Exception):
    """A bad argument or missing data, with the text the cell will show."""

    def __init__(self, key: str, lang: Lang = "fr", **params: object) -> None:
        fr, en = _ERRORS[key]
        shown = {name: _excerpt(value) for name, value in params.items()}
        super().__init__(PREFIX + (fr if lang == "fr" else en).format(**shown))


def _excerpt(value: object) -> str:
    """A value quoted in a message: its start only, so that the message fits in a cell."""
    return shorten(str(value), _SHOWN_CHARS)


def guarded(func: Callable[P, R]) -> Callable[P, R | str]:
    """Turn :class:`UdfError` (and any bug) into the text the cell shows."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | str:
        lang: Lang = "en" if kwargs.get("lang") == "en" else "fr"
        try:
            result = func(*args, **kwargs)
        except UdfError as error:
            return str(error)
        except Exception as error:  # a cell must never show a traceback
            return str(UdfError("internal", lang, value=error))
        if isinstance(result, float) and not math.isfinite(result):  # inf, nan: no cell holds it
            return str(UdfError("not_finite", lang, value=result))
        return result

    return wrapper


# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------


def _number(value: object, name: str, lang: Lang, *, blank_as_zero: bool = True) -> float:
    """A cell value as a number; an empty cell counts as 0 like in Excel arithmetic."""
    _one_cell(value, name, lang)
    if value is None or value == "":
        if blank_as_zero:
            return 0.0
        raise UdfError("blank_arg", lang, name=name)
    if isinstance(value, CellError):
        raise UdfError("error_cell", lang, name=name, value=value.code)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UdfError("not_number", lang, name=name, value=value)
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise UdfError("not_number", lang, name=name, value=value)
    return number


def _one_cell(value: object, name: str, lang: Lang) -> None:
    """A range given where one value is expected arrives as a list (of rows): said shortly."""
    if isinstance(value, list | tuple):
        raise UdfError("one_cell", lang, name=name)


def _not_error(value: object, name: str, lang: Lang) -> object:
    """``value`` unless it is an Excel error value, which is named rather than used."""
    _one_cell(value, name, lang)
    if isinstance(value, CellError):
        raise UdfError("error_cell", lang, name=name, value=value.code)
    return value


def _optional_number(value: object, name: str, lang: Lang) -> float | None:
    if value is None or value == "":
        return None
    return _number(value, name, lang)


def _non_negative(value: object, name: str, lang: Lang) -> float:
    number = _number(value, name, lang)
    if number < 0:
        raise UdfError("negative", lang, name=name, value=_show(number))
    return number


def _date(value: object, name: str, lang: Lang) -> dt.date:
    """A date cell, an Excel serial number, or a typed date (``15/11/2026``, ``2026-11-15``).

    Years 1900 to 2200 only, as the reader's: a year typed 9999 would have the holidays of
    8,000 years computed on Excel's calculation thread.
    """
    _not_error(value, name, lang)
    if value is None or value == "":
        raise UdfError("blank_date", lang, name=name)
    day, problem, params = convert_date(value)  # type: ignore[arg-type]  # one cell: checked
    if problem == "DATE_OUT_OF_RANGE":
        shown = day_text(params["value"], lang)
        raise UdfError("year_range", lang, name=name, first=FIRST_YEAR, last=LAST_YEAR, value=shown)
    if not isinstance(day, dt.date):
        raise UdfError("not_date", lang, name=name, value=value)
    return day


def _show(number: float) -> str:
    return f"{number:g}"


# ---------------------------------------------------------------------------------------------
# The functions, plain
# ---------------------------------------------------------------------------------------------


@guarded
def reestimate(consumed: object, remaining: object, lang: Lang = "fr") -> float:
    """Réestimé (j) = consommé + reste à faire (CALCULATIONS.md §4)."""
    return _non_negative(consumed, "consommé", lang) + _non_negative(
        remaining, "reste à faire", lang
    )


@guarded
def progress(consumed: object, remaining: object, lang: Lang = "fr") -> float:
    """Avancement = consommé / (consommé + reste à faire), 0 when both are 0 (CALCULATIONS §4)."""
    done = _non_negative(consumed, "consommé", lang)
    left = _non_negative(remaining, "reste à faire", lang)
    return 0.0 if done + left == 0 else done / (done + left)


@guarded
def drift(eac: object, budget: object, lang: Lang = "fr") -> float:
    """Dérive = (réestimé − budget) / budget, as a fraction: 0.175 is 17.5 %."""
    estimate = _number(eac, "réestimé", lang)
    if budget is None or budget == "":
        raise UdfError("budget_blank", lang)
    base = _number(budget, "budget", lang)
    if base == 0:
        raise UdfError("budget_zero", lang)
    if base < 0:
        raise UdfError("negative", lang, name="budget", value=_show(base))
    return (estimate - base) / base


@guarded
def working_days(start: object, end: object, country: object = None, lang: Lang = "fr") -> int:
    """Working days from ``start`` to ``end`` included, like NETWORKDAYS (negative if reversed).

    Monday–Friday minus the public holidays of ``country`` (default France; ``FR-57`` for
    Alsace-Moselle).
    """
    first, last = _date(start, "début", lang), _date(end, "fin", lang)
    _not_error(country, "pays", lang)
    code = str(country).strip() if country not in (None, "") else calendar.DEFAULT_COUNTRY
    try:
        if last < first:
            return -calendar.working_days_between(last, first, code)
        return calendar.working_days_between(first, last, code)
    except calendar.UnknownHolidayCountry:
        raise UdfError("country", lang, value=code) from None


@guarded
def weather_word(drift_pct: object, spi: object, cpi: object, lang: Lang = "fr") -> str:
    """« Soleil », « Nuageux » or « Orage »: the worst of the drift and index signals.

    Default thresholds (drift ≤ 5 % green, ≤ 10 % amber; each index ≥ 0.95 green, ≥ 0.90
    amber); an empty argument is left out.
    """
    values = [
        _optional_number(drift_pct, "dérive", lang),
        _optional_number(spi, "SPI", lang),
        _optional_number(cpi, "CPI", lang),
    ]
    if all(v is None for v in values):
        raise UdfError("no_indicator", lang)
    t = Thresholds()
    signal = weather.worst(
        weather.drift_signal(values[0], t),
        weather.index_signal(values[1], t),
        weather.index_signal(values[2], t),
    )
    return WEATHER_WORDS[signal].text(lang)


# ---------------------------------------------------------------------------------------------
# Reading the stored consolidation
# ---------------------------------------------------------------------------------------------


def _rows(table: Grid | pd.DataFrame) -> list[list[CellValue]]:
    if isinstance(table, pd.DataFrame):
        header: list[CellValue] = [str(c) for c in table.columns]
        body = table.astype(object).where(table.notna(), None).values.tolist()
        return [header, *body]
    return [list(r) for r in table.rows]


def _header_row(rows: Sequence[Sequence[CellValue]], keys: AbstractSet[str]) -> int | None:
    for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if any(norm(v) in keys for v in row):
            return index
    return None


def _column(header: Sequence[CellValue], keys: AbstractSet[str]) -> int | None:
    for index, value in enumerate(header):
        if norm(value) in keys:
            return index
    return None


def _same_text(a: object, b: object) -> bool:
    return a is not None and str(a).strip().casefold() == str(b).strip().casefold()


def indicator_keys(indicator: str) -> AbstractSet[str]:
    """Header spellings meant by ``indicator``: a JSON key (``eac_days``) or a header (FR/EN)."""
    wanted = norm(indicator)
    return _KEYS_BY_SPELLING.get(wanted, frozenset({wanted}))


@guarded
def indicator(
    table: Grid | pd.DataFrame,
    code: object,
    name: object,
    sheet: str = "Consolidation",
    lang: Lang = "fr",
) -> CellValue:
    """The value of indicator ``name`` for project ``code`` in a consolidation table."""
    if code in (None, ""):
        raise UdfError("blank_arg", lang, name="code projet")
    if name in (None, ""):
        raise UdfError("blank_arg", lang, name="indicateur")
    _not_error(code, "code projet", lang)
    _not_error(name, "indicateur", lang)
    rows = _rows(table)
    code_keys = _INDICATOR_KEYS["code"]
    header_index = _header_row(rows, code_keys)
    if header_index is None:
        raise UdfError("no_header", lang, header=INDICATOR_LABELS["code"].text(lang), sheet=sheet)
    header = rows[header_index]
    code_col = _column(header, code_keys)
    value_col = _column(header, indicator_keys(str(name)))
    if value_col is None:
        raise UdfError("unknown_indicator", lang, value=name)
    assert code_col is not None
    for row in rows[header_index + 1 :]:
        if code_col < len(row) and _same_text(row[code_col], code):
            return row[value_col] if value_col < len(row) else None
    raise UdfError("unknown_project", lang, value=code, sheet=sheet)


def _monday(value: object, lang: Lang) -> dt.date:
    """The Monday of the week of ``value``: any date of it, or an ISO week like ``2026-W47``."""
    _not_error(value, "semaine", lang)
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[WwSs]\s*(\d{1,2})\s*", value)
        if match is not None:
            try:
                return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
            except ValueError:
                raise UdfError("not_date", lang, name="semaine", value=value) from None
    day = _date(value, "semaine", lang)
    return day - dt.timedelta(days=day.weekday())


def _as_day(value: CellValue) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        with_week = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Ww]\s*(\d{1,2})\s*", value)
        if with_week is not None:
            try:
                return dt.date.fromisocalendar(int(with_week[1]), int(with_week[2]), 1)
            except ValueError:
                return None
        return parse_text_date(value)
    return None


@guarded
def resource_load(
    table: Grid | pd.DataFrame,
    resource: object,
    week: object,
    sheet: str = "Charge ressources",
    lang: Lang = "fr",
) -> float:
    """Planned load (days) of ``resource`` in the week of ``week``, across every project.

    Reads a long table (Ressource, Semaine, Charge (j): rows of one week are summed) or a wide
    one (one row per person, one column per week headed by its Monday).
    """
    if resource in (None, ""):
        raise UdfError("blank_arg", lang, name="ressource")
    _not_error(resource, "ressource", lang)
    monday = _monday(week, lang)
    rows = _rows(table)
    header_index = _header_row(rows, RESOURCE.match_keys())
    if header_index is None:
        raise UdfError("no_header", lang, header=RESOURCE.text(lang), sheet=sheet)
    header = rows[header_index]
    person_col = _column(header, RESOURCE.match_keys())
    assert person_col is not None
    mine = [
        r
        for r in rows[header_index + 1 :]
        if person_col < len(r) and _same_text(r[person_col], resource)
    ]
    if not mine:
        raise UdfError("unknown_resource", lang, value=resource, sheet=sheet)
    week_col, load_col = _column(header, WEEK.match_keys()), _column(header, LOAD.match_keys())
    shown_week = monday.strftime("%d/%m/%Y")
    if week_col is not None and load_col is not None:
        loads = [
            r[load_col]
            for r in mine
            if len(r) > max(week_col, load_col) and _as_day(r[week_col]) == monday
        ]
        if not loads:
            raise UdfError("unknown_week", lang, value=shown_week, sheet=sheet)
        return sum(_number(v, "charge", lang) for v in loads)
    for col, value in enumerate(header):
        if col != person_col and _as_day(value) == monday:
            return sum(_number(r[col] if col < len(r) else None, "charge", lang) for r in mine)
    raise UdfError("unknown_week", lang, value=shown_week, sheet=sheet)


def _find_output_sheet(book: WorkbookSource, key: str) -> str | None:
    keys = OUTPUT_SHEETS[key].match_keys()
    return next((name for name in book.sheet_names() if norm(name) in keys), None)


@guarded
def indicator_in_book(
    book: WorkbookSource, code: object, name: object, lang: Lang = "fr"
) -> CellValue:
    """:func:`indicator` over the ``Consolidation`` sheet of ``book``."""
    sheet = _find_output_sheet(book, "consolidation")
    if sheet is None:
        raise UdfError("no_sheet", lang, sheet=OUTPUT_SHEETS["consolidation"].text(lang))
    return indicator(book.read_sheet(sheet), code, name, sheet=sheet, lang=lang)


@guarded
def resource_load_in_book(
    book: WorkbookSource, resource: object, week: object, lang: Lang = "fr"
) -> CellValue:
    """:func:`resource_load` over the ``Charge ressources`` sheet of ``book``."""
    sheet = _find_output_sheet(book, "resource_load")
    if sheet is None:
        raise UdfError("no_sheet", lang, sheet=OUTPUT_SHEETS["resource_load"].text(lang))
    return resource_load(book.read_sheet(sheet), resource, week, sheet=sheet, lang=lang)


# ---------------------------------------------------------------------------------------------
# The Excel functions (xlwings)
# ---------------------------------------------------------------------------------------------


def _argument(value: object) -> object:
    """An argument as xlwings passes it (``err_to_str``): a range (rows) as it is, one value as
    the sheets' reader reads it (Excel's error values as :class:`CellError`)."""
    return value if isinstance(value, list | tuple) else from_excel(value)


def _cell(value: object) -> object:
    """What a cell shows: an empty text for nothing, the code of an error value; no text
    longer than a cell holds."""
    if value is None:
        return ""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, str):
        return shorten(value, MAX_CELL_CHARS)
    return value


def _caller_book(caller: Any) -> WorkbookSource:
    from pmo_xl.excel_book import XlwingsWorkbook

    return XlwingsWorkbook(caller.sheet.book)


def PMO_REESTIME(consomme: object, raf: object) -> object:
    """Réestimé (j) = consommé + reste à faire."""
    return _cell(reestimate(_argument(consomme), _argument(raf)))


def PMO_AVANCEMENT(consomme: object, raf: object) -> object:
    """Avancement = consommé / (consommé + reste à faire) ; 0 si les deux sont nuls."""
    return _cell(progress(_argument(consomme), _argument(raf)))


def PMO_DERIVE(reestime: object, budget: object) -> object:
    """Dérive = (réestimé − budget) / budget, en fraction (format %)."""
    return _cell(drift(_argument(reestime), _argument(budget)))


def PMO_JOURS_OUVRES(debut: object, fin: object, pays: object = "FR") -> object:
    """Jours ouvrés du début à la fin inclus, hors jours fériés du pays (FR par défaut)."""
    return _cell(working_days(_argument(debut), _argument(fin), _argument(pays)))


def PMO_METEO(derive: object, spi: object = None, cpi: object = None) -> object:
    """Soleil, Nuageux ou Orage selon la dérive, le SPI et le CPI (seuils par défaut)."""
    return _cell(weather_word(_argument(derive), _argument(spi), _argument(cpi)))


def PMO_INDICATEUR(code_projet: object, indicateur: object, caller: Any) -> object:
    """Indicateur d'un projet lu dans l'onglet Consolidation (ex. « spi », « Dérive (%) »)."""
    try:
        book = _caller_book(caller)
    except Exception as error:
        return str(UdfError("internal", value=error))
    return _cell(indicator_in_book(book, _argument(code_projet), _argument(indicateur)))


def PMO_CHARGE(ressource: object, semaine: object, caller: Any) -> object:
    """Charge planifiée (j) d'une ressource pour la semaine d'une date, tous projets confondus."""
    try:
        book = _caller_book(caller)
    except Exception as error:
        return str(UdfError("internal", value=error))
    return _cell(resource_load_in_book(book, _argument(ressource), _argument(semaine)))


ARG_DOCS: dict[str, dict[str, str]] = {
    "PMO_REESTIME": {"consomme": "Consommé (j)", "raf": "Reste à faire (j)"},
    "PMO_AVANCEMENT": {"consomme": "Consommé (j)", "raf": "Reste à faire (j)"},
    "PMO_DERIVE": {"reestime": "Réestimé (j)", "budget": "Budget (j)"},
    "PMO_JOURS_OUVRES": {
        "debut": "Date de début",
        "fin": "Date de fin",
        "pays": "Code pays des jours fériés (FR par défaut)",
    },
    "PMO_METEO": {"derive": "Dérive (fraction)", "spi": "SPI", "cpi": "CPI"},
    "PMO_INDICATEUR": {
        "code_projet": "Code projet",
        "indicateur": "Nom de colonne ou clé (spi, eac_days…)",
    },
    "PMO_CHARGE": {"ressource": "Nom de la ressource", "semaine": "Une date de la semaine"},
}
VOLATILE = frozenset({"PMO_INDICATEUR", "PMO_CHARGE"})
UDFS: tuple[Callable[..., object], ...] = (
    PMO_REESTIME,
    PMO_AVANCEMENT,
    PMO_DERIVE,
    PMO_JOURS_OUVRES,
    PMO_METEO,
    PMO_INDICATEUR,
    PMO_CHARGE,
)


def register(
    functions: Iterable[Callable[..., object]],
    func: Callable[..., Any] | None = None,
    arg: Callable[..., Any] | None = None,
) -> None:
    """Record each function for xlwings' "Import Functions" (``xw.func``/``xw.arg`` by default).

    On Linux and macOS xlwings' decorators do nothing: UDFs exist on Windows only.
    """
    if func is None or arg is None:
        try:
            import xlwings as xw
        except ImportError:  # pragma: no cover - xlwings is a dependency; the core runs without
            return
        func, arg = xw.func, xw.arg
    for function in functions:
        # The annotations are for mypy; xlwings would read them as value converters.
        function.__annotations__ = {}
        for name, doc in ARG_DOCS[function.__name__].items():
            # err_to_str: without it xlwings hands an error cell (#REF!) over as None, which
            # would read as an empty cell, i.e. 0; with it, as its text (see _argument).
            arg(name, doc=doc, err_to_str=True)(function)
        # Last, as the outermost decorator would be: xlwings resets these on every call.
        func(category="pmo_xl", volatile=function.__name__ in VOLATILE)(function)


register(UDFS)
