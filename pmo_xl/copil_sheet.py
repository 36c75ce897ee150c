"""The ``COPIL`` sheet: a :class:`~pmo_xl.copil.CopilReport` as one A4-landscape sheet layout.

One renderer for every place the report goes: the consolidation workbook, the PMO workbook (the
Excel button, through the xlwings writer) and the direction's standalone workbook. The sheet holds
values only; its three native charts read a small data area right of the print area. Sections
share one grid of columns (sized for the project table) and never straddle a page break.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pmo_xl.copil import (
    ACTION_HORIZON_DAYS,
    FILE_STATES,
    MILESTONE_STATES,
    SECTION_TITLES,
    WEATHER_SYMBOL,
    WEATHER_TEXT,
    ChartData,
    CopilReport,
    fmt_date,
    fmt_number,
    fmt_pct,
    plural,
)
from pmo_xl.history import TREND_ARROWS
from pmo_xl.labels import OUTPUT_SHEETS, Label, Lang
from pmo_xl.layout import (
    Block,
    CellStyle,
    Chart,
    ConditionalFormat,
    NumberFormat,
    PrintSetup,
    Range,
    Series,
    SheetLayout,
    Value,
)
from pmo_xl.model import Thresholds
from pmo_xl.sheets import NAVY, WEATHER_FILLS, WEATHER_FONTS

L = Label

# The grid every section shares (Excel character widths), sized for the project table:
# code, name, lead, weather, trend, progress, budget/EAC/drift (days), budget/EAC (€), SPI, CPI,
# next milestone, its date and slip. Other sections span several of these columns.
COLUMN_WIDTHS: tuple[float, ...] = (9, 24, 14, 10, 6, 9, 9, 9, 8, 11, 11, 6, 6, 22, 10, 9)
N_COLS = len(COLUMN_WIDTHS)
DATA_COL = N_COLS + 1  # the chart data area starts one empty column right of the print area
DATA_WIDTHS: tuple[float, ...] = (26, 12, 12, 12)
MARGIN_CM = 1.0
PAGE_FILL = 0.96  # share of the computed page height a section may fill (renderers differ)

SECTION_FILL = "#D9E1F2"  # the palette's navy, softened: section title bands
LINE_COLOR = "#BFBFBF"
NOTE_COLOR = "#595959"
FONT_SIZE = 10.0

_TITLE = CellStyle(bold=True, size=15, font_color="#FFFFFF", fill=NAVY, valign="center", indent=1)
_LABEL = CellStyle(size=9, font_color=NOTE_COLOR, fill=SECTION_FILL, align="right", valign="center")
_INFO = CellStyle(bold=True, size=10, fill=SECTION_FILL, valign="center", align="left")
_SECTION = CellStyle(bold=True, size=12, font_color=NAVY, valign="center")
_SECTION_NOTE = CellStyle(italic=True, size=9, font_color=NOTE_COLOR, valign="center")
_HEAD = CellStyle(
    bold=True,
    size=9,
    font_color="#FFFFFF",
    fill=NAVY,
    wrap=True,
    align="center",
    valign="center",
    border=True,
    border_color="#FFFFFF",
)
_NOTE = CellStyle(italic=True, size=8.5, font_color=NOTE_COLOR, valign="top", wrap=True)
_SENTENCE = CellStyle(size=10.5, wrap=True, valign="center", indent=1)
_DATA_NOTE = CellStyle(italic=True, size=8, font_color=NOTE_COLOR)
_DATA = CellStyle(size=8, font_color=NOTE_COLOR)


def _cell(kind: NumberFormat = "general", **extra: Any) -> CellStyle:
    """A body cell: 10 pt, thin grey border, vertically centred."""
    base: dict[str, Any] = {
        "size": FONT_SIZE,
        "border": True,
        "border_color": LINE_COLOR,
        "valign": "center",
        "number_format": kind,
    }
    if kind not in ("general", "text", "date", "datetime"):
        base["align"] = "right"
    elif kind in ("general", "text"):
        base["indent"] = 1  # text never touches a number right-aligned in the cell before it
    base.update(extra)
    return CellStyle(**base)


_TEXT = _cell(wrap=True)


def _weather_label(weather: str, lang: Lang) -> str:
    """``● Orage``: the symbol takes its colour from the conditional format of the cell."""
    return f"{WEATHER_SYMBOL} {WEATHER_TEXT[weather].text(lang)}"


@dataclass
class _Span:
    first: int
    last: int
    value: Value
    style: CellStyle


@dataclass
class _Sheet:
    """Writes rows top to bottom, remembering row heights and where each section lies.

    A row joins the block above when its cells outside merges have the block's column styles:
    a table is one range write in a live workbook. Heights are the layout's, row by row.
    """

    layout: SheetLayout
    row: int = 0
    sections: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def heights(self) -> dict[int, float]:
        return self.layout.row_heights

    def line(self, spans: Sequence[_Span], height: float | None = None) -> int:
        """One row of spans (merged when wider than a column); height fits the wrapped text."""
        r = self.row
        values: list[Value] = [None] * N_COLS
        styles = [CellStyle()] * N_COLS
        for s in spans:
            values[s.first] = s.value
            for c in range(s.first, s.last + 1):
                styles[c] = s.style
            if s.last > s.first:
                self.layout.merges.append((Range(r, s.first, r, s.last), s.value, s.style))
        needed = max((_text_height(s) for s in spans), default=15.0)
        merged = {c for s in spans if s.last > s.first for c in range(s.first, s.last + 1)}
        blocks = self.layout.blocks
        above = blocks[-1] if blocks else None
        if (
            above is not None
            and above.column_styles is not None
            and (above.row + above.n_rows, above.col) == (r, 0)
            # A merged span's own style covers its cells, whatever the block's columns say.
            and all(
                c in merged
                or above.column_styles[c] is styles[c]
                or above.column_styles[c] == styles[c]
                for c in range(N_COLS)
            )
        ):
            above.values.append(values)
        else:
            self.layout.add(Block(r, 0, [values], column_styles=styles))
        self.heights[r] = max(height or 0.0, needed)
        self.row += 1
        return r

    def gap(self, height: float = 9.0) -> None:
        """An empty row of ``height`` points: nothing written, only its height."""
        self.heights[self.row] = height
        self.row += 1

    def begin(self, key: str) -> int:
        self.sections.append((key, self.row, self.row))
        return self.row

    def end(self) -> None:
        key, first, _ = self.sections[-1]
        self.sections[-1] = (key, first, self.row - 1)


@functools.cache
def _span_px(first: int, last: int) -> float:
    return sum(COLUMN_WIDTHS[c] * 7 + 5 for c in range(first, last + 1))


def _wrapped_lines(text: str, width_px: float, size: float, bold: bool = False) -> int:
    """How many lines ``text`` takes in a cell ``width_px`` wide (greedy word wrap, Calibri)."""
    # Calibri (and Carlito, its metric twin) averages 5.0 px a character at 10 pt in French
    # text (measured on rendered reports); a little more leaves room for wide words.
    char_px = 5.3 * size / 10 * (1.06 if bold else 1.0)
    per_line = max(4, int((width_px - 8) / char_px))
    if len(text) <= per_line and "\n" not in text:
        return 1  # most cells: a name, a milestone
    lines = 0
    for paragraph in text.split("\n"):
        used, count = 0, 1
        for word in paragraph.split(" "):
            n = len(word)
            if used and used + 1 + n > per_line:
                count += 1
                used = n
            else:
                used += n + (1 if used else 0)
            while used > per_line:  # a word longer than the line is cut
                count += 1
                used -= per_line
        lines += count
    return lines


def _text_height(span: _Span) -> float:
    style = span.style
    size = style.size or 11.0
    if not (style.wrap and isinstance(span.value, str)):
        return round(size * 1.35, 1)
    width = _span_px(span.first, span.last) - 12 * style.indent
    lines = _wrapped_lines(span.value, width, size, style.bold)
    return round(lines * size * 1.2 + 2, 1)


def render(report: CopilReport, lang: Lang | None = None) -> SheetLayout:
    """The ``COPIL`` sheet: A4 landscape, one page wide, no section cut by a page break."""
    lang = lang or report.lang
    layout = SheetLayout(
        name=OUTPUT_SHEETS["copil"].text(lang), lang=lang, tab_color=NAVY, hide_gridlines=True
    )
    layout.column_widths = dict(enumerate(COLUMN_WIDTHS))
    for i, width in enumerate(DATA_WIDTHS):
        layout.column_widths[DATA_COL + i] = width
    sheet = _Sheet(layout)
    _header(sheet, report, lang)
    for key, render in _RENDERERS:
        sheet.gap(8)
        sheet.begin(key)
        render(sheet, report, lang)
        sheet.end()
    last_row = sheet.row - 1
    cutoff = fmt_date(report.header.cutoff, lang)
    name = report.header.portfolio_name.replace("&", "&&")
    page = "Page &P / &N"
    layout.print_setup = PrintSetup(
        landscape=True,
        fit_width=1,
        fit_height=0,
        repeat_rows=(0, 1),
        print_area=Range(0, 0, last_row, N_COLS - 1),
        margins_cm=MARGIN_CM,
        footer=f"&L&8{name} — COPIL {cutoff}&R&8{page}",
        row_breaks=_page_breaks(sheet),
    )
    return layout


def _header(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    h = report.header
    sheet.begin("header")
    title = f"COPIL — {h.portfolio_name}"
    sheet.line([_Span(0, N_COLS - 1, title, _TITLE)], height=30)
    period = (
        f"{fmt_date(h.previous_cutoff, lang)} → {fmt_date(h.cutoff, lang)}"
        if h.previous_cutoff
        else (L("premier COPIL", "first COPIL").text(lang))
    )
    sheet.line(
        [
            _Span(0, 0, L("Arrêté au", "Cut-off").text(lang), _LABEL),
            _Span(1, 1, h.cutoff, replace(_INFO, number_format="date")),
            _Span(2, 2, L("Période", "Period").text(lang), _LABEL),
            _Span(3, 5, period, _INFO),
            _Span(6, 7, L("Préparé par", "Prepared by").text(lang), _LABEL),
            _Span(8, 10, h.prepared_by or "—", _INFO),
            _Span(11, 13, L("Généré le", "Generated on").text(lang), _LABEL),
            _Span(
                14,
                15,
                h.generated_on,
                replace(_INFO, number_format="datetime"),
            ),
        ],
        height=20,
    )
    sheet.end()


def _section_title(sheet: _Sheet, key: str, lang: Lang, note: str | None = None) -> None:
    spans = [_Span(0, 4, SECTION_TITLES[key].text(lang), _SECTION)]
    if note:
        spans = [_Span(0, 2, SECTION_TITLES[key].text(lang), _SECTION)]
        spans.append(_Span(3, N_COLS - 1, note, _SECTION_NOTE))
    sheet.line(spans, height=19)


def _head(sheet: _Sheet, spans: Sequence[tuple[int, int, str]], height: float = 26) -> int:
    return sheet.line([_Span(a, b, text, _HEAD) for a, b, text in spans], height=height)


def _note_line(sheet: _Sheet, text: str) -> None:
    sheet.line([_Span(0, N_COLS - 1, text, _NOTE)], height=14)


# --- synthesis ---------------------------------------------------------------------------------


def _synthesis(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    s = report.synthesis
    t = s.totals
    _section_title(sheet, "synthesis", lang)
    first = _head(
        sheet,
        [
            (0, 1, ""),
            (2, 2, L("Budget", "Budget").text(lang)),
            (3, 4, L("Consommé", "Consumed").text(lang)),
            (5, 6, L("Reste à faire", "Remaining").text(lang)),
            (7, 8, L("Réestimé", "EAC").text(lang)),
            (9, 9, L("Dérive", "Drift").text(lang)),
            (10, 10, L("Dérive (%)", "Drift (%)").text(lang)),
            (12, 13, L("Météo des projets", "Project weather").text(lang)),
            (14, 14, L("Projets", "Projects").text(lang)),
        ],
        height=20,
    )
    label = _cell(bold=True, fill=SECTION_FILL)
    rows = [
        (
            L("Charge (jours)", "Effort (days)").text(lang),
            "days",
            (t.budget_days, t.consumed_days, t.remaining_days, t.eac_days, t.drift_days),
            t.drift_pct,
        ),
        (
            L("Coût (€)", "Cost (€)").text(lang),
            "eur",
            (t.budget_eur, t.cost_to_date_eur, t.remaining_eur, t.eac_eur, t.drift_eur),
            t.drift_eur_pct,
        ),
    ]
    weather_rows = ["red", "amber", "green"]
    for i in range(3):
        spans: list[_Span] = []
        if i < len(rows):
            text, kind, values, pct = rows[i]
            k: NumberFormat = "days" if kind == "days" else "eur"
            spans += [
                _Span(0, 1, text, label),
                _Span(2, 2, values[0], _cell(k)),
                _Span(3, 4, values[1], _cell(k)),
                _Span(5, 6, values[2], _cell(k)),
                _Span(7, 8, values[3], _cell(k, bold=True)),
                _Span(9, 9, values[4], _cell(k)),
                _Span(10, 10, pct, _cell("pct", bold=True)),
            ]
        elif t.spi is not None or t.cpi is not None:
            # Each index beside its own name: under the Budget and Consommé headers they read
            # as a budget and a consumption.
            name = _cell(bold=True, align="right")
            spans += [
                _Span(0, 1, L("Indices", "Indices").text(lang), label),
                _Span(2, 2, "SPI", name),
                _Span(3, 4, t.spi, _cell("ratio")),
                _Span(5, 6, "CPI", name),
                _Span(7, 8, t.cpi, _cell("ratio")),
            ]
        weather = weather_rows[i]
        spans += [
            _Span(12, 13, _weather_label(weather, lang), _cell(bold=True)),
            _Span(14, 14, s.weather_counts.get(weather, 0), _cell("int", bold=True)),
        ]
        sheet.line(spans, height=15)
    last = sheet.row - 1
    _weather_formats(sheet.layout, Range(first + 1, 12, last, 12), lang)
    _drift_formats(sheet.layout, Range(first + 1, 10, first + 2, 10), report.thresholds)
    for col in (3, 7):  # SPI, CPI
        _index_formats(sheet.layout, Range(first + 3, col, first + 3, col), report.thresholds)
    sheet.gap(6)
    for sentence in s.sentences:
        sheet.line([_Span(0, N_COLS - 1, f"•  {sentence}", _SENTENCE)], height=15)


# --- projects ----------------------------------------------------------------------------------


def _projects(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    fr = lang == "fr"
    n_ex = sum(p.detailed for p in report.projects)
    note = (
        f"{len(report.projects)} projets, les plus exposés d'abord ; "
        f"{n_ex} {plural(n_ex, 'exception détaillée', 'exceptions détaillées')}"
        if fr
        else f"{len(report.projects)} projects, most exposed first; "
        f"{n_ex} {plural(n_ex, 'exception', 'exceptions')} detailed"
    )
    _section_title(sheet, "projects", lang, note)
    _head(
        sheet,
        [
            (0, 5, ""),
            (6, 8, L("Charge (jours)", "Effort (days)").text(lang)),
            (9, 10, L("Coût (€)", "Cost (€)").text(lang)),
            (11, 12, L("Indices", "Indices").text(lang)),
            (13, 15, L("Prochain jalon", "Next milestone").text(lang)),
        ],
        height=16,
    )
    first = _head(
        sheet,
        [
            (0, 0, L("Code", "Code").text(lang)),
            (1, 1, L("Projet", "Project").text(lang)),
            (2, 2, L("Chef de projet", "Project lead").text(lang)),
            (3, 3, L("Météo", "Weather").text(lang)),
            (4, 4, L("Tend.", "Trend").text(lang)),
            (5, 5, L("Avancement", "Progress").text(lang)),
            (6, 6, L("Budget", "Budget").text(lang)),
            (7, 7, L("Réestimé", "EAC").text(lang)),
            (8, 8, L("Dérive", "Drift").text(lang)),
            (9, 9, L("Budget", "Budget").text(lang)),
            (10, 10, L("Réestimé", "EAC").text(lang)),
            (11, 11, "SPI"),
            (12, 12, "CPI"),
            (13, 13, L("Jalon", "Milestone").text(lang)),
            (14, 14, L("Prévu le", "Forecast").text(lang)),
            (15, 15, L("Glissement (j ouvrés)", "Slip (work. days)").text(lang)),
        ],
        height=28,
    )
    # One style object per column for the whole table (1,000 projects: 11,000 made, and
    # compared field by field to the block's, when made per row).
    code_style, bold, trend = (
        _cell(bold=True),
        _cell(bold=True),
        _cell(align="center", size=12, indent=0),
    )
    pct, days, bold_days = _cell("pct"), _cell("days"), _cell("days", bold=True)
    bold_pct, eur, bold_eur, ratio = (
        _cell("pct", bold=True),
        _cell("eur"),
        _cell("eur", bold=True),
        _cell("ratio"),
    )
    date, whole = _cell("date", align="center"), _cell("int")
    weathers = {w: _weather_label(w, lang) for w in WEATHER_FONTS}
    reason_styles: dict[str, CellStyle] = {}
    for p in report.projects:
        sheet.line(
            [
                _Span(0, 0, p.code, code_style),
                _Span(1, 1, p.name, _TEXT),
                _Span(2, 2, p.lead, _TEXT),
                _Span(3, 3, weathers.get(p.weather) or _weather_label(p.weather, lang), bold),
                _Span(4, 4, TREND_ARROWS.get(p.trend, "—"), trend),
                _Span(5, 5, p.progress_pct, pct),
                _Span(6, 6, p.budget_days, days),
                _Span(7, 7, p.eac_days, bold_days),
                _Span(8, 8, p.drift_pct, bold_pct),
                _Span(9, 9, p.budget_eur, eur),
                _Span(10, 10, p.eac_eur, bold_eur),
                _Span(11, 11, p.spi, ratio),
                _Span(12, 12, p.cpi, ratio),
                _Span(13, 13, p.next_milestone, _TEXT),
                _Span(14, 14, p.next_milestone_date, date),
                _Span(15, 15, p.next_milestone_slip, whole),
            ],
            height=15,
        )
        if p.detailed:
            extra = []
            if p.incomplete_data:
                extra.append(
                    L(
                        "chiffres partiels : lignes en erreur écartées",
                        "partial figures: rows in error left out",
                    ).text(lang)
                )
            if p.stale:
                extra.append(L("classeur non mis à jour", "workbook not updated").text(lang))
            text = "↳ " + " · ".join([*p.reasons, *extra])
            style = reason_styles.get(p.weather) or reason_styles.setdefault(
                p.weather,
                CellStyle(
                    italic=True,
                    size=9,
                    font_color=WEATHER_FONTS[p.weather],
                    wrap=True,
                    valign="top",
                    border=True,
                    border_color=LINE_COLOR,
                ),
            )
            # The blank code cell shows only its border: styled as the project's, the exception
            # line stays in the projects' block (one range write for the whole table).
            sheet.line(
                [_Span(0, 0, None, code_style), _Span(1, N_COLS - 1, text, style)], height=14
            )
    last = sheet.row - 1
    t = report.synthesis.totals
    total_style = _cell(bold=True, fill=SECTION_FILL)
    sheet.line(
        [
            _Span(0, 4, L("Portefeuille", "Portfolio").text(lang), total_style),
            _Span(
                5,
                5,
                (t.consumed_days / t.eac_days) if t.eac_days else None,
                _cell("pct", bold=True, fill=SECTION_FILL),
            ),
            _Span(6, 6, t.budget_days, _cell("days", bold=True, fill=SECTION_FILL)),
            _Span(7, 7, t.eac_days, _cell("days", bold=True, fill=SECTION_FILL)),
            _Span(8, 8, t.drift_pct, _cell("pct", bold=True, fill=SECTION_FILL)),
            _Span(9, 9, t.budget_eur, _cell("eur", bold=True, fill=SECTION_FILL)),
            _Span(10, 10, t.eac_eur, _cell("eur", bold=True, fill=SECTION_FILL)),
            _Span(11, 11, t.spi, _cell("ratio", bold=True, fill=SECTION_FILL)),
            _Span(12, 12, t.cpi, _cell("ratio", bold=True, fill=SECTION_FILL)),
            _Span(13, 15, None, total_style),
        ],
        height=15,
    )
    total = sheet.row - 1
    layout = sheet.layout
    _weather_formats(layout, Range(first + 1, 3, last, 3), lang)
    _trend_formats(layout, Range(first + 1, 4, last, 4))
    _drift_formats(layout, Range(first + 1, 8, total, 8), report.thresholds)
    _index_formats(layout, Range(first + 1, 11, total, 12), report.thresholds)
    _positive_formats(layout, Range(first + 1, 15, last, 15))
    previous = report.header.previous_cutoff
    t_ = report.thresholds
    legend = (
        f"Tendance : ↑ mieux, → stable, ↓ moins bien qu'au COPIL du {fmt_date(previous, lang)}. "
        if previous and fr
        else "Tendance : — sans COPIL précédent. "
        if fr
        else f"Trend: ↑ better, → same, ↓ worse than at the {fmt_date(previous, lang)} COPIL. "
        if previous
        else "Trend: — with no previous COPIL. "
    )
    green, amber = (fmt_pct(x, lang, decimals=0) for x in (t_.drift_green_max, t_.drift_amber_max))
    index = fmt_number(t_.index_green_min, lang, 2)
    legend += (
        f"Dérive = (réestimé − budget) / budget : soleil ≤ {green}, orage > {amber}. "
        f"SPI (planning) et CPI (coût) : 1 = conforme au plan, sous {index} = en retard ou en "
        "surcoût."
        if fr
        else f"Drift = (EAC − budget) / budget: sunny ≤ {green}, stormy > {amber}. "
        f"SPI (schedule) and CPI (cost): 1 = as planned, below {index} = late or over cost."
    )
    _note_line(sheet, legend)


# --- milestones --------------------------------------------------------------------------------


def _milestones_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    m = report.milestones
    fr = lang == "fr"
    n_late = sum(r.state == "late" for r in m.rows)
    note = (
        f"{n_late} en retard, puis ceux des 6 prochaines semaines et ceux atteints sur la période"
        if fr
        else f"{n_late} late, then those of the next 6 weeks and those achieved in the period"
    )
    _section_title(sheet, "milestones", lang, note)
    if not m.rows:
        _note_line(sheet, L("Aucun jalon à signaler.", "No milestone to report.").text(lang))
        return
    first = _head(
        sheet,
        [
            (0, 0, L("Projet", "Project").text(lang)),
            (1, 2, L("Jalon", "Milestone").text(lang)),
            (3, 3, L("Référence", "Baseline").text(lang)),
            (4, 5, L("Prévu", "Forecast").text(lang)),
            (6, 7, L("Atteint le", "Achieved on").text(lang)),
            (8, 8, L("Glissement (j ouvrés)", "Slip (work. days)").text(lang)),
            (9, 10, L("État", "State").text(lang)),
            (11, 15, L("Chef de projet", "Project lead").text(lang)),
        ],
    )
    final = L("jalon final", "final milestone").text(lang)
    for r in m.rows:
        state = MILESTONE_STATES[r.state].text(lang)
        if r.is_final:
            state = f"{state} · {final}"
        sheet.line(
            [
                _Span(0, 0, r.project, _cell(bold=True)),
                _Span(1, 2, r.name, _TEXT),
                _Span(3, 3, r.baseline, _cell("date", align="center")),
                _Span(4, 5, r.forecast, _cell("date", align="center")),
                _Span(6, 7, r.actual, _cell("date", align="center")),
                _Span(8, 8, r.slip_days, _cell("int")),
                _Span(9, 10, state, _cell()),
                _Span(11, 15, r.lead, _TEXT),
            ],
            height=14,
        )
    last = sheet.row - 1
    _positive_formats(sheet.layout, Range(first + 1, 8, last, 8))
    sheet.layout.conditional_formats.append(
        ConditionalFormat(
            Range(first + 1, 9, last, 9),
            "text_contains",
            MILESTONE_STATES["late"].text(lang),
            _weather_style("red"),
        )
    )
    if m.not_shown:
        _note_line(
            sheet,
            (
                f"+ {m.not_shown} autres jalons, plus lointains : voir les plannings des projets."
                if fr
                else f"+ {m.not_shown} more milestones, further away: see the projects' schedules."
            ),
        )


# --- charts ------------------------------------------------------------------------------------

CHART_HEIGHT_PX = 215
CHART_COLORS: dict[str, tuple[str, str]] = {
    "budget": ("#8EA9DB", NAVY),
    "effort": (NAVY, "#8EA9DB"),
    "load": ("#C00000", "#A6A6A6"),
}


def _chart_slots() -> list[tuple[int, int]]:
    """Three (anchor column, width in px) side by side across the print width."""
    starts = [0.0]
    for w in COLUMN_WIDTHS:
        starts.append(starts[-1] + w * 7 + 5)
    total = starts[-1]
    anchors = [0]
    for k in (1, 2):
        target = total * k / 3
        anchors.append(min(range(N_COLS), key=lambda c: abs(starts[c] - target)))
    ends = [starts[a] for a in anchors[1:]] + [total]
    return [(a, int(ends[i] - starts[a] - 10)) for i, a in enumerate(anchors)]


def _shown_note(report: CopilReport, lang: Lang) -> str | None:
    """What the capped charts leave out, said above them: never silently lost."""
    parts = []
    for chart in report.charts:
        if not chart.total:
            continue
        n, total = len(chart.categories), chart.total
        if chart.key == "budget":
            parts.append(
                f"budget : les {n} plus fortes dérives sur {total} projets"
                if lang == "fr"
                else f"budget: the {n} largest drifts of {total} projects"
            )
        elif chart.key == "load":
            parts.append(
                f"surcharges : les {n} personnes les plus surchargées sur {total}"
                if lang == "fr"
                else f"over-allocation: the {n} most over-allocated of {total} people"
            )
    if not parts:
        return None
    text = " · ".join(parts)
    return text[0].upper() + text[1:]


def _charts_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    _section_title(sheet, "charts", lang, _shown_note(report, lang))
    if not any(chart.categories for chart in report.charts):
        _note_line(sheet, L("Pas encore de charge à montrer.", "No effort to show yet.").text(lang))
        return
    top = sheet.row
    row_height = 15.0
    n_rows = math.ceil(CHART_HEIGHT_PX * 0.75 / row_height)
    for _ in range(n_rows):
        sheet.line([], height=row_height)
    layout = sheet.layout
    data_row = top
    layout.add(
        Block(
            data_row,
            DATA_COL,
            [
                [
                    L(
                        "Données des graphiques (hors zone d'impression)",
                        "Chart data (not printed)",
                    ).text(lang)
                ]
            ],
            _DATA_NOTE,
        )
    )
    data_row += 2
    for (anchor, width), chart in zip(_chart_slots(), report.charts, strict=False):
        if not chart.categories:
            layout.merges.append(
                (
                    Range(top + 1, anchor, top + 2, anchor + 2),
                    f"{chart.title} : —" if lang == "fr" else f"{chart.title}: —",
                    _NOTE,
                )
            )
            continue
        data_row = _chart(layout, chart, anchor, width, top, data_row)


def _chart(
    layout: SheetLayout, chart: ChartData, anchor: int, width: int, top: int, data_row: int
) -> int:
    """Write the chart's data (title, header of series names, one row per category) and the
    chart over it; returns the next free data row."""
    layout.add(Block(data_row, DATA_COL, [[chart.title]], _DATA_NOTE))
    header = data_row + 1
    layout.add(Block(header, DATA_COL, [["", *(name for name, _ in chart.series)]], _DATA))
    rows: list[list[Value]] = [
        [category, *(float(values[i]) for _, values in chart.series)]
        for i, category in enumerate(chart.categories)
    ]
    if chart.kind == "bar":
        rows.reverse()  # a bar chart draws its first category at the bottom: worst on top
    kinds: list[CellStyle] = [_DATA] + [
        CellStyle(size=8, font_color=NOTE_COLOR, number_format="days")
    ] * len(chart.series)
    layout.add(Block(header + 1, DATA_COL, rows, column_styles=kinds))
    first, last = header + 1, header + len(rows)
    colors = CHART_COLORS.get(chart.key, (NAVY, "#8EA9DB"))
    layout.charts.append(
        Chart(
            kind=chart.kind,
            title=chart.title,
            categories=Range(first, DATA_COL, last, DATA_COL),
            series=tuple(
                Series(name, Range(first, DATA_COL + 1 + i, last, DATA_COL + 1 + i), colors[i % 2])
                for i, (name, _) in enumerate(chart.series)
            ),
            anchor=(top, anchor),
            width_px=width,
            height_px=CHART_HEIGHT_PX,
            number_format="int",
        )
    )
    return last + 2


# --- risks, decisions, actions -----------------------------------------------------------------


def _risks_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    r = report.risks
    fr = lang == "fr"
    note = (
        f"les {len(r.rows)} plus critiques des {r.open_count} risques ouverts "
        f"(criticité = probabilité × impact, de 1 à 16)"
        if fr
        else f"the {len(r.rows)} most critical of {r.open_count} open risks "
        f"(criticity = probability × impact, 1 to 16)"
    )
    _section_title(sheet, "risks", lang, note if r.rows else None)
    if not r.rows:
        _note_line(sheet, L("Aucun risque ouvert.", "No open risk.").text(lang))
        return
    first = _head(
        sheet,
        [
            (0, 0, L("Projet", "Project").text(lang)),
            (1, 3, L("Risque", "Risk").text(lang)),
            (4, 5, L("Criticité", "Criticity").text(lang)),
            (6, 7, L("Responsable", "Owner").text(lang)),
            (8, 13, L("Mitigation", "Mitigation").text(lang)),
            (14, 15, L("Échéance", "Due").text(lang)),
        ],
        height=18,
    )
    for risk in r.rows:
        sheet.line(
            [
                _Span(0, 0, risk.project, _cell(bold=True)),
                _Span(1, 3, risk.title, _TEXT),
                _Span(4, 5, risk.criticity, _cell("int", align="center", bold=True)),
                _Span(6, 7, risk.owner, _TEXT),
                _Span(8, 13, risk.mitigation, _TEXT),
                _Span(14, 15, risk.due, _cell("date", align="center")),
            ],
            height=14,
        )
    rng = Range(first + 1, 4, sheet.row - 1, 4)
    sheet.layout.conditional_formats += [
        ConditionalFormat(rng, "greater", 8.5, _weather_style("red")),
        ConditionalFormat(rng, "between", 4, _weather_style("amber"), value2=8.5),
    ]


def _decisions_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    fr = lang == "fr"
    n = report.decisions_total
    note = (
        f"{n} {plural(n, 'décision', 'décisions')}, la plus ancienne d'abord"
        if fr
        else f"{n} {plural(n, 'decision', 'decisions')}, oldest first"
    )
    _section_title(sheet, "decisions", lang, note if n else None)
    if not report.decisions:
        _note_line(sheet, L("Aucune décision en attente.", "No decision awaiting.").text(lang))
        return
    first = _head(
        sheet,
        [
            (0, 0, L("Projet", "Project").text(lang)),
            (1, 2, L("Décision demandée", "Decision requested").text(lang)),
            (3, 3, L("Depuis le", "Since").text(lang)),
            (4, 5, L("En attente (jours)", "Waiting (days)").text(lang)),
            (6, 7, L("Demandée par", "Requested by").text(lang)),
            (8, 8, L("Impact (j)", "Impact (days)").text(lang)),
            (9, 9, L("Impact (€)", "Impact (€)").text(lang)),
            (10, 15, L("Commentaire", "Comment").text(lang)),
        ],
    )
    for d in report.decisions:
        sheet.line(
            [
                _Span(0, 0, d.project, _cell(bold=True)),
                _Span(1, 2, d.title, _TEXT),
                _Span(3, 3, d.date, _cell("date", align="center")),
                _Span(4, 5, d.waiting_days, _cell("int")),
                _Span(6, 7, d.requested_by, _TEXT),
                _Span(8, 8, d.impact_days, _cell("days")),
                _Span(9, 9, d.impact_eur, _cell("eur")),
                _Span(10, 15, d.comment, _TEXT),
            ],
            height=14,
        )
    # The same decisions the checks flag: waiting longer than the PMO's limit.
    sheet.layout.conditional_formats.append(
        ConditionalFormat(
            Range(first + 1, 4, sheet.row - 1, 4),
            "greater",
            report.decision_max_wait_days,
            _weather_style("red"),
        )
    )


def _actions_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    a = report.actions
    fr = lang == "fr"
    note = (
        f"{a.overdue_count} en retard sur {a.open_count} ouvertes : les retards d'abord, "
        f"puis les échéances des {ACTION_HORIZON_DAYS // 7} prochaines semaines"
        if fr
        else f"{a.overdue_count} overdue of {a.open_count} open: overdue first, then those due "
        f"in the next {ACTION_HORIZON_DAYS // 7} weeks"
    )
    _section_title(sheet, "actions", lang, note if a.open_count else None)
    if not a.rows:
        _note_line(sheet, L("Aucune action ouverte.", "No open action.").text(lang))
        return
    first = _head(
        sheet,
        [
            (0, 0, L("Projet", "Project").text(lang)),
            (1, 2, L("Action", "Action").text(lang)),
            (3, 3, L("Échéance", "Due").text(lang)),
            (4, 5, L("Retard (jours)", "Late (days)").text(lang)),
            (6, 7, L("Responsable", "Owner").text(lang)),
            (8, 9, L("Statut", "Status").text(lang)),
            (10, 15, L("Origine", "Origin").text(lang)),
        ],
        height=18,
    )
    for action in a.rows:
        sheet.line(
            [
                _Span(0, 0, action.project, _cell(bold=True)),
                _Span(1, 2, action.title, _TEXT),
                _Span(3, 3, action.due, _cell("date", align="center")),
                _Span(4, 5, action.days_late, _cell("int")),
                _Span(6, 7, action.owner, _TEXT),
                _Span(8, 9, action.status, _cell()),
                _Span(10, 15, action.origin, _TEXT),
            ],
            height=14,
        )
    _positive_formats(sheet.layout, Range(first + 1, 4, sheet.row - 1, 4), fill=True)
    if a.not_shown:
        _note_line(
            sheet,
            (
                f"+ {a.not_shown} autres actions ouvertes, à échéance plus lointaine : "
                "voir les classeurs des projets."
                if fr
                else f"+ {a.not_shown} more open actions, due later: see the project workbooks."
            ),
        )


def _data_quality_section(sheet: _Sheet, report: CopilReport, lang: Lang) -> None:
    """Missing, rejected, stale workbooks and those with errors, one line each; workbooks with
    warnings only (figures complete) share one line."""
    q = report.data_quality
    fr = lang == "fr"
    missing = sum(r.state == "missing" for r in q.rows)
    rejected = sum(r.state == "rejected" for r in q.rows)
    note = (
        f"{q.consolidated} {plural(q.consolidated, 'classeur consolidé', 'classeurs consolidés')}"
        f", {missing} {plural(missing, 'manquant', 'manquants')}, "
        f"{rejected} {plural(rejected, 'rejeté', 'rejetés')} ; "
        f"{q.clean} sans aucune remarque"
        if fr
        else f"{q.consolidated} workbooks consolidated, {missing} missing, {rejected} rejected; "
        f"{q.clean} without any remark"
    )
    _section_title(sheet, "data_quality", lang, note)
    detailed = [r for r in q.rows if r.state != "warnings"]
    warned = [r for r in q.rows if r.state == "warnings"]
    if not q.rows:
        _note_line(
            sheet,
            L(
                "Tous les classeurs attendus sont arrivés, à jour et sans erreur.",
                "Every expected workbook arrived, up to date and without errors.",
            ).text(lang),
        )
    if detailed:
        first = _head(
            sheet,
            [
                (0, 0, L("Projet", "Project").text(lang)),
                (1, 1, L("Fichier", "File").text(lang)),
                (2, 3, L("État", "State").text(lang)),
                (4, 5, L("Erreurs", "Errors").text(lang)),
                (6, 7, L("Avertissements", "Warnings").text(lang)),
                (8, 15, L("Détail", "Detail").text(lang)),
            ],
            height=18,
        )
        for r in detailed:
            counted = r.state not in ("missing", "rejected")
            sheet.line(
                [
                    _Span(0, 0, r.project, _cell(bold=True)),
                    _Span(1, 1, r.file, _TEXT),
                    _Span(2, 3, FILE_STATES[r.state].text(lang), _cell()),
                    _Span(4, 5, r.errors if counted else None, _cell("int")),
                    _Span(6, 7, r.warnings if counted else None, _cell("int")),
                    _Span(8, 15, r.detail, _TEXT),
                ],
                height=14,
            )
        last = sheet.row - 1
        for state, colour in (
            ("missing", "red"),
            ("rejected", "red"),
            ("stale", "amber"),
            ("errors", "amber"),
        ):
            sheet.layout.conditional_formats.append(
                ConditionalFormat(
                    Range(first + 1, 2, last, 2),
                    "equals",
                    FILE_STATES[state].text(lang),
                    _weather_style(colour),
                )
            )
        _positive_formats(sheet.layout, Range(first + 1, 4, last, 4))
    extra = []
    if warned:
        counts = " · ".join(
            f"{r.project or r.file} : {r.warnings}"
            if fr
            else f"{r.project or r.file}: {r.warnings}"
            for r in warned
        )
        extra.append(
            f"Avertissements seuls, sans effet sur les chiffres — {counts}."
            if fr
            else f"Warnings only, figures complete — {counts}."
        )
    if q.portfolio_warnings:
        n = q.portfolio_warnings
        extra.append(
            f"{n} {plural(n, 'alerte', 'alertes')} sur le portefeuille (surcharges…) : "
            "détail dans l'onglet Contrôles du classeur de consolidation."
            if fr
            else f"{n} portfolio-wide {plural(n, 'warning', 'warnings')} (over-allocation…): "
            "see the Findings sheet of the consolidation workbook."
        )
    if extra:
        _note_line(sheet, " ".join(extra))


_RENDERERS: tuple[tuple[str, Callable[[_Sheet, CopilReport, Lang], None]], ...] = (
    ("synthesis", _synthesis),
    ("projects", _projects),
    ("milestones", _milestones_section),
    ("charts", _charts_section),
    ("risks", _risks_section),
    ("decisions", _decisions_section),
    ("actions", _actions_section),
    ("data_quality", _data_quality_section),
)


# --- conditional formats -----------------------------------------------------------------------


def _weather_style(weather: str) -> CellStyle:
    return CellStyle(bold=True, fill=WEATHER_FILLS[weather], font_color=WEATHER_FONTS[weather])


def _weather_formats(layout: SheetLayout, rng: Range, lang: Lang) -> None:
    for weather in WEATHER_TEXT:
        layout.conditional_formats.append(
            ConditionalFormat(rng, "equals", _weather_label(weather, lang), _weather_style(weather))
        )


def _trend_formats(layout: SheetLayout, rng: Range) -> None:
    layout.conditional_formats += [
        ConditionalFormat(
            rng,
            "equals",
            TREND_ARROWS["worse"],
            CellStyle(bold=True, font_color=WEATHER_FONTS["red"]),
        ),
        ConditionalFormat(
            rng,
            "equals",
            TREND_ARROWS["better"],
            CellStyle(bold=True, font_color=WEATHER_FONTS["green"]),
        ),
    ]


def _drift_formats(layout: SheetLayout, rng: Range, t: Thresholds) -> None:
    layout.conditional_formats += [
        ConditionalFormat(rng, "greater", t.drift_amber_max + 1e-9, _weather_style("red")),
        ConditionalFormat(
            rng,
            "between",
            t.drift_green_max + 1e-9,
            _weather_style("amber"),
            value2=t.drift_amber_max + 1e-9,
        ),
    ]


def _index_formats(layout: SheetLayout, rng: Range, t: Thresholds) -> None:
    # Blank cells count as 0 for "less than": the lower bound keeps them uncoloured.
    layout.conditional_formats += [
        ConditionalFormat(
            rng, "between", 1e-9, _weather_style("red"), value2=t.index_amber_min - 1e-9
        ),
        ConditionalFormat(
            rng,
            "between",
            t.index_amber_min - 1e-9,
            _weather_style("amber"),
            value2=t.index_green_min - 1e-9,
        ),
    ]


def _positive_formats(layout: SheetLayout, rng: Range, fill: bool = False) -> None:
    style = _weather_style("red") if fill else CellStyle(bold=True, font_color=WEATHER_FONTS["red"])
    layout.conditional_formats.append(ConditionalFormat(rng, "greater", 0, style))


# --- pagination --------------------------------------------------------------------------------

A4_LANDSCAPE_PT = (841.89, 595.28)


def print_scale() -> float:
    """The zoom "fit to one page wide" gives (column widths in px: 7 × width + 5)."""
    content_pt = sum(w * 7 + 5 for w in COLUMN_WIDTHS) * 0.75
    printable_pt = A4_LANDSCAPE_PT[0] - 2 * MARGIN_CM / 2.54 * 72
    return min(1.0, printable_pt / content_pt)


def _page_breaks(sheet: _Sheet) -> tuple[int, ...]:
    """Rows before which a page starts, so that no section is cut (unless taller than a page)."""
    page_pt = (A4_LANDSCAPE_PT[1] - 2 * MARGIN_CM / 2.54 * 72) / print_scale() * PAGE_FILL
    repeated = sheet.heights.get(0, 0.0) + sheet.heights.get(1, 0.0)
    breaks: list[int] = []
    used = repeated
    for key, first, last in sheet.sections:
        if key == "header":
            continue
        # The gap row before a section travels with it.
        start = first - 1 if first - 1 in sheet.heights else first
        height = sum(sheet.heights.get(r, 15.0) for r in range(start, last + 1))
        if used + height > page_pt and used > repeated:
            breaks.append(first)
            used = repeated + sum(sheet.heights.get(r, 15.0) for r in range(first, last + 1))
        else:
            used += height
    return tuple(breaks)
