"""The typed model of a project workbook and of the PMO's settings.

Single objects (project metadata, settings, findings) are pydantic models. Tables of many rows
(tasks, time entries…) are pandas DataFrames, one column per field named after the
:mod:`pmo_xl.labels` field, plus ``row`` (the Excel row). With :class:`Table` they keep where every
value came from: ``table.address("planned_days", 12)`` → ``"Planning!J12"``. ``table.records()``
gives the same rows as pydantic objects when one row at a time is what you need.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pmo_xl import labels
from pmo_xl.labels import Lang

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}
Weather = Literal["green", "amber", "red"]
_T = TypeVar("_T")
_M = TypeVar("_M", bound="_WithParams")


# A key of a finding's or a weather reason's __dict__ that is no field (see Finding.message).
RENDERED = "rendered messages"


class _WithParams(Protocol):
    @property
    def params(self) -> dict[str, Any]: ...


def _unpickled(
    cls: type[BaseModel],
    state: dict[str, Any],
    fields_set: set[str],
    extra: dict[str, Any] | None,
    private: dict[str, Any] | None,
) -> Any:
    """A pickled :class:`QuickPickled` model made again, as pydantic's ``__setstate__`` makes
    it, from its parts as they are rather than from pydantic's generic state dict."""
    model = object.__new__(cls)
    _setattr(model, "__dict__", state)
    _setattr(model, "__pydantic_fields_set__", fields_set)
    _setattr(model, "__pydantic_extra__", extra)
    _setattr(model, "__pydantic_private__", private)
    return model


_setattr = object.__setattr__


def kept_per_language(model: _M, key: str, lang: Lang, make: Callable[[_M, Lang], _T]) -> _T:
    """What ``make(model, lang)`` gives, worked out once per language and kept in the
    instance's ``__dict__`` under ``key``, outside its fields: pydantic's equality, dumps and
    copies of fields ignore it, and pickles carry it. Tied to the model's ``params`` itself:
    a copy with other parameters works out its own. ``make`` is a function of its own, not a
    closure made at each call: a finding's message is asked for several times a run, and a
    kept one costs 0.37 µs this way, 3.3 µs with a closure and an import each time."""
    kept: tuple[Any, dict[str, _T]] | None = model.__dict__.get(key)
    if kept is None or kept[0] is not model.params:
        kept = model.__dict__[key] = (model.params, {})
    said = kept[1].get(lang)
    if said is None:
        said = kept[1][lang] = make(model, lang)
    return said


class _Coded(_WithParams, Protocol):
    @property
    def code(self) -> str: ...


def rendered(item: _Coded, lang: Lang) -> str:
    """``item``'s message (its code and parameters) in ``lang``, for :func:`kept_per_language`."""
    from pmo_xl.messages import render

    return render(item.code, item.params, lang)


class QuickPickled(BaseModel):
    """A pydantic model that the cache and the workers pickle by the thousand.

    A re-run unpickles some 35,000 such objects (the cache entries' findings, milestones and
    figures, the last run's portfolio findings) before anything else can start; pydantic's
    generic pickling (a state dict of four entries for each) took 5.8-8.7 µs an object, this
    2-3 µs less. The same model comes back: fields, fields set, extra and private attributes,
    and what the instance keeps in its ``__dict__`` (a finding's rendered messages)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return _unpickled, (
            type(self),
            self.__dict__,
            self.__pydantic_fields_set__,
            self.__pydantic_extra__,
            self.__pydantic_private__,
        )


class Finding(QuickPickled):
    """Something wrong (or worth knowing) about one place of one workbook."""

    model_config = ConfigDict(frozen=True)

    file: str
    project: str | None = None
    sheet: str | None = None
    cell: str | None = None  # "F12"; None for a whole sheet or file
    row: int | None = None
    column: str | None = None  # column header as found in the workbook
    severity: Severity = "error"
    code: str
    params: dict[str, Any] = Field(default_factory=dict)

    def message(self, lang: Lang = "fr") -> str:
        """The finding said in ``lang``, rendered once per language and kept with it
        (:func:`kept_per_language`). So the workers that find a project's findings also render
        them (in parallel, and into the load cache), and the sheet, the JSON and the report do
        not render 18,000 messages again (1,000 projects: 0.3 s each)."""
        return kept_per_language(self, RENDERED, lang, rendered)

    @property
    def location(self) -> str:
        """``Planning!F12``, ``Planning`` or the file name."""
        if self.sheet and self.cell:
            quoted = f"'{self.sheet}'" if not self.sheet.isalnum() else self.sheet
            return f"{quoted}!{self.cell}"
        return self.sheet or self.file

    def as_dict(self, lang: Lang = "fr") -> dict[str, Any]:
        return {
            "file": self.file,
            "project": self.project,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message(lang),
        }


class RowSource(BaseModel):
    """Where a row came from; ``cells`` maps each field to its address (``"F12"``)."""

    model_config = ConfigDict(frozen=True)

    file: str
    sheet: str
    row: int
    cells: dict[str, str] = Field(default_factory=dict)

    def address(self, field_name: str) -> str | None:
        cell = self.cells.get(field_name)
        return f"{self.sheet}!{cell}" if cell else None


class Row(BaseModel):
    """Base of the row-level objects: every one knows its source."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    spec: ClassVar[labels.SheetSpec]
    source: RowSource


class Task(Row):
    spec: ClassVar[labels.SheetSpec] = labels.PLANNING
    id: str | None = None
    work_package: str | None = None
    name: str | None = None
    owner: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    baseline_end: dt.date | None = None
    milestone: str | None = None  # "yes" / "no"
    predecessors: str | None = None
    planned_days: float | None = None
    remaining_days: float | None = None
    status: str | None = None

    @property
    def is_milestone(self) -> bool:
        return self.milestone == "yes"


class TimeEntry(Row):
    spec: ClassVar[labels.SheetSpec] = labels.TIME_ENTRIES
    date: dt.date | None = None
    resource: str | None = None
    task_id: str | None = None
    days: float | None = None
    comment: str | None = None


class Resource(Row):
    spec: ClassVar[labels.SheetSpec] = labels.RESOURCES
    name: str | None = None
    profile: str | None = None
    rate: float | None = None
    capacity: float | None = None
    kind: str | None = None


class Cost(Row):
    spec: ClassVar[labels.SheetSpec] = labels.COSTS
    date: dt.date | None = None
    nature: str | None = None
    label: str | None = None
    amount: float | None = None
    status: str | None = None


class Risk(Row):
    spec: ClassVar[labels.SheetSpec] = labels.RISKS
    id: str | None = None
    title: str | None = None
    probability: float | None = None
    impact: float | None = None
    owner: str | None = None
    mitigation: str | None = None
    due: dt.date | None = None
    status: str | None = None

    @property
    def criticity(self) -> float | None:
        if self.probability is None or self.impact is None:
            return None
        return self.probability * self.impact


class Action(Row):
    spec: ClassVar[labels.SheetSpec] = labels.ACTIONS
    id: str | None = None
    title: str | None = None
    owner: str | None = None
    due: dt.date | None = None
    status: str | None = None
    origin: str | None = None
    comment: str | None = None


class Decision(Row):
    spec: ClassVar[labels.SheetSpec] = labels.DECISIONS
    id: str | None = None
    date: dt.date | None = None
    title: str | None = None
    requested_by: str | None = None
    status: str | None = None
    impact_days: float | None = None
    impact_eur: float | None = None
    comment: str | None = None


ROW_MODELS: dict[str, type[Row]] = {
    "planning": Task,
    "time_entries": TimeEntry,
    "resources": Resource,
    "costs": Cost,
    "risks": Risk,
    "actions": Action,
    "decisions": Decision,
}


# Columns of table frames as numpy arrays, per frame: the checks, the figures and the share all
# read the same columns, and pandas builds a new Series at each access (2 ms per workbook).
# Keyed by the frame's id, the entry dropped when the frame goes (weak reference).
_COLUMN_ARRAYS: dict[int, tuple[weakref.ref[pd.DataFrame], dict[str, np.ndarray]]] = {}


def task_key(value: Any) -> str:
    """A task ID as Charges are matched to Planning: trimmed, any case (``t1`` is ``T1``)."""
    return str(value).strip().casefold()


def column_array(frame: pd.DataFrame, name: str) -> np.ndarray:
    """``frame[name].to_numpy()``, made once per frame and column. Table frames are not
    changed once read; a frame that is must not be read through here."""
    key = id(frame)
    entry = _COLUMN_ARRAYS.get(key)
    if entry is None or entry[0]() is not frame:
        gone = _forget_columns(key)
        entry = (weakref.ref(frame, gone), {})
        _COLUMN_ARRAYS[key] = entry
    arrays = entry[1]
    values = arrays.get(name)
    if values is None:
        values = arrays[name] = frame[name].to_numpy()
    return values


def prime_columns(frame: pd.DataFrame, arrays: dict[str, np.ndarray]) -> None:
    """Give :func:`column_array` the arrays ``frame`` was just built from (same values), as
    read-only views, as pandas' ``to_numpy`` gives them: the reader's frames are read column
    by column by the checks, the figures and the share (~2 ms a workbook through pandas)."""
    views: dict[str, np.ndarray] = {}
    for name, array in arrays.items():
        view = array.view()
        view.flags.writeable = False
        views[name] = view
    key = id(frame)
    _COLUMN_ARRAYS[key] = (weakref.ref(frame, _forget_columns(key)), views)


def _forget_columns(key: int) -> Callable[[weakref.ref[pd.DataFrame]], None]:
    def forget(ref: weakref.ref[pd.DataFrame]) -> None:
        entry = _COLUMN_ARRAYS.get(key)
        if entry is not None and entry[0] is ref:
            del _COLUMN_ARRAYS[key]

    return forget


@dataclass
class Table:
    """One table sheet of a workbook, as read.

    ``frame`` has one column per field of the sheet's spec (all of them, missing ones all-null),
    typed: dates ``datetime64[ns]``, numbers ``float64``, text and list values ``object``
    (list values already canonical: ``"done"``, ``"yes"``…), plus ``row``, the Excel row number.
    """

    spec: labels.SheetSpec
    file: str
    sheet: str | None  # the sheet's name as found; None when the workbook has no such sheet
    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)  # field -> column letter
    headers: dict[str, str] = field(default_factory=dict)  # field -> header text as found
    header_row: int | None = None

    @property
    def present(self) -> bool:
        return self.sheet is not None

    def cell(self, field_name: str, row: int) -> str | None:
        letter = self.columns.get(field_name)
        return f"{letter}{row}" if letter else None

    def address(self, field_name: str, row: int) -> str | None:
        cell = self.cell(field_name, row)
        return f"{self.sheet}!{cell}" if cell and self.sheet else None

    def records(self) -> Iterator[Row]:
        """The rows as pydantic objects, each with its :class:`RowSource`."""
        model = ROW_MODELS[self.spec.key]
        sheet = self.sheet or self.spec.label.fr
        for rec in self.frame.to_dict("records"):
            row = int(rec.pop("row"))
            values = {k: _py(v) for k, v in rec.items() if k in model.model_fields}
            cells = {f: f"{letter}{row}" for f, letter in self.columns.items()}
            yield model(
                source=RowSource(file=self.file, sheet=sheet, row=row, cells=cells), **values
            )

    @classmethod
    def empty(cls, spec: labels.SheetSpec, file: str) -> Table:
        return cls(spec, file, None, empty_frame(spec))


def _py(value: Any) -> Any:
    """pandas scalar → plain Python (NaT/NaN → None, Timestamp → date)."""
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    return value


FRAME_DTYPES: dict[str, str] = {
    "number": "float64",
    "date": "datetime64[ns]",
    "text": "object",
    "enum": "object",
    "bool": "object",
    "formula": "object",
}


def empty_frame(spec: labels.SheetSpec) -> pd.DataFrame:
    cols = {c.field: pd.Series(dtype=FRAME_DTYPES[c.kind]) for c in spec.columns}
    cols["row"] = pd.Series(dtype="int64")
    return pd.DataFrame(cols)


class ProjectInfo(QuickPickled):
    """The ``Projet`` sheet. ``cells`` maps each field to the address of its value (``"B4"``)."""

    code: str | None = None
    name: str | None = None
    lead: str | None = None
    sponsor: str | None = None
    start: dt.date | None = None
    planned_end: dt.date | None = None
    budget_initial_days: float | None = None
    budget_revised_days: float | None = None
    budget_initial_eur: float | None = None
    budget_revised_eur: float | None = None
    cutoff: dt.date | None = None
    phase: str | None = None
    manual_weather: Weather | None = None
    weather_reason: str | None = None
    sheet: str | None = None
    cells: dict[str, str] = Field(default_factory=dict)

    @property
    def budget_days(self) -> float | None:
        """Revised budget when filled, else the initial one (CALCULATIONS.md §1)."""
        return (
            self.budget_revised_days
            if self.budget_revised_days is not None
            else (self.budget_initial_days)
        )

    @property
    def budget_eur(self) -> float | None:
        return (
            self.budget_revised_eur
            if self.budget_revised_eur is not None
            else (self.budget_initial_eur)
        )


@dataclass
class ProjectWorkbook:
    """Everything read from one project workbook, with the findings the reader raised."""

    file: str  # as shown to users (file name, or path relative to the projects folder)
    path: Path | None
    info: ProjectInfo
    tables: dict[str, Table]
    findings: list[Finding] = field(default_factory=list)

    @property
    def code(self) -> str | None:
        return self.info.code

    def table(self, key: str) -> Table:
        return self.tables[key]

    @property
    def tasks(self) -> Table:
        return self.tables["planning"]

    @property
    def time_entries(self) -> Table:
        return self.tables["time_entries"]

    @property
    def resources(self) -> Table:
        return self.tables["resources"]

    @property
    def costs(self) -> Table:
        return self.tables["costs"]

    @property
    def risks(self) -> Table:
        return self.tables["risks"]

    @property
    def actions(self) -> Table:
        return self.tables["actions"]

    @property
    def decisions(self) -> Table:
        return self.tables["decisions"]


Columns = dict[str, np.ndarray]  # a small table as one array per column: cheap to pickle


def join_columns(parts: Iterable[Columns], columns: Sequence[str] = ()) -> pd.DataFrame:
    """Stack :data:`Columns` of many projects into one DataFrame (column by column: one
    ``pd.concat`` of a thousand small frames costs more than the rest of the portfolio stage).

    ``columns``: the columns to keep (in order) even when no part has rows; a part without one
    of them gets blanks there.
    """
    parts = [p for p in parts if p and len(next(iter(p.values())))]
    names = list(columns) or list(dict.fromkeys(c for p in parts for c in p))
    data: dict[str, np.ndarray] = {}
    for name in names:
        kinds = {p[name].dtype for p in parts if name in p}
        # A part without the column gets blanks of the others' type (NaT among dates).
        kind = kinds.pop() if len(kinds) == 1 else np.dtype(object)
        if kind.kind not in "fM":  # only floats and dates have a blank of their own type
            kind = np.dtype(object)
        blank: Any = None if kind.kind == "O" else np.array(np.nan).astype(kind)
        arrays = [
            p[name] if name in p else np.full(len(next(iter(p.values()))), blank, dtype=kind)
            for p in parts
        ]
        if len({a.dtype for a in arrays}) > 1:
            # Through pandas: numpy turns datetime64[ns] into integers when cast to object.
            arrays = [pd.Series(a).astype(object).to_numpy() for a in arrays]
        data[name] = np.concatenate(arrays) if arrays else np.array([], dtype=object)
    return pd.DataFrame(data, columns=names)


NameParts = tuple[str, tuple[str, ...]]  # (surname, given names): see checks.name_parts


@dataclass
class ProjectShare:
    """What one project brings to the cross-project tables (resource load, effort by month,
    portfolio checks, risks/actions/decisions), computed where the project was read.

    The portfolio stage works on these few hundred rows per project instead of the project's full
    tables: workers send them back and the cache keeps them, so a 1,000-project run neither ships
    nor holds 3 million time entries.
    """

    file: str
    info: ProjectInfo
    cutoff: dt.date  # remaining effort is spread from the day after this date
    listed: Columns  # Ressources rows: key, name, capacity (row order)
    owners: dict[str, str]  # person key → first spelling among Planning owners
    entrants: dict[str, str]  # person key → first spelling among Charges resources
    load: Columns  # key, week, load_days: remaining effort per person and week
    effort: Columns  # key (None: no owner), month, consumed_days, remaining_days
    load_findings: list[Finding]
    name_places: dict[str, tuple[str, str, int]]  # spelling → (sheet, cell, row) of first use
    cross: dict[str, Columns]  # "risks", "actions", "decisions": rows with their source
    # spelling → its surname and given names, as the name-variant check compares them
    name_parts: dict[str, NameParts | None] = field(default_factory=dict)

    # Pickled apart and unpickled where first read: the effort table and the cross-project
    # lists are made by a forked child (portfolio.SIDE_CHILD_MIN_SHARES), so the run's process,
    # which unpickles 1,000 cached shares before anything else can start, never needs these
    # (a third of a share's unpickling: 0.13 of 0.38 s at 1,000 projects); a re-run that
    # patches the last run's tables (pmo_xl.rerun) reads none of them but the changed
    # projects' (what stays: the file, the project, the cut-off and the load findings).
    _PACKED: ClassVar[tuple[str, ...]] = (
        "listed",
        "owners",
        "entrants",
        "load",
        "effort",
        "name_places",
        "cross",
        "name_parts",
    )

    @property
    def code(self) -> str | None:
        return self.info.code

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        packed = dict(state.pop("_packed", {}))
        for name in self._PACKED:
            if name in state:
                packed[name] = pickle.dumps(state.pop(name), protocol=pickle.HIGHEST_PROTOCOL)
        state["_packed"] = packed
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    if not TYPE_CHECKING:  # hidden from mypy, which would then take any attribute name

        def __getattr__(self, name: str) -> Any:
            # Only called for an attribute not set: a packed field, unpickled once.
            packed = self.__dict__.get("_packed")
            if packed is None or name not in packed:
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            value = pickle.loads(packed.pop(name))
            setattr(self, name, value)
            return value


class Thresholds(BaseModel):
    """Weather thresholds (DOMAIN.md). Drift thresholds are fractions: 0.05 = 5 %."""

    drift_green_max: float = 0.05
    drift_amber_max: float = 0.10
    index_green_min: float = 0.95
    index_amber_min: float = 0.90
    index_suspicious_above: float = 1.10


class ProfileRate(BaseModel):
    profile: str
    rate: float
    valid_from: dt.date | None = None
    source: RowSource | None = None


class ExpectedProject(BaseModel):
    code: str
    file: str | None = None
    active: bool = True
    source: RowSource | None = None


class Mapping(BaseModel):
    """``Correspondances``: a company's own name for one of pmo_xl's sheets or columns."""

    sheet: str | None = None
    their_name: str
    our_name: str


class RuleOverride(BaseModel):
    enabled: bool = True
    severity: Severity | None = None


class Settings(BaseModel):
    """The PMO's settings: ``Paramètres``, ``TJM``, ``Projets``, ``Correspondances``, ``Règles``."""

    portfolio_name: str | None = None  # None: not named, called by its language's default
    prepared_by: str | None = None
    projects_folder: Path | None = None
    cutoff: dt.date | None = None
    holiday_country: str = "FR"
    language: Lang = "fr"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    budget_tolerance: float = 0.20  # Σ planned effort may differ from the budget by this fraction
    decision_max_wait_days: int = 30
    stale_after_days: int = 45
    max_days_per_day: float = 1.0
    rates: list[ProfileRate] = Field(default_factory=list)
    expected_projects: list[ExpectedProject] = Field(default_factory=list)
    mappings: list[Mapping] = Field(default_factory=list)
    rules: dict[str, RuleOverride] = Field(default_factory=dict)
    source_file: str | None = None

    @property
    def title(self) -> str:
        """The portfolio's name, or the default name in the run's language ("Portfolio" in an
        English run, not "Portefeuille")."""
        return self.portfolio_name or labels.DEFAULT_PORTFOLIO.text(self.language)
