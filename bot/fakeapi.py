"""An in-memory Telegram Bot API (the subset claimbot uses) that refuses what Telegram refuses.

Why it exists: the offline console (``claimbot chat``) and the test emulator both need a Bot API
that behaves like the real one, including its errors: text over 4,096 characters, HTML it cannot
parse, unknown chats, stale callback queries. One implementation serves both. The console reaches
it in process through ``InProcessRequest`` (a PTB request class, so the bot's only seam to Telegram
stays PTB's request layer); the tests serve it over HTTP on loopback (``tests/bot/emulator.py``).

It also plays the users: ``user_sends`` and ``press`` create the updates a person would cause, and
``wait_until`` lets a caller wait for the bot's reaction without sleeping.
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
from urllib.parse import unquote, urlsplit

from telegram.request import BaseRequest, RequestData

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
TOKEN_PATTERN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{30,}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code",
    "pre", "blockquote", "tg-emoji",
}
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'<>=]+))?)*)\s*>"
)
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_MENTION = re.compile(r"@[A-Za-z][A-Za-z0-9_]{2,31}")


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
    return ApiError(400, f"Bad Request: {what}")


def utf16_len(text: str) -> int:
    """Telegram measures text (limits and entity offsets) in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> str:
    """The visible text of an HTML-formatted message, or Telegram's "can't parse entities" error."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0

    def fail(why: str) -> ApiError:
        return bad_request(f"can't parse entities: {why} at byte offset {len(text[:pos].encode())}")

    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            m = _TAG.match(text, pos)
            if m is None:
                raise fail("Unclosed start tag")
            closing, name, attrs = m.group(1), m.group(2).lower(), m.group(3) or ""
            if name not in _TAGS:
                raise fail(f'Unsupported {"end" if closing else "start"} tag "{name}"')
            if closing:
                if not stack or stack[-1] != name:
                    expected = f'expected "</{stack[-1]}>", ' if stack else ""
                    raise fail(f'Unmatched end tag, {expected}found "</{name}>"')
                stack.pop()
            else:
                if name == "span" and "tg-spoiler" not in attrs:
                    raise fail('Tag "span" must have class "tg-spoiler"')
                stack.append(name)
            pos = m.end()
        elif ch == "&":
            m = _ENTITY.match(text, pos)
            if m is None:
                out.append("&")
                pos += 1
                continue
            body = m.group(1)
            if body.startswith(("#x", "#X")):
                out.append(_codepoint(int(body[2:], 16)))
            elif body.startswith("#"):
                out.append(_codepoint(int(body[1:])))
            else:
                out.append(_NAMED.get(body, m.group(0)))
            pos = m.end()
        else:
            nxt = min((i for i in (text.find("<", pos), text.find("&", pos)) if i >= 0), default=len(text))
            out.append(text[pos:nxt])
            pos = nxt
    if stack:
        raise bad_request(
            f'can\'t parse entities: Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        )
    return "".join(out)


def _codepoint(value: int) -> str:
    try:
        return chr(value)
    except (ValueError, OverflowError):
        return "\ufffd"


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


def _as_json(value: Any) -> Any:
    """Form-encoded requests carry objects as JSON strings; in-process ones carry them as is."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _as_bool(value: Any) -> bool:
    return value in (True, "true", "True", "1", 1)


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


@dataclass
class Sent:
    """One message as the bot left it: what it sent (``html``) and what users see (``text``)."""

    method: str
    chat_id: int
    message_id: int
    text: str
    html: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    reply_to: int | None

    def buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]


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

    def __post_init__(self) -> None:
        self.bot_user = {
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
        self._methods: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getme": lambda p: self.bot_user,
            "getupdates": self._get_updates,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendchataction": self._send_chat_action,
            "getfile": self._get_file,
            "getchatmember": self._get_chat_member,
            "close": lambda p: True,
            "logout": lambda p: True,
        }

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
        serve = self._methods.get(method.lower())
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
        result = serve(params)
        if asyncio.iscoroutine(result):
            result = await result
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
        msg = self._new_message(chat, user)
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
        visible = self._visible({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
        chat = self.chats[chat_id]
        msg = self._new_message(chat, user)
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

    # -- the methods -------------------------------------------------------------------------------

    def _chat(self, params: Mapping[str, Any]) -> dict[str, Any]:
        try:
            chat_id = int(params["chat_id"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("chat_id is empty") from None
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _new_message(self, chat: dict[str, Any], sender: dict[str, Any]) -> dict[str, Any]:
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message_id = next(counter)
        msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": sender}
        self.messages[(int(chat["id"]), message_id)] = msg
        return msg

    def _visible(self, params: Mapping[str, Any]) -> str:
        text = params.get("text")
        if text is None or not str(text).strip():
            raise bad_request("message text is empty")
        text = str(text)
        mode = params.get("parse_mode")
        visible = parse_html(text) if mode and str(mode).upper() == "HTML" else text
        if not visible.strip():
            raise bad_request("message text is empty")
        if utf16_len(visible) > MAX_TEXT:
            raise bad_request("message is too long")
        return visible

    def _markup(self, params: Mapping[str, Any]) -> dict[str, Any] | None:
        markup = _as_json(params.get("reply_markup"))
        if not markup:
            return None
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise bad_request("BUTTON_TEXT_EMPTY")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
                url = button.get("url")
                if url is not None and urlsplit(str(url)).scheme not in {"http", "https", "tg"}:
                    raise bad_request("BUTTON_URL_INVALID")
        return markup

    def _record(self, method: str, msg: dict[str, Any], html: str, params: Mapping[str, Any]) -> None:
        reply = msg.get("reply_to_message")
        self.sent.append(Sent(
            method=method, chat_id=msg["chat"]["id"], message_id=msg["message_id"], text=msg["text"],
            html=html, parse_mode=params.get("parse_mode"), reply_markup=msg.get("reply_markup"),
            reply_to=reply["message_id"] if reply else None,
        ))

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        visible = self._visible(params)
        markup = self._markup(params)
        msg = self._new_message(chat, self.bot_user)
        msg["text"] = visible
        reply = _as_json(params.get("reply_parameters")) or {}
        reply_id = reply.get("message_id") or params.get("reply_to_message_id")
        if reply_id is not None:
            original = self.messages.get((chat["id"], int(reply_id)))
            if original is None:
                if not _as_bool(reply.get("allow_sending_without_reply")):
                    del self.messages[(chat["id"], msg["message_id"])]
                    raise bad_request("message to be replied not found")
            else:
                msg["reply_to_message"] = original
        if markup:
            msg["reply_markup"] = markup
        self._record("sendMessage", msg, str(params["text"]), params)
        return msg

    def _own_message(self, params: Mapping[str, Any], what: str) -> dict[str, Any]:
        chat = self._chat(params)
        msg = self.messages.get((chat["id"], int(params.get("message_id") or 0)))
        if msg is None or msg["from"]["id"] != self.bot_user["id"]:
            raise bad_request(f"message to {what} not found")
        return msg

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._own_message(params, "edit")
        visible = self._visible(params)
        markup = self._markup(params)
        if visible == msg.get("text") and markup == msg.get("reply_markup"):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        msg["text"] = visible
        msg["edit_date"] = int(time.time())
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        self._record("editMessageText", msg, str(params["text"]), params)
        return msg

    def _edit_reply_markup(self, params: dict[str, Any]) -> dict[str, Any]:
        msg = self._own_message(params, "edit")
        markup = self._markup(params)
        if markup == msg.get("reply_markup"):
            raise bad_request("message is not modified")
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        self._record("editMessageReplyMarkup", msg, msg["text"], params)
        return msg

    def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self.callback_answers or self.callback_answers[query_id] is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = {"text": text, "show_alert": _as_bool(params.get("show_alert"))}
        return True

    def _answer_inline_query(self, params: dict[str, Any]) -> bool:
        """Validated as Telegram does: at most 50 results, unique ids, sendable message contents."""
        query_id = str(params.get("inline_query_id"))
        if query_id not in self.inline_answers or self.inline_answers[query_id] is not None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        results = _as_json(params.get("results")) or []
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) for r in results]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        for result in results:
            if not 1 <= len(str(result.get("id", "")).encode()) <= 64:
                raise bad_request("RESULT_ID_INVALID")
            if result.get("type") != "article" or not str(result.get("title", "")).strip():
                raise bad_request("RESULT_TITLE_EMPTY")
            content = result.get("input_message_content") or {}
            self._visible({"text": content.get("message_text"), "parse_mode": content.get("parse_mode")})
            self._markup({"reply_markup": result.get("reply_markup")})
        if len(str(params.get("next_offset") or "").encode()) > 64:
            raise bad_request("NEXT_OFFSET_INVALID")
        button = _as_json(params.get("button"))
        if button and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button.get("start_parameter", ""))):
            raise bad_request("START_PARAM_INVALID")
        self.inline_answers[query_id] = {
            "results": results, "cache_time": int(params.get("cache_time", 300)),
            "is_personal": _as_bool(params.get("is_personal")),
            "next_offset": str(params.get("next_offset") or ""), "button": button,
        }
        return True

    def _scope_key(self, params: Mapping[str, Any]) -> str:
        scope = _as_json(params.get("scope")) or {"type": "default"}
        if scope.get("type") in {"chat", "chat_administrators", "chat_member"}:
            self._chat(scope)
        return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _as_json(params.get("commands")) or []
        if len(commands) > 100:
            raise bad_request("too many commands")
        for c in commands:
            if not _COMMAND.match(str(c.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[self._scope_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._scope_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def commands_for(self, chat_id: int | None = None) -> list[str]:
        """Command names registered for a chat scope (or the default scope)."""
        scope = {"type": "default"} if chat_id is None else {"chat_id": chat_id, "type": "chat"}
        return [c["command"] for c in self.commands.get(json.dumps(scope, sort_keys=True) + "|", [])]

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._delete_webhook(params)
        if urlsplit(url).scheme not in {"http", "https"}:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if _as_bool(params.get("drop_pending_updates")):
            self.updates.clear()
        self.webhook = {"url": url, "secret_token": secret,
                        "allowed_updates": _as_json(params.get("allowed_updates"))}
        return True

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        if _as_bool(params.get("drop_pending_updates")):
            self.updates.clear()
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook["url"] if self.webhook else "", "has_custom_certificate": False,
                "pending_update_count": len(self.updates)}

    def _get_chat_member(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        try:
            user = self.users[int(params["user_id"])]
        except (KeyError, TypeError, ValueError):
            raise bad_request("user not found") from None
        if user["id"] in self.group_admins.get(chat["id"], set()):
            return {"status": "creator", "user": user, "is_anonymous": False}
        return {"status": "member", "user": user}

    def _send_chat_action(self, params: dict[str, Any]) -> bool:
        self._chat(params)
        return True

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        path, raw = self.files[file_id]
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(raw),
                "file_path": path}

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset``: what a getUpdates call with that offset does."""
        self.updates = [u for u in self.updates if u["update_id"] >= offset]

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirm(offset)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        allowed = _as_json(params.get("allowed_updates"))
        if allowed:
            self.updates = [u for u in self.updates if any(k in u for k in allowed)]
        if not self.updates and timeout > 0:
            try:
                await self.wait_until(lambda: self.updates, timeout)
            except TimeoutError:
                return []
        return self.updates[:limit]


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
