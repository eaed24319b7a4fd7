"""The Bot API methods claimbot calls, validated the way Telegram validates them.

Why it exists: the fake is only worth having if it refuses what Telegram refuses, so each method
checks its parameters as the real server does (chat ids, message text and its HTML, button data,
inline results, commands, webhook URLs) and answers with Telegram's error descriptions. Each method
is a function of the API's state (:class:`~bot.fakeapi.api.FakeBotApi`) and the call's parameters;
``METHODS`` is the table ``FakeBotApi.call`` serves from. What a sending method leaves behind for
tests to read is a :class:`Sent`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.fakeapi.errors import ApiError, bad_request
from bot.fakeapi.text import MAX_TEXT, parse_html, utf16_len

if TYPE_CHECKING:
    from bot.fakeapi.api import FakeBotApi

MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


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
        """The inline buttons, row after row."""
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard", []) for b in row]


def _as_json(value: Any) -> Any:
    """Form-encoded requests carry objects as JSON strings; in-process ones carry them as is."""
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def _as_bool(value: Any) -> bool:
    """A flag as either kind of request carries it."""
    return value in (True, "true", "True", "1", 1)


def _chat(api: FakeBotApi, params: Mapping[str, Any]) -> dict[str, Any]:
    """The chat a call names, or Telegram's error for a missing or unknown one."""
    try:
        chat_id = int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        raise bad_request("chat_id is empty") from None
    chat = api.chats.get(chat_id)
    if chat is None:
        raise bad_request("chat not found")
    return chat


def visible_text(params: Mapping[str, Any]) -> str:
    """The text users would see, after Telegram's checks: not empty, valid HTML, not too long."""
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


def _markup(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The reply markup, with each button checked as Telegram checks it."""
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


def _record(api: FakeBotApi, method: str, msg: dict[str, Any], html: str, params: Mapping[str, Any]) -> None:
    """Keep what the bot sent or edited, for tests to assert on."""
    reply = msg.get("reply_to_message")
    api.sent.append(Sent(
        method=method, chat_id=msg["chat"]["id"], message_id=msg["message_id"], text=msg["text"],
        html=html, parse_mode=params.get("parse_mode"), reply_markup=msg.get("reply_markup"),
        reply_to=reply["message_id"] if reply else None,
    ))


def send_message(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    chat = _chat(api, params)
    visible = visible_text(params)
    markup = _markup(params)
    msg = api.new_message(chat, api.bot_user)
    msg["text"] = visible
    reply = _as_json(params.get("reply_parameters")) or {}
    reply_id = reply.get("message_id") or params.get("reply_to_message_id")
    if reply_id is not None:
        original = api.messages.get((chat["id"], int(reply_id)))
        if original is None:
            if not _as_bool(reply.get("allow_sending_without_reply")):
                del api.messages[(chat["id"], msg["message_id"])]
                raise bad_request("message to be replied not found")
        else:
            msg["reply_to_message"] = original
    if markup:
        msg["reply_markup"] = markup
    _record(api, "sendMessage", msg, str(params["text"]), params)
    return msg


def _own_message(api: FakeBotApi, params: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The bot's own message a call edits: Telegram lets a bot edit only what it sent."""
    chat = _chat(api, params)
    msg = api.messages.get((chat["id"], int(params.get("message_id") or 0)))
    if msg is None or msg["from"]["id"] != api.bot_user["id"]:
        raise bad_request(f"message to {what} not found")
    return msg


def edit_message_text(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    msg = _own_message(api, params, "edit")
    visible = visible_text(params)
    markup = _markup(params)
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
    _record(api, "editMessageText", msg, str(params["text"]), params)
    return msg


def edit_reply_markup(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    msg = _own_message(api, params, "edit")
    markup = _markup(params)
    if markup == msg.get("reply_markup"):
        raise bad_request("message is not modified")
    msg.pop("reply_markup", None)
    if markup:
        msg["reply_markup"] = markup
    _record(api, "editMessageReplyMarkup", msg, msg["text"], params)
    return msg


def answer_callback_query(api: FakeBotApi, params: dict[str, Any]) -> bool:
    query_id = str(params.get("callback_query_id"))
    if query_id not in api.callback_answers or api.callback_answers[query_id] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get("text")
    if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
        raise bad_request("MESSAGE_TOO_LONG")
    api.callback_answers[query_id] = {"text": text, "show_alert": _as_bool(params.get("show_alert"))}
    return True


def answer_inline_query(api: FakeBotApi, params: dict[str, Any]) -> bool:
    """Validated as Telegram does: at most 50 results, unique ids, sendable message contents."""
    query_id = str(params.get("inline_query_id"))
    if query_id not in api.inline_answers or api.inline_answers[query_id] is not None:
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
        visible_text({"text": content.get("message_text"), "parse_mode": content.get("parse_mode")})
        _markup({"reply_markup": result.get("reply_markup")})
    if len(str(params.get("next_offset") or "").encode()) > 64:
        raise bad_request("NEXT_OFFSET_INVALID")
    button = _as_json(params.get("button"))
    if button and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button.get("start_parameter", ""))):
        raise bad_request("START_PARAM_INVALID")
    api.inline_answers[query_id] = {
        "results": results, "cache_time": int(params.get("cache_time", 300)),
        "is_personal": _as_bool(params.get("is_personal")),
        "next_offset": str(params.get("next_offset") or ""), "button": button,
    }
    return True


def _scope_key(api: FakeBotApi, params: Mapping[str, Any]) -> str:
    """Commands are kept per scope and language, as Telegram keeps them."""
    scope = _as_json(params.get("scope")) or {"type": "default"}
    if scope.get("type") in {"chat", "chat_administrators", "chat_member"}:
        _chat(api, scope)
    return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")


def set_my_commands(api: FakeBotApi, params: dict[str, Any]) -> bool:
    commands = _as_json(params.get("commands")) or []
    if len(commands) > 100:
        raise bad_request("too many commands")
    for c in commands:
        if not _COMMAND.match(str(c.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(c.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    api.commands[_scope_key(api, params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


def get_my_commands(api: FakeBotApi, params: dict[str, Any]) -> list[dict[str, str]]:
    return api.commands.get(_scope_key(api, params), [])


def delete_my_commands(api: FakeBotApi, params: dict[str, Any]) -> bool:
    api.commands.pop(_scope_key(api, params), None)
    return True


def set_webhook(api: FakeBotApi, params: dict[str, Any]) -> bool:
    url = str(params.get("url") or "")
    if not url:
        return delete_webhook(api, params)
    if urlsplit(url).scheme not in {"http", "https"}:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
    secret = params.get("secret_token")
    if secret is not None and not _SECRET.match(str(secret)):
        raise bad_request("secret token contains unallowed characters")
    if _as_bool(params.get("drop_pending_updates")):
        api.updates.clear()
    api.webhook = {"url": url, "secret_token": secret,
                    "allowed_updates": _as_json(params.get("allowed_updates"))}
    return True


def delete_webhook(api: FakeBotApi, params: dict[str, Any]) -> bool:
    api.webhook = None
    if _as_bool(params.get("drop_pending_updates")):
        api.updates.clear()
    return True


def get_webhook_info(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    return {"url": api.webhook["url"] if api.webhook else "", "has_custom_certificate": False,
            "pending_update_count": len(api.updates)}


def get_chat_member(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    chat = _chat(api, params)
    try:
        user = api.users[int(params["user_id"])]
    except (KeyError, TypeError, ValueError):
        raise bad_request("user not found") from None
    if user["id"] in api.group_admins.get(chat["id"], set()):
        return {"status": "creator", "user": user, "is_anonymous": False}
    return {"status": "member", "user": user}


def send_chat_action(api: FakeBotApi, params: dict[str, Any]) -> bool:
    _chat(api, params)
    return True


def get_file(api: FakeBotApi, params: dict[str, Any]) -> dict[str, Any]:
    file_id = str(params.get("file_id"))
    if file_id not in api.files:
        raise bad_request("invalid file_id")
    path, raw = api.files[file_id]
    return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(raw),
            "file_path": path}


async def get_updates(api: FakeBotApi, params: dict[str, Any]) -> list[dict[str, Any]]:
    if api.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                            "use deleteWebhook to delete the webhook first")
    offset = int(params.get("offset") or 0)
    if offset:
        api.confirm(offset)
    limit = int(params.get("limit") or 100)
    timeout = float(params.get("timeout") or 0)
    allowed = _as_json(params.get("allowed_updates"))
    if allowed:
        api.updates = [u for u in api.updates if any(k in u for k in allowed)]
    if not api.updates and timeout > 0:
        try:
            await api.wait_until(lambda: api.updates, timeout)
        except TimeoutError:
            return []
    return api.updates[:limit]


METHODS: dict[str, Callable[[FakeBotApi, dict[str, Any]], Any]] = {
    "getme": lambda api, p: api.bot_user,
    "getupdates": get_updates,
    "sendmessage": send_message,
    "editmessagetext": edit_message_text,
    "editmessagereplymarkup": edit_reply_markup,
    "answercallbackquery": answer_callback_query,
    "answerinlinequery": answer_inline_query,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "sendchataction": send_chat_action,
    "getfile": get_file,
    "getchatmember": get_chat_member,
    "close": lambda api, p: True,
    "logout": lambda api, p: True,
}
"""The methods served, by lower-cased name (Telegram's method names are case-insensitive)."""
