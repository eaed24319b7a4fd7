"""A Telegram Bot API emulator on loopback, for tests and benchmarks that go over real HTTP.

The Bot API itself is ``bot.fakeapi.FakeBotApi`` (it rejects what Telegram rejects); this module
serves it with tornado (already installed with PTB's webhooks extra) at
``http://127.0.0.1:PORT/bot<token>/<method>`` and ``/file/bot<token>/<path>``, delivers updates to a
webhook when one is set (with the secret-token header), serves test articles under ``/articles/``,
and injects faults: 403 (bot blocked), 429 with retry_after, any 400.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Any

import httpx
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, RequestHandler

from bot.fakeapi.api import FakeBotApi
from bot.fakeapi.errors import ApiError, Fault

logging.getLogger("tornado.access").setLevel(logging.ERROR)  # 4xx answers are the point here
TOKEN = "123456789:AAEmulatorTokenForTests_abcdefghijklm"


class _ApiHandler(RequestHandler):
    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._task: asyncio.Task[tuple[int, dict[str, Any]]] | None = None

    def _params(self) -> dict[str, Any]:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            body = json.loads(self.request.body or b"{}")
            return body if isinstance(body, dict) else {}
        params: dict[str, Any] = {k: v[-1].decode() for k, v in self.request.query_arguments.items()}
        params.update({k: v[-1].decode() for k, v in self.request.body_arguments.items()})
        return params

    async def _serve(self, token: str, method: str) -> None:
        self.emulator.requests += 1
        self._task = asyncio.ensure_future(self.emulator.api.handle(token, method, self._params()))
        try:
            status, body = await self._task
        except asyncio.CancelledError:
            return  # the client went away (PTB cancels its long poll on shutdown)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def on_connection_close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def post(self, token: str, method: str) -> None:
        await self._serve(token, method)

    async def get(self, token: str, method: str) -> None:
        await self._serve(token, method)


class _FileHandler(RequestHandler):
    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def get(self, token: str, path: str) -> None:
        content = self.emulator.api.file_content(token, path)
        if content is None:
            self.set_status(404)
            self.finish(json.dumps(ApiError(404, "Not Found").payload()))
            return
        self.finish(content)


class _ArticleHandler(RequestHandler):
    def initialize(self, emulator: Emulator) -> None:
        self.emulator = emulator

    def get(self, name: str) -> None:
        self.emulator.article_requests.append(name)
        if name not in self.emulator.articles:
            self.set_status(404)
            self.finish("not found")
            return
        content_type, body = self.emulator.articles[name]
        self.set_header("Content-Type", content_type)
        self.finish(body)


class Emulator:
    """The HTTP server around a ``FakeBotApi``; start and stop it inside the test's event loop."""

    def __init__(self, token: str = TOKEN) -> None:
        self.api = FakeBotApi(token)
        self.articles: dict[str, tuple[str, bytes]] = {}
        self.article_requests: list[str] = []  # names asked for under /articles/, in order
        self.webhook_posts: list[int] = []  # HTTP statuses the bot's webhook answered
        self.requests = 0
        self.port = 0
        self._server: HTTPServer | None = None
        self._delivery: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> Emulator:
        app = Application([
            (r"/bot([^/]+)/(\w+)", _ApiHandler, {"emulator": self}),
            (r"/file/bot([^/]+)/(.+)", _FileHandler, {"emulator": self}),
            (r"/articles/(.+)", _ArticleHandler, {"emulator": self}),
        ])
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(app)
        self._server.add_sockets(sockets)
        self._delivery = asyncio.ensure_future(self._deliver_to_webhook())
        return self

    async def stop(self) -> None:
        self._stopping.set()
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    # -- faults ---------------------------------------------------------------------------------

    def fail(self, method: str, code: int, description: str, *, chat_id: int | None = None,
             retry_after: int | None = None, times: int | None = 1) -> Fault:
        fault = Fault(method, ApiError(code, description, retry_after=retry_after), chat_id, times)
        self.api.faults.append(fault)
        return fault

    def block(self, chat_id: int) -> Fault:
        """The user blocked the bot: every message to them is refused with 403 until unblocked."""
        return self.fail("sendMessage", 403, "Forbidden: bot was blocked by the user",
                         chat_id=chat_id, times=None)

    def unblock(self, fault: Fault) -> None:
        self.api.faults.remove(fault)

    # -- webhook --------------------------------------------------------------------------------

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates one by one to the webhook, as Telegram does, until each gets a 2xx."""
        async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
            while not self._stopping.is_set():
                await self.api.wait_until(lambda: self.api.webhook and self.api.updates, within=3600)
                hook = self.api.webhook
                update = self.api.updates[0]
                headers = {}
                if hook and hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                try:
                    resp = await client.post(hook["url"] if hook else "", json=update, headers=headers)
                    status = resp.status_code
                except httpx.HTTPError:
                    status = 0
                self.webhook_posts.append(status)
                if 200 <= status < 300:
                    self.api.confirm(update["update_id"] + 1)
                else:  # the bot is not listening yet or refused: try again shortly
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), 0.05)
