"""Safe output files: atomic replacement, one writer at a time, never over a file open in Excel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pmo_xl.safe_io import (
    OutputBusy,
    OutputError,
    OutputNotWritable,
    OutputOpenInExcel,
    atomic_write,
    backup,
    check_not_open_in_excel,
    file_digest,
    lock_path,
    output_lock,
)


def write_text(text: str) -> Callable[[Path], int]:
    return lambda tmp: tmp.write_text(text, encoding="utf-8")


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    out = tmp_path / "consolidation.xlsx"
    out.write_text("old")
    atomic_write(out, write_text("new"))
    assert out.read_text() == "new"


def test_atomic_write_returns_what_the_writer_returns(tmp_path: Path) -> None:
    assert atomic_write(tmp_path / "a.txt", lambda tmp: 42) == 42


def test_atomic_write_leaves_the_old_file_intact_when_the_writer_fails(tmp_path: Path) -> None:
    out = tmp_path / "consolidation.xlsx"
    out.write_text("old")

    def failing(tmp: Path) -> None:
        tmp.write_text("half written")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(out, failing)
    assert out.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["consolidation.xlsx"]  # no temp file left


def test_atomic_write_creates_no_file_when_the_writer_fails(tmp_path: Path) -> None:
    def failing(tmp: Path) -> None:
        raise ValueError("bug")

    with pytest.raises(ValueError):
        atomic_write(tmp_path / "new.xlsx", failing)
    assert list(tmp_path.iterdir()) == []


def test_an_output_in_a_missing_folder_says_why_in_the_run_language(tmp_path: Path) -> None:
    with pytest.raises(OutputNotWritable) as refused:
        atomic_write(tmp_path / "absent" / "conso.xlsx", write_text("x"))
    assert "(introuvable)" in refused.value.message("fr")
    assert "(not found)" in refused.value.message("en")


def test_atomic_write_temp_file_keeps_the_extension(tmp_path: Path) -> None:
    seen: list[Path] = []
    atomic_write(tmp_path / "pmo.xlsm", lambda tmp: seen.append(tmp))
    assert seen[0].parent == tmp_path and seen[0].name.endswith(".pmo.xlsm")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_atomic_write_gives_the_file_normal_permissions(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.txt", write_text("x"))
    finally:
        os.umask(umask)
    # 0o666 minus umask 0o022 = 0o644.
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o644


# --- lock -----------------------------------------------------------------------------------


def write_lock(out: Path, pid: int, host: str, when: str) -> None:
    lock_path(out).write_text(json.dumps({"pid": pid, "host": host, "time": when}))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def test_lock_file_sits_next_to_the_output(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    with output_lock(out) as lock:
        assert lock == tmp_path / ".~pmo_xl.pmo.xlsm.lock"
        owner = json.loads(lock.read_text())
        assert (owner["pid"], owner["host"]) == (os.getpid(), socket.gethostname())


def test_lock_is_removed_on_exit(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    with output_lock(out):
        pass
    assert not lock_path(out).exists()


def test_lock_is_removed_when_the_work_fails(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    with pytest.raises(RuntimeError), output_lock(out):
        raise RuntimeError("boom")
    assert not lock_path(out).exists()


def test_second_writer_gets_output_busy(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    with output_lock(out), pytest.raises(OutputBusy), output_lock(out):
        pass


def test_lock_held_by_a_live_process_is_busy(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    write_lock(out, os.getppid(), socket.gethostname(), now())
    with pytest.raises(OutputBusy), output_lock(out):
        pass


def test_busy_message_says_who_holds_the_lock_in_french_and_english(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    write_lock(out, 4242, "PC-PMO-02", "2026-10-15T09:12:00")
    with pytest.raises(OutputBusy) as raised, output_lock(out):
        pass
    assert raised.value.message("fr") == (
        "Une autre consolidation écrit déjà « pmo.xlsm » (poste PC-PMO-02, processus 4242, "
        "depuis 2026-10-15T09:12:00). Attendez qu'elle se termine puis relancez. Si aucune "
        "consolidation ne tourne, supprimez le fichier « .~pmo_xl.pmo.xlsm.lock »."
    )
    assert "Another consolidation is already writing 'pmo.xlsm'" in raised.value.message("en")


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    write_lock(out, dead_pid(), socket.gethostname(), now())
    with output_lock(out) as lock:
        assert json.loads(lock.read_text())["pid"] == os.getpid()


def test_lock_whose_pid_was_reused_by_a_newer_process_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    # Our pid is alive, but this process started long after 2000: not the lock's owner.
    write_lock(out, os.getpid(), socket.gethostname(), "2000-01-01T00:00:00")
    with output_lock(out) as lock:
        assert json.loads(lock.read_text())["time"] != "2000-01-01T00:00:00"


def test_lock_from_another_computer_is_busy(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    write_lock(out, dead_pid(), "autre-poste", now())
    with pytest.raises(OutputBusy), output_lock(out):
        pass


def test_fresh_unreadable_lock_is_busy(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    lock_path(out).write_text("")  # its owner may be writing it right now
    with pytest.raises(OutputBusy), output_lock(out):
        pass


def test_old_unreadable_lock_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "pmo.xlsm"
    lock_path(out).write_text("")
    two_minutes_ago = time.time() - 120
    os.utime(lock_path(out), (two_minutes_ago, two_minutes_ago))
    with output_lock(out):
        pass


# --- open in Excel --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "owner",
    [
        "~$pmo.xlsm",  # Excel, short name
        "~$nsolidation_portefeuille.xlsx",  # Excel, name without its first two characters
        ".~lock.consolidation_portefeuille.xlsx#",  # LibreOffice
    ],
)
def test_owner_file_next_to_the_output_means_open_in_excel(tmp_path: Path, owner: str) -> None:
    (tmp_path / owner).write_text("")
    target = "pmo.xlsm" if owner == "~$pmo.xlsm" else "consolidation_portefeuille.xlsx"
    with pytest.raises(OutputOpenInExcel) as raised:
        check_not_open_in_excel(tmp_path / target)
    assert raised.value.params["owner"] == owner


def test_no_owner_file_means_not_open(tmp_path: Path) -> None:
    (tmp_path / "~$autre.xlsx").write_text("")
    check_not_open_in_excel(tmp_path / "pmo.xlsm")


def test_open_in_excel_message_says_to_close_it(tmp_path: Path) -> None:
    (tmp_path / "~$pmo.xlsm").write_text("")
    with pytest.raises(OutputError) as raised:
        check_not_open_in_excel(tmp_path / "pmo.xlsm")
    assert raised.value.message("fr").startswith(
        "« pmo.xlsm » est ouvert dans Excel ou LibreOffice : fermez-le puis relancez."
    )
    assert raised.value.message("en").startswith("'pmo.xlsm' is open in Excel or LibreOffice")


# --- backup and digest ------------------------------------------------------------------------


def test_backup_copies_the_file_out_of_xlsx_globs(tmp_path: Path) -> None:
    out = tmp_path / "consolidation.xlsx"
    out.write_text("v1")
    copy = backup(out)
    assert copy is not None and copy.read_text() == "v1"
    assert copy.name.startswith("consolidation.xlsx.") and copy.suffix == ".bak"
    assert list(tmp_path.glob("*.xlsx")) == [out]


def test_backup_keeps_the_three_newest_copies(tmp_path: Path) -> None:
    out = tmp_path / "consolidation.xlsx"
    for version in ["v1", "v2", "v3", "v4", "v5"]:
        out.write_text(version)
        backup(out)
    copies = sorted(tmp_path.glob("*.bak"))
    assert [c.read_text() for c in copies] == ["v3", "v4", "v5"]


def test_backup_of_a_missing_file_is_none(tmp_path: Path) -> None:
    assert backup(tmp_path / "absent.xlsx") is None


def test_file_digest_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    (tmp_path / "abc.txt").write_bytes(b"abc")
    # The SHA-256 test vector of "abc" (FIPS 180-2).
    assert file_digest(tmp_path / "abc.txt") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


# --- outputs that would destroy something ------------------------------------------------------


def test_an_output_is_never_a_folder_nor_a_special_file(tmp_path: Path) -> None:
    from pmo_xl.safe_io import OutputRefused, check_output

    fifo = tmp_path / "tube.xlsx"
    os.mkfifo(fifo)
    for path in (tmp_path, fifo):
        for kind in ("workbook", "json"):
            with pytest.raises(OutputRefused):
                check_output(path, kind)  # type: ignore[arg-type]
        # Written as root, os.replace would swap /dev/null for a plain file: refused first.
        with pytest.raises(OutputRefused):
            atomic_write(path, lambda tmp: tmp.write_bytes(b"x"))
    assert fifo.exists() and not fifo.is_file()


def test_a_project_or_pmo_workbook_is_never_an_output(tmp_path: Path) -> None:
    from builders import simple_project, write_book

    from pmo_xl.safe_io import OutputRefused, check_output

    project = write_book(tmp_path / "projet_a.xlsx", simple_project("PRJ-A"))
    pmo = write_book(tmp_path / "pmo.xlsx", {"Paramètres": [["Langue", "fr"]]})
    before = {p: p.read_bytes() for p in (project, pmo)}
    for path in (project, pmo):
        with pytest.raises(OutputRefused) as refused:
            check_output(path, "workbook")
        assert "n'écrase jamais" in refused.value.message("fr")
        with pytest.raises(OutputRefused):
            check_output(path, "json")
    assert {p: p.read_bytes() for p in (project, pmo)} == before


def test_an_earlier_output_or_a_new_file_may_be_written(tmp_path: Path) -> None:
    from builders import write_book

    from pmo_xl.safe_io import check_output

    earlier = write_book(tmp_path / "conso.xlsx", {"Consolidation": [["Code"]], "Charges": [[1]]})
    (tmp_path / "old.json").write_text("{}", encoding="utf-8")
    check_output(earlier, "workbook")
    check_output(tmp_path / "old.json", "json")
    check_output(tmp_path / "new.xlsx", "workbook")
    check_output(tmp_path / "sub" / "new.json", "json")


def test_a_killed_writers_temporary_file_is_swept_under_the_lock(tmp_path: Path) -> None:
    from pmo_xl.safe_io import sweep_temporaries

    out = tmp_path / "conso.xlsx"
    left = tmp_path / ".~pmo_xl.tmp.0123456789ab.conso.xlsx"  # as atomic_write names them
    other = tmp_path / ".~pmo_xl.tmp.0123456789ab.autre.xlsx"  # another output's: kept
    left.write_bytes(b"half a workbook")
    other.write_bytes(b"half another")
    with output_lock(out):
        assert sweep_temporaries(out) == 1
    assert not left.exists() and other.exists()
