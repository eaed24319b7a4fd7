"""The Bot API's state and its users: chats, messages, pending updates, and the people who cause them.

Why it exists: the Bot API is a server with state (chats and their messages, the update queue,
commands, the webhook, files), and tests need the other side of the conversation too.
``FakeBotApi`` keeps that state, serves calls (``handle``/``call``, with injected faults) from the
method table in :mod:`bot.fakeapi.methods`, and plays the users: ``user_sends`` and ``press`` create
the updates a person would cause, and ``wait_until`` lets a caller wait for the bot's reaction
without sleeping.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.fakeapi.errors import ApiError, Fault
from bot.fakeapi.methods import METHODS, Sent, visible_text
from bot.fakeapi.text import utf16_len
from bot.fakeapi.throttle import Throttle

TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,}$")
_MENTION = re.compile(r"@[A-Za-z][A-Za-z0-9_]{2,31}")


def _entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram marks in a user's text: a leading /command and @mentions."""
    found: list[dict[str, Any]] = []
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
    skip = found[0]["length"] if found else 0
    for m in _MENTION.finditer(text):
        if utf16_len(text[: m.start()]) < skip:
            continue  # the @bot in /command@bot belongs to the command
        found.append({"type": "mention", "offset": utf16_len(text[: m.start()]),
                      "length": utf16_len(m.group(0))})
    return found


def _text_links(text: str, links: Mapping[str, str] | None) -> list[dict[str, Any]]:
    """``text_link`` entities hiding each URL behind the first occurrence of its words."""
    found = []
    for words, url in (links or {}).items():
        at = text.find(words)
        if at >= 0:
            found.append({"type": "text_link", "offset": utf16_len(text[:at]), "length": utf16_len(words),
                          "url": url})
    return found


def _legacy_origin(origin: Mapping[str, Any], date: int) -> dict[str, Any]:
    """A Bot API 7 ``MessageOrigin`` as the fields servers sent before it (``forward_from`` & co.)."""
    fields: dict[str, Any] = {"forward_date": origin.get("date", date)}
    if origin["type"] == "user":
        fields["forward_from"] = origin["sender_user"]
    elif origin["type"] == "hidden_user":
        fields["forward_sender_name"] = origin["sender_user_name"]
    else:  # channel or chat
        fields["forward_from_chat"] = origin.get("chat") or origin.get("sender_chat")
        if "message_id" in origin:
            fields["forward_from_message_id"] = origin["message_id"]
    return fields


def _message_chat(method: str, params: Mapping[str, Any]) -> int | None:
    """The chat a new message goes to (what the throttle counts), or None for other calls."""
    if method.lower() != "sendmessage":
        return None
    try:
        return int(params.get("chat_id", ""))
    except (TypeError, ValueError):
        return None  # the method itself answers Telegram's error for it


@dataclass
class FakeBotApi:
    """The Bot API's state: chats, messages, pending updates, commands, webhook, files."""

    token: str
    username: str = "claimbot_test_bot"
    first_name: str = "Claimbot"
    chats: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    messages: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    commands: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    callback_answers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    webhook: dict[str, Any] | None = None
    faults: list[Fault] = field(default_factory=list)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    on_update: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    group_admins: dict[int, set[int]] = field(default_factory=dict)
    inline_answers: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    throttle: Throttle | None = None
    """Telegram's rate limits, enforced with 429s when set (benchmarks of sending set it)."""

    def __post_init__(self) -> None:
        self.bot_user: dict[str, Any] = {
            "id": int(self.token.split(":", 1)[0]), "is_bot": True, "first_name": self.first_name,
            "username": self.username, "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": True,
        }
        self._update_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._callback_ids = itertools.count(1)
        self._inline_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._waiters: list[asyncio.Future[None]] = []

    # -- serving requests ------------------------------------------------------------------------

    async def handle(self, token: str, method: str, params: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
        """Serve one call the way the Bot API answers it: HTTP status and JSON body."""
        try:
            if not TOKEN_PATTERN.match(token):
                raise ApiError(404, "Not Found")
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            result = await self.call(method, params)
        except ApiError as exc:
            return exc.code, exc.payload()
        return 200, {"ok": True, "result": result}

    async def call(self, method: str, params: Mapping[str, Any]) -> Any:
        """Run one Bot API method, or raise the ``ApiError`` Telegram would answer."""
        serve = METHODS.get(method.lower())
        if serve is None:
            raise ApiError(404, "Not Found")
        params = dict(params)
        self.calls.append((method, params))
        self._changed()
        for fault in list(self.faults):
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                raise fault.error
        throttle, chat_id = self.throttle, _message_chat(method, params)
        wait = throttle.retry_after(chat_id) if throttle is not None and chat_id is not None else None
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        result = serve(self, params)
        if asyncio.iscoroutine(result):
            result = await result
        if throttle is not None and chat_id is not None:
            throttle.record(chat_id)
        self._changed()
        return result

    def file_content(self, token: str, path: str) -> bytes | None:
        if token != self.token:
            return None
        for name, raw in self.files.values():
            if name == path:
                return raw
        return None

    # -- playing the users -----------------------------------------------------------------------

    def add_user(self, user_id: int, first_name: str = "Test", *, username: str | None = None,
                 language_code: str = "en") -> dict[str, Any]:
        user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        if username:
            user["username"] = username
        self.users[user_id] = user
        self.chats.setdefault(user_id, {"id": user_id, "type": "private", "first_name": first_name})
        return user

    def add_group(self, chat_id: int, title: str = "Newsroom", *, admins: Iterable[int] = ()
                  ) -> dict[str, Any]:
        chat = {"id": chat_id, "type": "supergroup" if chat_id < -10**12 else "group", "title": title}
        self.chats[chat_id] = chat
        self.group_admins[chat_id] = set(admins)
        return chat

    def user_sends(
        self,
        user: dict[str, Any],
        text: str | None = None,
        *,
        chat_id: int | None = None,
        reply_to: dict[str, Any] | Sent | None = None,
        document: tuple[str, bytes] | None = None,
        caption: str | None = None,
        photo: bool = False,
        forward: dict[str, Any] | None = None,
        legacy_forward: bool = False,
        links: Mapping[str, str] | None = None,
        via_bot: bool = False,
    ) -> dict[str, Any]:
        """A user's message and its update: text, or a document as (file name, bytes), or a photo,
        each with an optional caption.

        ``forward`` makes it a forwarded message, given as a Bot API 7 ``MessageOrigin``
        (``{"type": "channel", "chat": ..., "message_id": ...}``, ``{"type": "user", "sender_user":
        ...}``, ``{"type": "hidden_user", "sender_user_name": ...}``); ``legacy_forward`` sends it
        the way servers before Bot API 7 did (``forward_from``, ``forward_from_chat``,
        ``forward_sender_name``, ``forward_date``). ``links`` hides URLs behind words of the text
        (``text_link`` entities), ``via_bot`` marks a message sent through the bot's inline mode.
        """
        chat = self.chats[chat_id if chat_id is not None else user["id"]]
        msg = self.new_message(chat, user)
        if text is not None:
            msg["text"] = text
            if entities := _entities(text) + _text_links(text, links):
                msg["entities"] = entities
        if forward is not None:
            msg.update(_legacy_origin(forward, msg["date"]) if legacy_forward else
                       {"forward_origin": {"date": msg["date"], **forward}})
        if via_bot:
            msg["via_bot"] = self.bot_user
        if photo:
            number = next(self._file_ids)
            msg["photo"] = [{"file_id": f"photo{number}", "file_unique_id": f"uphoto{number}", "width": 640,
                             "height": 480, "file_size": 1000}]
        if document is not None:
            name, raw = document
            number = next(self._file_ids)
            file_id = f"doc{number}"
            self.files[file_id] = (f"documents/file_{number}_{name}", raw)
            msg["document"] = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": name,
                               "mime_type": "text/html" if name.endswith(".html") else "text/plain",
                               "file_size": len(raw)}
        if caption and (document is not None or photo):
            msg["caption"] = caption
            if entities := _entities(caption) + _text_links(caption, links):
                msg["caption_entities"] = entities
        if reply_to is not None:
            key = (reply_to.chat_id, reply_to.message_id) if isinstance(reply_to, Sent) else (
                reply_to["chat"]["id"], reply_to["message_id"])
            msg["reply_to_message"] = self.messages[key]
        self.push_update({"message": msg})
        return msg

    def press(self, user: dict[str, Any], message: Sent | dict[str, Any], data: str) -> str:
        """A user pressing an inline button (any ``data``: tests forge it too); returns the query id."""
        key = (message.chat_id, message.message_id) if isinstance(message, Sent) else (
            message["chat"]["id"], message["message_id"])
        query_id = str(next(self._callback_ids))
        self.callback_answers[query_id] = None
        self.push_update({"callback_query": {
            "id": query_id, "from": user, "chat_instance": str(key[0]), "data": data,
            "message": self.messages[key],
        }})
        return query_id

    def inline_query(self, user: dict[str, Any], query: str, *, offset: str = "",
                     chat_type: str = "sender") -> str:
        """A user typing ``@bot query`` in a chat of ``chat_type``; returns the query id."""
        query_id = f"iq{next(self._inline_ids)}"
        self.inline_answers[query_id] = None
        self.push_update({"inline_query": {"id": query_id, "from": user, "query": query, "offset": offset,
                                           "chat_type": chat_type}})
        return query_id

    def choose_inline_result(self, user: dict[str, Any], query_id: str, result_id: str, *,
                             chat_id: int) -> dict[str, Any]:
        """The user picks one of the bot's inline results: its message appears in the chat, sent by the
        user via the bot (and reaches the bot like any message in that chat)."""
        answer = self.inline_answers.get(query_id)
        if answer is None:
            raise KeyError(f"inline query {query_id} was not answered")
        result = next(r for r in answer["results"] if r["id"] == result_id)
        content = result["input_message_content"]
        visible = visible_text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
        chat = self.chats[chat_id]
        msg = self.new_message(chat, user)
        msg.update({"text": visible, "via_bot": self.bot_user})
        if result.get("reply_markup"):
            msg["reply_markup"] = result["reply_markup"]
        self.push_update({"message": msg})
        return msg

    def push_update(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **body}
        self.updates.append(update)
        for listener in self.on_update:
            listener(update)
        self._changed()
        return update

    # -- waiting without sleeping ------------------------------------------------------------------

    def _changed(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(self, predicate: Callable[[], Any], within: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked after every call), and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not (value := predicate()):
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {within} s waiting for the bot")
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            try:
                await asyncio.wait_for(fut, remaining)
            except TimeoutError:
                continue
        return value

    # -- state the methods share -----------------------------------------------------------------

    def new_message(self, chat: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
        """A new message in ``chat`` from ``sender``, numbered per chat as Telegram numbers them."""
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message_id = next(counter)
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender}
        self.messages[(int(chat["id"]), message_id)] = msg
        return msg

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``: what a getUpdates call with that offset does."""
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def commands_for(self, chat_id: int | None = None) -> list[str]:
        """Command names registered for a chat scope (or the default scope)."""
        scope = {"type": "default"} if chat_id is None else {"chat_id": chat_id, "type": "chat"}
        return [c["command"] for c in self.commands.get(json.dumps(scope, sort_keys=True) + "|", [])]
