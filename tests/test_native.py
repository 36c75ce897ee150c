"""The C reader of worksheet XML (``pmo_xl._sheetxml``, issue "Fast consolidation").

It must give, for every sheet it accepts, the rows python-calamine gives (and so, through the
same conventions, openpyxl's values), and hand every sheet it does not read exactly so back to
calamine. Bad bytes give None or a list, never a crash.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest
import xlsxwriter
from c_reader import needs_c_reader
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from pmo_xl import native
from pmo_xl.fast_workbook import FastUnsupported, error_cells, open_fast
from pmo_xl.file_workbook import open_workbook, uncached_formulas

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus
from fuzz_sheetxml import damage

pytestmark = needs_c_reader
_sheetxml: Any = native._sheetxml  # None without the C reader: every test here is skipped

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED = (
    f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="4" uniqueCount="4">'
    "<si><t>x</t></si><si><t></t></si>"
    '<si><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve">a </t></r><r><t>b&amp;c</t>'
    '</r></si><si><t xml:space="preserve">  lead</t></si></sst>'
)


@pytest.fixture(autouse=True)
def c_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_XL_NATIVE", "1")


def _workbook(sheet_data: str, shared: str | None = SHARED, workbook_pr: str = "") -> bytes:
    """An .xlsx with one sheet ``S`` whose ``<sheetData>`` holds ``sheet_data``."""
    book = openpyxl.Workbook()
    book.active.title = "S"
    buf = io.BytesIO()
    book.save(buf)
    source, out = zipfile.ZipFile(buf), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = (
                    f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">'
                    f"<sheetData>{sheet_data}</sheetData></worksheet>"
                ).encode()
            elif info.filename == "xl/workbook.xml" and workbook_pr:
                data = data.replace(b"<workbookPr", f"<workbookPr {workbook_pr}".encode(), 1)
            elif info.filename == "xl/_rels/workbook.xml.rels" and shared is not None:
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.'
                    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                    b"</Relationships>",
                )
            elif info.filename == "[Content_Types].xml" and shared is not None:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            target.writestr(info, data)
        if shared is not None:
            target.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def _calamine_rows(data: bytes, sheet: str = "S") -> list[list[Any]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows: list[list[Any]] = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return rows


def _c_read(
    data: bytes, part: str = "xl/worksheets/sheet1.xml"
) -> tuple[list[list[Any]], list[native.Patch]] | None:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    reader = native.sheet_reader(
        archive.read("xl/workbook.xml"),
        archive.read("xl/styles.xml") if "xl/styles.xml" in names else None,
        archive.read("xl/sharedStrings.xml") if "xl/sharedStrings.xml" in names else None,
        native.MAX_CELLS,
    )
    assert reader is not None
    return reader.rows(archive.read(part))


def _c_rows(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> list[list[Any]] | None:
    read = _c_read(data, part)
    return None if read is None else read[0]


def _scanned_patches(sheet_xml: bytes) -> list[native.Patch]:
    """What the Python scans find in the sheet XML, as the C reader lists it."""
    errors = [(r, c, 0, text) for (r, c), text in error_cells(sheet_xml).items()]
    formulas = [(r, c, 1, text) for (r, c), text in uncached_formulas(sheet_xml).items()]
    return sorted(errors + formulas)


def test_the_c_reader_is_built_and_in_use() -> None:
    """``pip install -e .`` compiled it (CI installs a compiler): the tests below test it."""
    assert native.enabled()


READ_AS_CALAMINE = {
    "numbers, whole and decimal": '<row r="1"><c r="A1"><v>5</v></c><c r="B1"><v>2.5</v></c>'
    '<c r="C1"><v>-0.125</v></c><c r="D1"><v>1.5E-3</v></c><c r="E1"><v>-0</v></c></row>',
    "numbers strtod reads": '<row r="1"><c r="A1"><v>1.</v></c><c r="B1"><v>.5</v></c>'
    '<c r="C1"><v>+1</v></c><c r="D1"><v>1e400</v></c>'
    '<c r="E1"><v>0.1000000000000000055511151231257827</v></c>'
    '<c r="F1"><v>12345678901234567890</v></c></row>',
    "shared strings, rich text and kept spaces": '<row r="1"><c r="A1" t="s"><v>0</v></c>'
    '<c r="B1" t="s"><v>2</v></c><c r="C1" t="s"><v>3</v></c></row>',
    "an empty shared string extends the rows": '<row r="1"><c r="A1"><v>1</v></c>'
    '<c r="C1" t="s"><v>1</v></c></row>',
    "booleans": '<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c></row>',
    "a formula's text, with entities": '<row r="1"><c r="A1" t="str"><f>"a"</f>'
    "<v>a&amp;b&lt;&#233;&#x1F600;&quot;&apos;&gt;</v></c></row>",
    "used range from A1, rows and columns before the first cell": '<row r="3">'
    '<c r="C3"><v>1.5</v></c></row>',
    "a formula without its value is no value": '<row r="1"><c r="A1"><f>1/0</f><v></v></c>'
    '<c r="B1"><v>2</v></c><c r="C1"><f>1/0</f><v/></c><c r="D1"><f>2/0</f><v /></c></row>',
    "an empty text result is ''": '<row r="1"><c r="A1"><v>1</v></c><c r="B1" t="str">'
    '<f>""</f><v></v></c></row>',
    "an error cell is '' (the caller puts the error back)": '<row r="1"><c r="A1"><v>1</v>'
    '</c><c r="C1" t="e"><v>#N/A</v></c><c r="D1" t="e"><v></v></c></row>',
    "styled blanks are no value": '<row r="1"><c r="A1"><v>1</v></c><c r="C1" s="0"/></row>'
    '<row r="3"><c r="B3" s="0"/></row>',
    "spaces and line breaks between elements": '\n <row r="1" spans="1:2" ht="15"\n '
    'customHeight="1">\n  <c r="A1" s="0" t="n">\n   <v>3</v>\n  </c>\n </row>\n',
    "shared formulas and array formulas": '<row r="1"><c r="A1"><f t="shared" ref="A1:A2" '
    'si="0">1+1</f><v>2</v></c></row><row r="2"><c r="A2"><f t="shared" si="0"/><v>2</v></c>'
    '<c r="B2"><f t="array" ref="B2">SUM(A1:A2)</f><v>4</v></c></row>',
    "inline strings (openpyxl writes them), rich and empty": '<row r="1"><c r="A1" '
    't="inlineStr"><is><t>hi &amp; bye</t></is></c><c r="B1" t="inlineStr"><is><r><rPr><b/>'
    '</rPr><t xml:space="preserve">a </t></r><r><t>b</t></r></is></c><c r="C1" t="inlineStr"/>'
    '<c r="D1"><v>1</v></c><c r="E1" t="inlineStr"/></row>',
    "formulas saved without a value, in every shape": '<row r="1"><c r="A1"><f>1/0</f>'
    '</c><c r="B1"><f>SUM(A1:A2)</f><v/></c><c r="C1" s="0"><f>"a"&amp;"b"</f><v /></c>'
    '<c r="D1"><f>2+2</f><v></v></c><c r="E1"><f t="shared" ref="E1:E2" si="0">A1</f></c>'
    '</row><row r="2"><c r="E2"><f t="shared" si="0"/></c><c r="F2" t="str"><f>""</f><v></v>'
    '</c><c r="G2"><f>1+1</f><v>2</v></c><c r="H2" t="e"><f>1/0</f><v></v></c>'
    '<c s="0" r="I2"><f>3</f></c><c r="J2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
    "error cells with and without a value": '<row r="1"><c r="A1" t="e"><v>#REF!</v></c>'
    '<c r="B1" t="e"><v>#N/A</v></c><c r="C1" t="e"/><c r="D1" t="e"><v/></c>'
    '<c r="E1" s="0" t="e"><v>#VALUE!</v></c></row>',
    "empty rows and an empty sheet part": '<row r="1"/><row r="2"></row>',
}


@pytest.mark.parametrize("sheet_data", READ_AS_CALAMINE.values(), ids=READ_AS_CALAMINE.keys())
def test_sheet_read_by_c_gives_calamine_rows(sheet_data: str) -> None:
    data = _workbook(sheet_data)
    read = _c_read(data)
    assert read is not None  # read by C, not handed back
    assert read[0] == _calamine_rows(data)
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert sorted(read[1]) == _scanned_patches(sheet)


def test_rows_of_a_small_sheet_worked_out_by_hand() -> None:
    # B2 = 7 (row 2, column 2); D1 = "x" (shared string 0): a 2 × 4 rectangle from A1.
    data = _workbook(
        '<row r="1"><c r="D1" t="s"><v>0</v></c></row><row r="2"><c r="B2"><v>7</v></c></row>'
    )
    assert _c_rows(data) == [["", "", "", "x"], ["", 7.0, "", ""]]


HANDED_TO_CALAMINE = {
    "an inline string with a value as well": '<row r="1"><c r="A1" t="inlineStr"><v>1</v>'
    "<is><t>hi</t></is></c></row>",
    "ISO date": '<row r="1"><c r="A1" t="d"><v>2026-01-05T00:00:00</v></c></row>',
    "rows out of order": '<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v>'
    "</c></row>",
    "cells without a reference": '<row r="1"><c><v>1</v></c><c><v>2</v></c></row>',
    "rows without a number": '<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>2</v></c></row>',
    "cells out of order": '<row r="1"><c r="B1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
    "a cell of another row": '<row r="1"><c r="A2"><v>1</v></c></row>',
    "a carriage return an XML parser turns into a line feed": '<row r="1"><c r="A1" t="str">'
    "<v>a\r\nb</v></c></row>",
    "a value attribute it does not know": '<row r="1"><c r="A1" vm="1"><v>1</v></c></row>',
    "a comment": '<!-- note --><row r="1"><c r="A1"><v>1</v></c></row>',
    "a string index beyond the table": '<row r="1"><c r="A1" t="s"><v>99</v></c></row>',
    "an error written with single quotes": "<row r='1'><c r='A1' t='e'><v>#N/A</v></c></row>",
    "an error value with a character reference": '<row r="1"><c r="A1" t="e"><v>#N/A&#128;</v>'
    "</c></row>",
    "a '>' inside an attribute": '<row r="1"><c r="A1" s="0" x=">"><v>1</v></c></row>',
    "text with an escaped character (openpyxl keeps it, calamine decodes it)": '<row r="1">'
    '<c r="A1" t="str"><v>a_x000D_b</v></c></row>',
    "an inline string with an escaped character": '<row r="1"><c r="A1" t="inlineStr"><is><t>'
    "a_x0041_</t></is></c></row>",
    "a number that is not one": '<row r="1"><c r="A1"><v>1,5</v></c></row>',
}


@pytest.mark.parametrize("sheet_data", HANDED_TO_CALAMINE.values(), ids=HANDED_TO_CALAMINE.keys())
def test_sheet_the_c_reader_does_not_read_exactly_is_read_by_calamine(
    sheet_data: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _workbook(sheet_data)
    assert _c_rows(data) is None
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)

    def read() -> list[list[Any]] | str:
        try:
            with open_fast(path) as fast:
                rows = fast.raw_sheet("S").rows
                assert fast._book is not None  # calamine opened for it
                return rows
        except FastUnsupported:  # calamine refuses it too: openpyxl reads the file
            return "openpyxl"

    handed_back = read()
    monkeypatch.setenv("PMO_XL_NATIVE", "0")
    assert handed_back == read()  # as a build without the C reader reads it


def test_shared_strings_with_phonetic_runs_are_left_to_calamine() -> None:
    shared = SHARED.replace(
        "<si><t>x</t></si>", "<si><t>x</t><rPh sb='0' eb='1'><t>y</t></rPh></si>"
    )
    assert _sheetxml.parse_sst(shared.encode()) is None
    assert native.sheet_reader(b"<workbook/>", None, shared.encode(), 100) is None


def test_1904_workbooks_are_left_to_calamine() -> None:
    data = _workbook('<row r="1"><c r="A1"><v>1</v></c></row>', workbook_pr='date1904="1"')
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert native.sheet_reader(archive.read("xl/workbook.xml"), None, None, 100) is None


def test_dates_times_and_durations_are_openpyxl_values(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "D"
    sheet["A1"] = dt.datetime(2026, 1, 5)
    sheet["B1"] = dt.datetime(2026, 1, 5, 13, 30, 15)
    sheet["C1"] = dt.time(13, 30)
    sheet["D1"] = dt.timedelta(hours=30, minutes=5)
    sheet["E1"] = dt.date(1900, 1, 15)  # before 1 March 1900: Excel's phantom 29 February
    sheet["F1"] = 45000
    sheet["F1"].number_format = "mm/yy"
    sheet["G1"] = 0.25
    sheet["G1"].number_format = "h:mm"
    sheet["H1"] = 45000.5
    sheet["H1"].number_format = "[$-40C]d mmmm yyyy;@"
    sheet["A2"] = 45000  # no date format: a number
    path = tmp_path / "dates.xlsx"
    book.save(path)
    with open_fast(path) as fast, open_workbook(path) as reference:
        rows = fast.read_sheet("D").rows
        assert rows == reference.read_sheet("D").rows
        assert fast._book is None  # calamine was not needed
    assert rows[0] == [
        dt.datetime(2026, 1, 5),
        dt.datetime(2026, 1, 5, 13, 30, 15),
        dt.time(13, 30),
        dt.timedelta(days=1, hours=6, minutes=5),
        dt.datetime(1900, 1, 15),
        dt.datetime(2023, 3, 15),  # serial 45000 = 15 March 2023
        dt.time(6, 0),  # a quarter of a day
        dt.datetime(2023, 3, 15, 12, 0),
    ]


def test_workbooks_xlsxwriter_writes_are_read_by_c_as_calamine_reads_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "xlsxwriter.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("S")
    bold, money = book.add_format({"bold": True}), book.add_format({"num_format": "#,##0 €"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["Tâche", "Charge", "Début", "Fait", "Note"], bold)
    sheet.write_row(1, 0, ["T1 & <b>", 2.5, None, True, "ligne 1\nligne 2"])
    sheet.write_datetime(1, 2, dt.datetime(2026, 3, 2), day)
    sheet.write_number(2, 1, 1234.5, money)
    sheet.write_blank(2, 3, None, bold)
    sheet.write_rich_string(3, 0, "un ", bold, "gras", " texte")
    sheet.write_formula(3, 1, "=B2*2", None, 5)
    sheet.write_formula(3, 2, "=1/0", None, "#DIV/0!")
    sheet.write_boolean(3, 3, False)
    book.close()
    data = path.read_bytes()
    read = _c_read(data)
    assert read is not None
    assert read[0] == _patched(_calamine_rows(data), read[0])
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert sorted(read[1]) == _scanned_patches(sheet_xml) == [(4, 3, 0, "#DIV/0!")]  # C4
    with open_fast(path) as fast, open_workbook(path) as reference:
        assert fast.read_sheet("S").rows == reference.read_sheet("S").rows
        assert fast._book is None


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_workbooks_libreoffice_writes_are_read_by_c_as_calamine_reads_them(
    tmp_path: Path,
) -> None:
    source = tmp_path / "source.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "S"
    sheet.append(["Ressource", "Date", "Consommé (j)", "Commentaire"])
    sheet.append(["Inès Petit", dt.datetime(2026, 1, 5), 0.5, "réunion & suivi"])
    sheet.append(["Jules Leroy", dt.datetime(2026, 1, 6), "0,5", None])
    sheet.append(["Jules Leroy", "15/01/2026", 1, True])
    book.save(source)
    outdir = tmp_path / "lo"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    data = (outdir / "source.xlsx").read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(data))
    part = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    read = _c_read(data, part)
    assert read is not None
    assert read[0] == _patched(_calamine_rows(data), read[0])
    assert sorted(read[1]) == _scanned_patches(archive.read(part))


def test_benchmark_workbooks_are_read_by_c_as_calamine_reads_them(tmp_path: Path) -> None:
    """Every sheet of three generated project workbooks (planning, 3,000 time entries…)."""
    for index in range(3):
        path = corpus.write_project(tmp_path, index)
        data = path.read_bytes()
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        with open_fast(path) as fast:
            for name in fast.sheet_names():
                expected = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
                assert fast.raw_sheet(name).rows == _patched(expected, fast.raw_sheet(name).rows)
            assert fast._book is None
        archive = zipfile.ZipFile(io.BytesIO(data))
        for part in [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]:
            read = _c_read(data, part)
            assert read is not None
            assert sorted(read[1]) == _scanned_patches(archive.read(part))


def _patched(expected: list[list[Any]], rows: list[list[Any]]) -> list[list[Any]]:
    """calamine's rows with whole-day dates as the datetimes openpyxl gives (both readers'
    values mean the same once normalised; only the type of a date differs)."""
    out = []
    for line, got in zip(expected, rows, strict=True):
        out.append(
            [
                g if type(e) is dt.date and g == dt.datetime(e.year, e.month, e.day) else e
                for e, g in zip(line, got, strict=True)
            ]
        )
    return out


def test_damaged_sheet_xml_gives_rows_or_none_never_a_crash() -> None:
    """Random damage to a real sheet (bytes changed, cut, markup inserted): the C reader
    returns a rectangle or hands the sheet back, whatever the bytes."""
    data = _workbook(
        "".join(
            f'<row r="{r}" spans="1:4"><c r="A{r}" s="0" t="s"><v>{r % 4}</v></c>'
            f'<c r="B{r}"><v>{r * 0.5}</v></c><c r="C{r}" t="str"><f>A{r}&amp;"x"</f>'
            f'<v>v&amp;{r}</v></c><c r="D{r}" t="b"><v>{r % 2}</v></c></row>'
            for r in range(1, 60)
        )
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read("xl/worksheets/sheet1.xml")
    strings = _sheetxml.parse_sst(SHARED.encode())
    assert strings is not None
    rng = random.Random(20261127)
    accepted = 0
    for _ in range(4000):
        damaged = damage(sheet, rng)
        rows = _sheetxml.parse_sheet(damaged, strings, b"\x00", native._date_of, 10**6, [])
        if rows is not None:
            accepted += 1
            assert len({len(line) for line in rows}) <= 1  # a rectangle
            assert all(
                type(v) in (str, float, bool) for line in rows for v in line
            )  # no style is a date here
    assert accepted > 0  # some damage leaves a readable sheet (a changed digit, a cut cell)


def test_damaged_shared_strings_give_strings_or_none() -> None:
    rng = random.Random(7)
    source = SHARED.encode()
    for _ in range(2000):
        damaged = bytearray(source)
        at = rng.randrange(len(damaged))
        damaged[at : at + rng.randint(0, 5)] = bytes(rng.randrange(256) for _ in range(3))
        strings = _sheetxml.parse_sst(bytes(damaged))
        assert strings is None or all(type(s) is str for s in strings)


def test_a_sheet_beyond_the_cell_limit_is_handed_back() -> None:
    # A1 and C2000: 2,000 rows × 3 columns = 6,000 cells, over a limit of 5,000.
    data = _workbook(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="2000"><c r="C2000"><v>2</v></c></row>'
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheet = archive.read("xl/worksheets/sheet1.xml")
    assert _sheetxml.parse_sheet(sheet, [], b"", native._date_of, 5_000, []) is None
    assert len(_sheetxml.parse_sheet(sheet, [], b"", native._date_of, 6_000, [])) == 2000


def test_extent_of_sheet_xml_in_the_strict_form_is_its_largest_row_and_column() -> None:
    xml = (
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="AB1" s="2"/></row>'
        b'<row r="7"/><row r="3"><c r="C3" t="s"><v>0</v></c></row></sheetData>'
        b'<cols><col min="1" max="40"/></cols><conditionalFormatting sqref="A1:ZZ9"/>'
    )
    # Rows 1, 7 and 3 (out of order): 7; columns A, AB (= 28) and C: 28. <col> is no cell.
    assert _sheetxml.strict_extent(xml) == (7, 28, False)
    assert _sheetxml.strict_extent(b"") == (0, 0, False)
    # Merged cells and links are measured by preflight from their ref: told, not read here.
    merged = xml + b'<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'
    assert _sheetxml.strict_extent(merged) == (7, 28, True)
    linked = xml + b'<hyperlinks><hyperlink ref="D9" r:id="rId1"/></hyperlinks>'
    assert _sheetxml.strict_extent(linked) == (7, 28, True)


@pytest.mark.parametrize(
    "tag",
    [
        b'<c s="1" r="A1">',  # r not first
        b"<c>",  # no reference
        b"<c r='A1'>",  # single quotes
        b'<c r="ABCD1">',  # four letters
        b'<c r="A01">',  # a leading zero
        b'<c r="A12345678">',  # eight digits
        b'<c  r="A1">',  # two spaces
        b'<c\nr="A1">',
        b"<row>",
        b'<row spans="1:2" r="1">',
        b'<x:c r="A1">',  # a prefixed tag
        b'<x:row r="1">',
    ],
)
def test_any_other_form_of_cell_or_row_tag_is_left_to_preflights_exact_scan(tag: bytes) -> None:
    assert _sheetxml.strict_extent(b'<row r="1"><c r="A1"/>' + tag + b"</row>") is None


# --- Which styles are dates -------------------------------------------------------------------


def _openpyxl_codes(styles_xml: bytes) -> bytes:
    """openpyxl's own decision, style by style (the reference reader's)."""
    from openpyxl.styles.stylesheet import Stylesheet
    from openpyxl.xml.functions import fromstring

    sheet = Stylesheet.from_tree(fromstring(styles_xml))
    dates, durations = sheet.date_formats, sheet.timedelta_formats
    return bytes(
        (2 if i in durations else 1) if i in dates else 0 for i in range(len(sheet.cell_styles))
    )


FORMATS = [
    "General", "0.00", "dd/mm/yyyy", "d mmmm yyyy", "[$-40C]d mmmm yyyy;@", "mm/yy", "h:mm",
    "[h]:mm:ss", "[H]", "[H]:MM", "[mm]:ss", "[ss].00", '"jour" 0', '0 "days"', '#,##0 "€"',
    "[Red]0.00", "[Blue]#,##0;[Red]-#,##0", "\\d0", "_m0", "0_d", "yyyy-mm-dd hh:mm:ss",
    "@", "0%", "# ?/?", '"d"', "[$€-40C] #,##0.00", "0;d", "[h]", "[hh]:mm", 'd"', "",
]  # fmt: skip


@pytest.mark.parametrize("code", FORMATS)
def test_a_format_is_a_date_or_a_duration_as_openpyxl_decides(code: str) -> None:
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format

    date, elapsed = is_date_format(code), is_timedelta_format(code)
    assert native.format_kind(code) == ((2 if elapsed else 1) if date else 0)


def test_built_in_formats_are_dates_as_openpyxl_decides() -> None:
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    for number in range(0, 200):
        code = BUILTIN_FORMATS.get(number)
        expected = native.format_kind(code) if code is not None else 0
        assert (
            2
            if number in native._BUILTIN_DURATIONS
            else 1
            if number in native._BUILTIN_DATES
            else 0
        ) == expected, number


def test_style_sheets_read_here_give_openpyxl_dates(tmp_path: Path) -> None:
    """Style sheets of the benchmark, openpyxl, XlsxWriter and a hand-made one with every
    kind of format: the same date styles as openpyxl's reading, without importing it."""
    sheets = [zipfile.ZipFile(corpus.write_project(tmp_path, 0)).read("xl/styles.xml")]
    book = openpyxl.Workbook()
    for i, code in enumerate(FORMATS, start=1):
        book.active.cell(i, 1, 1).number_format = code
    buf = io.BytesIO()
    book.save(buf)
    sheets.append(zipfile.ZipFile(buf).read("xl/styles.xml"))
    path = tmp_path / "xlsxwriter.xlsx"
    writer = xlsxwriter.Workbook(str(path))
    sheet = writer.add_worksheet()
    for i, code in enumerate(FORMATS):
        sheet.write_number(i, 0, 1, writer.add_format({"num_format": code}))
    writer.close()
    sheets.append(zipfile.ZipFile(path).read("xl/styles.xml"))
    for styles_xml in sheets:
        here = native._style_codes_here(styles_xml)
        assert here is not None
        assert here == _openpyxl_codes(styles_xml)
        assert 1 in here  # each holds date styles


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet='dmyhsDMYHS0#.,;:"[]$-_\\@ /ReLx', max_size=16))
def test_any_format_is_a_date_or_a_duration_as_openpyxl_decides(code: str) -> None:
    from openpyxl.styles.numbers import is_date_format, is_timedelta_format

    date, elapsed = is_date_format(code), is_timedelta_format(code)
    assert native.format_kind(code) == ((2 if elapsed else 1) if date else 0)


@settings(max_examples=1500, deadline=None)
@given(
    st.one_of(
        st.floats(min_value=-1e7, max_value=3e6, allow_nan=False),
        st.integers(min_value=-10, max_value=80).map(float),
        st.floats(min_value=0, max_value=2),
        st.floats(min_value=45000, max_value=47000),
    ),
    st.booleans(),
)
def test_serials_are_read_as_openpyxl_reads_them(serial: float, duration: bool) -> None:
    """Dates, times of day, durations, Excel's phantom 29 February 1900, and the errors of
    serials no Python date holds: as openpyxl's ``from_excel``."""
    from openpyxl.utils.datetime import from_excel

    try:
        expected: Any = from_excel(serial, timedelta=duration)
    except (ValueError, OverflowError) as exc:
        expected = type(exc)
    try:
        got: Any = native.serial_value(serial, duration=duration)
    except (ValueError, OverflowError) as exc:
        got = type(exc)
    assert got == expected
    assert type(got) is type(expected)


def test_columns_of_a_rectangle_of_rows_are_its_cells_column_by_column() -> None:
    a, b = object(), "x"
    assert native.columns([[1.0, a], [b, None], ["", 2.0]]) == [[1.0, b, ""], [a, None, 2.0]]
    assert native.columns([[1.0], [2.0, 3.0]]) is None  # not a rectangle: zip them
    assert native.columns([]) is None


def test_version_names_the_c_reader_when_it_reads() -> None:
    from typer.testing import CliRunner

    from pmo_xl.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "lecteur C" in result.output


# --- writing the rows of an output table ------------------------------------------------------


def _rows(codes: list[list[int]], endings: list[list[bytes | None]], **kw: Any) -> list[bytes]:
    arrays = [np.asarray(c, dtype=np.intp) for c in codes]
    opens = [b'<c r="' + bytes([65 + j]) for j in range(len(codes))]
    pieces = native.frame_rows(
        kw.get("first", 5),
        kw.get("tails", [b'">']),
        kw.get("tail_codes"),
        opens,
        arrays,
        endings,
        kw.get("start", 0),
        kw.get("stop", len(codes[0])),
        np.asarray(kw.get("skip", []), dtype=np.intp),
    )
    assert pieces is not None
    return pieces


def test_frame_rows_worked_out_by_hand() -> None:
    # Row 5: A5 takes ending 1, B5 is blank with a format (the last ending); row 6: A6 is
    # blank without a format (None: no cell), B6 takes ending 0; row 6's tag has a height.
    rows = _rows(
        [[1, -1], [-1, 0]],
        [[b'"><v>1</v></c>', b'"><v>2</v></c>', None], [b'" t="s"><v>0</v></c>', b'" s="3"/>']],
        tails=[b'">', b'" ht="30" customHeight="1">'],
        tail_codes=np.asarray([0, 1], dtype=np.intp),
    )
    assert rows == [
        b'<row r="5"><c r="A5"><v>2</v></c><c r="B5" s="3"/></row>'
        b'<row r="6" ht="30" customHeight="1"><c r="B6" t="s"><v>0</v></c></row>'
    ]


def test_frame_rows_writes_only_the_rows_asked_for() -> None:
    rows = _rows([[0, 0, 0]], [[b'"/>', None]], first=1, start=1, stop=3)
    assert rows == [b'<row r="2"><c r="A2"/></row><row r="3"><c r="A3"/></row>']


def test_frame_rows_leaves_out_the_rows_to_skip_and_splits_there() -> None:
    # Rows 0-5 numbered 1-6, asked 1..4 (rows 2-5), skipping 0 (before), 2, 3 and 9 (after):
    # pieces before row 2, between 2 and 3 (empty), after 3.
    rows = _rows([[0] * 6], [[b'"/>', None]], first=1, start=1, stop=5, skip=[0, 2, 3, 9])
    assert rows == [
        b'<row r="2"><c r="A2"/></row>',
        b"",
        b'<row r="5"><c r="A5"/></row>',
    ]


def test_frame_rows_refuses_a_code_beyond_its_endings() -> None:
    with pytest.raises(IndexError):
        _rows([[2]], [[b'"/>', None]])
    with pytest.raises(IndexError):
        _rows([[-2]], [[b'"/>', None]])


def test_frame_rows_refuses_codes_that_are_not_intp_or_too_short() -> None:
    none = np.zeros(0, np.intp)
    for codes, stop in ((np.zeros(2, np.int32), 2), (np.zeros(1, np.intp), 2), (none, 2**21)):
        with pytest.raises(ValueError):
            native.frame_rows(1, [b">"], None, [b"<c"], [codes], [[None]], 0, stop, none)


def test_frame_rows_refuses_rows_to_skip_out_of_order() -> None:
    with pytest.raises(ValueError):
        _rows([[0, 0, 0]], [[b'"/>', None]], skip=[2, 1])


# --- texts and dicts of grouped items (a resource's week, its projects) ----------------------


def test_grouped_texts_worked_out_by_hand() -> None:
    # Items: A→"1,0", B→"2,5", É→"2,5"; groups [0:1], [1:1] (empty), [1:3].
    texts = native.grouped_texts(
        ["A", "B", "É"],
        ["1,0", "2,5"],
        np.asarray([0, 1, 1], dtype=np.intp),
        np.asarray([0, 1, 1, 3], dtype=np.intp),
        " : ",
        " ; ",
    )
    assert texts == ["A : 1,0", "", "B : 2,5 ; É : 2,5"]


def test_grouped_texts_keeps_characters_beyond_latin() -> None:
    texts = native.grouped_texts(
        ["Ω-1", "P😀"], ["3"], np.zeros(2, np.intp), np.asarray([0, 2], np.intp), "→", " · "
    )
    assert texts == ["Ω-1→3 · P😀→3"]


def test_grouped_texts_refuses_bad_codes_and_bounds() -> None:
    one = np.asarray([0, 1], dtype=np.intp)
    with pytest.raises(IndexError):  # a code beyond the values
        native.grouped_texts(["A"], ["1"], np.asarray([1], np.intp), one, ":", ";")
    for starts in ([1, 1], [0, 2], [0, 1, 0, 1]):  # not from 0, past the end, decreasing
        with pytest.raises(ValueError):
            native.grouped_texts(["A"], ["1"], np.zeros(1, np.intp), np.asarray(starts), ":", ";")
    with pytest.raises(TypeError):
        native.grouped_texts(["A"], [1], np.zeros(1, np.intp), one, ":", ";")  # type: ignore[list-item]


def test_grouped_dicts_worked_out_by_hand() -> None:
    dicts = native.grouped_dicts(
        ["A", "B", "A", "C", "C"], [1.0, 2.0, 3.0, 4.0, 5.0], np.asarray([0, 2, 2, 5], np.intp)
    )
    assert dicts == [{"A": 1.0, "B": 2.0}, {}, {"A": 3.0, "C": 5.0}]  # the later C wins


def test_grouped_dicts_refuses_lists_of_two_lengths() -> None:
    with pytest.raises(ValueError):
        native.grouped_dicts(["A"], [1.0, 2.0], np.asarray([0, 1], np.intp))


@pytest.mark.parametrize("native_on", ["1", "0"], ids=["C code", "Python"])
def test_records_worked_out_by_hand(native_on: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PMO_XL_NATIVE", native_on)
    made = native.records(["a", "b", "a"], [[1, 2], ["x", None], [3.5, {"P": 1.0}]])
    assert made == [{"a": 3.5, "b": "x"}, {"a": {"P": 1.0}, "b": None}]  # the later "a" wins
    assert [list(r) for r in made] == [["a", "b"], ["a", "b"]]  # keys in the names' order
    assert native.records(["a"], [[]]) == [] and native.records([], []) == []
    with pytest.raises(ValueError):
        native.records(["a", "b"], [[1, 2], [3]])


@given(
    st.lists(
        st.tuples(st.sampled_from(["PRJ-1", "PRJ-2", "Été"]), st.sampled_from([0.5, 1.25, 3.0])),
        max_size=12,
    ),
    st.lists(st.integers(0, 12), max_size=6),
)
@settings(max_examples=60, deadline=None)
def test_grouped_texts_and_dicts_are_the_plain_python_ones(
    items: list[tuple[str, float]], cuts: list[int]
) -> None:
    labels = [label for label, _ in items]
    days = [d for _, d in items]
    starts = np.asarray(sorted({0, len(items), *(c for c in cuts if c <= len(items))}), np.intp)
    values = sorted(set(days))
    codes = np.asarray([values.index(d) for d in days], dtype=np.intp)
    shown = [f"{v:.1f}" for v in values]
    groups = list(zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True))
    assert native.grouped_texts(labels, shown, codes, starts, " : ", " ; ") == [
        " ; ".join(f"{labels[k]} : {shown[codes[k]]}" for k in range(s, e)) for s, e in groups
    ]
    assert native.grouped_dicts(labels, days, starts) == [
        dict(zip(labels[s:e], days[s:e], strict=True)) for s, e in groups
    ]


@needs_c_reader
def test_typed_column_types_plain_cells_and_leaves_the_odd_ones_to_convert() -> None:
    day = dt.date(2026, 1, 5)  # toordinal() = 739621
    cells: list[Any] = [2.5, 3, "", None, " x ", "  ", day, dt.datetime(2026, 1, 5, 10), True]
    cells += [float("nan"), 10**400, dt.date(1800, 1, 1)]
    numbers, slow, blank = native.typed_column(cells, "number", 693596, 767010) or ((),) * 3
    assert numbers[:2].tolist() == [2.5, 3.0]  # an integer as a float
    # text, dates, a boolean, NaN and an integer too big for a float: convert() decides
    assert slow.tolist() == [False] * 4 + [True] * 8
    assert blank.tolist() == [False, False, True, True, False, True] + [False] * 6
    days, slow, _blank = native.typed_column(cells, "date", 693596, 767010) or ((),) * 3
    assert days[6:8].tolist() == [739621, 739621]  # a datetime's day, its time dropped
    assert days[:4].tolist()[2:] == [0, 0]  # blanks
    # 1800 is before the first day given (1 January 1900 = 693596): DATE_INVALID's case
    assert slow.tolist() == [True, True, False, False, True, True, False, False] + [True] * 4
    texts, slow, _blank = native.typed_column(cells, "text", 693596, 767010) or ((),) * 3
    assert texts[:6] == [2.5, 3, None, None, "x", None]  # stripped; only spaces: blank
    assert slow.tolist()[:6] == [True, True, False, False, False, False]
    raw, _slow, _blank = native.typed_column(cells, "enum", 693596, 767010) or ((),) * 3
    assert raw[2:6] == [None, None, " x ", "  "]  # as typed: the list's lookup strips them


@needs_c_reader
def test_typed_column_shares_equal_texts() -> None:
    a, b = "Claire Martin", " Claire Martin "
    texts, _slow, _blank = (
        native.typed_column([a, b, "".join(["Claire", " Martin"])], "text", 1, 2) or ((),) * 3
    )
    assert texts[0] is texts[1] is texts[2]  # one object in memory and in the cache
