"""The emulator answers like the Bot API, including Telegram's refusals; tested over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.fakeapi.text import parse_html
from bot.fakeapi.throttle import Throttle
from tests.bot.emulator import TOKEN, Emulator


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{emulator.url}/bot{TOKEN}/", trust_env=False) as client:
        yield client


async def call(http: httpx.AsyncClient, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    resp = await http.post(method, data={k: str(v) for k, v in params.items()})
    return resp.status_code, resp.json()


async def test_get_me_and_tokens(emulator: Emulator, http: httpx.AsyncClient) -> None:
    status, body = await call(http, "getMe")
    assert status == 200
    assert body["result"]["username"] == "claimbot_test_bot"
    async with httpx.AsyncClient(trust_env=False) as raw:
        wrong = await raw.post(f"{emulator.url}/bot987654321:AAWrongTokenButWellFormed_abcdefghijk/getMe")
        malformed = await raw.post(f"{emulator.url}/botnonsense/getMe")
    assert wrong.status_code == 401
    assert malformed.status_code == 404
    assert (await call(http, "noSuchMethod"))[0] == 404


async def test_send_message_rejects_what_telegram_rejects(emulator: Emulator,
                                                          http: httpx.AsyncClient) -> None:
    emulator.api.add_user(5, "Eve")
    ok = await call(http, "sendMessage", chat_id=5, text="<b>fine</b> &amp; dandy", parse_mode="HTML")
    assert ok[0] == 200
    assert ok[1]["result"]["text"] == "fine & dandy"
    cases = [
        ({"chat_id": 6, "text": "hi"}, "Bad Request: chat not found"),
        ({"chat_id": 5, "text": "x" * 4097}, "Bad Request: message is too long"),
        ({"chat_id": 5, "text": "<b>" + "x" * 4096 + "</b>", "parse_mode": "HTML"}, None),
        ({"chat_id": 5, "text": "<b>unclosed", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": 5, "text": "<script>x</script>", "parse_mode": "HTML"}, "Unsupported start tag"),
        ({"chat_id": 5, "text": "a <3 b", "parse_mode": "HTML"}, "can't parse entities"),
        ({"chat_id": 5, "text": "<b><i>x</b></i>", "parse_mode": "HTML"}, "Unmatched end tag"),
        ({"chat_id": 5, "text": "   "}, "Bad Request: message text is empty"),
        ({"chat_id": 5, "text": "😀" * 2049}, "Bad Request: message is too long"),  # UTF-16 units
    ]
    for params, error in cases:
        status, body = await call(http, "sendMessage", **params)
        if error is None:
            assert status == 200, body
        else:
            assert status == 400, params
            assert error in body["description"]


async def test_parse_html_entities() -> None:
    parsed = parse_html("&lt;b&gt; &quot;q&quot; &#128512; &#x41; &unknown; & x")
    assert parsed == '<b> "q" 😀 A &unknown; & x'
    assert parse_html('<a href="https://x.example/?a=1&amp;b=2">link</a>') == "link"


async def test_get_updates_long_polls_and_offset_confirms(emulator: Emulator,
                                                          http: httpx.AsyncClient) -> None:
    api = emulator.api
    user = api.add_user(5, "Eve")
    poll = asyncio.ensure_future(call(http, "getUpdates", timeout=10))
    await api.wait_until(lambda: any(m == "getUpdates" for m, _ in api.calls))
    assert not poll.done()
    api.user_sends(user, "hello")
    _, body = await asyncio.wait_for(poll, 5)
    assert [u["message"]["text"] for u in body["result"]] == ["hello"]
    first_id = body["result"][0]["update_id"]
    again = await call(http, "getUpdates", offset=first_id)
    assert len(again[1]["result"]) == 1  # not confirmed yet
    confirmed = await call(http, "getUpdates", offset=first_id + 1, timeout=0)
    assert confirmed[1]["result"] == []


async def test_webhook_and_commands_and_callbacks(emulator: Emulator, http: httpx.AsyncClient) -> None:
    api = emulator.api
    user = api.add_user(5, "Eve")
    assert (await call(http, "setWebhook", url="https://example.com/hook", secret_token="s3cret"))[0] == 200
    status, body = await call(http, "getUpdates")
    assert status == 409
    assert "webhook is active" in body["description"]
    bad_secret = await call(http, "setWebhook", url="https://example.com/hook", secret_token="bad secret!")
    assert bad_secret[0] == 400
    assert (await call(http, "deleteWebhook"))[0] == 200
    assert (await call(http, "getUpdates"))[0] == 200

    commands = '[{"command": "ask", "description": "Ask"}]'
    assert (await call(http, "setMyCommands", commands=commands))[0] == 200
    assert api.commands_for() == ["ask"]
    scoped = await call(http, "setMyCommands", commands=commands, scope='{"type": "chat", "chat_id": 77}')
    assert scoped[1]["description"] == "Bad Request: chat not found"
    bad = await call(http, "setMyCommands", commands='[{"command": "Bad-Name", "description": "x"}]')
    assert bad[0] == 400

    sent = await call(http, "sendMessage", chat_id=5, text="pick",
                      reply_markup='{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}')
    long_data = '{"inline_keyboard": [[{"text": "A", "callback_data": "' + "a" * 65 + '"}]]}'
    too_long = await call(http, "sendMessage", chat_id=5, text="pick", reply_markup=long_data)
    assert too_long[1]["description"] == "Bad Request: BUTTON_DATA_INVALID"
    query_id = api.press(user, sent[1]["result"], "a")
    assert (await call(http, "answerCallbackQuery", callback_query_id=query_id, text="ok"))[0] == 200
    stale = await call(http, "answerCallbackQuery", callback_query_id=query_id)
    assert "query is too old" in stale[1]["description"]
    message_id = sent[1]["result"]["message_id"]
    edited = await call(http, "editMessageText", chat_id=5, message_id=message_id, text="picked")
    assert edited[1]["result"]["text"] == "picked"
    same = await call(http, "editMessageText", chat_id=5, message_id=message_id, text="picked")
    assert "message is not modified" in same[1]["description"]
    missing = await call(http, "editMessageText", chat_id=5, message_id=999, text="x")
    assert missing[1]["description"] == "Bad Request: message to edit not found"


async def test_injected_faults(emulator: Emulator, http: httpx.AsyncClient) -> None:
    emulator.api.add_user(5, "Eve")
    emulator.fail("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    status, body = await call(http, "sendMessage", chat_id=5, text="hi")
    assert status == 429
    assert body["parameters"] == {"retry_after": 3}
    assert (await call(http, "sendMessage", chat_id=5, text="hi"))[0] == 200  # once only
    fault = emulator.block(5)
    for _ in range(2):
        status, body = await call(http, "sendMessage", chat_id=5, text="hi")
        assert status == 403
        assert body["description"] == "Forbidden: bot was blocked by the user"
    emulator.unblock(fault)
    assert (await call(http, "sendMessage", chat_id=5, text="hi"))[0] == 200


async def test_flood_control_answers_429_as_telegram_does(emulator: Emulator,
                                                          http: httpx.AsyncClient) -> None:
    now = [100.0]
    api = emulator.api
    api.throttle = Throttle(clock=lambda: now[0])
    for user in range(1, 41):
        api.add_user(user)
    api.add_group(-9, "Desk")

    async def send(chat_id: int) -> tuple[int, dict[str, Any]]:
        return await call(http, "sendMessage", chat_id=chat_id, text="hi")

    # per private chat: one a second
    assert (await send(1))[0] == 200
    status, body = await send(1)
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    assert body["description"] == "Too Many Requests: retry after 1"
    now[0] += 1.0
    assert (await send(1))[0] == 200
    # overall: 30 in any second; the 31st waits, and refused messages do not count
    now[0] += 1.0
    assert [(await send(u))[0] for u in range(2, 32)] == [200] * 30
    assert (await send(32))[0] == 429
    now[0] += 0.999
    assert (await send(33))[0] == 429
    now[0] += 0.002
    assert (await send(33))[0] == 200
    # per group: 20 a minute (a second apart), then the 21st waits for the first to leave the minute
    now[0] += 5.0
    for _ in range(20):
        assert (await send(-9))[0] == 200
        now[0] += 1.0
    status, body = await send(-9)
    assert (status, body["parameters"]["retry_after"]) == (429, 40)
    now[0] += 40.0
    assert (await send(-9))[0] == 200
    assert (api.throttle.refused, len(api.throttle.accepted)) == (4, 54)
    assert api.throttle.max_in_window(1.0) == 30
    # unknown chats are refused for that, and are not counted
    assert (await send(999))[1]["description"] == "Bad Request: chat not found"
    assert len(api.throttle.accepted) == 54
