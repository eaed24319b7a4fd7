"""Speakers and topics as editors curate them, end to end: /topics by activity, /speaker and /topic
for admins (refused to everyone else), and /subscribe to a phrase."""

from __future__ import annotations

import re

from tests.bot.harness import Person, RunningBot


async def test_topics_are_listed_most_active_first(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/topics")
    assert reply.text.startswith("Topics, most active lately first")
    lines = [line for line in reply.text.splitlines() if line.startswith("• ")]
    assert re.match(r"• Tariffs — (\d+) claims", lines[0])  # the busiest topic of the seeded store
    assert "/claims greenland" in reply.text


async def test_speaker_alias_rename_and_merge(bot: RunningBot, admin: Person, user: Person) -> None:
    aliased = await admin.say("/speaker alias Frederiksen as the Danish leader")
    assert aliased.text.startswith("✅ Mette Frederiksen is now also found as “the Danish leader”.")
    listed = await user.say("/claims the Danish leader")
    assert "Claims by Mette Frederiksen" in listed.text

    renamed = await admin.say("/speaker rename Stahl to Werner Stahl")
    assert renamed.text.startswith("✅ Speaker renamed: WV Stahl → Werner Stahl")
    assert "Claims by Werner Stahl" in (await user.say("/claims WV Stahl")).text

    merged = await admin.say("/speaker merge European Commission into von der Leyen")
    assert merged.text.startswith("✅ Speaker European Commission merged into Ursula von der Leyen. 2 claims")
    speakers = await user.say("/speakers")
    assert "European Commission —" not in speakers.text
    assert "Ursula von der Leyen (European Commission president) — 5 claims" in speakers.text

    usage = await admin.say("/speaker merge Frederiksen")
    assert usage.text.startswith("Usage: /speaker merge NAME into NAME")
    unknown = await admin.say("/speaker rename Nobody Known to Someone")
    assert "There is no speaker called 'Nobody Known'" in unknown.text


async def test_configured_topics_are_not_renamed_here(bot: RunningBot, admin: Person) -> None:
    reply = await admin.say("/topic hide greenland")
    assert "'Greenland' is a configured topic; edit config/topics.toml instead." in reply.text
    assert (await admin.say("/topic")).text.startswith("Usage: /topic rename NAME to NEW NAME")


async def test_editorial_commands_are_for_admins_only(bot: RunningBot, user: Person) -> None:
    for command in ("/speaker merge A into B", "/topic hide greenland"):
        reply = await user.say(command)
        assert "is only for the claimbot team" in reply.text


async def test_subscribe_to_a_phrase(bot: RunningBot, user: Person) -> None:
    reply = await user.say('/subscribe "tariffs on European cars" weekly mon 09:00')
    assert reply.text.startswith("✅ Subscribed to “tariffs on European cars” (search), weekly")
    listed = await user.say("/subscriptions")
    assert "“tariffs on European cars” (search)" in listed.text
    gone = await user.say('/unsubscribe "tariffs on European cars"')
    assert "no longer follows “tariffs on European cars” (search)" in gone.text
