"""Hostile input, long output, and Telegram's errors (403, 429, 400) injected by the emulator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.context import FloodControl
from bot.fakeapi.text import utf16_len
from tests.bot.emulator import Emulator
from tests.bot.harness import Person, RunningBot, button

HOSTILE = [
    "<b>bold</b> <script>alert(1)</script> & &amp; &lt; </i> <a href='javascript:x'>x</a>",
    "x" * 10_000,
    "🇩🇰🇬🇱 Greenland? 👍🏽👨‍👩‍👧 " * 40,
    "מה אמרה פרדריקסן על גרינלנד? \u202e greenland \u202c ما رأي",
    "\u0000\u200b\ufeff greenland \ud7ff",
    "/",
    "@claimbot_test_bot",
]


@pytest.mark.parametrize("text", HOSTILE, ids=["html", "10k", "emoji", "rtl", "control", "slash", "mention"])
async def test_hostile_questions_get_a_normal_answer(bot: RunningBot, user: Person, text: str) -> None:
    reply = await user.say(text)
    assert reply.parse_mode == "HTML"  # accepted by the emulator's entity parser on the first try
    assert utf16_len(reply.text) <= 4096
    assert reply.text


async def test_hostile_text_in_claims_is_escaped_and_long_output_is_split(
    bot: RunningBot, admin: Person, user: Person, emulator: Emulator
) -> None:
    evil = ("<b>not bold</b> & <i>unclosed " + "Sentence with <tags> & ampersands. " * 110)[:3990]
    await admin.say(f"/edit 2 {evil}")
    parts = await user.says("/claim 2", count=2)
    assert all(p.parse_mode == "HTML" for p in parts)
    assert all(utf16_len(p.text) <= 4096 for p in parts)
    joined = " ".join(p.text for p in parts)
    assert "<b>not bold</b> & <i>unclosed" in joined
    assert "Sources (1)" in parts[-1].text
    assert parts[-1].buttons()  # the History button rides on the last piece


async def test_falls_back_to_plain_text_when_telegram_rejects_the_html(
    bot: RunningBot, user: Person, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\"",
                  chat_id=user.chat_id)
    reply = await user.say("/claim 2")
    assert reply.parse_mode is None
    assert reply.text.startswith("Claim #2")
    assert "news.example/wire_tariffs.txt" in reply.text  # links are spelled out
    assert reply.buttons()
    assert "resending as plain text" in caplog.text


async def test_flood_control_warns_once_then_stays_quiet(start_bot: Callable[..., Any], user: Person,
                                                         admin: Person) -> None:
    now = [0.0]
    await start_bot(flood=FloodControl(burst=3, refill_seconds=60, clock=lambda: now[0]))
    for _ in range(3):
        assert "Here is what I found" in (await user.say("greenland")).text
    warning = await user.say("greenland")
    assert "You are asking faster than I can answer" in warning.text
    await user.says_nothing_to("greenland")
    for _ in range(5):  # admins are not limited
        assert "Here is what I found" in (await admin.say("greenland")).text
    now[0] += 60
    assert "Here is what I found" in (await user.say("greenland")).text


async def test_blocked_user_is_logged_and_others_are_still_served(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot")
    fault = emulator.block(user.chat_id)
    user.api.user_sends(user.user, "greenland")
    assert "Commands" in (await admin.say("/help")).text  # another chat is served meanwhile
    await emulator.api.wait_until(lambda: "bot blocked or removed" in caplog.text)
    attempts = [m for m, p in emulator.api.calls if m == "sendMessage" and p["chat_id"] in (user.chat_id,
                                                                                         str(user.chat_id))]
    assert len(attempts) == 1  # no apology sent into a chat that refuses messages
    emulator.unblock(fault)
    assert "Here is what I found" in (await user.say("greenland")).text


async def test_rate_limited_send_is_retried_after_retry_after(
    bot: RunningBot, user: Person, emulator: Emulator
) -> None:
    emulator.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=user.chat_id)
    reply = await user.say("/topics", within=15)
    assert "Greenland" in reply.text
    tries = [p for m, p in emulator.api.calls
             if m == "sendMessage" and str(p.get("chat_id")) == str(user.chat_id)]
    assert len(tries) == 2


async def test_unexpected_bad_request_is_logged_and_the_user_told(
    bot: RunningBot, user: Person, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail("sendMessage", 400, "Bad Request: something unexpected", chat_id=user.chat_id)
    reply = await user.say("/topics")
    assert reply.text.startswith("Sorry, something went wrong on my side")
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "bot.handlers.errors"]
    assert errors
    assert "(/topics) from user 2222" in errors[0].getMessage()
    assert errors[0].exc_info is not None


async def test_refused_edit_sends_the_page_as_a_new_message(bot: RunningBot, user: Person,
                                                             emulator: Emulator) -> None:
    first = await user.say("greenland")
    emulator.fail("editMessageText", 400, "Bad Request: can't parse entities: Unclosed start tag")
    start = len(emulator.api.sent)
    await user.press(first, button(first, "More results"))
    page = [s for s in emulator.api.sent[start:] if s.method == "sendMessage"]
    assert page
    assert "More results (page 2)" in page[0].text
