"""What each project workbook gave last time, so that a re-run only reads the files that changed.

An entry holds one file's :class:`~pmo_xl.portfolio.FileLoad` (its parsed tables, findings and
figures, or why it was refused). It is used only when everything it depends on is unchanged:

* the file itself: same path, size, modification time **and** SHA-256 of its bytes (a file
  rewritten with the same size within the same second is still caught);
* pmo_xl: its version, this cache's format, and the size and date of the source files that
  read, check and compute (:data:`ANSWER_MODULES`: a fix to a check, even without a new
  version number, is never hidden by an old answer);
* the run: the PMO settings (mappings, rules, rates, thresholds…), the cut-off and the limits.

Anything else is a miss, and a miss only costs a read. Entries live in the user's cache folder
(:func:`default_cache_dir`: ``%LOCALAPPDATA%\\pmo_xl\\Cache`` on Windows,
``~/Library/Caches/pmo_xl`` on macOS, ``$XDG_CACHE_HOME/pmo_xl`` or ``~/.cache/pmo_xl``
elsewhere; ``PMO_XL_CACHE_DIR`` overrides it), never in the projects folder, which is often
synchronised (OneDrive, SharePoint) and read by people. Deleting the folder is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pmo_xl

if TYPE_CHECKING:
    from pmo_xl.json_doc import LoadIndex
    from pmo_xl.portfolio import FileLoad
    from pmo_xl.sheet_pieces import StoredPieces

_T = TypeVar("_T")

FORMAT = 2  # bump when the layout of an entry or of FileLoad changes
_SUFFIX = ".pkl"
MAX_AGE_DAYS = 60  # the entries of a folder not consolidated for this long are deleted


def default_cache_dir() -> Path:
    """The per-user cache folder of pmo_xl (platformdirs' rules, without the dependency)."""
    override = os.environ.get("PMO_XL_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "pmo_xl" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pmo_xl"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pmo_xl"


_code_fingerprint: list[str] = []
# The modules an entry's content comes from (load_file and everything it imports): reading,
# checking and computing one workbook. Changing another module (outputs, Excel, COPIL) keeps
# the entries; a new version of pmo_xl drops them all.
ANSWER_MODULES = (
    "cache",
    "calendar",
    "checks",
    "consolidation",
    "fast_workbook",
    "file_workbook",
    "history",
    "labels",
    "messages",
    "model",
    "native",
    "portfolio",
    "preflight",
    "reading",
    "rerun",
    "sandbox",
    "scanning",
    "weather",
    "workbook",
)


def code_fingerprint() -> str:
    """pmo_xl's version, the size and date of the modules of :data:`ANSWER_MODULES` and the
    sheet reader in use (:func:`pmo_xl.native.fingerprint`): a change to the code that reads,
    checks or computes makes every entry stale."""
    from pmo_xl import native

    if not _code_fingerprint:
        package = Path(pmo_xl.__file__).parent
        h = hashlib.sha256(f"{pmo_xl.__version__}|{FORMAT}".encode())
        for name in ANSWER_MODULES:
            module = package / f"{name}.py"
            st = module.stat()
            h.update(f"|{module.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        _code_fingerprint.append(h.hexdigest())
    return hashlib.sha256(f"{_code_fingerprint[0]}|{native.fingerprint()}".encode()).hexdigest()


def run_fingerprint(*parts: Any) -> str:
    """A digest of what a run's answers depend on besides the files (settings, cut-off…)."""
    h = hashlib.sha256(code_fingerprint().encode())
    for part in parts:
        dump = getattr(part, "model_dump_json", None)
        h.update(b"|" + (dump().encode() if dump is not None else repr(part).encode()))
    return h.hexdigest()


@dataclass(frozen=True)
class FileKey:
    """What identifies one state of one file."""

    path: str
    size: int
    mtime_ns: int
    sha256: str


# Files up to this size are hashed from one read (a workbook is 0.1 MB; 1,000 of them: 0.16 s
# against 0.21 s read piece by piece); larger ones, which preflight may refuse, piece by piece.
_ONE_READ_BYTES = 16 * 2**20


def file_key(path: Path) -> FileKey | None:
    """The key of ``path`` as it is now (hashing its bytes); None if it cannot be read.

    The path is made absolute without resolving links (``resolve`` costs a system call per
    folder level: 0.06 s for 1,000 files); the bytes' hash is what says the file is the same."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_size <= _ONE_READ_BYTES:
                digest = hashlib.sha256(f.read()).hexdigest()
            else:
                digest = hashlib.file_digest(f, "sha256").hexdigest()
    except OSError:
        return None
    return FileKey(os.path.abspath(path), st.st_size, st.st_mtime_ns, digest)


def file_keys(paths: Sequence[Path]) -> list[FileKey | None]:
    """:func:`file_key` of each path, in order."""
    return [file_key(p) for p in paths]


def file_keys_and_misses(
    paths: Sequence[Path], labels: Sequence[str], store: LoadCache
) -> tuple[list[FileKey | None], list[int]]:
    """:func:`file_keys`, and the files whose entry in ``store`` was not stored for exactly
    that state of the file (only the entries' headers are read: no load is unpickled). The
    misses tell a re-run which files to read before it has unpickled the hits."""
    keys = file_keys(paths)
    misses = [
        i
        for i, (path, key, label) in enumerate(zip(paths, keys, labels, strict=True))
        if key is None or store.header(path) != (store.fingerprint, key, label)
    ]
    return keys, misses


@dataclass(frozen=True)
class Stored:
    """An entry as read, before it is trusted: what it was stored for, and its load."""

    header: tuple[str, FileKey, str]  # (run fingerprint, file key, label)
    load: FileLoad


class LoadCache:
    """The entries of one projects folder for one run fingerprint."""

    def __init__(self, root: Path, folder: Path, fingerprint: str) -> None:
        folder_id = hashlib.sha256(str(Path(folder).resolve()).encode()).hexdigest()[:24]
        self.root = Path(root)
        self.dir = self.root / f"v{FORMAT}" / folder_id
        self.fingerprint = fingerprint
        self.hits = 0
        self.misses = 0

    def _entry(self, key: FileKey) -> Path:
        return self._entry_of(key.path)

    def _entry_of(self, path: str) -> Path:
        return self.dir / (hashlib.sha256(path.encode()).hexdigest()[:32] + _SUFFIX)

    def _raw(self, path: Path) -> tuple[Any, bytes]:
        """``path``'s entry as stored: what it was stored for, and its load still pickled."""
        with open(self._entry_of(os.path.abspath(path)), "rb") as f:
            header, payload = pickle.load(f)
        return header, payload

    def peek(self, path: Path, label: str) -> Stored | None:
        """What this run may use for ``path`` (same fingerprint and label), unpickled but not
        yet trusted: :meth:`take` it with the file's key. Reading entries while the files are
        hashed elsewhere overlaps the two."""
        try:
            header, payload = self._raw(path)
            if header[0] != self.fingerprint or header[2] != label:
                return None  # another run's answer: not even unpickled
            return Stored(header, pickle.loads(payload))
        except Exception:  # missing, damaged, or another pmo_xl's: never trusted, never fatal
            return None

    def header(self, path: Path) -> tuple[str, FileKey, str] | None:
        """What ``path``'s entry was stored for (its load not unpickled), or None."""
        try:
            header = self._raw(path)[0]
        except Exception:  # missing, damaged, or another pmo_xl's
            return None
        return header if isinstance(header, tuple) else None

    def take(self, stored: Stored | None, key: FileKey | None, label: str) -> FileLoad | None:
        """``stored``'s load if it was stored for exactly this state of the file, else None."""
        if stored is None or key is None or stored.header != (self.fingerprint, key, label):
            self.misses += 1
            return None
        self.hits += 1
        return stored.load

    def put(self, key: FileKey, label: str, load: FileLoad | bytes) -> None:
        """Store ``load`` (or its pickle) for this state of the file (atomically; a failure
        only costs speed)."""
        with contextlib.suppress(Exception):
            payload = (
                load
                if isinstance(load, bytes)
                else pickle.dumps(load, protocol=pickle.HIGHEST_PROTOCOL)
            )
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=self.dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(
                        ((self.fingerprint, key, label), payload),
                        f,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                os.replace(tmp, self._entry(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise

    def prune(self, keys: list[FileKey]) -> None:
        """Remove the entries of files that are no longer in the folder; mark it as used."""
        keep = {self._entry(k).name for k in keys}
        with contextlib.suppress(OSError):
            os.utime(self.dir)
            for entry in self.dir.glob(f"*{_SUFFIX}"):
                if entry.name not in keep:
                    with contextlib.suppress(OSError):
                        entry.unlink()


class SheetPieces:
    """The pieces of one output workbook's big sheets (:mod:`pmo_xl.sheet_pieces`), one file
    per sheet, in a folder of the cache named after the output's path; written atomically."""

    def __init__(self, root: Path, output: Path) -> None:
        output_id = hashlib.sha256(str(Path(output).resolve()).encode()).hexdigest()[:24]
        self.dir = Path(root) / f"v{FORMAT}" / f"sheets-{output_id}"

    def _file(self, name: str) -> Path:
        return self.dir / (hashlib.sha256(name.encode()).hexdigest()[:32] + _SUFFIX)

    def load(self, name: str) -> StoredPieces | None:
        from pmo_xl.sheet_pieces import StoredPieces

        return self._load(name, StoredPieces)

    def save(self, name: str, stored: StoredPieces) -> None:
        self._save(name, stored)

    def load_index(self, name: str) -> LoadIndex | None:
        """The index of the pieces of the output's JSON document (:mod:`pmo_xl.json_doc`)."""
        from pmo_xl.json_doc import LoadIndex

        return self._load(name, LoadIndex)

    def save_index(self, name: str, index: LoadIndex) -> None:
        self._save(name, index)

    def _load(self, name: str, kind: type[_T]) -> _T | None:
        try:
            with open(self._file(name), "rb") as f:
                stored = pickle.load(f)
        except Exception:  # missing, damaged, or another pmo_xl's: never trusted, never fatal
            return None
        return stored if isinstance(stored, kind) else None

    def _save(self, name: str, stored: object) -> None:
        with contextlib.suppress(Exception):
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=self.dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    pickle.dump(stored, f, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self._file(name))
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise


def sweep(root: Path, max_age_days: float = MAX_AGE_DAYS) -> None:
    """Delete the entries of folders not consolidated for ``max_age_days`` (and old formats)."""
    import shutil
    import time

    limit = time.time() - max_age_days * 86_400
    with contextlib.suppress(OSError):
        for version in Path(root).glob("v*"):
            if version.name != f"v{FORMAT}":
                shutil.rmtree(version, ignore_errors=True)
                continue
            for folder in version.iterdir():
                with contextlib.suppress(OSError):
                    if folder.stat().st_mtime < limit:
                        shutil.rmtree(folder, ignore_errors=True)
