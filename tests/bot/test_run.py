"""``claimbot run`` as a real process against the emulator: polling, webhook, restarts, bad tokens."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.run import webhook_secret
from tests.bot.emulator import TOKEN, Emulator
from tests.bot.harness import ADMIN_ID, Person, button
from tests.bot.processes import claimbot_env, start_claimbot, stop_claimbot

SECRET_PART = TOKEN.split(":", 1)[1]


def _env(emulator: Emulator, db_path: Path, **extra: str) -> dict[str, str]:
    return claimbot_env(emulator, f"sqlite:///{db_path}", **extra)


@pytest.mark.slow
async def test_run_polling_in_a_subprocess_then_restart_on_the_same_database(
    emulator: Emulator, db_path: Path, tmp_path: Path, admin: Person, user: Person,
    start_bot: Callable[..., Any],
) -> None:
    api = emulator.api
    api.add_user(ADMIN_ID, "Alice")
    log = tmp_path / "run.log"
    proc = await start_claimbot("-v", "run", env=_env(emulator, db_path), log=log)
    try:
        await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls), within=60)
        assert "verdict" in api.commands_for(ADMIN_ID)
        answer = await user.say("what did von der leyen say about tariffs")
        assert "Tariffs are taxes" in answer.text
        assert "Verdict recorded" in (await admin.say("/verdict 2 false")).text
    finally:
        status = await stop_claimbot(proc)
    output = log.read_text()
    assert status == 0, output
    assert "claimbot is up as @claimbot_test_bot" in output
    assert SECRET_PART not in output  # -v logs every request; none may show the token
    assert "Traceback" not in output

    # Restart (in process this time) on the same database: everything persisted.
    await start_bot()
    assert "Verdict: ❌ false" in (await user.say("/claim 2")).text
    stats = await admin.say("/stats")
    assert "1 answered" in stats.text
    # A button sent by the first process still works: its signature survives restarts.
    pressed = await user.press(answer, button(answer, "History #2"))
    assert pressed["text"] is None
    assert "History of claim #2" in api.sent[-1].text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
async def test_run_webhook_checks_the_secret_token(emulator: Emulator, db_path: Path, tmp_path: Path,
                                                   user: Person) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    log = tmp_path / "webhook.log"
    proc = await start_claimbot("run", "--webhook", url, "--port", str(port), env=_env(emulator, db_path),
                                log=log)
    try:
        api = emulator.api
        await api.wait_until(lambda: api.webhook is not None, within=60)
        assert api.webhook == {"url": url, "secret_token": webhook_secret(TOKEN),
                               "allowed_updates": ["message", "callback_query", "inline_query"]}
        answer = await user.say("greenland")
        assert "Greenland is not a real estate deal" in answer.text
        assert 200 in emulator.webhook_posts
        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/stats",
                                                "chat": {"id": 5, "type": "private"}}}
        async with httpx.AsyncClient(trust_env=False) as client:
            missing = await client.post(url, json=forged)
            wrong = await client.post(url, json=forged, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
        assert missing.status_code == 403
        assert wrong.status_code == 403
    finally:
        status = await stop_claimbot(proc)
    output = log.read_text()
    assert status == 0, output
    assert SECRET_PART not in output


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("", "error: No Telegram bot token: set CLAIMBOT_TELEGRAM_TOKEN"),
        ("not-a-token", "error: CLAIMBOT_TELEGRAM_TOKEN does not look like a bot token"),
        ("987654321:AAWrongTokenButWellFormed_abcdefghijk", "rejected the bot token"),
    ],
    ids=["missing", "malformed", "rejected"],
)
async def test_bad_tokens_give_one_line_and_exit_1(emulator: Emulator, db_path: Path, tmp_path: Path,
                                                   token: str, expected: str) -> None:
    log = tmp_path / "bad.log"
    proc = await start_claimbot("run", env=_env(emulator, db_path, CLAIMBOT_TELEGRAM_TOKEN=token), log=log)
    status = await asyncio.wait_for(proc.wait(), 60)
    lines = [line for line in log.read_text().splitlines() if not line.endswith("Starting long polling "
                                                                                 f"against {emulator.url}")]
    assert status == 1
    assert len(lines) == 1, lines
    assert expected in lines[0]
    if token:
        assert token.split(":")[-1] not in lines[0]
