"""Every user command and button, over HTTP through the emulator, against the real Application."""

from __future__ import annotations

import re

from bot.render import ButtonKind
from claims.store.listing import ClaimScope
from tests.bot.emulator import Emulator
from tests.bot.harness import ADMIN_ID, Person, RunningBot, button


async def test_start_welcomes_and_shows_how_to_ask(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/start")
    assert "Just send me a question" in reply.text
    assert reply.parse_mode == "HTML"


async def test_start_deep_link_opens_the_claim(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/start claim_2")
    assert reply.text.startswith("Claim #2")
    assert "Tariffs are taxes" in reply.text
    missing = await user.say("/start claim_9999")
    assert missing.text == "There is no claim #9999."


async def test_help_lists_admin_commands_only_for_admins(bot: RunningBot, user: Person,
                                                         admin: Person) -> None:
    for_user = await user.say("/help")
    assert "/claims" in for_user.text
    assert "/verdict" not in for_user.text
    for_admin = await admin.say("/help")
    assert "/verdict" in for_admin.text
    assert "/ingest" in for_admin.text


async def test_plain_text_question_gets_claims_with_speaker_source_and_verdict(
    bot: RunningBot, user: Person
) -> None:
    reply = await user.say("What did von der Leyen say about tariffs?")
    assert reply.text.startswith("Here is what I found")
    assert "Ursula von der Leyen" in reply.text
    assert "Tariffs are taxes" in reply.text
    assert "unverified" in reply.text
    assert 'href="https://news.example/wire_tariffs.txt"' in reply.html
    assert button(reply, "History #2")


async def test_unanswerable_question_says_so_and_lists_known_topics(bot: RunningBot, user: Person) -> None:
    reply = await user.say("what is the weather in Paris tomorrow")
    assert "I have no claim on" in reply.text
    assert "Greenland" in reply.text
    assert "Tariffs" in reply.text
    assert reply.buttons() == []


async def test_ask_command(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/ask frederiksen greenland")
    assert "Mette Frederiksen" in reply.text
    usage = await user.say("/ask")
    assert usage.text.startswith("Usage: /ask QUESTION")


async def test_topics_and_speakers(bot: RunningBot, user: Person) -> None:
    topics = await user.say("/topics")
    assert "Greenland" in topics.text
    assert "/claims tariffs" in topics.text
    speakers = await user.say("/speakers")
    assert "Mette Frederiksen" in speakers.text
    assert "Ursula von der Leyen" in speakers.text


async def test_claims_newest_by_topic_and_by_speaker(bot: RunningBot, user: Person) -> None:
    latest = await user.say("/claims")
    assert "Claims so far" in latest.text
    by_topic = await user.say("/claims greenland")
    assert "Claims on Greenland" in by_topic.text
    assert "Greenland is not a real estate deal" in by_topic.text
    assert "Tariffs are taxes" not in by_topic.text
    by_speaker = await user.say("/claims Frederiksen")
    assert "Claims by Mette Frederiksen" in by_speaker.text
    unknown = await user.say("/claims Atlantis")
    assert "I know no topic or speaker called “Atlantis”" in unknown.text


def _ids(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) · /claim", text, flags=re.MULTILINE)]


async def test_claims_pages_through_every_claim(bot: RunningBot, user: Person, emulator: Emulator) -> None:
    total = bot.app.bot_data.services.claims.stats().store.active_claims
    assert total > 10  # the seeded store needs more than one page
    page = await user.say("/claims")
    assert f"1–10 of {total}" in page.text
    seen = _ids(page.text)
    pages = [page]
    while any(b["text"] == "Older ▶" for b in page.buttons()):
        await user.press(page, button(page, "Older ▶"))
        page = emulator.api.sent[-1]
        assert page.method == "editMessageText" and page.message_id == pages[0].message_id
        seen += _ids(page.text)
        pages.append(page)
    assert sorted(seen) == sorted(set(seen)) and len(seen) == total  # every claim once
    assert f"of {total}" in page.text and len(pages) == -(-total // 10)
    await user.press(page, button(page, "◀ Newer"))
    assert _ids(emulator.api.sent[-1].text) == _ids(pages[-2].text)
    tariffs = await user.say("/claims tariffs")
    assert "Claims on Tariffs" in tariffs.text
    codec = bot.app.bot_data.services.codec
    gone = codec.encode(ButtonKind.CLAIMS_PAGE, ClaimScope("topic", 99_999).code, 1)
    assert (await user.press(tariffs, gone))["text"] == "This button has expired. Please ask again."


async def test_claim_shows_everything(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/claim 2")
    text = reply.text
    assert text.startswith("Claim #2")
    assert "Ursula von der Leyen" in text
    assert "Verdict: ❔ unverified" in text
    assert "Sources (1)" in text
    assert "Revisions: 1 — /history 2" in text
    assert "start=claim_2" in text
    assert button(reply, "History")
    assert (await user.say("/claim")).text.startswith("Usage: /claim ID")
    assert "is not a claim number" in (await user.say("/claim abc")).text
    assert (await user.say("/claim #99999")).text == "There is no claim #99999."


async def test_history(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/history 2")
    assert "History of claim #2" in reply.text
    assert "r1" in reply.text
    assert "first reported from" in reply.text
    assert (await user.say("/history")).text.startswith("Usage: /history ID")


async def test_history_button(bot: RunningBot, user: Person, emulator: Emulator) -> None:
    reply = await user.say("/claim 2")
    start = len(emulator.api.sent)
    answer = await user.press(reply, button(reply, "History"))
    assert answer["text"] is None
    shown = [s for s in emulator.api.sent[start:] if s.chat_id == user.chat_id]
    assert shown
    assert "History of claim #2" in shown[0].text


async def test_more_results_edits_the_answer_in_place(bot: RunningBot, user: Person,
                                                      emulator: Emulator) -> None:
    first = await user.say("greenland")
    assert "Here is what I found" in first.text
    await user.press(first, button(first, "More results"))
    edited = emulator.api.sent[-1]
    assert edited.method == "editMessageText"
    assert edited.message_id == first.message_id
    assert "More results (page 2)" in edited.text
    back = button(edited, "◀ Previous")
    await user.press(edited, back)
    assert emulator.api.sent[-1].text.startswith("Here is what I found")


async def test_forged_and_stale_buttons_get_a_polite_answer(bot: RunningBot, user: Person) -> None:
    reply = await user.say("/claim 2")
    codec = bot.app.bot_data.services.codec
    for data in ["history:2:AAAAAAAAAA", "hello", "more:1:0", "history:2" + "x" * 60,
                 codec.encode(ButtonKind.MORE, 999_999, 1),
                 codec.encode(ButtonKind.HISTORY, 999_999)]:
        answer = await user.press(reply, data)
        assert answer["text"] == "This button has expired. Please ask again."
    assert (await user.say("/help")).text.startswith("Commands")


async def test_unknown_command_and_non_text(bot: RunningBot, user: Person) -> None:
    assert "I don't know that command" in (await user.say("/frobnicate")).text
    reply = await user.say(None, document=("notes.txt", b"some text"))
    assert "I can only read questions written as text" in reply.text


async def test_in_groups_only_commands_mentions_and_replies(bot: RunningBot, user: Person,
                                                            emulator: Emulator) -> None:
    emulator.api.add_group(-1001, "Newsroom")
    group = user.in_group(-1001)
    await group.says_nothing_to("greenland is interesting")
    await group.says_nothing_to("/topics@some_other_bot")
    mention = await group.say("@claimbot_test_bot what about greenland?")
    assert "Greenland is not a real estate deal" in mention.text
    assert mention.reply_to == group.last["message_id"]
    follow_up = await group.say("and tariffs?", reply_to=mention)
    assert "Tariffs" in follow_up.text or "tariffs" in follow_up.text
    command = await group.say("/topics@claimbot_test_bot")
    assert "Greenland" in command.text


async def test_command_menus(bot: RunningBot, emulator: Emulator, admin: Person) -> None:
    api = emulator.api
    assert "claims" in api.commands_for()
    assert "verdict" not in api.commands_for()
    # The admin's chat did not exist at start-up; their menu is set on their first /start.
    assert api.commands_for(ADMIN_ID) == []
    await admin.say("/start")
    assert {"verdict", "ingest", "claims"} <= set(api.commands_for(ADMIN_ID))


async def test_admin_menu_at_start_up_when_the_chat_exists(start_bot, emulator: Emulator) -> None:  # type: ignore[no-untyped-def]
    emulator.api.add_user(ADMIN_ID, "Alice")
    await start_bot()
    assert "stats" in emulator.api.commands_for(ADMIN_ID)
