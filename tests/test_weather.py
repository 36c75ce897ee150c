"""Project weather (CALCULATIONS.md "Weather"): worst of drift, SPI/CPI and milestone signals.

Default thresholds: drift ≤ 5 % green, ≤ 10 % amber, above red; SPI/CPI ≥ 0.95 green,
0.90–0.95 amber, < 0.90 red; an index above 1.10 stays green but is listed as a reason to check.
"""

from __future__ import annotations

import datetime as dt

import pytest

from pmo_xl.consolidation import MilestoneFigure
from pmo_xl.model import Thresholds
from pmo_xl.weather import (
    Reason,
    drift_signal,
    index_is_suspicious,
    index_signal,
    milestone_signal,
    project_weather,
    shown_weather,
)

T = Thresholds()
D = dt.date


def milestone(
    mid: str, slip: int | None, *, final: bool = False, status: str = "todo"
) -> MilestoneFigure:
    return MilestoneFigure(
        id=mid,
        name=f"Jalon {mid}",
        baseline=D(2026, 11, 6),
        forecast=D(2026, 11, 12),
        slip_days=slip,
        is_final=final,
        status=status,
    )


def codes(reasons: list[Reason]) -> list[str]:
    return [r.code for r in reasons]


# --- drift ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drift_pct", "expected"),
    [
        (-0.30, "green"),  # an under-run is green
        (0.0, "green"),
        (0.05, "green"),  # ≤ 5 %
        (0.0501, "amber"),
        (0.10, "amber"),  # ≤ 10 %
        (0.1001, "red"),
        (None, "green"),  # no budget: nothing to compare with
    ],
)
def test_drift_bands(drift_pct: float | None, expected: str) -> None:
    assert drift_signal(drift_pct, T) == expected


def test_a_drift_of_exactly_five_percent_computed_from_days_is_green() -> None:
    # budget 1 day, EAC 1.05 days: drift 5 % exactly, but 0.050000000000000044 in floating point
    drift_pct = (1.05 - 1.0) / 1.0
    assert drift_pct > 0.05
    assert drift_signal(drift_pct, T) == "green"


def test_drift_thresholds_are_settings() -> None:
    strict = Thresholds(drift_green_max=0.02, drift_amber_max=0.04)
    # 3 % is amber with 2 % / 4 % thresholds, green with the defaults
    assert drift_signal(0.03, strict) == "amber"
    assert drift_signal(0.03, T) == "green"


# --- indices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "green"),
        (0.95, "green"),  # ≥ 0.95
        (0.9499, "amber"),
        (0.90, "amber"),  # 0.90 to 0.95
        (0.8999, "red"),  # < 0.90
        (1.25, "green"),  # too good stays green (but is a reason to check)
        (None, "green"),  # no index (nothing planned yet)
    ],
)
def test_index_bands(value: float | None, expected: str) -> None:
    assert index_signal(value, T) == expected


def test_an_index_above_1_10_is_suspicious_but_1_10_itself_is_not() -> None:
    assert index_is_suspicious(1.15, T)
    assert not index_is_suspicious(1.10, T)
    assert not index_is_suspicious(None, T)


def test_index_thresholds_are_settings() -> None:
    # Green from 0.98, red below 0.85: 0.96 is amber (green by default), 0.88 amber (red by
    # default), 0.84 red.
    strict = Thresholds(index_green_min=0.98, index_amber_min=0.85)
    assert [index_signal(v, strict) for v in (0.96, 0.88, 0.84)] == ["amber", "amber", "red"]


def test_the_suspicious_index_threshold_is_a_setting() -> None:
    # Above 1.20 rather than 1.10: 1.15 is no longer suspicious, 1.25 still is.
    lenient = Thresholds(index_suspicious_above=1.20)
    assert (index_is_suspicious(1.15, lenient), index_is_suspicious(1.25, lenient)) == (
        False,
        True,
    )


def test_a_suspicious_index_stays_green_and_is_listed_as_a_reason() -> None:
    computed, reasons = project_weather(0.0, 1.0, 1.15, [], T)
    assert computed == "green"
    assert codes(reasons) == ["WEATHER_INDEX_SUSPICIOUS"]
    assert reasons[0].signal == "green"
    assert reasons[0].params["index"] == "CPI"


# --- milestones -------------------------------------------------------------------------------


def test_a_late_final_milestone_is_red() -> None:
    signal, reasons = milestone_signal([milestone("J9", 3, final=True)])
    assert signal == "red"
    assert codes(reasons) == ["WEATHER_FINAL_MILESTONE_LATE"]


def test_another_late_milestone_is_amber() -> None:
    signal, reasons = milestone_signal([milestone("J1", 3), milestone("J9", 0, final=True)])
    assert signal == "amber"
    assert codes(reasons) == ["WEATHER_MILESTONE_LATE"]
    assert reasons[0].params["id"] == "J1"


def test_early_or_on_time_milestones_are_green() -> None:
    signal, reasons = milestone_signal([milestone("J1", -2), milestone("J9", 0, final=True)])
    assert (signal, reasons) == ("green", [])


def test_a_cancelled_milestone_never_makes_the_weather_worse() -> None:
    signal, _ = milestone_signal([milestone("J1", 5, final=True, status="cancelled")])
    assert signal == "green"


def test_every_late_milestone_is_a_reason() -> None:
    _, reasons = milestone_signal(
        [milestone("J1", 1), milestone("J2", 2), milestone("J9", 4, final=True)]
    )
    assert codes(reasons) == [
        "WEATHER_MILESTONE_LATE",
        "WEATHER_MILESTONE_LATE",
        "WEATHER_FINAL_MILESTONE_LATE",
    ]


# --- overall --------------------------------------------------------------------------------------


def test_the_weather_is_the_worst_signal_and_lists_every_non_green_one() -> None:
    # drift 7 % → amber, SPI 0.85 → red, CPI 0.97 → green, J1 late (not final) → amber
    computed, reasons = project_weather(0.07, 0.85, 0.97, [milestone("J1", 2)], T)
    assert computed == "red"
    assert codes(reasons) == ["WEATHER_DRIFT", "WEATHER_SPI", "WEATHER_MILESTONE_LATE"]
    assert [r.signal for r in reasons] == ["amber", "red", "amber"]


def test_all_green_gives_no_reason() -> None:
    assert project_weather(0.01, 1.0, 1.0, [milestone("J1", 0)], T) == ("green", [])


def test_cpi_alone_can_make_the_weather_amber() -> None:
    computed, reasons = project_weather(None, None, 0.92, [], T)
    assert computed == "amber"
    assert codes(reasons) == ["WEATHER_CPI"]


# --- manual override --------------------------------------------------------------------------


def test_a_manual_weather_with_a_reason_replaces_the_computed_one_and_both_are_kept() -> None:
    # computed: drift 20 % → red; the lead says green because the COPIL approved a new budget
    computed, reasons = project_weather(
        0.20, None, None, [], T, "green", "Budget révisé validé en COPIL"
    )
    assert computed == "red"
    assert shown_weather(computed, "green", "Budget révisé validé en COPIL") == "green"
    assert codes(reasons) == ["WEATHER_DRIFT", "WEATHER_MANUAL"]
    assert reasons[-1].params["reason"] == "Budget révisé validé en COPIL"


def test_a_manual_weather_without_a_written_reason_is_ignored_and_said_so() -> None:
    computed, reasons = project_weather(0.20, None, None, [], T, "green", "   ")
    assert shown_weather(computed, "green", "   ") == "red"
    assert codes(reasons) == ["WEATHER_DRIFT", "WEATHER_MANUAL_IGNORED"]


# --- messages -------------------------------------------------------------------------------------


def test_an_index_just_under_its_threshold_is_not_shown_equal_to_it() -> None:
    # 0.9465 < 0.95: amber; shown with two decimals it would read "0,95, sous le seuil de 0,95"
    (reason,) = project_weather(None, None, 0.9465, [], T)[1]
    assert reason.message("fr").startswith("Indice de performance coût (CPI) de 0,947, sous le ")
    assert "below 0.95" in reason.message("en") and "of 0.947," in reason.message("en")


def test_an_index_far_from_its_threshold_keeps_two_decimals() -> None:
    (reason,) = project_weather(None, 0.8512, None, [], T)[1]
    assert "(SPI) de 0,85, sous le seuil de 0,9 :" in reason.message("fr")


def test_a_drift_just_over_its_threshold_is_not_shown_equal_to_it() -> None:
    # 5.004 % > 5 %: amber; "5 %, au-delà du seuil de 5 %" would contradict itself
    (reason,) = project_weather(0.05004, None, None, [], T)[1]
    assert reason.message("fr").startswith("Dérive de 5,004 % du budget, au-delà du seuil de 5 %")


def test_a_suspicious_index_just_over_its_threshold_is_not_shown_equal_to_it() -> None:
    (reason,) = project_weather(None, 1.1004, None, [], T)[1]
    assert "SPI de 1,1004, au-delà de 1,1 :" in reason.message("fr")


def test_reasons_read_in_french_and_in_english() -> None:
    # drift 17.5 % → red, above the 10 % amber threshold
    (reason,) = project_weather(0.175, None, None, [], T)[1]
    assert reason.message("fr").startswith("Dérive de 17,5 % du budget, au-delà du seuil de 10 %")
    assert reason.message("en").startswith("Drift of 17.5% of the budget, above the 10% threshold")


def test_the_manual_reason_names_both_weathers_in_words() -> None:
    reasons = project_weather(0.20, None, None, [], T, "amber", "Recette décalée")[1]
    assert "« Nuageux »" in reasons[-1].message("fr")
    assert "« Orage »" in reasons[-1].message("fr")
    assert "'Cloudy'" in reasons[-1].message("en")


def test_a_late_milestone_reason_gives_the_slip_and_dates() -> None:
    reason = milestone_signal([milestone("J9", 3, final=True)])[1][0]
    assert reason.message("fr") == (
        "Le jalon final J9 « Jalon J9 » glisse de 3 jour(s) ouvré(s) (référence 06/11/2026, "
        "prévu 12/11/2026). Faites valider la nouvelle date en COPIL ou replanifiez."
    )


def test_a_reason_is_said_once_per_language_and_keeps_it_through_a_pickle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pickle

    from pmo_xl import messages

    _computed, reasons = project_weather(0.0, 1.0, 1.15, [], T)
    reason = reasons[0]
    said = reason.message("fr")
    assert said == messages.render(reason.code, reason.params, "fr")
    assert reason.message("en") == messages.render(reason.code, reason.params, "en") != said
    again = pickle.loads(pickle.dumps(reason))
    assert again == reason  # the kept texts are no field
    calls: list[str] = []
    real = messages.render
    monkeypatch.setattr(messages, "render", lambda *a: calls.append(a[0]) or real(*a))
    assert again.message("fr") == said and calls == []  # from what the pickle kept
    other = again.model_copy(update={"params": {**again.params, "value": 1.2}})
    other.message("fr")
    assert calls == [reason.code]  # other parameters: said anew
