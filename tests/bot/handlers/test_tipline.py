"""The tipline end to end through the Bot API emulator: forwarded posts (Bot API 7 ``forward_origin``
and the older ``forward_from``), long texts, links, inline mode, and the team's unanswered list, in
private chats and in groups."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.handlers.tipline import WEEKLY_DIGEST_JOB
from bot.render import ButtonKind
from tests.bot.emulator import Emulator
from tests.bot.harness import ADMIN_ID, GOLD, GROUP_ID, USER_ID, Person, RunningBot, button

CHANNEL = {"id": -100_777, "type": "channel", "title": "Totally Real News", "username": "totallyreal"}
RUMOUR = ("🔥 BREAKING: Ursula von der Leyen admitted it herself: “Tariffs are taxes, they are bad for "
          "business.” Meanwhile Brussels will ban all American cars from 1 May, insiders say.")
UNTRACKED = ("Scientists confirm that drinking seawater cures the flu within two days. "
             "Doctors are hiding this from you.")
BARE = "Greenland is not a real estate deal. It belongs to the people of Greenland and nobody else."


async def edited_after(emulator: Emulator, start: int) -> Any:
    """The bot's next edit of a message (a button redraws its list after answering the press)."""
    api = emulator.api
    return await api.wait_until(lambda: next((s for s in api.sent[start:] if s.method == "editMessageText"),
                                             None))


def channel_origin() -> dict[str, Any]:
    return {"type": "channel", "chat": CHANNEL, "message_id": 42}


@pytest.mark.parametrize("legacy", [False, True], ids=["forward_origin", "forward_from"])
async def test_forwarded_post_lists_the_tracked_claims_and_what_is_not_tracked(
    bot: RunningBot, user: Person, legacy: bool
) -> None:
    reply = await user.say(RUMOUR, forward=channel_origin(), legacy_forward=legacy)
    assert "of the 2 statements in this post is tracked" in reply.text
    assert "Ursula von der Leyen" in reply.text
    assert "Tariffs are taxes" in reply.text
    assert "unverified" in reply.text
    assert "/claim 2" in reply.text
    assert "Not tracked yet" in reply.text
    assert "American cars" in reply.text
    assert button(reply, "History #2")


async def test_forward_from_a_user_in_the_old_format_is_a_post_too(bot: RunningBot, user: Person,
                                                                   admin: Person) -> None:
    origin = {"type": "user", "sender_user": admin.user}
    reply = await user.say(BARE, forward=origin, legacy_forward=True)
    assert "in this post" in reply.text
    hidden = await user.say(BARE, forward={"type": "hidden_user", "sender_user_name": "Anon"})
    assert "in this post" in hidden.text


async def test_post_without_quotes_is_matched_sentence_by_sentence(bot: RunningBot, user: Person) -> None:
    reply = await user.say(BARE, forward=channel_origin())
    assert "tracked:" in reply.text
    assert "Mette Frederiksen" in reply.text
    assert "Greenland is not a real estate deal" in reply.text
    assert "Here is what I found" not in reply.text  # not answered as one question


async def test_untracked_post_says_so_and_reaches_the_team(bot: RunningBot, user: Person,
                                                           admin: Person) -> None:
    reply = await user.say(UNTRACKED, forward=channel_origin())
    assert "none of them is a claim we track yet" in reply.text
    assert "passed it on to the fact-checking team" in reply.text
    listing = await admin.say("/unanswered")
    assert "forwarded post" in listing.text
    assert "drinking seawater" in listing.text


async def test_long_pasted_text_is_a_post_and_short_text_stays_a_question(bot: RunningBot,
                                                                          user: Person) -> None:
    long = RUMOUR + " " + UNTRACKED + " Please share this with everyone you know before they delete it."
    assert len(long) > 280
    reply = await user.say(long)
    assert "statements in this post" in reply.text
    assert "Ursula von der Leyen" in reply.text
    short = await user.say("What did von der Leyen say about tariffs?")
    assert short.text.startswith("Here is what I found")


async def test_forwarded_photo_caption_is_checked(bot: RunningBot, user: Person) -> None:
    reply = await user.say(None, photo=True, caption=RUMOUR, forward=channel_origin())
    assert "Ursula von der Leyen" in reply.text
    assert "in this post" in reply.text


async def test_link_to_a_tracked_article_lists_its_claims_without_fetching(
    bot: RunningBot, user: Person, emulator: Emulator
) -> None:
    reply = await user.say("is this true? https://www.news.example/wire_tariffs.txt/?utm_source=tw&fbclid=x")
    assert "tracked claims" in reply.text
    assert "EU readies countermeasures" in reply.text
    assert "Tariffs are taxes" in reply.text
    assert emulator.article_requests == []


async def test_unknown_link_is_recorded_for_the_team_and_never_fetched_for_readers(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator
) -> None:
    emulator.articles["health.txt"] = ("text/plain", (GOLD / "clintons_health.txt").read_bytes())
    url = f"{emulator.url}/articles/health.txt"
    reply = await user.say(url)
    assert "is not an article we track yet" in reply.text
    assert "noted it for the fact-checking team" in reply.text
    assert reply.buttons() == []
    await user.say(f"{url}?utm_campaign=spring")  # the same link, tracked differently: one entry
    assert emulator.article_requests == []
    listing = await admin.say("/unanswered")
    assert "Links readers sent that we do not track (1)" in listing.text
    assert "2×" in listing.text
    assert button(listing, "Ingest L1")


async def test_admin_ingests_an_unknown_link_with_the_button(
    start_bot: Callable[..., Any], admin: Person, user: Person, emulator: Emulator
) -> None:
    await start_bot(allow_private_urls=True)
    emulator.articles["health.txt"] = ("text/plain", (GOLD / "clintons_health.txt").read_bytes())
    url = f"{emulator.url}/articles/health.txt"
    offer = await admin.say(url)
    assert "Ingest it?" in offer.text
    assert emulator.article_requests == []
    start = len(emulator.api.sent)
    answer = await admin.press(offer, button(offer, "Ingest"))
    assert answer["text"] == "Fetching the article…"
    report = await emulator.api.wait_until(
        lambda: next((s for s in emulator.api.sent[start:] if s.text.startswith("Ingested")), None))
    assert "(new)" in report.text
    assert emulator.article_requests == ["health.txt"]
    now = await user.say(f"what does this say? {url}")
    assert "tracked claims" in now.text
    listing = await admin.say("/unanswered")
    assert "do not track" not in listing.text  # ingested: off the team's list


async def test_only_admins_can_press_ingest(bot: RunningBot, admin: Person, user: Person,
                                            emulator: Emulator) -> None:
    emulator.api.add_group(GROUP_ID, admins=[ADMIN_ID])
    in_group = admin.in_group(GROUP_ID)
    offer = await in_group.say("@claimbot_test_bot https://elsewhere.example/story")
    answer = await user.in_group(GROUP_ID).press(offer, button(offer, "Ingest"))
    assert answer["text"] == "Only the claimbot team can ingest articles."


async def test_groups_only_when_addressed_and_nudges_check_the_replied_post(
    bot: RunningBot, user: Person, emulator: Emulator
) -> None:
    emulator.api.add_group(GROUP_ID)
    member = user.in_group(GROUP_ID)
    await member.says_nothing_to(RUMOUR, forward=channel_origin())
    await member.says_nothing_to("https://elsewhere.example/story")
    forwarded = emulator.api.user_sends(member.user, RUMOUR, chat_id=GROUP_ID, forward=channel_origin())
    nudge = await member.say("@claimbot_test_bot is this true?", reply_to=forwarded)
    assert "Ursula von der Leyen" in nudge.text
    assert nudge.reply_to is not None
    checked = await member.say("/check", reply_to=forwarded)
    assert "in this post" in checked.text
    usage = await member.say("/check")
    assert usage.text.startswith("Usage: reply /check")
    own = await member.say("/check Frederiksen said Greenland is not a real estate deal")
    assert "Mette Frederiksen" in own.text


async def test_inline_answers_with_claim_speaker_verdict_and_deep_link(
    bot: RunningBot, user: Person, emulator: Emulator
) -> None:
    first = await user.inline("greenland")
    assert first["cache_time"] == 30
    assert first["is_personal"] is False
    results = first["results"]
    assert 0 < len(results) <= 10
    top = results[0]
    assert top["title"].startswith("Mette Frederiksen · ") and "unverified" in top["title"]
    assert "Greenland" in top["description"]
    text = top["input_message_content"]["message_text"]
    claim_id = int(top["id"].removeprefix("claim-"))
    assert f"https://t.me/claimbot_test_bot?start=claim_{claim_id}" in text
    assert "Greenland" in text and "Mette Frederiksen" in text
    assert top["reply_markup"]["inline_keyboard"][0][0]["url"].endswith(f"start=claim_{claim_id}")
    nothing = await user.inline("recipe for apple pie")
    assert nothing["results"] == []
    assert nothing["button"]["start_parameter"] == "inline"


async def test_inline_pages_with_next_offset(bot: RunningBot, user: Person) -> None:
    seen: list[str] = []
    offset, pages = "", 0
    while True:  # an empty query pages through the newest claims: 27 in the seeded store
        page = await user.inline("", offset=offset)
        seen.extend(r["id"] for r in page["results"])
        pages += 1
        offset = page["next_offset"]
        if not offset:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 27


async def test_inline_result_sent_into_our_chat_is_not_taken_as_a_question(
    bot: RunningBot, user: Person, emulator: Emulator
) -> None:
    answer = await user.inline("frederiksen greenland")
    chosen = answer["results"][0]
    query_id = next(q for q, a in emulator.api.inline_answers.items() if a is answer)
    sent = emulator.api.choose_inline_result(user.user, query_id, chosen["id"], chat_id=user.chat_id)
    assert "start=claim_" in sent["text"]
    marker = await user.say("/help")
    assert "Commands" in marker.text
    replies = [s for s in emulator.api.sent if s.chat_id == user.chat_id]
    assert replies == [marker]  # nothing answered the inline message


async def test_unanswered_groups_similar_questions_and_handled_closes_a_group(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator
) -> None:
    other = Person(emulator.api, 3333, "Carol")
    for person, question in ((user, "is it true that the moon landing was faked"),
                             (user, "is it true that the moon landing was faked"),
                             (other, "was the moon landing faked?"),
                             (other, "who painted the mona lisa")):
        reply = await person.say(question)
        assert "I have no claim on" in reply.text
    listing = await admin.say("/unanswered 30")
    assert "Unanswered in the last 30 days" in listing.text
    lines = listing.text.splitlines()
    first = next(n for n, line in enumerate(lines) if line.startswith("1. "))
    assert "moon landing" in lines[first] and "3× by 2 people" in lines[first]
    assert "mona lisa" in lines[first + 2] or "mona lisa" in lines[first + 1]
    start = len(emulator.api.sent)
    answer = await admin.press(listing, button(listing, "✓ 1 handled"))
    assert answer["text"] == "Marked handled: 3 questions."
    edited = await edited_after(emulator, start)
    assert "moon landing" not in edited.text
    assert "mona lisa" in edited.text
    assert (await admin.press(listing, button(listing, "✓ 1 handled")))["text"] == (
        "That group was already handled.")
    assert "only for the claimbot team" in (await user.say("/unanswered")).text
    assert (await admin.say("/unanswered soon")).text.startswith("Usage: /unanswered [DAYS]")
    assert "between 1 and 365" in (await admin.say("/unanswered 0")).text


async def test_stats_shows_the_unanswered_groups_with_handled_buttons(
    bot: RunningBot, user: Person, admin: Person, emulator: Emulator
) -> None:
    await user.say("who painted the mona lisa")
    stats = await admin.say("/stats")
    assert "Unanswered this week" in stats.text
    assert "mona lisa" in stats.text
    start = len(emulator.api.sent)
    answer = await admin.press(stats, button(stats, "✓ 1 handled"))
    assert answer["text"] == "Marked handled: 1 question."
    edited = await edited_after(emulator, start)
    assert "claimbot statistics" in edited.text
    assert "No unanswered questions." in edited.text
    forged = await user.press(stats, stats.buttons()[0]["callback_data"])
    assert forged["text"] == "Only the claimbot team can do that."


async def test_askers_are_stored_pseudonymised(bot: RunningBot, user: Person, emulator: Emulator,
                                               db_path: Path) -> None:
    emulator.api.add_group(GROUP_ID)
    await user.say("who painted the mona lisa")
    await user.in_group(GROUP_ID).say("@claimbot_test_bot who painted the mona lisa")
    await user.say(UNTRACKED, forward=channel_origin())
    with sqlite3.connect(db_path) as conn:
        columns = [r[1] for r in conn.execute("pragma table_info(questionlog)")]
        rows = conn.execute("select asker, chat_id, kind from questionlog order by id").fetchall()
    assert "user_id" not in columns
    assert len(rows) == 3
    assert len({r[0] for r in rows}) == 1  # one person, one pseudonym
    assert str(USER_ID) not in rows[0][0] and len(rows[0][0]) == 32
    assert [r[1] for r in rows] == [None, GROUP_ID, None]  # a private chat's id is the user's id
    assert [r[2] for r in rows] == ["question", "question", "post"]


async def test_weekly_digest_goes_to_admins_once_a_week(start_bot: Callable[..., Any], user: Person,
                                                        admin: Person, emulator: Emulator) -> None:
    running = await start_bot(unanswered_digest="monday 09:00")
    await user.say("who painted the mona lisa")
    jobs = running.app.job_queue.get_jobs_by_name(WEEKLY_DIGEST_JOB)
    assert len(jobs) == 1
    start = len(emulator.api.sent)
    await jobs[0].run(running.app)
    digest = [s for s in emulator.api.sent[start:] if s.chat_id == ADMIN_ID]
    assert len(digest) == 1
    assert "Weekly digest" in digest[0].text
    assert "mona lisa" in digest[0].text
    assert any(b["callback_data"].startswith(ButtonKind.HANDLED.value) for b in digest[0].buttons())
    await jobs[0].run(running.app)  # the same week again (another replica, a restart): nothing
    assert [s for s in emulator.api.sent[start:] if s.chat_id == ADMIN_ID] == digest
