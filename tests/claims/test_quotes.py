"""Curly and straight quotes work alike in every command (issue 23, finding 6).

``/subscribe "Zelenskyy’s truce"`` used to answer "Unknown schedule 's'": the apostrophe closed the
quote. A quoted phrase now ends at a quote of its opening kind (an apostrophe inside a word never
closes), and names in /speaker, /topic and /claims may be quoted in any style."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from claims.catalog import Catalog
from claims.follow.schedule import DEFAULT_SCHEDULE, Schedule, ScheduleKind
from claims.follow.targets import parse_subscribe_args
from claims.ingest.sources import load_file
from claims.normalize import split_quoted, unquote
from claims.service import ClaimService
from claims.service.editorial import split_command
from claims.settings import Settings
from claims.store.history import Actor

GOLD = Path(__file__).resolve().parent / "gold"
PAIRS = [('"', '"'), ("“", "”"), ("„", "“"), ("«", "»"), ("”", "”"), ("'", "'"), ("‘", "’"), ("‹", "›")]
PHRASES = ["Zelenskyy’s truce", "Zelenskyy's truce", "O'Brien’s plan", "truce"]


@pytest.mark.parametrize(("opening", "closing"), PAIRS)
@pytest.mark.parametrize("phrase", PHRASES)
def test_a_quoted_phrase_is_whole_in_every_quote_style(opening: str, closing: str, phrase: str) -> None:
    assert split_quoted(f"{opening}{phrase}{closing} weekly mon 9:00") == (phrase, "weekly mon 9:00")
    assert split_quoted(f"{opening}{phrase}{closing}") == (phrase, "")
    assert parse_subscribe_args(f"{opening}{phrase}{closing} hourly") == (
        f'"{phrase}"', Schedule(ScheduleKind.HOURLY, 8, 0))
    assert unquote(f"{opening}{phrase}{closing}") == phrase


def test_the_reported_saved_search() -> None:
    assert parse_subscribe_args('"Zelenskyy’s truce"') == ('"Zelenskyy’s truce"', DEFAULT_SCHEDULE)
    assert parse_subscribe_args("“Zelenskyy’s truce” daily 7:30") == (
        '"Zelenskyy’s truce"', Schedule(ScheduleKind.DAILY, 7, 30))


@pytest.mark.parametrize("text", ["Zelenskyy’s truce", "'tis", "rock ’n’ roll", '"unclosed', "’s"])
def test_words_with_apostrophes_are_not_quotes(text: str) -> None:
    assert split_quoted(text) is None
    assert unquote(text) == text


@pytest.mark.parametrize(("text", "names"), [
    ("“Donald Trump” to ‘Donald J. Trump’", ("Donald Trump", "Donald J. Trump")),
    ('"Donald Trump" to "Donald J. Trump"', ("Donald Trump", "Donald J. Trump")),
    ("«O'Brien» to „Conan O’Brien“", ("O'Brien", "Conan O’Brien")),
    ("Trump to Donald J. Trump", ("Trump", "Donald J. Trump")),
])
def test_names_in_editorial_commands_may_be_quoted_any_way(text: str, names: tuple[str, str]) -> None:
    assert split_command(text, separator="to", usage="usage") == names


def test_claims_of_a_quoted_speaker_in_any_style(sqlite_engine: Engine, catalog: Catalog,
                                                 tmp_path: Path) -> None:
    settings = Settings(database_url=str(sqlite_engine.url), index_dir=tmp_path)
    service = ClaimService(settings, sqlite_engine, catalog)
    service.ingest(load_file(GOLD / "wire_tariffs.txt", canonical_url="https://x.example/w"))
    plain = service.browse("von der Leyen", limit=5)
    assert plain.views and plain.label
    for quoted in ('"von der Leyen"', "“von der Leyen”", "‘von der Leyen’", "«von der Leyen»"):
        assert service.browse(quoted, limit=5) == plain, quoted
    result = service.speaker_command("rename", "“von der Leyen” to ‘Ursula von der Leyen (EC)’",
                                     actor=Actor(id=1, name="Desk"))
    assert "→ Ursula von der Leyen (EC)" in result.message
