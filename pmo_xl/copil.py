"""The COPIL report: what the steering committee reads, in five minutes, once a month.

Data flows one way: :func:`build_report` turns a :class:`~pmo_xl.portfolio.PortfolioResult` into
a :class:`CopilReport` (pure data, no I/O); :func:`copil_layout` renders it as the ``COPIL`` sheet
(for the consolidation workbook, the Excel button, and the standalone file);
:func:`write_copil_workbook` writes the direction's workbook (values only) and its PDF::

    report = build_report(result, "fr")
    xlsx, pdf = write_copil_workbook(report, Path("COPIL.xlsx"), pdf=True)

Only exceptions are detailed: a project on track takes one line, a project that is not gets a
second line saying why.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from pmo_xl.consolidation import MilestoneFigure, ProjectFigures
from pmo_xl.history import Trend, previous_snapshot
from pmo_xl.labels import FILE_STATUSES, WEATHER_WORDS, Label, Lang, day_text, enum_label
from pmo_xl.layout import SheetLayout
from pmo_xl.model import Finding, Thresholds, Weather, kept_per_language
from pmo_xl.portfolio import PortfolioResult
from pmo_xl.sheets import cell_value
from pmo_xl.summary import most_exposed_first
from pmo_xl.weather import Reason, places_beside

L = Label

# What fits the three A4 pages of the demo portfolio; the rest is counted, never silently lost.
MAX_MILESTONES = 10
MAX_RISKS = 10
MAX_ACTIONS = 12
MAX_DECISIONS = 10
MAX_SENTENCES = 6
MAX_CHART_MONTHS = 18
# A chart a third of the page wide stays readable up to about this many bars (pairs of bars).
MAX_CHART_PROJECTS = 15
MAX_CHART_PEOPLE = 8
UPCOMING_MILESTONE_DAYS = 45  # until just after the next monthly COPIL
ACTION_HORIZON_DAYS = 21  # open actions due within three weeks are shown after the overdue ones

SECTIONS: tuple[str, ...] = (
    "header",
    "synthesis",
    "projects",
    "milestones",
    "charts",
    "risks",
    "decisions",
    "actions",
    "data_quality",
)

# ---------------------------------------------------------------------------------------------
# Vocabulary of the report (French first). Sentences are assembled in the functions below.
# ---------------------------------------------------------------------------------------------

SECTION_TITLES: dict[str, Label] = {
    "synthesis": L("Synthèse", "Summary"),
    "projects": L("Projets", "Projects"),
    "milestones": L("Jalons", "Milestones"),
    "charts": L("Charge et coûts", "Effort and cost"),
    "risks": L("Risques majeurs", "Top risks"),
    "decisions": L("Décisions attendues du comité", "Decisions requested from the committee"),
    "actions": L("Plan d'actions", "Action plan"),
    "data_quality": L("Qualité des données", "Data quality"),
}
WEATHER_TEXT: dict[str, Label] = WEATHER_WORDS  # Soleil / Nuageux / Orage
WEATHER_SYMBOL = "●"
MILESTONE_STATES: dict[str, Label] = {
    "late": L("En retard", "Late"),
    "upcoming": L("À venir", "Upcoming"),
    "achieved": L("Atteint", "Achieved"),
}
# Data-quality states: the file statuses, plus two about a consolidated workbook's content.
FILE_STATES: dict[str, Label] = {
    **FILE_STATUSES,
    "errors": L("Données incomplètes", "Incomplete data"),
    "warnings": L("À vérifier", "To check"),
}
# A short form of each weather reason: the committee wants the fact, not the fix.
_REASON_DETAIL: dict[str, Label] = {
    "WEATHER_DRIFT": L(
        "dérive de {pct} du budget (seuil {limit})", "drift of {pct} of the budget (limit {limit})"
    ),
    "WEATHER_SPI": L(
        "en retard sur le planning de référence (SPI {value}, seuil {limit})",
        "behind the baseline schedule (SPI {value}, limit {limit})",
    ),
    "WEATHER_CPI": L(
        "chaque jour consommé produit moins que prévu (CPI {value}, seuil {limit})",
        "each day spent delivers less than planned (CPI {value}, limit {limit})",
    ),
    "WEATHER_FINAL_MILESTONE_LATE": L(
        "jalon final « {name} » en retard de {slip} ({forecast} au lieu du {baseline})",
        "final milestone '{name}' late by {slip} ({forecast} instead of {baseline})",
    ),
    "WEATHER_MILESTONE_LATE": L(
        "jalon « {name} » en retard de {slip}", "milestone '{name}' late by {slip}"
    ),
    "WEATHER_MANUAL": L(
        "météo fixée par le chef de projet (calculée : {computed}) : {reason}",
        "weather set by the project lead (computed: {computed}): {reason}",
    ),
}
_REASON_SHORT: dict[str, Label] = {
    "WEATHER_DRIFT": L("dérive de {pct} du budget", "drift of {pct} of the budget"),
    "WEATHER_SPI": L("retard sur le planning (SPI {value})", "behind schedule (SPI {value})"),
    "WEATHER_CPI": L(
        "productivité sous le prévu (CPI {value})", "low cost efficiency (CPI {value})"
    ),
    "WEATHER_FINAL_MILESTONE_LATE": L(
        "jalon final en retard de {slip}", "final milestone late by {slip}"
    ),
    "WEATHER_MILESTONE_LATE": L("jalon « {name} » en retard de {slip}", "'{name}' late by {slip}"),
    "WEATHER_MANUAL": L("météo fixée par le chef de projet", "weather set by the project lead"),
}
# Which reason the synthesis names first: what the committee can act on most directly.
_REASON_PRIORITY = (
    "WEATHER_FINAL_MILESTONE_LATE",
    "WEATHER_DRIFT",
    "WEATHER_MILESTONE_LATE",
    "WEATHER_SPI",
    "WEATHER_CPI",
    "WEATHER_MANUAL",
)


# ---------------------------------------------------------------------------------------------
# The report model
# ---------------------------------------------------------------------------------------------


class Header(BaseModel):
    portfolio_name: str
    cutoff: dt.date
    previous_cutoff: dt.date | None = None  # the period runs from it to the cut-off
    generated_on: dt.datetime
    prepared_by: str | None = None


class Totals(BaseModel):
    """Portfolio totals; ``remaining_eur`` = cost at completion − cost to date."""

    budget_days: float
    consumed_days: float
    remaining_days: float
    eac_days: float
    drift_days: float
    drift_pct: float | None
    budget_eur: float
    cost_to_date_eur: float
    remaining_eur: float
    eac_eur: float
    drift_eur: float
    drift_eur_pct: float | None
    spi: float | None
    cpi: float | None


class Synthesis(BaseModel):
    totals: Totals
    weather_counts: dict[str, int]  # green / amber / red
    sentences: list[str]


class ProjectLine(BaseModel):
    """One project: one line when on track; ``reasons`` say why when it is not."""

    code: str
    name: str | None = None
    lead: str | None = None
    weather: Weather
    trend: Trend | None = None
    previous_weather: Weather | None = None
    progress_pct: float
    budget_days: float | None
    eac_days: float
    drift_days: float | None
    drift_pct: float | None
    budget_eur: float | None
    eac_eur: float
    drift_eur: float | None
    spi: float | None
    cpi: float | None
    next_milestone: str | None = None
    next_milestone_date: dt.date | None = None
    next_milestone_slip: int | None = None
    reasons: list[str] = Field(default_factory=list)
    incomplete_data: bool = False
    stale: bool = False

    @property
    def detailed(self) -> bool:
        """An exception, worth a second line: a weather with its reasons, or figures that are
        partial or stale (a sunny line over rows left out must not look on track)."""
        return (
            (self.weather != "green" and bool(self.reasons)) or self.incomplete_data or self.stale
        )


class MilestoneLine(BaseModel):
    project: str
    name: str | None
    baseline: dt.date | None
    forecast: dt.date | None
    actual: dt.date | None
    slip_days: int | None
    is_final: bool
    state: Literal["late", "upcoming", "achieved"]
    lead: str | None = None


class MilestoneSection(BaseModel):
    rows: list[MilestoneLine]
    not_shown: int = 0  # upcoming milestones further away, or beyond what fits


class ChartData(BaseModel):
    """One native chart: category labels and one list of values per series."""

    key: str
    title: str
    categories: list[str]
    series: list[tuple[str, list[float]]]
    kind: Literal["column", "bar", "line"] = "column"
    total: int = 0  # categories there were before keeping the first ones (0: all are shown)


class RiskLine(BaseModel):
    project: str
    title: str | None
    criticity: float
    probability: float | None
    impact: float | None
    owner: str | None
    mitigation: str | None
    due: dt.date | None


class RiskSection(BaseModel):
    rows: list[RiskLine]
    open_count: int


class DecisionLine(BaseModel):
    project: str
    title: str | None
    requested_by: str | None
    date: dt.date | None
    waiting_days: int | None
    impact_days: float | None
    impact_eur: float | None
    comment: str | None
    waiting_too_long: bool


class ActionLine(BaseModel):
    project: str
    title: str | None
    owner: str | None
    due: dt.date | None
    status: str
    overdue: bool
    days_late: int | None
    origin: str | None


class ActionSection(BaseModel):
    rows: list[ActionLine]
    open_count: int
    overdue_count: int
    not_shown: int = 0


class FileLine(BaseModel):
    """A workbook the committee should know about: missing, rejected, stale or with errors."""

    project: str | None
    file: str
    state: Literal["missing", "rejected", "unexpected", "stale", "errors", "warnings"]
    errors: int = 0
    warnings: int = 0
    detail: str | None = None


class DataQuality(BaseModel):
    rows: list[FileLine]
    consolidated: int
    clean: int  # consolidated workbooks with neither error nor warning
    portfolio_warnings: int  # findings about the portfolio as a whole (over-allocation…)


class CopilReport(BaseModel):
    """The whole report, in the order it is read (see :data:`SECTIONS`)."""

    lang: Lang
    header: Header
    synthesis: Synthesis
    projects: list[ProjectLine]
    milestones: MilestoneSection
    charts: list[ChartData]
    risks: RiskSection
    decisions: list[DecisionLine]
    decisions_total: int = 0
    actions: ActionSection
    data_quality: DataQuality
    thresholds: Thresholds = Field(default_factory=Thresholds)
    decision_max_wait_days: int = 30

    def section_names(self) -> list[str]:
        return list(SECTIONS)


# ---------------------------------------------------------------------------------------------
# Text formatting: French first (decimal comma, thin space), English available
# ---------------------------------------------------------------------------------------------

_NBSP = "\u00a0"


def fmt_number(value: float, lang: Lang, decimals: int = 0) -> str:
    """``fmt_number(1234.5, "fr", 1)`` → ``"1 234,5"``; ``"en"`` → ``"1,234.5"``."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", _NBSP).replace(".", ",")
    return text


def fmt_pct(fraction: float, lang: Lang, signed: bool = False, decimals: int = 1) -> str:
    """``fmt_pct(0.2028, "fr")`` → ``"20,3 %"``, ``fmt_pct(0.18, "fr")`` → ``"18 %"``;
    ``signed`` adds ``+`` to a positive value."""
    sign = "+" if signed and fraction > 0 else ""
    percent = round(fraction * 100, decimals)
    number = fmt_number(percent, lang, 0 if percent.is_integer() else decimals)
    return f"{sign}{number}{_NBSP}%" if lang == "fr" else f"{sign}{number}%"


def fmt_days(days: float, lang: Lang, signed: bool = False) -> str:
    sign = "+" if signed and days > 0 else ""
    decimals = 0 if float(days).is_integer() else 1
    number = fmt_number(days, lang, decimals)
    return f"{sign}{number}{_NBSP}j" if lang == "fr" else f"{sign}{number} d"


def fmt_eur(amount: float, lang: Lang, signed: bool = False) -> str:
    sign = "+" if signed and amount > 0 else ""
    if lang == "fr":
        return f"{sign}{fmt_number(amount, lang)}{_NBSP}€"
    minus = "-" if amount < 0 else ""
    return f"{sign}{minus}€{fmt_number(abs(amount), lang)}"


def fmt_date(day: dt.date | None, lang: Lang) -> str:
    return "—" if day is None else day_text(day, lang)


def fmt_working_days(n: int, lang: Lang) -> str:
    if lang == "fr":
        return f"{n}{_NBSP}jour ouvré" if abs(n) == 1 else f"{n}{_NBSP}jours ouvrés"
    return f"{n} working day" if abs(n) == 1 else f"{n} working days"


def plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _join(items: Sequence[str], lang: Lang) -> str:
    """``a, b et c`` / ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    last = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + last + items[-1]


_MILESTONE_PREFIX = re.compile(r"^\s*(jalon|milestone)\s*[:\-–]\s*", re.IGNORECASE)


def _milestone_short(name: Any) -> str:
    """``Jalon : recette prononcée`` → ``recette prononcée`` (in sentences that say "jalon")."""
    return _MILESTONE_PREFIX.sub("", str(name or "")).strip()


_PARAMS = "copil texts"  # a key of Reason.__dict__ that is no field (see _reason_params)


def _reason_params(reason: Reason, lang: Lang) -> dict[str, str]:
    """The texts a reason's sentences take, worked out once per reason and language: the
    project table and the synthesis both say a project's reasons (1,000 projects: 2,000 of
    them). Kept with the reason as a finding's messages are (:func:`kept_per_language`)."""
    return kept_per_language(reason, _PARAMS, lang, _params_of)


def _params_of(reason: Reason, lang: Lang) -> dict[str, str]:
    p = reason.params
    out: dict[str, str] = {}
    if "drift_pct" in p and p["drift_pct"] is not None:
        drift = float(p["drift_pct"])
        # One decimal, or as many as it takes not to read equal to the limit (0,05004: 5,004 %).
        decimals = (
            places_beside(drift * 100, float(p["limit"]), 1) if p.get("limit") is not None else 1
        )
        out["pct"] = fmt_pct(drift, lang, decimals=decimals)
    if "limit" in p and p["limit"] is not None:
        limit = float(p["limit"])
        # Drift limits come as percents (10.0), index limits as ratios (0.9).
        out["limit"] = (
            fmt_pct(limit / 100, lang, decimals=0)
            if reason.code == "WEATHER_DRIFT"
            else fmt_number(limit, lang, 2)
        )
    if "value" in p and p["value"] is not None:
        index = float(p["value"])
        given = p.get("limit")
        places = places_beside(index, float(given), 2) if given is not None else 2
        out["value"] = fmt_number(index, lang, places)
    if p.get("slip_days") is not None:
        out["slip"] = fmt_working_days(int(p["slip_days"]), lang)
    out["name"] = _milestone_short(p.get("name")) or str(p.get("id") or "")
    for key in ("baseline", "forecast"):
        value = p.get(key)
        out[key] = fmt_date(value if isinstance(value, dt.date) else None, lang)
    out["computed"] = WEATHER_TEXT.get(str(p.get("computed")), L("", "")).text(lang)
    out["reason"] = str(p.get("reason") or "")
    return out


def reason_text(reason: Reason, lang: Lang, short: bool = False) -> str | None:
    """The reason in a few words (``None`` for those that do not change the weather)."""
    table = _REASON_SHORT if short else _REASON_DETAIL
    label = table.get(reason.code)
    if label is None:
        return None
    return label.text(lang).format(**_reason_params(reason, lang))


def _shown_reasons(project: ProjectFigures) -> list[Reason]:
    """The reasons behind the weather shown, worst first (green notes are left out)."""
    if project.weather == "green":
        return []
    rank = {"red": 0, "amber": 1, "green": 2}
    kept = [r for r in project.weather_reasons if r.code in _REASON_DETAIL and r.signal != "green"]
    return sorted(kept, key=lambda r: rank[r.signal])


# ---------------------------------------------------------------------------------------------
# Building the report
# ---------------------------------------------------------------------------------------------


def build_report(result: PortfolioResult, lang: Lang = "fr") -> CopilReport:
    """The COPIL report of one consolidation (pure: reads ``result``, writes nothing)."""
    settings = result.settings
    previous = _previous_weather(result)
    stale = set(result.stale)
    projects = [
        _project_line(p, previous, stale, lang) for p in most_exposed_first(result.projects)
    ]
    header = Header(
        portfolio_name=settings.title,
        cutoff=result.cutoff,
        previous_cutoff=_previous_cutoff(result),
        generated_on=result.run_at,
        prepared_by=settings.prepared_by,
    )
    totals = _totals(result.totals)
    counts = {w: sum(1 for p in result.projects if p.weather == w) for w in WEATHER_TEXT}
    decisions, decisions_total = _decisions(result)
    actions = _actions(result, lang)
    quality = _data_quality(result, lang)
    over = _over_allocated(result.resource_load)
    report = CopilReport(
        lang=lang,
        header=header,
        synthesis=Synthesis(totals=totals, weather_counts=counts, sentences=[]),
        projects=projects,
        milestones=_milestones(result),
        charts=_charts(result, over, lang),
        risks=_risks(result.risks),
        decisions=decisions,
        decisions_total=decisions_total,
        actions=actions,
        data_quality=quality,
        thresholds=settings.thresholds,
        decision_max_wait_days=settings.decision_max_wait_days,
    )
    report.synthesis.sentences = synthesis_sentences(report, result, over, lang)
    return report


def _previous_weather(result: PortfolioResult) -> dict[str, Weather]:
    history = result.history
    if history is None or history.empty:
        return {}
    before = previous_snapshot(history, result.cutoff)
    if before.empty:
        return {}
    return {
        str(code): weather
        for code, weather in zip(before["code"], before["weather"], strict=True)
        if weather in WEATHER_TEXT
    }


def _project_line(
    p: ProjectFigures, previous: dict[str, Weather], stale: set[str], lang: Lang
) -> ProjectLine:
    nxt: MilestoneFigure | None = p.next_milestone
    reasons = [t for r in _shown_reasons(p) if (t := reason_text(r, lang)) is not None]
    code = p.code or p.file
    return ProjectLine(
        code=code,
        name=p.name,
        lead=p.lead,
        weather=p.weather,
        trend=p.trend,
        previous_weather=previous.get(code),
        progress_pct=p.progress_pct,
        budget_days=p.budget_days,
        eac_days=p.eac_days,
        drift_days=p.drift_days,
        drift_pct=p.drift_pct,
        budget_eur=p.budget_eur,
        eac_eur=p.eac_eur,
        drift_eur=p.drift_eur,
        spi=p.spi,
        cpi=p.cpi,
        next_milestone=nxt.name if nxt else None,
        next_milestone_date=nxt.forecast if nxt else None,
        next_milestone_slip=nxt.slip_days if nxt else None,
        reasons=reasons,
        incomplete_data=p.incomplete_data,
        stale=code in stale,
    )


def _totals(t: dict[str, Any]) -> Totals:
    def num(key: str) -> float:
        value = t.get(key)
        return float(value) if value is not None else 0.0

    def opt(key: str) -> float | None:
        value = t.get(key)
        return None if value is None else float(value)

    return Totals(
        budget_days=num("budget_days"),
        consumed_days=num("consumed_days"),
        remaining_days=num("remaining_days"),
        eac_days=num("eac_days"),
        drift_days=num("drift_days"),
        drift_pct=opt("drift_pct"),
        budget_eur=num("budget_eur"),
        cost_to_date_eur=num("cost_to_date_eur"),
        remaining_eur=num("eac_eur") - num("cost_to_date_eur"),
        eac_eur=num("eac_eur"),
        drift_eur=num("drift_eur"),
        drift_eur_pct=opt("drift_eur_pct"),
        spi=opt("spi"),
        cpi=opt("cpi"),
    )


def _milestones(result: PortfolioResult) -> MilestoneSection:
    """Late ones first (biggest slip first), then those due before the next COPIL, then those
    achieved during the period."""
    cutoff = result.cutoff
    since = _period_start(result)
    horizon = cutoff + dt.timedelta(days=UPCOMING_MILESTONE_DAYS)
    late: list[MilestoneLine] = []
    upcoming: list[MilestoneLine] = []
    achieved: list[MilestoneLine] = []
    further = 0
    for p in result.projects:
        for m in p.milestones:
            if m.status == "cancelled":
                continue
            code = p.code or p.file
            if m.status == "done":
                if m.actual is not None and since < m.actual <= cutoff:
                    achieved.append(_milestone_line(code, p.lead, m, "achieved"))
            elif m.late:
                late.append(_milestone_line(code, p.lead, m, "late"))
            elif m.forecast is not None and m.forecast <= horizon:
                upcoming.append(_milestone_line(code, p.lead, m, "upcoming"))
            else:
                further += 1
    late.sort(key=lambda m: (-(m.slip_days or 0), m.forecast or dt.date.max, m.project))
    upcoming.sort(key=lambda m: (m.forecast or dt.date.max, m.project))
    achieved.sort(key=lambda m: (m.actual or dt.date.min, m.project))
    # What fits is chosen late first, then achieved, then upcoming; it is shown in reading order.
    kept = {id(m) for m in [*late, *achieved, *upcoming][:MAX_MILESTONES]}
    shown = [m for m in [*late, *upcoming, *achieved] if id(m) in kept]
    total = len(late) + len(upcoming) + len(achieved)
    return MilestoneSection(rows=shown, not_shown=further + total - len(shown))


def _previous_cutoff(result: PortfolioResult) -> dt.date | None:
    """The latest cut-off of the history before this one (None for a first report)."""
    history = result.history
    if history is None or history.empty:
        return None
    earlier = [c for c in history["cutoff"].dropna().unique() if c < result.cutoff]
    return max(earlier) if earlier else None


def _period_start(result: PortfolioResult) -> dt.date:
    """The previous cut-off, or a month before this one for a first report."""
    return _previous_cutoff(result) or result.cutoff - dt.timedelta(days=30)


def _milestone_line(
    code: str, lead: str | None, m: MilestoneFigure, state: Literal["late", "upcoming", "achieved"]
) -> MilestoneLine:
    return MilestoneLine(
        project=code,
        name=m.name or m.id,
        baseline=m.baseline,
        forecast=m.forecast,
        actual=m.actual,
        slip_days=m.slip_days,
        is_final=m.is_final,
        state=state,
        lead=lead,
    )


def _text(value: Any) -> str | None:
    """A text cell copied from a project workbook, as ``str`` (blank → ``None``)."""
    v = cell_value(value)
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def _num(value: Any) -> float | None:
    v = cell_value(value)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _day(value: Any) -> dt.date | None:
    v = cell_value(value)
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


class _Columns:
    """A frame's columns as lists, read by row index (a missing column reads as None).

    Each column is made a list when first read: the lists of 1,000 projects hold 13,000 open
    actions in a dozen columns, of which the COPIL reads a few."""

    def __init__(self, frame: pd.DataFrame | None) -> None:
        self.n = 0
        self._names: dict[str, Any] = {}
        self._frame = frame
        self.cols: dict[str, list[Any] | None] = {}
        if frame is not None and not frame.empty:
            self.n = len(frame)
            self._names = {str(c): c for c in frame.columns}

    def column(self, name: str) -> list[Any] | None:
        if name not in self.cols:
            label = self._names.get(name)
            frame = self._frame
            self.cols[name] = None if label is None or frame is None else frame[label].tolist()
        return self.cols[name]

    def get(self, name: str, i: int) -> Any:
        column = self.column(name)
        return None if column is None else column[i]

    def values(self, name: str) -> list[Any]:
        """The column's values in row order (None for each row where there is no column): a
        whole column read at once, not a :meth:`get` per row (13,000 rows: 0.01 s a column)."""
        column = self.column(name)
        return [None] * self.n if column is None else column

    def days(self, name: str) -> list[dt.date | None]:
        """The column's values as :func:`_day` reads them, each distinct one read once (a
        column of dates repeats a few hundred days)."""
        column = self.column(name)
        if column is None:
            return [None] * self.n
        read: dict[Any, dt.date | None] = {}
        out = []
        for value in column:
            try:
                day = read[value]
            except KeyError:
                day = read[value] = _day(value)
            except TypeError:  # not hashable
                day = _day(value)
            out.append(day)
        return out

    def projects(self) -> list[str]:
        return [
            _text(p) or _text(f) or ""
            for p, f in zip(self.values("project"), self.values("file"), strict=True)
        ]


def _risks(frame: pd.DataFrame) -> RiskSection:
    """Open risks by criticity (probability × impact), at most :data:`MAX_RISKS`.

    Sorted on two keys first, lines built for the shown ones only (13,000 open risks for 1,000
    projects)."""
    c = _Columns(frame)
    criticity = [_num(v) or 0.0 for v in c.values("criticity")]
    projects = c.projects()
    # The portfolio already sorts them; sorting again keeps the promise for any input.
    order = sorted(range(c.n), key=lambda i: (-criticity[i], projects[i]))
    rows = [
        RiskLine(
            project=projects[i],
            title=_text(c.get("title", i)),
            criticity=criticity[i],
            probability=_num(c.get("probability", i)),
            impact=_num(c.get("impact", i)),
            owner=_text(c.get("owner", i)),
            mitigation=_text(c.get("mitigation", i)),
            due=_day(c.get("due", i)),
        )
        for i in order[:MAX_RISKS]
    ]
    return RiskSection(rows=rows, open_count=c.n)


def _decisions(result: PortfolioResult) -> tuple[list[DecisionLine], int]:
    """The pending decisions waiting longest, at most :data:`MAX_DECISIONS`, and how many are
    pending (lines built for the shown ones only)."""
    limit = result.settings.decision_max_wait_days
    c = _Columns(result.decisions)
    waiting = [_num(v) for v in c.values("waiting_days")]
    days_waited = [None if w is None else int(w) for w in waiting]
    projects = c.projects()
    # Longest waiting first: those are the ones the committee owes an answer.
    order = sorted(range(c.n), key=lambda i: (-(days_waited[i] or 0), projects[i]))
    rows = [
        DecisionLine(
            project=projects[i],
            title=_text(c.get("title", i)),
            requested_by=_text(c.get("requested_by", i)),
            date=_day(c.get("date", i)),
            waiting_days=days_waited[i],
            impact_days=_num(c.get("impact_days", i)),
            impact_eur=_num(c.get("impact_eur", i)),
            comment=_text(c.get("comment", i)),
            waiting_too_long=(w := waiting[i]) is not None and w > limit,
        )
        for i in order[:MAX_DECISIONS]
    ]
    return rows, c.n


def _actions(result: PortfolioResult, lang: Lang) -> ActionSection:
    """Overdue first (oldest first), then those due within :data:`ACTION_HORIZON_DAYS`."""
    cutoff = result.cutoff
    horizon = cutoff + dt.timedelta(days=ACTION_HORIZON_DAYS)
    c = _Columns(result.actions)
    dues = c.days("due")
    overdue = [bool(o) and d is not None for o, d in zip(c.values("overdue"), dues, strict=True)]
    projects = c.projects()
    order = sorted(range(c.n), key=lambda i: (not overdue[i], dues[i] or dt.date.max, projects[i]))
    soon = [i for i in order if overdue[i] or _due_by(dues[i], horizon)]
    shown = []
    for i in soon[:MAX_ACTIONS]:
        due = dues[i]
        shown.append(
            ActionLine(
                project=projects[i],
                title=_text(c.get("title", i)),
                owner=_text(c.get("owner", i)),
                due=due,
                status=_enum_text("action_status", _text(c.get("status", i)), lang),
                overdue=overdue[i],
                days_late=(cutoff - due).days if overdue[i] and due is not None else None,
                origin=_text(c.get("origin", i)),
            )
        )
    return ActionSection(
        rows=shown,
        open_count=c.n,
        overdue_count=sum(overdue),
        not_shown=c.n - len(shown),
    )


def _due_by(due: dt.date | None, horizon: dt.date) -> bool:
    return due is not None and due <= horizon


def _enum_text(enum: str, value: str | None, lang: Lang) -> str:
    try:
        return enum_label(enum, value, lang)
    except KeyError:
        return value or ""


def _first_sentence(text: str) -> str:
    """The fact of a finding message, without the advice that follows it."""
    # A sentence ends after a lower-case word or a number, not after an initial ("C. Martin").
    head = re.split(r"(?<=[a-zà-ÿ0-9»)][.!?])\s+(?=[A-ZÀ-Ý«])", text, maxsplit=1)[0]
    return head.rstrip(".") if len(head) < len(text) else text


def _data_quality(result: PortfolioResult, lang: Lang) -> DataQuality:
    """Missing, rejected, unexpected and stale workbooks, then error/warning counts per project."""
    rows: list[FileLine] = []
    for f in result.files:
        if f.status in ("missing", "rejected", "unexpected"):
            rows.append(
                FileLine(project=f.project, file=f.file, state=f.status, detail=f.reason_text(lang))
            )
    by_file: dict[str, list[Finding]] = {}
    portfolio_warnings = 0
    project_files = {p.file for p in result.projects}
    for finding in result.findings:
        if finding.severity == "info":
            continue
        if finding.project is None and finding.file not in project_files:
            portfolio_warnings += 1
            continue
        by_file.setdefault(finding.file, []).append(finding)
    stale = set(result.stale)
    clean = 0
    for p in sorted(result.projects, key=lambda p: (p.code or p.file).upper()):
        found = by_file.get(p.file, [])
        errors = [f for f in found if f.severity == "error"]
        warnings = [f for f in found if f.severity == "warning"]
        code = p.code or p.file
        if code in stale:
            detail = (
                L(
                    "pas mis à jour : arrêté déclaré au {date}",
                    "not updated: cut-off declared at {date}",
                )
                .text(lang)
                .format(date=fmt_date(p.project_cutoff, lang))
                if p.project_cutoff is not None
                # Stale by its file date alone (no cut-off declared in its Projet sheet).
                else L(
                    "fichier non modifié depuis le dernier arrêté",
                    "file not modified since the previous cut-off",
                ).text(lang)
            )
            rows.append(
                FileLine(
                    project=code,
                    file=p.file,
                    state="stale",
                    errors=len(errors),
                    warnings=len(warnings),
                    detail=detail,
                )
            )
            continue
        if not found:
            clean += 1
            continue
        first = (errors or warnings)[0]
        example = f"{first.location} : " if lang == "fr" else f"{first.location}: "
        example += _first_sentence(first.message(lang))
        if errors:
            detail = (
                L(
                    "lignes en erreur écartées des chiffres ; ex. {example}",
                    "rows in error left out of the figures; e.g. {example}",
                )
                .text(lang)
                .format(example=example)
            )
        else:
            detail = example
        rows.append(
            FileLine(
                project=code,
                file=p.file,
                state="errors" if errors else "warnings",
                errors=len(errors),
                warnings=len(warnings),
                detail=detail,
            )
        )
    rank = {"missing": 0, "rejected": 1, "stale": 2, "errors": 3, "unexpected": 4, "warnings": 5}
    rows.sort(key=lambda r: (rank[r.state], -r.errors, -r.warnings, r.project or r.file))
    return DataQuality(
        rows=rows,
        consolidated=len(result.projects),
        clean=clean,
        portfolio_warnings=portfolio_warnings,
    )


@dataclass(frozen=True)
class _OverAllocation:
    """One over-allocated person: the worst week, and how many weeks are over capacity."""

    resource: str
    week: dt.date
    load_days: float
    capacity_days: float
    weeks_over: int


def _over_allocated(load: pd.DataFrame) -> list[_OverAllocation]:
    if load is None or load.empty:
        return []
    over = load[load["over_allocated"]].copy()
    if over.empty:
        return []
    over["excess"] = over["load_days"] - over["capacity_days"]
    # A dict, not the Series: a Series lookup per person cost 0.01 s for 8,600 people.
    weeks = over.groupby("resource")["week"].count().to_dict()
    worst = over.sort_values(["excess", "week"], ascending=[False, True]).drop_duplicates(
        "resource"
    )
    # Weeks as dates in one conversion, not a Timestamp each (8,600 people: 0.03 s).
    days = worst["week"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").tolist()
    people = [
        _OverAllocation(str(name), week, load, capacity, int(weeks[name]))
        for name, week, load, capacity in zip(
            worst["resource"].tolist(),
            days,
            worst["load_days"].astype("float64").tolist(),
            worst["capacity_days"].astype("float64").tolist(),
            strict=True,
        )
    ]
    return sorted(people, key=lambda o: (-(o.load_days - o.capacity_days), o.resource))


_MONTHS = {
    "fr": [
        "janv.",
        "févr.",
        "mars",
        "avr.",
        "mai",
        "juin",
        "juil.",
        "août",
        "sept.",
        "oct.",
        "nov.",
        "déc.",
    ],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}


def _month_label(month: dt.date, lang: Lang) -> str:
    return f"{_MONTHS[lang][month.month - 1]} {month.strftime('%y')}"


def _charts(result: PortfolioResult, over: list[_OverAllocation], lang: Lang) -> list[ChartData]:
    """Budget vs EAC per project (the largest drifts when there are many); effort per month;
    peak load vs capacity of the most over-allocated people."""
    projects = result.projects
    if len(projects) > MAX_CHART_PROJECTS:
        # The committee looks for overruns: the largest drifts (EAC − budget, in days); a
        # project without a budget has no drift and comes after those that have one.
        projects = sorted(
            projects,
            key=lambda p: (
                -p.drift_days if p.drift_days is not None else math.inf,
                (p.code or p.file).upper(),
            ),
        )[:MAX_CHART_PROJECTS]
    projects = sorted(projects, key=lambda p: (p.code or p.file).upper())
    days = L("j", "d").text(lang)
    budget = ChartData(
        key="budget",
        title=L("Budget et réestimé (j)", "Budget and EAC (days)").text(lang),
        categories=[p.code or p.file for p in projects],
        series=[
            (L("Budget", "Budget").text(lang), [p.budget_days or 0.0 for p in projects]),
            (L("Réestimé", "EAC").text(lang), [p.eac_days for p in projects]),
        ],
        total=len(result.projects) if len(result.projects) > len(projects) else 0,
    )
    effort = result.effort
    months: list[dt.date] = []
    consumed: list[float] = []
    planned: list[float] = []
    if effort is not None and not effort.empty:
        by_month = effort.groupby("month")[["consumed_days", "remaining_days"]].sum().sort_index()
        cut = pd.Timestamp(result.cutoff)
        # The last 12 months of actuals and what is planned after them, at most 18 months.
        by_month = by_month[by_month.index > cut - pd.DateOffset(months=12)]
        by_month = by_month.iloc[:MAX_CHART_MONTHS]
        months = [pd.Timestamp(m).date() for m in by_month.index]
        consumed = [float(v) for v in by_month["consumed_days"]]
        planned = [float(v) for v in by_month["remaining_days"]]
    monthly = ChartData(
        key="effort",
        title=L("Charge par mois ({days})", "Effort per month ({days})")
        .text(lang)
        .format(days=days),
        categories=[_month_label(m, lang) for m in months],
        series=[
            (L("Consommé", "Consumed").text(lang), consumed),
            (L("Reste à faire planifié", "Planned remaining").text(lang), planned),
        ],
    )
    shown = over[:MAX_CHART_PEOPLE]  # worst first
    load = ChartData(
        key="load",
        title=L(
            "Surcharges : pire semaine ({days})",
            "Over-allocation: worst week ({days})",
        )
        .text(lang)
        .format(days=days),
        categories=[o.resource for o in shown],
        series=[
            (L("Charge", "Load").text(lang), [o.load_days for o in shown]),
            (L("Capacité", "Capacity").text(lang), [o.capacity_days for o in shown]),
        ],
        kind="bar",
        total=len(over) if len(over) > len(shown) else 0,
    )
    return [budget, monthly, load]


# ---------------------------------------------------------------------------------------------
# The synthesis sentences
# ---------------------------------------------------------------------------------------------


def _why(project: ProjectLine, figures: ProjectFigures, lang: Lang, at_most: int = 2) -> str:
    """The one or two reasons that make the weather what it is, in a few words."""
    reasons = [r for r in _shown_reasons(figures) if r.signal == project.weather]
    reasons.sort(key=lambda r: _REASON_PRIORITY.index(r.code))
    texts = [t for r in reasons[:at_most] if (t := reason_text(r, lang, short=True))]
    return ", ".join(texts)


def _named(projects: Sequence[ProjectLine], figures: dict[str, ProjectFigures], lang: Lang) -> str:
    parts = []
    for p in projects:
        why = _why(p, figures[p.code], lang)
        parts.append(f"{_title(p)} ({why})" if why else _title(p))
    return _join(parts, lang)


def _title(project: ProjectLine) -> str:
    """``PRJ-002 Migration ERP``: the code for the table, the name for the reader."""
    return f"{project.code} {project.name}" if project.name else project.code


def _weather_group(
    group: Sequence[ProjectLine],
    figures: dict[str, ProjectFigures],
    weather: str,
    verb: tuple[str, str, str, str],
    lang: Lang,
) -> str:
    """``PRJ-002 passe à l'orage (…)`` or ``2 projets passent à l'orage : A (…) et B (…)``.

    ``verb`` = (French singular, French plural, English singular, English plural).
    """
    fr = lang == "fr"
    n = len(group)
    word = WEATHER_TEXT[weather].text(lang).lower()
    where = ("à l'orage" if weather == "red" else "au nuageux") if fr else word
    if fr and verb[0] == "est" and weather == "amber":
        where = "nuageux"
    if n == 1:
        p = group[0]
        why = _why(p, figures[p.code], lang)
        says = verb[0] if fr else verb[2]
        return f"{_title(p)} {says} {where}" + (f" ({why})" if why else "")
    says = verb[1] if fr else verb[3]
    nouns = "projets" if fr else "projects"
    colon = " :" if fr else ":"
    return f"{n} {nouns} {says} {where}{colon} {_named(group, figures, lang)}"


def _weather_sentences(
    report: CopilReport, figures: dict[str, ProjectFigures], lang: Lang
) -> list[str]:
    """Which projects are (or turned) stormy and cloudy, and why; those back to sunny."""
    fr = lang == "fr"
    has_history = any(p.previous_weather for p in report.projects)
    sentences: list[str] = []
    for weather in ("red", "amber"):
        group = [p for p in report.projects if p.weather == weather]
        if not group:
            continue
        if not has_history:
            verb = ("est", "sont", "is", "are")
            parts = [_weather_group(group, figures, weather, verb, lang)]
        else:
            turned = [p for p in group if p.previous_weather != weather]
            stayed = [p for p in group if p.previous_weather == weather]
            parts = []
            if turned:
                verb = ("passe", "passent", "turns", "turn")
                parts.append(_weather_group(turned, figures, weather, verb, lang))
            if stayed:
                verb = ("reste", "restent", "stays", "stay")
                parts.append(_weather_group(stayed, figures, weather, verb, lang))
        sentences.append(_sentence((" ; " if fr else "; ").join(parts)))
    if not any(p.weather == "red" for p in report.projects):
        n = len(report.projects)
        if not n:
            first = "Aucun projet consolidé." if fr else "No project was consolidated."
        else:
            first = (
                f"Aucun projet à l'orage sur les {n} du portefeuille."
                if fr
                else f"No stormy project among the portfolio's {n}."
            )
        sentences.insert(0, first)
    better = [
        p.code
        for p in report.projects
        if p.weather == "green" and p.previous_weather not in (None, "green")
    ]
    if better:
        codes = _join(better, lang)
        n = len(better)
        sentences.append(
            _sentence(
                f"{codes} {plural(n, 'revient', 'reviennent')} au soleil"
                if fr
                else f"{codes} {plural(n, 'is', 'are')} back to sunny"
            )
        )
    return sentences


def _rank(weather: str) -> int:
    return {"green": 0, "amber": 1, "red": 2}[weather]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _budget_sentence(report: CopilReport, lang: Lang) -> str:
    t = report.synthesis.totals
    fr = lang == "fr"
    drift = ""
    if t.drift_pct is not None:
        days, pct = fmt_days(t.drift_days, lang, signed=True), fmt_pct(t.drift_pct, lang, True)
        drift = f" ({days}, soit {pct})" if fr else f" ({days}, {pct})"
    cost = ""
    if t.budget_eur:
        cost = (
            f" et {fmt_eur(t.eac_eur, lang)} pour {fmt_eur(t.budget_eur, lang)}"
            f" ({fmt_eur(t.drift_eur, lang, signed=True)})"
            if fr
            else f" and {fmt_eur(t.eac_eur, lang)} for {fmt_eur(t.budget_eur, lang)}"
            f" ({fmt_eur(t.drift_eur, lang, signed=True)})"
        )
    text = (
        f"À terminaison, le portefeuille est estimé à {fmt_days(t.eac_days, lang)} pour "
        f"{fmt_days(t.budget_days, lang)} budgétés{drift}{cost}"
        if fr
        else f"At completion the portfolio is estimated at {fmt_days(t.eac_days, lang)} for a "
        f"budget of {fmt_days(t.budget_days, lang)}{drift}{cost}"
    )
    drifting = [p for p in report.projects if p.drift_pct is not None and p.drift_pct > 0]
    if drifting:
        worst = max(drifting, key=lambda p: (p.drift_pct or 0.0, p.code))
        what = (
            f"{fmt_days(worst.drift_days or 0.0, lang, True)}, "
            f"{fmt_pct(worst.drift_pct or 0.0, lang, True)}"
        )
        name = _title(worst)
        text += (
            f" ; la plus forte dérive est celle de {name} ({what})"
            if fr
            else f"; the largest drift is on {name} ({what})"
        )
    return _sentence(text)


def _committee_sentence(report: CopilReport, lang: Lang) -> str | None:
    fr = lang == "fr"
    parts: list[str] = []
    n = report.decisions_total
    if n:
        long_wait = [d for d in report.decisions if d.waiting_too_long]
        text = (
            f"{n} {plural(n, 'décision attend', 'décisions attendent')} le comité"
            if fr
            else f"{n} {plural(n, 'decision awaits', 'decisions await')} the committee"
        )
        if long_wait:
            d = long_wait[0]
            days = d.waiting_days or 0
            title = f"« {d.title} »" if fr else f"'{d.title}'"
            text += (
                f", dont {title} ({d.project}) depuis {days} jours"
                if fr
                else f", including {title} ({d.project}) for {days} days"
            )
        parts.append(text)
    a = report.actions
    if a.open_count:
        parts.append(
            f"{a.overdue_count} des {a.open_count} actions ouvertes "
            f"{plural(a.overdue_count, 'est', 'sont')} en retard"
            if fr
            else f"{a.overdue_count} of the {a.open_count} open actions "
            f"{plural(a.overdue_count, 'is', 'are')} overdue"
        )
    if not parts:
        return None
    return _sentence((" ; " if fr else "; ").join(parts))


def _people_sentence(over: list[_OverAllocation], lang: Lang) -> str | None:
    if not over:
        return None
    fr = lang == "fr"
    n = len(over)
    top = over[0]
    detail = (
        f"{top.resource} ({fmt_days(top.load_days, lang)} planifiés pour "
        f"{fmt_days(top.capacity_days, lang)} la semaine du {fmt_date(top.week, lang)})"
        if fr
        else f"{top.resource} ({fmt_days(top.load_days, lang)} planned for a capacity of "
        f"{fmt_days(top.capacity_days, lang)} in the week of {fmt_date(top.week, lang)})"
    )
    return _sentence(
        f"{n} {plural(n, 'personne est surchargée', 'personnes sont surchargées')} dans les "
        f"semaines à venir, la plus chargée étant {detail}"
        if fr
        else f"{n} {plural(n, 'person is', 'people are')} over-allocated in the coming weeks, "
        f"the most being {detail}"
    )


_QUALITY_WORDS: dict[str, tuple[str, str, str, str]] = {
    "missing": ("classeur manque", "classeurs manquent", "workbook is missing",
                "workbooks are missing"),
    "rejected": ("classeur est rejeté", "classeurs sont rejetés", "workbook was rejected",
                 "workbooks were rejected"),
    "stale": ("classeur n'a pas été mis à jour", "classeurs n'ont pas été mis à jour",
              "workbook was not updated", "workbooks were not updated"),
}  # fmt: skip


def _quality_sentence(report: CopilReport, lang: Lang) -> str:
    fr = lang == "fr"
    q = report.data_quality
    parts: list[str] = []
    for state, (one_fr, many_fr, one_en, many_en) in _QUALITY_WORDS.items():
        rows = [r for r in q.rows if r.state == state]
        if rows:
            n = len(rows)
            codes = _join([r.project or r.file for r in rows], lang)
            words = (one_fr if n == 1 else many_fr) if fr else (one_en if n == 1 else many_en)
            parts.append(f"{n} {words} ({codes})")
    incomplete = [r.project or r.file for r in q.rows if r.errors and r.state != "missing"]
    if incomplete:
        codes = _join(incomplete, lang)
        parts.append(
            f"les chiffres de {codes} excluent des lignes en erreur"
            if fr
            else f"the figures of {codes} leave out rows in error"
        )
    if not parts:
        return (
            "Tous les classeurs attendus ont été reçus, à jour et sans erreur."
            if fr
            else "Every expected workbook was received, up to date and without errors."
        )
    prefix = "Qualité des données : " if fr else "Data quality: "
    return _sentence(prefix + (" ; " if fr else "; ").join(parts))


def synthesis_sentences(
    report: CopilReport, result: PortfolioResult, over: list[Any], lang: Lang
) -> list[str]:
    """3 to 6 plain sentences: weather changes and why, money, committee, people, data."""
    figures = {(p.code or p.file): p for p in result.projects}
    weather = _weather_sentences(report, figures, lang)
    # (priority, sentence) in reading order; the least important go when there are too many.
    ranked: list[tuple[int, str]] = [(0, s) for s in weather[:2]]
    ranked += [(5, s) for s in weather[2:]]
    ranked.append((1, _budget_sentence(report, lang)))
    committee = _committee_sentence(report, lang)
    if committee:
        ranked.append((2, committee))
    people = _people_sentence(over, lang)
    if people:
        ranked.append((4, people))
    ranked.append((3, _quality_sentence(report, lang)))
    keep = sorted(range(len(ranked)), key=lambda i: (ranked[i][0], i))[:MAX_SENTENCES]
    return [ranked[i][1] for i in sorted(keep)]


# ---------------------------------------------------------------------------------------------
# The direction's workbook and PDF
# ---------------------------------------------------------------------------------------------


def copil_layout(report: CopilReport, lang: Lang | None = None) -> SheetLayout:
    """The ``COPIL`` sheet of ``report`` (see :mod:`pmo_xl.copil_sheet`), for any renderer."""
    from pmo_xl.copil_sheet import render

    return render(report, lang)


PDF_LOCALES: dict[str, str] = {"fr": "fr-FR", "en": "en-GB"}


def write_copil_workbook(
    report: CopilReport, path: Path, *, pdf: bool = False
) -> tuple[Path, Path | None]:
    """The standalone COPIL workbook (only the report: values, no formula, no link) and, with
    ``pdf``, its PDF next to it through LibreOffice. Returns ``(xlsx, pdf or None)``."""
    from pmo_xl import safe_io
    from pmo_xl.render_pdf import to_pdf
    from pmo_xl.xlsx_writer import DocumentProperties, render_xlsx

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe_io.check_not_open_in_excel(path)
    h = report.header
    title = f"COPIL — {h.portfolio_name} — {fmt_date(h.cutoff, report.lang)}"
    with safe_io.output_lock(path):
        render_xlsx(
            [copil_layout(report, report.lang)],
            path,
            properties=DocumentProperties(
                title=title,
                subject="COPIL",
                author=h.prepared_by or "pmo_xl",
                created=dt.datetime.combine(h.cutoff, dt.time(0)),
            ),
        )
    pdf_path = None
    if pdf:
        pdf_path = to_pdf(path, path.parent, locale=PDF_LOCALES.get(report.lang))
    return path, pdf_path
