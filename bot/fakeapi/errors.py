"""The Bot API's error replies, and the faults tests inject in their place.

Why it exists: every part of the fake answers errors the way Telegram does (HTTP status,
``description``, optional ``parameters`` such as ``retry_after``), and tests make it answer 403, 429
or 400 on purpose; both shapes are shared by the methods, the HTML check and the request layer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """A Bot API error reply: HTTP status, Telegram's description and optional parameters."""

    def __init__(
        self, code: int, description: str, *, retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        params: dict[str, int] = {}
        if self.retry_after is not None:
            params["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            params["migrate_to_chat_id"] = self.migrate_to_chat_id
        if params:
            body["parameters"] = params
        return body


def bad_request(what: str) -> ApiError:
    """Telegram's 400 reply, worded as it words them ("Bad Request: chat not found")."""
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class Fault:
    """An error to answer instead of serving a call (tests inject 403, 429 and 400 this way)."""

    method: str
    error: ApiError
    chat_id: int | None = None
    times: int | None = 1  # None: until removed

    def matches(self, method: str, params: Mapping[str, Any]) -> bool:
        if self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)

