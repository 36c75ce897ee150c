"""The rows of a big output sheet kept between runs, as deflated pieces: one per group of rows.

A re-run after one project changed writes the 190,000 rows of ``Charge ressources`` again, and
all but a few people's are the rows it wrote last time. The rows of such a sheet are cut into
groups (a person's weeks, a project's months), each known by a digest of its cells
(:func:`fingerprints`), and each group's XML is deflated on its own (:func:`deflate_pieces`).
The next run copies the pieces whose digest it finds and makes only the others:

* a piece ends on a full flush: byte-aligned, no reference to anything before it, so pieces
  laid end to end are one valid deflate stream (:func:`joined`, which also works out the
  CRC-32 of the whole from the pieces' own);
* its rows and cells carry no number (ECMA-376 makes ``r`` optional: a row follows the one
  before, a cell the one before it), and its text is written inline, so it does not depend on
  where its group lands nor on the workbook's shared-string table.

Where the pieces are kept is the caller's business (:class:`PieceStore`; the command line keeps
them in pmo_xl's cache folder, see :mod:`pmo_xl.cache`).
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from pmo_xl import native

# A text the writer had to change in a piece: (row in the group, column in the body, the
# original text, whether it was cleaned, whether it was cut).
PieceNote = tuple[int, int, str, bool, bool]


@dataclass(frozen=True)
class Piece:
    """One group's rows: raw deflate ending on a full flush, and the CRC-32 and size of the XML
    it inflates to."""

    deflated: bytes
    crc: int
    size: int
    notes: tuple[PieceNote, ...] = ()


@dataclass
class StoredPieces:
    """The pieces of one sheet as a run left them: valid for ``key`` only (the writer's code,
    the sheet's columns and the style indices its cells name); ``salt`` keys the digests."""

    key: str
    salt: str
    pieces: dict[bytes, Piece] = field(default_factory=dict)


class PieceStore(Protocol):
    """Where the pieces of an output's big sheets are kept between runs."""

    def load(self, name: str) -> StoredPieces | None:
        """The pieces stored under ``name`` (a sheet), or None."""

    def save(self, name: str, stored: StoredPieces) -> None:
        """Keep ``stored`` under ``name`` (a failure only costs speed next time)."""


class MemoryPieces:
    """A :class:`PieceStore` in memory (tests, or several writes in one process)."""

    def __init__(self) -> None:
        self.stored: dict[str, StoredPieces] = {}

    def load(self, name: str) -> StoredPieces | None:
        return self.stored.get(name)

    def save(self, name: str, stored: StoredPieces) -> None:
        self.stored[name] = stored


def new_salt() -> str:
    """A fresh key for the digests (16 characters, as pandas' hashing takes it)."""
    return secrets.token_hex(8)


def run_starts(values: Any) -> np.ndarray:
    """Where each run of equal values starts, then the number of values (intp)."""
    codes, _ = pd.factorize(pd.Series(values, copy=False), use_na_sentinel=False)
    n = len(codes)
    if n == 0:
        return np.zeros(1, dtype=np.intp)
    changes = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    return np.concatenate(([0], changes, [n])).astype(np.intp)


def fingerprints(
    columns: Sequence[Any],
    starts: np.ndarray,
    row_codes: np.ndarray,
    salt: str,
    hashed: dict[int, np.ndarray] | None = None,
) -> list[bytes] | None:
    """A 128-bit digest per group of rows ``starts[g]:starts[g + 1]`` of the columns' values
    and of ``row_codes`` (a uint64 per row: what else makes a row, such as its height); None
    when a column holds values that cannot be told apart by their hash (objects other than
    text: ``1`` and ``"1"`` would hash alike, and are written differently).

    Each row's values are mixed into one 64-bit hash (seeded by ``salt``), and each group's
    rows' hashes digested by BLAKE2b (keyed by ``salt``). ``hashed``: some columns'
    :func:`column_hashes` already made, by column."""
    n = int(starts[-1])
    seed = int.from_bytes(hashlib.blake2b(salt.encode(), digest_size=8).digest(), "little")
    rows = np.full(n, seed, dtype=np.uint64)
    spare = np.empty(n, dtype=np.uint64)  # one buffer for every shift (no array a step)
    for j, values in enumerate(columns):
        column = (hashed or {}).get(j)
        if column is None:
            column = column_hashes(values, salt)
        if column is None:
            return None
        rows ^= column
        rows ^= np.uint64(j + 1)
        _mix_into(rows, spare)
    rows ^= np.asarray(row_codes, dtype=np.uint64)
    _mix_into(rows, spare)
    flat = memoryview(rows.data).cast("B")
    key = salt.encode()
    return [
        hashlib.blake2b(flat[s * 8 : e * 8], digest_size=16, key=key).digest()
        for s, e in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)
    ]


def grouped_fingerprints(
    columns: Sequence[Any], group_column: int, row_codes: np.ndarray, salt: str
) -> tuple[np.ndarray, list[bytes] | None]:
    """The groups of rows, runs of equal values of ``columns[group_column]``, as
    :func:`run_starts` gives them, and their :func:`fingerprints`. The runs are read off the
    group column's hashes, which the digests take too (one pass over it, not a factorisation
    then a hash of each run's value: 0.04 s for the three grouped sheets of 1,000 projects);
    two values apart only by a hash collision would be one run, as they are one digest."""
    group = column_hashes(columns[group_column], salt)
    if group is None:
        return run_starts(columns[group_column]), None
    n = len(group)
    changes = np.flatnonzero(group[1:] != group[:-1]) + 1 if n else np.zeros(0, dtype=np.intp)
    starts = np.concatenate(([0], changes, [n])).astype(np.intp)
    return starts, fingerprints(columns, starts, row_codes, salt, {group_column: group})


_SHIFT = np.uint64(33)
_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)


def _mix_into(x: np.ndarray, spare: np.ndarray) -> None:
    """:func:`mix` of ``x`` in place, ``spare`` (as long) for the shifts."""
    np.right_shift(x, _SHIFT, out=spare)
    x ^= spare
    x *= _M1
    np.right_shift(x, _SHIFT, out=spare)
    x ^= spare
    x *= _M2
    np.right_shift(x, _SHIFT, out=spare)
    x ^= spare


def mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, element-wise (each bit of the input moves about half
    of the output's)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xC4CEB9FE1A85EC53)
        mixed: np.ndarray = x ^ (x >> np.uint64(33))
    return mixed


_SAMPLE = 10_000  # texts looked at to tell whether a column's texts repeat


def column_hashes(values: Any, salt: str) -> np.ndarray | None:
    series = values if isinstance(values, pd.Series) else pd.Series(values, copy=False)
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biufmM":
        # Numbers, booleans and dates by their bits (so -0.0 and 0.0 differ: a miss, not a
        # wrong reuse); the dtype itself is part of the store's key.
        bits = series.to_numpy()
        hashed = np.array(bits, dtype=np.int64 if bits.dtype.itemsize != 8 else bits.dtype)
        hashed = hashed.view(np.uint64)  # a copy of its own, mixed in place
        _mix_into(hashed, np.empty_like(hashed))
        return hashed
    if native.enabled():  # one C pass (1,000 projects' load detail: 0.12 s → 0.01 s)
        # (ndarray.tolist: a pandas str Series' own tolist iterates in Python, 8x slower)
        return native.text_hashes(series.to_numpy(dtype=object).tolist(), salt)
    cells = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(cells, skipna=True) not in ("string", "empty"):
        return None
    # Text by its characters (SipHash keyed by ``salt``), each distinct text once where texts
    # repeat (names); each row's where they hardly do (a week's load detail), which a sample
    # tells: blanks (None, NaN) hash alike, as they are written alike.
    sample = cells[:: max(1, len(cells) // _SAMPLE)].tolist()
    if len(set(sample)) * 10 > len(sample) * 9:
        hashed = pd.util.hash_array(cells, hash_key=salt, categorize=False)
        return np.asarray(hashed, dtype=np.uint64)
    codes, uniques = pd.factorize(cells)
    distinct = pd.util.hash_array(
        np.asarray(uniques, dtype=object), hash_key=salt, categorize=False
    )
    blank = pd.util.hash_array(np.array([None], dtype=object), hash_key=salt)
    table = np.concatenate((np.asarray(distinct, dtype=np.uint64), blank.astype(np.uint64)))
    return table[codes]  # a blank's code is -1: the last entry


def chunked(
    starts: np.ndarray, digests: list[bytes], every: int = 8
) -> tuple[np.ndarray, list[bytes]]:
    """Groups joined into chunks of about ``every`` groups, and each chunk's digest.

    A chunk ends after a group whose digest's first byte is a multiple of ``every``: where
    chunks end depends on the groups' content, not on their place, so a changed group changes
    its own chunk and leaves the others as they were. Fewer, larger pieces deflate better and
    faster (each ends on a flush) for a few more rows made again."""
    n = len(digests)
    if n == 0:
        return starts, digests
    ends = [g + 1 for g, d in enumerate(digests) if d[0] % every == 0 and g + 1 < n] + [n]
    bounds = [0, *ends]
    chunk_starts = np.asarray([starts[g] for g in bounds], dtype=np.intp)
    chunk_digests = [
        hashlib.blake2b(b"".join(digests[a:b]), digest_size=16).digest()
        for a, b in itertools.pairwise(bounds)
    ]
    return chunk_starts, chunk_digests


def text_codes(texts: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """A stable uint64 per row for ``texts[codes[i]]`` (a row's tag, say)."""
    digests = [
        int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little")
        for t in texts
    ]
    hashed: np.ndarray = np.asarray(digests, dtype=np.uint64)[codes]
    return hashed


def deflate_pieces(
    xmls: Sequence[bytes], level: int, notes: Sequence[tuple[PieceNote, ...]] = ()
) -> list[Piece]:
    """Each XML deflated as a :class:`Piece` (one compressor, a full flush after each)."""
    deflater = native.compressor(level)
    pieces = []
    for i, xml in enumerate(xmls):
        deflated = deflater.compress(xml) + deflater.flush(zlib.Z_FULL_FLUSH)
        pieces.append(
            Piece(deflated, native.crc32(xml, 0), len(xml), notes[i] if i < len(notes) else ())
        )
    return pieces


def deflate_last(xml: bytes, level: int) -> Piece:
    """``xml`` deflated as the end of a stream (its final block)."""
    deflater = native.compressor(level)
    return Piece(deflater.compress(xml) + deflater.flush(), native.crc32(xml, 0), len(xml))


def joined(pieces: Sequence[Piece]) -> tuple[bytes, int, int]:
    """The pieces laid end to end: the deflate stream, the CRC-32 of what it inflates to, its
    size. CRC-32 is affine in its start: the CRC of ``a + b`` is that of ``len(b)`` zero bytes
    after ``a``'s CRC, xor that of the same zeros from 0, xor ``b``'s own."""
    largest = max((p.size for p in pieces), default=0)
    zeros = memoryview(bytes(largest))
    from_zero: dict[int, int] = {}
    crc = 0
    for piece in pieces:
        n = piece.size
        base = from_zero.get(n)
        if base is None:
            base = from_zero[n] = native.crc32(zeros[:n], 0)
        crc = native.crc32(zeros[:n], crc) ^ base ^ piece.crc
    return b"".join(p.deflated for p in pieces), crc, sum(p.size for p in pieces)


__all__ = [
    "MemoryPieces",
    "Piece",
    "PieceNote",
    "PieceStore",
    "StoredPieces",
    "chunked",
    "column_hashes",
    "deflate_last",
    "deflate_pieces",
    "fingerprints",
    "grouped_fingerprints",
    "joined",
    "mix",
    "new_salt",
    "run_starts",
    "text_codes",
]
