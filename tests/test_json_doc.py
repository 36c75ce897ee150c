"""The JSON document written as it is made (``pmo_xl.json_doc``): always, byte for byte, what
``orjson`` makes of ``PortfolioResult.to_json`` indented by two, whatever the chunk size, and
whatever the last document the load records are copied from (the same, edited, replaced)."""

from __future__ import annotations

import copy
import dataclasses
import os
import random
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest

from pmo_xl import commands, json_doc, sheet_pieces
from pmo_xl.consolidation import LoadDetail
from pmo_xl.model import Settings
from pmo_xl.portfolio import PortfolioResult, consolidate_folder

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus
from test_rerun import SIZE, _overload, _write

N_PROJECTS = 8


def _reference(result: PortfolioResult, lang: str = "fr") -> bytes:
    return orjson.dumps(
        result.to_json(lang), option=orjson.OPT_INDENT_2 | orjson.OPT_SERIALIZE_NUMPY
    )  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    folder = tmp_path_factory.mktemp("json") / "projets"
    folder.mkdir()
    datas = [corpus.project_data(i, **SIZE) for i in range(N_PROJECTS)]
    for i, data in enumerate(datas):
        _write(folder, i, data)
    return folder, datas


@pytest.fixture(scope="module")
def result(portfolio: tuple[Path, list[Any]]) -> PortfolioResult:
    return consolidate_folder(portfolio[0], Settings(), cache=False)


class _Counted:
    """What each :func:`json_doc.write_document` call did (copied and encoded load groups)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[json_doc.Written] = []
        real = json_doc.write_document

        def spy(*args: Any, **kwargs: Any) -> json_doc.Written:
            written = real(*args, **kwargs)
            self.calls.append(written)
            return written

        monkeypatch.setattr(json_doc, "write_document", spy)

    @property
    def last(self) -> json_doc.Written:
        return self.calls[-1]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("rows", [1, 2, 7, json_doc.CHUNK_ROWS])
def test_the_document_is_orjsons_encoding_of_to_json(
    result: PortfolioResult, lang: str, rows: int
) -> None:
    assert len(result.resource_load) > 100 and result.findings and len(result.risks)
    assert json_doc.document_bytes(result, lang, rows) == _reference(result, lang)  # type: ignore[arg-type]


def test_empty_lists_and_tables_and_a_result_made_by_hand(result: PortfolioResult) -> None:
    empty = dataclasses.replace(
        result,
        projects=[],
        findings=[],
        files=[],
        totals={},
        resource_load=result.resource_load.iloc[:0],
        risks=result.risks.iloc[:0],
        actions=result.actions.iloc[:0],
        decisions=result.decisions.iloc[:0],
        resource_detail=None,
    )
    assert json_doc.document_bytes(empty) == _reference(empty)
    assert b'"resource_load": []' in json_doc.document_bytes(empty)
    by_hand = dataclasses.replace(result, resource_detail=None)  # no long-form detail
    assert json_doc.load_digests(by_hand, "0" * 16) is None
    assert json_doc.document_bytes(by_hand) == _reference(result)


def test_a_rewrite_copies_the_groups_that_did_not_change(
    portfolio: tuple[Path, list[Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    datas = copy.deepcopy(portfolio[1])
    work = tmp_path / "projets"
    work.mkdir()
    for i, data in enumerate(datas):
        _write(work, i, data)
    counted = _Counted(monkeypatch)
    # A group a person: joined into chunks where the (salted) digests say, a portfolio of 8
    # projects made from 2 to 6 chunks, run to run.
    monkeypatch.setattr(sheet_pieces, "chunked", lambda starts, digests: (starts, digests))
    out = tmp_path / "out" / "pmo.json"
    first = consolidate_folder(work, Settings(), cache=tmp_path / "cache")
    commands.write_json(first, out)
    groups = counted.last.encoded
    assert groups > 3 and counted.last.copied == 0
    assert out.read_bytes() == _reference(first)

    commands.write_json(first, out)  # the same figures: every group copied
    assert (counted.last.copied, counted.last.encoded) == (groups, 0)
    assert out.read_bytes() == _reference(first)

    # One project's lead gives a task 60 more days: its owner's weeks change, no one else's.
    _overload(datas[2], random.Random(3))
    _write(work, 2, datas[2])
    second = consolidate_folder(work, Settings(), cache=tmp_path / "cache")
    assert second.resource_load.to_dict() != first.resource_load.to_dict()
    commands.write_json(second, out)
    assert out.read_bytes() == _reference(second)
    assert 1 <= counted.last.encoded < counted.last.copied


def test_an_edited_or_replaced_last_document_is_never_copied(
    result: PortfolioResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = _Counted(monkeypatch)
    out = tmp_path / "pmo.json"
    reference = _reference(result)
    commands.write_json(result, out)
    groups = counted.last.encoded

    # A digit of the first record changed in place, the file's size and date put back: its
    # identity is the same, the piece's CRC-32 is not. That piece only is encoded again.
    data = bytearray(out.read_bytes())
    at = data.index(b'"load_days": ') + len(b'"load_days": ')
    data[at] = ord("9") if data[at] != ord("9") else ord("8")
    st = out.stat()
    with open(out, "r+b") as f:
        f.write(data)
    os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
    commands.write_json(result, out)
    assert out.read_bytes() == reference
    assert (counted.last.copied, counted.last.encoded) == (groups - 1, 1)

    # Replaced by a copy of itself (another file): nothing is copied from it.
    copy_of = tmp_path / "copy.json"
    copy_of.write_bytes(out.read_bytes())
    os.replace(copy_of, out)
    commands.write_json(result, out)
    assert out.read_bytes() == reference
    assert (counted.last.copied, counted.last.encoded) == (0, groups)

    # Cut short: the pieces beyond the end cannot be read back whole.
    commands.write_json(result, out)
    st = out.stat()
    with open(out, "r+b") as f:
        f.truncate(st.st_size // 2)
    commands.write_json(result, out)
    assert out.read_bytes() == reference
    assert counted.last.encoded >= 1 and counted.last.copied + counted.last.encoded == groups

    # Without the kept index (keep_pieces=False, or the cache folder emptied): all encoded.
    commands.write_json(result, out, keep_pieces=False)
    assert out.read_bytes() == reference


def test_the_order_of_a_weeks_projects_is_part_of_its_digest() -> None:
    """The JSON lists a week's projects in its ``by_project`` dict's order: two weeks with the
    same projects and days in another order are written differently, so never share a piece."""
    one = LoadDetail.from_by_project([{"PRJ-A": 1.0, "PRJ-B": 2.0}])
    other = LoadDetail.from_by_project([{"PRJ-B": 2.0, "PRJ-A": 1.0}])
    assert list(one.labels) == list(other.labels) and list(one.days) == list(other.days)
    salt = "0123456789abcdef"
    week_codes = json_doc._week_codes
    assert week_codes(one, salt) is not None
    assert (week_codes(one, salt) != week_codes(other, salt)).all()  # type: ignore[operator]
