"""The project weather (météo): the worst of the drift, index and milestone signals, with reasons.

CALCULATIONS.md "Weather": each signal is green < amber < red; every signal that is not green is
listed as a :class:`Reason`, and so is an index above the "suspicious" threshold (which stays
green). A manual weather with a written reason replaces the computed one; both are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

from pydantic import ConfigDict, Field

from pmo_xl.labels import WEATHER_WORDS, Lang
from pmo_xl.messages import Precise
from pmo_xl.model import RENDERED, QuickPickled, Thresholds, Weather, kept_per_language, rendered

WEATHER_RANK: dict[str, int] = {"green": 0, "amber": 1, "red": 2}

# Hand-computed figures land exactly on a threshold (5 %, 0.95) but floating point may put them a
# hair above or below; the bands are meant inclusively, so compare with this tolerance.
EPSILON = 1e-9


class Reason(QuickPickled):
    """Why the weather is what it is: a message code, the signal it gives, and its parameters."""

    model_config = ConfigDict(frozen=True)

    code: str
    signal: Weather
    params: dict[str, Any] = Field(default_factory=dict)

    def message(self, lang: Lang = "fr") -> str:
        """Said once per language and kept with the reason, as a finding's message: the
        workers say it, the cache keeps it, and the Consolidation sheet and the JSON do not
        render 2,000 reasons again at 1,000 projects (0.03 s each)."""
        return kept_per_language(self, RENDERED, lang, rendered)

    def as_dict(self, lang: Lang = "fr") -> dict[str, Any]:
        return {"code": self.code, "signal": self.signal, "message": self.message(lang)}


class MilestoneLike(Protocol):
    """What the milestone signal needs to know of a milestone."""

    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def baseline(self) -> dt.date | None: ...
    @property
    def forecast(self) -> dt.date | None: ...
    @property
    def slip_days(self) -> int | None: ...
    @property
    def is_final(self) -> bool: ...
    @property
    def status(self) -> str | None: ...


def worst(*signals: Weather) -> Weather:
    """The worst of some signals; green when there is none."""
    result: Weather = "green"
    for signal in signals:
        if WEATHER_RANK[signal] > WEATHER_RANK[result]:
            result = signal
    return result


def _percent(fraction: float) -> float:
    return round(fraction * 100, 2)


def beside(value: float, limit: float, least: int = 2) -> float | Precise:
    """``value`` as a reason shows it next to ``limit``: ``least`` decimals, or as many more as
    it takes not to show it equal to a limit it is beyond (a CPI of 0.9465 is "0,947, sous le
    seuil de 0,95", not "0,95, sous le seuil de 0,95")."""
    for places in range(least, 7):
        shown = round(value, places)
        if shown != limit and (shown < limit) == (value < limit):
            return shown if places == least else Precise(value, places)
    return value


def places_beside(value: float, limit: float, least: int) -> int:
    """How many decimals :func:`beside` shows ``value`` with (for formats of their own)."""
    shown = beside(value, limit, least)
    return shown.places if isinstance(shown, Precise) else least


def drift_signal(drift_pct: float | None, t: Thresholds) -> Weather:
    """≤ 5 % green, ≤ 10 % amber, above red; an under-run, or no budget to compare to, is green."""
    if drift_pct is None or drift_pct <= t.drift_green_max + EPSILON:
        return "green"
    if drift_pct <= t.drift_amber_max + EPSILON:
        return "amber"
    return "red"


def index_signal(value: float | None, t: Thresholds) -> Weather:
    """SPI or CPI: ≥ 0.95 green, 0.90 to 0.95 amber, < 0.90 red; no index (None) is green.

    An index above ``t.index_suspicious_above`` stays green: see :func:`index_is_suspicious`.
    """
    if value is None or value >= t.index_green_min - EPSILON:
        return "green"
    if value >= t.index_amber_min - EPSILON:
        return "amber"
    return "red"


def index_is_suspicious(value: float | None, t: Thresholds) -> bool:
    """An index above 1.10: the project looks too good, the estimate deserves a check."""
    return value is not None and value > t.index_suspicious_above + EPSILON


def _counts(milestone: MilestoneLike) -> bool:
    return milestone.status != "cancelled"


def milestone_is_late(milestone: MilestoneLike) -> bool:
    """Late = its forecast is at least one working day after its baseline (slip > 0)."""
    return _counts(milestone) and (milestone.slip_days or 0) > 0


def milestone_signal(milestones: Sequence[MilestoneLike]) -> tuple[Weather, list[Reason]]:
    """Final milestone late → red; another milestone late → amber; one reason per late milestone.

    Cancelled milestones are ignored.
    """
    reasons: list[Reason] = []
    for m in milestones:
        if not milestone_is_late(m):
            continue
        final = m.is_final
        reasons.append(
            Reason(
                code="WEATHER_FINAL_MILESTONE_LATE" if final else "WEATHER_MILESTONE_LATE",
                signal="red" if final else "amber",
                params={
                    "id": m.id or "",
                    "name": m.name or "",
                    "baseline": m.baseline,
                    "forecast": m.forecast,
                    "slip_days": m.slip_days,
                },
            )
        )
    return worst(*(r.signal for r in reasons)), reasons


def _drift_reasons(drift_pct: float | None, t: Thresholds) -> list[Reason]:
    signal = drift_signal(drift_pct, t)
    if signal == "green" or drift_pct is None:
        return []
    limit = t.drift_green_max if signal == "amber" else t.drift_amber_max
    return [
        Reason(
            code="WEATHER_DRIFT",
            signal=signal,
            params={
                "drift_pct": drift_pct,
                "percent": beside(drift_pct * 100, _percent(limit)),
                "limit": _percent(limit),
            },
        )
    ]


def _index_reasons(name: str, value: float | None, t: Thresholds) -> list[Reason]:
    if value is None:
        return []
    signal = index_signal(value, t)
    if signal != "green":
        limit = t.index_green_min if signal == "amber" else t.index_amber_min
        return [
            Reason(
                code=f"WEATHER_{name}",
                signal=signal,
                params={"index": name, "value": beside(value, limit), "limit": limit},
            )
        ]
    if index_is_suspicious(value, t):
        return [
            Reason(
                code="WEATHER_INDEX_SUSPICIOUS",
                signal="green",
                params={
                    "index": name,
                    "value": beside(value, t.index_suspicious_above),
                    "limit": t.index_suspicious_above,
                },
            )
        ]
    return []


def _words(key: str, weather: Weather) -> dict[str, str]:
    """``manual`` → ``{"manual_fr": "Orage", "manual_en": "Stormy"}``: messages show words."""
    return {f"{key}_fr": WEATHER_WORDS[weather].fr, f"{key}_en": WEATHER_WORDS[weather].en}


def manual_weather_applies(manual_weather: Weather | None, weather_reason: str | None) -> bool:
    """A manual weather counts only with a written reason."""
    return manual_weather is not None and bool((weather_reason or "").strip())


def shown_weather(
    weather_computed: Weather, manual_weather: Weather | None, weather_reason: str | None
) -> Weather:
    """The weather to show: the manual one when it has a written reason, else the computed one."""
    if manual_weather is not None and manual_weather_applies(manual_weather, weather_reason):
        return manual_weather
    return weather_computed


def project_weather(
    drift_pct: float | None,
    spi: float | None,
    cpi: float | None,
    milestones: Sequence[MilestoneLike],
    thresholds: Thresholds | None = None,
    manual_weather: Weather | None = None,
    weather_reason: str | None = None,
) -> tuple[Weather, list[Reason]]:
    """``(weather_computed, reasons)``: worst of the three signals, every non-green one a reason.

    The reasons end with ``WEATHER_MANUAL`` when a manual weather with a reason replaces the
    computed one (get it with :func:`shown_weather`), or ``WEATHER_MANUAL_IGNORED`` when a manual
    weather has no written reason and so does not count.
    """
    t = thresholds or Thresholds()
    reasons = _drift_reasons(drift_pct, t)
    reasons += _index_reasons("SPI", spi, t)
    reasons += _index_reasons("CPI", cpi, t)
    milestone_weather, milestone_reasons = milestone_signal(milestones)
    reasons += milestone_reasons
    computed = worst(
        drift_signal(drift_pct, t), index_signal(spi, t), index_signal(cpi, t), milestone_weather
    )
    if manual_weather is not None:
        if manual_weather_applies(manual_weather, weather_reason):
            reasons.append(
                Reason(
                    code="WEATHER_MANUAL",
                    signal=manual_weather,
                    params={
                        "manual": manual_weather,
                        "computed": computed,
                        "reason": (weather_reason or "").strip(),
                        **_words("manual", manual_weather),
                        **_words("computed", computed),
                    },
                )
            )
        else:
            reasons.append(
                Reason(
                    code="WEATHER_MANUAL_IGNORED",
                    signal=computed,
                    params={
                        "manual": manual_weather,
                        "computed": computed,
                        **_words("manual", manual_weather),
                        **_words("computed", computed),
                    },
                )
            )
    return computed, reasons
