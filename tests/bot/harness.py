"""Helpers for end-to-end bot tests: constants, a seeded store, the running bot, simulated people."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.app import build_application
from bot.context import ClaimApp, FloodControl
from bot.delivery import DigestConfig
from bot.fakeapi.api import FakeBotApi
from bot.fakeapi.methods import Sent
from bot.run import ALLOWED_UPDATES
from claims.catalog import load_catalog
from claims.ingest.pipeline import ingest_article
from claims.ingest.sources import load_file
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from claims.store import db

ADMIN_ID = 1111
USER_ID = 2222
GROUP_ID = -100_000_000_0042
GOLD = Path(__file__).resolve().parents[1] / "claims" / "gold"
ARTICLES = ("wire_tariffs.txt", "interview_frederiksen.txt")


def seed_store(url: str) -> None:
    """Two articles from the extraction gold set: 27 claims on tariffs, Greenland and NATO."""
    engine = db.make_engine(url)
    db.upgrade(engine)
    catalog = load_catalog(DEFAULT_CONFIG_DIR)
    for name in ARTICLES:
        article = load_file(GOLD / name, canonical_url=f"https://news.example/{name}")
        with db.session_scope(engine) as session:
            ingest_article(article, session=session, catalog=catalog)
    engine.dispose()


class RunningBot:
    """The real Application, started by hand exactly as ``run_polling`` would start it."""

    def __init__(self, settings: Settings, *, flood: FloodControl | None = None,
                 crowd: FloodControl | None = None, rate_limiter: bool = True,
                 digests: DigestConfig | None = None) -> None:
        self.app: ClaimApp = build_application(settings, flood=flood, crowd=crowd, rate_limiter=rate_limiter,
                                               digests=digests)

    async def start(self) -> RunningBot:
        await self.app.initialize()
        assert self.app.post_init is not None
        await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        return self

    async def stop(self) -> None:
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        assert self.app.post_shutdown is not None
        await self.app.post_shutdown(self.app)


class Person:
    """A Telegram user in a chat with the bot: sends things and waits for the bot's messages."""

    def __init__(self, api: FakeBotApi, user_id: int, name: str, *, chat_id: int | None = None) -> None:
        self.api = api
        self.user = api.add_user(user_id, name, username=name.lower())
        self.chat_id = chat_id if chat_id is not None else user_id
        self.last: dict[str, Any] | None = None

    def in_group(self, chat_id: int) -> Person:
        other = Person.__new__(Person)
        other.api, other.user, other.chat_id, other.last = self.api, self.user, chat_id, None
        return other

    def _mine(self, start: int) -> list[Sent]:
        return [s for s in self.api.sent[start:] if s.chat_id == self.chat_id]

    async def says(self, text: str | None = None, *, count: int = 1, within: float = 10.0,
                   **kwargs: Any) -> list[Sent]:
        """Send a message and return the bot's next ``count`` messages in this chat."""
        start = len(self.api.sent)
        self.last = self.api.user_sends(self.user, text, chat_id=self.chat_id, **kwargs)
        return await self.api.wait_until(lambda: (got := self._mine(start)) and len(got) >= count and got,
                                         within)

    async def say(self, text: str | None = None, **kwargs: Any) -> Sent:
        """Send a message and return the bot's (first) reply."""
        return (await self.says(text, **kwargs))[0]

    async def says_nothing_to(self, text: str, **kwargs: Any) -> None:
        """Send something the bot must ignore; proven by a later /help being the next reply."""
        start = len(self.api.sent)
        self.api.user_sends(self.user, text, chat_id=self.chat_id, **kwargs)
        marker = await self.say("/help")
        assert "Commands" in marker.text
        assert [s for s in self._mine(start) if s is not marker] == []

    async def inline(self, query: str, *, offset: str = "", within: float = 10.0) -> dict[str, Any]:
        """Type ``@bot query`` and return the bot's answerInlineQuery (results, cache_time, ...)."""
        query_id = self.api.inline_query(self.user, query, offset=offset)
        return await self.api.wait_until(lambda: self.api.inline_answers.get(query_id), within)

    async def press(self, message: Sent, data: str, *, within: float = 10.0) -> dict[str, Any]:
        """Press a button; returns the callback answer once the bot has given it."""
        query_id = self.api.press(self.user, message, data)
        return await self.api.wait_until(lambda: self.api.callback_answers.get(query_id), within)


def button(message: Sent, text_starts: str) -> str:
    """The callback data of the first button whose label starts with ``text_starts``."""
    for b in message.buttons():
        if b["text"].startswith(text_starts):
            return str(b["callback_data"])
    raise AssertionError(f"no button {text_starts!r} in {[b['text'] for b in message.buttons()]}")
