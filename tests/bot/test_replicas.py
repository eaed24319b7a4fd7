"""One truth across processes: a bot and the CLI, and two bots, on one store (SQLite and PostgreSQL).

Every process here is a real ``claimbot`` OS process (or the in-test user talking to one over the
emulator). Nothing tells a running bot about changes made elsewhere: it must find them in the
revision log within its catch-up interval (0.5 s here; 2 s by default), well inside the 5 s target.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.bot.emulator import Emulator
from tests.bot.harness import ADMIN_ID, GOLD, Person
from tests.bot.processes import claimbot_env, run_claimbot, start_claimbot, stop_claimbot

CATCH_UP = {"CLAIMBOT_INDEX_CATCH_UP_SECONDS": "0.5"}
TARGET_SECONDS = 5.0


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, db_path: Path) -> str:
    """The seeded store every process shares."""
    if request.param == "sqlite":
        return f"sqlite:///{db_path}"
    return str(request.getfixturevalue("seeded_postgres_url"))


async def _answer_within(person: Person, question: str, *, has: str | None = None, lacks: str | None = None,
                         within: float = TARGET_SECONDS) -> float:
    """Ask until the answer has (or lacks) a phrase; how long that took. Each ask is a full round
    trip through the bot, so this waits on events, never on a sleep. (Ask as an admin: flood
    control would rightly silence a user asking this often.)"""
    start = time.monotonic()
    while True:
        text = (await person.say(question)).text
        if (has is None or has in text) and (lacks is None or lacks not in text):
            return time.monotonic() - start
        assert time.monotonic() - start < within, f"still not seen after {within} s: {text[:200]}"


async def _running_bot(emulator: Emulator, store_url: str, log: Path):  # type: ignore[no-untyped-def]
    proc = await start_claimbot("run", env=claimbot_env(emulator, store_url, **CATCH_UP), log=log)
    api = emulator.api
    await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=60)
    return proc


@pytest.mark.slow
async def test_cli_ingest_beside_a_running_bot(emulator: Emulator, store_url: str, tmp_path: Path,
                                               admin: Person) -> None:
    bot = await _running_bot(emulator, store_url, tmp_path / "bot.log")
    try:
        question = "Bill Clinton: the health law is the craziest thing in the world"
        assert "I have no claim" in (await admin.say(question)).text
        status = await run_claimbot("ingest", str(GOLD / "clintons_health.txt"), "--url",
                                    "https://news.example/clintons", env=claimbot_env(None, store_url),
                                    log=tmp_path / "cli.log")
        assert status == 0, (tmp_path / "cli.log").read_text()
        took = await _answer_within(admin, question, has="craziest thing")
        assert took < TARGET_SECONDS
    finally:
        assert await stop_claimbot(bot) == 0, (tmp_path / "bot.log").read_text()


@pytest.mark.slow
async def test_a_retraction_on_one_replica_leaves_the_other_within_seconds(
    store_url: str, tmp_path: Path
) -> None:
    one, two = await Emulator().start(), await Emulator().start()
    first = await _running_bot(one, store_url, tmp_path / "one.log")
    second = await _running_bot(two, store_url, tmp_path / "two.log")
    try:
        admin = Person(one.api, ADMIN_ID, "Alice")
        reader = Person(two.api, ADMIN_ID, "Alice")  # the admin, reading on the other replica
        question = "Greenland is not a real estate deal"
        shown = await reader.say(question)
        assert question in shown.text
        claim_id = next(b["text"] for b in shown.buttons() if b["text"].startswith("History #"))[9:]
        assert "Retracted" in (await admin.say(f"/retract {claim_id} duplicate")).text
        took = await _answer_within(reader, question, lacks=question)
        assert took < TARGET_SECONDS
    finally:
        statuses = [await stop_claimbot(first), await stop_claimbot(second)]
        await one.stop()
        await two.stop()
    assert statuses == [0, 0], (tmp_path / "one.log").read_text() + (tmp_path / "two.log").read_text()
