"""Run a parser in a child process with a time and memory limit, so no file can take a run down.

A workbook that passes :mod:`pmo_xl.preflight` may still be pathological: python-calamine aborts
the whole process when an allocation fails, openpyxl can loop for minutes. :func:`run_bounded`
runs one call in a child process; :func:`map_bounded` runs many over a few long-lived workers and
replaces any worker that dies or overruns, failing only its item. Both return a
:class:`BoundedFailure` (a file status with a reason) instead of raising.

Memory: on Linux ``RLIMIT_AS`` caps the child at the address space it holds when it starts
(interpreter and preloaded modules) plus ``memory_mb``; elsewhere the parent watches the child's
resident memory (psutil) and kills it above ``memory_mb``, imports included.
The function and its arguments must be picklable (a module-level function): children are forked
from this process on Linux (:func:`start_method`), but start from a fork server or a fresh
interpreter elsewhere. :func:`in_background` runs side work (writing the JSON) in a forked child
while the caller goes on. Where workers start as fresh interpreters (Windows), a long-lived
process (Excel's UDF server) may keep them between batches (:func:`keep_workers`).
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib
import multiprocessing
import os
import pickle
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, Literal, TypeVar, cast

from pmo_xl.labels import Lang
from pmo_xl.messages import render

T = TypeVar("T")
R = TypeVar("R")
FailureKind = Literal["timeout", "memory", "crash", "error"]
_CODES: dict[FailureKind, str] = {
    "timeout": "FILE_READ_TIMEOUT",
    "memory": "FILE_READ_MEMORY",
    "crash": "FILE_READ_CRASH",
    "error": "FILE_READ_ERROR",
}
_POLL_S = 0.05  # how often the parent looks at a child's memory where there is no rlimit
_USE_RLIMIT = sys.platform.startswith("linux")
_FORK_SAFE = sys.platform.startswith("linux")  # macOS frameworks break in forked children
# What an allocation failure prints before aborting (Rust's default handler, glibc, C++).
_OOM_MARKERS = ("memory allocation of", "out of memory", "std::bad_alloc", "cannot allocate")


@dataclass(frozen=True)
class BoundedFailure:
    """Why a bounded call gave no result; ``reason_code`` is a finding code (FILE_READ_*)."""

    kind: FailureKind
    detail: str  # technical: exception, signal, last line the child wrote to stderr
    params: dict[str, Any] = field(default_factory=dict)
    exitcode: int | None = None
    error: BaseException | None = None  # the exception the function raised, when picklable

    @property
    def reason_code(self) -> str:
        if self.kind == "memory" and self.params.get("memory_mb") is None:
            return _CODES["crash"]  # out of the machine's memory, no limit of ours to quote
        return _CODES[self.kind]

    def reason(self, lang: Lang = "fr") -> str:
        return render(self.reason_code, {"detail": self.detail, **self.params}, lang)


_PRELOAD = ["__main__", "pmo_xl.sandbox"]


def start_method() -> str:
    """How children start. ``fork`` on Linux from a process with no other thread: a child is
    ready in milliseconds with what this process has imported, where a fork server first spends
    most of a second importing pandas again. ``forkserver`` where threads run (a fork would copy
    locks they may hold) or fork is unsafe (macOS), ``spawn`` on Windows."""
    methods = multiprocessing.get_all_start_methods()
    if _FORK_SAFE and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def context() -> BaseContext:
    """The multiprocessing context of :func:`start_method`, its preloads imported."""
    method = start_method()
    ctx = multiprocessing.get_context(method)
    if method == "fork":
        _import_preloads()  # once here, inherited by every child
    elif method == "forkserver":
        ctx.set_forkserver_preload(list(_PRELOAD))  # no effect once the server runs
        _start_fork_server()
    return ctx


def _import_preloads() -> None:
    for module in _PRELOAD:
        if module != "__main__" and module not in sys.modules:
            with contextlib.suppress(Exception):  # as the fork server does: the child will tell
                importlib.import_module(module)


_server: list[bool] = []


def _start_fork_server() -> None:
    """Start the fork server with this process's ``sys.path`` in ``PYTHONPATH``: Python 3.11
    does not pass it on, so modules outside site-packages (tests, scripts) could not be
    preloaded and every child would import them again."""
    if _server:
        return
    from multiprocessing import forkserver

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    try:
        forkserver.ensure_running()
    finally:
        if old is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = old
    _server.append(True)


def preload(modules: Sequence[str]) -> None:
    """Import these modules once in the fork server so that each child starts with them
    (pandas, openpyxl…). Effective before the first bounded call; no effect with ``spawn``.
    The module of the first function run bounded is preloaded anyway."""
    _PRELOAD.extend(m for m in modules if m not in _PRELOAD)


def warm_up(modules: Sequence[str] = ()) -> None:
    """Start the fork server now, with ``modules`` preloaded: its imports (about half a second)
    then run while this process does other work, instead of when the first file is read."""
    preload(modules)
    context()


def _preload_module_of(fn: Callable[..., Any]) -> None:
    module = getattr(fn, "__module__", None)
    if module:
        preload([module])


# --- Workers kept between batches ---------------------------------------------------------------

# A spawned worker is a fresh interpreter importing pandas, calamine and pmo_xl: most of a second
# on this machine, more on a Windows PC, paid again by every batch. In a process that lives on
# between batches (the buttons run in Excel's UDF server), workers that ended a batch well wait
# for the next one instead. Forked workers start in milliseconds: never kept.
KEEP_IDLE_S = 900.0  # a kept worker with nothing to do for this long leaves (its memory back)
_keep = [False]
_kept: list[tuple[float | None, float, _Worker]] = []  # (memory_mb, kept since, worker)


def keep_workers(keep: bool = True) -> None:
    """Keep batch workers between :func:`map_bounded` calls where they start as fresh
    interpreters (``spawn``); False also stops the ones kept."""
    _keep[0] = keep
    if not keep:
        while _kept:
            _kept.pop()[2].close()


@dataclass(frozen=True)
class _Retarget:
    """To a worker: run ``fn`` from now on (also restarts its idle clock)."""

    fn: Callable[[Any], Any]


def _keep_worker(worker: _Worker, memory_mb: float | None, fn: Callable[[Any], Any]) -> None:
    # Told again what it runs, its idle clock starts now, as the one kept here.
    if not _grown(worker, memory_mb) and _retarget(worker, fn):
        _kept.append((memory_mb, time.monotonic(), worker))
    else:
        worker.close()


def _retarget(worker: _Worker, fn: Callable[[Any], Any]) -> bool:
    """Tell a live worker to run ``fn``; False if it is gone (exited, or killed meanwhile)."""
    if not worker.process.is_alive():
        return False
    try:
        worker.conn.send(_Retarget(fn))
    except Exception:  # its pipe is broken
        return False
    return True


def _grown(worker: _Worker, memory_mb: float | None) -> bool:
    """Whether the worker holds over half its memory limit: kept, it would be stopped sooner
    than a new one on a large but sound file."""
    if memory_mb is None:
        return False
    rss = _rss_mb(worker._psutil or _psutil_process(worker.process.pid))
    return rss is not None and rss > memory_mb / 2


def _take_kept(memory_mb: float | None, fn: Callable[[Any], Any]) -> _Worker | None:
    """A kept worker with the same memory limit, alive and not about to leave, set to run ``fn``.
    Kept ones past 90 % of their idle time are stopped here: one leaving on its own just as it
    is handed an item would make that item fail."""
    while True:
        i = next((i for i, kept in enumerate(_kept) if kept[0] == memory_mb), None)
        if i is None:
            return None
        _limit, since, worker = _kept.pop(i)
        if time.monotonic() - since < 0.9 * KEEP_IDLE_S and _retarget(worker, fn):
            return worker
        worker.close()


def _keeping(method: str) -> bool:
    return _keep[0] and method == "spawn"


# --- Side work ----------------------------------------------------------------------------------


class Background:
    """A call running in a forked child while this process goes on (see :func:`in_background`)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._worker = _Worker(multiprocessing.get_context("fork"), _run_once, (fn, args, {}), None)
        self._done = False
        self._answer: Any = None

    def outcome(self) -> Any:
        """Wait for the call: what it returned, or a :class:`BoundedFailure` (it raised, its
        answer could not be pickled, or the child died). Asked again, the same answer."""
        if not self._done:
            try:
                msg = self._worker.receive(None)  # None: until the child answers or is gone
                self._answer = (
                    _outcome(msg, None)
                    if msg is not None
                    else BoundedFailure("crash", "no answer from the child")
                )
            except Exception as exc:  # an answer that cannot be unpickled here
                self._answer = BoundedFailure("error", f"{type(exc).__name__}: {exc}"[:500])
            finally:
                self._done = True
                self._worker.close()
        return self._answer

    def ready(self) -> bool:
        """Whether :meth:`outcome` would answer at once (the child answered, or is gone)."""
        if self._done:
            return True
        try:
            return bool(self._worker.conn.poll(0))
        except (EOFError, OSError):
            return True

    def succeeded(self) -> bool:
        """Wait for the call; whether it returned (False: it raised, or the child died)."""
        return not isinstance(self.outcome(), BoundedFailure)


def in_background(fn: Callable[..., Any], *args: Any) -> Background | None:
    """Start ``fn(*args)`` in a child forked from this process, which shares its memory (only
    the answer is pickled), so that the two work on both cores; None where children are not
    forked (the caller then makes the call itself)."""
    if start_method() != "fork":
        return None
    try:
        return Background(fn, args)
    except OSError:  # no process to spare: the caller makes the call itself
        return None


# --- One call ---------------------------------------------------------------------------------


def run_bounded(
    fn: Callable[..., T],
    *args: Any,
    timeout_s: float,
    memory_mb: float | None = None,
    **kwargs: Any,
) -> T | BoundedFailure:
    """``fn(*args, **kwargs)`` in a child process, killed after ``timeout_s`` seconds or when it
    needs more than ``memory_mb`` MB; its result, or a :class:`BoundedFailure`."""
    _preload_module_of(fn)
    worker = _Worker(context(), _run_once, (fn, args, kwargs), memory_mb)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            msg = worker.receive(min(_POLL_S, max(deadline - time.monotonic(), 0)))
            if msg is not None:
                return cast("T | BoundedFailure", _outcome(msg, memory_mb))
            failure = worker.failure(memory_mb)
            if failure is not None:
                return failure
            if time.monotonic() >= deadline:
                worker.kill()
                return _timeout(timeout_s)
    finally:
        worker.close()


def _run_once(
    conn: Connection, job: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]
) -> None:
    fn, args, kwargs = job
    _send(conn, 0, fn, args, kwargs)


# --- Many calls -------------------------------------------------------------------------------


def map_bounded(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int = 2,
    timeout_s: float,
    memory_mb: float | None = None,
    max_tasks_per_worker: int | None = 50,
    on_done: Callable[[int], None] | None = None,
    on_result: Callable[[int, R | BoundedFailure], None] | None = None,
    on_started: Callable[[], object] | None = None,
) -> list[R | BoundedFailure]:
    """``[fn(item) for item in items]`` over ``workers`` processes, each call bounded like
    :func:`run_bounded`; a worker that dies or overruns is replaced and only its item fails.
    Workers are recycled after ``max_tasks_per_worker`` calls (memory fragmentation).
    ``on_done(n)``: called with the number of items finished so far, after each one;
    ``on_result(i, outcome)``: with item ``i``'s outcome as soon as it is known, so that the
    caller uses it while the workers go on (the next item is handed out first);
    ``on_started()``: the caller's own work, done once the first items are handed out,
    before the first wait."""
    _preload_module_of(fn)
    todo = deque(enumerate(items))
    results: dict[int, R | BoundedFailure] = {}
    total = len(todo)
    ctx = context()
    keeping = _keeping(ctx.get_start_method())
    slots: list[_Slot] = []
    try:
        slots = [
            _Slot((keeping and _take_kept(memory_mb, fn)) or _batch_worker(ctx, fn, memory_mb))
            for _ in range(min(workers, total))
        ]
        while len(results) < total:
            for slot in slots:
                if slot.busy is None and todo and slot.worker.dead:
                    slot.restart(ctx, fn, memory_mb)
                while todo and slot.in_flight < _IN_FLIGHT and not slot.worker.dead:
                    if not slot.start(*todo[0]):
                        break
                    todo.popleft()
            started, on_started = on_started, None
            if started is not None:
                started()
            _wait_any(slots)
            now = time.monotonic()
            for slot in slots:
                if slot.busy is None:
                    continue
                index = slot.busy
                msg = slot.worker.receive(0)
                outcome: Any = None
                if msg is not None:
                    outcome = _outcome(msg, memory_mb)
                    slot.done += 1
                else:
                    outcome = slot.worker.failure(memory_mb)
                    if outcome is None and now - slot.started >= timeout_s:
                        slot.worker.kill()
                        outcome = _timeout(timeout_s)
                if outcome is None:
                    continue
                results[index] = outcome
                if on_done is not None:
                    on_done(len(results))
                recycle = max_tasks_per_worker is not None and slot.done >= max_tasks_per_worker
                if isinstance(outcome, BoundedFailure) or recycle:
                    todo.extendleft(reversed(slot.take_back()))  # for the next worker
                    slot.restart(ctx, fn, memory_mb, lazy=True)
                else:
                    slot.next()
                    if todo and slot.start(*todo[0]):  # kept busy while the caller takes it
                        todo.popleft()
                if on_result is not None:
                    on_result(index, outcome)
    finally:
        for slot in slots:
            worker = slot.worker
            if keeping and slot.busy is None and not worker.dead:
                _keep_worker(worker, memory_mb, fn)  # ended well and idle: for the next batch
            else:
                worker.close()
    return [results[i] for i in range(total)]


# Items handed to a worker at a time: the one it computes and the next, which it starts as
# soon as it has sent its answer, without waiting for this process to read the answer and
# send another (this process is often busy with the other worker's answer then).
_IN_FLIGHT = 2


@dataclass
class _Slot:
    worker: _Worker
    busy: int | None = None  # index of the item being computed (its time is counted)
    started: float = 0.0
    done: int = 0
    queued: deque[tuple[int, Any]] = field(default_factory=deque)  # sent after it, in order

    @property
    def in_flight(self) -> int:
        return (self.busy is not None) + len(self.queued)

    def start(self, index: int, item: Any) -> bool:
        """Send the worker an item; False if it is gone (it died on the item it was given
        last, which its failure will say)."""
        try:
            self.worker.conn.send((index, item))
        except OSError:  # BrokenPipeError
            if self.busy is None:
                self.worker.dead = True  # nothing to wait for on it: replaced at the next turn
            return False
        if self.busy is None:
            self.busy, self.started = index, time.monotonic()
        else:
            self.queued.append((index, item))
        return True

    def next(self) -> None:
        """The item computed is done: the worker is on the next one sent, if any."""
        if self.queued:
            self.busy, self.started = self.queued.popleft()[0], time.monotonic()
        else:
            self.busy = None

    def take_back(self) -> list[tuple[int, Any]]:
        """The item computed is done and the worker is being replaced: the items sent after
        it, which it has not answered, for another worker."""
        items = list(self.queued)
        self.busy = None
        self.queued.clear()
        return items

    def restart(
        self, ctx: BaseContext, fn: Callable[..., Any], memory_mb: float | None, lazy: bool = False
    ) -> None:
        """Replace the worker; ``lazy``: only stop it now, start the new one when needed."""
        self.worker.close()
        self.done = 0
        if not lazy:
            self.worker = _batch_worker(ctx, fn, memory_mb)
        else:
            self.worker.dead = True


def _batch_worker(ctx: BaseContext, fn: Callable[..., Any], memory_mb: float | None) -> _Worker:
    return _Worker(ctx, _serve, (fn, KEEP_IDLE_S), memory_mb)


def _wait_any(slots: list[_Slot]) -> None:
    handles: list[Any] = []
    for s in slots:
        if s.busy is not None:
            handles += [s.worker.conn, s.worker.process.sentinel]
    if handles:
        wait(handles, timeout=_POLL_S)


def _serve(conn: Connection, job: tuple[Callable[[Any], Any], float]) -> None:
    """Worker loop: one item at a time until told to stop (``None``), or ``idle_s`` without
    a message (a worker kept between batches, see :func:`keep_workers`)."""
    import gc

    fn, idle_s = job
    # What the worker imported (pandas, calamine…) never becomes garbage: kept out of the
    # collector's passes, they cost 0.7 instead of 3 ms per workbook.
    gc.freeze()
    # A worker forked during a run whose collector is paused (portfolio.collector_paused)
    # reads hundreds of files: the garbage of each must be collected.
    gc.enable()
    while True:
        try:
            if not conn.poll(idle_s):
                return  # kept and not used for a long time: the parent starts a new one
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        if isinstance(task, _Retarget):
            fn = task.fn
            continue
        index, item = task
        _reset_stderr()
        _send(conn, index, fn, (item,), {})


# --- Child side -------------------------------------------------------------------------------


def _child_main(
    target: Callable[..., None], conn: Connection, job: Any, memory_mb: float | None, err: str
) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(err, os.O_WRONLY)
        os.dup2(fd, 2)
        os.close(fd)
    # A forked child inherits its parent's fault handler, which writes to the parent's stderr:
    # a crash is told by the child's own stderr (the file read above), as in a fresh process.
    faulthandler.disable()
    if memory_mb is not None:  # only passed where RLIMIT_AS works
        _limit_address_space(memory_mb)
    target(conn, job)


def _limit_address_space(memory_mb: float) -> None:
    """Cap the address space at what the child already maps plus ``memory_mb``."""
    import resource

    base = 0
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                base = int(line.split()[1]) * 1024
    limit = base + int(memory_mb * 1024 * 1024)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _send(
    conn: Connection, index: int, fn: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    try:
        msg: tuple[Any, ...] = (index, "ok", fn(*args, **kw))
    except MemoryError:
        msg = (index, "memory", "MemoryError", None)
    except BaseException as e:
        detail = f"{type(e).__name__}: {e}"[:500]
        try:
            pickle.loads(pickle.dumps(e))
            error: BaseException | None = e
        except Exception:
            error = None
        msg = (index, "error", detail, error, traceback.format_exc()[-4000:])
    try:
        conn.send(msg)
    except MemoryError:
        conn.send((index, "memory", "MemoryError while sending the result", None))
    except Exception as e:  # the result cannot be pickled
        conn.send((index, "error", f"result not picklable: {type(e).__name__}: {e}", None, ""))


def _reset_stderr() -> None:
    with contextlib.suppress(OSError):
        os.ftruncate(2, 0)
        os.lseek(2, 0, os.SEEK_SET)


# --- Parent side ------------------------------------------------------------------------------


class _Worker:
    """A child process, its pipe and the file its stderr goes to."""

    def __init__(
        self, ctx: BaseContext, target: Callable[..., None], job: Any, memory_mb: float | None
    ) -> None:
        fd, self.err = tempfile.mkstemp(prefix="pmo_xl_child_", suffix=".log")
        os.close(fd)
        self.conn, child_conn = ctx.Pipe(duplex=True)
        self.process: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_child_main,
            args=(target, child_conn, job, memory_mb if _USE_RLIMIT else None, self.err),
            daemon=True,
        )
        self.process.start()
        child_conn.close()  # so that the child's death shows as EOF here
        self.dead = False
        self.killed = False
        self._psutil = _psutil_process(self.process.pid) if not _USE_RLIMIT else None

    def receive(self, timeout: float | None) -> tuple[Any, ...] | None:
        """The child's message if one arrives within ``timeout`` (None: waits for it or for the
        child's end); ``None`` otherwise."""
        try:
            if self.conn.poll(timeout):
                msg: tuple[Any, ...] = self.conn.recv()
                return msg
        except (EOFError, OSError):  # the child is gone or going: let it finish exiting
            self.process.join(1)
        return None

    def failure(self, memory_mb: float | None) -> BoundedFailure | None:
        """A failure if the child has died, or was killed here for its memory."""
        if memory_mb is not None and self._psutil is not None and self.process.is_alive():
            rss = _rss_mb(self._psutil)
            if rss is not None and rss > memory_mb:
                self.kill()
                return BoundedFailure("memory", f"{rss:.0f} MB resident", {"memory_mb": memory_mb})
        if self.process.is_alive():
            return None
        self.process.join(1)
        self.dead = True
        code = self.process.exitcode
        lines = _tail(self.err).splitlines()
        said = [ln for ln in lines if any(m in ln.lower() for m in _OOM_MARKERS)]
        oom = bool(said)
        if code is not None and code < 0:
            detail = _signal_name(-code)
            if -code == 9 and not self.killed:  # SIGKILL nobody here sent: the kernel's OOM killer
                oom = True
        else:
            detail = f"exit code {code}"
        if said or lines:  # the allocation failure if reported, else the last word
            detail += f"; {(said or lines)[-1].strip()[:300]}"
        params = {"memory_mb": memory_mb} if oom else {}
        return BoundedFailure("memory" if oom else "crash", detail, params, exitcode=code)

    def kill(self) -> None:
        self.killed = True
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(5)
        self.dead = True

    def close(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(Exception):
                self.conn.send(None)
            self.process.join(0.5)
            if self.process.is_alive():
                self.kill()
        self.dead = True
        with contextlib.suppress(Exception):
            self.conn.close()
        with contextlib.suppress(OSError):
            os.unlink(self.err)


def _outcome(msg: tuple[Any, ...], memory_mb: float | None) -> Any:
    status = msg[1]
    if status == "ok":
        return msg[2]
    if status == "memory":
        return BoundedFailure("memory", msg[2], {"memory_mb": memory_mb})
    return BoundedFailure("error", msg[2], error=msg[3])


def _timeout(timeout_s: float) -> BoundedFailure:
    return BoundedFailure("timeout", f"killed after {timeout_s:g} s", {"timeout_s": timeout_s})


def _tail(path: str, size: int = 64 * 1024) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(f.tell() - size, 0))
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _signal_name(num: int) -> str:
    import signal

    try:
        return f"signal {signal.Signals(num).name}"
    except ValueError:
        return f"signal {num}"


def _psutil_process(pid: int | None) -> Any:
    try:
        import psutil

        return psutil.Process(pid)
    except Exception:
        return None


def _rss_mb(proc: Any) -> float | None:
    try:
        return float(proc.memory_info().rss) / (1024 * 1024)
    except Exception:
        return None
