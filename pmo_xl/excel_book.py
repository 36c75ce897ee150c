"""A live Excel workbook (an ``xlwings.Book``) as a ``WorkbookSource`` and ``WorkbookSink``.

The same code runs on desktop Excel (classic xlwings, ``RunPython``) and on xlwings' remote
engine (xlwings Server / Lite, ``xw.Book(json=...)``): only the common Book/Sheet/Range API is
used, and what one engine lacks is skipped with a notice in :attr:`XlwingsWorkbook.notices`.
Writes stay few whatever the number of rows (on desktop Excel each is a round trip): one range
write per block, holding its links (``HYPERLINK`` formulas) and merged cells' values; one call
per attribute of the look and rectangle of cells sharing it, across blocks (:func:`paint_plan`);
one call per run of parallel border lines, per run of one-row merges, per run of row heights;
"Vérifier"'s fills: one multi-area range per fill (desktop), one colour matrix (remote).

>>> book = XlwingsWorkbook(xw.Book.caller())  # doctest: +SKIP
>>> book.read_sheet("Projet").cell(1, 2)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

from pmo_xl.labels import Lang
from pmo_xl.layout import (
    NUMBER_FORMATS,
    NUMBER_FORMATS_EN,
    Block,
    CellStyle,
    Chart,
    ConditionalFormat,
    Formula,
    Link,
    Range,
    SheetLayout,
    TableDef,
    Validation,
    Value,
)
from pmo_xl.safe_text import MAX_CELL_CHARS, is_formula_like, truncate_text
from pmo_xl.workbook import (
    ERROR_LITERALS,
    CellError,
    CellValue,
    Grid,
    Uncached,
    cell_address,
    column_index,
    column_letter,
)

if TYPE_CHECKING:
    import xlwings as xw

# Hidden sheet where "Vérifier" records the cells it marked: the next run clears exactly those.
MARKS_SHEET = "_pmo_xl_marques"
MARKS_HEADER = ["Feuille", "Cellule", "Fond d'origine", "Note ajoutée"]

# Excel's HYPERLINK() takes at most 255 characters per argument.
_HYPERLINK_MAX = 255

# Text that Excel would turn into something else when typed: a number, a date, a percentage,
# a boolean. Written with a leading apostrophe so that it stays the text it is.
_NUMBER_LIKE = re.compile(r"^\s*[(+\-€$£]?\s*[\d.,]")
_BOOLEAN_WORDS = frozenset({"true", "false", "vrai", "faux"})
_MONTHS = (
    "jan|janv|janvier|fev|fevr|fevrier|feb|february|mar|mars|march|avr|avril|apr|april|mai|may|"
    "jun|juin|june|jul|juil|juillet|july|aou|aout|aug|august|sep|sept|septembre|september|"
    "oct|octobre|october|nov|novembre|november|dec|decembre|december|january"
)
_MONTH_DATE = re.compile(rf"^\s*({_MONTHS})\.?[\s\-/]+\d", re.IGNORECASE)

_NOTICES: dict[str, tuple[str, str]] = {
    "freeze": (
        "Volets figés non posés sur « {sheet} » : ce moteur Excel ne le permet pas.",
        "Panes not frozen on '{sheet}': this Excel engine cannot do it.",
    ),
    "style": (
        "Mise en forme partielle sur « {sheet} » ({what}) : {error}",
        "Partial formatting on '{sheet}' ({what}): {error}",
    ),
    "note": (
        "Notes non ajoutées sur « {sheet} » : ce moteur Excel ne le permet pas ; "
        "les messages restent dans l'onglet Contrôles.",
        "Notes not added on '{sheet}': this Excel engine cannot do it; the messages are still "
        "in the Findings sheet.",
    ),
    "chart": (
        "Graphique « {title} » non créé dans « {sheet} » ({error}) ; "
        "le classeur COPIL exporté contient tous les graphiques.",
        "Chart '{title}' not created in '{sheet}' ({error}); the exported COPIL workbook has "
        "every chart.",
    ),
    "print": (
        "Mise en page d'impression (orientation, sauts de page) non appliquée (ce moteur Excel "
        "ne le permet pas) : imprimez depuis Excel sur ordinateur ou depuis le classeur exporté.",
        "Print setup (orientation, page breaks) not applied (this Excel engine cannot do it): "
        "print from desktop Excel or from the exported workbook.",
    ),
    "pdf": (
        "Export PDF impossible depuis ce moteur Excel (xlwings Server/Lite) : "
        "lancez « pmo-xl copil » en ligne de commande pour obtenir le PDF.",
        "PDF export is not available on this Excel engine (xlwings Server/Lite): run "
        "'pmo-xl copil' from the command line to get the PDF.",
    ),
    "autofilter": (
        "Filtres automatiques non posés (ce moteur Excel ne le permet pas) : "
        "Données > Filtrer les ajoute en un clic.",
        "Filter buttons not added (this Excel engine cannot do it): Data > Filter adds them.",
    ),
    "marks_capped": (
        "{shown} cellules marquées sur {total} : les autres sont listées dans l'onglet Contrôles.",
        "{shown} of {total} cells marked: the others are listed in the Findings sheet.",
    ),
}


def notice(key: str, lang: Lang = "fr", **params: object) -> str:
    """One user-facing notice about something an engine could not do."""
    fr, en = _NOTICES[key]
    return (fr if lang == "fr" else en).format(**params)


# ---------------------------------------------------------------------------------------------
# Engine
# ---------------------------------------------------------------------------------------------


def engine_name(book: xw.Book) -> str:
    """``"excel"`` for desktop Excel, ``"remote"`` for xlwings Server/Lite."""
    try:
        return str(book.app.engine.name)
    except Exception:  # an engine without the attribute is not desktop Excel
        return "unknown"


def is_desktop(book: xw.Book) -> bool:
    return engine_name(book) == "excel"


@contextmanager
def batch_updates(book: xw.Book) -> Iterator[None]:
    """Suspend screen updating while writing (desktop only: remote clients may lack the action)."""
    if not is_desktop(book):
        yield
        return
    app = book.app
    previous = app.screen_updating
    app.screen_updating = False
    try:
        yield
    finally:
        app.screen_updating = previous


def set_status(book: xw.Book, text: str | None) -> bool:
    """Show ``text`` in Excel's status bar (``None``: back to Excel); False when unsupported."""
    if not is_desktop(book):
        return False
    book.app.status_bar = text if text is not None else False
    return True


def show_message(book: xw.Book, text: str, title: str = "pmo_xl") -> None:
    """A message box, on every engine (the remote one shows it after the run)."""
    book.app.alert(text, title=title)


def export_pdf(
    book: xw.Book, path: Path, sheets: Sequence[str] | None = None, lang: Lang = "fr"
) -> str | None:
    """Export ``sheets`` (default all) to ``path`` as PDF; the reason in words when impossible."""
    if not is_desktop(book):
        return notice("pdf", lang)
    book.to_pdf(str(path), include=list(sheets) if sheets is not None else None)
    return None


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def excel_text(text: str) -> str:
    """``text`` as typed into a cell so that Excel keeps exactly this text.

    >>> excel_text("=SUM(A1)"), excel_text("1.10"), excel_text("Lot 1")
    ("'=SUM(A1)", "'1.10", 'Lot 1')
    """
    text, _ = truncate_text(text, MAX_CELL_CHARS - 1)
    if (
        text.startswith("'")
        or is_formula_like(text)
        or _NUMBER_LIKE.match(text)
        or text.strip().lower() in _BOOLEAN_WORDS
        or _MONTH_DATE.match(_without_accents(text))
    ):
        return "'" + text
    return text


def _without_accents(text: str) -> str:
    """For month names only: ``"févr. 2026"`` → ``"fevr. 2026"``."""
    return text.translate(str.maketrans("éèêëûôàâ", "eeeeuoaa", ""))


def to_excel(value: Value) -> object:
    """A layout value as written through ``Range.value``: text quoted, formulas as formulas."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return excel_text(value) if value else None
    if isinstance(value, Formula):
        return value.text if value.text.startswith("=") else "=" + value.text
    if isinstance(value, Uncached):
        return value.formula if value.formula.startswith("=") else "=" + value.formula
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, dt.time):
        # Excel keeps times as fractions of a day.
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else value
    item = getattr(value, "item", None)  # numpy scalars from pandas frames
    if callable(item):
        return to_excel(item())
    if value != value:  # pandas NaT and other "missing" values
        return None
    return value


# Excel's error values as Windows hands them over (0x800A0000 + the xlErr code, signed):
# xlwings 0.37.8 turns the 7 classic ones into their text (err_to_str), not the newer ones.
_COM_ERROR_BASE = -2146828288
_COM_ERRORS: dict[int, str] = {
    _COM_ERROR_BASE + code: text
    for code, text in {
        2000: "#NULL!",
        2007: "#DIV/0!",
        2015: "#VALUE!",
        2023: "#REF!",
        2029: "#NAME?",
        2036: "#NUM!",
        2042: "#N/A",
        2043: "#GETTING_DATA",
        2045: "#SPILL!",
        2046: "#CONNECT!",
        2047: "#BLOCKED!",
        2048: "#UNKNOWN!",
        2049: "#FIELD!",
        2050: "#CALC!",
    }.items()
}


def from_excel(value: object) -> CellValue:
    """A value read through ``Range.options(err_to_str=True).value`` (a sheet, a UDF's
    argument) as a :data:`CellValue`."""
    if value is None or isinstance(value, bool | float | dt.datetime | dt.date | dt.time):
        return value
    if isinstance(value, int):
        return CellError(_COM_ERRORS[value]) if value in _COM_ERRORS else value
    if isinstance(value, str):
        if value.strip().upper() in ERROR_LITERALS:
            return CellError(value.strip().upper())
        return value if value != "" else None
    return str(value)


def hyperlink_formula(link: Link) -> str | None:
    """``=HYPERLINK("#'Planning'!F12","…")``: Excel's English syntax; None when too long."""
    target = _link_target(link)
    if len(target) > _HYPERLINK_MAX or len(link.text) > _HYPERLINK_MAX:
        return None
    return f"=HYPERLINK({_formula_string(target)},{_formula_string(link.text)})"


def _link_target(link: Link) -> str:
    place = f"{_quote_sheet(link.sheet)}!{link.cell}" if link.sheet else link.cell
    if link.file is None:
        return "#" + place
    return f"[{link.file}]{place}" if link.sheet else link.file


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _formula_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# ---------------------------------------------------------------------------------------------
# The workbook
# ---------------------------------------------------------------------------------------------


class CellMark(NamedTuple):
    """A cell to colour (``"#RRGGBB"``) and explain with a note (None: colour only)."""

    cell: str
    color: str
    note: str | None = None


@dataclass
class XlwingsWorkbook:
    """An open workbook in Excel, read and written sheet by sheet."""

    book: xw.Book
    lang: Lang = "fr"
    max_marks: int = 300  # cells "Vérifier" marks at most; the Contrôles sheet lists them all
    notices: list[str] = field(default_factory=list)
    _mark_records: list[list[str]] | None = field(default=None, init=False, repr=False)
    _marks_skipped: int = field(default=0, init=False, repr=False)
    _capped_notice: str | None = field(default=None, init=False, repr=False)

    @property
    def label(self) -> str:
        return str(self.book.name)

    def sheet_names(self) -> list[str]:
        return [str(sheet.name) for sheet in self.book.sheets if sheet.name != MARKS_SHEET]

    def read_sheet(self, name: str) -> Grid:
        """The used range of sheet ``name``, read in one call (errors as :class:`CellError`)."""
        sheet = self._sheet(name)
        if sheet is None:
            raise KeyError(name)
        used = sheet.used_range
        rows = used.options(ndim=2, err_to_str=True).value
        grid = [[from_excel(v) for v in row] for row in rows]
        if len(grid) == 1 and len(grid[0]) == 1 and grid[0][0] is None:
            return Grid([], used.row, used.column)  # an empty sheet reports A1 as its used range
        return Grid(grid, used.row, used.column)

    # -- writing ---------------------------------------------------------------------------

    def write_sheet(self, layout: SheetLayout) -> None:
        """Replace sheet ``layout.name`` (cleared in place, or added at the end) with the layout.

        Each attribute of the look is one call per rectangle of cells sharing it, over the whole
        sheet (see :func:`paint_plan`): on desktop Excel every call is a round trip.
        """
        sheet = self._fresh_sheet(layout.name)
        formats = NUMBER_FORMATS if layout.lang == "fr" else NUMBER_FORMATS_EN
        plan = paint_plan(layout)
        # Number formats before the values: "@" keeps text text, a date format keeps a date.
        for kind, rng in plan.get("number_format", []):
            self._rect_range(sheet, rng).number_format = formats[str(kind)]
        for origin, values in _value_writes(layout):
            sheet.range((origin[0] + 1, origin[1] + 1)).value = values
        for link in _links_outside_blocks(layout):
            self._write_link(sheet, link)
        self._styles(sheet, layout.name, plan)
        # Merged after the styles: no style call ever falls on part of a merged area.
        for rng, across in _merge_calls(layout.merges):
            target = self._rect_range(sheet, rng)
            self._cosmetic(layout.name, "fusion", partial(target.merge, across))
        self._row_heights(sheet, layout)
        self._column_widths(sheet, layout.column_widths)
        self._notes(sheet, layout.name, [(n.row, n.col, n.text) for n in layout.notes])
        for cf in dict.fromkeys(layout.conditional_formats):  # the same rule twice: once
            self._cosmetic(layout.name, "format conditionnel", partial(_add_cf, sheet, cf))
        for validation in layout.validations:
            self._cosmetic(
                layout.name, "liste déroulante", partial(_add_validation, sheet, validation)
            )
        for table in layout.tables:
            self._cosmetic(layout.name, "tableau", partial(_add_table, sheet, table))
        if layout.autofilter is not None and not layout.tables:
            if is_desktop(self.book):
                area = layout.autofilter.a1()
                self._cosmetic(layout.name, "filtre", lambda: _autofilter(sheet, area))
            else:
                self._notice_once(notice("autofilter", self.lang))
        for chart in layout.charts:
            self._chart(sheet, layout.name, chart)
        if layout.freeze is not None and layout.freeze != (0, 0):
            self._freeze(sheet, layout.name, *layout.freeze)
        if layout.hide_gridlines:
            self._cosmetic(layout.name, "quadrillage", lambda: _hide_gridlines(sheet))
        if layout.print_setup is not None:
            self._print_setup(sheet, layout)

    def _styles(self, sheet: xw.Sheet, sheet_name: str, plan: PaintPlan) -> None:
        """One call per rectangle and attribute; an attribute the engine lacks is said once."""
        for name, calls in plan.items():
            if name == "number_format":
                continue
            for value, rng in calls:
                try:
                    _apply_attribute(self._rect_range(sheet, rng), rng, name, value)
                except Exception as error:  # cosmetic: the data is written
                    what = _ATTRIBUTE_WORDS[name]
                    self._notice_once(
                        notice("style", self.lang, sheet=sheet_name, what=what, error=error)
                    )
                    break

    def _row_heights(self, sheet: xw.Sheet, layout: SheetLayout) -> None:
        """One call per run of rows of equal height (see :func:`_height_runs`)."""
        fitted, runs = _height_runs(layout)
        if fitted is not None:
            rows = sheet.range((fitted[0] + 1, 1), (fitted[1] + 1, 1)).rows
            self._cosmetic(layout.name, "hauteur", rows.autofit)
        for first, last, height in runs:
            rng = sheet.range((first + 1, 1), (last + 1, 1))
            self._cosmetic(layout.name, "hauteur", partial(setattr, rng, "row_height", height))

    def _write_link(self, sheet: xw.Sheet, link: Link) -> None:
        formula = hyperlink_formula(link)
        cell = sheet.range((link.row + 1, link.col + 1))
        if formula is not None:
            cell.value = formula
        else:
            cell.add_hyperlink(_link_target(link), excel_text(link.text))

    @staticmethod
    def _rect_range(sheet: xw.Sheet, rng: Range) -> xw.Range:
        return sheet.range(
            (rng.first_row + 1, rng.first_col + 1), (rng.last_row + 1, rng.last_col + 1)
        )

    def _column_widths(self, sheet: xw.Sheet, widths: dict[int, float]) -> None:
        remote = not is_desktop(self.book)
        ordered = sorted(widths.items())
        # Consecutive columns of the same width: one call.
        for _, run in groupby(enumerate(ordered), key=lambda t: (t[1][0] - t[0], t[1][1])):
            cols = [col for _, (col, _w) in run]
            width = widths[cols[0]]
            rng = sheet.range((1, cols[0] + 1), (1, cols[-1] + 1))
            # Layout widths are in characters; xlwings Server/Lite takes points (Calibri 11:
            # 7 px per character plus 5 px of padding, 0.75 pt per px).
            rng.column_width = round((width * 7 + 5) * 0.75, 2) if remote else width

    def _notes(
        self, sheet: xw.Sheet, sheet_name: str, notes: Sequence[tuple[int, int, str]]
    ) -> int:
        added = 0
        for row, col, text in notes:
            cell = sheet.range((row + 1, col + 1))
            try:
                if cell.note is not None:
                    continue  # never overwrite someone's own note
                cell.add_note(text)
            except NotImplementedError:
                self.notices.append(notice("note", self.lang, sheet=sheet_name))
                return added
            added += 1
        return added

    def _chart(self, sheet: xw.Sheet, sheet_name: str, chart: Chart) -> None:
        try:
            _add_chart(sheet, chart)
        except Exception as error:  # a missing chart must not lose the figures
            self.notices.append(
                notice("chart", self.lang, title=chart.title, sheet=sheet_name, error=error)
            )

    def _freeze(self, sheet: xw.Sheet, sheet_name: str, row: int, col: int) -> None:
        try:
            if is_desktop(self.book):
                _freeze_desktop(self.book, sheet, row, col)
            else:
                sheet.freeze_panes.freeze_at(_frozen_range(row, col))
        except Exception:  # cosmetic: the data is written
            self.notices.append(notice("freeze", self.lang, sheet=sheet_name))

    def _print_setup(self, sheet: xw.Sheet, layout: SheetLayout) -> None:
        setup = layout.print_setup
        assert setup is not None
        if setup.print_area is not None:
            area = setup.print_area.a1()
            self._cosmetic(layout.name, "zone d'impression", lambda: _set_print_area(sheet, area))
        if is_desktop(self.book):
            self._cosmetic(layout.name, "mise en page", lambda: _page_setup_desktop(sheet, layout))
            breaks = setup.row_breaks
            self._cosmetic(
                layout.name, "sauts de page", lambda: _page_breaks_desktop(sheet, breaks)
            )
        else:  # page setup and page breaks alike: said once
            self._notice_once(notice("print", self.lang))

    def _cosmetic(self, sheet_name: str, what: str, action: Callable[[], object]) -> None:
        """Run a presentation-only write; an engine without it leaves a notice, not a failure."""
        try:
            action()
        except Exception as error:
            self.notices.append(
                notice("style", self.lang, sheet=sheet_name, what=what, error=error)
            )

    # -- marks for "Vérifier" ----------------------------------------------------------------

    def mark_cells(
        self, sheet_name: str, cells: Sequence[CellMark | tuple[str, str, str | None]]
    ) -> int:
        """Colour ``cells`` of ``sheet_name`` and add their notes; recorded for :meth:`clear_marks`.

        Returns how many cells were marked (at most :attr:`max_marks` over all calls).
        """
        sheet = self._sheet(sheet_name)
        if sheet is None:
            raise KeyError(sheet_name)
        records = self._marks()
        room = max(self.max_marks - len(records), 0)
        wanted = [CellMark(*c) for c in cells]
        marks = wanted[:room]
        self._marks_skipped += len(wanted) - len(marks)
        if self._marks_skipped:
            shown = len(records) + len(marks)
            text = notice("marks_capped", self.lang, shown=shown, total=shown + self._marks_skipped)
            # One notice for the whole run, updated as later sheets add skipped cells.
            if self._capped_notice is not None and self._capped_notice in self.notices:
                self.notices[self.notices.index(self._capped_notice)] = text
            else:
                self.notices.append(text)
            self._capped_notice = text
        if not marks:
            return 0
        desktop = is_desktop(self.book)
        originals = {m.cell: _read_fill(sheet, m.cell) if desktop else "" for m in marks}
        self._fill_cells(sheet, {m.cell: m.color for m in marks})
        with_notes = [m for m in marks if m.note]
        noted_before = len(self.notices)
        added_notes: set[str] = set()
        for m in with_notes:
            if self._notes(sheet, sheet_name, [_note_position(m.cell, m.note or "")]) == 1:
                added_notes.add(m.cell)
            elif len(self.notices) > noted_before:
                break  # the engine has no notes: said once
        records += [
            [str(sheet.name), m.cell, originals[m.cell], "oui" if m.cell in added_notes else "non"]
            for m in marks
        ]
        self._write_marks(records)
        return len(marks)

    def _fill_cells(self, sheet: xw.Sheet, fills: dict[str, str | None]) -> None:
        """Give each cell (``"F12"``) its fill (``"#RRGGBB"``, None: none) in a few calls whose
        number does not grow with the cells: on desktop Excel one multi-area range per fill
        (``"F12:F14,B3"``, under Excel's 255-character address limit), on xlwings' remote engine
        one ``set_colors`` matrix over the cells' rows (see :func:`fills_by_matrix`)."""
        positions = {
            (row - 1, col - 1): fill
            for (row, col), fill in ((_split_cell(c), f) for c, f in fills.items())
        }
        matrices = colour_matrices(positions) if fills_by_matrix(self.book) else None
        if matrices is not None:
            for (row, col), matrix in matrices:
                last = (row + len(matrix) - 1, col + len(matrix[0]) - 1)
                sheet.range((row, col), last).set_colors(matrix)
            return
        by_fill: dict[str | None, set[tuple[int, int]]] = {}
        for position, fill in positions.items():
            by_fill.setdefault(fill, set()).add(position)
        desktop = is_desktop(self.book)
        for fill in sorted(by_fill, key=lambda f: f or ""):
            rectangles = [Range(*rect) for rect in _cover(by_fill[fill], by_fill[fill])]
            if desktop:
                for address in multi_area_addresses(rectangles):
                    sheet.range(address).color = fill
            else:  # the remote engine reads "B2,C3" as B2 alone: one call per rectangle
                for rect in rectangles:
                    self._rect_range(sheet, rect).color = fill

    def _notice_once(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)

    def clear_marks(self) -> int:
        """Undo every mark recorded by :meth:`mark_cells`: original fill back, our notes removed."""
        records = self._marks()
        if not records:
            return 0
        by_sheet: dict[str, list[list[str]]] = {}
        for record in records:
            by_sheet.setdefault(record[0], []).append(record)
        for sheet_name, rows in by_sheet.items():
            sheet = self._sheet(sheet_name)
            if sheet is None:
                continue  # the sheet is gone, and its marks with it
            self._fill_cells(sheet, {cell: fill or None for _, cell, fill, _ in rows})
            for _, cell, _, noted in rows:
                if noted == "oui":
                    note = sheet.range(cell).note
                    if note is not None:
                        with suppress(NotImplementedError):
                            note.delete()
        self._write_marks([])
        return len(records)

    def _marks(self) -> list[list[str]]:
        """The recorded marks: read from the registry sheet once, then kept up to date here.

        Kept in memory because the remote engine's sheets are a snapshot taken before the run:
        a registry written earlier in the same run cannot be read back.
        """
        if self._mark_records is None:
            self._mark_records = []
            if self._sheet(MARKS_SHEET) is not None:
                for row in self.read_sheet(MARKS_SHEET).rows[1:]:
                    cells = [("" if v is None else str(v)) for v in (list(row) + [None] * 4)[:4]]
                    if cells[0] and cells[1]:
                        self._mark_records.append(cells)
        return list(self._mark_records)

    def _write_marks(self, records: list[list[str]]) -> None:
        self._mark_records = list(records)
        sheet = self._sheet(MARKS_SHEET)
        if sheet is None:
            sheet = self._add_sheet(MARKS_SHEET)
            self._cosmetic(MARKS_SHEET, "feuille masquée", lambda: setattr(sheet, "visible", False))
        else:
            sheet.clear_contents()
        sheet.range((1, 1)).value = [
            MARKS_HEADER,
            *[[excel_text(v) if v else None for v in r] for r in records],
        ]

    # -- sheets ------------------------------------------------------------------------------

    def _sheet(self, name: str) -> xw.Sheet | None:
        key = name.casefold()
        for sheet in self.book.sheets:
            if str(sheet.name).casefold() == key:
                return sheet
        return None

    def _add_sheet(self, name: str) -> xw.Sheet:
        sheets = self.book.sheets
        return sheets.add(name=name, after=sheets[len(sheets) - 1])

    def _fresh_sheet(self, name: str) -> xw.Sheet:
        sheet = self._sheet(name)
        if sheet is None:
            return self._add_sheet(name)
        # Cleared in place rather than deleted: the tab keeps its position and the user's own
        # formulas pointing at it do not turn into #REF!.
        for collection in ("charts", "tables"):
            with suppress(Exception):  # an engine that does not list them has none to remove
                for item in list(getattr(sheet, collection)):
                    item.delete()
        sheet.clear()
        return sheet


# ---------------------------------------------------------------------------------------------
# Helpers (pure or one xlwings call each)
# ---------------------------------------------------------------------------------------------


def _column_runs(block: Block) -> list[tuple[int, int, CellStyle | None]]:
    """Consecutive columns of ``block`` sharing a style: ``(first, last, style)`` offsets."""
    runs: list[tuple[int, int, CellStyle | None]] = []
    for c in range(block.n_cols):
        style = block.style_at(c)
        if runs and runs[-1][2] == style and runs[-1][1] == c - 1:
            runs[-1] = (runs[-1][0], c, style)
        else:
            runs.append((c, c, style))
    return runs


def _split_cell(cell: str) -> tuple[int, int]:
    """``"F12"`` → (12, 6)."""
    match = re.fullmatch(r"\$?([A-Za-z]{1,3})\$?(\d+)", cell.strip())
    if match is None:
        raise ValueError(f"not a cell address: {cell!r}")
    return int(match.group(2)), column_index(match.group(1))


# Excel refuses a range address longer than this (``Range("B2,C3:C5,…")``).
ADDRESS_MAX = 255
# xlwings' Range.set_colors takes at most this many cells a call.
SET_COLORS_MAX = 10_000
# A cell of its matrix: a fill, None (no fill) or ... (left as it is).
MatrixFill: TypeAlias = str | EllipsisType | None


def multi_area_addresses(rectangles: Iterable[Range], limit: int = ADDRESS_MAX) -> list[str]:
    """The rectangles as few multi-area addresses as fit under ``limit`` characters each.

    >>> multi_area_addresses([Range(1, 1, 1, 1), Range(2, 2, 4, 2)])
    ['B2,C3:C5']
    """
    addresses: list[str] = []
    for area in (rect.a1() for rect in rectangles):
        if addresses and len(addresses[-1]) + 1 + len(area) <= limit:
            addresses[-1] += "," + area
        else:
            addresses.append(area)
    return addresses


def fills_by_matrix(book: xw.Book) -> bool:
    """Whether fills go as one ``Range.set_colors`` matrix (one ``setRangeColors`` action): on
    xlwings' remote engine driven by the Office.js client (xlwings Server/Lite) of xlwings
    0.37.5 or later, where it appeared. Not on desktop Excel, where xlwings sets it cell by
    cell, nor for VBA's RunRemotePython, whose ``Remote.bas`` has no ``setRangeColors``."""
    if is_desktop(book):
        return False
    try:
        client, version = book.api["client"], str(book.api["version"])
    except Exception:  # not a remote-engine book
        return False
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    return client == "Office.js" and numbers >= (0, 37, 5)


def colour_matrices(
    cells: dict[tuple[int, int], str | None], max_cells: int = SET_COLORS_MAX
) -> list[tuple[tuple[int, int], list[list[MatrixFill]]]] | None:
    """``(1-based origin, matrix)`` for ``Range.set_colors`` from 0-based ``(row, col)``: each
    fill at its cell, ``...`` (left as is) elsewhere; bands of the rows holding cells, each
    under ``max_cells`` cells. None when the cells span more columns than a matrix may hold.

    >>> colour_matrices({(1, 1): "#FFC7CE", (2, 3): None})
    [((2, 2), [['#FFC7CE', Ellipsis, Ellipsis], [Ellipsis, Ellipsis, None]])]
    """
    if not cells:
        return []
    first_col = min(col for _, col in cells)
    width = max(col for _, col in cells) - first_col + 1
    if width > max_cells:
        return None
    height = max_cells // width
    rows = sorted({row for row, _ in cells})
    matrices: list[tuple[tuple[int, int], list[list[MatrixFill]]]] = []
    while rows:
        top = rows[0]
        band = [row for row in rows if row < top + height]
        rows = rows[len(band) :]
        matrix: list[list[MatrixFill]] = [[...] * width for _ in range(band[-1] - top + 1)]
        for (row, col), fill in cells.items():
            if top <= row <= band[-1]:
                matrix[row - top][col - first_col] = fill
        matrices.append(((top + 1, first_col + 1), matrix))
    return matrices


def _note_position(cell: str, text: str) -> tuple[int, int, str]:
    row, col = _split_cell(cell)
    return row - 1, col - 1, text


def _read_fill(sheet: xw.Sheet, cell: str) -> str:
    """The cell's fill as ``#RRGGBB``, ``""`` when none."""
    rgb = sheet.range(cell).color
    if rgb is None:
        return ""
    red, green, blue = rgb
    return f"#{red:02X}{green:02X}{blue:02X}"


# ---------------------------------------------------------------------------------------------
# Coalescing: a whole sheet's look, values, merges and heights as few calls (pure)
# ---------------------------------------------------------------------------------------------

# The attributes of a CellStyle that the live workbook sets, each with its own call.
STYLE_ATTRIBUTES = (
    "number_format", "fill", "font_color", "size", "bold", "italic", "wrap", "align", "valign",
    "border",
)  # fmt: skip
# Past this many runs of equal row height (long tables whose wrapped text the layout could only
# estimate), Excel autofits those rows itself in one call: writes must not grow with rows.
MAX_HEIGHT_RUNS = 100
_PLAIN = CellStyle()
# How a notice names an attribute the engine could not set (French, as the other notices' words).
_ATTRIBUTE_WORDS = {
    "number_format": "format des nombres", "fill": "fond", "font_color": "couleur du texte",
    "size": "taille du texte", "bold": "gras", "italic": "italique", "wrap": "retour à la ligne",
    "align": "alignement", "valign": "alignement vertical", "border": "bordures",
}  # fmt: skip

PaintPlan: TypeAlias = dict[str, list[tuple[object, Range]]]


def style_value(style: CellStyle, name: str) -> object | None:
    """What ``style`` sets for attribute ``name``; None when it leaves Excel's default.

    A border is its colour (``""``: automatic).
    """
    if name == "border":
        return (style.border_color or "") if style.border else None
    value = getattr(style, name)
    return None if value is False or value == "general" else value


def paint_plan(layout: SheetLayout) -> PaintPlan:
    """For each attribute of :data:`STYLE_ATTRIBUTES`, ``(value, rectangle)`` calls, top first.

    A cell looks as the last block or merge covering it says, as in the file renderer. The
    sheet's row and column edges cut it into bands (a block of 100,000 rows costs what a block
    of 10 does), and the cells sharing a value are covered by few rectangles, across blocks.
    A blank cell shows no font, alignment, wrap or number format (nor a font size, in a row of
    set height), nor does a merged cell but the first: rectangles may cross them freely.
    """
    patches: list[tuple[Range, CellStyle]] = []
    for block in layout.blocks:
        if block.n_rows == 0 or block.n_cols == 0:
            continue
        last_row = block.row + block.n_rows - 1
        for first, last, style in _column_runs(block):
            rng = Range(block.row, block.col + first, last_row, block.col + last)
            patches.append((rng, style or _PLAIN))
    patches += [(rng, style or _PLAIN) for rng, _value, style in layout.merges]
    if not patches:
        return {}
    fitted, runs = _height_runs(layout)
    # A link inside a block is the block's value there; one outside is a value of its own.
    links = [
        Range(link.row, link.col, link.row, link.col) for link in _links_outside_blocks(layout)
    ]
    edges = [r for r, _ in patches] + links + [Range(a, 0, b, 0) for a, b, _ in runs]
    rows = sorted({r.first_row for r in edges} | {r.last_row + 1 for r in edges})
    cols = sorted({r.first_col for r in edges} | {r.last_col + 1 for r in edges})
    row_band = {row: i for i, row in enumerate(rows)}
    col_band = {col: j for j, col in enumerate(cols)}

    def bands(rng: Range) -> Iterator[tuple[int, int]]:
        for i in range(row_band[rng.first_row], row_band[rng.last_row + 1]):
            for j in range(col_band[rng.first_col], col_band[rng.last_col + 1]):
                yield i, j

    look: dict[tuple[int, int], CellStyle] = {}
    for rng, style in patches:
        for band in bands(rng):
            look[band] = style
    # Cells whose look shows: those holding a value. Merges come after the styles, and a merged
    # cell shows its first cell's font, alignment and number format over the whole area.
    shown = {band for rng in links for band in bands(rng)}
    shown.update(
        (bisect_right(rows, link.row) - 1, bisect_right(cols, link.col) - 1)
        for link in layout.links
        if rows[0] <= link.row < rows[-1] and cols[0] <= link.col < cols[-1]
    )
    shown.update(
        (row_band[rng.first_row], col_band[rng.first_col])
        for rng, value, _ in layout.merges
        if to_excel(value) is not None
    )
    for block in layout.blocks:
        if block.n_rows and block.n_cols:
            shown.update(
                (i, j)
                for i, j in bands(_block_range(block))
                if _any_value(block, rows[i], rows[i + 1], cols[j], cols[j + 1])
            )
    set_height = {
        i for i in range(len(rows) - 1) if _all_set(runs, fitted, rows[i], rows[i + 1] - 1)
    }
    grid = [(i, j) for i in range(len(rows) - 1) for j in range(len(cols) - 1)]
    plan: PaintPlan = {}
    for name in STYLE_ATTRIBUTES:
        if name == "border":
            border_calls = _border_lines(look, rows, cols)
            if border_calls:
                plan[name] = border_calls
            continue
        by_value: dict[object, set[tuple[int, int]]] = {}
        for band, style in look.items():
            value = style_value(style, name)
            if value is not None:
                by_value.setdefault(value, set()).add(band)
        free: set[tuple[int, int]] = set()
        if name != "fill":
            free = {
                (i, j)
                for i, j in grid
                if (i, j) not in shown and (name != "size" or i in set_height)
            }
        plain = [
            (value, rect)
            for value, cells in by_value.items()
            for rect in _cover(cells - free, cells | free)
        ]
        plain.sort(key=lambda call: (call[1][0], call[1][1]))
        options = [plain, _layered(by_value, free, set(), None)]
        if name in _DEFAULTS:
            unset = {band for band in shown if style_value(look.get(band, _PLAIN), name) is None}
            options.append(_layered(by_value, free, unset, _DEFAULTS[name]))
        calls = [
            (value, Range(rows[i0], cols[j0], rows[i1 + 1] - 1, cols[j1 + 1] - 1))
            for value, (i0, j0, i1, j1) in min(options, key=len)
        ]
        if calls:
            plan[name] = calls
    return plan


# Attributes whose Excel default can be set again exactly, and that default: a later call may
# restore it over part of an earlier rectangle.
_DEFAULTS: dict[str, object] = {
    "number_format": "general",
    "bold": False,
    "italic": False,
    "wrap": False,
    "align": "general",
    "valign": "bottom",
}

_Rect: TypeAlias = tuple[int, int, int, int]


def _layered(
    by_value: dict[object, set[tuple[int, int]]],
    free: set[tuple[int, int]],
    unset: set[tuple[int, int]],
    default: object,
) -> list[tuple[object, _Rect]]:
    """Values painted one over the other, the commonest first: a rectangle may cross cells that
    a later value (or the ``default``, restored last over ``unset`` cells) paints again."""
    calls: list[tuple[object, _Rect]] = []
    later = set().union(*by_value.values())
    painted: set[tuple[int, int]] = set()
    for value in sorted(by_value, key=lambda v: len(by_value[v]), reverse=True):
        cells = by_value[value]
        later -= cells
        for rect in _cover(cells - free, cells | free | later | unset):
            calls.append((value, rect))
            painted.update(_cells_of(rect))
    calls += [(default, rect) for rect in _cover(unset & painted, unset | free)]
    return calls


def _cells_of(rect: _Rect) -> Iterator[tuple[int, int]]:
    i0, j0, i1, j1 = rect
    return ((i, j) for i in range(i0, i1 + 1) for j in range(j0, j1 + 1))


def _border_lines(
    look: dict[tuple[int, int], CellStyle], rows: Sequence[int], cols: Sequence[int]
) -> list[tuple[object, Range]]:
    """Border calls ``((colour, sides), range)``: every line drawn once, in its colour.

    A line between two bordered cells takes the colour of the lower (or right) one. Parallel
    lines of one colour and extent, side by side, are one call: the "inside" side of a range
    reaching one row (or column) beyond them, or the sheet's edge with it.
    """
    colours: dict[tuple[int, int], str] = {}
    for band, style in look.items():
        if style.border:
            colours[band] = style.border_color or ""
    calls: list[tuple[object, Range]] = []
    for across in (False, True):
        # Horizontal lines lie along the row edges; across, vertical ones along column edges.
        if across:
            bands = {(j, i): c for (i, j), c in colours.items()}
            groups = _line_groups(bands, cols, rows)
        else:
            groups = _line_groups(colours, rows, cols)
        for colour, first, last, a, b in groups:
            sides = ["inside_vertical" if across else "inside_horizontal"]
            if first == 0:  # nothing before the sheet's first row: its edge, then the insides
                sides = ["edge_left" if across else "edge_top"] + (sides if last > 0 else [])
            else:
                first -= 1
            rng = Range(a, first, b, last) if across else Range(first, a, last, b)
            calls.append(((colour, tuple(sides)), rng))
    return sorted(calls, key=lambda call: (call[1].first_row, call[1].first_col))


def _line_groups(
    colours: dict[tuple[int, int], str], along: Sequence[int], other: Sequence[int]
) -> list[tuple[str, int, int, int, int]]:
    """``(colour, first, last, from, to)``: lines at positions ``first..last`` (band edges of
    ``along``), each from ``from`` to ``to`` (in ``other``'s units), in one colour."""
    width = len(other) - 1
    segments: list[tuple[str, int, int, int, int]] = []
    for i, position in enumerate(along):
        # The edge before band i: the colour of band i's cell, else of band i-1's.
        edge = [_either(colours.get((i, j)), colours.get((i - 1, j))) for j in range(width)]
        for colour, j0, j1 in _colour_runs(edge):
            segments.append((colour, position, position, other[j0], other[j1 + 1] - 1))
        if i + 1 < len(along) and along[i + 1] - position > 1:  # lines inside band i
            inside = [colours.get((i, j)) for j in range(width)]
            for colour, j0, j1 in _colour_runs(inside):
                segments.append(
                    (colour, position + 1, along[i + 1] - 1, other[j0], other[j1 + 1] - 1)
                )
    segments.sort(key=lambda seg: (seg[0], seg[3], seg[4], seg[1]))
    groups: list[tuple[str, int, int, int, int]] = []
    for colour, first, last, a, b in segments:
        before = groups[-1] if groups else None
        if (
            before is not None
            and before[0::3] == (colour, a)
            and before[4] == b
            and before[2] == first - 1
        ):
            groups[-1] = (colour, before[1], last, a, b)
        else:
            groups.append((colour, first, last, a, b))
    return groups


def _either(first: str | None, second: str | None) -> str | None:
    return first if first is not None else second


def _colour_runs(line: Sequence[str | None]) -> list[tuple[str, int, int]]:
    """``["a", "a", None, "b"]`` → ``[("a", 0, 1), ("b", 3, 3)]``."""
    runs: list[tuple[str, int, int]] = []
    for j, c in enumerate(line):
        if c is None:
            continue
        if runs and runs[-1][0] == c and runs[-1][2] == j - 1:
            runs[-1] = (c, runs[-1][1], j)
        else:
            runs.append((c, j, j))
    return runs


def _any_value(block: Block, first_row: int, end_row: int, first_col: int, end_col: int) -> bool:
    """Whether ``block`` holds a value in rows ``first_row..end_row-1``, columns likewise."""
    c0, c1 = first_col - block.col, end_col - block.col
    return any(
        v is not None and v != ""
        for line in block.values[first_row - block.row : end_row - block.row]
        for v in line[c0:c1]
    )


def _all_set(
    runs: Sequence[tuple[int, int, float]], fitted: tuple[int, int] | None, first: int, last: int
) -> bool:
    """Whether every row ``first..last`` has a height set by a run (not left to autofit)."""
    if fitted is not None and not (last < fitted[0] or fitted[1] < first):
        return False
    return any(a <= first and last <= b for a, b, _ in runs)


def _cover(
    must: set[tuple[int, int]], allowed: set[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Few ``(first_row, first_col, last_row, last_col)`` rectangles covering ``must`` cells,
    each inside ``allowed`` (``must`` and the cells where the value is welcome but not needed).

    The fewer of: runs of each row stacked while the next row has the same run (or the same
    by columns), and rectangles grown from each cell left uncovered, wide or tall first.
    """
    if not must:
        return []
    candidates: list[list[tuple[int, int, int, int]]] = [
        _stacked_runs(must),
        [(i0, j0, i1, j1) for j0, i0, j1, i1 in _stacked_runs({(c, r) for r, c in must})],
    ]
    if allowed != must and len(must) <= _GROWN_MAX:
        candidates.append(_grown(must, allowed))
    fewest: list[tuple[int, int, int, int]] = min(candidates, key=lambda rects: len(rects))
    return sorted(fewest)


# Growing rectangles costs the square of the cells to cover: past this, runs only.
_GROWN_MAX = 5_000


def _grown(
    must: set[tuple[int, int]], allowed: set[tuple[int, int]]
) -> list[tuple[int, int, int, int]]:
    """Greedy: from each cell left uncovered, the wider or the taller rectangle inside
    ``allowed``, whichever covers more, shrunk to the ``must`` cells it holds."""
    left = set(must)
    rects: list[tuple[int, int, int, int]] = []
    for i, j in sorted(must):
        if (i, j) not in left:
            continue
        best: tuple[int, int, int, int] | None = None
        best_count = 0
        for wide in (True, False):
            i1, j1 = i, j
            if wide:
                while (i, j1 + 1) in allowed:
                    j1 += 1
                while all((i1 + 1, c) in allowed for c in range(j, j1 + 1)):
                    i1 += 1
            else:
                while (i1 + 1, j) in allowed:
                    i1 += 1
                while all((r, j1 + 1) in allowed for r in range(i, i1 + 1)):
                    j1 += 1
            inside = [(r, c) for r, c in must if i <= r <= i1 and j <= c <= j1]
            count = sum(cell in left for cell in inside)
            if count > best_count:
                # Shrunk to the needed cells: nothing painted that need not be.
                best_count = count
                best = (
                    i,
                    min(c for _, c in inside),
                    max(r for r, _ in inside),
                    max(c for _, c in inside),
                )
        assert best is not None
        rects.append(best)
        left -= {(r, c) for r, c in must if best[0] <= r <= best[2] and best[1] <= c <= best[3]}
    return rects


def _stacked_runs(cells: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    done: list[tuple[int, int, int, int]] = []
    open_: dict[tuple[int, int], tuple[int, int]] = {}  # (first_col, last_col) → (first, last row)
    for row, group in groupby(sorted(cells), key=lambda cell: cell[0]):
        runs = _runs([col for _, col in group])
        still: dict[tuple[int, int], tuple[int, int]] = {}
        for run in runs:
            first, last = open_.pop(run, (row, row - 1))
            if last != row - 1:
                done.append((first, run[0], last, run[1]))
                first = row
            still[run] = (first, row)
        done += [(first, c0, last, c1) for (c0, c1), (first, last) in open_.items()]
        open_ = still
    done += [(first, c0, last, c1) for (c0, c1), (first, last) in open_.items()]
    return done


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """``[1, 2, 3, 7]`` → ``[(1, 3), (7, 7)]`` (numbers sorted and distinct)."""
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _contains(rng: Range, row: int, col: int) -> bool:
    return rng.first_row <= row <= rng.last_row and rng.first_col <= col <= rng.last_col


def _overlap(a: Range, b: Range) -> bool:
    return not (
        a.last_row < b.first_row
        or b.last_row < a.first_row
        or a.last_col < b.first_col
        or b.last_col < a.first_col
    )


def _block_range(block: Block) -> Range:
    return Range(block.row, block.col, block.row + block.n_rows - 1, block.col + block.n_cols - 1)


def _value_writes(layout: SheetLayout) -> list[tuple[tuple[int, int], list[list[object]]]]:
    """``(origin, values)`` range writes: one per block, links and merged values inside it.

    A merged cell's value outside every block is a write of its own; a block of blanks over
    cells nothing wrote before is no write at all (the sheet was just cleared).
    """
    links = {(link.row, link.col): link for link in layout.links}
    writes: list[tuple[Range, list[list[object]]]] = []
    for block in layout.blocks:
        if block.n_rows == 0 or block.n_cols == 0:
            continue
        rng = _block_range(block)
        width = block.n_cols
        values = [[to_excel(v) for v in row] + [None] * (width - len(row)) for row in block.values]
        # A link is a HYPERLINK formula in its cell: no write of its own (issue 8 §5).
        for (row, col), link in links.items():
            formula = hyperlink_formula(link)
            if formula is not None and _contains(rng, row, col):
                values[row - block.row][col - block.col] = formula
        writes.append((rng, values))
    for merged, value, _style in layout.merges:
        row, col = merged.first_row, merged.first_col
        # Merged values were written after every block: the last block holding the cell.
        for rng, values in reversed(writes):
            if _contains(rng, row, col):
                values[row - rng.first_row][col - rng.first_col] = to_excel(value)
                break
        else:
            writes.append((Range(row, col, row, col), [[to_excel(value)]]))
    kept = []
    for k, (rng, values) in enumerate(writes):
        blank = all(v is None for line in values for v in line)
        if blank and not any(_overlap(rng, earlier) for earlier, _ in writes[:k]):
            continue
        kept.append(((rng.first_row, rng.first_col), values))
    return kept


def _links_outside_blocks(layout: SheetLayout) -> list[Link]:
    """Links not written as a formula inside a block: outside every block, or too long."""
    ranges = [_block_range(b) for b in layout.blocks if b.n_rows and b.n_cols]
    return [
        link
        for link in layout.links
        if hyperlink_formula(link) is None
        or not any(_contains(rng, link.row, link.col) for rng in ranges)
    ]


def _merge_calls(
    merges: Sequence[tuple[Range, Value, CellStyle | None]],
) -> list[tuple[Range, bool]]:
    """``(range, across)`` merge calls: one-row merges over the same columns on consecutive
    rows are one "merge across" (each row merged on its own); a single cell is no merge."""
    one_row = sorted(
        {(r.first_col, r.last_col, r.first_row) for r, _, _ in merges if r.first_row == r.last_row}
    )
    calls: list[tuple[Range, bool]] = []
    for (first_col, last_col), group in groupby(one_row, key=lambda t: (t[0], t[1])):
        if first_col == last_col:
            continue
        for first, last in _runs(row for _, _, row in group):
            calls.append((Range(first, first_col, last, last_col), last > first))
    calls += [(r, False) for r, _, _ in merges if r.last_row > r.first_row]
    return sorted(calls, key=lambda call: (call[0].first_row, call[0].first_col))


def _height_runs(
    layout: SheetLayout,
) -> tuple[tuple[int, int] | None, list[tuple[int, int, float]]]:
    """Row heights as ``(first, last, points)`` runs: the blocks', then the layout's (which win).

    Past :data:`MAX_HEIGHT_RUNS` runs, the rows ``first..last`` of the layout's own heights are
    returned first, to autofit, and only the blocks' heights are runs.
    """
    from_blocks: dict[int, float] = {}
    for block in layout.blocks:
        if block.row_height is not None:
            for row in range(block.row, block.row + block.n_rows):
                from_blocks[row] = block.row_height
    runs = _equal_runs({**from_blocks, **layout.row_heights})
    if len(runs) <= MAX_HEIGHT_RUNS:
        return None, runs
    fitted = (min(layout.row_heights), max(layout.row_heights))
    left = {row: h for row, h in from_blocks.items() if row not in layout.row_heights}
    return fitted, _equal_runs(left)


def _equal_runs(heights: dict[int, float]) -> list[tuple[int, int, float]]:
    runs: list[tuple[int, int, float]] = []
    for row, height in sorted(heights.items()):
        if runs and runs[-1][1] == row - 1 and runs[-1][2] == height:
            runs[-1] = (runs[-1][0], row, height)
        else:
            runs.append((row, row, height))
    return runs


def _apply_attribute(target: xw.Range, rng: Range, name: str, value: Any) -> None:
    """One attribute of the look over one rectangle: one call (borders: one per side)."""
    if name == "fill":
        target.color = value
    elif name in ("bold", "italic", "size"):
        setattr(target.font, name, value)
    elif name == "font_color":
        target.font.color = value
    elif name == "wrap":
        target.wrap_text = value
    elif name == "align":
        target.horizontal_alignment = value
    elif name == "valign":
        target.vertical_alignment = value
    elif name == "border":
        colour, sides = value
        if colour:
            target.borders.set(list(sides), line_style="continuous", color=colour)
        else:
            target.borders.set(list(sides), line_style="continuous")
    else:
        raise ValueError(f"unknown style attribute: {name}")


def _frozen_range(row: int, col: int) -> str:
    """Office.js freezes the top-left cells it is given: rows 1..row and columns A..col."""
    if col == 0:
        return f"1:{row}"
    if row == 0:
        return f"A:{column_letter(col)}"
    return f"A1:{cell_address(row, col)}"


def _freeze_desktop(book: xw.Book, sheet: xw.Sheet, row: int, col: int) -> None:
    """Desktop Excel freezes the active window: activate the sheet, split, freeze, come back."""
    active = book.sheets.active
    sheet.activate()
    window = book.app.api.ActiveWindow
    window.FreezePanes = False
    window.SplitRow = row
    window.SplitColumn = col
    window.FreezePanes = True
    active.activate()


def _hide_gridlines(sheet: xw.Sheet) -> None:
    sheet.show_gridlines = False


def _set_print_area(sheet: xw.Sheet, area: str) -> None:
    sheet.page_setup.print_area = area


def _page_setup_desktop(sheet: xw.Sheet, layout: SheetLayout) -> None:
    """Orientation and fit-to-page through Excel's own object (Windows desktop)."""
    setup = layout.print_setup
    assert setup is not None
    page = sheet.api.PageSetup
    page.Orientation = 2 if setup.landscape else 1  # xlLandscape / xlPortrait
    page.Zoom = False
    page.FitToPagesWide = setup.fit_width
    page.FitToPagesTall = setup.fit_height if setup.fit_height else False


def _page_breaks_desktop(sheet: xw.Sheet, rows: Sequence[int]) -> None:
    """Manual page breaks before 0-based ``rows``; the last run's breaks removed first."""
    api = sheet.api
    api.ResetAllPageBreaks()
    for row in rows:
        api.HPageBreaks.Add(api.Range(f"A{row + 1}"))


def _add_cf(sheet: xw.Sheet, cf: ConditionalFormat) -> None:
    rng = sheet.range(cf.range.a1())
    fill, font, bold = cf.style.fill, cf.style.font_color, cf.style.bold or None
    formats = rng.conditional_formats
    if cf.kind == "text_contains":
        first = cell_address(cf.range.first_row + 1, cf.range.first_col + 1)
        rule = f"=ISNUMBER(SEARCH({_formula_string(str(cf.value))},{first}))"
        formats.add_custom(rule, fill_color=fill, font_color=font, font_bold=bold)
        return
    operator: Literal["between", "equal_to", "greater_than", "less_than"] = _CF_OPERATORS[cf.kind]
    value = _formula_string(cf.value) if isinstance(cf.value, str) else cf.value
    second = cf.value2 if cf.kind == "between" else None
    formats.add_cell_value(
        operator, value, second, fill_color=fill, font_color=font, font_bold=bold
    )


_CF_OPERATORS: dict[str, Literal["between", "equal_to", "greater_than", "less_than"]] = {
    "between": "between",
    "equals": "equal_to",
    "greater": "greater_than",
    "less": "less_than",
}


def _add_validation(sheet: xw.Sheet, validation: Validation) -> None:
    rng = sheet.range(validation.range.a1())
    if validation.source is not None:
        source_sheet, _, address = validation.source.lstrip("=").rpartition("!")
        book = sheet.book
        target = book.sheets[source_sheet.strip("'")] if source_sheet else sheet
        rng.data_validation.set_list(target.range(address.replace("$", "")))
    else:
        rng.data_validation.set_list(list(validation.choices))


def _add_table(sheet: xw.Sheet, table: TableDef) -> None:
    sheet.tables.add(
        source=sheet.range(table.range.a1()),
        name=table.name,
        table_style_name=table.style.replace(" ", ""),
    )


def _autofilter(sheet: xw.Sheet, area: str) -> None:
    """Filter buttons on a header row: Excel's own AutoFilter (desktop Excel only)."""
    sheet.range(area).api.AutoFilter(1)


_CHART_TYPES = {"column": "column_clustered", "bar": "bar_clustered", "line": "line"}


def _add_chart(sheet: xw.Sheet, chart: Chart) -> None:
    """A native chart from one rectangle (categories column + series columns side by side)."""
    parts = [chart.categories, *(s.values for s in chart.series)]
    first_row = min(p.first_row for p in parts)
    last_row = max(p.last_row for p in parts)
    cols = sorted({c for p in parts for c in range(p.first_col, p.last_col + 1)})
    if cols != list(range(cols[0], cols[-1] + 1)) or any(
        p.first_row != first_row or p.last_row != last_row for p in parts[1:]
    ):
        raise NotImplementedError("séries non contiguës")
    # The series' names are the cells right above their values, when there is a header row.
    header = first_row - 1 if first_row > 0 else first_row
    source = sheet.range((header + 1, cols[0] + 1), (last_row + 1, cols[-1] + 1))
    anchor = sheet.range((chart.anchor[0] + 1, chart.anchor[1] + 1))
    created = sheet.charts.add(
        width=chart.width_px * 0.75,
        height=chart.height_px * 0.75,
        chart_type=_CHART_TYPES[chart.kind],
        source=source,
        anchor=anchor,
    )
    with suppress(Exception):
        created.title = chart.title


__all__ = [
    "MARKS_HEADER",
    "MARKS_SHEET",
    "CellMark",
    "XlwingsWorkbook",
    "batch_updates",
    "engine_name",
    "excel_text",
    "export_pdf",
    "from_excel",
    "hyperlink_formula",
    "is_desktop",
    "notice",
    "set_status",
    "show_message",
    "to_excel",
]
