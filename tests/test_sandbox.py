"""Bounded parsing: a call that hangs, eats memory or crashes fails alone, with a reason."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import hostile
import pytest

from pmo_xl import sandbox
from pmo_xl.sandbox import BoundedFailure, map_bounded, run_bounded

LINUX = sys.platform.startswith("linux")


# Functions the children run: module level, so that they pickle by reference.


def add(a: int, b: int) -> int:
    return a + b


def sleep_forever(_: object = None) -> None:
    while True:
        time.sleep(1)


def allocate_4_gb(_: object = None) -> int:
    return len(bytearray(4 << 30))


def allocate_gradually(_: object = None) -> int:
    chunks = [b"x" * (64 << 20) for _ in range(64)]  # 64 × 64 MB = 4 GB, touched page by page
    return len(chunks)


def abort(_: object = None) -> None:
    os.abort()


def rust_like_oom(_: object = None) -> None:
    os.write(2, b"memory allocation of 137438953472 bytes failed\n")
    os.abort()


def raise_value_error(_: object = None) -> None:
    raise ValueError("cellule illisible")


def exit_3(_: object = None) -> None:
    os._exit(3)


def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def behave(item: str | int) -> str | int:
    """One item of a batch: most are fine, some are hostile."""
    actions = {
        "sleep": sleep_forever,
        "abort": abort,
        "alloc": allocate_gradually,
        "raise": raise_value_error,
        "exit": exit_3,
    }
    if isinstance(item, str):
        actions[item]()
    return item


def pid(_: object = None) -> int:
    return os.getpid()


def collector_on(_: object = None) -> bool:
    import gc

    return gc.isenabled()


def calamine_first_sheet(path: str) -> int:
    import python_calamine

    return len(python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python())


# --- run_bounded ----------------------------------------------------------------------------------


def test_result_comes_back() -> None:
    assert run_bounded(add, 2, b=3, timeout_s=10) == 5


def test_function_sleeping_forever_is_killed_within_the_timeout() -> None:
    start = time.monotonic()
    failure = run_bounded(sleep_forever, timeout_s=1)
    elapsed = time.monotonic() - start
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.reason_code) == ("timeout", "FILE_READ_TIMEOUT")
    assert elapsed < 2.5  # 1 s timeout, plus killing and reaping the child
    assert "1 s" in failure.reason("fr")


@pytest.mark.skipif(not LINUX, reason="RLIMIT_AS is Linux only")
def test_allocating_4_gb_is_stopped_under_an_800_mb_limit() -> None:
    failure = run_bounded(allocate_4_gb, timeout_s=10, memory_mb=800)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.reason_code) == ("memory", "FILE_READ_MEMORY")
    assert "800 Mo" in failure.reason("fr")


@pytest.mark.skipif(not LINUX, reason="RLIMIT_AS is Linux only")
def test_allocating_page_by_page_is_stopped_under_an_800_mb_limit() -> None:
    failure = run_bounded(allocate_gradually, timeout_s=20, memory_mb=800)
    assert isinstance(failure, BoundedFailure)
    assert failure.kind == "memory"


def test_without_rlimit_the_parent_kills_a_child_over_its_memory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("psutil")
    monkeypatch.setattr(sandbox, "_USE_RLIMIT", False)  # as on Windows and macOS
    failure = run_bounded(allocate_gradually, timeout_s=20, memory_mb=300)
    assert isinstance(failure, BoundedFailure)
    assert failure.kind == "memory"
    assert failure.detail.endswith("MB resident")


def test_abort_is_reported_as_a_crash() -> None:
    failure = run_bounded(abort, timeout_s=10)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.reason_code) == ("crash", "FILE_READ_CRASH")
    if LINUX:
        assert failure.detail.startswith("signal SIGABRT")


def test_abort_after_an_allocation_failure_message_is_a_memory_failure() -> None:
    failure = run_bounded(rust_like_oom, timeout_s=10, memory_mb=800)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.reason_code) == ("memory", "FILE_READ_MEMORY")
    assert "memory allocation of" in failure.detail


def test_allocation_failure_without_a_limit_reads_as_a_crash() -> None:
    failure = run_bounded(rust_like_oom, timeout_s=10)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.reason_code) == ("memory", "FILE_READ_CRASH")
    assert "memory allocation of 137438953472 bytes failed" in failure.reason("en")


def test_nonzero_exit_is_a_crash_with_its_code() -> None:
    failure = run_bounded(exit_3, timeout_s=10)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.exitcode, failure.detail) == ("crash", 3, "exit code 3")


def test_exception_comes_back_as_an_error_with_the_exception() -> None:
    failure = run_bounded(raise_value_error, timeout_s=10)
    assert isinstance(failure, BoundedFailure)
    assert (failure.kind, failure.detail) == ("error", "ValueError: cellule illisible")
    assert isinstance(failure.error, ValueError)


def test_far_corner_workbook_kills_calamine_not_the_run(tmp_path: Path) -> None:
    path = hostile.far_corner(tmp_path).path
    failure = run_bounded(calamine_first_sheet, str(path), timeout_s=30, memory_mb=800)
    # python-calamine aborts ("memory allocation of … failed"): the child dies, we go on.
    assert isinstance(failure, BoundedFailure)
    assert failure.kind == "memory"
    assert "memory allocation of" in failure.detail
    assert run_bounded(add, 1, 1, timeout_s=10) == 2


# --- map_bounded ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["fork", "forkserver"] if LINUX else ["spawn"])
def test_batch_survives_hostile_items_and_only_they_fail(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "start_method", lambda: method)
    items: list[str | int] = [1, "sleep", 2, "abort", 3, "raise", 4, "exit", 5]
    if LINUX:
        items += ["alloc", 6]
    # 6 s: allocating 800 MB gradually must finish before the clock on a loaded 2-core machine.
    results = map_bounded(behave, items, workers=2, timeout_s=6, memory_mb=800)
    kinds = {
        "sleep": "timeout",
        "abort": "crash",
        "raise": "error",
        "exit": "crash",
        "alloc": "memory",
    }
    for item, result in zip(items, results, strict=True):
        if isinstance(item, int):
            assert result == item
        else:
            assert isinstance(result, BoundedFailure)
            assert result.kind == kinds[item], (item, result)


def test_items_sent_ahead_to_a_worker_that_dies_go_to_the_next_worker() -> None:
    # One worker holds the item it computes and the next one: when it dies on "exit", the
    # item sent after it is computed by its replacement, and so on.
    items: list[str | int] = [1, "exit", 2, "abort", 3, "exit", "exit", 4]
    results = map_bounded(behave, items, workers=1, timeout_s=10)
    said = [r.kind if isinstance(r, BoundedFailure) else r for r in results]
    assert said == [1, "crash", 2, "crash", 3, "crash", "crash", 4]


def test_a_timeout_counts_from_when_the_worker_starts_the_item() -> None:
    # One worker is sent an item ahead: the second nap of 0.9 s, sent with the first, is
    # within its 1.5 s although it ends 1.8 s after it was sent.
    results = map_bounded(nap, [0.9] * 3, workers=1, timeout_s=1.5)
    assert results == [0.9] * 3


def test_batch_keeps_the_order_of_its_items() -> None:
    assert map_bounded(behave, list(range(25)), workers=3, timeout_s=10) == list(range(25))


def test_each_outcome_is_handed_over_as_soon_as_it_is_known() -> None:
    seen: list[tuple[int, object]] = []
    items: list[str | int] = [1, "raise", 3, "exit", 5]
    results = map_bounded(
        behave, items, workers=2, timeout_s=10, on_result=lambda i, r: seen.append((i, r))
    )
    assert sorted(i for i, _ in seen) == [0, 1, 2, 3, 4]  # each item once, failures included
    assert dict(seen) == dict(enumerate(results))  # the same outcomes as the returned list
    assert [results[0], results[2], results[4]] == [1, 3, 5]
    assert isinstance(results[1], BoundedFailure) and isinstance(results[3], BoundedFailure)


def test_the_callers_own_work_is_done_once_while_the_workers_read() -> None:
    events: list[str] = []
    results = map_bounded(
        nap,
        [0.3, 0.3, 0.3],
        workers=2,
        timeout_s=10,
        on_result=lambda i, r: events.append(f"result {i}"),
        on_started=lambda: events.append("own work"),
    )
    assert results == [0.3] * 3
    assert events[0] == "own work" and events.count("own work") == 1  # before any answer
    assert sorted(events[1:]) == ["result 0", "result 1", "result 2"]


def test_workers_are_recycled_after_their_quota() -> None:
    pids = map_bounded(pid, range(12), workers=2, timeout_s=10, max_tasks_per_worker=3)
    # 12 items, 3 per worker before it is replaced: at least 12 / 3 = 4 processes.
    assert len(set(pids)) >= 4


def test_workers_collect_garbage_even_when_started_from_a_paused_run() -> None:
    # A run pauses the collector (portfolio.collector_paused); its workers read hundreds of
    # files each and must collect the garbage of every one.
    from pmo_xl.portfolio import collector_paused

    with collector_paused():
        assert map_bounded(collector_on, range(4), workers=2, timeout_s=10) == [True] * 4


def test_empty_batch_starts_nothing() -> None:
    assert map_bounded(add, [], timeout_s=1) == []


# --- workers kept between batches (fresh interpreters: Windows) -----------------------------------


def pid_and_double(item: int) -> tuple[int, int]:
    return os.getpid(), 2 * item


@pytest.fixture
def spawned_and_kept(monkeypatch: pytest.MonkeyPatch) -> object:
    """Workers started as fresh interpreters, as on Windows, and kept between batches."""
    monkeypatch.setattr(sandbox, "start_method", lambda: "spawn")
    sandbox.keep_workers(True)
    yield
    sandbox.keep_workers(False)


def test_kept_workers_serve_the_next_batch_with_its_own_function(spawned_and_kept: object) -> None:
    first = map_bounded(pid, range(4), workers=2, timeout_s=30)
    second = map_bounded(pid_and_double, [1, 2, 3], workers=2, timeout_s=30)
    assert [double for _pid, double in second] == [2, 4, 6]
    # No new interpreter: the second batch ran in the processes of the first.
    assert {p for p, _ in second} <= set(first)


def test_a_worker_that_failed_is_not_kept(spawned_and_kept: object) -> None:
    import multiprocessing

    results = map_bounded(behave, [1, "exit"], workers=2, timeout_s=30)
    assert results[0] == 1 and isinstance(results[1], BoundedFailure)
    # Two workers started; the one that exited is gone, the other waits for the next batch.
    assert len(multiprocessing.active_children()) == 1
    assert map_bounded(behave, [5, 6], workers=2, timeout_s=30) == [5, 6]


def test_a_kept_worker_gone_meanwhile_is_replaced(spawned_and_kept: object) -> None:
    first = map_bounded(pid, range(2), workers=2, timeout_s=30)
    for p in set(first):
        os.kill(p, 9)
    time.sleep(0.2)
    second = map_bounded(pid, range(2), workers=2, timeout_s=30)
    assert not set(second) & set(first)


def test_a_kept_worker_leaves_after_its_idle_time(
    spawned_and_kept: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import multiprocessing

    monkeypatch.setattr(sandbox, "KEEP_IDLE_S", 0.5)  # given to workers as they start
    map_bounded(pid, range(2), workers=2, timeout_s=30)
    deadline = time.monotonic() + 10
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert multiprocessing.active_children() == []
    assert map_bounded(add_one, [1], workers=1, timeout_s=30) == [2]


def add_one(item: int) -> int:
    return item + 1


def test_a_kept_worker_about_to_leave_is_not_handed_a_batch(
    spawned_and_kept: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "KEEP_IDLE_S", 2.0)
    first = map_bounded(pid, range(2), workers=2, timeout_s=30)
    time.sleep(1.9)  # past 90 % of its idle time (1.8 s): it may leave as the item arrives
    second = map_bounded(pid, range(2), workers=2, timeout_s=30)
    assert not set(second) & set(first)


def test_a_worker_still_busy_when_a_batch_is_abandoned_is_not_kept(
    spawned_and_kept: object,
) -> None:
    def stop(_index: int, _outcome: object) -> None:
        raise KeyboardInterrupt  # the caller gives up while the other worker still computes

    with pytest.raises(KeyboardInterrupt):
        map_bounded(behave, [1, "sleep"], workers=2, timeout_s=30, on_result=stop)
    # Kept, the sleeping worker would hold the next batch's first item until its timeout.
    assert map_bounded(behave, [7, 8], workers=2, timeout_s=5) == [7, 8]


@pytest.mark.parametrize(("rss_mb", "kept"), [(300.0, 2), (500.0, 0)])
def test_a_worker_grown_past_half_its_memory_limit_is_not_kept(
    spawned_and_kept: object, monkeypatch: pytest.MonkeyPatch, rss_mb: float, kept: int
) -> None:
    import multiprocessing

    # Measured as each batch ends; the limit is 800 MB, half of it 400 MB.
    monkeypatch.setattr(sandbox, "_rss_mb", lambda _proc: rss_mb)
    assert map_bounded(add_one, [1, 2], workers=2, timeout_s=30, memory_mb=800) == [2, 3]
    assert len(multiprocessing.active_children()) == kept


def test_workers_are_not_kept_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(sandbox, "start_method", lambda: "spawn")
    assert map_bounded(pid, range(2), workers=2, timeout_s=30)
    assert multiprocessing.active_children() == []


def test_forked_workers_are_never_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(sandbox, "start_method", lambda: "fork")
    sandbox.keep_workers(True)
    try:
        assert map_bounded(pid, range(2), workers=2, timeout_s=30)
        assert multiprocessing.active_children() == []
    finally:
        sandbox.keep_workers(False)


# --- how children start ---------------------------------------------------------------------------


def _start_method_in_fresh_process(code: str) -> str:
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nfrom pmo_xl import sandbox\nprint(sandbox.start_method())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_a_single_threaded_process_forks_its_workers() -> None:
    # No fork server to start: workers are ready at once with what the process imported.
    assert _start_method_in_fresh_process("") == "fork"


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_a_process_running_threads_starts_workers_from_a_fork_server() -> None:
    # A fork would copy locks the other thread may hold (logging, imports): not risked.
    code = (
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(5,), daemon=True).start()"
    )
    assert _start_method_in_fresh_process(code) == "forkserver"


def parent_module_loaded(_: object = None) -> bool:
    return "pmo_xl_test_marker_module" in sys.modules


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_forked_workers_inherit_the_preloaded_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    monkeypatch.setattr(sandbox, "start_method", lambda: "fork")
    monkeypatch.setitem(sys.modules, "pmo_xl_test_marker_module", types.ModuleType("marker"))
    assert map_bounded(parent_module_loaded, [1, 2], workers=2, timeout_s=10) == [True, True]


# --- side work in a forked child ------------------------------------------------------------------


def write_text(path: str, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_side_work_runs_in_a_child_and_says_it_succeeded(tmp_path: Path) -> None:
    job = sandbox.in_background(write_text, str(tmp_path / "out.txt"), "écrit")
    assert job is not None
    assert job.succeeded()
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "écrit"


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_side_work_that_raises_or_dies_says_it_failed(tmp_path: Path) -> None:
    raised = sandbox.in_background(raise_value_error)
    died = sandbox.in_background(exit_3)
    assert raised is not None and not raised.succeeded()
    assert died is not None and not died.succeeded()


@pytest.mark.skipif(not LINUX, reason="fork is only used on Linux")
def test_side_work_hands_back_what_it_returned_or_why_it_failed() -> None:
    job = sandbox.in_background(add, 1, 2)
    assert job is not None
    assert job.outcome() == 3
    assert job.outcome() == 3  # asked again: the same answer, the child is not waited for twice
    raised = sandbox.in_background(raise_value_error)
    assert raised is not None
    failure = raised.outcome()
    assert isinstance(failure, BoundedFailure) and failure.kind == "error"
    died = sandbox.in_background(exit_3)
    assert died is not None and isinstance(died.outcome(), BoundedFailure)


def test_without_fork_there_is_no_side_work_and_the_caller_does_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox, "start_method", lambda: "forkserver")
    assert sandbox.in_background(add, 1, 2) is None
