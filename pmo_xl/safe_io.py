"""Writing output files safely: all or nothing, one writer at a time, never over an open file.

Typical use by an entry point::

    check_not_open_in_excel(out)
    with output_lock(out):
        backup(out)
        atomic_write(out, lambda tmp: render_xlsx(layouts, tmp))

Project workbooks are sources: nothing here is ever pointed at them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import os
import re
import shutil
import socket
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal, TypeVar

import psutil

from pmo_xl import labels
from pmo_xl.labels import Lang

T = TypeVar("T")

BACKUPS_KEPT = 3
# A lock file that exists but holds no readable owner is a run that died while creating it,
# unless it is younger than this (the owner may be writing it right now).
_UNREADABLE_LOCK_GRACE_S = 60.0


class OutputError(Exception):
    """An output that cannot be written; ``message(lang)`` says why and what to do."""

    fr: str = ""
    en: str = ""

    def __init__(self, path: Path, **params: object) -> None:
        self.path = Path(path)
        self.params: dict[str, object] = {"name": self.path.name, "path": str(self.path), **params}
        super().__init__(self.message("fr"))

    def message(self, lang: Lang = "fr") -> str:
        return (self.fr if lang == "fr" else self.en).format(**self.params)


class OutputBusy(OutputError):
    fr = (
        "Une autre consolidation écrit déjà « {name} » (poste {host}, processus {pid}, depuis "
        "{time}). Attendez qu'elle se termine puis relancez. Si aucune consolidation ne tourne, "
        "supprimez le fichier « {lock} »."
    )
    en = (
        "Another consolidation is already writing '{name}' (computer {host}, process {pid}, since "
        "{time}). Wait for it to finish, then run again. If none is running, delete the file "
        "'{lock}'."
    )


class OutputOpenInExcel(OutputError):
    fr = (
        "« {name} » est ouvert dans Excel ou LibreOffice : fermez-le puis relancez. S'il n'est "
        "ouvert nulle part, supprimez le fichier caché « {owner} » à côté de lui."
    )
    en = (
        "'{name}' is open in Excel or LibreOffice: close it, then run again. If it is not open "
        "anywhere, delete the hidden file '{owner}' next to it."
    )


class OutputNotWritable(OutputError):
    fr = (
        "Impossible d'écrire « {path} » ({reason}). Vérifiez que le fichier n'est pas ouvert, "
        "que le dossier existe et que vous avez le droit d'y écrire."
    )
    en = (
        "Cannot write '{path}' ({reason_en}). Check that the file is not open, that the folder "
        "exists and that you may write to it."
    )


def _not_writable(path: Path, error: OSError) -> OutputNotWritable:
    reason = labels.os_error_label(error)
    return OutputNotWritable(path, reason=reason.fr, reason_en=reason.en)


class OutputRefused(OutputError):
    fr = "« {path} » ne peut pas recevoir cette sortie : {why}. Choisissez un autre fichier."
    en = "'{path}' cannot take this output: {why_en}. Choose another file."


_NOT_A_FILE = {
    "why": "c'est un dossier, ou un fichier spécial (périphérique, tube)",
    "why_en": "it is a folder, or a special file (device, pipe)",
}
_INPUT_WORKBOOK = {
    "why": "c'est un classeur projet ou PMO, que pmo_xl lit et n'écrase jamais",
    "why_en": "it is a project or PMO workbook, which pmo_xl reads and never overwrites",
}
_NOT_JSON = {
    "why": "c'est un classeur, pas un fichier JSON",
    "why_en": "it is a workbook, not a JSON file",
}
# Any spreadsheet, read by pmo_xl or not (scanning.WORKBOOK_SUFFIXES are the ones it reads).
_SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods"})
# Sheets only inputs have: a project workbook's Projet and Planning, the PMO's Paramètres (the
# outputs' sheets are other names; Charges is both and says nothing).
_INPUT_SHEETS = frozenset().union(
    *(spec.label.match_keys() for spec in (labels.PROJECT, labels.PLANNING, labels.SETTINGS))
)
_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")
_WORKBOOK_XML_MAX = 1 << 20


def check_output(path: Path, kind: Literal["workbook", "json"]) -> None:
    """Refuse, before any work, an output path that would destroy something the PMO keeps.

    A folder or a special file (``/dev/null`` written as root is replaced by a plain file); for
    a workbook, an existing project or PMO workbook (``--out projets/projet_X.xlsx``); for the
    JSON, any existing workbook (``--json pmo.xlsx``). A file that does not exist yet is fine.
    """
    path = Path(path)
    if not os.path.lexists(path):
        return
    if not path.is_file():
        raise OutputRefused(path, **_NOT_A_FILE)
    if kind == "json":
        if path.suffix.lower() in _SPREADSHEET_SUFFIXES or _is_zip(path):
            raise OutputRefused(path, **_NOT_JSON)
    elif _sheet_names(path) & _INPUT_SHEETS:
        raise OutputRefused(path, **_INPUT_WORKBOOK)


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _sheet_names(path: Path) -> set[str]:
    """The (normalised) sheet names of an existing workbook; empty when it is none or unreadable.
    Only ``xl/workbook.xml`` is read, capped: a hostile file costs nothing here."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/workbook.xml")
            if info.file_size > _WORKBOOK_XML_MAX:
                return set()
            data = z.read(info)
    except Exception:  # not a workbook, damaged, unreadable: nothing pmo_xl reads as an input
        return set()
    return {
        labels.norm(html.unescape(m.decode("utf-8", "replace"))) for m in _SHEET_NAME.findall(data)
    }


def atomic_write(path: Path, write_fn: Callable[[Path], T]) -> T:
    """Call ``write_fn(tmp)`` on a temporary file next to ``path``, then swap it in atomically.

    If ``write_fn`` raises, ``path`` is untouched and the temporary file is removed. A folder or
    a special file at ``path`` is refused (:class:`OutputRefused`), never replaced.
    """
    path = Path(path)
    if os.path.lexists(path) and not path.is_file():
        raise OutputRefused(path, **_NOT_A_FILE)
    # Same folder: os.replace is only atomic within one file system. The real suffix is kept
    # because writers check it (XlsxWriter expects .xlsm for a VBA project).
    tmp = path.with_name(f".~pmo_xl.tmp.{uuid.uuid4().hex[:12]}.{path.name}")
    try:
        # Created by us with the umask-derived mode (mkstemp would make it 0600).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise _not_writable(path, exc) from exc
    os.close(fd)
    try:
        result = write_fn(tmp)
        with open(tmp, "rb+") as f:  # rb+: Windows only flushes a handle opened for writing
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except PermissionError as exc:  # Windows: target opened by Excel
            raise _not_writable(path, exc) from exc
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    _fsync_dir(path.parent)
    return result


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable on POSIX; Windows cannot open a folder for fsync.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock_path(path: Path) -> Path:
    return Path(path).with_name(f".~pmo_xl.{Path(path).name}.lock")


@contextlib.contextmanager
def output_lock(path: Path) -> Iterator[Path]:
    """Hold an exclusive lock file next to ``path`` while writing it; raise :class:`OutputBusy`.

    A lock left by a dead process of this computer is taken over. Two runs taking over the same
    stale lock in the same millisecond could both succeed; that race is accepted.
    """
    lock = lock_path(path)
    owner = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "time": dt.datetime.now().isoformat(timespec="seconds"),
    }
    for attempt in range(2):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            holder = _read_lock(lock)
            if attempt == 0 and _is_stale(lock, holder):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(lock)
                continue
            raise OutputBusy(
                path,
                host=holder.get("host", "?"),
                pid=holder.get("pid", "?"),
                time=holder.get("time", "?"),
                lock=lock.name,
            ) from None
        except OSError as exc:
            raise _not_writable(path, exc) from exc
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(owner, f)
        break
    try:
        yield lock
    finally:
        # Only remove our own lock (someone may have deleted a lock they believed stale).
        if _read_lock(lock).get("pid") == owner["pid"]:
            with contextlib.suppress(FileNotFoundError):
                os.remove(lock)


def _read_lock(lock: Path) -> dict[str, object]:
    try:
        data = json.loads(lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_stale(lock: Path, holder: dict[str, object]) -> bool:
    pid, host, time = holder.get("pid"), holder.get("host"), holder.get("time")
    if not isinstance(pid, int) or not isinstance(time, str):
        try:
            age = dt.datetime.now().timestamp() - lock.stat().st_mtime
        except FileNotFoundError:
            return True
        return age > _UNREADABLE_LOCK_GRACE_S
    if host != socket.gethostname():
        return False  # cannot tell whether a process on another computer is alive
    try:
        started: float = psutil.Process(pid).create_time()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return True
    except psutil.Error:
        return False
    # A live process started after the lock was written is a re-used pid, not the owner.
    return started > dt.datetime.fromisoformat(time).timestamp() + 1


def owner_files(path: Path) -> list[Path]:
    """The files Excel (``~$name``, ``~$`` + name without its first 2 characters) and LibreOffice
    (``.~lock.name#``) create next to a workbook they have open."""
    path = Path(path)
    name = path.name
    return [
        path.with_name("~$" + name),
        path.with_name("~$" + name[2:]),
        path.with_name(f".~lock.{name}#"),
    ]


def check_not_open_in_excel(path: Path) -> None:
    """Raise :class:`OutputOpenInExcel` if Excel or LibreOffice has ``path`` open."""
    for owner in owner_files(path):
        if owner.exists():
            raise OutputOpenInExcel(path, owner=owner.name)


def backup(path: Path, keep: int = BACKUPS_KEPT) -> Path | None:
    """Copy ``path`` to ``<name>.<timestamp>.bak`` and keep the ``keep`` newest copies.

    The ``.bak`` ending keeps copies out of ``*.xlsx`` globs (e.g. the projects folder scan).
    """
    path = Path(path)
    if not path.exists():
        return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    copy = path.with_name(f"{path.name}.{stamp}.bak")
    atomic_write(copy, lambda tmp: shutil.copy2(path, tmp))
    # The timestamp sorts like the time, so the oldest copies come first.
    copies = sorted(path.parent.glob(f"{_glob_escape(path.name)}.*.bak"))
    for old in copies[: max(len(copies) - keep, 0)]:
        with contextlib.suppress(FileNotFoundError):
            old.unlink()
    return copy


def sweep_temporaries(path: Path) -> int:
    """Remove the temporary files a killed writer left next to ``path`` (``atomic_write``'s
    ``.~pmo_xl.tmp.<id>.<name>``). Call it holding ``path``'s :func:`output_lock`: no other
    writer of ``path`` is then alive, so every such file is a leftover. Returns how many went."""
    path = Path(path)
    gone = 0
    for tmp in path.parent.glob(f".~pmo_xl.tmp.*.{_glob_escape(path.name)}"):
        with contextlib.suppress(OSError):
            tmp.unlink()
            gone += 1
    return gone


def _glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in name)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, hex (proves a source file was not modified)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()
