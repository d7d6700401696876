"""The local privacy ledger: composition, its JSON form, corrupt text, bad entries.

Its file is tested with `huddle.storage` (tests/test_storage.py)."""

from __future__ import annotations

import json
import math

import pytest

from huddle.core.ledger import Ledger, LedgerEntry


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
