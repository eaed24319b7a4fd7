"""Crowds (issue 23, finding 9): updates are handled concurrently but in order within a chat, and a
per-user token bucket answers a flood with one polite "slow down" and nothing more."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram import Update

from bot.context import FloodControl
from bot.handlers.flood import SLOW_DOWN
from bot.updates import PerChatOrder, order_key
from tests.bot.emulator import Emulator
from tests.bot.harness import Person


async def test_a_flood_of_inline_queries_gets_one_slow_down_and_others_are_served(
    start_bot: Callable[..., Any], user: Person, admin: Person, emulator: Emulator
) -> None:
    now = [0.0]
    await start_bot(crowd=FloodControl(burst=5, refill_seconds=60, clock=lambda: now[0]))
    api = emulator.api
    ids = [api.inline_query(user.user, "greenland") for _ in range(40)]
    other = Person(api, 3333, "Carol")
    assert "Here is what I found" in (await other.say("greenland", within=30)).text  # during the flood
    for _ in range(8):
        assert "Commands" in (await admin.say("/help")).text  # admins are never limited
    def answered() -> list[dict[str, Any]]:
        return [api.inline_answers[i] for i in ids if api.inline_answers.get(i) is not None]

    first = await api.wait_until(lambda: len(answered()) >= 6 and answered(), within=60)
    assert len(first) == 6  # five served, one polite answer, then nothing
    slow = [a for a in first if "Slow down" in (a.get("button") or {}).get("text", "")]
    assert len(slow) == 1 and slow[0]["results"] == []
    assert [bool(a["results"]) for a in first] == [True] * 5 + [False]  # in the order sent
    # one token back: exactly one more query is served, the next in this user's order (one of the
    # dropped tail if the bot has not reached the end of it yet, else the new one)
    now[0] += 60
    last = api.inline_query(user.user, "greenland")

    def served() -> list[str]:
        return [i for i in [*ids, last] if (api.inline_answers.get(i) or {}).get("results")]

    assert len(await api.wait_until(lambda: len(served()) >= 6 and served(), within=60)) == 6


async def test_a_flood_of_messages_hears_slow_down_once(start_bot: Callable[..., Any], user: Person,
                                                        emulator: Emulator) -> None:
    now = [0.0]
    await start_bot(crowd=FloodControl(burst=3, refill_seconds=60, clock=lambda: now[0]))
    start = len(emulator.api.sent)
    for _ in range(3):
        assert "Commands" in (await user.say("/help")).text
    assert (await user.say("/topics")).text == SLOW_DOWN
    for text in ("/help", "greenland", "/claims"):
        emulator.api.user_sends(user.user, text)
    now[0] += 60
    assert "Commands" in (await user.say("/help")).text  # per-chat order: the three came first
    mine = [s.text for s in emulator.api.sent[start:] if s.chat_id == user.chat_id]
    assert mine.count(SLOW_DOWN) == 1 and len(mine) == 5


async def test_updates_of_one_chat_keep_their_order_while_chats_run_at_once() -> None:
    processor = PerChatOrder(8)
    events: list[str] = []
    gate = asyncio.Event()

    async def work(name: str, wait: bool) -> None:
        events.append(f"start {name}")
        if wait:
            await gate.wait()
        events.append(f"end {name}")

    def update(chat: int, uid: int) -> Update:
        return Update.de_json({"update_id": uid, "message": {
            "message_id": uid, "date": 0, "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "x"}, "text": "hi"}}, None)

    first = asyncio.create_task(processor.process_update(update(1, 1), work("a1", True)))
    second = asyncio.create_task(processor.process_update(update(1, 2), work("a2", False)))
    third = asyncio.create_task(processor.process_update(update(2, 3), work("b1", False)))
    await third  # chat 2 is not held up by chat 1's first update
    assert events == ["start a1", "end b1"] or events == ["start a1", "start b1", "end b1"]
    assert "start a2" not in events  # chat 1's second update waits for its first
    gate.set()
    await asyncio.gather(first, second)
    assert events.index("end a1") < events.index("start a2")
    assert order_key(update(5, 9)) == ("chat", 5)


def test_a_trickle_of_refills_during_a_flood_earns_no_second_warning() -> None:
    now = [0.0]
    bucket = FloodControl(burst=2, refill_seconds=1.0, clock=lambda: now[0])
    results = [bucket.check(7) for _ in range(5)]
    assert results[:2] == [None, None] and results[2] is not None and results[2] > 0
    assert all(r is not None and r < 0 for r in results[3:])  # silent
    now[0] += 1.0  # one token back mid-flood: one message through, then silence again
    assert bucket.check(7) is None
    assert (wait := bucket.check(7)) is not None and wait < 0
    now[0] += 10.0  # the bucket refilled completely: the flood is over
    assert [bucket.check(7) for _ in range(2)] == [None, None]
    assert (wait := bucket.check(7)) is not None and wait > 0  # a new flood is told once again


async def test_a_chats_queued_updates_hold_no_slot_while_they_wait_their_turn() -> None:
    """One slot: a flooder's queued updates must not take it ahead of another chat's update."""
    processor = PerChatOrder(1)
    events: list[str] = []
    gate, started = asyncio.Event(), asyncio.Event()

    async def work(name: str) -> None:
        events.append(name)
        if name == "a1":
            started.set()
            await gate.wait()

    def update(chat: int, uid: int) -> Update:
        return Update.de_json({"update_id": uid, "message": {
            "message_id": uid, "date": 0, "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "x"}, "text": "hi"}}, None)

    tasks = [asyncio.create_task(processor.process_update(update(1, n), work(f"a{n}")))
             for n in range(1, 5)]
    tasks.append(asyncio.create_task(processor.process_update(update(2, 9), work("b1"))))
    await started.wait()
    for _ in range(10):  # let every other update reach its wait (a turn of the loop each, no time)
        await asyncio.sleep(0)
    assert events == ["a1"]
    gate.set()
    await asyncio.gather(*tasks)
    assert events.index("b1") == 1  # the other chat went next, not the flooder's second update
    assert [e for e in events if e.startswith("a")] == ["a1", "a2", "a3", "a4"]
