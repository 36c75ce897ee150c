"""A corpus of broken and hostile workbooks, generated in code (never downloaded).

Each builder writes one file into a folder and returns a :class:`Case`: its path and what
:func:`pmo_xl.preflight.preflight` must say about it (status, reason code). :func:`build_corpus`
writes them all. Files are small (the zip bomb is ~1 MB on disk) and built in well under 3 s.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl


class Case(NamedTuple):
    path: Path
    status: str  # "ok" | "ignored" | "rejected"
    reason_code: str | None
    note: str = ""


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    DECL + f'<styleSheet xmlns="{MAIN_NS}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)  # style 1 = date (built-in number format 14)


# --- Building blocks -------------------------------------------------------------------------


def sheet_xml(rows: str, dimension: str | None = None, after: str = "", prefix: str = "") -> str:
    """A worksheet part; ``rows`` is the inside of ``<sheetData>``, ``after`` follows it."""
    p = f"{prefix}:" if prefix else ""
    ns = f'xmlns:{prefix}="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    dim = f'<{p}dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{DECL}<{p}worksheet {ns} xmlns:r="{REL_NS}">{dim}'
        f"<{p}sheetData>{rows}</{p}sheetData>{after}</{p}worksheet>"
    )


def number_rows(n: int, cols: int = 3, start: int = 1) -> str:
    """``n`` rows of numbers in columns A.. (``<c r="A1"><v>…</v></c>``), from row ``start``."""
    out = []
    for r in range(start, start + n):
        cells = "".join(f'<c r="{chr(65 + c)}{r}"><v>{r * 10 + c}</v></c>' for c in range(cols))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def xlsx_parts(
    sheets: dict[str, str],
    *,
    workbook_pr: str = "",
    shared_strings: str | None = None,
    extra_parts: dict[str, bytes | str] | None = None,
    extra_types: str = "",
    extra_wb_rels: str = "",
    extra_wb_xml: str = "",
) -> dict[str, bytes | str]:
    """The parts of a minimal valid .xlsx (openpyxl and calamine read it)."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{CT_SHEET}"/>'
        for i in range(1, len(sheets) + 1)
    )
    if shared_strings is not None:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    sheet_tags = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    rels += f'<Relationship Id="rIdS" Type="{REL_NS}/styles" Target="styles.xml"/>'
    if shared_strings is not None:
        rels += (
            f'<Relationship Id="rIdT" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts: dict[str, bytes | str] = {
        "[Content_Types].xml": (
            f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}{extra_types}</Types>"
        ),
        "_rels/.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{workbook_pr}'
            f"<sheets>{sheet_tags}</sheets>{extra_wb_xml}</workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}">{rels}{extra_wb_rels}</Relationships>'
        ),
        "xl/styles.xml": STYLES,
    }
    for i, xml in enumerate(sheets.values(), start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra_parts or {})
    return parts


def write_zip(path: Path, parts: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def write_xlsx(path: Path, sheets: dict[str, str], **kw: Any) -> Path:
    return write_zip(path, xlsx_parts(sheets, **kw))


def small_valid_bytes() -> bytes:
    """A small, valid project-like workbook, as openpyxl writes it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Projet"
    ws.append(["Code projet", "PRJ-900"])
    ws.append(["Nom du projet", "Projet témoin"])
    plan = wb.create_sheet("Planning")
    plan.append(["ID", "Tâche", "Charge prévue (j)"])
    for i in range(1, 41):
        plan.append([f"T{i}", f"Tâche {i}", i / 2])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _patch_member(data: bytes, name: str, *, crc: int | None = None, body: bytes | None = None,
                  size: int | None = None) -> bytes:  # fmt: skip
    """Rewrite one member's CRC, declared uncompressed size or compressed bytes (same length),
    in both its local header and its central directory entry."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    out = bytearray(data)
    off = info.header_offset
    name_len, extra_len = struct.unpack("<HH", out[off + 26 : off + 30])
    if crc is not None:
        struct.pack_into("<I", out, off + 14, crc)
    if size is not None:
        struct.pack_into("<I", out, off + 22, size)
    if body is not None:
        start = off + 30 + name_len + extra_len
        assert len(body) == info.compress_size
        out[start : start + len(body)] = body
    cd = out.find(b"PK\x01\x02")
    while cd >= 0:
        n = struct.unpack("<H", out[cd + 28 : cd + 30])[0]
        if out[cd + 46 : cd + 46 + n] == name.encode():
            if crc is not None:
                struct.pack_into("<I", out, cd + 16, crc)
            if size is not None:
                struct.pack_into("<I", out, cd + 24, size)
            break
        cd = out.find(b"PK\x01\x02", cd + 4)
    return bytes(out)


def _raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip from (name, deflated bytes, crc, declared uncompressed size): sizes as we say."""
    local, central = bytearray(), bytearray()
    for name, body, crc, usize in entries:
        n = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), usize,
                             len(n), 0) + n + body  # fmt: skip
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc,
                               len(body), usize, len(n), 0, 0, 0, 0, 0, offset) + n  # fmt: skip
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                      len(local), 0)  # fmt: skip
    return bytes(local + central + end)


def _entries(parts: dict[str, bytes | str]) -> list[tuple[str, bytes, int, int]]:
    """Parts as honest ``_raw_zip`` entries."""
    raws = {n: t.encode() if isinstance(t, str) else t for n, t in parts.items()}
    return [(n, _deflate(raw), zlib.crc32(raw), len(raw)) for n, raw in raws.items()]


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zeros_deflated(mib: int) -> bytes:
    """``mib`` MiB of zero bytes, deflated, without ever holding them: after a full flush the
    compressor starts afresh, so every 1 MiB block compresses to the same ~1 KB."""
    zeros = bytes(1 << 20)
    block_c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = block_c.compress(zeros) + block_c.flush(zlib.Z_FULL_FLUSH)
    last_c = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = last_c.compress(zeros) + last_c.flush(zlib.Z_FINISH)
    return block * (mib - 1) + last


@functools.cache
def _zeros_crc(mib: int) -> int:
    zeros, crc = bytes(1 << 20), 0
    for _ in range(mib):
        crc = zlib.crc32(zeros, crc)
    return crc


def _cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (CFB v3, 512-byte sectors) holding up to three streams.

    Streams are padded to 4096 bytes so they live in normal sectors (no mini stream).
    Layout: sector 0 = FAT, sector 1 = directory, then each stream's sectors in turn.
    """
    free, end_chain, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    assert len(streams) <= 3
    bodies = [data.ljust(4096, b"\x00") for data in streams.values()]
    fat = [fat_sect, end_chain]
    starts = []
    for body in bodies:
        first, count = len(fat), len(body) // 512
        starts.append(first)
        fat += [first + k + 1 for k in range(count - 1)] + [end_chain]
    assert len(fat) <= 128
    fat += [free] * (128 - len(fat))

    def entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (
            raw.ljust(64, b"\x00")
            + struct.pack("<HBB", len(raw), kind, 1)  # name length, type, colour (black)
            + struct.pack("<III", free, right, child)  # left sibling, right sibling, child
            + bytes(16 + 4 + 16)  # CLSID, state bits, creation and modification times
            + struct.pack("<IQ", start, size)
        )

    names = list(streams)
    directory = entry("Root Entry", 5, free, 1, end_chain, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        directory += entry(name, 2, right, free, starts[i], len(bodies[i]))
    directory = directory.ljust(512, b"\x00")
    header = (
        bytes.fromhex("D0CF11E0A1B11AE1")
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # versions, byte order, sector shifts
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end_chain, 0, end_chain, 0)
        + struct.pack("<I", 0)  # DIFAT[0]: the FAT is sector 0
        + struct.pack("<108I", *([free] * 108))
    )
    assert len(header) == 512
    return header + struct.pack("<128I", *fat) + directory + b"".join(bodies)


# --- The corpus --------------------------------------------------------------------------------


def valid(folder: Path) -> Case:
    path = folder / "valide.xlsx"
    path.write_bytes(small_valid_bytes())
    return Case(path, "ok", None)


def zero_byte(folder: Path) -> Case:
    path = folder / "vide.xlsx"
    path.write_bytes(b"")
    return Case(path, "rejected", "FILE_EMPTY")


def zeros_only(folder: Path) -> Case:
    path = folder / "synchro_inachevee.xlsx"
    path.write_bytes(bytes(8192))  # what an interrupted cloud sync leaves
    return Case(path, "rejected", "FILE_ZEROS")


def truncated_zip(folder: Path) -> Case:
    data = small_valid_bytes()
    path = folder / "tronque.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return Case(path, "rejected", "FILE_CORRUPT", "first half of a valid workbook")


def bad_crc(folder: Path) -> Case:
    data = small_valid_bytes()
    crc = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet2.xml").CRC
    path = folder / "crc_faux.xlsx"
    path.write_bytes(_patch_member(data, "xl/worksheets/sheet2.xml", crc=crc ^ 0xFFFF))
    return Case(path, "rejected", "FILE_CORRUPT", "CRC of a sheet")


def corrupt_deflate(folder: Path) -> Case:
    data = small_valid_bytes()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet2.xml")
    # Block header 0b111: final block of the reserved type 3, "invalid block type" for zlib.
    body = b"\x07" + b"\x00" * (info.compress_size - 1)
    path = folder / "deflate_casse.xlsx"
    path.write_bytes(_patch_member(data, "xl/worksheets/sheet2.xml", body=body))
    return Case(path, "rejected", "FILE_CORRUPT", "zlib.error, not BadZipFile")


def lying_size(folder: Path) -> Case:
    """A part that declares 2 KB and inflates to 10 MB (and a CRC matching those 2 KB)."""
    big = bytes(10 << 20)
    entries = _entries(xlsx_parts({"Feuil1": sheet_xml(number_rows(2))}))
    entries.append(("xl/media/image1.bin", _deflate(big), zlib.crc32(big[:2048]), 2048))
    path = folder / "taille_mensongere.xlsx"
    path.write_bytes(_raw_zip(entries))
    return Case(path, "rejected", "FILE_CORRUPT", "larger than declared")


def malformed_sheet_xml(folder: Path) -> Case:
    xml = sheet_xml(number_rows(3)).replace("</row>", "</rowx>", 1)
    path = write_xlsx(folder / "xml_mal_forme.xlsx", {"Feuil1": xml})
    return Case(path, "ok", None, "sheets are not parsed by preflight: the parser raises (bounded)")


def malformed_workbook_xml(folder: Path) -> Case:
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(3))})
    parts["xl/workbook.xml"] = str(parts["xl/workbook.xml"]).replace("</sheets>", "<sheets>")
    path = write_zip(folder / "classeur_mal_forme.xlsx", parts)
    return Case(path, "rejected", "FILE_CORRUPT")


def missing_workbook_part(folder: Path) -> Case:
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(3))})
    del parts["[Content_Types].xml"]
    path = write_zip(folder / "partie_manquante.xlsx", parts)
    return Case(path, "rejected", "FILE_PART_MISSING")


def html_renamed(folder: Path) -> Case:
    path = folder / "export_web.xlsx"
    path.write_text(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Export</title></head>'
        "<body><table><tr><td>Code projet</td><td>PRJ-901</td></tr></table></body></html>\n",
        encoding="utf-8",
    )
    return Case(path, "rejected", "FILE_HTML")


def text_renamed(folder: Path) -> Case:
    path = folder / "export_csv.xlsx"
    path.write_text("Code projet;PRJ-902\nNom du projet;Projet CSV\n", encoding="utf-8")
    return Case(path, "rejected", "FILE_TEXT")


def xml_2003(folder: Path) -> Case:
    path = folder / "tableur_2003.xlsx"
    path.write_text(
        '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="A"/>'
        "</Workbook>\n",
        encoding="utf-8",
    )
    return Case(path, "rejected", "FILE_XML_2003")


def legacy_xls(folder: Path) -> Case:
    bof = struct.pack("<HHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0)  # BIFF8 workbook BOF record
    path = folder / "ancien_format.xlsx"  # a .xls renamed: only the content tells
    path.write_bytes(_cfb({"Workbook": bof}))
    return Case(path, "rejected", "FILE_LEGACY_XLS")


def encrypted_ooxml(folder: Path) -> Case:
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version='1.0'?><encryption/>"  # agile
    package = struct.pack("<Q", 12345) + bytes(64)  # size of the clear package, then ciphertext
    path = folder / "mot_de_passe.xlsx"
    path.write_bytes(_cfb({"EncryptionInfo": info, "EncryptedPackage": package}))
    return Case(path, "rejected", "FILE_ENCRYPTED")


def word_ole(folder: Path) -> Case:
    path = folder / "document_word.xlsx"
    path.write_bytes(_cfb({"WordDocument": b"\xec\xa5" + bytes(100)}))
    return Case(path, "rejected", "FILE_NOT_WORKBOOK")


def ods_renamed(folder: Path) -> Case:
    path = folder / "libreoffice.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return Case(path, "rejected", "FILE_ODS")


def docx_renamed(folder: Path) -> Case:
    path = write_zip(
        folder / "compte_rendu.xlsx",
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"},
    )
    return Case(path, "rejected", "FILE_NOT_XLSX")


def xml_bomb(folder: Path) -> Case:
    """Billion laughs in the shared strings: 10 levels of 10 references, 10^9 "lol"s."""
    levels = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    sst = (
        f'<?xml version="1.0"?>\n<!DOCTYPE sst [{"".join(levels)}]>\n'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    sheet = sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
    path = write_xlsx(folder / "bombe_xml.xlsx", {"Feuil1": sheet}, shared_strings=sst)
    return Case(path, "rejected", "FILE_XML_DOCTYPE")


def xxe(folder: Path) -> Case:
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    sheet = sheet.replace(
        DECL, DECL + '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    )
    path = write_xlsx(folder / "xxe.xlsx", {"Feuil1": sheet})
    return Case(path, "rejected", "FILE_XML_DOCTYPE")


def zip_bomb(folder: Path) -> Case:
    """A sheet of 1 GiB of zeros deflated to ~1 MB, sizes honestly declared."""
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(2))})
    del parts["xl/worksheets/sheet1.xml"]
    entries = _entries(parts)
    entries.append(("xl/worksheets/sheet1.xml", _zeros_deflated(1024), _zeros_crc(1024), 1 << 30))
    path = folder / "bombe_zip.xlsx"
    path.write_bytes(_raw_zip(entries))
    return Case(path, "rejected", "FILE_ZIP_BOMB", "1 GiB declared")


def dense_zeros(folder: Path) -> Case:
    """200 MiB of zeros in a 200 KB part: under the size limit, far over the ratio limit."""
    entries = _entries(xlsx_parts({"Feuil1": sheet_xml(number_rows(2))}))
    entries.append(("xl/media/zeros.bin", _zeros_deflated(200), _zeros_crc(200), 200 << 20))
    path = folder / "taux_demesure.xlsx"
    path.write_bytes(_raw_zip(entries))
    return Case(path, "rejected", "FILE_ZIP_BOMB", "ratio ~1000:1")


def too_many_parts(folder: Path) -> Case:
    parts = xlsx_parts({"Feuil1": sheet_xml(number_rows(2))})
    for i in range(2001):
        parts[f"customXml/item{i}.bin"] = b""
    path = write_zip(folder / "trop_de_parties.xlsx", parts)
    return Case(path, "rejected", "FILE_TOO_MANY_PARTS")


def far_corner(folder: Path) -> Case:
    """Cells in A1 and XFD1048576 (~2 KB): python-calamine aborts, openpyxl hangs."""
    rows = (
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )
    path = write_xlsx(folder / "coin_lointain.xlsx", {"Feuil1": sheet_xml(rows, "A1:XFD1048576")})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def far_corner_hidden(folder: Path) -> Case:
    """The far cell sits mid-sheet, out of row order, under a dimension that says A1."""
    rows = (
        number_rows(5)
        + '<row r="6"><c r="XFD6"><v>2</v></c><c r="A6"><v>1</v></c></row>'
        + number_rows(5, start=7)
    )
    path = write_xlsx(folder / "coin_cache.xlsx", {"Feuil1": sheet_xml(rows, "A1")})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def far_row_no_ref(folder: Path) -> Case:
    """1,001 cells without ``r`` in one row: column ALM by implicit position."""
    row = '<row r="1">' + "<c><v>1</v></c>" * 1001 + "</row>"
    path = write_xlsx(folder / "cellules_sans_ref.xlsx", {"Feuil1": sheet_xml(row)})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def far_prefixed(folder: Path) -> Case:
    """A sheet with an ``x:`` namespace prefix (as .NET tools write) and a far cell."""
    rows = (
        '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="900000"><x:c r="B900000"><x:v>2</x:v></x:c></x:row>'
    )
    path = write_xlsx(folder / "prefixe_lointain.xlsx", {"Feuil1": sheet_xml(rows, prefix="x")})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def _sheet_as_bin(parts: dict[str, bytes | str]) -> dict[str, bytes | str]:
    """The first sheet's part renamed ``sheet1.bin``, its relationship and type following."""
    out = dict(parts)
    out["xl/worksheets/sheet1.bin"] = out.pop("xl/worksheets/sheet1.xml")
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        out[name] = str(out[name]).replace("worksheets/sheet1.xml", "worksheets/sheet1.bin")
    return out


def far_corner_bin_part(folder: Path) -> Case:
    """The far corner in a sheet part not named .xml: still a sheet, still scanned whole."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"/></row>'
    parts = _sheet_as_bin(xlsx_parts({"Feuil1": sheet_xml(rows)}))
    return Case(
        write_zip(folder / "coin_partie_bin.xlsx", parts), "rejected", "FILE_EXTENT_TOO_LARGE"
    )


def xxe_bin_part(folder: Path) -> Case:
    sheet = sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>')
    sheet = sheet.replace(
        DECL, DECL + '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    )
    parts = _sheet_as_bin(xlsx_parts({"Feuil1": sheet}))
    return Case(write_zip(folder / "xxe_partie_bin.xlsx", parts), "rejected", "FILE_XML_DOCTYPE")


def far_escaped_ref(folder: Path) -> Case:
    """``r="&#88;FD1"``: a character reference hiding column XFD from a byte scan."""
    rows = '<row r="1"><c r="A1"><v>1</v></c><c r="&#88;FD1"><v>2</v></c></row>'
    path = write_xlsx(folder / "ref_echappee.xlsx", {"Feuil1": sheet_xml(rows)})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def far_merge(folder: Path) -> Case:
    """A merge over A1:XFD1048576: openpyxl creates a MergedCell for each cell."""
    after = '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
    path = write_xlsx(
        folder / "fusion_geante.xlsx", {"Feuil1": sheet_xml(number_rows(2), after=after)}
    )
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def far_hyperlink(folder: Path) -> Case:
    after = '<hyperlinks><hyperlink ref="A1:XFD1048576" location="Feuil1!A1"/></hyperlinks>'
    path = write_xlsx(
        folder / "lien_geant.xlsx", {"Feuil1": sheet_xml(number_rows(2), after=after)}
    )
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def wide_area(folder: Path) -> Case:
    """GR200000: within the row and column limits, but 40 million cells (calamine: 1.6 GB)."""
    rows = number_rows(1) + '<row r="200000"><c r="GR200000"><v>1</v></c></row>'
    path = write_xlsx(folder / "surface_geante.xlsx", {"Feuil1": sheet_xml(rows)})
    return Case(path, "rejected", "FILE_EXTENT_TOO_LARGE")


def declared_only(folder: Path) -> Case:
    """Two small cells under ``<dimension ref="A1:XFD1048576"/>``."""
    path = write_xlsx(
        folder / "dimension_geante.xlsx", {"Feuil1": sheet_xml(number_rows(2), "A1:XFD1048576")}
    )
    return Case(path, "rejected", "FILE_EXTENT_DECLARED")


def lying_dimension(folder: Path) -> Case:
    """``<dimension ref="A1"/>`` over 500 real rows: fine, and must be read in full."""
    path = write_xlsx(
        folder / "dimension_fausse.xlsx", {"Feuil1": sheet_xml(number_rows(500), "A1")}
    )
    return Case(path, "ok", None, "500 rows × 3 columns to read")


def external_links(folder: Path) -> Case:
    link = (
        f'{DECL}<externalLink xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><externalBook r:id="rId1">'
        '<sheetNames><sheetName val="Budget"/></sheetNames></externalBook></externalLink>'
    )
    link_rels = (
        f'{DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
        f'Type="{REL_NS}/externalLinkPath" Target="file:///C:/Projets/budget.xlsx" '
        'TargetMode="External"/></Relationships>'
    )
    path = write_xlsx(
        folder / "liaisons.xlsx",
        {"Feuil1": sheet_xml(number_rows(2))},
        extra_parts={
            "xl/externalLinks/externalLink1.xml": link,
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels,
        },
        extra_types=(
            '<Override PartName="/xl/externalLinks/externalLink1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/>'
        ),
        extra_wb_rels=(
            f'<Relationship Id="rIdX" Type="{REL_NS}/externalLink" '
            'Target="externalLinks/externalLink1.xml"/>'
        ),
        extra_wb_xml='<externalReferences><externalReference r:id="rIdX"/></externalReferences>',
    )
    return Case(path, "ok", None, "warning FILE_EXTERNAL_LINKS")


def date_1904(folder: Path) -> Case:
    """A1 holds serial 43904 with a date format, in the 1904 date system: 2024-03-15.

    1904-01-01 → 2024-01-01: 120 years, 30 of them leap (1904…2020) = 120 × 365 + 30 = 43830
    days; + 31 (Jan) + 29 (Feb) + 14 = 43904.
    """
    rows = '<row r="1"><c r="A1" s="1"><v>43904</v></c></row>'
    path = write_xlsx(
        folder / "calendrier_1904.xlsx",
        {"Feuil1": sheet_xml(rows)},
        workbook_pr='<workbookPr date1904="1"/>',
    )
    return Case(path, "ok", None, "is_1904, warning FILE_DATE_1904")


def excel_owner_file(folder: Path) -> Case:
    """What Excel writes next to an open workbook: the user name, twice (165 bytes)."""
    path = folder / "~$projet_x.xlsx"
    name = "Claire Martin"
    latin = bytes([len(name)]) + name.encode("latin-1").ljust(53)
    path.write_bytes(latin + (name + " " * (55 - len(name))).encode("utf-16-le"))
    return Case(path, "ignored", "FILE_OWNER_LOCK")


def libreoffice_lock_file(folder: Path) -> Case:
    path = folder / ".~lock.projet_x.xlsx#"
    path.write_text(
        "Claire Martin,PC-CLAIRE,claire,26.11.2026 10:02,file:///home/claire/.config;\n"
    )
    return Case(path, "ignored", "FILE_OWNER_LOCK")


CORPUS: tuple[Callable[[Path], Case], ...] = (
    valid,
    zero_byte,
    zeros_only,
    truncated_zip,
    bad_crc,
    corrupt_deflate,
    lying_size,
    malformed_sheet_xml,
    malformed_workbook_xml,
    missing_workbook_part,
    html_renamed,
    text_renamed,
    xml_2003,
    legacy_xls,
    encrypted_ooxml,
    word_ole,
    ods_renamed,
    docx_renamed,
    xml_bomb,
    xxe,
    zip_bomb,
    dense_zeros,
    too_many_parts,
    far_corner,
    far_corner_hidden,
    far_row_no_ref,
    far_prefixed,
    far_escaped_ref,
    far_corner_bin_part,
    xxe_bin_part,
    far_merge,
    far_hyperlink,
    wide_area,
    declared_only,
    lying_dimension,
    external_links,
    date_1904,
    excel_owner_file,
    libreoffice_lock_file,
)


def build_corpus(folder: Path) -> list[Case]:
    """Write every file of the corpus into ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    return [make(folder) for make in CORPUS]
