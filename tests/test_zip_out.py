"""The zip writer of spliced workbooks: every way of adding an entry reads back as zipfile's."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from pmo_xl import native, zip_out
from pmo_xl.zip_out import Deflater, ZipOut, ZipTooLarge, stored_bytes

XML = b'<?xml version="1.0"?><root>' + b"<row><c>1</c></row>" * 5_000 + b"</root>"


def entry(
    name: str, date: tuple[int, int, int, int, int, int] = (2026, 11, 27, 9, 30, 10)
) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED  # else zipfile stores what it is given
    return info


def written(path: Path, fill: object) -> zipfile.ZipFile:
    with open(path, "wb") as f:
        out = ZipOut(f)
        fill(out)  # type: ignore[operator]
        out.close()
    return zipfile.ZipFile(path)


def test_each_way_of_adding_an_entry_reads_back_with_its_bytes_and_crc(tmp_path: Path) -> None:
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as source:
        source.writestr(entry("copied.xml"), XML)
    archive = other.getvalue()
    elsewhere = Deflater(1)
    deflated = elsewhere.deflate(XML) + elsewhere.flush()

    def fill(out: ZipOut) -> None:
        with zipfile.ZipFile(io.BytesIO(archive)) as source:
            info = source.getinfo("copied.xml")
            out.copy(info, stored_bytes(archive, info))
        out.write(entry("here.xml"), XML, level=6)
        out.write_deflated(entry("child.xml"), deflated, elsewhere.crc, elsewhere.size)
        out.write_chunks(entry("chunks.xml"), iter([XML[:1000], XML[1000:]]), level=1)

    with written(tmp_path / "out.zip", fill) as z:
        assert z.testzip() is None  # every CRC checked
        assert z.namelist() == ["copied.xml", "here.xml", "child.xml", "chunks.xml"]
        for info in z.infolist():
            assert z.read(info) == XML
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (2026, 11, 27, 9, 30, 10)  # 10 s: DOS time keeps even seconds
            assert info.external_attr == 0o644 << 16


def test_a_copied_entry_keeps_its_compressed_bytes(tmp_path: Path) -> None:
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as source:
        source.writestr(entry("a.xml"), XML, compresslevel=9)
    archive = other.getvalue()

    def fill(out: ZipOut) -> None:
        with zipfile.ZipFile(io.BytesIO(archive)) as source:
            info = source.getinfo("a.xml")
            out.copy(info, stored_bytes(archive, info))

    with written(tmp_path / "out.zip", fill) as z:
        info = z.getinfo("a.xml")
        # Not inflated and deflated again: level 9's bytes (zlib's minus its 6 framing bytes).
        assert info.compress_size == len(zlib.compress(XML, 9)) - 6
        assert z.read("a.xml") == XML


def test_a_name_beyond_ascii_is_flagged_utf8(tmp_path: Path) -> None:
    with written(tmp_path / "out.zip", lambda out: out.write(entry("données.xml"), b"x", 6)) as z:
        assert z.namelist() == ["données.xml"]
        assert z.getinfo("données.xml").flag_bits & 0x800
        assert z.read("données.xml") == b"x"


def test_an_error_while_making_chunks_is_raised_and_the_thread_stopped(tmp_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"<a>"
        raise RuntimeError("cellule illisible")

    with open(tmp_path / "out.zip", "wb") as f, pytest.raises(RuntimeError, match="illisible"):
        ZipOut(f).write_chunks(entry("a.xml"), chunks(), level=1)
    import threading

    assert not [t for t in threading.enumerate() if t.name == "zip-deflater"]


def test_a_zip_needing_zip64_is_refused_not_written_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zip_out, "MAX_ENTRIES", 2)
    with open(tmp_path / "out.zip", "wb") as f:
        out = ZipOut(f)
        for name in ("a", "b", "c"):
            out.write(entry(name), b"x", 6)
        with pytest.raises(ZipTooLarge):
            out.close()
    monkeypatch.setattr(zip_out, "LIMIT", 10)
    with open(tmp_path / "big.zip", "wb") as f, pytest.raises(ZipTooLarge):
        ZipOut(f).write(entry("a"), b"x" * 100, 0)


def test_stored_bytes_of_a_cut_archive_is_a_bad_zip() -> None:
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as source:
        source.writestr(entry("a.xml"), XML)
    archive = other.getvalue()
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo("a.xml")
    with pytest.raises(zipfile.BadZipFile):
        stored_bytes(archive[: info.header_offset + 40], info)


@pytest.mark.parametrize("fast", [True, False], ids=["ISA-L", "zlib"])
def test_deflated_chunks_are_standard_deflate_with_the_crc_of_their_bytes(fast: bool) -> None:
    """ISA-L's output (the default where python-isal is installed) is read by zlib's inflate,
    as by every unzip; the CRC-32 and size are those of the bytes given."""
    assert native.ISAL  # installed with pmo_xl on this machine kind
    chunks = [XML * 50, b"", XML[:7], XML * 3]
    deflater = Deflater(1, fast=fast)
    deflated = b"".join(deflater.deflate(c) for c in chunks) + deflater.flush()
    whole = b"".join(chunks)
    assert zlib.decompress(deflated, -15) == whole
    assert (deflater.crc, deflater.size) == (zlib.crc32(whole), len(whole))
