"""The local privacy ledger: composition, storage, corrupt files, atomic saves."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from huddle.core.ledger import Ledger, LedgerEntry, LedgerStore


def entry(tag: str = "salary", epsilon: float = 1.0, title: str = "2026 raise") -> LedgerEntry:
    return LedgerEntry(
        title=title,
        tag=tag,
        kind="histogram",
        epsilon=epsilon,
        timestamp="2026-05-15T10:00:00+02:00",
    )


def test_sequential_composition_adds_epsilon_per_tag() -> None:
    book = Ledger()
    for e in (entry(epsilon=0.5), entry(epsilon=1.0), entry("lunch", 2.0), entry(epsilon=0.1)):
        book = book.with_entry(e)
    assert book.spent("salary") == pytest.approx(1.6)
    assert book.spent("lunch") == 2.0
    assert book.spent("commute") == 0.0
    assert Ledger().spent("salary") == 0.0


def test_tags_compare_without_case_or_spacing() -> None:
    book = Ledger().with_entry(entry("Salary ")).with_entry(entry("salary"))
    assert book.spent("SALARY") == 2.0
    assert book.spent("  salary") == 2.0


def test_spent_sums_exactly() -> None:
    book = Ledger(entries=tuple(entry(epsilon=0.1) for _ in range(10)))
    assert book.spent("salary") == 1.0  # math.fsum: no 0.9999999999999999


def test_json_round_trip() -> None:
    book = Ledger().with_entry(entry(title="Ünïcödé ε?")).with_entry(entry("lunch", 0.25))
    again = Ledger.from_json(book.to_json())
    assert again == book
    assert not again.corrupt
    assert json.loads(book.to_json())["version"] == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "null",
        "[]",
        '{"version": 2, "entries": []}',
        '{"version": 1}',
        '{"version": 1, "entries": {}}',
        '{"version": 1, "entries": [{"title": "x"}]}',
        '{"version": 1, "entries": [1]}',
        '{"version": 1, "entries": [{"title": "t", "tag": "s", "kind": "histogram",'
        ' "epsilon": -1, "timestamp": "2026"}]}',
        '{"version": 1, "entries": [{"title": "t", "tag": "s", "kind": "histogram",'
        ' "epsilon": NaN, "timestamp": "2026"}]}',
        '{"version": 1, "entries": [{"title": "t", "tag": 3, "kind": "histogram",'
        ' "epsilon": 1, "timestamp": "2026"}]}',
        '{"version": 1, "entries": [{"title": "t", "tag": "s", "kind": "histogram",'
        ' "epsilon": "1", "timestamp": "2026"}]}',
        "[" * 100_000,
    ],
)
def test_corrupt_json_gives_an_empty_flagged_ledger(text: str) -> None:
    book = Ledger.from_json(text)
    assert book == Ledger(corrupt=True)
    assert book.spent("salary") == 0.0


def test_corrupt_bytes_give_an_empty_flagged_ledger() -> None:
    assert Ledger.from_json(b"\xff\xfe\x00garbage").corrupt


def test_one_bad_entry_discards_the_whole_file() -> None:
    good = json.loads(Ledger().with_entry(entry()).to_json())
    good["entries"].append({"title": "t"})
    assert Ledger.from_json(json.dumps(good)) == Ledger(corrupt=True)


def test_entries_refuse_nonsense() -> None:
    with pytest.raises(ValueError):
        entry(epsilon=0.0)
    with pytest.raises(ValueError):
        entry(epsilon=math.inf)


def test_store_starts_empty_and_appends(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path / "data" / "huddle" / "ledger.json")
    assert store.load() == Ledger()
    store.append(entry(epsilon=0.5))
    book = store.append(entry(epsilon=0.25))
    assert book.spent("salary") == 0.75
    assert LedgerStore(store.path).load() == book
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["ledger.json"]


def test_store_file_is_private(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path / "ledger.json")
    store.append(entry())
    assert store.path.stat().st_mode & 0o077 == 0


def test_store_reports_a_corrupt_file_and_keeps_it_aside(tmp_path: Path) -> None:
    store = LedgerStore(tmp_path / "ledger.json")
    store.path.write_bytes(b"\x00\x01 not json")
    assert store.load() == Ledger(corrupt=True)
    book = store.append(entry())
    assert not book.corrupt and book.spent("salary") == 1.0
    assert store.load() == book
    assert store.corrupt_copy.read_bytes() == b"\x00\x01 not json"


def test_store_treats_an_unreadable_path_as_corrupt(tmp_path: Path) -> None:
    (tmp_path / "ledger.json").mkdir()
    assert LedgerStore(tmp_path / "ledger.json").load().corrupt


def test_failed_save_leaves_the_old_ledger_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LedgerStore(tmp_path / "ledger.json")
    store.append(entry(epsilon=0.5))
    before = store.path.read_bytes()

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("huddle.core.ledger.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.append(entry(epsilon=2.0))
    assert store.path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ledger.json"]


def test_save_goes_through_a_temp_file_in_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LedgerStore(tmp_path / "ledger.json")
    calls: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def spy(src: str, dst: Path) -> None:
        calls.append((Path(src), Path(dst)))
        assert Path(src).read_text(encoding="utf-8") == Ledger().with_entry(entry()).to_json()
        real_replace(src, dst)

    monkeypatch.setattr("huddle.core.ledger.os.replace", spy)
    store.append(entry())
    [(src, dst)] = calls
    assert src.parent == tmp_path and src != dst and dst == store.path
