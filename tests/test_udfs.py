"""Worksheet functions: plain functions with hand-computed answers, readable errors, wrappers."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import sys
import types
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import xlwings as xw
from xlwings_payload import remote_book

from pmo_xl import reading, udfs
from pmo_xl.excel_book import XlwingsWorkbook
from pmo_xl.udfs import (
    drift,
    indicator,
    indicator_in_book,
    progress,
    reestimate,
    resource_load,
    weather_word,
    working_days,
)
from pmo_xl.workbook import CellError, Grid

# ---------------------------------------------------------------------------------------------
# PMO_REESTIME, PMO_AVANCEMENT, PMO_DERIVE
# ---------------------------------------------------------------------------------------------


def test_reestimate_is_consumed_plus_remaining() -> None:
    assert reestimate(12.5, 7.5) == 20.0  # 12.5 + 7.5


def test_an_empty_cell_counts_as_zero_like_in_excel() -> None:
    assert reestimate(None, 3) == 3.0  # 0 + 3


def test_text_is_not_taken_for_a_number() -> None:
    assert reestimate("12,5", 1) == "#PMO: consommé n'est pas un nombre (« 12,5 »)"


def test_a_negative_remaining_is_refused() -> None:
    assert reestimate(4, -1) == "#PMO: reste à faire négatif (-1)"


def test_progress_is_consumed_over_consumed_plus_remaining() -> None:
    assert progress(30, 10) == 0.75  # 30 / (30 + 10)


def test_progress_is_zero_when_nothing_is_consumed_or_left() -> None:
    assert progress(0, 0) == 0.0


def test_a_boolean_is_not_a_number() -> None:
    assert progress(True, 1) == "#PMO: consommé n'est pas un nombre (« True »)"


def test_drift_is_a_fraction_of_the_budget() -> None:
    assert drift(117.5, 100) == pytest.approx(0.175)  # (117.5 − 100) / 100
    assert drift(90, 100) == pytest.approx(-0.1)  # an under-run is negative


def test_drift_with_a_zero_budget_says_so() -> None:
    assert drift(10, 0) == "#PMO: budget nul"


def test_drift_with_an_empty_budget_says_so() -> None:
    assert drift(10, None) == "#PMO: budget vide"


def test_an_error_cell_argument_is_named() -> None:
    assert drift(CellError("#N/A"), 100) == "#PMO: réestimé est une erreur (#N/A)"


def test_errors_can_be_in_english() -> None:
    assert drift(10, 0, lang="en") == "#PMO: zero budget"


# ---------------------------------------------------------------------------------------------
# PMO_JOURS_OUVRES
# ---------------------------------------------------------------------------------------------


def test_working_days_include_both_ends_and_skip_french_holidays() -> None:
    # Mon 9 → Fri 13 Nov 2026 = 5 weekdays, minus Wed 11 (Armistice) = 4.
    assert working_days(dt.date(2026, 11, 9), dt.date(2026, 11, 13)) == 4


def test_working_days_are_negative_when_the_dates_are_reversed_like_networkdays() -> None:
    assert working_days(dt.date(2026, 11, 13), dt.date(2026, 11, 9)) == -4


def test_working_days_follow_the_country_given() -> None:
    # Mon 13 → Fri 17 Jul 2026: Tue 14 is a holiday in France, not in Belgium.
    assert working_days(dt.date(2026, 7, 13), dt.date(2026, 7, 17)) == 4
    assert working_days(dt.date(2026, 7, 13), dt.date(2026, 7, 17), "BE") == 5


def test_alsace_moselle_has_good_friday_off() -> None:
    # Mon 30 Mar → Fri 3 Apr 2026: Good Friday (3 Apr) is off in Moselle (FR-57) only.
    assert working_days(dt.date(2026, 3, 30), dt.date(2026, 4, 3), "FR-57") == 4
    assert working_days(dt.date(2026, 3, 30), dt.date(2026, 4, 3)) == 5


def test_dates_may_be_excel_serials_or_typed_text() -> None:
    # Serial 46335 = 2026-11-09 (days since 1899-12-30).
    assert working_days(46335.0, "13/11/2026") == 4


@pytest.mark.parametrize(
    ("serial", "day"),
    [(1, dt.date(1900, 1, 1)), (59, dt.date(1900, 2, 28)), (61, dt.date(1900, 3, 1))],
)
def test_a_serial_before_excels_phantom_29_february_1900_is_its_day(
    serial: int, day: dt.date
) -> None:
    # Excel counts a 29/02/1900 (serial 60) that never was: 1 is 01/01/1900, not 31/12/1899.
    assert reading.convert_date(serial)[0] == day
    assert isinstance(udfs.PMO_JOURS_OUVRES(serial, serial), int)  # a day count, no error


def test_an_unknown_country_is_named() -> None:
    assert (
        working_days(dt.date(2026, 7, 13), dt.date(2026, 7, 17), "XX")
        == "#PMO: pays inconnu « XX » (ex. FR, BE, FR-57)"
    )


def test_a_date_that_is_not_one_is_named() -> None:
    assert working_days("bientôt", dt.date(2026, 7, 17)) == (
        "#PMO: début n'est pas une date (« bientôt »)"
    )


# ---------------------------------------------------------------------------------------------
# PMO_METEO
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drift_pct", "spi", "cpi", "word"),
    [
        (0.05, 1.0, 1.0, "Soleil"),  # exactly 5 % is still green
        (0.07, None, None, "Nuageux"),  # 5 % < 7 % ≤ 10 %
        (0.12, 1.0, 1.0, "Orage"),  # above 10 %
        (-0.20, 1.0, 1.0, "Soleil"),  # an under-run is green
        (0.02, 0.93, None, "Nuageux"),  # SPI between 0.90 and 0.95
        (0.02, 1.0, 0.85, "Orage"),  # CPI below 0.90: the worst signal wins
        (None, 0.95, None, "Soleil"),  # an empty drift is left out; 0.95 is green
    ],
)
def test_weather_is_the_worst_signal(
    drift_pct: float | None, spi: float | None, cpi: float | None, word: str
) -> None:
    assert weather_word(drift_pct, spi, cpi) == word


def test_weather_in_english() -> None:
    assert weather_word(0.07, None, None, lang="en") == "Cloudy"


def test_weather_without_any_indicator_says_so() -> None:
    assert weather_word(None, None, None) == "#PMO: aucun indicateur renseigné (dérive, SPI, CPI)"


# ---------------------------------------------------------------------------------------------
# PMO_INDICATEUR
# ---------------------------------------------------------------------------------------------

CONSOLIDATION = Grid(
    [
        ["Consolidation du portefeuille", None, None, None, None],
        ["Arrêté au 20/11/2026", None, None, None, None],
        [None, None, None, None, None],
        ["Code projet", "Nom du projet", "Réestimé (j)", "Dérive (%)", "SPI"],
        ["PRJ-001", "Refonte du site", 117.5, 0.175, 0.92],
        ["PRJ-002", "Migration", 80.0, -0.05, None],
    ]
)


def test_indicator_by_its_json_key() -> None:
    assert indicator(CONSOLIDATION, "PRJ-001", "spi") == 0.92
    assert indicator(CONSOLIDATION, "PRJ-001", "eac_days") == 117.5


def test_indicator_by_its_french_or_english_header() -> None:
    assert indicator(CONSOLIDATION, "PRJ-002", "Dérive (%)") == -0.05
    assert indicator(CONSOLIDATION, "PRJ-002", "EAC (days)") == 80.0


def test_project_codes_match_whatever_the_case() -> None:
    assert indicator(CONSOLIDATION, " prj-002 ", "Réestimé (j)") == 80.0


def test_an_empty_indicator_value_is_empty() -> None:
    assert indicator(CONSOLIDATION, "PRJ-002", "spi") is None


def test_an_unknown_project_is_named() -> None:
    assert indicator(CONSOLIDATION, "PRJ-404", "spi") == (
        "#PMO: projet « PRJ-404 » absent de « Consolidation »"
    )


def test_an_unknown_indicator_is_named() -> None:
    assert indicator(CONSOLIDATION, "PRJ-001", "vélocité") == (
        "#PMO: indicateur « vélocité » inconnu (ex. spi, eac_days, « Dérive (%) »)"
    )


def test_indicator_reads_a_data_frame_too() -> None:
    frame = pd.DataFrame({"Code projet": ["PRJ-1", "PRJ-2"], "CPI": [1.02, 0.88]})
    assert indicator(frame, "PRJ-2", "cpi") == 0.88


def test_indicator_reads_the_consolidation_sheet_of_the_workbook(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    book = XlwingsWorkbook(
        remote_book(monkeypatch, {"Paramètres": [["x"]], "Consolidation": CONSOLIDATION.rows})
    )
    assert indicator_in_book(book, "PRJ-001", "Dérive (%)") == 0.175


def test_indicator_without_a_consolidation_asks_for_one(monkeypatch: pytest.MonkeyPatch) -> None:
    book = XlwingsWorkbook(remote_book(monkeypatch, {"Paramètres": [["x"]]}))
    assert indicator_in_book(book, "PRJ-001", "spi") == (
        "#PMO: pas d'onglet « Consolidation » : cliquez sur « Consolider »"
    )


def test_the_excel_function_reads_the_callers_workbook(monkeypatch: pytest.MonkeyPatch) -> None:
    xl = remote_book(monkeypatch, {"Consolidation": CONSOLIDATION.rows, "Synthèse": [["x"]]})
    caller = xl.sheets["Synthèse"]["B2"]  # the cell holding =PMO_INDICATEUR(...)
    assert udfs.PMO_INDICATEUR("PRJ-001", "spi", caller) == 0.92
    assert udfs.PMO_INDICATEUR("PRJ-002", "spi", caller) == ""  # an empty value shows empty


# ---------------------------------------------------------------------------------------------
# PMO_CHARGE
# ---------------------------------------------------------------------------------------------

LOAD_LONG = Grid(
    [
        ["Charge des ressources", None, None, None],
        ["Ressource", "Semaine", "Projet", "Charge (j)"],
        ["Alice", dt.datetime(2026, 11, 16), "PRJ-001", 2.0],
        ["Alice", dt.datetime(2026, 11, 16), "PRJ-002", 1.5],
        ["Alice", dt.datetime(2026, 11, 23), "PRJ-001", 3.0],
        ["Bruno", dt.datetime(2026, 11, 16), "PRJ-001", 4.0],
    ]
)
LOAD_WIDE = Grid(
    [
        ["Ressource", dt.datetime(2026, 11, 16), dt.datetime(2026, 11, 23)],
        ["Alice", 3.5, 3.0],
        ["Bruno", 4.0, None],
    ]
)


def test_load_is_summed_over_projects_for_the_week_of_the_date() -> None:
    # Wed 18 Nov 2026 is in the week of Mon 16: Alice has 2.0 + 1.5 = 3.5 days.
    assert resource_load(LOAD_LONG, "Alice", dt.date(2026, 11, 18)) == 3.5


def test_the_week_may_be_an_iso_week() -> None:
    # 2026-W47 begins on Monday 16 November 2026.
    assert resource_load(LOAD_LONG, "alice", "2026-W47") == 3.5


def test_load_reads_one_column_per_week_too() -> None:
    assert resource_load(LOAD_WIDE, "Alice", dt.date(2026, 11, 27)) == 3.0  # week of Mon 23
    assert resource_load(LOAD_WIDE, "Bruno", dt.date(2026, 11, 23)) == 0.0  # empty: no load


def test_an_unknown_resource_is_named() -> None:
    assert resource_load(LOAD_LONG, "Chloé", dt.date(2026, 11, 18)) == (
        "#PMO: ressource « Chloé » absente de « Charge ressources »"
    )


def test_a_week_without_load_is_named() -> None:
    assert resource_load(LOAD_LONG, "Bruno", dt.date(2026, 11, 25)) == (
        "#PMO: semaine du 23/11/2026 absente de « Charge ressources »"
    )


# ---------------------------------------------------------------------------------------------
# The Excel wrappers
# ---------------------------------------------------------------------------------------------


def test_the_excel_functions_never_raise() -> None:
    # A value no cell can hold, and no calling cell: a text in the cell, never a traceback.
    assert str(udfs.PMO_DERIVE(object(), 100)).startswith("#PMO: réestimé n'est pas un nombre")
    assert str(udfs.PMO_INDICATEUR("PRJ-1", "spi", None)).startswith("#PMO: erreur inattendue")


def test_the_excel_functions_give_the_plain_functions_answers() -> None:
    assert udfs.PMO_REESTIME(12.5, 7.5) == 20.0
    assert udfs.PMO_AVANCEMENT(30, 10) == 0.75
    assert udfs.PMO_JOURS_OUVRES(dt.date(2026, 11, 9), dt.date(2026, 11, 13)) == 4
    assert udfs.PMO_METEO(0.12) == "Orage"


def test_a_range_where_one_cell_is_expected_is_said_shortly() -> None:
    # =PMO_REESTIME(A1:A20000; B1): xlwings passes the range as a list of 20,000 rows.
    column = [[1.0]] * 20_000
    assert udfs.PMO_REESTIME(column, 1) == (
        "#PMO: consommé : une seule cellule attendue, pas une plage"
    )
    assert udfs.PMO_JOURS_OUVRES([46000, 46001], 46010) == (
        "#PMO: début : une seule cellule attendue, pas une plage"
    )
    assert udfs.PMO_JOURS_OUVRES(46000, 46010, ["FR", "BE"]) == (
        "#PMO: pays : une seule cellule attendue, pas une plage"
    )


def test_a_serial_beyond_excels_last_date_is_not_a_date() -> None:
    # 2,958,465 is 31/12/9999, Excel's last date; 1E10 is no date at all.
    assert udfs.PMO_JOURS_OUVRES(1e10, 2) == "#PMO: début n'est pas une date (« 10000000000.0 »)"


def test_a_year_outside_1900_to_2200_is_said_to_be_a_typo() -> None:
    assert working_days(dt.date(2026, 11, 2), dt.date(9999, 12, 31)) == (
        "#PMO: fin hors des années 1900 à 2200 (31/12/9999) : une faute de frappe sur l'année ?"
    )
    assert working_days(2_958_465, 46000, lang="en") == (
        "#PMO: début outside the years 1900 to 2200 (9999-12-31): a mistyped year?"
    )


def test_a_result_no_cell_can_hold_is_said() -> None:
    assert udfs.PMO_REESTIME(1e308, 1e308) == (
        "#PMO: résultat hors des nombres qu'une cellule peut contenir (inf)"
    )
    assert udfs.PMO_DERIVE(120, 1e-320) == (
        "#PMO: résultat hors des nombres qu'une cellule peut contenir (inf)"
    )


def test_every_result_text_fits_in_a_cell() -> None:
    long_text = "x" * 40_000  # more than the 32,767 characters a cell holds
    results = [
        udfs.PMO_REESTIME(long_text, 1),
        udfs.PMO_JOURS_OUVRES(long_text, 46000),
        udfs.PMO_JOURS_OUVRES(46000, 46010, long_text),
        udfs.PMO_METEO(long_text),
        udfs.PMO_INDICATEUR(long_text, "spi", None),
        str(indicator(CONSOLIDATION, "PRJ-001", long_text)),
    ]
    for result in results:
        assert isinstance(result, str) and result.startswith("#PMO: ")
        assert len(result) < 200, result[:80]


@pytest.fixture
def xlwings_udfs(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """xlwings' Windows UDF machinery, importable here with its COM modules stubbed out."""
    stubs = {
        n: types.ModuleType(n) for n in ("pythoncom", "pywintypes", "win32com", "win32com.client")
    }
    stubs["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    stubs["win32com.client"].Dispatch = None  # type: ignore[attr-defined]
    for name, module in stubs.items():
        monkeypatch.setitem(sys.modules, name, module)
    sys.modules.pop("xlwings.udfs", None)
    try:
        yield importlib.import_module("xlwings.udfs")
    finally:
        sys.modules.pop("xlwings.udfs", None)


def test_xlwings_generates_the_excel_signatures_users_see(xlwings_udfs: Any) -> None:
    udfs.register(udfs.UDFS, xlwings_udfs.xlfunc, xlwings_udfs.xlarg)
    vba = io.StringIO()
    xlwings_udfs.generate_vba_wrapper(
        "pmo_xl.udfs", udfs, vba, types.SimpleNamespace(Name="pmo.xlsm")
    )
    code = vba.getvalue()
    assert "Function PMO_DERIVE(reestime, budget)" in code
    assert "Function PMO_JOURS_OUVRES(debut, fin, Optional pays)" in code
    # The calling cell is passed by xlwings, not typed by the user; these two re-read the book.
    assert "Function PMO_INDICATEUR(code_projet, indicateur)\n    Application.Volatile" in code
    assert "Function PMO_CHARGE(ressource, semaine)\n    Application.Volatile" in code
    assert code.count("Function PMO_") == 7


def test_every_argument_keeps_excel_errors_and_gets_no_converter(xlwings_udfs: Any) -> None:
    # A type annotation would become an xlwings converter (and `object` has none); without
    # err_to_str, xlwings hands #REF! over as None, which reads as an empty cell: 0.
    udfs.register(udfs.UDFS, xlwings_udfs.xlfunc, xlwings_udfs.xlarg)
    for function in udfs.UDFS:
        info = function.__xlfunc__  # type: ignore[attr-defined]
        for arg in info["args"]:
            expected = {} if arg["name"] == "caller" else {"err_to_str": True}
            assert arg["options"] == expected, (function.__name__, arg["name"])
        assert info["category"] == "pmo_xl"


def test_an_error_cell_read_with_the_registered_options_is_named_not_zero(
    xlwings_udfs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    udfs.register(udfs.UDFS, xlwings_udfs.xlfunc, xlwings_udfs.xlarg)
    info = udfs.PMO_REESTIME.__xlfunc__  # type: ignore[attr-defined]
    sheet = remote_book(monkeypatch, {"Saisie": [["#REF!", 5]]}).sheets[0]
    # What xlwings does with each argument before the call (udfs.call_udf).
    consumed, remaining = (
        xw.conversion.read(sheet[cell], None, arg["options"])
        for cell, arg in zip(("A1", "B1"), info["args"], strict=True)
    )
    assert udfs.PMO_REESTIME(consumed, remaining) == "#PMO: consommé est une erreur (#REF!)"


@pytest.mark.parametrize(
    "error",
    [
        "#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#DATA!", "#SPILL!",
        "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#UNKNOWN!", "#BUSY!",
    ],
)  # fmt: skip
def test_each_excel_error_value_is_named(error: str) -> None:
    assert udfs.PMO_REESTIME(error, 5) == f"#PMO: consommé est une erreur ({error})"


def test_newer_errors_windows_hands_over_as_numbers_are_named() -> None:
    # xlwings knows 7 COM error codes; #SPILL! (xlErrSpill 2045) arrives as 0x800A07FD.
    assert udfs.PMO_DERIVE(-2146826243, 100) == "#PMO: réestimé est une erreur (#SPILL!)"
    assert udfs.PMO_DERIVE(-2146826281.0, 100) == -2146826381 / 100  # a float is a number


def test_an_error_in_any_argument_is_named_rather_than_used() -> None:
    assert udfs.PMO_DERIVE("#DIV/0!", 100) == "#PMO: réestimé est une erreur (#DIV/0!)"
    assert udfs.PMO_AVANCEMENT(8, "#N/A") == "#PMO: reste à faire est une erreur (#N/A)"
    assert udfs.PMO_METEO("#REF!", 0.97, 0.96) == "#PMO: dérive est une erreur (#REF!)"
    assert udfs.PMO_JOURS_OUVRES("#N/A", 46000) == "#PMO: début est une erreur (#N/A)"
    assert udfs.PMO_JOURS_OUVRES(46000, 46010, "#REF!") == "#PMO: pays est une erreur (#REF!)"
    assert indicator(CONSOLIDATION, CellError("#N/A"), "spi") == (
        "#PMO: code projet est une erreur (#N/A)"
    )
    assert resource_load(LOAD_LONG, "Alice", CellError("#REF!")) == (
        "#PMO: semaine est une erreur (#REF!)"
    )
