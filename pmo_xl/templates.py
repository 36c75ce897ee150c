"""The workbooks people fill: the project template and the PMO workbook's input sheets.

Both are built as :class:`~pmo_xl.layout.SheetLayout` lists from :mod:`pmo_xl.labels`, so sheet
names, headers and dropdown values exist in one place only. Given data (:class:`ProjectData`,
:class:`SettingsData`) the same functions produce filled workbooks: the demo portfolio is made
this way. Example::

    write_templates(Path("modeles"))  # -> [modeles/projet_modele.xlsx, modeles/pmo.xlsx]
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from pmo_xl import labels
from pmo_xl.labels import Column, Lang, SheetSpec
from pmo_xl.layout import (
    Block,
    CellStyle,
    Formula,
    NumberFormat,
    PrintSetup,
    Range,
    SheetLayout,
    TableDef,
    Validation,
    Value,
)
from pmo_xl.model import Settings, Thresholds
from pmo_xl.sheets import HEADER_STYLE, SUBTITLE_STYLE, TITLE_STYLE
from pmo_xl.workbook import cell_address, column_letter

PROJECT_TEMPLATE_FILE = "projet_modele.xlsx"
PMO_TEMPLATE_FILE = "pmo.xlsx"

# Empty rows of an empty template's tables: ready to type in, with formats, lists and formulas.
TEMPLATE_BLANK_ROWS = 20
# Dropdowns reach below the table so that rows added outside Excel (LibreOffice) keep them.
VALIDATION_ROWS = 500

FORMULA_HEADER_STYLE = replace(HEADER_STYLE, fill="#7F7F7F")
FORMULA_FILL = "#F2F2F2"  # grey = computed, do not type
INPUT_STYLE = CellStyle(fill="#FFF2CC", border=True, border_color="#BFBFBF", align="left")
LABEL_STYLE = CellStyle(bold=True, valign="center")
HELP_STYLE = CellStyle(italic=True, font_color="#595959", valign="center")
GUIDE_TEXT_STYLE = CellStyle(wrap=True, valign="top")
GUIDE_HEADING_STYLE = CellStyle(bold=True, font_color="#1F3864", size=12)

# Column widths (characters) where the kind's default does not fit the content.
_WIDTHS: dict[str, float] = {
    "planning.id": 8,
    "planning.work_package": 20,
    "planning.name": 42,
    "planning.owner": 20,
    "planning.predecessors": 14,
    "time_entries.resource": 20,
    "time_entries.task_id": 10,
    "time_entries.comment": 36,
    "resources.name": 22,
    "resources.profile": 22,
    "resources.kind": 15,
    "costs.label": 40,
    "costs.nature": 16,
    "risks.id": 8,
    "risks.title": 42,
    "risks.owner": 20,
    "risks.mitigation": 42,
    "actions.id": 8,
    "actions.title": 42,
    "actions.owner": 20,
    "actions.origin": 20,
    "actions.comment": 36,
    "decisions.id": 8,
    "decisions.title": 42,
    "decisions.requested_by": 20,
    "decisions.comment": 36,
    "rates.profile": 26,
    "expected_projects.code": 16,
    "expected_projects.file": 32,
    "mappings.sheet": 16,
    "mappings.their_name": 32,
    "mappings.our_name": 32,
    "rules.code": 36,
}
_KIND_WIDTHS: dict[str, float] = {
    "date": 12,
    "number": 11,
    "enum": 14,
    "text": 16,
    "formula": 11,
    "bool": 10,
}
# Columns holding identifiers are Text-formatted: "1.10" must not become the number 1.1.
_TEXT_FIELDS = {"planning.id", "planning.predecessors", "time_entries.task_id", "risks.id"}
_INT_FIELDS = {
    "risks.probability",
    "risks.impact",
    "settings.decision_max_wait_days",
    "settings.stale_after_days",
}
_PCT_FIELDS = {"settings.drift_green_max", "settings.drift_amber_max", "settings.budget_tolerance"}
RISK_SCALE = ("1", "2", "3", "4")
# Dates and list values centred: a right-aligned date next to a left-aligned status reads as one.
_ALIGN: dict[str, Literal["center"]] = {"date": "center", "enum": "center"}


# ---------------------------------------------------------------------------------------------
# Data to fill the templates with
# ---------------------------------------------------------------------------------------------


@dataclass
class ProjectData:
    """A project workbook's content: ``info`` keyed by ``labels.PROJECT`` fields, ``rows`` by sheet.

    Values are cell values as a user would type them; list values may be given canonically
    (``"done"``, ``"yes"``) and are written in the workbook's language.

    >>> ProjectData({"code": "PRJ-1"}, {"planning": [{"id": "T1", "name": "Cadrage"}]}).info["code"]
    'PRJ-1'
    """

    info: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class SettingsData:
    """The PMO workbook's inputs: ``values`` keyed by ``labels.SETTINGS`` fields, ``rows`` by sheet
    key (``rates``, ``expected_projects``, ``mappings``, ``rules``)."""

    values: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Help texts (French, English). Labels are always taken from the catalogue.
# ---------------------------------------------------------------------------------------------


def _t(lang: Lang, fr: str, en: str) -> str:
    return fr if lang == "fr" else en


def _choices_text(enum: str, lang: Lang) -> str:
    return ", ".join(labels.enum_choices(enum, lang))


def _project_help(field_name: str, lang: Lang) -> str:
    weather = labels.PROJECT.column("manual_weather").label.text(lang)
    texts: dict[str, tuple[str, str]] = {
        "code": ("Obligatoire, unique, ex. PRJ-001", "Required, unique, e.g. PRJ-001"),
        "name": ("Obligatoire", "Required"),
        "lead": ("Obligatoire : Prénom Nom", "Required: first and last name"),
        "sponsor": ("Prénom Nom", "First and last name"),
        "start": ("Obligatoire : JJ/MM/AAAA", "Required: a date"),
        "planned_end": ("Obligatoire : fin de référence (baseline)", "Required: baseline end"),
        "budget_initial_days": ("Obligatoire, en jours-homme", "Required, in person-days"),
        "budget_revised_days": (
            "Après décision du COPIL ; devient la référence",
            "After a steering committee decision; becomes the reference",
        ),
        "budget_initial_eur": ("Optionnel", "Optional"),
        "budget_revised_eur": ("Optionnel", "Optional"),
        "cutoff": (
            "Date à laquelle les chiffres sont valables (à chaque arrêté)",
            "The date the figures are valid at (each period)",
        ),
        "phase": (_choices_text("phase", "fr"), _choices_text("phase", "en")),
        "manual_weather": (
            f"Optionnel ({_choices_text('weather', 'fr')}) ; vide = météo calculée",
            f"Optional ({_choices_text('weather', 'en')}); blank = computed weather",
        ),
        "weather_reason": (
            f"Obligatoire si « {weather} » est rempli",
            f"Required when '{weather}' is set",
        ),
    }
    fr, en = texts.get(field_name, ("", ""))
    return _t(lang, fr, en)


def _settings_help(field_name: str, lang: Lang) -> str:
    texts: dict[str, tuple[str, str]] = {
        "portfolio_name": ("Titre des rapports", "Title of the reports"),
        "prepared_by": ("Nom du PMO (en-tête du COPIL)", "PMO name (COPIL header)"),
        "projects_folder": (
            "Chemin absolu, ou relatif à ce classeur",
            "Absolute path, or relative to this workbook",
        ),
        "cutoff": ("JJ/MM/AAAA : date de valeur des chiffres", "The date the figures are valid at"),
        "holiday_country": ("Code pays ISO (FR, BE, CH…)", "ISO country code (FR, BE, CH…)"),
        "language": ("fr ou en : langue des rapports", "fr or en: language of the reports"),
        "drift_green_max": ("Dérive jusqu'à ce seuil : vert", "Drift up to this: green"),
        "drift_amber_max": (
            "Au-delà : rouge ; entre les deux : orange",
            "Above: red; in between: amber",
        ),
        "index_green_min": ("SPI/CPI à partir de ce seuil : vert", "SPI/CPI from this: green"),
        "index_amber_min": ("En dessous : rouge", "Below: red"),
        "index_suspicious_above": (
            "Au-delà, estimation à vérifier (sans changer la météo)",
            "Above: estimate worth checking (weather unchanged)",
        ),
        "budget_tolerance": (
            "Écart admis entre la somme des charges prévues et le budget",
            "Allowed gap between the sum of planned effort and the budget",
        ),
        "decision_max_wait_days": (
            "Une décision attendue depuis plus longtemps est signalée",
            "A decision pending for longer is flagged",
        ),
        "stale_after_days": (
            "Date d'arrêté du projet plus ancienne : classeur périmé",
            "Project cut-off older than this: stale workbook",
        ),
    }
    fr, en = texts.get(field_name, ("", ""))
    return _t(lang, fr, en)


_PROMPTS: dict[str, tuple[str, str]] = {
    "planning.owner": (
        "Une personne de la feuille Ressources",
        "A person from the Resources sheet",
    ),
    "time_entries.resource": (
        "Une personne de la feuille Ressources",
        "A person from the Resources sheet",
    ),
    "time_entries.task_id": ("Un ID de la feuille Planning", "An ID from the Schedule sheet"),
}


# ---------------------------------------------------------------------------------------------
# Geometry: where every column and value goes (shared with the demo and the tests)
# ---------------------------------------------------------------------------------------------

ColumnOrder = Mapping[str, Sequence[str]]


def sheet_columns(spec: SheetSpec, column_order: ColumnOrder | None = None) -> list[Column]:
    """The columns of ``spec`` in workbook order: those named in ``column_order[spec.key]``
    first, the others after them in the catalogue's order."""
    wanted = list((column_order or {}).get(spec.key, ()))
    unknown = [f for f in wanted if f not in spec.by_field]
    if unknown:
        raise ValueError(f"{spec.key}: unknown fields in column_order: {unknown}")
    first = [spec.column(f) for f in dict.fromkeys(wanted)]
    return first + [c for c in spec.columns if c.field not in wanted]


def table_cell(
    spec: SheetSpec,
    field_name: str,
    index: int,
    *,
    column_order: ColumnOrder | None = None,
    header_row: int = 1,
) -> str:
    """Address of ``field_name`` in data row ``index`` (0-based) of a table sheet: ``"F12"``."""
    cols = [c.field for c in sheet_columns(spec, column_order)]
    return cell_address(header_row + 1 + index, cols.index(field_name) + 1)


def info_cell(spec: SheetSpec, field_name: str, *, header_row: int = 1) -> str:
    """Address of the value of ``field_name`` in a label/value sheet (labels in A, values in B)."""
    fields = [c.field for c in spec.columns]
    return cell_address(header_row + 1 + fields.index(field_name), 2)


def table_name(spec: SheetSpec, lang: Lang) -> str:
    """The Excel Table's name: the sheet name in ASCII CamelCase (``Coûts`` → ``Couts``)."""
    text = unicodedata.normalize("NFKD", spec.label.text(lang))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    words = re.split(r"[^A-Za-z0-9]+", text)
    return "".join(w[:1].upper() + w[1:] for w in words if w)


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _column_source(
    spec: SheetSpec,
    field_name: str,
    lang: Lang,
    column_order: ColumnOrder | None,
    header_row: int,
) -> str:
    """``='Ressources'!$A$2:$A$501``: a column of another sheet, as a dropdown source."""
    cols = [c.field for c in sheet_columns(spec, column_order)]
    letter = column_letter(cols.index(field_name) + 1)
    first, last = header_row + 1, header_row + VALIDATION_ROWS
    return f"={_quote(spec.label.text(lang))}!${letter}${first}:${letter}${last}"


def _number_format(spec: SheetSpec, col: Column) -> NumberFormat:
    key = f"{spec.key}.{col.field}"
    if key in _TEXT_FIELDS:
        return "text"
    if key in _INT_FIELDS:
        return "int"
    if col.kind == "date":
        return "date"
    if key in _PCT_FIELDS:
        return "pct"
    if col.kind in ("number", "formula"):
        # The unit is in the French label: "(€)" amounts, "(j)" and "(j/sem)" days.
        french = col.label.fr
        if "€" in french:
            return "eur"
        return "days" if "(j" in french else "general"
    return "general"


def _width(spec: SheetSpec, col: Column, header: str) -> float:
    base = _WIDTHS.get(f"{spec.key}.{col.field}", _KIND_WIDTHS[col.kind])
    # A header wraps on two lines at most; its longest word plus the filter button must fit.
    longest_word = max((len(w) for w in header.split()), default=0)
    return max(base, longest_word + 4, math.ceil(len(header) / 2) + 4)


# ---------------------------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------------------------


def _cell(col: Column, value: Any, lang: Lang) -> Value:
    """A value to write: canonical list values become the workbook language's label."""
    if value is None:
        return None
    if col.kind == "enum" and col.enum:
        if isinstance(value, bool) and col.enum == "yesno":
            value = "yes" if value else "no"
        if isinstance(value, str) and value in labels.ENUMS[col.enum]:
            return labels.enum_label(col.enum, value, lang)
    if isinstance(value, dt.datetime | dt.date | str | int | float | bool | Formula):
        return value
    raise TypeError(f"{col.field}: cannot write {type(value).__name__} value {value!r}")


def _excel_number(value: Any) -> float | None:
    """What Excel's arithmetic and SUMIFS see in a cell: numbers only, text is ignored."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_fields(spec: SheetSpec, rows: Sequence[Mapping[str, Any]]) -> None:
    for i, row in enumerate(rows):
        unknown = set(row) - set(spec.by_field)
        if unknown:
            raise ValueError(f"{spec.key} row {i}: unknown fields {sorted(unknown)}")


# ---------------------------------------------------------------------------------------------
# Sheet builders
# ---------------------------------------------------------------------------------------------


def _title_rows(layout: SheetLayout, header_row: int, title: str, subtitle: str) -> None:
    """Title rows above a header that is not on row 1 (as many companies do)."""
    if header_row >= 2:
        layout.add(Block(0, 0, [[title]], TITLE_STYLE))
    if header_row >= 3 and subtitle:
        layout.add(Block(1, 0, [[subtitle]], SUBTITLE_STYLE))


def _print_setup(header_row: int, landscape: bool = True) -> PrintSetup:
    return PrintSetup(
        landscape=landscape,
        repeat_rows=(header_row - 1, header_row - 1),
        footer="&L&A&RPage &P / &N",
    )


def _table_sheet(
    spec: SheetSpec,
    rows: Sequence[Mapping[str, Any]],
    lang: Lang,
    *,
    column_order: ColumnOrder | None,
    header_row: int,
    title: str,
    subtitle: str = "",
    blank_rows: int = TEMPLATE_BLANK_ROWS,
    formulas: Mapping[str, str] | None = None,
    cached: Mapping[str, Sequence[float | str | None]] | None = None,
    sources: Mapping[str, str] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
    freeze_through: str | None = None,
) -> SheetLayout:
    """A sheet holding one Excel Table of ``spec``, its header on row ``header_row`` (1-based).

    ``formulas`` maps formula fields to the column formula; ``cached`` gives their values per
    row (what Excel would show), ``sources``/``choices`` the dropdowns of other fields.
    """
    _check_fields(spec, rows)
    formulas = formulas or {}
    cached = cached or {}
    columns = sheet_columns(spec, column_order)
    headers = [c.label.text(lang) for c in columns]
    layout = SheetLayout(name=spec.label.text(lang), lang=lang)
    _title_rows(layout, header_row, title, subtitle)

    h = header_row - 1  # 0-based row of the header
    header_styles = [FORMULA_HEADER_STYLE if c.field in formulas else HEADER_STYLE for c in columns]
    widths = [_width(spec, c, hdr) for c, hdr in zip(columns, headers, strict=True)]
    wraps = any(len(hdr) + 3 > w for hdr, w in zip(headers, widths, strict=True))
    layout.add(
        Block(h, 0, [list(headers)], column_styles=header_styles, row_height=30 if wraps else None)
    )

    n = len(rows) or blank_rows
    data: list[list[Value]] = []
    for i in range(n):
        row = rows[i] if i < len(rows) else {}
        values: list[Value] = []
        for c in columns:
            if c.field in formulas:
                column_cache = cached.get(c.field)
                value = (
                    column_cache[i] if column_cache is not None and i < len(column_cache) else ""
                )
                values.append(Formula(formulas[c.field], value))
            else:
                values.append(_cell(c, row.get(c.field), lang))
        data.append(values)
    styles = [
        CellStyle(number_format=_number_format(spec, c), fill=FORMULA_FILL, font_color="#404040")
        if c.field in formulas
        else CellStyle(number_format=_number_format(spec, c), align=_ALIGN.get(c.kind))
        for c in columns
    ]
    layout.add(Block(h + 1, 0, data, column_styles=styles))

    last_col = len(columns) - 1
    layout.tables.append(
        TableDef(
            Range(h, 0, h + n, last_col),
            table_name(spec, lang),
            columns=tuple(headers),
            formulas={
                hdr: formulas[c.field]
                for c, hdr in zip(columns, headers, strict=True)
                if c.field in formulas
            },
        )
    )
    layout.column_widths = dict(enumerate(widths))
    fields = [c.field for c in columns]
    freeze_col = 0
    if freeze_through is not None and fields.index(freeze_through) <= 2:
        freeze_col = fields.index(freeze_through) + 1
    layout.freeze = (header_row, freeze_col)
    layout.print_setup = _print_setup(header_row)

    last_row = h + max(n, VALIDATION_ROWS)
    for c_index, c in enumerate(columns):
        rng = Range(h + 1, c_index, last_row, c_index)
        key = f"{spec.key}.{c.field}"
        prompt = _PROMPTS.get(key)
        prompt_text = _t(lang, *prompt) if prompt else None
        if sources and c.field in sources:
            layout.validations.append(Validation(rng, source=sources[c.field], prompt=prompt_text))
        elif choices and c.field in choices:
            layout.validations.append(Validation(rng, tuple(choices[c.field]), prompt=prompt_text))
        elif c.kind == "enum" and c.enum:
            layout.validations.append(
                Validation(rng, tuple(labels.enum_choices(c.enum, lang)), prompt=prompt_text)
            )
    return layout


def _key_value_sheet(
    spec: SheetSpec,
    values: Mapping[str, Any],
    lang: Lang,
    *,
    header_row: int,
    title: str,
    subtitle: str,
    help_text: Callable[[str, Lang], str],
) -> SheetLayout:
    """Labels in column A, inputs in column B (yellow), a short help in column C."""
    unknown = set(values) - set(spec.by_field)
    if unknown:
        raise ValueError(f"{spec.key}: unknown fields {sorted(unknown)}")
    layout = SheetLayout(name=spec.label.text(lang), lang=lang)
    _title_rows(layout, header_row, title, subtitle)
    h = header_row - 1
    header: list[Value] = [
        _t(lang, "Information", "Item"),
        _t(lang, "Valeur", "Value"),
        _t(lang, "Aide", "Help"),
    ]
    layout.add(Block(h, 0, [header], HEADER_STYLE))
    for i, col in enumerate(spec.columns):
        r = h + 1 + i
        value_style = replace(INPUT_STYLE, number_format=_number_format(spec, col))
        layout.add(Block(r, 0, [[col.label.text(lang)]], LABEL_STYLE))
        layout.add(Block(r, 1, [[_cell(col, values.get(col.field), lang)]], value_style))
        layout.add(Block(r, 2, [[help_text(col.field, lang)]], HELP_STYLE))
        if col.kind == "enum" and col.enum:
            layout.validations.append(
                Validation(Range(r, 1, r, 1), tuple(labels.enum_choices(col.enum, lang)))
            )
    layout.column_widths = {0: 34, 1: 46, 2: 62}
    layout.freeze = (header_row, 0)
    layout.print_setup = _print_setup(header_row, landscape=False)
    return layout


def _guide_sheet(lang: Lang, title: str, paragraphs: Sequence[str | tuple[str]]) -> SheetLayout:
    """``Mode d'emploi``: a title and short paragraphs (a 1-tuple is a heading)."""
    layout = SheetLayout(name=labels.OUTPUT_SHEETS["guide"].text(lang), lang=lang)
    layout.add(Block(0, 0, [[title]], TITLE_STYLE))
    for i, text in enumerate(paragraphs):
        if isinstance(text, tuple):
            layout.add(Block(2 + i, 0, [[text[0]]], GUIDE_HEADING_STYLE, row_height=22))
        else:
            lines = max(1, math.ceil(len(text) / 105))
            layout.add(Block(2 + i, 0, [[text]], GUIDE_TEXT_STYLE, row_height=15.5 * lines))
    layout.column_widths = {0: 110}
    layout.hide_gridlines = True
    layout.print_setup = PrintSetup(landscape=True, footer="&L&A&RPage &P / &N")
    layout.tab_color = "#1F3864"
    return layout


# ---------------------------------------------------------------------------------------------
# Project workbook
# ---------------------------------------------------------------------------------------------


def _planning_formulas(lang: Lang) -> dict[str, str]:
    """Consommé = Σ Charges of the task; Réestimé = Consommé + RAF; Écart = Réestimé − prévu.

    Columns are named by header, qualified by table (``Planning[[#This Row],[ID]]``): the
    form stored in the file, which both Excel and LibreOffice evaluate.
    """
    plan, entries = labels.PLANNING, labels.TIME_ENTRIES
    p, c = table_name(plan, lang), table_name(entries, lang)

    def this(field_name: str) -> str:
        return f"{p}[[#This Row],[{plan.column(field_name).label.text(lang)}]]"

    def entries_col(field_name: str) -> str:
        return f"{c}[{entries.column(field_name).label.text(lang)}]"

    blank = f'{this("id")}=""'
    return {
        "consumed_formula": (
            f'=IF({blank},"",SUMIFS({entries_col("days")},{entries_col("task_id")},{this("id")}))'
        ),
        "eac_formula": f'=IF({blank},"",{this("consumed_formula")}+{this("remaining_days")})',
        "variance_formula": f'=IF({blank},"",{this("eac_formula")}-{this("planned_days")})',
    }


def _risk_formulas(lang: Lang) -> dict[str, str]:
    risks = labels.RISKS
    r = table_name(risks, lang)

    def this(field_name: str) -> str:
        return f"{r}[[#This Row],[{risks.column(field_name).label.text(lang)}]]"

    prob, impact = this("probability"), this("impact")
    return {"criticity_formula": f'=IF(OR({prob}="",{impact}=""),"",{prob}*{impact})'}


def _planning_cache(
    tasks: Sequence[Mapping[str, Any]], entries: Sequence[Mapping[str, Any]]
) -> dict[str, list[float | str | None]]:
    """The formula columns' values as Excel computes them (text numbers are ignored by SUMIFS)."""
    consumed: dict[str, float] = {}
    for entry in entries:
        days = _excel_number(entry.get("days"))
        task = entry.get("task_id")
        if days is not None and task is not None:
            key = str(task).casefold()  # SUMIFS criteria ignore case
            consumed[key] = consumed.get(key, 0.0) + days
    out: dict[str, list[float | str | None]] = {
        "consumed_formula": [],
        "eac_formula": [],
        "variance_formula": [],
    }
    for task in tasks:
        task_id = task.get("id")
        if task_id is None or task_id == "":
            for values in out.values():
                values.append("")
            continue
        used = consumed.get(str(task_id).casefold(), 0.0)
        remaining, planned = task.get("remaining_days"), task.get("planned_days")
        # Blank counts as 0 in Excel arithmetic; text gives #VALUE!, left uncached here.
        rem = 0.0 if remaining is None else _excel_number(remaining)
        plan = 0.0 if planned is None else _excel_number(planned)
        eac = None if rem is None else used + rem
        out["consumed_formula"].append(used)
        out["eac_formula"].append(eac)
        out["variance_formula"].append(None if eac is None or plan is None else eac - plan)
    return out


def _risk_cache(risks: Sequence[Mapping[str, Any]]) -> dict[str, list[float | str | None]]:
    values: list[float | str | None] = []
    for risk in risks:
        prob, impact = risk.get("probability"), risk.get("impact")
        if prob is None or prob == "" or impact is None or impact == "":
            values.append("")
            continue
        p, i = _excel_number(prob), _excel_number(impact)
        values.append(None if p is None or i is None else p * i)
    return {"criticity_formula": values}


def _project_guide(lang: Lang) -> SheetLayout:
    s = {spec.key: spec.label.text(lang) for spec in labels.PROJECT_SHEETS}
    plan = labels.PLANNING

    def col(spec: SheetSpec, field_name: str) -> str:
        return spec.column(field_name).label.text(lang)

    yes = labels.enum_label("yesno", "yes", lang)
    done = labels.enum_label("task_status", "done", lang)
    if lang == "fr":
        title = "Mode d'emploi du classeur projet"
        paragraphs: list[str | tuple[str]] = [
            ("À chaque arrêté (en général une fois par mois)",),
            f"1. Feuille {s['project']} : remplissez les cellules jaunes de la colonne B et mettez "
            f"à jour « {col(labels.PROJECT, 'cutoff')} ».",
            f"2. Feuille {s['planning']} : une ligne par tâche ou jalon, avec un {col(plan, 'id')} "
            f"unique (T1, T2…). « {col(plan, 'predecessors')} » : les ID des tâches qui doivent "
            "être finies avant, séparés par « ; ».",
            f"3. Réestimez le « {col(plan, 'remaining_days')} » de chaque tâche en cours. "
            f"Une tâche « {done} » a un reste à faire de 0 ; un jalon "
            f"(« {col(plan, 'milestone')} » = {yes}) a une charge prévue de 0.",
            f"4. Feuille {s['time_entries']} : une ligne par personne, par tâche et par semaine, "
            "datée du lundi de la semaine, en jours-homme (0,5 = une demi-journée).",
            f"5. Feuille {s['resources']} : chaque personne une seule fois, écrite exactement "
            "comme dans le planning et les charges. Le TJM n'est utile que s'il diffère de celui "
            "du profil tenu par le PMO.",
            f"6. Feuilles {s['costs']}, {s['risks']}, {s['actions']}, {s['decisions']} : "
            "une ligne par élément. Probabilité et impact des risques : de 1 (faible) à 4 (fort).",
            ("Bonnes pratiques",),
            "Saisissez de vraies dates (JJ/MM/AAAA) et de vrais nombres (2,5), jamais du texte ; "
            "choisissez les statuts dans les listes déroulantes.",
            "Les colonnes grises sont des formules (Consommé, Réestimé, Écart, Criticité) : "
            "ne les modifiez pas. pmo_xl recalcule ces valeurs à partir de vos saisies.",
            "Pour ajouter une ligne, tapez juste sous un tableau : il s'agrandit avec ses "
            "formules et ses listes. Ne renommez ni les feuilles ni les en-têtes de colonnes.",
            "Seules les feuilles Projet et Planning sont obligatoires ; une feuille vide "
            "signifie « rien à signaler ».",
        ]
    else:
        title = "How to use the project workbook"
        paragraphs = [
            ("At each cut-off (usually once a month)",),
            f"1. {s['project']} sheet: fill the yellow cells of column B and update "
            f"'{col(labels.PROJECT, 'cutoff')}'.",
            f"2. {s['planning']} sheet: one row per task or milestone, with a unique "
            f"{col(plan, 'id')} (T1, T2…). '{col(plan, 'predecessors')}': the IDs of the tasks "
            "that must finish first, separated by ';'.",
            f"3. Re-estimate the '{col(plan, 'remaining_days')}' of every ongoing task. A "
            f"'{done}' task has 0 remaining; a milestone ('{col(plan, 'milestone')}' = {yes}) has "
            "0 planned effort.",
            f"4. {s['time_entries']} sheet: one row per person, per task and per week, dated on "
            "the Monday of the week, in person-days (0.5 = half a day).",
            f"5. {s['resources']} sheet: each person once, spelled exactly as in the schedule "
            "and the time entries. The daily rate is only needed when it differs from the "
            "PMO's rate for the profile.",
            f"6. {s['costs']}, {s['risks']}, {s['actions']}, {s['decisions']} sheets: one row "
            "per item. Risk probability and impact: from 1 (low) to 4 (high).",
            ("Good practice",),
            "Type real dates and real numbers (2.5), never text; pick statuses from the "
            "dropdown lists.",
            "Grey columns are formulas (actual, estimate at completion, variance, criticity): do "
            "not edit them. pmo_xl recomputes these values from your inputs.",
            "To add a row, type just below a table: it grows with its formulas and lists. Do "
            "not rename sheets or column headers.",
            "Only the Project and Schedule sheets are required; an empty sheet means "
            "'nothing to report'.",
        ]
    return _guide_sheet(lang, title, paragraphs)


def project_template_layouts(
    lang: Lang = "fr",
    project: ProjectData | None = None,
    *,
    column_order: ColumnOrder | None = None,
    header_row: int = 1,
) -> list[SheetLayout]:
    """The project workbook: ``Projet``, the seven table sheets and ``Mode d'emploi``.

    Empty without ``project``; filled with its values otherwise. ``column_order`` (sheet key →
    fields) and ``header_row`` (1-based) lay the tables out differently, as companies do.
    """
    if header_row < 1 or header_row > 20:
        raise ValueError("header_row must be between 1 and 20 (readers search 20 rows)")
    data = project or ProjectData()
    filled = project is not None
    rows = data.rows
    unknown = set(rows) - {s.key for s in labels.PROJECT_SHEETS if s.layout == "table"}
    if unknown:
        raise ValueError(f"unknown sheets in ProjectData.rows: {sorted(unknown)}")
    code, name = data.info.get("code"), data.info.get("name")
    heading = " — ".join(str(x) for x in (code, name) if x)

    def title(spec: SheetSpec) -> str:
        return f"{spec.label.text(lang)} — {heading}" if heading else spec.label.text(lang)

    subtitles: dict[str, tuple[str, str]] = {
        "project": ("Fiche d'identité du projet", "Project identity card"),
        "planning": ("Une ligne par tâche ou jalon", "One row per task or milestone"),
        "time_entries": (
            "Une ligne par personne, par tâche et par semaine (datée du lundi)",
            "One row per person, per task and per week (dated on the Monday)",
        ),
        "resources": ("Une ligne par personne", "One row per person"),
        "costs": ("Coûts hors temps passé", "Costs other than people's time"),
        "risks": ("Probabilité et impact de 1 à 4", "Probability and impact from 1 to 4"),
        "actions": ("Plan d'actions", "Action plan"),
        "decisions": ("Décisions attendues et prises", "Decisions requested and taken"),
    }

    def subtitle(spec: SheetSpec) -> str:
        return _t(lang, *subtitles[spec.key])

    def table_rows(key: str) -> list[dict[str, Any]]:
        return list(rows.get(key, ())) if filled else []

    geometry: dict[str, Any] = {
        "column_order": column_order,
        "header_row": header_row,
        # A filled workbook's tables grow by typing below them: one blank row when empty.
        "blank_rows": 1 if filled else TEMPLATE_BLANK_ROWS,
    }
    owners = _column_source(labels.RESOURCES, "name", lang, column_order, header_row)
    task_ids = _column_source(labels.PLANNING, "id", lang, column_order, header_row)
    tasks, entries, risks = table_rows("planning"), table_rows("time_entries"), table_rows("risks")

    layouts = [
        _key_value_sheet(
            labels.PROJECT,
            data.info,
            lang,
            header_row=header_row,
            title=title(labels.PROJECT),
            subtitle=subtitle(labels.PROJECT),
            help_text=_project_help,
        ),
        _table_sheet(
            labels.PLANNING,
            tasks,
            lang,
            **geometry,
            title=title(labels.PLANNING),
            subtitle=subtitle(labels.PLANNING),
            formulas=_planning_formulas(lang),
            cached=_planning_cache(tasks, entries) if filled else None,
            sources={"owner": owners},
            freeze_through="name",
        ),
        _table_sheet(
            labels.TIME_ENTRIES,
            entries,
            lang,
            **geometry,
            title=title(labels.TIME_ENTRIES),
            subtitle=subtitle(labels.TIME_ENTRIES),
            sources={"resource": owners, "task_id": task_ids},
        ),
    ]
    for spec in (labels.RESOURCES, labels.COSTS, labels.RISKS, labels.ACTIONS, labels.DECISIONS):
        is_risks = spec is labels.RISKS
        layouts.append(
            _table_sheet(
                spec,
                table_rows(spec.key),
                lang,
                **geometry,
                title=title(spec),
                subtitle=subtitle(spec),
                formulas=_risk_formulas(lang) if is_risks else None,
                cached=_risk_cache(risks) if is_risks and filled else None,
                choices={"probability": RISK_SCALE, "impact": RISK_SCALE} if is_risks else None,
            )
        )
    layouts.append(_project_guide(lang))
    tabs = {labels.PROJECT.label.text(lang): "#1F3864", labels.PLANNING.label.text(lang): "#2E75B6"}
    for layout in layouts:
        layout.tab_color = tabs.get(layout.name, layout.tab_color)
    return layouts


# ---------------------------------------------------------------------------------------------
# PMO workbook (inputs)
# ---------------------------------------------------------------------------------------------


def default_settings_values(lang: Lang = "fr") -> dict[str, Any]:
    """The ``Paramètres`` values a new PMO workbook starts with (the model's defaults)."""
    settings, thresholds = Settings(), Thresholds()
    return {
        "portfolio_name": labels.DEFAULT_PORTFOLIO.text(lang),
        "projects_folder": "projets",
        "holiday_country": settings.holiday_country,
        "language": lang,
        "drift_green_max": thresholds.drift_green_max,
        "drift_amber_max": thresholds.drift_amber_max,
        "index_green_min": thresholds.index_green_min,
        "index_amber_min": thresholds.index_amber_min,
        "index_suspicious_above": thresholds.index_suspicious_above,
        "budget_tolerance": settings.budget_tolerance,
        "decision_max_wait_days": settings.decision_max_wait_days,
        "stale_after_days": settings.stale_after_days,
    }


def _pmo_guide(lang: Lang) -> SheetLayout:
    s = {spec.key: spec.label.text(lang) for spec in labels.PMO_SHEETS}
    settings = labels.SETTINGS
    folder = settings.column("projects_folder").label.text(lang)
    cutoff = settings.column("cutoff").label.text(lang)
    mapping = labels.MAPPINGS
    theirs = mapping.column("their_name").label.text(lang)
    ours = mapping.column("our_name").label.text(lang)
    if lang == "fr":
        title = "Mode d'emploi du classeur PMO"
        paragraphs: list[str | tuple[str]] = [
            ("Mise en place",),
            f"1. {s['settings']} : indiquez le « {folder} » (où sont les classeurs projets, "
            f"relatif à ce classeur ou absolu) et la « {cutoff} » de la période.",
            f"2. {s['rates']} : un TJM par profil ; pour un changement de tarif, ajoutez une "
            "ligne avec sa date d'effet (l'ancienne reste valable avant cette date).",
            f"3. {s['expected_projects']} (optionnel) : les projets attendus. Un classeur attendu "
            "mais absent est signalé ; un classeur non listé est consolidé et signalé.",
            f"4. {s['mappings']} (optionnel) : si vos classeurs utilisent d'autres noms de "
            f"feuilles ou de colonnes, écrivez-les dans « {theirs} » et le nom pmo_xl "
            f"correspondant dans « {ours} » : inutile de renommer vos classeurs.",
            f"5. {s['rules']} (optionnel) : désactivez un contrôle ou changez sa sévérité "
            "(Erreur, Avertissement, Info) avec son code, tel qu'il apparaît dans Contrôles.",
            ("À chaque arrêté",),
            "Collectez les classeurs projets dans le dossier, mettez à jour la date d'arrêté, "
            "puis lancez la consolidation. Les feuilles de résultats sont réécrites à chaque "
            "fois ; les feuilles de paramètres ci-dessus ne sont jamais modifiées.",
        ]
    else:
        title = "How to use the PMO workbook"
        paragraphs = [
            ("Setting up",),
            f"1. {s['settings']}: set the '{folder}' (where the project workbooks are, "
            f"relative to this workbook or absolute) and the period's '{cutoff}'.",
            f"2. {s['rates']}: one daily rate per profile; for a rate change, add a row with the "
            "date it applies from (the old rate still applies before that date).",
            f"3. {s['expected_projects']} (optional): the projects you expect. An expected "
            "workbook that is absent is reported; an unlisted one is consolidated and flagged.",
            f"4. {s['mappings']} (optional): when your workbooks use other sheet or column "
            f"names, write them under '{theirs}' and the pmo_xl name under '{ours}': no need to "
            "rename your workbooks.",
            f"5. {s['rules']} (optional): turn a check off or change its severity (Error, "
            "Warning, Info) by its code, as shown in Findings.",
            ("At each cut-off",),
            "Collect the project workbooks in the folder, update the cut-off date, then run "
            "the consolidation. Output sheets are rewritten each time; the input sheets above "
            "are never changed.",
        ]
    return _guide_sheet(lang, title, paragraphs)


def pmo_template_layouts(
    lang: Lang = "fr", settings_data: SettingsData | None = None
) -> list[SheetLayout]:
    """The PMO workbook's inputs: ``Paramètres``, ``TJM``, ``Projets``, ``Correspondances``,
    ``Règles`` and ``Mode d'emploi``; filled from ``settings_data`` when given."""
    filled = settings_data is not None
    data = settings_data or SettingsData(default_settings_values(lang))
    unknown = set(data.rows) - {s.key for s in labels.PMO_SHEETS if s.layout == "table"}
    if unknown:
        raise ValueError(f"unknown sheets in SettingsData.rows: {sorted(unknown)}")
    subtitles: dict[str, tuple[str, str]] = {
        "settings": ("Réglages du portefeuille", "Portfolio settings"),
        "rates": (
            "TJM par profil, datés (le plus récent applicable s'applique)",
            "Daily rate per profile, dated (the latest applicable one applies)",
        ),
        "expected_projects": ("Projets attendus à chaque arrêté", "Projects expected each period"),
        "mappings": (
            "Vos noms de feuilles et de colonnes → noms pmo_xl",
            "Your sheet and column names → pmo_xl names",
        ),
        "rules": ("Contrôles désactivés ou re-classés", "Checks turned off or re-ranked"),
    }
    header_row = 3
    layouts = [
        _key_value_sheet(
            labels.SETTINGS,
            data.values,
            lang,
            header_row=header_row,
            title=labels.SETTINGS.label.text(lang),
            subtitle=_t(lang, *subtitles["settings"]),
            help_text=_settings_help,
        )
    ]
    sheet_choices = [s.label.text(lang) for s in labels.PROJECT_SHEETS]
    severity_choices = [label.text(lang) for label in labels.SEVERITIES.values()]
    extra: dict[str, dict[str, Sequence[str]]] = {
        "mappings": {"sheet": sheet_choices},
        "rules": {"severity": severity_choices},
    }
    for spec in (labels.RATES, labels.EXPECTED_PROJECTS, labels.MAPPINGS, labels.RULES):
        rows = list(data.rows.get(spec.key, ())) if filled else []
        layouts.append(
            _table_sheet(
                spec,
                rows,
                lang,
                column_order=None,
                header_row=header_row,
                title=spec.label.text(lang),
                subtitle=_t(lang, *subtitles[spec.key]),
                blank_rows=10,
                choices=extra.get(spec.key),
            )
        )
    layouts.append(_pmo_guide(lang))
    layouts[0].tab_color = "#1F3864"
    return layouts


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def write_workbook(layouts: Sequence[SheetLayout], path: Path, title: str = "") -> Path:
    """Write layouts to ``path`` (same input, same bytes)."""
    from pmo_xl.xlsx_writer import DocumentProperties, render_xlsx

    path.parent.mkdir(parents=True, exist_ok=True)
    render_xlsx(layouts, path, properties=DocumentProperties(title=title))
    return path


def write_templates(out_dir: Path, lang: Lang = "fr") -> list[Path]:
    """Write ``projet_modele.xlsx`` and ``pmo.xlsx`` into ``out_dir`` (reproducible bytes)."""
    out_dir = Path(out_dir)
    return [
        write_workbook(
            project_template_layouts(lang),
            out_dir / PROJECT_TEMPLATE_FILE,
            _t(lang, "Modèle de classeur projet", "Project workbook template"),
        ),
        write_workbook(
            pmo_template_layouts(lang),
            out_dir / PMO_TEMPLATE_FILE,
            _t(lang, "Classeur PMO", "PMO workbook"),
        ),
    ]


__all__ = [
    "PMO_TEMPLATE_FILE",
    "PROJECT_TEMPLATE_FILE",
    "ProjectData",
    "SettingsData",
    "default_settings_values",
    "info_cell",
    "pmo_template_layouts",
    "project_template_layouts",
    "sheet_columns",
    "table_cell",
    "table_name",
    "write_templates",
    "write_workbook",
]
