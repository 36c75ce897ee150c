"""A live Excel workbook (an ``xlwings.Book``) as a ``WorkbookSource`` and ``WorkbookSink``.

The same code runs on desktop Excel (classic xlwings, ``RunPython``) and on xlwings' remote
engine (xlwings Server / Lite, ``xw.Book(json=...)``): only the common Book/Sheet/Range API is
used, and what one engine lacks is skipped with a notice in :attr:`XlwingsWorkbook.notices`.
Writes stay few whatever the number of rows: one range write per block, one call per run of
columns sharing a format, links written as ``HYPERLINK`` formulas inside the block's values.

>>> book = XlwingsWorkbook(xw.Book.caller())  # doctest: +SKIP
>>> book.read_sheet("Projet").cell(1, 2)  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

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
        "Mise en page d'impression non appliquée (ce moteur Excel ne le permet pas) : "
        "imprimez depuis Excel sur ordinateur ou depuis le classeur exporté.",
        "Print setup not applied (this Excel engine cannot do it): print from desktop Excel "
        "or from the exported workbook.",
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


def from_excel(value: object) -> CellValue:
    """A value read through ``Range.options(err_to_str=True).value`` as a :data:`CellValue`."""
    if value is None or isinstance(value, bool | int | float | dt.datetime | dt.date | dt.time):
        return value
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
        """Replace sheet ``layout.name`` (cleared in place, or added at the end) with the layout."""
        sheet = self._fresh_sheet(layout.name)
        formats = NUMBER_FORMATS if layout.lang == "fr" else NUMBER_FORMATS_EN
        links = {(link.row, link.col): link for link in layout.links}
        linked: set[tuple[int, int]] = set()
        for block in layout.blocks:
            if block.n_rows == 0 or block.n_cols == 0:
                continue
            self._number_formats(sheet, block, formats)  # before the values: "@" keeps text text
            sheet.range((block.row + 1, block.col + 1)).value = self._block_values(
                block, links, linked
            )
            self._styles(sheet, layout.name, block)
        for (row, col), link in links.items():
            if (row, col) not in linked:
                self._write_link(sheet, link)
        for rng, value, style in layout.merges:
            self._merge(sheet, layout.name, rng, value, style, formats)
        self._column_widths(sheet, layout.column_widths)
        self._notes(sheet, layout.name, [(n.row, n.col, n.text) for n in layout.notes])
        for cf in layout.conditional_formats:
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

    def _block_values(
        self,
        block: Block,
        links: dict[tuple[int, int], Link],
        linked: set[tuple[int, int]],
    ) -> list[list[object]]:
        width = block.n_cols
        values = [[to_excel(v) for v in row] + [None] * (width - len(row)) for row in block.values]
        # A link is a HYPERLINK formula in its cell: no write of its own (issue 8 §5).
        for (row, col), link in links.items():
            r, c = row - block.row, col - block.col
            formula = hyperlink_formula(link)
            if 0 <= r < block.n_rows and 0 <= c < width and formula is not None:
                values[r][c] = formula
                linked.add((row, col))
        return values

    def _number_formats(self, sheet: xw.Sheet, block: Block, formats: dict[str, str]) -> None:
        for first, last, style in _column_runs(block):
            if style is None or style.number_format == "general":
                continue
            self._rect(
                sheet, block.row, block.col + first, block.n_rows, last - first + 1
            ).number_format = formats[style.number_format]

    def _styles(self, sheet: xw.Sheet, sheet_name: str, block: Block) -> None:
        for first, last, style in _column_runs(block):
            if style is None:
                continue
            rng = self._rect(sheet, block.row, block.col + first, block.n_rows, last - first + 1)
            self._cosmetic(sheet_name, "style", partial(_apply_style, rng, style))
        if block.row_height is not None:
            rng = self._rect(sheet, block.row, block.col, block.n_rows, block.n_cols)
            self._cosmetic(
                sheet_name, "hauteur", lambda: setattr(rng, "row_height", block.row_height)
            )

    def _write_link(self, sheet: xw.Sheet, link: Link) -> None:
        formula = hyperlink_formula(link)
        cell = sheet.range((link.row + 1, link.col + 1))
        if formula is not None:
            cell.value = formula
        else:
            cell.add_hyperlink(_link_target(link), excel_text(link.text))

    def _merge(
        self,
        sheet: xw.Sheet,
        sheet_name: str,
        rng: Range,
        value: Value,
        style: CellStyle | None,
        formats: dict[str, str],
    ) -> None:
        target = self._rect(
            sheet,
            rng.first_row,
            rng.first_col,
            rng.last_row - rng.first_row + 1,
            rng.last_col - rng.first_col + 1,
        )
        if style is not None and style.number_format != "general":
            target.number_format = formats[style.number_format]
        sheet.range((rng.first_row + 1, rng.first_col + 1)).value = to_excel(value)
        self._cosmetic(sheet_name, "fusion", target.merge)
        if style is not None:
            self._cosmetic(sheet_name, "style", lambda: _apply_style(target, style))

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
        else:
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
        for color, cells_of_color in groupby(
            sorted(marks, key=lambda m: m.color), key=lambda m: m.color
        ):
            for rng in _cell_runs(sheet, [m.cell for m in cells_of_color]):
                rng.color = color
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
            for fill, group in groupby(sorted(rows, key=lambda r: r[2]), key=lambda r: r[2]):
                for rng in _cell_runs(sheet, [r[1] for r in group]):
                    rng.color = fill or None
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

    @staticmethod
    def _rect(sheet: xw.Sheet, row: int, col: int, n_rows: int, n_cols: int) -> xw.Range:
        """The range of ``n_rows`` × ``n_cols`` cells from 0-based (row, col)."""
        return sheet.range((row + 1, col + 1), (row + n_rows, col + n_cols))


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


def _cell_runs(sheet: xw.Sheet, cells: Sequence[str]) -> list[xw.Range]:
    """The cells as few ranges as possible: vertical runs of adjacent cells in one column."""
    positions = sorted({_split_cell(c)[::-1] for c in cells})  # (col, row)
    ranges = []
    for col, group in groupby(positions, key=lambda p: p[0]):
        rows = [row for _, row in group]
        start = prev = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            ranges.append(sheet.range((start, col), (prev, col)))
            if row is not None:
                start = prev = row
    return ranges


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


def _apply_style(rng: xw.Range, style: CellStyle) -> None:
    if style.fill is not None:
        rng.color = style.fill
    if style.bold:
        rng.font.bold = True
    if style.italic:
        rng.font.italic = True
    if style.size is not None:
        rng.font.size = style.size
    if style.font_color is not None:
        rng.font.color = style.font_color
    if style.wrap:
        rng.wrap_text = True
    if style.align is not None:
        rng.horizontal_alignment = style.align
    if style.valign is not None:
        rng.vertical_alignment = style.valign
    if style.border:
        rng.borders.line_style = "continuous"
        if style.border_color is not None:
            rng.borders.color = style.border_color


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
