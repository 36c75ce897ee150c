"""Preflight: each file is looked at before any parser; a bad one gets a status and a reason."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import random
import re
import string
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import hostile
import openpyxl
import pytest
from c_reader import needs_c_reader
from hostile import number_rows, sheet_xml, write_xlsx, xlsx_parts
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from pmo_xl import preflight as pf
from pmo_xl.messages import MESSAGES
from pmo_xl.preflight import Limits, preflight


@pytest.fixture(autouse=True, params=[pytest.param("C scan", marks=needs_c_reader), "Python scan"])
def extent_scan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test twice: sheets measured by the C reader's scan, and by preflight's own
    (a build without the C reader)."""
    monkeypatch.setenv("PMO_XL_NATIVE", "1" if request.param == "C scan" else "0")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, hostile.Case]:
    folder = tmp_path_factory.mktemp("corpus")
    return {make.__name__: make(folder) for make in hostile.CORPUS}


CASE_NAMES = [make.__name__ for make in hostile.CORPUS]


# --- The corpus -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_corpus_file_gets_its_expected_status_and_reason(
    corpus: dict[str, hostile.Case], name: str
) -> None:
    case = corpus[name]
    result = preflight(case.path)
    assert (result.status, result.reason_code) == (case.status, case.reason_code), result.params


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_corpus_file_is_inspected_in_under_a_second_and_32_mb(
    corpus: dict[str, hostile.Case], name: str
) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    preflight(corpus[name].path)
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 32 * 2**20  # the zip bomb declares 1 GiB; nothing near that is ever allocated


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_refusal_reads_in_french_and_english_with_all_its_values(
    corpus: dict[str, hostile.Case], name: str
) -> None:
    result = preflight(corpus[name].path)
    if result.reason_code is None:
        assert result.reason("fr") is None
        return
    message = MESSAGES[result.reason_code]
    for template in (message.fr, message.en):
        fields = {f for _t, f, _s, _c in string.Formatter().parse(template) if f}
        assert fields <= set(result.params), fields - set(result.params)
    assert result.reason("fr") != result.reason("en")


def test_far_corner_reason_names_the_cell(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["far_corner"].path)
    assert "XFD1048576" in (result.reason("fr") or "")
    assert "démesurée" in (result.reason("fr") or "")
    assert "oversized" in (result.reason("en") or "")


def test_declared_extent_can_be_let_through(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["declared_only"].path, Limits(refuse_declared_extent=False))
    assert result.ok
    [sheet] = result.sheets
    assert (sheet.rows, sheet.cols, sheet.declared) == (2, 3, "A1:XFD1048576")


def test_declared_only_extent_says_declares(corpus: dict[str, hostile.Case]) -> None:
    assert "déclare une plage démesurée (XFD1048576" in (
        preflight(corpus["declared_only"].path).reason("fr") or ""
    )


def test_owner_files_are_ignored_without_any_finding(corpus: dict[str, hostile.Case]) -> None:
    for name in ("excel_owner_file", "libreoffice_lock_file"):
        result = preflight(corpus[name].path)
        assert result.status == "ignored"
        assert result.findings(corpus[name].path.name) == []


def test_macos_metadata_files_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "._projet.xlsx"
    path.write_bytes(b"\x00\x05\x16\x07" + bytes(60))
    assert (preflight(path).status, preflight(path).reason_code) == ("ignored", "FILE_MAC_METADATA")


def test_a_refusal_is_one_error_finding_on_the_file(corpus: dict[str, hostile.Case]) -> None:
    [finding] = preflight(corpus["encrypted_ooxml"].path).findings("mot_de_passe.xlsx")
    assert (finding.file, finding.code, finding.severity) == (
        "mot_de_passe.xlsx",
        "FILE_ENCRYPTED",
        "error",
    )
    assert "protégé par mot de passe" in finding.message("fr")


def test_external_links_are_a_warning_not_a_refusal(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["external_links"].path)
    assert result.ok
    [finding] = result.findings("liaisons.xlsx")
    assert (finding.code, finding.severity, finding.params) == (
        "FILE_EXTERNAL_LINKS",
        "warning",
        {"count": 1},
    )


def test_corrupt_deflate_is_zlib_error_for_zipfile_and_corrupt_file_here(
    corpus: dict[str, hostile.Case],
) -> None:
    path = corpus["corrupt_deflate"].path
    with pytest.raises(zlib.error), zipfile.ZipFile(path) as z:
        z.read("xl/worksheets/sheet2.xml")  # not BadZipFile: why preflight catches both
    result = preflight(path)
    assert result.params == {
        "part": "xl/worksheets/sheet2.xml",
        "cause": "deflate",
        "cause_fr": "données compressées illisibles",
    }
    # French throughout in French, English in English.
    assert "(xl/worksheets/sheet2.xml : données compressées illisibles)" in result.reason("fr")
    assert "(xl/worksheets/sheet2.xml: deflate)" in (result.reason("en") or "")


def test_lying_dimension_passes_and_reads_in_full(corpus: dict[str, hostile.Case]) -> None:
    path = corpus["lying_dimension"].path
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols, sheet.declared) == (500, 3, "A1")
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    assert len(list(ws.iter_rows(values_only=True))) == 1  # trusting the dimension loses rows
    ws.reset_dimensions()
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 500
    assert rows[-1] == (5000, 5001, 5002)  # row 500: 500 × 10 + column 0, 1, 2


def test_malformed_sheet_passes_preflight_and_openpyxl_refuses_it(
    corpus: dict[str, hostile.Case],
) -> None:
    # Well-formedness of sheets is the parser's job (run bounded): checking it here would
    # triple preflight's time.
    assert preflight(corpus["malformed_sheet_xml"].path).ok
    with pytest.raises(SyntaxError):  # xml.etree ParseError
        openpyxl.load_workbook(corpus["malformed_sheet_xml"].path)


# --- 1904 date system ---------------------------------------------------------------------------


@pytest.mark.parametrize("read_only", [True, False])
def test_1904_workbook_is_flagged_and_openpyxl_reads_its_dates(
    corpus: dict[str, hostile.Case], read_only: bool
) -> None:
    path = corpus["date_1904"].path
    result = preflight(path)
    assert result.is_1904
    assert [w.code for w in result.warnings] == ["FILE_DATE_1904"]
    wb = openpyxl.load_workbook(path, read_only=read_only)
    # Serial 43904 in the 1904 system (see hostile.date_1904 for the arithmetic).
    assert wb.worksheets[0]["A1"].value == dt.datetime(2024, 3, 15)


@pytest.mark.parametrize("read_only", [True, False])
def test_workbook_saved_by_openpyxl_in_1904_reads_back_the_same_date(
    tmp_path: Path, read_only: bool
) -> None:
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    wb.active["A1"] = dt.datetime(2026, 11, 20)
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        # 1904-01-01 → 2026-11-20: 122 years with 31 leap days (1904…2024) = 44561, + 323 days
        # (Jan 1 → Nov 20 in 2026) = 44884.
        assert b"<v>44884</v>" in z.read("xl/worksheets/sheet1.xml")
    assert preflight(path).is_1904
    back = openpyxl.load_workbook(path, read_only=read_only)
    assert back.worksheets[0]["A1"].value == dt.datetime(2026, 11, 20)


def test_calamine_reads_1904_dates_too(corpus: dict[str, hostile.Case]) -> None:
    calamine = pytest.importorskip("python_calamine")
    book = calamine.CalamineWorkbook.from_path(str(corpus["date_1904"].path))
    assert book.get_sheet_by_index(0).to_python() == [[dt.date(2024, 3, 15)]]


def test_ordinary_workbook_is_not_1904(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["valid"].path)
    assert (result.is_1904, result.warnings) == (False, ())


# --- Limits are settings ------------------------------------------------------------------------


def test_rows_beyond_a_lowered_limit_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(number_rows(300))})
    assert preflight(path).ok
    result = preflight(path, Limits(max_rows=299))
    assert (result.reason_code, result.params["cell"]) == ("FILE_EXTENT_TOO_LARGE", "C300")


def test_cells_beyond_the_area_limit_are_refused(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(number_rows(300))})
    # 300 rows × 3 columns = 900 cells.
    assert preflight(path, Limits(max_cells=900)).ok
    assert preflight(path, Limits(max_cells=899)).reason_code == "FILE_EXTENT_TOO_LARGE"


def test_only_the_sheets_to_be_read_are_inflated(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        {"Historique": sheet_xml(number_rows(3)), "Détail": sheet_xml(number_rows(300))},
    )
    limits = Limits(max_rows=299)  # Détail's row 300 is beyond it
    assert preflight(path, limits).reason_code == "FILE_EXTENT_TOO_LARGE"
    only = preflight(path, limits, sheets=lambda name: name == "Historique")
    assert only.ok
    assert [s.name for s in only.sheets] == ["Historique"]  # Détail was not inflated
    # Its declared size still counts: a bomb is refused even where nobody reads.
    assert preflight(
        path, Limits(max_uncompressed_mb=0.001), sheets=lambda n: False
    ).reason_code == ("FILE_ZIP_BOMB")


def test_file_size_limit(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["valid"].path, Limits(max_file_mb=0.001))  # 1,048 bytes
    assert result.reason_code == "FILE_TOO_LARGE"


def test_part_count_limit(corpus: dict[str, hostile.Case]) -> None:
    with zipfile.ZipFile(corpus["valid"].path) as z:
        count = len(z.infolist())
    assert preflight(corpus["valid"].path, Limits(max_members=count)).ok
    result = preflight(corpus["valid"].path, Limits(max_members=count - 1))
    assert (result.reason_code, result.params["count"]) == ("FILE_TOO_MANY_PARTS", count)


def test_ratio_limit_applies_from_its_floor(corpus: dict[str, hostile.Case]) -> None:
    path = corpus["lying_dimension"].path  # its sheet compresses well above 2:1
    assert preflight(path, Limits(max_ratio=2)).ok  # parts under 1 MB: ratio not looked at
    assert preflight(path, Limits(max_ratio=2, ratio_min_mb=0)).reason_code == "FILE_ZIP_BOMB"


def test_uncompressed_total_limit(corpus: dict[str, hostile.Case]) -> None:
    result = preflight(corpus["lying_dimension"].path, Limits(max_uncompressed_mb=0.01))
    assert result.reason_code == "FILE_ZIP_BOMB"


# --- Sheet extent -----------------------------------------------------------------------------


def test_extent_of_an_ordinary_sheet_is_exact(corpus: dict[str, hostile.Case]) -> None:
    sheets = {s.name: s for s in preflight(corpus["valid"].path).sheets}
    # Projet: 2 rows × 2 columns; Planning: a header + 40 tasks, 3 columns.
    assert (sheets["Projet"].rows, sheets["Projet"].cols) == (2, 2)
    assert (sheets["Planning"].rows, sheets["Planning"].cols, sheets["Planning"].last_cell) == (
        41,
        3,
        "C41",
    )


def test_a_row_out_of_order_is_found_beyond_the_last_row(tmp_path: Path) -> None:
    rows = number_rows(5) + number_rows(1, start=150_000) + number_rows(5, start=6)
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows)})
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols) == (150_000, 3)


def test_rows_in_reverse_order_are_measured_exactly(tmp_path: Path) -> None:
    rows = "".join(number_rows(1, cols=2, start=r) for r in range(300, 0, -1))
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows)})
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols) == (300, 2)


def test_cells_without_r_are_placed_as_parsers_place_them(tmp_path: Path) -> None:
    # Row 1: A1, B1; row 2: A2; row 10: C10 then (implicitly) D10 → 10 rows × 4 columns.
    rows = (
        "<row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c></row>"
        '<row r="10"><c r="C10"><v>1</v></c><c><v>5</v></c></row>'
    )
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows)})
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols) == (10, 4)


def test_prefixed_sheet_is_measured(tmp_path: Path) -> None:
    rows = number_rows(7).replace("<", "<x:").replace("<x:/", "</x:")
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows, "A1:C7", prefix="x")})
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols, sheet.declared) == (7, 3, "A1:C7")


def test_big_sheet_streamed_in_chunks_is_measured(tmp_path: Path) -> None:
    # ~6 MB of sheet XML: more than one 4 MB chunk.
    rows = number_rows(60_000, cols=4)
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows)})
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols) == (60_000, 4)


def test_far_merge_hidden_inside_the_data_is_refused(tmp_path: Path) -> None:
    rows = number_rows(2) + '<mergeCells count="1"><mergeCell ref="A1:C900000"/></mergeCells>'
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": sheet_xml(rows + number_rows(2, start=3))})
    result = preflight(path)
    assert (result.reason_code, result.params["cell"]) == ("FILE_EXTENT_TOO_LARGE", "C900000")


def test_far_comment_is_refused(tmp_path: Path) -> None:
    comments = (
        f'{hostile.DECL}<comments xmlns="{hostile.MAIN_NS}"><authors><author>a</author></authors>'
        '<commentList><comment ref="XFD1048576" authorId="0"><text><t>x</t></text></comment>'
        "</commentList></comments>"
    )
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(2))})
    parts["xl/comments1.xml"] = comments
    path = hostile.write_zip(tmp_path / "p.xlsx", parts)
    result = preflight(path)
    assert (result.reason_code, result.params["sheet"]) == (
        "FILE_EXTENT_TOO_LARGE",
        "xl/comments1.xml",
    )


def test_far_table_range_is_refused(tmp_path: Path) -> None:
    table = (
        f'{hostile.DECL}<table xmlns="{hostile.MAIN_NS}" id="1" name="T" displayName="T" '
        'ref="A1:C1048576"><tableColumns count="1"><tableColumn id="1" name="A"/></tableColumns>'
        "</table>"
    )
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(2))})
    parts["xl/tables/table1.xml"] = table
    path = hostile.write_zip(tmp_path / "p.xlsx", parts)
    result = preflight(path)
    assert (result.reason_code, result.params["cell"]) == ("FILE_EXTENT_TOO_LARGE", "C1048576")


@pytest.mark.parametrize("n", [1, 9, 10, 12, 99, 3001, 9999, 200_000])
def test_bound_regex_for_numbers_matches_exactly_one_to_n(n: int) -> None:
    pattern = re.compile(pf._le_number(n) + "$")
    assert [k for k in range(1, 3 * n + 10) if bool(pattern.match(str(k))) != (k <= n)] == []


@pytest.mark.parametrize("n", [1, 20, 26, 27, 52, 200, 1000, 16384])
def test_bound_regex_for_columns_matches_exactly_a_to_n(n: int) -> None:
    pattern = re.compile(pf._le_letters(n) + "$")
    letters = pf.column_letter
    assert [k for k in range(1, 17_000) if bool(pattern.match(letters(k))) != (k <= n)] == []


# --- XML prologs ----------------------------------------------------------------------------------


def test_doctype_behind_a_long_padded_prolog_is_refused(tmp_path: Path) -> None:
    xml = sheet_xml(number_rows(2)).replace(
        hostile.DECL, hostile.DECL + "<!--" + "x" * 70_000 + "-->" + "<!DOCTYPE worksheet []>"
    )
    path = write_xlsx(tmp_path / "p.xlsx", {"Feuil1": xml})
    assert preflight(path).reason_code == "FILE_XML_DOCTYPE"


def test_utf16_xml_part_is_refused(tmp_path: Path) -> None:
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(2))})
    parts["xl/worksheets/sheet1.xml"] = str(parts["xl/worksheets/sheet1.xml"]).encode("utf-16")
    path = hostile.write_zip(tmp_path / "p.xlsx", parts)
    assert preflight(path).params == {
        "part": "xl/worksheets/sheet1.xml",
        "cause": "UTF-16/32 XML",
        "cause_fr": "XML en UTF-16/32",
    }


# --- OLE files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "code"),
    [("encrypted_ooxml", "FILE_ENCRYPTED"), ("legacy_xls", "FILE_LEGACY_XLS")],
)
def test_ole_kind_is_told_without_olefile(
    corpus: dict[str, hostile.Case], monkeypatch: pytest.MonkeyPatch, name: str, code: str
) -> None:
    real = importlib.import_module

    def no_olefile(module: str, *args: object) -> object:
        if module == "olefile":
            raise ImportError(module)
        return real(module, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pf.importlib, "import_module", no_olefile)
    assert preflight(corpus[name].path).reason_code == code


def test_workbook_encrypted_by_msoffcrypto_is_password_protected(
    corpus: dict[str, hostile.Case], tmp_path: Path
) -> None:
    ooxml = pytest.importorskip("msoffcrypto.format.ooxml")
    out = tmp_path / "chiffre.xlsx"
    with corpus["valid"].path.open("rb") as plain, out.open("wb") as encrypted:
        ooxml.OOXMLFile(plain).encrypt("secret", encrypted)
    assert preflight(out).reason_code == "FILE_ENCRYPTED"


# --- Robustness and speed -----------------------------------------------------------------------


def test_a_folder_path_is_not_accessible_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "dossier.xlsx"
    folder.mkdir()
    found = preflight(folder)
    assert found.reason_code == "FILE_NOT_ACCESSIBLE"
    # The system's reason in the message's language, not its English words in French.
    assert "(c'est un dossier)" in found.reason("fr")
    assert "(it is a folder)" in found.reason("en")


def test_random_damage_never_raises_nor_surprises(corpus: dict[str, hostile.Case]) -> None:
    data = corpus["valid"].path.read_bytes()
    rng = random.Random(7)
    target = corpus["valid"].path.parent / "abime.xlsx"
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        if rng.random() < 0.3:
            damaged = damaged[: rng.randrange(len(damaged))]
        target.write_bytes(bytes(damaged))
        result = preflight(target)
        assert not str(result.params.get("cause", "")).startswith("unexpected"), result.params


def _three_thousand_rows(path: Path) -> Path:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Planning")
    ws.append(["ID", "Lot", "Tâche", "Responsable", "Début", "Fin", "Charge", "Reste", "Statut"])
    start = dt.date(2026, 1, 5)
    for i in range(3000):
        day = start + dt.timedelta(days=i % 250)
        ws.append([f"T{i}", f"Lot {i % 7}", f"Tâche {i}", f"Personne {i % 13}", day, day,
                   i % 10 / 2, i % 5 / 2, "En cours"])  # fmt: skip
    wb.save(path)
    return path


def test_stored_parts_are_inspected_like_deflated_ones(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, text in xlsx_parts({"Feuil1": sheet_xml(number_rows(4))}).items():
            z.writestr(name, text)
    path = tmp_path / "stocke.xlsx"
    path.write_bytes(buf.getvalue())
    [sheet] = preflight(path).sheets
    assert (sheet.rows, sheet.cols) == (4, 3)
