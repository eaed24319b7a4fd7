"""Saving the matcher and loading it back: round trip, updates after loading, and bad files."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from claims.catalog import Catalog, load_catalog
from claims.search import snapshot
from claims.search.arrays import FORMAT, SnapshotError
from claims.search.documents import ClaimDoc
from claims.search.match import Matcher
from claims.search.synonyms import load_synonyms
from tests.claims.questions import labelled

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(ROOT / "config")


@pytest.fixture(scope="module")
def synonyms() -> dict[str, list[str]]:
    return load_synonyms(ROOT / "config")


@pytest.fixture
def saved(tmp_path: Path, catalog, synonyms) -> tuple[Matcher, Path]:
    matcher = Matcher.build(labelled.load_docs(catalog), catalog=catalog, synonyms=synonyms)
    matcher.upsert(ClaimDoc(900, "The harbour expansion will bring jobs.", "Olaf Lind",
                            other_topics=("Arctic fisheries",)))
    matcher.remove(21)
    path = tmp_path / "claims.idx"
    snapshot.save(matcher, path, mark=1234)
    return matcher, path


def test_round_trip_answers_every_question_the_same(saved, catalog, synonyms) -> None:
    original, path = saved
    loaded, mark = snapshot.load(path, catalog=catalog, synonyms=synonyms)
    assert mark == 1234
    assert len(loaded) == len(original)
    for q in labelled.load_questions():
        assert loaded.ask(q.text) == original.ask(q.text), q.text
    assert loaded.ask("what did Lind say")[0].claim_id == 900


def test_updates_after_loading(saved, catalog, synonyms) -> None:
    _, path = saved
    loaded, _ = snapshot.load(path, catalog=catalog, synonyms=synonyms)
    loaded.upsert(ClaimDoc(20, "Greenland belongs to its people.", "Mette Frederiksen",
                           topic="greenland", topic_name="Greenland"))
    loaded.upsert(ClaimDoc(901, "Tunnels under the fjord are safe.", "Anna Berg"))
    loaded.remove(900)
    assert loaded.ask("are the fjord tunnels safe")[0].claim_id == 901
    assert all(m.claim_id != 900 for m in loaded.ask("harbour expansion jobs"))
    assert loaded.ask("Who does Greenland belong to?")[0].claim_id == 20
    again = path.with_name("again.idx")
    snapshot.save(loaded, again, mark=1300)  # and it saves again, tail included
    reloaded, mark = snapshot.load(again, catalog=catalog, synonyms=synonyms)
    assert mark == 1300 and reloaded.ask("are the fjord tunnels safe")[0].claim_id == 901
    # the first file is untouched by changes made after loading it
    first, _ = snapshot.load(path, catalog=catalog, synonyms=synonyms)
    assert first.ask("harbour expansion jobs")[0].claim_id == 900


def test_missing_file(tmp_path: Path, catalog) -> None:
    with pytest.raises(SnapshotError, match="no index snapshot"):
        snapshot.load(tmp_path / "nothing.idx", catalog=catalog)


@pytest.mark.parametrize("cut", [4, 20, 200, -1])
def test_truncated_file(saved, catalog, cut: int) -> None:
    _, path = saved
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut > 0 else data[:-100])
    with pytest.raises(SnapshotError, match=r"truncated|corrupt"):
        snapshot.load(path, catalog=catalog)


def test_corrupt_array_is_detected(saved, catalog) -> None:
    _, path = saved
    data = bytearray(path.read_bytes())
    data[len(data) - 3] ^= 0xFF  # somewhere in the last array
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match="corrupt"):
        snapshot.load(path, catalog=catalog)


def test_corrupt_header_is_detected(saved, catalog) -> None:
    _, path = saved
    data = bytearray(path.read_bytes())
    data[30] ^= 0xFF  # inside the JSON header
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match=r"corrupt|truncated"):
        snapshot.load(path, catalog=catalog)


def test_other_format_is_refused(saved, catalog) -> None:
    _, path = saved
    data = bytearray(path.read_bytes())
    data[8:12] = struct.pack("<I", FORMAT + 1)
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError, match=f"format {FORMAT + 1}"):
        snapshot.load(path, catalog=catalog)
    path.write_bytes(b"SQLite format 3\0" + bytes(100))
    with pytest.raises(SnapshotError, match="not an index snapshot"):
        snapshot.load(path, catalog=catalog)


def test_an_empty_matcher_round_trips(tmp_path: Path, catalog) -> None:
    path = tmp_path / "empty.idx"
    snapshot.save(Matcher(catalog), path, mark=0)
    loaded, mark = snapshot.load(path, catalog=catalog)
    assert (len(loaded), mark) == (0, 0)
    assert loaded.ask("anything at all") == []
    loaded.upsert(ClaimDoc(1, "Bridges will reopen in May."))
    assert loaded.ask("when will bridges reopen")[0].claim_id == 1
