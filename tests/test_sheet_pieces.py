"""The rows of big sheets kept between runs as pieces (issue "Fast consolidation": a re-run
after one workbook changed writes again only the groups of rows that changed).

A grouped body must read back exactly as the same body written without pieces (values, types,
formats, places), in openpyxl and in LibreOffice; a kept piece is used only for the same cells
under the same styles; and the pieces laid end to end are one valid deflate stream.
"""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import python_calamine
from c_reader import needs_c_reader

from pmo_xl import cache, sheet_pieces, xlsx_writer
from pmo_xl.layout import Block, CellStyle, FrameBlock, SheetLayout
from pmo_xl.sheet_pieces import MemoryPieces, StoredPieces
from pmo_xl.xlsx_writer import TextNote, render_xlsx

SALT = "0123456789abcdef"


# --- groups, digests, chunks ---------------------------------------------------------------


def test_runs_of_equal_values_start_where_the_value_changes() -> None:
    # a a b ∅ ∅ a: runs at 0 (a), 2 (b), 3 (two blanks), 5 (a again), then the count 6
    starts = sheet_pieces.run_starts(["a", "a", "b", None, None, "a"])
    assert starts.tolist() == [0, 2, 3, 5, 6]
    assert sheet_pieces.run_starts([]).tolist() == [0]


def digests_of(frame: pd.DataFrame, salt: str = SALT) -> list[bytes] | None:
    rows = np.zeros(len(frame), dtype=np.uint64)
    return sheet_pieces.grouped_fingerprints([frame[c] for c in frame.columns], 0, rows, salt)[1]


def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "who": ["Alice", "Alice", "Bob", "Chloé"],
            "week": pd.to_datetime(["2026-11-23", "2026-11-30", "2026-11-23", "2026-11-23"]),
            "days": [1.5, 2.0, 5.0, 0.5],
            "detail": ["PRJ-1 : 1,5", "PRJ-1 : 2,0", "PRJ-2 : 5,0", None],
        }
    )


def test_groups_read_off_the_hashes_are_the_runs_and_digests_of_the_values() -> None:
    # Equal names that are other objects, blanks of two kinds: runs as run_starts finds them,
    # digests as fingerprints makes them of those runs.
    who = pd.Series(["Alice", "".join(["Ali", "ce"]), None, float("nan"), "Bob", "Alice"])
    days = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    rows = np.arange(6, dtype=np.uint64)
    starts, digests = sheet_pieces.grouped_fingerprints([who, days], 0, rows, SALT)
    assert starts.tolist() == sheet_pieces.run_starts(who).tolist() == [0, 2, 4, 5, 6]
    assert digests == sheet_pieces.fingerprints([who, days], starts, rows, SALT)
    odd = pd.Series(["Alice", 1, 1, "Bob", "Bob", "Bob"], dtype=object)  # not digested
    starts, digests = sheet_pieces.grouped_fingerprints([odd, days], 0, rows, SALT)
    assert starts.tolist() == [0, 1, 3, 6] and digests is None


def test_a_changed_cell_changes_its_groups_digest_only() -> None:
    before = digests_of(people())
    changed = people()
    changed.loc[2, "days"] = 5.5  # Bob's only row
    after = digests_of(changed)
    assert before is not None and after is not None and len(before) == 3
    assert [a == b for a, b in zip(before, after, strict=True)] == [True, False, True]
    assert digests_of(people()) == before  # the same cells, the same digests


def test_text_and_dates_count_in_the_digest_and_the_salt_changes_them_all() -> None:
    base = digests_of(people())
    assert base is not None
    text = people()
    text.loc[0, "detail"] = "PRJ-1 : 1,6"
    day = people()
    day.loc[1, "week"] = pd.Timestamp("2026-12-07")
    assert digests_of(text)[0] != base[0]  # type: ignore[index]
    assert digests_of(day)[0] != base[0]  # type: ignore[index]
    other = digests_of(people(), "fedcba9876543210")
    assert other is not None and not set(other) & set(base)


def test_rows_of_a_group_count_in_their_order() -> None:
    swapped = people().iloc[[1, 0, 2, 3]].reset_index(drop=True)
    assert digests_of(swapped)[0] != digests_of(people())[0]  # type: ignore[index]


def test_objects_that_hash_like_text_are_not_digested() -> None:
    # 1 and "1" would hash alike and are written differently (a number, a text).
    mixed = people().assign(detail=pd.Series([1, "1", "x", None], dtype=object))
    assert digests_of(mixed) is None


@needs_c_reader
def test_the_c_text_hash_is_siphash_2_4_by_its_papers_vector() -> None:
    # SipHash paper, appendix A: key 00..0f, message 00..0e (15 bytes) → a129ca6149be45e5. A
    # text of one-byte characters is hashed under the key with its first byte xor 1.
    from pmo_xl import _sheetxml

    key = bytes([0 ^ 1, *range(1, 16)])
    text = bytes(range(15)).decode("latin-1")
    hashed = np.frombuffer(_sheetxml.text_hashes([text], key), dtype=np.uint64)
    assert hashed.tolist() == [0xA129CA6149BE45E5]


@pytest.mark.parametrize("c_code", ["1", "0"])
def test_texts_hash_apart_blanks_alike_in_c_and_in_pandas(
    c_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_XL_NATIVE", c_code)
    same = "".join(["Chlo", "é"])  # another object than the literal
    cells = ["Chloé", same, None, float("nan"), "", "Chloe", "Chlo€", "e", "é"]
    hashed = sheet_pieces.column_hashes(pd.Series(cells, dtype=object), SALT)
    assert hashed is not None
    h = hashed.tolist()
    assert h[0] == h[1] and h[2] == h[3]  # one text, two objects; two kinds of blank
    assert len({h[0], h[2], h[4], h[5], h[6], h[7], h[8]}) == 7  # "" is not a blank
    assert sheet_pieces.column_hashes(pd.Series(cells, dtype="str"), SALT).tolist() == h
    other = sheet_pieces.column_hashes(pd.Series(cells, dtype=object), "fedcba9876543210")
    texts = [0, 4, 5, 6, 7, 8]  # under another salt, every text hashes otherwise
    assert other is not None and not {other[i] for i in texts} & {h[i] for i in texts}
    for odd in (1, 1.5, dt.date(2026, 11, 23), b"x"):
        assert sheet_pieces.column_hashes(pd.Series(["a", odd], dtype=object), SALT) is None


def test_chunks_end_after_the_groups_whose_digest_starts_with_a_multiple_of_eight() -> None:
    # Groups of 2 rows each; digests starting with bytes 3, 16, 5, 8, 1: chunks end after
    # group 1 (16 = 2 × 8) and group 3 (8); the last chunk ends with the last group.
    starts = np.arange(0, 11, 2, dtype=np.intp)
    digests = [bytes([b]) + bytes(15) for b in (3, 16, 5, 8, 1)]
    chunk_starts, chunk_digests = sheet_pieces.chunked(starts, digests)
    assert chunk_starts.tolist() == [0, 4, 8, 10]
    assert len(chunk_digests) == 3
    # A chunk's digest is that of its groups' digests: change group 2, chunk 1 only changes.
    changed = list(digests)
    changed[2] = bytes([7]) + bytes(15)
    _starts, again = sheet_pieces.chunked(starts, changed)
    assert [a == b for a, b in zip(chunk_digests, again, strict=True)] == [True, False, True]


def test_pieces_laid_end_to_end_inflate_to_the_xml_with_its_crc() -> None:
    xmls = [b"<row>a</row>" * 50, b"", "<row>é</row>".encode() * 300]
    pieces = [*sheet_pieces.deflate_pieces(xmls, 1), sheet_pieces.deflate_last(b"</x>", 1)]
    deflated, crc, size = sheet_pieces.joined(pieces)
    whole = b"".join(xmls) + b"</x>"
    inflater = zlib.decompressobj(-15)
    assert inflater.decompress(deflated) == whole and inflater.eof
    assert crc == zlib.crc32(whole)  # worked out from the pieces' own CRCs only
    assert size == len(whole)
    # Any order is a valid stream too: a piece refers to nothing before it.
    reordered, _crc, _size = sheet_pieces.joined([pieces[2], pieces[0], pieces[3]])
    assert zlib.decompress(reordered, -15) == xmls[2] + xmls[0] + b"</x>"


# --- the writer ------------------------------------------------------------------------------

TEXT = CellStyle(wrap=True, valign="top")
DAY = CellStyle(number_format="date", valign="top")
DAYS = CellStyle(number_format="days", valign="top")


def load_sheet(frame: pd.DataFrame, first_row: int = 3) -> SheetLayout:
    """A title, a header right above the body, and the body grouped by its first column."""
    layout = SheetLayout("Charge", [Block(0, 0, [["Charge ressources"]])])
    layout.add(Block(first_row - 1, 0, [list(frame.columns)]))
    styles = [TEXT, DAY, DAYS, TEXT, CellStyle(valign="top")]
    columns = [frame[c] for c in frame.columns]
    layout.add(FrameBlock(first_row, 0, columns, styles, group_column=0))
    layout.row_heights = {first_row + 3: 30.0}  # Bob's row, two lines
    return layout


def load_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "who": ["Alice", "Alice", "Alice", "Bob", "Chloé", "Chloé"],
            "week": pd.to_datetime(
                ["2026-11-23", "2026-11-30", "2026-12-07", "2026-11-23", "2026-11-23", "2026-11-30"]
            ),
            "days": [1.5, 2.0, 0.25, 5.0, 0.5, np.nan],
            "detail": [
                "PRJ-1 : 1,5",
                "R&D <urgent>",
                "  espaces  ",
                "PRJ-2 : 5,0\nPRJ-3",
                "_x0041_ littéral",
                "",
            ],
            "over": [False, True, False, True, False, False],
        }
    )


def cells(path: Path, sheet: str = "Charge") -> list[list[Any]]:
    """Each cell's value (as calamine reads it: ``_xHHHH_`` escapes decoded, as Excel does;
    openpyxl leaves them in inline strings) and number format (openpyxl), then the heights."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    formats = [[c.number_format for c in row] for row in ws.iter_rows()]
    heights = {r: d.height for r, d in ws.row_dimensions.items() if d.height}
    book.close()
    values = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet)
    rows = [
        [None if v == "" else (v, f) for v, f in zip(row, row_formats, strict=False)]
        for row, row_formats in zip(values.to_python(skip_empty_area=False), formats, strict=False)
    ]
    return [*rows, [heights]]


def written(tmp_path: Path, layouts: list[SheetLayout], name: str, store: Any) -> Path:
    path = tmp_path / f"{name}.xlsx"
    render_xlsx(layouts, path, pieces=store)
    return path


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pieces each grouped body made (the others were kept), run after run."""
    counts: list[int] = []
    real = xlsx_writer._Groups.make

    def counting(self: Any) -> list[sheet_pieces.Piece]:
        pieces = real(self)
        counts.append(len(pieces))
        return pieces

    monkeypatch.setattr(xlsx_writer._Groups, "make", counting)
    return counts


@needs_c_reader
def test_a_grouped_body_reads_back_as_the_same_body_written_whole(tmp_path: Path) -> None:
    plain = written(tmp_path, [load_sheet(load_frame())], "plain", None)
    grouped = written(tmp_path, [load_sheet(load_frame())], "grouped", MemoryPieces())
    assert cells(grouped) == cells(plain)
    values = cells(grouped)
    # Row 4 (the body's first): Alice, 23/11/2026 as a date, 1.5 days
    assert values[3][:3] == [
        ("Alice", "General"),
        (dt.date(2026, 11, 23), "dd/mm/yyyy"),
        (1.5, values[3][2][1]),
    ]
    assert values[4][3] == ("R&D <urgent>", "General")  # escaped, read back as typed
    assert values[5][3][0] == "  espaces  "  # edge spaces kept
    assert values[7][3][0] == "_x0041_ littéral"  # not read as the character A
    assert values[6][4][0] is True  # Bob's over-allocation flag: a boolean
    assert values[-1] == [{7: 30.0}]  # row 7 (Bob's) keeps its height
    with zipfile.ZipFile(grouped) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in xml and "<row spans=" in xml  # rows without numbers


@needs_c_reader
def test_the_next_run_keeps_the_pieces_of_unchanged_groups(tmp_path: Path, made: list[int]) -> None:
    store = MemoryPieces()
    written(tmp_path, [load_sheet(load_frame())], "first", store)
    kept = dict(store.stored["Charge"].pieces)
    changed = load_frame()
    changed.loc[3, "days"] = 4.0  # Bob
    second = written(tmp_path, [load_sheet(changed)], "second", store)
    # Three groups, few enough to make one chunk whichever their digests: made again whole.
    # What counts: the new value is there, and a run with nothing changed makes nothing.
    assert cells(second)[6][2][0] == 4.0
    assert cells(second) == cells(written(tmp_path, [load_sheet(changed)], "plain", None))
    written(tmp_path, [load_sheet(changed)], "third", store)
    assert made[-1] == 0
    assert kept  # the first run kept its pieces


def many_people(n: int, bump: int | None = None, extra_row_for: int | None = None) -> pd.DataFrame:
    """``n`` people of three weeks each; ``bump``: one person's load changed;
    ``extra_row_for``: one person given a fourth week."""
    rows = []
    for p in range(n):
        weeks = 4 if p == extra_row_for else 3
        for w in range(weeks):
            days = float(p % 5 + w) + (0.5 if p == bump else 0.0)
            rows.append((f"Personne {p:03d}", dt.datetime(2026, 11, 23) + dt.timedelta(7 * w)))
            rows[-1] += (days, f"PRJ-{p % 7} : {days}", days > 5)
    return pd.DataFrame(rows, columns=["who", "week", "days", "detail", "over"])


@needs_c_reader
def test_only_the_chunk_of_a_changed_group_is_made_again(tmp_path: Path, made: list[int]) -> None:
    store = MemoryPieces()
    written(tmp_path, [load_sheet(many_people(200))], "first", store)
    first = store.stored["Charge"]
    made.clear()
    path = written(tmp_path, [load_sheet(many_people(200, bump=120))], "second", store)
    second = store.stored["Charge"]
    # 200 groups in chunks of about 8: the changed group's chunk is made again, every other
    # piece is the same object. Its new digest may also start or stop ending a chunk: its
    # chunk then splits in two (two made) or takes in the next one (one made, two gone).
    assert len(first.pieces) > 10 and made[0] in (1, 2)
    same = [p for d, p in second.pieces.items() if first.pieces.get(d) is p]
    assert len(same) == len(second.pieces) - made[0] >= len(first.pieces) - 2
    assert second.salt == first.salt
    # Person 120's first week: row 3 + 3 × 120 = 363 (0-based), its load 120 % 5 + 0 + 0.5
    values = cells(path)
    assert values[363][0][0] == "Personne 120" and values[363][2][0] == 0.5


@needs_c_reader
def test_a_group_that_grows_moves_the_rows_after_it(tmp_path: Path) -> None:
    store = MemoryPieces()
    written(tmp_path, [load_sheet(many_people(50))], "first", store)
    path = written(tmp_path, [load_sheet(many_people(50, extra_row_for=10))], "second", store)
    plain = written(tmp_path, [load_sheet(many_people(50, extra_row_for=10))], "plain", None)
    values = cells(path)
    assert values == cells(plain)
    # Person 11 now starts one row later: 3 + 3 × 11 + 1 = 37 (0-based)
    assert values[37][0][0] == "Personne 011" and values[36][0][0] == "Personne 010"


@needs_c_reader
def test_pieces_are_not_kept_across_a_change_of_style_indexes(tmp_path: Path) -> None:
    # A sheet before it using new formats shifts every style index: the kept pieces, which
    # name the old indexes, must not be used.
    store = MemoryPieces()
    written(tmp_path, [load_sheet(load_frame())], "first", store)
    key = store.stored["Charge"].key
    before = SheetLayout("Avant", [Block(0, 0, [[1.5, 2.5]], CellStyle(bold=True, fill="#FF0000"))])
    path = written(tmp_path, [before, load_sheet(load_frame())], "second", store)
    assert store.stored["Charge"].key != key
    assert cells(path) == cells(written(tmp_path, [load_sheet(load_frame())], "plain", None))


@needs_c_reader
def test_a_body_below_empty_rows_starts_at_its_own_row(tmp_path: Path) -> None:
    # Nothing written in rows 2-6: the body's rows, without numbers, must still start at 8.
    layout = SheetLayout("Charge", [Block(0, 0, [["Titre"]])])
    frame = load_frame()
    layout.add(FrameBlock(7, 0, [frame[c] for c in frame.columns], [TEXT] * 5, group_column=0))
    path = written(tmp_path, [layout], "gap", MemoryPieces())
    values = cells(path)
    assert values[6] == [None] * 5 and values[7][0] == ("Alice", "General")
    assert len(values) - 1 == 7 + 6  # the title's rows, the gap, six rows; then the heights


@needs_c_reader
def test_a_body_not_in_column_a_is_written_whole(tmp_path: Path, made: list[int]) -> None:
    # A row's first cell without a number lands in column A: a body from column B is written
    # with numbered rows, as without a store.
    frame = load_frame()
    layout = SheetLayout("Charge", [Block(0, 0, [["Titre"]])])
    layout.add(FrameBlock(1, 1, [frame[c] for c in frame.columns], [TEXT] * 5, group_column=0))
    path = written(tmp_path, [layout], "b", MemoryPieces())
    assert made == []
    assert cells(path)[1][:2] == [None, ("Alice", "General")]


def linked_sheet(
    target: str = "../projets/projet_PRJ-2.xlsx", over_date: bool = True
) -> SheetLayout:
    """:func:`load_sheet` with links over body cells, as the findings sheet has: Alice's first
    name (internal), Bob's detail (to another workbook's cell) and, ``over_date``, Chloé's
    last week (a text over a date column: a column of mixed cells, whose groups are never
    kept)."""
    from pmo_xl.layout import Link

    layout = load_sheet(load_frame())
    layout.links += [
        Link(3, 0, "Alice", "B4", sheet="Charge"),
        Link(6, 3, "PRJ-2 : 5,0", "F12", sheet="Planning", file=target),
    ]
    if over_date:
        layout.links.append(Link(8, 1, "voir < ici", "A1", sheet="Charge"))
    return layout


def links_and_looks(path: Path, sheet: str = "Charge") -> list[Any]:
    """Every hyperlink (cell, target, location) and every cell's font, as openpyxl reads them."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    links = sorted(
        (c.coordinate, c.hyperlink.target, c.hyperlink.location)
        for row in ws.iter_rows()
        for c in row
        if c.hyperlink is not None
    )
    looks = [
        (c.coordinate, c.font.underline, c.font.color.rgb if c.font.color else None)
        for row in ws.iter_rows()
        for c in row
    ]
    book.close()
    return [links, looks]


@needs_c_reader
def test_links_over_a_grouped_body_read_back_as_written_whole(
    tmp_path: Path, made: list[int]
) -> None:
    store = MemoryPieces()
    plain = written(tmp_path, [linked_sheet()], "plain", None)
    grouped = written(tmp_path, [linked_sheet()], "grouped", store)
    assert len(made) == 1 and made[0] >= 1  # grouped, links and all
    assert cells(grouped) == cells(plain)
    assert links_and_looks(grouped) == links_and_looks(plain)
    links, looks = links_and_looks(grouped)
    assert links == [
        ("A4", None, "'Charge'!B4"),
        ("B9", None, "'Charge'!A1"),
        ("D7", r"..\projets\projet_PRJ-2.xlsx", "'Planning'!F12"),
    ]
    blue = {coordinate: (line, rgb) for coordinate, line, rgb in looks}
    assert blue["A4"] == blue["D7"] == ("single", "FF0563C1") != blue["A5"]
    assert cells(grouped)[8][1][0] == "voir < ici"  # the link's text over Chloé's date


@needs_c_reader
def test_a_kept_piece_takes_this_runs_link_targets(tmp_path: Path, made: list[int]) -> None:
    # The cells of a link are in the group's piece; where it leads is written on every run:
    # the project folder moved, the piece is kept and the link leads to the new place.
    store = MemoryPieces()
    written(tmp_path, [linked_sheet(over_date=False)], "first", store)
    made.clear()
    archives = "../archives/projet_PRJ-2.xlsx"
    moved = written(tmp_path, [linked_sheet(archives, over_date=False)], "moved", store)
    assert made == [0]
    assert links_and_looks(moved)[0][1] == (
        "D7",
        r"..\archives\projet_PRJ-2.xlsx",
        "'Planning'!F12",
    )
    # A link taken off a cell changes its look: that group is made again.
    layout = linked_sheet(over_date=False)
    layout.links = layout.links[1:]  # Alice's name, now without a link
    unlinked = written(tmp_path, [layout], "unlinked", store)
    assert made[-1] >= 1
    assert links_and_looks(unlinked) == links_and_looks(written(tmp_path, [layout], "p", None))


@needs_c_reader
def test_a_link_beside_the_body_in_its_rows_makes_it_written_whole(
    tmp_path: Path, made: list[int]
) -> None:
    # A link in G5, right of the body (A-E) in its second row: a cell written apart in that
    # row, which a row without numbers cannot take. The body is written with numbered rows.
    from pmo_xl.layout import Link

    layout = load_sheet(load_frame())
    layout.links.append(Link(4, 6, "voir", "A1", sheet="Charge"))
    path = written(tmp_path, [layout], "link", MemoryPieces())
    assert made == []
    values = cells(path)
    assert values[4][:2] == [("Alice", "General"), (dt.date(2026, 11, 30), "dd/mm/yyyy")]
    assert values[4][6] == ("voir", "General")


@needs_c_reader
def test_a_changed_text_is_noted_on_every_run_even_from_a_kept_piece(tmp_path: Path) -> None:
    frame = load_frame()
    frame.loc[4, "detail"] = "bell\x07 ici"  # Chloé's first row: row 8 (1-based), column D
    store = MemoryPieces()
    notes = []
    for _run in range(2):
        notes.append(render_xlsx([load_sheet(frame)], tmp_path / "n.xlsx", pieces=store))
    expected = [TextNote("Charge", "D8", "bell\x07 ici")]
    assert notes == [expected, expected]
    assert cells(tmp_path / "n.xlsx")[7][3][0] == "bell ici"


@needs_c_reader
def test_a_column_of_mixed_values_is_written_typed_and_never_kept(
    tmp_path: Path, made: list[int]
) -> None:
    frame = load_frame()
    frame["detail"] = pd.Series([1, "1", True, dt.date(2026, 12, 1), None, "x"], dtype=object)
    store = MemoryPieces()
    for name in ("first", "second"):
        path = written(tmp_path, [load_sheet(frame)], name, store)
    # Three people, made again on each run: 1 and "1" cannot be told apart by a digest.
    assert made == [3, 3]
    assert "Charge" not in store.stored
    details = [row[3] for row in cells(path)[3:9]]
    assert details[:4] == [(1, "General"), ("1", "General"), (True, "General"), details[3]]
    assert details[3][0] == dt.date(2026, 12, 1) and details[4] is None
    assert cells(path) == cells(written(tmp_path, [load_sheet(frame)], "plain", None))


@needs_c_reader
def test_a_damaged_store_file_costs_only_speed(tmp_path: Path) -> None:
    store = cache.SheetPieces(tmp_path / "cache", tmp_path / "out.xlsx")
    written(tmp_path, [load_sheet(load_frame())], "first", store)
    (stored_file,) = store.dir.iterdir()
    stored_file.write_bytes(b"not a pickle")
    path = written(tmp_path, [load_sheet(load_frame())], "second", store)
    assert cells(path) == cells(written(tmp_path, [load_sheet(load_frame())], "plain", None))
    with stored_file.open("rb") as f:  # written again, whole
        assert isinstance(pickle.load(f), StoredPieces)


@needs_c_reader
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_libreoffice_reads_rows_without_numbers_in_their_places(tmp_path: Path) -> None:
    store = MemoryPieces()
    written(tmp_path, [load_sheet(load_frame())], "first", store)
    path = written(tmp_path, [load_sheet(load_frame())], "charge", store)  # from the pieces
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # As shown (formats applied): dates dd/mm/yyyy, days to one decimal (0.25 → 0.3), the
    # line break inside Bob's detail kept in quotes, the blank load and empty text blank.
    assert (tmp_path / "charge.csv").read_text(encoding="utf-8") == (
        "Charge ressources,,,,\n"
        ",,,,\n"
        "who,week,days,detail,over\n"
        'Alice,23/11/2026,1.5,"PRJ-1 : 1,5",FALSE\n'
        "Alice,30/11/2026,2.0,R&D <urgent>,TRUE\n"
        "Alice,07/12/2026,0.3,  espaces  ,FALSE\n"
        'Bob,23/11/2026,5.0,"PRJ-2 : 5,0\nPRJ-3",TRUE\n'
        "Chloé,23/11/2026,0.5,_x0041_ littéral,FALSE\n"
        "Chloé,30/11/2026,,,FALSE\n"
    )


# --- a re-run of the command ----------------------------------------------------------------


@needs_c_reader
def test_a_rerun_after_one_workbook_changed_writes_the_sheets_a_fresh_run_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, made: list[int]
) -> None:
    from pmo_xl import commands
    from pmo_xl.demo import build_demo

    projects = build_demo(tmp_path / "demo").projects_dir
    monkeypatch.setenv("PMO_XL_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "sorties" / "pmo.xlsx"
    commands.consolidate(projects, cutoff=dt.date(2026, 11, 20), out=out)
    # A project lead records 3 more days for Claire Martin on PRJ-001 (first time entry).
    book = openpyxl.load_workbook(projects / "projet_PRJ-001.xlsx")
    book["Charges"]["D2"] = 3.5
    book.save(projects / "projet_PRJ-001.xlsx")
    made.clear()
    commands.consolidate(projects, cutoff=dt.date(2026, 11, 20), out=out)
    # Charges (PRJ-001's piece made again), Charge ressources, Contrôles
    assert len(made) == 3 and made[0] >= 1
    # The same sheets as a run writing every row anew, links included.
    monkeypatch.setattr(commands, "write_workbook", _without_pieces(commands.write_workbook))
    fresh = tmp_path / "sorties" / "fresh.xlsx"
    commands.consolidate(projects, cutoff=dt.date(2026, 11, 20), out=fresh)
    for sheet in ("Charges", "Charge ressources", "Contrôles"):
        assert cells(out, sheet) == cells(fresh, sheet)
    assert links_and_looks(out, "Contrôles") == links_and_looks(fresh, "Contrôles")
    assert len(links_and_looks(out, "Contrôles")[0]) > 20  # a link a finding
    # Claire Martin's May 2026 on PRJ-001: her May entries in the workbook, summed here.
    entries = openpyxl.load_workbook(projects / "projet_PRJ-001.xlsx", read_only=True)
    may = sum(
        days
        for day, who, _task, days, *_ in entries["Charges"].iter_rows(min_row=2, values_only=True)
        if who == "Claire Martin" and day is not None and (day.year, day.month) == (2026, 5)
    )
    entries.close()
    claire = [
        row
        for row in cells(out, "Charges")[4:-1]
        if row[0] == ("PRJ-001", "General") and row[2][0] == "Claire Martin"
    ]
    assert claire[0][1][0] == dt.date(2026, 5, 1) and claire[0][3][0] == pytest.approx(may)
    assert may >= 3.5


def _without_pieces(write: Any) -> Any:
    return lambda layouts, path, **options: write(layouts, path, **options, keep_pieces=False)
