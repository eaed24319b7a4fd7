"""Fixtures for the web adapter: the pages and the desk over a private copy of the seeded store,
driven through the ASGI interface in process (httpx's ASGI transport, the app's lifespan run)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from bot.web.app import build_web_app
from bot.web.auth import widget_hash
from claims.service import ClaimService
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from tests.bot.emulator import TOKEN
from tests.bot.harness import ADMIN_ID

BASE = "https://factcheck.example.org"


def login_query(user_id: int = ADMIN_ID, *, token: str = TOKEN, age: float = 5, **fields: str) -> str:
    """The query string the Telegram Login Widget sends, signed with ``token`` ``age`` seconds ago."""
    data = {"id": str(user_id), "first_name": "Alice", "username": "alice",
            "auth_date": str(int(time.time() - age)), **fields}
    data["hash"] = widget_hash(data, token)
    return urlencode(data)


@pytest.fixture
def web_settings(db_path: Path, tmp_path: Path) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{db_path}",
            "telegram_token": SecretStr(TOKEN),
            "admin_ids": frozenset({ADMIN_ID}),
            "config_dir": DEFAULT_CONFIG_DIR,
            "web_base_url": BASE,
            "index_dir": tmp_path / "index",
        }
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def claims(web_settings: Callable[..., Settings]) -> Iterator[ClaimService]:
    service = ClaimService.open(web_settings())
    yield service
    service.close()


@pytest.fixture
async def web_app(claims: ClaimService) -> AsyncIterator[Starlette]:
    app = build_web_app(claims, bot_username="claimbot_test_bot")
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(web_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client over the ASGI app, addressed over https (so cookies are Secure)."""
    transport = httpx.ASGITransport(app=web_app, client=("203.0.113.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
        yield c


@pytest.fixture
async def desk(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client signed in to the desk as the admin."""
    signed = await client.get(f"/auth/telegram?{login_query()}")
    assert signed.status_code == 303, signed.text
    return client
