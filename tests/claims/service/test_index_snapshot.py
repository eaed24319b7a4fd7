"""The persisted index through the service: a second start loads the snapshot and catches up from
the revision log; a corrupt, old-format or foreign snapshot is rebuilt from the store, never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.ingest.sources import load_file
from claims.search import arrays
from claims.service import ClaimService
from claims.settings import Settings
from claims.store import db

GOLD = Path(__file__).resolve().parents[1] / "gold"
QUESTION = "von der Leyen: tariffs are taxes"


def _service(engine: Engine, catalog: Catalog, index_dir: Path) -> ClaimService:
    return ClaimService(Settings(database_url=str(engine.url), index_dir=index_dir), engine, catalog)


def _snapshots(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.index.*") if not p.name.startswith("."))


def test_a_second_start_loads_the_snapshot_and_catches_up(engine: Engine, catalog: Catalog,
                                                          tmp_path: Path) -> None:
    first = _service(engine, catalog, tmp_path)
    first.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    assert first.index.load() == "built"
    [saved] = _snapshots(tmp_path)
    # Written after the snapshot, by the same process: only the revision log knows about it.
    first.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))

    second = _service(engine, catalog, tmp_path)
    assert second.index.load() == "snapshot"
    assert second.ask(QUESTION, log_it=False).answered
    assert second.ask("greenland real estate deal", log_it=False).answered
    assert len(second.index) == len(first.index)
    assert second.save_index()  # it caught up, so the snapshot is worth refreshing
    assert _snapshots(tmp_path) == [saved]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "old format"])
def test_an_unusable_snapshot_is_rebuilt(sqlite_engine: Engine, catalog: Catalog, tmp_path: Path,
                                         damage: str, monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    first = _service(sqlite_engine, catalog, tmp_path)
    first.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    first.load_index()
    [path] = _snapshots(tmp_path)
    if damage == "garbage":
        path.write_bytes(b"not an index at all" * 100)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        monkeypatch.setattr(arrays, "FORMAT", arrays.FORMAT + 1)
    second = _service(sqlite_engine, catalog, tmp_path)
    assert second.index.load() == "built"
    assert "rebuilding the index from the store" in caplog.text
    assert second.ask(QUESTION, log_it=False).answered
    assert _service(sqlite_engine, catalog, tmp_path).index.load() == "snapshot"  # repaired


def test_a_store_replaced_at_the_same_address_never_loads_the_old_snapshot(
    tmp_path: Path, catalog: Catalog
) -> None:
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    engine = db.make_engine(url)
    db.upgrade(engine)
    old = _service(engine, catalog, tmp_path / "index")
    old.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    old.load_index()
    engine.dispose()
    for leftover in tmp_path.glob("claims.db*"):
        leftover.unlink()

    engine = db.make_engine(url)  # a new, different store at the same address
    db.upgrade(engine)
    new = _service(engine, catalog, tmp_path / "index")
    new.ingest(load_file(GOLD / "interview_frederiksen.txt", canonical_url="https://x.example/f"))
    assert new.index.load() == "built"
    assert not new.ask(QUESTION, log_it=False).answered  # the old store's claims are not here
    assert len(_snapshots(tmp_path / "index")) == 1  # and its snapshot is gone
    engine.dispose()
