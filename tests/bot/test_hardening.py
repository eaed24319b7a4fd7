"""The bot against careless operators and hostile users: 409 Conflict, credentials, huge ids, NUL."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.bot.emulator import Emulator
from tests.bot.harness import Person
from tests.bot.processes import claimbot_env, start_claimbot, stop_claimbot
from tests.bot.test_postgres import postgres_url  # noqa: F401  (the seeded PostgreSQL store)


def _env(emulator: Emulator, db_path: Path, **extra: str) -> dict[str, str]:
    return claimbot_env(emulator, f"sqlite:///{db_path}", **extra)

CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running")


@pytest.mark.slow
async def test_another_instance_polling_stops_the_bot_with_an_explanation(
    emulator: Emulator, db_path: Path, tmp_path: Path
) -> None:
    emulator.fail("getUpdates", 409, CONFLICT, times=None)
    log = tmp_path / "run.log"
    proc = await start_claimbot("run", env=_env(emulator, db_path), log=log)
    try:
        status = await asyncio.wait_for(proc.wait(), 60)
    finally:
        await stop_claimbot(proc)
    output = log.read_text()
    assert status == 1, output
    assert "409 Conflict: another process" in output and "Stopping" in output
    assert "unexpected error" not in output and "Traceback" not in output


@pytest.mark.slow
async def test_credentials_in_the_api_url_are_never_logged(
    emulator: Emulator, db_path: Path, tmp_path: Path
) -> None:
    with_credentials = emulator.url.replace("://", "://desk:s3cretpass@")
    log = tmp_path / "run.log"
    proc = await start_claimbot("-v", "run", env=_env(emulator, db_path,
                                                  CLAIMBOT_TELEGRAM_API_URL=with_credentials), log=log)
    try:
        api = emulator.api
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=60)
    finally:
        await stop_claimbot(proc)
    output = log.read_text()
    assert "Starting long polling against http://127.0.0.1" in output
    assert "s3cretpass" not in output and "desk:" not in output

    with socket.socket() as s:  # a Bot API that is not there: the error names it without secrets
        s.bind(("127.0.0.1", 0))
        dead = f"http://desk:s3cretpass@127.0.0.1:{s.getsockname()[1]}"
    log = tmp_path / "dead.log"
    proc = await start_claimbot("run", env=_env(emulator, db_path, CLAIMBOT_TELEGRAM_API_URL=dead), log=log)
    assert await asyncio.wait_for(proc.wait(), 60) == 1
    output = log.read_text()
    assert "Cannot reach the Bot API at http://127.0.0.1:" in output
    assert "s3cretpass" not in output


TOO_BIG = "2147483648"
COMMANDS = [
    (f"/claim {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/history {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/verdict {TOO_BIG} false", f"There is no claim #{TOO_BIG}"),
    (f"/edit {TOO_BIG} new words", f"There is no claim #{TOO_BIG}"),
    (f"/retract {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/merge {TOO_BIG} 2", f"There is no claim #{TOO_BIG}"),
    (f"/merge 2 {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/subscribe claim {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/unsubscribe claim {TOO_BIG}", f"There is no claim #{TOO_BIG}"),
    (f"/feeds remove {TOO_BIG}", f"There is no feed #{TOO_BIG}"),
]


@pytest.mark.postgres
async def test_ids_beyond_the_integer_range_on_postgres(
    start_bot: Callable[..., Any], postgres_url: str, admin: Person,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(database_url=postgres_url)
    for command, expected in COMMANDS:
        reply = await admin.say(command)
        assert expected in reply.text, (command, reply.text)
    assert "NumericValueOutOfRange" not in caplog.text and "unexpected error" not in caplog.text


@pytest.mark.postgres
async def test_nul_characters_never_reach_postgres(
    start_bot: Callable[..., Any], postgres_url: str, admin: Person, user: Person,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    await start_bot(database_url=postgres_url)
    assert "Greenland" in (await user.say("green\x00land")).text
    assert "Verdict recorded" in (await admin.say("/verdict 21 false Not\x00 true")).text
    await admin.say("/edit 22 Corrected\x00 words of the claim")
    assert "unexpected error" not in caplog.text
    engine = sa.create_engine(postgres_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("select verdict_note from claim where id = 21")).scalar() == "Not true"
        assert conn.execute(sa.text("select text from claim where id = 22")).scalar() == \
            "Corrected words of the claim"
        assert conn.execute(sa.text("select count(*) from questionlog where question = 'greenland'")
                            ).scalar() == 1
    engine.dispose()
