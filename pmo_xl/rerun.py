"""A re-run after a few project workbooks changed: the cross-project tables patched, not made
again.

Every run keeps, next to the cache entries of its folder (:mod:`pmo_xl.cache`), what its
cross-project tables were made of (:class:`Tables`: the load summed by person, week and
project, what the portfolio rules found, the effort table, the risk, action and decision lists)
and, per project, the key of the file it came from and digests of what it brings that the
whole portfolio settles (its code, the people it lists and names). The next run, when only a
few files changed (:data:`MAX_CHANGED`), takes those projects' rows out and puts their new ones
in (:func:`patched_tables`) instead of making every table from a thousand projects again:

* the load: the changed projects' rows of the summed detail replaced, then the weekly table
  made from it as a full run makes it (:meth:`~pmo_xl.consolidation.LoadParts.load`);
* over-allocations: found again only for the people those rows touch (one finding a person);
* the effort table: each changed project's block of rows, made with the portfolio's names;
* the lists: the changed files' rows replaced, then sorted as a full run sorts them.

It patches only where the answer is surely the full run's, and says no otherwise (the caller
then makes the tables in full): same settings, code and cut-off, the same projects in the
same order, each changed project with the same code and the same people listed and named as
before, every project with a code of its own, rows the full run would not have summed, columns
of the same types. ``tests/test_rerun.py`` compares the two on random changes.

A patched run does not keep its own tables while few files (:data:`BASE_MAX_CHANGED`) differ
from the state it patched: the next run patches from that same state, every file changed since
included (:func:`keeps_base`). The state is written again by a full run, or once more files
differ from it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pmo_xl import checks, consolidation
from pmo_xl.consolidation import LoadParts, ResourceLoad
from pmo_xl.model import Finding, ProjectShare, Settings

FORMAT = 1
STATE_NAME = "portfolio.state"
# Patched when at most this share of the projects changed (and at least one project may).
MAX_CHANGED = 0.25
# A patched run leaves the state it patched from as it is while at most this many files differ
# from it (see :func:`keeps_base`).
BASE_MAX_CHANGED = 10
OVERALLOCATED = "RESOURCE_OVERALLOCATED"
NAME_VARIANTS = "RESOURCE_NAME_VARIANTS"


@dataclass
class Tables:
    """The cross-project tables of a run and what a re-run patches them from."""

    parts: LoadParts
    load: ResourceLoad
    raised: dict[str, list[Finding]]  # what each portfolio rule found (enabled rules), by code
    effort: pd.DataFrame
    effort_distinct: bool  # its rows were each one share's own (none summed)
    effort_names: dict[str, str]  # person key → the name the effort table shows
    risks: pd.DataFrame
    actions: pd.DataFrame
    decisions: pd.DataFrame


@dataclass
class State:
    """What a run keeps for the next one (one file per projects folder and fingerprint)."""

    fingerprint: str  # the cache's: settings, limits, reader, pmo_xl's answering code
    cutoff: dt.date
    files: list[str]  # each share's file, in order
    keys: list[Any]  # the cache key of the file each share came from
    core: list[bytes]  # digest of what each share brings that the portfolio settles
    variants: list[bytes]  # digest of each share's spellings, as the variants check reads them
    tables: Tables  # without the weekly load (made again from ``parts``) nor load findings


def _digest(value: Any) -> bytes:
    return hashlib.blake2b(pickle.dumps(value, protocol=4), digest_size=16).digest()


def core_digest(share: ProjectShare) -> bytes:
    """What of ``share`` the portfolio settles across projects: its code (project labels,
    duplicates), the people it lists, their capacities, and the names it gives them. A person
    it lists is named as listed (in the first project listing them): how its tasks or time
    entries spell them then names nobody, and reassigning a task changes nothing here."""
    listed = share.listed
    keys = set(listed["key"].tolist()) if "key" in listed else set()
    return _digest(
        (
            share.file,
            share.code,
            [listed[c].tolist() for c in ("key", "name", "capacity") if c in listed],
            sorted((k, v) for k, v in share.owners.items() if k not in keys),
            sorted((k, v) for k, v in share.entrants.items() if k not in keys),
        )
    )


def variants_digest(share: ProjectShare) -> bytes:
    """What the name-variants check reads of ``share`` (spellings, where first used)."""
    return _digest((share.name_places, share.name_parts))


def state_of(
    tables: Tables,
    shares: Sequence[ProjectShare],
    keys: Sequence[Any],
    cutoff: dt.date,
    fingerprint: str,
    previous: State | None = None,
) -> State:
    """What to keep of a run. ``previous``: the state the run started from, whose digests
    stand for the shares of unchanged files (a file's key says its bytes, hence its share,
    are the same): 1,000 shares' digests cost 0.1 s."""
    core: list[bytes] = []
    variants: list[bytes] = []
    for i, share in enumerate(shares):
        if (
            previous is not None
            and previous.cutoff == cutoff
            and i < len(previous.files)
            and previous.files[i] == share.file
            and keys[i] is not None
            and previous.keys[i] == keys[i]
        ):
            core.append(previous.core[i])
            variants.append(previous.variants[i])
        else:
            core.append(core_digest(share))
            variants.append(variants_digest(share))
    kept = dataclasses.replace(
        tables,
        parts=dataclasses.replace(tables.parts, findings=[]),
        load=ResourceLoad(pd.DataFrame(), []),
    )
    return State(
        fingerprint=fingerprint,
        cutoff=cutoff,
        files=[s.file for s in shares],
        keys=list(keys),
        core=core,
        variants=variants,
        tables=kept,
    )


def save_state(path: Path, make: Callable[[], State]) -> None:
    """Keep the state ``make`` gives (:func:`state_of`, worked out where this runs: a forked
    child), atomically; a failure only costs the next run's speed."""
    with contextlib.suppress(Exception):
        state = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".state", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((FORMAT, state), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def load_state(path: Path, fingerprint: str) -> State | None:
    """The state kept at ``path`` for this fingerprint, or None (missing, damaged, other)."""
    try:
        with open(path, "rb") as f:
            version, state = pickle.load(f)
    except Exception:
        return None
    if version != FORMAT or not isinstance(state, State) or state.fingerprint != fingerprint:
        return None
    return state


def keeps_base(state: State, shares: Sequence[ProjectShare], keys: Sequence[Any]) -> bool:
    """Whether a run that patched ``state``'s tables may leave it as the next run's: at most
    :data:`BASE_MAX_CHANGED` files differ from it, and at most half as many as a patch takes.
    The next run then patches those files again (a few milliseconds each) with its own
    changes, from the same state, and gets what a full run gets as surely; this run neither
    pickles nor writes 25 MB of tables (1,000 projects: 0.2-0.25 s of a core while the
    workbook is spliced and the JSON written)."""
    if [s.file for s in shares] != state.files:
        return False
    # Half the patch's own limit at most: the next run's changes must not tip it over.
    limit = min(BASE_MAX_CHANGED, MAX_CHANGED * len(shares) / 2)
    return len(changed_shares(state, shares, keys)) <= limit


def changed_shares(state: State, shares: Sequence[ProjectShare], keys: Sequence[Any]) -> list[int]:
    """The shares whose file is not the one ``state`` was made from (by index)."""
    return [
        i
        for i, (key, old) in enumerate(zip(keys, state.keys, strict=True))
        if key is None or key != old
    ]


def patched_tables(
    state: State,
    shares: Sequence[ProjectShare],
    keys: Sequence[Any],
    settings: Settings,
    cutoff: dt.date,
) -> Tables | str:
    """``state``'s tables with the changed shares' rows replaced: what :func:`full_tables`
    would make of ``shares``; where that is not sure, why (make them in full then)."""
    if state.cutoff != cutoff:
        return "another cut-off"
    if [s.file for s in shares] != state.files:
        return "files added, removed or refused"
    changed = changed_shares(state, shares, keys)
    if len(changed) > MAX_CHANGED * len(shares):
        return "too many files changed"
    codes = [s.code for s in shares]
    if not all(codes) or len(set(codes)) != len(codes):
        return "a project without a code of its own"  # list rows of two could tie
    if any(core_digest(shares[i]) != state.core[i] for i in changed):
        return "people listed or named otherwise"  # names, capacities, labels may change
    old = state.tables
    if not changed:  # nothing to patch: the kept tables as they are
        findings = [f for s in shares for f in s.load_findings]
        kept = dataclasses.replace(old.parts, findings=findings)
        return dataclasses.replace(old, parts=kept, load=kept.load(settings))
    parts = _patched_parts(old.parts, shares, changed)
    if parts is None:
        return "load for someone without load before"
    effort = _patched_effort(old, shares, changed)
    if effort is None:
        return "effort rows summed or of other types"
    lists = {name: _patched_list(old, name, shares, changed, cutoff) for name in _LISTS}
    if any(frame is None for frame in lists.values()):
        return "list columns of other types"
    load = parts.load(settings)
    raised = dict(old.raised)
    if OVERALLOCATED in raised:
        raised[OVERALLOCATED] = _patched_overallocated(
            old.raised[OVERALLOCATED], old.parts, parts, load, changed, shares, settings
        )
    if NAME_VARIANTS in raised and any(
        variants_digest(shares[i]) != state.variants[i] for i in changed
    ):
        raised[NAME_VARIANTS] = checks.resource_name_variants(shares, settings, None)
    return Tables(
        parts=parts,
        load=load,
        raised=raised,
        effort=effort,
        effort_distinct=True,
        effort_names=old.effort_names,
        risks=_frame(lists["risks"]),
        actions=_frame(lists["actions"]),
        decisions=_frame(lists["decisions"]),
    )


def _frame(frame: pd.DataFrame | None) -> pd.DataFrame:
    assert frame is not None
    return frame


def _patched_parts(
    parts: LoadParts, shares: Sequence[ProjectShare], changed: list[int]
) -> LoadParts | None:
    """``parts`` with the changed shares' load rows in place of their old ones."""
    detail = parts.detail
    keys = parts.person_keys
    new: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for i in changed:
        load = shares[i].load
        share_keys = np.asarray(load["key"], dtype=object)
        if any(not isinstance(k, str) for k in share_keys.tolist()):
            return None  # a blank key: only a full run says where it goes
        person = np.searchsorted(keys, share_keys) if len(keys) else np.zeros(0, np.intp)
        person = np.asarray(person, dtype=np.int64)
        if len(share_keys) and (person.max() >= len(keys) or (keys[person] != share_keys).any()):
            return None  # someone without load before: every person's index moves
        new.append(
            (
                person,
                np.asarray(load["week"]).astype("datetime64[ns]"),
                np.full(len(person), i, dtype=np.int64),
                np.asarray(load["load_days"], dtype="float64"),
            )
        )
    project = detail["project"].to_numpy()
    keep = ~np.isin(project, np.asarray(changed, dtype=project.dtype))
    columns = [
        np.concatenate([detail[name].to_numpy()[keep], *(rows[k] for rows in new)])
        for k, name in enumerate(("person", "week", "project", "load_days"))
    ]
    summed = consolidation._person_week_project(
        columns[0].astype(np.int64),
        columns[1].astype("datetime64[ns]"),
        columns[2].astype(np.int64),
        columns[3].astype("float64"),
    )
    findings = [f for s in shares for f in s.load_findings]
    return dataclasses.replace(parts, detail=summed, findings=findings)


def _patched_overallocated(
    old: list[Finding],
    old_parts: LoadParts,
    parts: LoadParts,
    load: ResourceLoad,
    changed: list[int],
    shares: Sequence[ProjectShare],
    settings: Settings,
) -> list[Finding]:
    """The over-allocation findings (one a person, by name) found again for the people whose
    load rows changed, kept for the others."""
    touched_codes: set[int] = set()
    for detail in (old_parts.detail, parts.detail):
        mask = np.isin(detail["project"].to_numpy(), np.asarray(changed, dtype=np.int64))
        touched_codes.update(detail["person"].to_numpy()[mask].tolist())
    names = parts.person_names
    touched = {str(names[c]) for c in touched_codes}
    weekly = load.weekly
    subset = weekly[weekly["resource"].isin(touched)]
    again = checks.resource_overallocated(shares, settings, subset)
    kept = [f for f in old if f.params.get("name") not in touched]
    return sorted(kept + again, key=lambda f: str(f.params.get("name")))


def _patched_effort(
    old: Tables, shares: Sequence[ProjectShare], changed: list[int]
) -> pd.DataFrame | None:
    """The effort table with each changed project's block of rows made again."""
    if not old.effort_distinct:
        return None
    labels = old.parts.labels
    subset = [shares[i] for i in changed]
    rows, distinct = consolidation.effort_rows_of(subset, labels[changed], old.effort_names)
    if not distinct:
        return None
    effort = old.effort
    if not len(effort):
        return rows.reset_index(drop=True) if len(rows) else None
    if len(rows) and [str(t) for t in rows.dtypes] != [str(t) for t in effort.dtypes]:
        return None
    project = effort["project"].to_numpy(dtype=object)
    keep = ~pd.Series(project).isin(set(labels[changed].tolist())).to_numpy()
    kept = effort[keep]
    if not len(rows):
        return kept.reset_index(drop=True)
    # Each project's rows are a block, in the order of the labels: a new block goes where its
    # label sorts among the kept ones (before the kept row at that place).
    at = np.searchsorted(kept["project"].to_numpy(dtype=object), rows["project"].to_numpy())
    order = np.argsort(
        np.concatenate([np.arange(len(kept)) * 2 + 1, np.asarray(at, dtype=np.int64) * 2]),
        kind="stable",
    )
    both = pd.concat([kept, rows], ignore_index=True)
    return both.take(order).reset_index(drop=True)


_LISTS = ("risks", "actions", "decisions")


def _patched_list(
    old: Tables, name: str, shares: Sequence[ProjectShare], changed: list[int], cutoff: dt.date
) -> pd.DataFrame | None:
    """A risk, action or decision list with the changed files' rows replaced, sorted again."""
    from pmo_xl.portfolio import CROSS_LISTS

    make, keys, ascending = CROSS_LISTS[name]
    frame: pd.DataFrame = getattr(old, name)
    rows = make([shares[i] for i in changed], cutoff)
    if not len(frame.columns):  # nothing listed before: which columns a full run gives is unknown
        return frame if not len(rows) else None
    kept = frame[~frame["file"].isin({shares[i].file for i in changed})]
    if not len(rows):
        return kept.reset_index(drop=True)
    if list(rows.columns) != list(frame.columns) or [str(t) for t in rows.dtypes] != [
        str(t) for t in frame.dtypes
    ]:
        return None
    both = pd.concat([kept, rows], ignore_index=True)
    return both.sort_values(keys, ascending=ascending, kind="stable").reset_index(drop=True)


def full_tables(shares: Sequence[ProjectShare], settings: Settings, cutoff: dt.date) -> Tables:
    """Every table made from ``shares``, in this process (a run makes the effort table and the
    lists in a forked child meanwhile: :func:`pmo_xl.portfolio.consolidate_loads`)."""
    from pmo_xl.portfolio import effort_and_lists

    parts = consolidation.load_parts_of(shares, settings)
    load = parts.load(settings)
    raised = checks.portfolio_raised(shares, settings, load.weekly)
    return Tables(parts, load, raised, *effort_and_lists(shares, cutoff))
