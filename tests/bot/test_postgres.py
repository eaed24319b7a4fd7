"""The bot on PostgreSQL: the same end-to-end path as on SQLite (questions, changes, stats)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.bot.harness import Person

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_url(seeded_postgres_url: str) -> str:
    return seeded_postgres_url


async def test_bot_on_postgres(start_bot: Callable[..., Any], postgres_url: str, user: Person,
                               admin: Person) -> None:
    await start_bot(database_url=postgres_url)
    assert "Greenland is not a real estate deal" in (await user.say("greenland")).text
    assert "Verdict recorded" in (await admin.say("/verdict 21 accurate")).text
    assert "Retracted" in (await admin.say("/retract 22")).text
    stats = await admin.say("/stats")
    assert "Claims: 27 (26 active)" in stats.text
    assert "1 answered" in stats.text
    history = await user.say("/history 21")
    assert "verdict by Alice" in history.text
