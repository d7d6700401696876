"""What Huddle keeps on this computer: the ledger's file (atomic, private, corruption
kept aside), where it lives on each platform, and the person's default name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from huddle import storage
from huddle.storage import DATA_DIR_ENV, Ledger, LedgerEntry, LedgerStore


def entry(tag: str = "salary", epsilon: float = 1.0, title: str = "2026 raise") -> LedgerEntry:
    return LedgerEntry(
        title=title,
        tag=tag,
        kind="histogram",
        epsilon=epsilon,
        timestamp="2026-05-15T10:00:00+02:00",
    )


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

    monkeypatch.setattr("huddle.storage.os.replace", broken_replace)
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

    monkeypatch.setattr("huddle.storage.os.replace", spy)
    store.append(entry())
    [(src, dst)] = calls
    assert src.parent == tmp_path and src != dst and dst == store.path


# --- the ledger's place -------------------------------------------------------------


def test_data_dir_follows_each_platform_and_the_override(tmp_path: Path) -> None:
    home = Path("/home/ann")
    linux = storage.data_dir({}, "linux", home)
    assert linux == Path("/home/ann/.local/share/Huddle/Huddle")
    assert storage.data_dir({"XDG_DATA_HOME": "/data"}, "linux", home) == Path(
        "/data/Huddle/Huddle"
    )
    assert storage.data_dir({"XDG_DATA_HOME": "relative"}, "linux", home) == linux
    assert storage.data_dir({}, "darwin", home) == Path(
        "/home/ann/Library/Application Support/Huddle/Huddle"
    )
    assert storage.data_dir({"APPDATA": str(tmp_path)}, "win32", home) == tmp_path.joinpath(
        "Huddle", "Huddle"
    )
    env = {DATA_DIR_ENV: str(tmp_path), "XDG_DATA_HOME": "/data"}
    assert storage.data_dir(env, "linux", home) == tmp_path


QT_LOCATION = """
from PySide6.QtCore import QCoreApplication, QStandardPaths
app = QCoreApplication([])
QCoreApplication.setOrganizationName("Huddle")
QCoreApplication.setApplicationName("Huddle")
print(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
"""


@pytest.mark.parametrize("xdg", [None, "/srv/xdg-data", "relative/path"])
def test_data_dir_is_where_the_desktop_app_keeps_it(tmp_path: Path, xdg: str | None) -> None:
    pytest.importorskip("PySide6.QtCore")
    env = {"HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    if xdg is not None:
        env["XDG_DATA_HOME"] = xdg
    qt = subprocess.run(
        [sys.executable, "-c", QT_LOCATION], env=env, capture_output=True, text=True, check=True
    )
    ours = storage.data_dir({k: v for k, v in env.items() if k != "HOME"}, home=tmp_path)
    assert Path(qt.stdout.strip()) == ours


def test_the_default_store_is_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "portable"))
    assert LedgerStore().path == tmp_path / "portable" / "ledger.json"


def test_the_default_name_is_never_empty() -> None:
    assert storage.default_display_name().strip()
