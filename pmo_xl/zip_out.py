"""A zip written entry by entry, each entry's deflated bytes made here, in a thread, by another
process, or copied as they are from another zip.

The standard ``zipfile`` compresses whatever it is given: an entry compressed elsewhere (by a
forked child, or by XlsxWriter in the workbook being spliced) would be inflated and deflated
again. :class:`ZipOut` writes the local headers, the central directory and its end record
itself (no Zip64: an output of 4 GB or 65,535 parts is refused, never written wrong). Example::

    with open(path, "wb") as f:
        out = ZipOut(f)
        out.write(zipfile.ZipInfo("a.xml"), b"<a/>", level=6)
        out.close()
"""

from __future__ import annotations

import queue
import struct
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from pmo_xl import native

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_VERSION = 20  # 2.0: deflate
_UTF8 = 0x800  # general purpose flag: the name is UTF-8
_CRC_AT = 14  # offset of the CRC in a local header; the two sizes follow it
LIMIT = 0xFFFFFFFF  # beyond this, sizes and offsets need Zip64
MAX_ENTRIES = 0xFFFF


class ZipTooLarge(ValueError):
    """The zip would need Zip64 (a part or the file over 4 GB, or over 65,535 parts)."""


@dataclass
class _Entry:
    name: bytes
    flags: int
    method: int
    time: int
    date: int
    external_attr: int
    create_system: int
    offset: int
    crc: int = 0
    compressed: int = 0
    size: int = 0


class ZipOut:
    """Writes a zip to a seekable binary file; :meth:`close` writes its central directory.

    Of the ``ZipInfo`` given for an entry, only the name, date and attributes are used (and,
    for :meth:`copy`, how it is compressed, its CRC and size); it is never changed."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self._entries: list[_Entry] = []

    def copy(self, info: zipfile.ZipInfo, raw: bytes) -> None:
        """An entry of another zip, its stored bytes (``raw``, compressed as ``info`` says)
        written unchanged."""
        self._add(info, info.compress_type, raw, info.CRC, info.file_size)

    def write(self, info: zipfile.ZipInfo, data: bytes, level: int) -> None:
        """``data`` deflated here at ``level``."""
        deflater = Deflater(level)
        deflated = deflater.deflate(data) + deflater.flush()
        self.write_deflated(info, deflated, deflater.crc, deflater.size)

    def write_deflated(self, info: zipfile.ZipInfo, deflated: bytes, crc: int, size: int) -> None:
        """Bytes deflated elsewhere (raw deflate, no zlib header) of ``size`` bytes whose CRC-32
        is ``crc``."""
        self._add(info, zipfile.ZIP_DEFLATED, deflated, crc, size)

    def write_chunks(self, info: zipfile.ZipInfo, chunks: Iterable[bytes], level: int) -> None:
        """``chunks`` deflated by a second thread while the next ones are made: zlib works
        without the GIL, so compressing a chunk overlaps making the next one."""
        entry = self._start(info, zipfile.ZIP_DEFLATED)
        sink = Deflater(level)
        pending: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
        failed: list[BaseException] = []

        def drain() -> None:
            while (chunk := pending.get()) is not None:
                if not failed:
                    try:
                        self._f.write(sink.deflate(chunk))
                    except BaseException as exc:  # re-raised by the making thread
                        failed.append(exc)

        writer = threading.Thread(target=drain, name="zip-deflater", daemon=True)
        writer.start()
        try:
            for chunk in chunks:
                if failed:
                    break
                pending.put(chunk)
        finally:
            pending.put(None)
            writer.join()
        if failed:
            raise failed[0]
        self._f.write(sink.flush())
        self._finish(entry, sink.crc, self._f.tell() - self._data_start(entry), sink.size)

    def close(self) -> None:
        """Write the central directory and its end record (the file stays open)."""
        start = self._f.tell()
        for e in self._entries:
            self._f.write(
                _CENTRAL.pack(
                    _CENTRAL_SIG,
                    (e.create_system << 8) | _VERSION,
                    _VERSION,
                    e.flags,
                    e.method,
                    e.time,
                    e.date,
                    e.crc,
                    e.compressed,
                    e.size,
                    len(e.name),
                    0,
                    0,
                    0,
                    0,
                    e.external_attr,
                    e.offset,
                )
                + e.name
            )
        end = self._f.tell()
        if len(self._entries) > MAX_ENTRIES or end > LIMIT:
            raise ZipTooLarge(f"{len(self._entries)} parts, {end} bytes")
        n = len(self._entries)
        self._f.write(_END.pack(_END_SIG, 0, 0, n, n, end - start, start, 0))

    # --- entries -------------------------------------------------------------------------------

    def _add(self, info: zipfile.ZipInfo, method: int, stored: bytes, crc: int, size: int) -> None:
        entry = self._start(info, method)
        self._f.write(stored)
        self._finish(entry, crc, len(stored), size)

    def _start(self, info: zipfile.ZipInfo, method: int) -> _Entry:
        """The local header, its CRC and sizes left at zero until :meth:`_finish`."""
        try:
            name, flags = info.filename.encode("ascii"), 0
        except UnicodeEncodeError:
            name, flags = info.filename.encode("utf-8"), _UTF8
        y, mo, d, h, mi, s = info.date_time
        entry = _Entry(
            name,
            flags,
            method,
            h << 11 | mi << 5 | s // 2,
            (y - 1980) << 9 | mo << 5 | d,
            info.external_attr,
            info.create_system,
            self._f.tell(),
        )
        if entry.offset > LIMIT:
            raise ZipTooLarge(f"{info.filename} starts beyond 4 GB")
        self._f.write(
            _LOCAL.pack(
                _LOCAL_SIG, _VERSION, flags, method, entry.time, entry.date, 0, 0, 0, len(name), 0
            )
            + name
        )
        return entry

    @staticmethod
    def _data_start(entry: _Entry) -> int:
        return entry.offset + _LOCAL.size + len(entry.name)

    def _finish(self, entry: _Entry, crc: int, compressed: int, size: int) -> None:
        if compressed > LIMIT or size > LIMIT:
            raise ZipTooLarge(f"{entry.name.decode('utf-8')}: {size} bytes")
        entry.crc, entry.compressed, entry.size = crc, compressed, size
        end = self._f.tell()
        self._f.seek(entry.offset + _CRC_AT)
        self._f.write(struct.pack("<III", crc, compressed, size))
        self._f.seek(end)
        self._entries.append(entry)


class Deflater:
    """Raw deflate of a stream of chunks, with the CRC-32 and size a zip entry needs: ISA-L's
    where python-isal is installed (sheet XML four times as fast as zlib at level 1, into
    smaller entries), else zlib's; ``fast=False``: zlib's. See :func:`pmo_xl.native.compressor`."""

    def __init__(self, level: int, *, fast: bool = True) -> None:
        self._deflater = native.compressor(level, fast=fast)
        self.crc = 0
        self.size = 0

    def deflate(self, chunk: bytes) -> bytes:
        self.crc = native.crc32(chunk, self.crc)
        self.size += len(chunk)
        compressed: bytes = self._deflater.compress(chunk)
        return compressed

    def flush(self) -> bytes:
        rest: bytes = self._deflater.flush()
        return rest


def stored_bytes(archive: bytes, info: zipfile.ZipInfo) -> bytes:
    """The bytes ``info``'s entry holds in ``archive`` (a whole zip file), as stored."""
    start = info.header_offset
    sig, *_rest, name_len, extra_len = _LOCAL.unpack_from(archive, start)
    if sig != _LOCAL_SIG:
        raise zipfile.BadZipFile(f"{info.filename}: no local header")
    data = start + _LOCAL.size + name_len + extra_len
    if data + info.compress_size > len(archive):
        raise zipfile.BadZipFile(f"{info.filename}: cut short")
    return archive[data : data + info.compress_size]


__all__ = ["LIMIT", "MAX_ENTRIES", "Deflater", "ZipOut", "ZipTooLarge", "stored_bytes"]
