"""Look at a file before any parser does: refuse what would crash, hang or mislead a parser.

:func:`preflight` reads only the file's bytes (never openpyxl or calamine): what kind of file it
is, whether its zip container is sound and reasonably sized, whether its XML has a DOCTYPE, and how
far each sheet really extends. A far-corner cell (``XFD1048576``) aborts python-calamine and hangs
openpyxl, a far merge or hyperlink range makes openpyxl create millions of cells: all are caught
here. Every refusal and warning is a finding code of :mod:`pmo_xl.messages`.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import os
import posixpath
import re
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TypeVar
from xml.parsers import expat
from zipfile import ZipFile, ZipInfo

from pydantic import BaseModel, ConfigDict, Field

from pmo_xl import native
from pmo_xl.labels import Lang, os_error_label
from pmo_xl.messages import render, severity
from pmo_xl.workbook import column_index, column_letter

if TYPE_CHECKING:  # model may import Limits from here (Settings): no import cycle at run time
    from pmo_xl.model import Finding, Severity

Status = Literal["ok", "ignored", "rejected"]
Container = Literal["zip", "ole", "other", "empty", "none"]
MB = 1 << 20
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384

_IN_CHUNK = 1 * MB  # compressed bytes read at a time
_OUT_CHUNK = 4 * MB  # decompressed bytes handled at a time: bounds preflight's own memory
_HEAD = 64 * 1024  # an XML prolog longer than this is not something Excel writes
_BINARY_HEAD = 64 * 1024  # binary parts (images, VBA): only their start is decompressed
_MAX_TOKEN = 1 * MB  # longest run without "<" in a sheet (Excel caps a cell at 32,767 chars)
_ASCII_ENCODINGS = re.compile(rb"utf-?8|us-ascii|ascii|iso-?8859-\d+|latin-?\d|(windows|cp)-?125\d")
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
# Decompressed parts kept for the reader (sheets, shared strings, workbook), at most this much.
_KEEP_BYTES = 64 * MB
_KEPT_PARTS = (
    "xl/sharedStrings.xml",
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
)
_SHEET_ROOTS = frozenset({"worksheet", "dialogsheet", "macrosheet"})


class Limits(BaseModel):
    """Business limits a workbook must respect before it is parsed (PMO settings)."""

    model_config = ConfigDict(frozen=True)

    max_file_mb: float = Field(50, gt=0)
    max_uncompressed_mb: float = Field(500, gt=0)  # sum of the declared sizes of all parts
    max_ratio: float = Field(100, gt=1)  # uncompressed / compressed, per part and overall
    ratio_min_mb: float = Field(1, ge=0)  # below this size a high ratio is harmless
    max_members: int = Field(2000, gt=0)
    max_rows: int = Field(200_000, gt=0)
    max_cols: int = Field(1_000, gt=0)
    # Rows × columns of a sheet's used range: calamine allocates it densely (~32 bytes a cell)
    # and openpyxl creates one object per merged cell.
    max_cells: int = Field(5_000_000, gt=0)
    # A <dimension> beyond the limits with a small real extent harms neither calamine nor
    # openpyxl once the reader resets dimensions; refused by default all the same.
    refuse_declared_extent: bool = True


@dataclass(frozen=True)
class Notice:
    """A warning about a file that is still read (external links, 1904 dates…)."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: Lang = "fr") -> str:
        return render(self.code, self.params, lang)


@dataclass(frozen=True)
class SheetExtent:
    """Last row and column a sheet part uses (cells, rows, merges, hyperlinks), and the
    ``<dimension ref>`` it declares. Exact for sheets written in row order (every spreadsheet
    program does); the limits are enforced exactly whatever the order."""

    part: str
    name: str | None
    rows: int
    cols: int
    declared: str | None = None

    @property
    def last_cell(self) -> str:
        return f"{column_letter(self.cols)}{self.rows}" if self.rows and self.cols else ""


@dataclass(frozen=True)
class PreflightResult:
    """What preflight found; ``status`` is ``ok``, ``ignored`` (say nothing) or ``rejected``."""

    path: Path
    status: Status
    reason_code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[Notice, ...] = ()
    is_1904: bool = False
    container: Container = "none"
    sheets: tuple[SheetExtent, ...] = ()
    # The sheets, shared strings and workbook parts as inflated and checked here (CRC, size),
    # for the reader not to inflate them again; and the file's (size, mtime, inode) then.
    parts: Mapping[str, bytes] = field(default_factory=dict, repr=False, compare=False)
    identity: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)
    part_names: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # all

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def parts_if_unchanged(self) -> Mapping[str, bytes]:
        """:attr:`parts`, if the file on disk is still the one inspected; else nothing."""
        if not self.parts or self.identity is None:
            return {}
        try:
            return self.parts if _identity(os.stat(self.path)) == self.identity else {}
        except OSError:
            return {}

    def reason(self, lang: Lang = "fr") -> str | None:
        """Why the file is rejected or ignored, in plain words; ``None`` when it is fine."""
        return render(self.reason_code, self.params, lang) if self.reason_code else None

    def findings(self, file: str) -> list[Finding]:
        """The refusal and the warnings as findings; nothing for an ignored file."""
        from pmo_xl.model import Finding

        if self.status == "ignored":
            return []
        notices = [Notice(self.reason_code, self.params)] if self.reason_code else []
        return [
            Finding(file=file, code=n.code, params=n.params, severity=_severity(n.code))
            for n in [*notices, *self.warnings]
        ]


def _severity(code: str) -> Severity:
    sev = severity(code)
    return "warning" if sev == "warning" else "info" if sev == "info" else "error"


class _Reject(Exception):
    """Stops the inspection of a file with a finding code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# The causes said in French too (a French message is French throughout); an unforeseen one,
# such as an exception's name, is said as it is.
_CAUSES_FR = {
    "duplicate part names": "parties en double",
    "no end of central directory (truncated?)": "fin de l'archive introuvable (tronquée ?)",
    "zip64 end of central directory": "fin d'archive zip64 illisible",
    "encrypted zip entry": "partie chiffrée",
    "truncated": "tronqué",
    "local header": "en-tête de partie illisible",
    "deflate": "données compressées illisibles",
    "larger than declared": "plus grand que déclaré",
    "deflate stream cut short": "données compressées coupées",
    "smaller than declared": "plus petit que déclaré",
    "CRC": "somme de contrôle fausse",
    "UTF-16/32 XML": "XML en UTF-16/32",
    "XML": "XML illisible",
}


def _corrupt(part: str, cause: str) -> _Reject:
    if cause.startswith("compression method "):
        cause_fr = "méthode de compression " + cause.removeprefix("compression method ")
    elif cause.startswith("XML encoding "):
        cause_fr = "encodage XML " + cause.removeprefix("XML encoding ")
    else:
        cause_fr = _CAUSES_FR.get(cause, cause)
    return _Reject("FILE_CORRUPT", part=part, cause=cause, cause_fr=cause_fr)


# --- Entry point ------------------------------------------------------------------------------


def is_owner_file(name: str) -> bool:
    """Lock files Excel (``~$x.xlsx``) and LibreOffice (``.~lock.x.xlsx#``) keep next to an open
    workbook, and macOS ``._x.xlsx`` metadata files: never workbooks, never worth a word."""
    return (
        name.startswith("~$")
        or (name.startswith(".~lock.") and name.endswith("#"))
        or name.startswith("._")
    )


def _identity(stat: os.stat_result) -> tuple[int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def preflight(
    path: Path, limits: Limits | None = None, *, sheets: Callable[[str], bool] | None = None
) -> PreflightResult:
    """Inspect ``path`` without parsing it as a workbook; never raises for a bad file.

    A file found fine comes with the parts a reader needs, already inflated (see
    :attr:`PreflightResult.parts`). ``sheets``: which sheets (by name) will be read, when not
    all of them; the others are not inflated, so a reader must open only these (the history
    sheet of a 20 MB output: 0.1 instead of 0.6 s)."""
    limits = limits or Limits()
    path = Path(path)
    if is_owner_file(path.name):
        code = "FILE_MAC_METADATA" if path.name.startswith("._") else "FILE_OWNER_LOCK"
        return PreflightResult(path, "ignored", code, {"name": path.name})
    container: list[Container] = ["none"]
    try:
        with path.open("rb") as f:
            return _inspect(path, f, limits, container, sheets)
    except _Reject as r:
        return PreflightResult(path, "rejected", r.code, r.params, container=container[0])
    except OSError as e:
        reason = os_error_label(e)
        params = {"error": reason.fr, "error_en": reason.en}
        return PreflightResult(
            path, "rejected", "FILE_NOT_ACCESSIBLE", params, container=container[0]
        )
    except Exception as e:  # a file shaped in a way not foreseen: still a file status, not a crash
        params = {
            "part": "?",
            "cause": f"unexpected {type(e).__name__}",
            "cause_fr": "structure inattendue",
        }
        return PreflightResult(path, "rejected", "FILE_CORRUPT", params, container=container[0])


def _inspect(
    path: Path,
    f: IO[bytes],
    limits: Limits,
    container: list[Container],
    sheets: Callable[[str], bool] | None = None,
) -> PreflightResult:
    f.seek(0, 2)
    size = f.tell()
    f.seek(0)
    if size == 0:
        container[0] = "empty"
        raise _Reject("FILE_EMPTY")
    head = f.read(4096)
    if head.startswith(b"PK\x03\x04"):
        container[0] = "zip"
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        container[0] = "ole"
    else:
        container[0] = "other"
    if size > limits.max_file_mb * MB:
        raise _Reject("FILE_TOO_LARGE", size_mb=round(size / MB, 1), limit_mb=limits.max_file_mb)
    if container[0] == "zip":
        identity = _identity(os.fstat(f.fileno())) if hasattr(f, "fileno") else None
        return _inspect_zip(path, f, size, limits, identity, sheets)
    if container[0] == "ole":
        raise _Reject(_ole_kind(path, f))
    if head.startswith(b"PK\x05\x06"):  # an empty zip archive
        raise _Reject("FILE_NOT_XLSX", part="xl/workbook.xml")
    raise _Reject(_sniff_other(head), magic=head[:8].hex(" "))


# --- Not a zip ----------------------------------------------------------------------------------


def _ole_kind(path: Path, f: IO[bytes]) -> str:
    """An OLE compound file: password-protected OOXML, legacy .xls, or something else (.doc…)."""
    names: set[str] = set()
    try:
        olefile = importlib.import_module("olefile")  # optional (comes with oletools)
        with olefile.OleFileIO(str(path)) as ole:
            names = {part.lower() for entry in ole.listdir(True, True) for part in entry}
    except Exception:  # olefile absent or confused by a broken file: look for the raw names
        f.seek(0)
        data = f.read()
        for name in ("EncryptedPackage", "EncryptionInfo", "Workbook", "Book"):
            if name.encode("utf-16-le") + b"\x00\x00" in data:
                names.add(name.lower())
    if {"encryptedpackage", "encryptioninfo"} & names:
        return "FILE_ENCRYPTED"
    if {"workbook", "book"} & names:
        return "FILE_LEGACY_XLS"
    return "FILE_NOT_WORKBOOK"


def _sniff_other(head: bytes) -> str:
    if not head.strip(b"\x00"):
        return "FILE_ZEROS"  # what a cloud placeholder or an interrupted copy leaves
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # "Unicode text" as Excel saves it
        head = head.decode("utf-16", "replace").encode("utf-8")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return "FILE_XML_2003"
    if (
        text.startswith((b"<!doctype html", b"<html", b"<table", b"<head", b"<body"))
        or b"<html" in text[:1024]
        or (b"mime-version:" in text[:512] and b"multipart/related" in text)
    ):
        return "FILE_HTML"
    if not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", head):
        return "FILE_TEXT"
    return "FILE_NOT_WORKBOOK"


# --- Zip container ------------------------------------------------------------------------------


class _Kept:
    """Parts kept whole for the reader, within :data:`_KEEP_BYTES`: only those zipfile itself
    would read the same way (no flag it refuses, same name in the local header)."""

    def __init__(self, f: IO[bytes]) -> None:
        self.f = f
        self.parts: dict[str, bytes] = {}
        self.room = _KEEP_BYTES

    def wants(self, info: ZipInfo) -> list[bytes] | None:
        """A list to collect the part's chunks into, or None when it is not kept."""
        if info.file_size > self.room or info.flag_bits & 0x60:  # patched data, strong crypto
            return None
        self.f.seek(info.header_offset)
        local = self.f.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            return None
        name_len, flags = struct.unpack("<H", local[26:28])[0], struct.unpack("<H", local[6:8])[0]
        raw = self.f.read(name_len)
        name = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
        return [] if name == info.orig_filename else None

    def add(self, info: ZipInfo, chunks: list[bytes]) -> None:
        data = b"".join(chunks)
        if len(data) == info.file_size:  # the whole part, its CRC checked
            self.parts[info.filename] = data
            self.room -= len(data)


def _collecting(chunks: Iterator[bytes], into: list[bytes] | None) -> Iterator[bytes]:
    """``chunks``, each also appended to ``into`` (when given)."""
    return chunks if into is None else _tee(chunks, into)


def _tee(chunks: Iterator[bytes], into: list[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        into.append(chunk)
        yield chunk


def _inspect_zip(
    path: Path,
    f: IO[bytes],
    size: int,
    limits: Limits,
    identity: tuple[int, int, int] | None = None,
    sheets: Callable[[str], bool] | None = None,
) -> PreflightResult:
    count = _zip_entry_count(f, size)
    if count > limits.max_members:
        raise _Reject("FILE_TOO_MANY_PARTS", count=count, limit=limits.max_members)
    try:
        f.seek(0)
        infos = ZipFile(f).infolist()
    except Exception as e:  # BadZipFile, EOFError, ValueError, struct.error…
        raise _corrupt("zip", type(e).__name__) from None
    _check_sizes(infos, size, limits)
    by_name = {i.filename: i for i in infos}
    if len(by_name) != len(infos):
        raise _corrupt("zip", "duplicate part names")
    _check_kind(f, by_name)

    warnings: list[Notice] = []
    links = [n for n in by_name if n.startswith("xl/externalLinks/") and n.endswith(".xml")]
    if links:
        warnings.append(Notice("FILE_EXTERNAL_LINKS", {"count": len(links)}))
    kept = _Kept(f)
    wb = _parse_small_xml(f, by_name["xl/workbook.xml"], _WorkbookXml(), kept)
    rels = _WorkbookRels()
    if "xl/_rels/workbook.xml.rels" in by_name:
        _parse_small_xml(f, by_name["xl/_rels/workbook.xml.rels"], rels, kept)
    sheet_names = {rels.targets[rid]: name for name, rid in wb.sheets if rid in rels.targets}
    # What the workbook points at is XML whatever its name says (a sheet named sheet1.bin is
    # still a sheet a parser reads whole): scanned as such, extent and DOCTYPE included.
    related = set(rels.targets.values())
    extents = []
    for info in infos:
        if info.is_dir() or info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            continue
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.filename in related:
            name = sheet_names.get(info.filename)
            if name is not None and sheets is not None and not sheets(name):
                continue  # a sheet nobody will read: its declared sizes were checked above
            keep = kept if name is not None or info.filename in _KEPT_PARTS else None
            ext = _scan_xml_part(f, info, limits, name, keep)
            if ext:
                extents.append(ext)
        else:
            for _ in _member_chunks(f, info, limit=_BINARY_HEAD):  # parsers read these lazily
                pass
    if wb.date1904:
        warnings.append(Notice("FILE_DATE_1904"))
    return PreflightResult(
        path,
        "ok",
        warnings=tuple(warnings),
        is_1904=wb.date1904,
        container="zip",
        sheets=tuple(extents),
        parts=kept.parts,
        identity=identity,
        part_names=frozenset(by_name),
    )


def _zip_entry_count(f: IO[bytes], size: int) -> int:
    """Number of parts the end-of-central-directory record announces, before parsing them."""
    tail_len = min(size, 22 + 65535 + 20)
    f.seek(size - tail_len)
    tail = f.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or len(tail) - pos < 22:
        raise _corrupt("zip", "no end of central directory (truncated?)")
    count: int = struct.unpack("<H", tail[pos + 10 : pos + 12])[0]
    if count == 0xFFFF and pos >= 20 and tail[pos - 20 : pos - 16] == b"PK\x06\x07":
        (z64_offset,) = struct.unpack("<Q", tail[pos - 12 : pos - 4])
        f.seek(z64_offset)
        record = f.read(56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            raise _corrupt("zip", "zip64 end of central directory")
        count = struct.unpack("<Q", record[32:40])[0]
    return count


def _check_sizes(infos: list[ZipInfo], size: int, limits: Limits) -> None:
    """Declared sizes and ratios, before anything is decompressed."""
    total = 0
    floor = limits.ratio_min_mb * MB
    for i in infos:
        if i.flag_bits & 0x1:
            raise _corrupt(i.filename, "encrypted zip entry")
        if i.compress_type not in (0, 8):  # stored, deflate: all Excel and LibreOffice write
            raise _corrupt(i.filename, f"compression method {i.compress_type}")
        if i.header_offset + 30 + i.compress_size > size:
            raise _corrupt(i.filename, "truncated")
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size >= floor and ratio > limits.max_ratio:
            raise _bomb(i.filename, i.file_size, ratio, limits)
    if total > limits.max_uncompressed_mb * MB:
        biggest = max(infos, key=lambda i: i.file_size)
        raise _bomb(biggest.filename, total, total / size, limits)
    if total >= floor and total / size > limits.max_ratio:
        raise _bomb("*", total, total / size, limits)


def _bomb(part: str, size: int, ratio: float, limits: Limits) -> _Reject:
    return _Reject(
        "FILE_ZIP_BOMB",
        part=part,
        size_mb=round(size / MB, 1),
        ratio=round(ratio),
        limit_mb=limits.max_uncompressed_mb,
        limit_ratio=limits.max_ratio,
    )


def _check_kind(f: IO[bytes], by_name: dict[str, ZipInfo]) -> None:
    """A zip that is not an .xlsx: OpenDocument, .xlsb, Word…, or one with a part missing."""
    if "xl/workbook.xml" in by_name and "[Content_Types].xml" in by_name:
        return
    if "mimetype" in by_name:
        mime = b"".join(_member_chunks(f, by_name["mimetype"], limit=200))
        if b"opendocument.spreadsheet" in mime:
            raise _Reject("FILE_ODS")
    if "xl/workbook.bin" in by_name:
        raise _Reject("FILE_XLSB")
    if "xl/workbook.xml" not in by_name:
        raise _Reject("FILE_NOT_XLSX", part="xl/workbook.xml")
    raise _Reject("FILE_PART_MISSING", part="[Content_Types].xml")


def _member_chunks(f: IO[bytes], info: ZipInfo, limit: int | None = None) -> Iterator[bytes]:
    """Decompressed chunks of one part, streamed. Read to the end, its size and CRC are checked;
    with ``limit``, stops after about that many bytes. A bad deflate stream is a corrupt file
    (``zlib.error``, which zipfile would not turn into ``BadZipFile``)."""
    f.seek(info.header_offset)
    local = f.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise _corrupt(info.filename, "local header")
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    f.seek(info.header_offset + 30 + name_len + extra_len)
    remaining = info.compress_size
    inflater = native.inflater() if info.compress_type == 8 else None
    produced = crc = 0
    pending = b""
    while True:
        if not pending and remaining > 0:
            pending = f.read(min(remaining, _IN_CHUNK))
            if not pending:
                raise _corrupt(info.filename, "truncated")
            remaining -= len(pending)
        if inflater is None:
            out, pending = pending, b""
        else:
            try:
                out = inflater.decompress(pending, _OUT_CHUNK)
            except native.INFLATE_ERRORS:
                raise _corrupt(info.filename, "deflate") from None
            pending = inflater.unconsumed_tail
        if out:
            produced += len(out)
            if produced > info.file_size:  # a size that lies: the classic zip-bomb disguise
                raise _corrupt(info.filename, "larger than declared")
            crc = native.crc32(out, crc)
            yield out
            if limit is not None and produced >= limit:
                return
        if inflater is not None and inflater.eof:
            break
        if not out and not pending and remaining == 0:
            break
    if inflater is not None and not inflater.eof:
        raise _corrupt(info.filename, "deflate stream cut short")
    if produced != info.file_size:
        raise _corrupt(info.filename, "smaller than declared")
    if crc != info.CRC:
        raise _corrupt(info.filename, "CRC")


# --- XML parts ----------------------------------------------------------------------------------


def _prolog(head: bytes, part: str) -> tuple[int, bytes]:
    """Offset and name of the root element. Refuses a DOCTYPE (entity bombs, external entities),
    an encoding byte-level scans cannot read (UTF-16, UTF-7…) and a prolog longer than 64 KB."""
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head[:4]:
        raise _corrupt(part, "UTF-16/32 XML")
    i = 3 if head.startswith(b"\xef\xbb\xbf") else 0
    n = len(head)
    while True:
        while i < n and head[i] in b" \t\r\n":
            i += 1
        if i >= n:
            break
        if head.startswith(b"<?", i):
            end = head.find(b"?>", i)
            if end < 0:
                break
            decl = re.search(rb"encoding\s*=\s*[\"']([^\"']*)", head[i:end])
            if decl and not _ASCII_ENCODINGS.fullmatch(decl.group(1).lower()):
                raise _corrupt(part, "XML encoding " + decl.group(1).decode("ascii", "replace"))
            i = end + 2
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i)
            if end < 0:
                break
            i = end + 3
        elif head.startswith(b"<!", i):
            raise _Reject("FILE_XML_DOCTYPE", part=part)
        elif head.startswith(b"<", i):
            m = _ROOT.match(head, i)
            if not m:
                raise _corrupt(part, "XML")
            return i, m.group(1)
        else:
            raise _corrupt(part, "XML")
    if n >= _HEAD:  # no root element within 64 KB: a padded prolog hiding something
        raise _Reject("FILE_XML_DOCTYPE", part=part)
    raise _corrupt(part, "XML")


def _local(name: bytes | str) -> str:
    text = name.decode("ascii", "replace") if isinstance(name, bytes) else name
    return text.rsplit(":", 1)[-1]


def _scan_xml_part(
    f: IO[bytes],
    info: ZipInfo,
    limits: Limits,
    sheet_name: str | None,
    kept: _Kept | None = None,
) -> SheetExtent | None:
    """Stream one XML part to its end (CRC): prolog check, then the extent of a sheet, or the
    ``ref`` of comments and tables (openpyxl creates the cell of each comment). With ``kept``,
    the part is kept whole once checked."""
    collected = kept.wants(info) if kept is not None else None
    chunks = _collecting(_member_chunks(f, info), collected)
    first = next(chunks, b"")
    while len(first) < min(_HEAD, info.file_size):  # stored parts come in small reads
        more = next(chunks, b"")
        if not more:
            break
        first += more
    root_at, root = _prolog(first[:_HEAD], info.filename)
    kind = _local(root)
    if kind in _SHEET_ROOTS:
        name = sheet_name or info.filename
        scan = _SheetScan(name, limits, slow=b":" in root)
        scan.feed_all(first, chunks, root_at)
        if scan.irregular:  # unusual form: measure again exactly, by the slow path
            scan = _SheetScan(name, limits, slow=True)
            if collected is not None:
                collected.clear()
            scan.feed_all(b"", _collecting(_member_chunks(f, info), collected), 0)
        if kept is not None and collected is not None:
            kept.add(info, collected)
        return SheetExtent(info.filename, sheet_name, scan.rows, scan.cols, scan.declared)
    pattern = _COMMENT_REFS if kind == "comments" else _TABLE_REF if kind == "table" else None
    for chunk in itertools.chain([first], chunks):  # read to the end for the CRC
        if pattern is not None:  # comments are small: a tag split between chunks is no risk
            for m in pattern.finditer(chunk):
                _check_extent(info.filename, *_ref_corner(m.group(1)), limits)
    if kept is not None and collected is not None:
        kept.add(info, collected)
    return None


_COMMENT_REFS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?comment\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_TABLE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?table\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")


# --- Sheet extent -----------------------------------------------------------------------------


def _ref_corner(ref: bytes | str) -> tuple[int, int]:
    """(rows, cols) of the bottom-right corner of ``A1``, ``A1:C9``, ``A:A``, ``1:1``, or of a
    space-separated list of them; a whole column or row reaches Excel's last row or column."""
    text = unescape(ref.decode("utf-8", "replace") if isinstance(ref, bytes) else ref).upper()
    rows = cols = 0
    for m in re.finditer(r"\$?([A-Z]{0,4})\$?(\d{0,8})", text):
        letters, digits = m.group(1), m.group(2)
        if letters or digits:
            rows = max(rows, int(digits) if digits else EXCEL_MAX_ROWS)
            cols = max(cols, column_index(letters) if letters else EXCEL_MAX_COLS)
    return rows, cols


def _check_extent(
    where: str, rows: int, cols: int, limits: Limits, *, declared: bool = False
) -> None:
    if rows > limits.max_rows or cols > limits.max_cols or rows * cols > limits.max_cells:
        raise _Reject(
            "FILE_EXTENT_DECLARED" if declared else "FILE_EXTENT_TOO_LARGE",
            sheet=where,
            cell=f"{column_letter(cols)}{rows}",
            rows=rows,
            cols=cols,
            max_rows=limits.max_rows,
            max_cols=limits.max_cols,
            max_cells=limits.max_cells,
        )


def _le_number(n: int) -> str:
    """Regex for the decimal numbers 1..n written without leading zeros (``n`` ≥ 1)."""
    d = str(n)
    if set(d) == {"9"}:  # 9999: any number of at most 4 digits
        return rf"[1-9]\d{{0,{len(d) - 1}}}"
    alts = [rf"[1-9]\d{{0,{len(d) - 2}}}"] if len(d) > 1 else []
    for i, ch in enumerate(d):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            rest = rf"\d{{{len(d) - i - 1}}}" if i < len(d) - 1 else ""
            alts.append(f"{d[:i]}[{low}-{int(ch) - 1}]{rest}")
    alts.append(d)
    return "(?:" + "|".join(alts) + ")"


def _le_letters(n: int) -> str:
    """Regex for the column letters A..``column_letter(n)``."""
    s = column_letter(n)
    if len(s) == 1:
        return f"[A-{s}]"
    alts = [f"[A-Z]{{1,{len(s) - 1}}}"] if len(s) > 1 else []
    for i, ch in enumerate(s):
        if ch > "A":
            rest = f"[A-Z]{{{len(s) - i - 1}}}" if i < len(s) - 1 else ""
            alts.append(f"{s[:i]}[A-{chr(ord(ch) - 1)}]{rest}")
    alts.append(s)
    return "(?:" + "|".join(alts) + ")"


@functools.lru_cache(maxsize=1024)
def _cells_beyond(cols: int, rows: int) -> re.Pattern[bytes]:
    """Cell tags that are not ``<c r="A1"`` within (cols, rows): beyond, or of an unusual form."""
    safe = f'{_le_letters(cols)}{_le_number(rows)}"'.encode()
    return re.compile(rb'<c(?:[>/\t\n\r]| (?!r="' + safe + rb"))")


@functools.lru_cache(maxsize=1024)
def _rows_beyond(rows: int) -> re.Pattern[bytes]:
    return re.compile(rb'<row(?:[>/\t\n\r]| (?!r="' + _le_number(rows).encode() + rb'"))')


def _ceil_1sig(n: int) -> int:
    """Round up to one significant digit (3001 → 4000): few distinct patterns, compiled once."""
    unit = int(10 ** (len(str(n)) - 1))
    return -(-n // unit) * unit


_PREFIXED_TAG = re.compile(rb":(?:c|row)[\s>/]")
_STRICT_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9]\d{0,6})"')
_STRICT_ROW = re.compile(rb'<row r="([1-9]\d{0,6})"')
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_RANGES_FAST = re.compile(rb"<(?:mergeCell|hyperlink)\s[^>]*?\bref\s*=\s*[\"']([^\"']*)")
_RANGES = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(?:mergeCell|hyperlink)\s[^>]*?\bref\s*=\s*[\"']([^\"']*)"
)
_ANY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(r"([A-Z]{1,4})(\d{1,8})")
_ROW_TAG, _CELL_TAG = 0, 1


class _SheetScan:
    """The used extent of one sheet, measured while streaming it.

    Fast path (sheets as Excel, LibreOffice, openpyxl or XlsxWriter write them): guess the extent
    from the last row and cells, round it up, and let one regex find every cell or row beyond it
    or not of the plain ``<c r="A1"`` form. With no match, every cell is within the rounded
    bound. A cell without ``r``, a prefixed tag or an entity in ``r`` switches to the slow path,
    which walks every tag and follows implicit positions as parsers do.
    """

    def __init__(self, name: str, limits: Limits, slow: bool = False) -> None:
        self.name, self.limits, self.slow = name, limits, slow
        self.rows = self.cols = 0  # found
        self.bound_rows = self.bound_cols = 0  # proven: no cell beyond (fast path)
        self.declared: str | None = None
        self.irregular = False
        self.head_done = False
        self.cur_row = self.cur_col = 0  # slow path: implicit positions

    def feed_all(self, first: bytes, rest: Iterator[bytes], start: int) -> None:
        pending, carry = first, b""
        for nxt in itertools.chain(rest, [None]):
            data = carry + pending if carry else pending
            if nxt is None:
                self._feed(data, start)
                break
            if not data:
                pending = nxt
                continue
            cut = data.rfind(b"<")
            if cut < 0 or len(data) - cut > _MAX_TOKEN:
                raise _corrupt(self.name, "XML token too long")
            carry = data[cut:]
            self._feed(data[:cut], start)
            if self.irregular:
                return
            start, pending = 0, nxt
        if not self.irregular:
            self._finish()

    def _feed(self, data: bytes, start: int) -> None:
        if not self.head_done:
            self.head_done = True
            stop = data.find(b"sheetData", start)
            m = _DIMENSION.search(data, start, stop if stop >= 0 else len(data))
            if m:  # checked at the end: a sheet that also uses that range says "uses"
                self.declared = m.group(1).decode("utf-8", "replace")
        ranges: bool | None = None  # merged cells or links here: None, not known yet
        if self.slow:
            self._slow(data)
        else:
            ranges = self._fast(data)
        # Merges and hyperlinks follow the data, but openpyxl would take them anywhere.
        if ranges is None:
            ranges = b"mergeCell" in data or b"hyperlink" in data
        if not self.irregular and ranges:
            for m in (_RANGES if self.slow else _RANGES_FAST).finditer(data):
                self._grow(*_ref_corner(m.group(1)))

    def _fast(self, data: bytes) -> bool | None:
        """Measure ``data``; with the C scan, also tell whether it holds merges or links."""
        if native.enabled():  # C checks every tag's form and measures them all
            found = native.strict_extent(data)
            if found is None:
                self.irregular = True
                return None
            rows, cols, ranges = found
            self.bound_rows = max(self.bound_rows, rows)
            self.bound_cols = max(self.bound_cols, cols)
            self._grow(rows, cols)
            return ranges
        if _PREFIXED_TAG.search(data):
            self.irregular = True
            return None
        first_row_end = max(data.find(b"</row>"), 0)
        for pos in (data.rfind(b'<c r="'), data.rfind(b'<c r="', 0, first_row_end)):
            cell = _STRICT_CELL.match(data, pos) if pos >= 0 else None
            if cell:
                self._grow(int(cell.group(2)), column_index(cell.group(1).decode()))
        pos = data.rfind(b'<row r="')
        row = _STRICT_ROW.match(data, pos) if pos >= 0 else None
        if row:
            self._grow(int(row.group(1)), 0)
        self._verify(data, _ROW_TAG)
        if not self.irregular:
            self._verify(data, _CELL_TAG)
        return None

    def _bounds(self) -> tuple[int, int]:
        """A bound of what was found, rounded up so that its regex is simple and cached
        (12 columns, 3001 rows → Z, 9999), within the limits."""
        lim = self.limits
        cols, rows = max(self.cols, 1), max(self.rows, 1)
        round_cols = 26 if cols <= 26 else _ceil_1sig(cols)
        nines = 10 ** len(str(rows)) - 1
        for c, r in (
            (round_cols, nines),
            (cols, nines),
            (round_cols, _ceil_1sig(rows)),
            (cols, _ceil_1sig(rows)),
        ):
            c, r = min(c, lim.max_cols), min(r, lim.max_rows)
            if c * r <= lim.max_cells:
                return c, r
        return cols, rows

    def _verify(self, data: bytes, kind: int) -> None:
        """Find every tag beyond the bound; grow, and tighten the pattern now and then."""
        pos = hits = 0
        while True:
            cols, rows = self._bounds()
            pat = _rows_beyond(rows) if kind == _ROW_TAG else _cells_beyond(cols, rows)
            self.bound_cols = max(self.bound_cols, cols)
            self.bound_rows = max(self.bound_rows, rows)
            for m in pat.finditer(data, pos):
                strict = (_STRICT_ROW if kind == _ROW_TAG else _STRICT_CELL).match(data, m.start())
                if not strict:
                    self.irregular = True
                    return
                if kind == _ROW_TAG:
                    self._grow(int(strict.group(1)), 0)
                else:
                    self._grow(int(strict.group(2)), column_index(strict.group(1).decode()))
                pos, hits = m.end(), hits + 1
                if hits % 64 == 0:  # rows out of order: rebuild the pattern from what was found
                    break
            else:
                return

    def _slow(self, data: bytes) -> None:
        for m in _ANY_TAG.finditer(data):
            attr = _R_ATTR.search(m.group(2))
            value = unescape((attr.group(1) or attr.group(2) or b"").decode()) if attr else None
            if m.group(1) == b"row":
                self.cur_row = int(value) if value and value.isdigit() else self.cur_row + 1
                self.cur_col = 0
                self._grow(self.cur_row, 0)
                continue
            ref = _CELL_REF.fullmatch(value.strip().upper()) if value is not None else None
            if ref:
                self.cur_col = column_index(ref.group(1))
                self._grow(int(ref.group(2)), self.cur_col)
            elif value is None:  # no r: the next column of the current row
                self.cur_col += 1
                self._grow(max(self.cur_row, 1), self.cur_col)
            # An r nobody can read makes the parsers fail: nothing to measure.

    def _grow(self, rows: int, cols: int) -> None:
        self.rows, self.cols = max(self.rows, rows), max(self.cols, cols)
        if self.rows > self.limits.max_rows or self.cols > self.limits.max_cols:
            _check_extent(self.name, self.rows, self.cols, self.limits)

    def _finish(self) -> None:
        _check_extent(self.name, self.rows, self.cols, self.limits)
        if self.declared is not None and self.limits.refuse_declared_extent:
            _check_extent(self.name, *_ref_corner(self.declared), self.limits, declared=True)
        if self.slow:
            return
        # The fast path proved "nothing beyond the bounds": they must be within the limits too,
        # else only the exact slow path can tell.
        lim = self.limits
        rows, cols = max(self.bound_rows, self.rows), max(self.bound_cols, self.cols)
        if rows > lim.max_rows or cols > lim.max_cols or rows * cols > lim.max_cells:
            self.irregular = True


# --- Small XML parts, parsed ---------------------------------------------------------------------


class _Handler:
    def start(self, name: str, attrs: dict[str, str]) -> None:
        raise NotImplementedError


class _WorkbookXml(_Handler):
    def __init__(self) -> None:
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)
        self.date1904 = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "workbookPr":
            self.date1904 = attrs.get("date1904", "").strip().lower() in ("1", "true")
        elif local == "sheet":
            rid = next((v for k, v in attrs.items() if ":" in k and _local(k) == "id"), "")
            self.sheets.append((attrs.get("name", ""), rid))


class _WorkbookRels(_Handler):
    def __init__(self) -> None:
        self.targets: dict[str, str] = {}  # relationship id -> part name

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Target" in attrs:
            target = attrs["Target"]
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            self.targets[attrs.get("Id", "")] = posixpath.normpath(part)


H = TypeVar("H", bound=_Handler)


def _parse_small_xml(f: IO[bytes], info: ZipInfo, handler: H, kept: _Kept | None = None) -> H:
    """Parse a part (workbook, its relationships) with expat, streaming, refusing any DTD;
    kept whole for the reader with ``kept``."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = handler.start

    def refuse(*_: object) -> None:
        raise _Reject("FILE_XML_DOCTYPE", part=info.filename)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    first = True
    collected = kept.wants(info) if kept is not None else None
    try:
        for chunk in _collecting(_member_chunks(f, info), collected):
            if first:
                _prolog(chunk[:_HEAD], info.filename)
                first = False
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as e:
        raise _corrupt(info.filename, f"XML line {e.lineno}") from None
    if kept is not None and collected is not None:
        kept.add(info, collected)
    return handler
