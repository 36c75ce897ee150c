"""The integration JSON document (:meth:`~pmo_xl.portfolio.PortfolioResult.to_json`) written as
it is made, and its load records kept between runs.

At 1,000 projects the document is 70 MB, 43 of them the 190,000 weekly load records. Made whole
(some 100 MB of dicts, then the text), it was the heaviest of the side children that run while
the run writes the workbook; both cores are busy then, so its work and its memory lengthened
the run by about 0.4 s. Here:

* the long lists are converted and encoded a few thousand items at a time, each chunk as
  ``{key: chunk}`` by ``orjson``, which puts the items at the depth they have in the document,
  and cut out of it: the bytes are exactly ``orjson.dumps(result.to_json(lang))`` indented by two
  (tested), with no more than a chunk's dicts in memory;
* the load records are cut into groups (a person's weeks, joined by
  :func:`~pmo_xl.sheet_pieces.chunked`), each known by a digest of its values
  (:func:`load_digests`). The next run that writes the same output finds, for each group whose
  digest it knows, its bytes in the last document: read at their offset, checked against their
  CRC-32 and the file's identity, and copied; only the other groups are encoded. A piece whose
  bytes are not exactly those kept (the file replaced, edited, cut) is encoded again: kept
  bytes are never trusted over the file.

Where the index of the last document's pieces is kept is the caller's business: the command
line keeps it in pmo_xl's cache folder, next to the sheet pieces of the workbook
(:meth:`pmo_xl.cache.SheetPieces.load_index`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import os
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
import orjson
import pandas as pd

from pmo_xl import native, sheet_pieces
from pmo_xl.labels import Lang

if TYPE_CHECKING:
    from pmo_xl.consolidation import LoadDetail
    from pmo_xl.portfolio import PortfolioResult

# The long lists are encoded this many items at a time.
CHUNK_ROWS = 5_000
# orjson: the standard encoder falls back to pure Python when indenting (6 s for 1,000
# projects, against 0.2 s); UTF-8, accents kept, numpy floats as numbers.
OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY
INDEX_NAME = "json-resource-load"
_LOAD_KEY = "resource_load"
_LOAD_COLUMNS = ("resource", "week", "load_days", "capacity_days", "over_allocated")
_LOAD_NAMES = [*_LOAD_COLUMNS, "by_project"]


@dataclass
class LoadIndex:
    """Where the last document's load records lie, by the digest of their group: valid for
    ``key`` (this code, orjson's version) and for the file whose ``identity`` it gives."""

    key: str
    salt: str
    identity: tuple[int, int, int, int] | None = None  # device, inode, size, mtime (ns)
    pieces: dict[bytes, tuple[int, int, int]] = field(default_factory=dict)  # offset, size, CRC


@dataclass
class Written:
    """What :func:`write_document` did: the index of the document it wrote (None: nothing to
    keep), and how many load groups it copied and encoded."""

    index: LoadIndex | None
    copied: int = 0
    encoded: int = 0


def document_bytes(result: PortfolioResult, lang: Lang = "fr", rows: int = CHUNK_ROWS) -> bytes:
    """The whole document (what :func:`write_document` writes, with nothing kept)."""
    buffer = io.BytesIO()
    write_document(result, buffer, lang, rows=rows)
    return buffer.getvalue()


def write_document(
    result: PortfolioResult,
    out: IO[bytes],
    lang: Lang = "fr",
    *,
    last: LoadIndex | None = None,
    previous: Path | None = None,
    rows: int = CHUNK_ROWS,
) -> Written:
    """Write the document of ``result`` to ``out`` (at its start). ``last``: the index of the
    document at ``previous`` (the output this one replaces), whose load records are copied
    where they are the same."""
    position = 0

    def put(data: bytes | memoryview) -> None:
        nonlocal position
        out.write(data)
        position += len(data)

    written = Written(None)
    put(b"{\n")
    for k, (name, value) in enumerate(sections(result, lang, rows)):
        if k:
            put(b",\n")
        if name == _LOAD_KEY:
            written = _write_load(result, put, lambda: position, last, previous, value)
        elif callable(value):
            for part in _list_parts(name, value()):
                put(part)
        else:  # {"name": value} as orjson indents it, less its braces: the key's line(s)
            put(memoryview(_dumps({name: value}))[2:-2])
    put(b"\n}")
    return written


def sections(result: PortfolioResult, lang: Lang, rows: int = CHUNK_ROWS) -> list[tuple[str, Any]]:
    """The document's keys, in order, and their values: JSON-ready, or for the long lists a
    function giving them ``rows`` items at a time (:meth:`PortfolioResult.to_json` joins them)."""
    return [
        ("cutoff", result.cutoff.isoformat()),
        ("projects", lambda: _items(result.projects, rows, lambda p: p.as_json(lang))),
        ("totals", jsonable(result.totals)),
        (_LOAD_KEY, lambda: _frame_items(result.resource_load, rows, load_records)),
        ("findings", lambda: _items(result.findings, rows, lambda f: f.as_dict(lang))),
        ("files", [f.as_dict(lang) for f in result.files]),
        ("risks", lambda: _frame_items(result.risks, rows, records)),
        ("actions", lambda: _frame_items(result.actions, rows, records)),
        ("decisions", lambda: _frame_items(result.decisions, rows, records)),
    ]


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=OPTIONS)


def _head(name: str) -> bytes:
    return b"  " + _dumps(name) + b": ["


def _encoded_items(name: str, items: list[Any]) -> memoryview:
    """``items`` (not empty) as they stand in the document's list ``name``: ``{name: items}``
    encoded, less ``{``, the key's line and the list's end."""
    text = memoryview(_dumps({name: items}))
    # b'{\n' + head + b'\n' + items + b'\n  ]\n}'
    return text[len(_head(name)) + 3 : -6]


def _list_parts(name: str, chunks: Iterator[list[Any]]) -> Iterator[bytes | memoryview]:
    """A top-level key's list, given in chunks, as its part of the indented document."""
    first = True
    for chunk in chunks:
        if not chunk:
            continue
        yield _head(name) + b"\n" if first else b",\n"
        yield _encoded_items(name, chunk)
        first = False
    yield _head(name) + b"]" if first else b"\n  ]"


def _items(items: Sequence[Any], rows: int, convert: Callable[[Any], Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), rows):
        yield [convert(item) for item in items[start : start + rows]]


def _frame_items(
    frame: pd.DataFrame, rows: int, convert: Callable[[pd.DataFrame], list[Any]]
) -> Iterator[list[Any]]:
    for start in range(0, len(frame), rows):
        yield convert(frame.iloc[start : start + rows])


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return jsonable(value.item())
    return value


def records(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """JSON records, converted column by column (dates as ISO text, NaN/NaT as null): per value,
    the conversion cost more than the rest of the JSON for 1,000 projects."""
    names = list(columns) if columns is not None else [str(c) for c in frame.columns]
    if frame.empty:
        return []
    return native.records(names, [_json_column(frame[name]) for name in names])


def _json_column(column: pd.Series[Any]) -> list[Any]:
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        # Each distinct date written once: a load table repeats some hundred weeks 190,000 times.
        codes, uniques = pd.factorize(column)  # NaT: code -1
        texts = np.array([*pd.DatetimeIndex(uniques).strftime("%Y-%m-%d").tolist(), None])
        dates: list[Any] = texts[codes].tolist()
        return dates
    if pd.api.types.is_float_dtype(column.dtype):
        numbers = column.to_numpy(dtype=np.float64, na_value=np.nan)
        if not np.isnan(numbers).any():  # most columns: no blank to turn into null
            floats: list[Any] = numbers.tolist()
            return floats
        return [None if v != v else v for v in numbers.tolist()]
    if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_integer_dtype(column.dtype):
        return column.tolist()
    return [v if v is None or type(v) is str else jsonable(v) for v in column.tolist()]


def load_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    return native.records(_LOAD_NAMES, _load_values(frame))


def _load_values(frame: pd.DataFrame) -> list[list[Any]]:
    # by_project holds {project: float} dicts made by the consolidation: JSON-ready as they are.
    return [_json_column(frame[name]) for name in _LOAD_COLUMNS] + [frame["by_project"].tolist()]


# ---------------------------------------------------------------------------------------------
# The load records, by groups kept between runs
# ---------------------------------------------------------------------------------------------


def index_key() -> str:
    """What kept pieces are valid for: this module's code and orjson's version."""
    st = Path(__file__).stat()
    return hashlib.sha256(
        f"{Path(__file__).name}:{st.st_size}:{st.st_mtime_ns}|orjson {orjson.__version__}".encode()
    ).hexdigest()


def load_digests(result: PortfolioResult, salt: str) -> tuple[np.ndarray, list[bytes]] | None:
    """The load records cut into groups (a person's weeks, joined into chunks): each group's
    first row, then the row count, and its digest; None when the records cannot be digested
    (no long-form detail of ``by_project``, or values that cannot be told apart).

    A group's digest covers every value its records write: the person, each week's date, load,
    capacity and flag, and each week's projects with their days, in the order the record lists
    them (the ``by_project`` dict's order, the projects' rank in the portfolio: ``codes``)."""
    frame = result.resource_load
    detail = result.resource_detail
    if (
        frame.empty
        or detail is None
        or detail.codes is None
        or len(detail.starts) != len(frame) + 1
        or list(frame.columns) != [*_LOAD_COLUMNS, "by_project"]
    ):
        return None
    columns = [frame[c] for c in _LOAD_COLUMNS[:-1]] + [
        frame["over_allocated"].to_numpy(dtype=bool).astype(np.int64)
    ]
    weeks = _week_codes(detail, salt)
    if weeks is None:
        return None
    starts, digests = sheet_pieces.grouped_fingerprints(columns, 0, weeks, salt)
    if digests is None:
        return None
    return sheet_pieces.chunked(starts, digests)


def _week_codes(detail: LoadDetail, salt: str) -> np.ndarray | None:
    """A uint64 per weekly row for its projects and their days, in their order: each entry's
    label, days and rank mixed with its place in the row, summed over the row, with the count."""
    labels = sheet_pieces.column_hashes(detail.labels, salt)
    if labels is None:
        return None
    days = np.ascontiguousarray(detail.days, dtype=np.float64).view(np.uint64)
    codes = np.asarray(detail.codes, dtype=np.int64).view(np.uint64)
    starts = np.asarray(detail.starts, dtype=np.intp)
    counts = np.diff(starts)
    place = np.arange(len(detail.days), dtype=np.intp) - np.repeat(starts[:-1], counts)
    mix = sheet_pieces.mix
    entry = mix(labels ^ mix(days ^ np.uint64(0x9E3779B97F4A7C15)))
    entry = mix(entry ^ mix(codes + np.uint64(1)) ^ mix(place.astype(np.uint64) + np.uint64(7)))
    summed = np.concatenate(([np.uint64(0)], np.cumsum(entry, dtype=np.uint64)))
    with np.errstate(over="ignore"):
        rows = summed[starts[1:]] - summed[starts[:-1]]
    week_codes: np.ndarray = mix(rows ^ mix(counts.astype(np.uint64)))
    return week_codes


def _write_load(
    result: PortfolioResult,
    put: Callable[[bytes | memoryview], None],
    position: Callable[[], int],
    last: LoadIndex | None,
    previous: Path | None,
    chunks: Callable[[], Iterator[list[Any]]],
) -> Written:
    """The load records: each group copied from ``previous`` where ``last`` holds it, else
    encoded; all of them as ``chunks`` gives them when they cannot be digested."""
    frame = result.resource_load
    key = index_key()
    if last is None or last.key != key:
        last = LoadIndex(key, sheet_pieces.new_salt())
    groups = load_digests(result, last.salt)
    if groups is None:
        for part in _list_parts(_LOAD_KEY, chunks()):
            put(part)
        return Written(None)
    starts, digests = groups
    index = LoadIndex(key, last.salt)
    written = Written(index)
    with _Previous(previous, last) as old:
        # The groups to encode: from the columns converted once when they are many (a first
        # run: 1,000 groups, each taken from the frame would cost 1 s more), else one by one.
        todo = sum(not old.may_have(d) for d in digests)
        values = _load_values(frame) if todo * 8 > len(digests) else None
        put(_head(_LOAD_KEY) + b"\n")
        for g, digest in enumerate(digests):
            if g:
                put(b",\n")
            kept = old.piece(digest)
            if kept is None:
                lo, hi = int(starts[g]), int(starts[g + 1])
                rows_of = (
                    native.records(_LOAD_NAMES, [v[lo:hi] for v in values])
                    if values is not None
                    else load_records(frame.iloc[lo:hi])
                )
                data: bytes | memoryview = _encoded_items(_LOAD_KEY, rows_of)
                crc = zlib.crc32(data)
                written.encoded += 1
            else:
                data, crc = kept
                written.copied += 1
            index.pieces[digest] = (position(), len(data), crc)
            put(data)
        put(b"\n  ]")
    return written


class _Previous:
    """The last document, open while this one is written, if its index and its identity
    agree; its pieces read at their offset and given back only if their CRC-32 agrees."""

    def __init__(self, path: Path | None, index: LoadIndex) -> None:
        self.path, self.index = path, index
        self.fd: int | None = None

    def __enter__(self) -> _Previous:
        if self.path is None or not self.index.pieces or self.index.identity is None:
            return self
        with contextlib.suppress(OSError):
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
            if identity(os.fstat(fd)) == self.index.identity:
                self.fd = fd
            else:
                os.close(fd)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def may_have(self, digest: bytes) -> bool:
        return self.fd is not None and digest in self.index.pieces

    def piece(self, digest: bytes) -> tuple[bytes, int] | None:
        """The bytes kept for ``digest`` and their CRC-32, if the file still holds them."""
        where = self.index.pieces.get(digest)
        if self.fd is None or where is None:
            return None
        offset, size, crc = where
        try:
            data = _read_at(self.fd, offset, size)
        except OSError:
            return None
        return (data, crc) if len(data) == size and zlib.crc32(data) == crc else None


def _read_at(fd: int, offset: int, size: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows
    return os.read(fd, size)


def identity(st: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file from its replacement or its edit: device, inode, size, modified."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


__all__ = [
    "CHUNK_ROWS",
    "INDEX_NAME",
    "LoadIndex",
    "Written",
    "document_bytes",
    "identity",
    "index_key",
    "load_digests",
    "write_document",
]
