"""PTB's request layer served by a ``FakeBotApi`` in this process: no sockets, same semantics.

Why it exists: the offline console must reach the fake the way the bot reaches Telegram, through
PTB's request layer (the bot's only seam to Telegram), without opening a port.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram.request import BaseRequest, RequestData

from bot.fakeapi.api import FakeBotApi
from bot.fakeapi.errors import ApiError


class InProcessRequest(BaseRequest):
    """PTB's request layer served by a ``FakeBotApi`` in this process: no sockets, same semantics."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        path = unquote(urlsplit(url).path)
        if m := re.search(r"/file/bot([^/]+)/(.+)$", path):
            content = self.api.file_content(m.group(1), m.group(2))
            if content is None:
                return 404, json.dumps(ApiError(404, "Not Found").payload()).encode()
            return 200, content
        m = re.search(r"/bot([^/]+)/(\w+)$", path)
        if m is None:
            return 404, json.dumps(ApiError(404, "Not Found").payload()).encode()
        params = request_data.parameters if request_data else {}
        status, body = await self.api.handle(m.group(1), m.group(2), params)
        return status, json.dumps(body).encode()
