"""``/forget`` in the bot (issue 23, finding 10): nothing goes before the reader confirms, nobody
else can confirm for them, and /stats counts what went."""

from __future__ import annotations

from tests.bot.emulator import Emulator
from tests.bot.harness import Person, RunningBot, button


async def test_forget_asks_first_then_deletes_and_stats_count_it(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator
) -> None:
    assert "I have no claim on" in (await user.say("who painted the mona lisa")).text
    await user.say("/subscribe greenland")
    before = await admin.say("/stats")
    assert "0 requests to /forget" in before.text
    ask = await user.say("/forget")
    assert "Delete them?" in ask.text
    other = Person(emulator.api, 4444, "Mallory")
    refused = await other.press(ask, button(ask, "Yes"))
    assert "for the reader who asked" in refused["text"]
    start = len(emulator.api.sent)
    kept = await user.press(ask, button(ask, "No"))
    assert "Nothing was deleted" in kept["text"]
    await emulator.api.wait_until(lambda: [s for s in emulator.api.sent[start:] if "Nothing was" in s.text])
    assert "greenland" in (await user.say("/subscriptions")).text.lower()  # still there
    ask = await user.say("/forget")
    start = len(emulator.api.sent)
    done = await user.press(ask, button(ask, "Yes"))
    assert done["text"] == "Deleted."
    told = await emulator.api.wait_until(
        lambda: [s for s in emulator.api.sent[start:] if "Done: deleted" in s.text], 10)
    assert "1 question" in told[0].text and "1 subscription" in told[0].text
    assert "follows nothing" in (await user.say("/subscriptions")).text
    after = await admin.say("/stats")
    assert "1 request to /forget (1 question, 0 posts, 0 links, 1 subscription)" in after.text
