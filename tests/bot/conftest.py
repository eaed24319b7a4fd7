"""Fixtures for end-to-end bot tests: the HTTP emulator, a seeded store, and the real Application.

Every test talks to the bot the way Telegram would: the emulator holds the updates, the bot polls
them over HTTP on loopback, and tests assert on what the emulator received. Waiting is always on an
event (``FakeBotApi.wait_until``) with a timeout, never a sleep.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.context import FloodControl
from bot.delivery import DigestConfig
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from tests.bot.emulator import TOKEN, Emulator
from tests.bot.harness import ADMIN_ID, USER_ID, Person, RunningBot, seed_store
from tests.conftest import postgres_rows, restore_postgres


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    seed_store(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def seeded_postgres_rows(postgres_migrated: str) -> dict[str, list[dict]]:
    """The seeded store's rows on PostgreSQL, seeded once per run."""
    restore_postgres(postgres_migrated, {})  # emptied, at the current revision
    seed_store(postgres_migrated)
    return postgres_rows(postgres_migrated)


@pytest.fixture
def seeded_postgres_url(postgres_migrated: str, seeded_postgres_rows: dict[str, list[dict]]) -> str:
    """The PostgreSQL test schema holding exactly the seeded store (restored from its rows, which
    beats migrating and ingesting again for every test)."""
    restore_postgres(postgres_migrated, seeded_postgres_rows)
    return postgres_migrated


@pytest.fixture
def db_path(tmp_path: Path, seeded_template: Path) -> Path:
    """A private copy of the seeded store (copying beats re-ingesting for every test)."""
    path = tmp_path / "bot.db"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emu = await Emulator().start()
    yield emu
    await emu.stop()


@pytest.fixture
def make_settings(emulator: Emulator, db_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{db_path}",
            "telegram_token": SecretStr(TOKEN),
            "telegram_api_url": emulator.url,
            "admin_ids": frozenset({ADMIN_ID}),
            "config_dir": DEFAULT_CONFIG_DIR,
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
async def start_bot(make_settings: Callable[..., Settings]) -> AsyncIterator[Callable[..., Any]]:
    """Start bots with chosen settings; every one started is stopped after the test."""
    running: list[RunningBot] = []

    async def start(*, flood: FloodControl | None = None, crowd: FloodControl | None = None,
                    rate_limiter: bool = True, digests: DigestConfig | None = None,
                    **overrides: Any) -> RunningBot:
        bot = await RunningBot(make_settings(**overrides), flood=flood, crowd=crowd,
                               rate_limiter=rate_limiter, digests=digests).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        await bot.stop()


@pytest.fixture
async def bot(start_bot: Callable[..., Any]) -> RunningBot:
    return await start_bot()


@pytest.fixture
def admin(emulator: Emulator) -> Person:
    return Person(emulator.api, ADMIN_ID, "Alice")


@pytest.fixture
def user(emulator: Emulator) -> Person:
    return Person(emulator.api, USER_ID, "Bob")
