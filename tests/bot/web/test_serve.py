"""``claimbot web`` and ``claimbot run --web`` as real processes: the pages on loopback, and the bot's
webhook beside them on one port, stopped with SIGTERM."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from bot.run import webhook_secret
from tests.bot.emulator import TOKEN, Emulator
from tests.bot.harness import Person
from tests.bot.processes import claimbot_env, run_claimbot, start_claimbot, stop_claimbot
from tests.bot.test_run import _free_port

SECRET_PART = TOKEN.split(":", 1)[1]
pytestmark = pytest.mark.slow


async def _get(url: str, within: float = 60) -> httpx.Response:
    """GET once the server listens: connection refusals are retried until ``within`` runs out."""
    async with httpx.AsyncClient(trust_env=False, timeout=10,
                                 transport=httpx.AsyncHTTPTransport(retries=int(within * 4))) as client:
        return await client.get(url)


async def test_claimbot_web_serves_the_pages(emulator: Emulator, db_path: Path, tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "web.log"
    env = claimbot_env(emulator, f"sqlite:///{db_path}", CLAIMBOT_WEB_BASE_URL="https://fc.example.org/")
    proc = await start_claimbot("-v", "web", "--port", str(port), env=env, log=log)
    try:
        page = await _get(f"http://127.0.0.1:{port}/claims/21")
        assert page.status_code == 200
        assert '<link rel="canonical" href="https://fc.example.org/claims/21">' in page.text
        login = await _get(f"http://127.0.0.1:{port}/auth/login")
        assert 'data-telegram-login="claimbot_test_bot"' in login.text  # asked getMe at start
    finally:
        status = await stop_claimbot(proc)
    output = log.read_text()
    assert status == 0, output
    assert SECRET_PART not in output
    assert "Traceback" not in output


async def test_run_web_serves_the_webhook_and_the_pages_on_one_port(
        emulator: Emulator, db_path: Path, tmp_path: Path, user: Person) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    log = tmp_path / "run-web.log"
    env = claimbot_env(emulator, f"sqlite:///{db_path}", CLAIMBOT_WEB_BASE_URL=f"http://127.0.0.1:{port}")
    proc = await start_claimbot("run", "--web", "--webhook", url, "--port", str(port), env=env, log=log)
    try:
        api = emulator.api
        await api.wait_until(lambda: api.webhook is not None, within=60)
        assert api.webhook is not None and api.webhook["secret_token"] == webhook_secret(TOKEN)
        answer = await user.say("/claim 21")
        assert f"Fact check: http://127.0.0.1:{port}/claims/21" in answer.text
        page = await _get(f"http://127.0.0.1:{port}/claims/21")
        assert "Greenland is not a real estate deal" in page.text
        async with httpx.AsyncClient(trust_env=False) as client:
            forged = await client.post(url, json={"update_id": 1},
                                       headers={"X-Telegram-Bot-Api-Secret-Token": "x"})
        assert forged.status_code == 403
    finally:
        status = await stop_claimbot(proc)
    output = log.read_text()
    assert status == 0, output
    assert SECRET_PART not in output


async def test_run_web_refuses_a_webhook_path_the_pages_use(emulator: Emulator, db_path: Path,
                                                             tmp_path: Path) -> None:
    log = tmp_path / "refused.log"
    env = claimbot_env(emulator, f"sqlite:///{db_path}")
    status = await run_claimbot("run", "--web", "--webhook", "https://bot.example.org/claims", env=env,
                                log=log)
    assert status == 1
    assert "needs a path of its own" in log.read_text()
    status = await run_claimbot("run", "--web", env=env, log=log)
    assert status == 1
    assert "give --webhook URL too" in log.read_text()
