"""Subscriptions and digests end to end: commands, buttons, /digest_now, Telegram's failures, restarts.

The bot runs as in production (JobQueue ticks, a background delivery runner), against the HTTP
emulator. ``FAST`` turns off the settle window (so a change just made is digest material at once)
and makes the background runner look at the outbox only when woken, so ``/digest_now``'s own drain
is what sends, and its reply's counts are deterministic.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot import console
from bot.digests import DigestConfig
from bot.fakeapi.errors import ApiError, Fault
from bot.fakeapi.methods import Sent
from bot.jobs import ENQUEUE_JOB, FEEDS_JOB
from bot.render import ButtonKind
from claims.settings import DEFAULT_CONFIG_DIR, Settings
from claims.store import db
from claims.store.models import DigestOutbox, Speaker, Subscription, utcnow
from tests.bot.emulator import Emulator
from tests.bot.harness import GOLD, Person, RunningBot, button
from tests.claims.digest_world import store_alias

FAST = DigestConfig(settle=timedelta(0), outbox_poll_seconds=3600)
EXPIRED = "This button has expired. Please ask again."
GREENLAND_OLD = "No. Greenland is not a real estate deal"
GREENLAND_NEW = "Greenland is not for sale, and it never will be."


@pytest.fixture
async def fast_bot(start_bot: Callable[..., Any]) -> RunningBot:
    return await start_bot(digests=FAST)


def sent_to(emulator: Emulator, chat_id: int, start: int) -> list[Sent]:
    return [s for s in emulator.api.sent[start:] if s.chat_id == chat_id]


def digests_to(emulator: Emulator, chat_id: int, start: int) -> list[Sent]:
    return [s for s in sent_to(emulator, chat_id, start) if "What changed" in s.text]


async def next_edit(emulator: Emulator, start: int) -> Sent:
    """The bot's first edit after ``start`` (buttons are answered first, then the message edited)."""
    edits = await emulator.api.wait_until(
        lambda: [s for s in emulator.api.sent[start:] if s.method == "editMessageText"])
    return edits[0]


def send_attempts(emulator: Emulator, chat_id: int, start: int) -> int:
    return sum(1 for method, params in emulator.api.calls[start:]
               if method == "sendMessage" and str(params.get("chat_id")) == str(chat_id))


async def change_greenland(admin: Person) -> None:
    """One wording change to claim #21 (Greenland, Mette Frederiksen)."""
    reply = await admin.say(f"/edit 21 {GREENLAND_NEW}")
    assert "Edited." in reply.text


# ---------------------------------------------------------------------------- commands


async def test_subscribe_list_remove_and_unsubscribe(fast_bot: RunningBot, user: Person,
                                                     emulator: Emulator) -> None:
    first = await user.say("/subscribe greenland")
    assert first.text.startswith("✅ Subscribed to Greenland (topic), daily 08:00 UTC.")
    assert "Next digest:" in first.text
    weekly = await user.say("/subscribe Trump weekly mon 09:30")
    assert "Donald Trump (speaker), weekly monday 09:30 UTC" in weekly.text
    instant = await user.say("/subscribe claim 3 instant")
    assert "claim #3 “the EU remained ready to negotiate”, instant" in instant.text
    again = await user.say("/subscribe greenland hourly")
    assert again.text.startswith("✅ Updated: this chat follows Greenland (topic), hourly.")

    listing = await user.say("/subscriptions")
    assert "This chat follows (3)" in listing.text
    assert "1. Greenland (topic) — hourly" in listing.text
    assert "2. Donald Trump (speaker) — weekly monday 09:30 UTC" in listing.text
    assert [b["text"][:4] for b in listing.buttons()] == ["✖ 1.", "✖ 2.", "✖ 3."]

    start = len(emulator.api.sent)
    answer = await user.press(listing, button(listing, "✖ 1. Greenland"))
    assert answer["text"] == "Unsubscribed from Greenland"
    edited = await next_edit(emulator, start)
    assert edited.message_id == listing.message_id
    assert "This chat follows (2)" in edited.text
    assert "Greenland" not in edited.text
    stale = await user.press(listing, button(listing, "✖ 1. Greenland"))  # the old message's button
    assert stale["text"] == "That subscription was already removed."

    gone = await user.say("/unsubscribe trump")
    assert gone.text == "Unsubscribed: this chat no longer follows Donald Trump (speaker)."
    assert (await user.say("/unsubscribe trump")).text == "This chat does not follow Donald Trump."
    assert "claim #3" in (await user.say("/unsubscribe #3")).text
    empty = await user.say("/subscriptions")
    assert empty.text.startswith("This chat follows nothing yet.")
    assert empty.buttons() == []


async def test_timezone_moves_digests(fast_bot: RunningBot, user: Person) -> None:
    assert "This chat's time zone is UTC" in (await user.say("/timezone")).text
    assert "Time zone set to Europe/Berlin" in (await user.say("/timezone europe/berlin")).text
    reply = await user.say("/subscribe nato daily 07:15")
    assert "NATO (topic), daily 07:15 Europe/Berlin" in reply.text
    assert "07:15 (Europe/Berlin)" in reply.text
    await user.say("/timezone America/New_York")
    assert "daily 07:15 America/New_York" in (await user.say("/subscriptions")).text
    bad = await user.say("/timezone Mars/Olympus_Mons")
    assert bad.text.startswith("Unknown time zone 'Mars/Olympus_Mons'")


@pytest.mark.parametrize(("command", "expected"), [
    ("/subscribe", 'Usage: /subscribe TOPIC|SPEAKER|claim ID|"PHRASE" [daily HH:MM | weekly DAY HH:MM'),
    ("/subscribe daily 08:00", "Usage: /subscribe TOPIC|SPEAKER|claim ID"),
    ("/subscribe greenland weekly", "A weekly schedule needs a day"),
    ("/subscribe greenland weekly someday 08:00", "'someday' is not a day of the week"),
    ("/subscribe greenland daily 25:00", "'25:00' is not a time"),
    ("/subscribe greenland hourly 08:00", "hourly takes no time"),
    ("/subscribe greenland daily 08:00 extra", "Too many words in the schedule"),
    ("/subscribe Atlantis", "No topic, speaker or claim matches 'Atlantis'"),
    ("/subscribe claim 99999", "There is no claim #99999."),
    ("/unsubscribe", "Usage: /unsubscribe TOPIC|SPEAKER|claim ID"),
    ("/subscribe <b>x</b> & co", "No topic, speaker or claim matches '<b>x</b> & co'"),
])
async def test_bad_arguments_get_a_usage_message(fast_bot: RunningBot, user: Person, command: str,
                                                  expected: str) -> None:
    reply = await user.say(command)
    assert reply.text.startswith(expected)
    assert (await user.say("/subscriptions")).text.startswith("This chat follows nothing yet.")


async def test_ambiguous_name_offers_choices_with_the_schedule(
    start_bot: Callable[..., Any], db_path: Path, user: Person, emulator: Emulator
) -> None:
    engine = db.make_engine(f"sqlite:///{db_path}")
    with db.session_scope(engine) as session:
        speaker = Speaker(name="Anders Fogh Rasmussen")
        session.add(speaker)
        session.flush()
        store_alias(session=session, speaker=speaker, alias="Rasmussen")
    engine.dispose()
    bot = await start_bot(digests=FAST)

    question = await user.say("/subscribe rasmussen weekly friday 18:00")
    assert "“rasmussen” could mean more than one thing" in question.text
    labels = [b["text"] for b in question.buttons()]  # the most quoted first
    assert labels == ["Lars Lokke Rasmussen (speaker)", "Anders Fogh Rasmussen (speaker)"]

    start = len(emulator.api.sent)
    answer = await user.press(question, button(question, "Lars"))
    assert answer["text"] == "Following Lars Lokke Rasmussen"
    edited = await next_edit(emulator, start)
    assert edited.message_id == question.message_id
    assert "Subscribed to Lars Lokke Rasmussen (speaker), weekly friday 18:00 UTC." in edited.text
    assert edited.buttons() == []

    codec = bot.app.bot_data.services.codec
    assert (await user.press(question, "pick_s:11:50000:AAAAAAAAAA"))["text"] == EXPIRED  # forged
    stale = await user.press(question, codec.encode(ButtonKind.PICK_SPEAKER, 99_999, 50_000))
    assert stale["text"] == "There is no speaker #99999."
    # signed, impossible schedule:
    odd = await user.press(question, codec.encode(ButtonKind.PICK_SPEAKER, 11, 999_999))
    assert odd["text"].startswith("That button is out of date.")

    # /unsubscribe with the same name: only one of them is followed here, so that one goes.
    gone = await user.say("/unsubscribe rasmussen")
    assert gone.text == "Unsubscribed: this chat no longer follows Lars Lokke Rasmussen (speaker)."

    # Following both: the reply offers their remove buttons.
    await user.say("/subscribe Anders Fogh Rasmussen")
    await user.say("/subscribe Lars Lokke Rasmussen")
    which = await user.say("/unsubscribe rasmussen")
    assert "Which one do you want to stop following?" in which.text
    assert [b["text"] for b in which.buttons()] == ["✖ 1. Lars Lokke Rasmussen", "✖ 2. Anders Fogh Rasmussen"]
    start = len(emulator.api.sent)
    await user.press(which, button(which, "✖ 1."))
    assert "1. Anders Fogh Rasmussen (speaker)" in (await next_edit(emulator, start)).text


async def test_follow_button_on_answers(fast_bot: RunningBot, user: Person, emulator: Emulator) -> None:
    answer = await user.say("greenland")
    follow = button(answer, "Follow Greenland")
    start = len(emulator.api.sent)
    pressed = await user.press(answer, follow)
    assert pressed["text"] == "Following Greenland"
    confirm = await emulator.api.wait_until(lambda: sent_to(emulator, user.chat_id, start))
    assert confirm[0].text.startswith("✅ Subscribed to Greenland (topic), daily 08:00 UTC.")
    claim = await user.say("/claim 2")
    assert button(claim, "Follow Tariffs")

    codec = fast_bot.app.bot_data.services.codec
    assert (await user.press(answer, "follow:21:AAAAAAAAAA"))["text"] == EXPIRED
    stale = await user.press(answer, codec.encode(ButtonKind.FOLLOW, 99_999))
    assert stale["text"] == "There is no claim #99999."
    assert "1. Greenland (topic)" in (await user.say("/subscriptions")).text


# ---------------------------------------------------------------------------- digests


async def test_a_change_then_digest_now_delivers_exactly_one_digest(
    fast_bot: RunningBot, admin: Person, user: Person, emulator: Emulator
) -> None:
    carol = Person(emulator.api, 3333, "Carol")
    await user.say("/subscribe greenland")
    await carol.say("/subscribe tariffs")  # follows something that does not change
    await change_greenland(admin)
    start = len(emulator.api.sent)

    report = await admin.say("/digest_now")
    assert "Digest run for all subscriptions: 2 active subscriptions checked." in report.text
    assert "1 digest recorded (1 message); 1 had nothing new." in report.text
    assert "Delivered now: 1 message (1 digest complete)." in report.text
    got = sent_to(emulator, user.chat_id, start)
    assert len(got) == 1
    digest = got[0]
    assert digest.parse_mode == "HTML"
    assert digest.text.startswith("What changed: Greenland — 1 update")
    assert "✏️ Reworded · #21 Mette Frederiksen" in digest.text
    before, after = digest.text.index(f"Before: “{GREENLAND_OLD}"), digest.text.index("After: “")
    assert before < after
    assert f"After: “{GREENLAND_NEW}”" in digest.text
    assert "/claim 21 · /history 21" in digest.text
    assert 'href="https://news.example/interview_frederiksen.txt"' in digest.html
    assert sent_to(emulator, carol.chat_id, start) == []

    # Nothing changed since: no message at all, and the admin is told so.
    start = len(emulator.api.sent)
    again = await admin.say("/digest_now greenland")
    assert "Digest run for followers of Greenland: 1 active subscription checked." in again.text
    assert "Nothing they follow changed: no digest to send." in again.text
    assert sent_to(emulator, user.chat_id, start) == []


async def test_one_digest_per_chat_with_each_change_once(
    fast_bot: RunningBot, admin: Person, user: Person, emulator: Emulator
) -> None:
    for target in ("greenland", "Frederiksen", "claim 21"):  # all three cover claim #21
        assert "Subscribed" in (await user.say(f"/subscribe {target}")).text
    await change_greenland(admin)
    start = len(emulator.api.sent)
    report = await admin.say("/digest_now")
    assert "3 active subscriptions checked." in report.text
    assert "1 digest recorded (1 message)" in report.text
    [digest] = sent_to(emulator, user.chat_id, start)
    head = digest.text.splitlines()[0]
    assert head.startswith("What changed: Greenland, Mette Frederiksen, claim #21") and "— 1 update" in head
    assert digest.text.count("#21 Mette Frederiksen") == 1
    assert digest.text.count(f"After: “{GREENLAND_NEW}”") == 1
    again = await admin.say("/digest_now")  # every watermark moved: nothing is told twice
    assert "Nothing they follow changed" in again.text


async def test_long_digests_are_split_under_the_limit(fast_bot: RunningBot, admin: Person, user: Person,
                                                     emulator: Emulator) -> None:
    await user.say("/subscribe Frederiksen")
    for claim_id in (16, 17, 18, 19, 20, 21, 23, 24, 25):
        await admin.say(f"/edit {claim_id} " + f"Reworded claim {claim_id}: " + "a long sentence. " * 40)
    start = len(emulator.api.sent)
    report = await admin.say("/digest_now")
    parts = sent_to(emulator, user.chat_id, start)
    assert len(parts) >= 2
    assert f"1 digest recorded ({len(parts)} messages)" in report.text
    assert all(len(p.text) <= 4096 for p in parts)
    assert parts[1].text.startswith("What changed: Mette Frederiksen (continued)")
    assert sum(p.text.count("✏️ Reworded") for p in parts) == 9


async def test_blocked_chat_is_paused_and_others_still_get_theirs(
    fast_bot: RunningBot, admin: Person, user: Person, emulator: Emulator
) -> None:
    carol = Person(emulator.api, 3333, "Carol")
    await user.say("/subscribe greenland")
    await carol.say("/subscribe greenland")
    await change_greenland(admin)
    fault = emulator.block(user.chat_id)
    start = len(emulator.api.sent)
    calls = len(emulator.api.calls)

    report = await admin.say("/digest_now")
    assert "1 chat blocked the bot (paused)" in report.text
    assert len(digests_to(emulator, carol.chat_id, start)) == 1
    assert sent_to(emulator, user.chat_id, start) == []
    assert send_attempts(emulator, user.chat_id, calls) == 1  # tried once, not retried
    stats = await admin.say("/stats")
    assert "Subscribers: 1 chat; subscriptions 1 active, 1 paused (blocked: 1)" in stats.text

    # Paused: the next run leaves the chat alone.
    await admin.say("/edit 20 Denmark has underinvested in the Arctic.")
    calls = len(emulator.api.calls)
    await admin.say("/digest_now")
    assert send_attempts(emulator, user.chat_id, calls) == 0

    # Unblocked and writing again: resumed, from now on (not with what it missed).
    emulator.unblock(fault)
    welcome, listing = await user.says("/subscriptions", count=2)
    assert welcome.text.startswith("Welcome back! Your 1 paused subscription is active again")
    assert "paused" not in listing.text
    start = len(emulator.api.sent)
    await admin.say("/digest_now")
    assert sent_to(emulator, user.chat_id, start) == []


async def test_retry_after_is_honoured(fast_bot: RunningBot, admin: Person, user: Person,
                                       emulator: Emulator) -> None:
    await user.say("/subscribe greenland")
    await change_greenland(admin)
    emulator.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1, chat_id=user.chat_id)
    start, calls = len(emulator.api.sent), len(emulator.api.calls)
    loop = asyncio.get_running_loop()
    began = loop.time()
    report = await admin.say("/digest_now", within=20)
    took = loop.time() - began
    # The runner got the 429 itself (not swallowed by a second limiter) and waited it out.
    assert "1 wait for Telegram's 429" in report.text
    assert "Delivered now: 1 message (" in report.text
    assert took >= 1.0
    assert send_attempts(emulator, user.chat_id, calls) == 2
    assert len(digests_to(emulator, user.chat_id, start)) == 1


async def test_refused_html_is_resent_as_plain_text_or_given_up(
    fast_bot: RunningBot, admin: Person, user: Person, emulator: Emulator
) -> None:
    await user.say("/subscribe greenland")
    await change_greenland(admin)
    emulator.fail("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\"",
                  chat_id=user.chat_id)
    start = len(emulator.api.sent)
    await admin.say("/digest_now")
    [plain] = sent_to(emulator, user.chat_id, start)
    assert plain.parse_mode is None
    assert plain.text.startswith("What changed: Greenland")
    assert "news.example/interview_frederiksen.txt" in plain.text  # the link spelled out

    await admin.say("/edit 21 Greenland is still not for sale.")
    emulator.fail("sendMessage", 400, "Bad Request: message is weird", chat_id=user.chat_id, times=2)
    start = len(emulator.api.sent)
    report = await admin.say("/digest_now")
    assert "1 message refused by Telegram" in report.text
    assert sent_to(emulator, user.chat_id, start) == []


async def test_groups_migrated_and_gone(fast_bot: RunningBot, admin: Person, user: Person,
                                        emulator: Emulator) -> None:
    old, new, gone = -1002, -1_000_000_000_777, -1003
    api = emulator.api
    for chat_id in (old, new, gone):
        api.add_group(chat_id, f"Group {chat_id}", admins=[user.user["id"]])
    await user.in_group(old).say("/subscribe greenland")
    await user.in_group(gone).say("/subscribe greenland")
    await change_greenland(admin)
    api.faults.append(Fault("sendMessage", ApiError(400, "Bad Request: group chat was upgraded to a "
                                                         "supergroup chat", migrate_to_chat_id=new),
                            chat_id=old, times=None))
    del api.chats[gone]
    start = len(api.sent)

    report = await admin.say("/digest_now")
    assert "1 group moved to a supergroup" in report.text
    assert "1 chat not found (paused)" in report.text
    assert len(digests_to(emulator, new, start)) == 1
    assert sent_to(emulator, old, start) == []
    listing = await user.in_group(new).say("/subscriptions")
    assert "1. Greenland (topic)" in listing.text
    stats = await admin.say("/stats")
    assert "paused (chat_not_found: 1)" in stats.text


async def test_restart_keeps_subscriptions_and_sends_missed_digests_within_grace(
    start_bot: Callable[..., Any], db_path: Path, admin: Person, user: Person, emulator: Emulator
) -> None:
    first = await start_bot(digests=FAST)
    await user.say("/subscribe greenland")
    await user.say("/subscribe Frederiksen")
    await change_greenland(admin)
    await first.stop()

    # The bot was down over both digests' times: one within the grace period, one long before.
    engine = db.make_engine(f"sqlite:///{db_path}")
    with db.session_scope(engine) as session:
        subs = {s.target_kind: s for s in session.exec(select(Subscription))}
        subs["topic"].next_run_at = utcnow() - timedelta(hours=1)
        subs["speaker"].next_run_at = utcnow() - timedelta(hours=5)
    start = len(emulator.api.sent)

    second = await start_bot(digests=FAST)
    names = {job.name for job in second.app.job_queue.jobs()}
    assert {ENQUEUE_JOB, FEEDS_JOB} <= names
    got = await emulator.api.wait_until(lambda: digests_to(emulator, user.chat_id, start))
    assert got[0].text.startswith("What changed: Greenland")
    with Session(engine) as session:
        assert len(session.exec(select(DigestOutbox)).all()) == 1  # the missed one was not recorded
        speaker = session.exec(select(Subscription).where(Subscription.target_kind == "speaker")).one()
        assert speaker.next_run_at > utcnow()  # it waits for its next run, changes kept
        assert speaker.watermark_revision_id < session.execute(sa.text("select max(id) from claimrevision")
                                                               ).scalar_one()
    engine.dispose()
    listing = await user.say("/subscriptions")
    assert "This chat follows (2)" in listing.text


# ---------------------------------------------------------------------------- admin, menus, feeds


@pytest.mark.parametrize("command", ["/digest_now", "/digest_now greenland", "/feeds",
                                     "/feeds add https://example.com/feed.xml", "/feeds remove 1"])
async def test_digest_and_feed_commands_are_admin_only(fast_bot: RunningBot, user: Person,
                                                       command: str) -> None:
    reply = await user.say(command)
    assert reply.text == f"Sorry, {command.split()[0]} is only for the claimbot team."


async def test_help_menus_and_stats_know_the_new_commands(fast_bot: RunningBot, user: Person,
                                                          admin: Person, emulator: Emulator) -> None:
    assert {"subscribe", "unsubscribe", "subscriptions", "timezone"} <= set(emulator.api.commands_for())
    assert "digest_now" not in emulator.api.commands_for()
    assert "/subscribe" in (await user.say("/help")).text
    assert "/digest_now" not in (await user.say("/help")).text
    assert "/digest_now" in (await admin.say("/help")).text
    await admin.say("/start")
    assert {"digest_now", "feeds", "subscribe"} <= set(emulator.api.commands_for(admin.chat_id))
    stats = await admin.say("/stats")
    assert "Subscribers: 0 chats" in stats.text
    assert "Digests: 0 sent in the last day" in stats.text
    usage = await admin.say("/digest_now Trump")
    assert usage.text.startswith("Donald Trump is a speaker, not a topic.")


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Health wire</title><link>{base}/</link><description>News</description>
<item><title>Bill Clinton on the health law</title><link>{base}/articles/health.txt</link>
<pubDate>Wed, 02 Oct 2013 12:00:00 GMT</pubDate><description>Clinton and the law.</description></item>
</channel></rss>"""


async def test_feeds_flow_into_answers_and_digests(start_bot: Callable[..., Any], admin: Person,
                                                   user: Person, emulator: Emulator) -> None:
    bot = await start_bot(allow_private_urls=True, digests=FAST)
    emulator.articles["feed.xml"] = ("application/rss+xml", RSS.format(base=emulator.url).encode())
    emulator.articles["health.txt"] = ("text/plain", (GOLD / "clintons_health.txt").read_bytes())
    await user.say("/subscribe trump")
    assert (await admin.say("/feeds")).text.startswith("No feeds yet.")

    added = await admin.say(f"/feeds add {emulator.url}/articles/feed.xml")
    assert added.text.startswith("Added feed #1: Health wire.")
    await bot.app.bot_data.services.delivery.poll_feeds()  # waits for the poll the command started
    listing = await admin.say("/feeds")
    assert "#1 Health wire — ok, last polled" in listing.text

    answer = await user.say("what did trump say about obamacare")
    assert "finally told the truth about Obamacare" in answer.text  # the matcher knows the new claims
    start = len(emulator.api.sent)
    await admin.say("/digest_now")
    [digest] = digests_to(emulator, user.chat_id, start)
    assert digest.text.startswith("What changed: Donald Trump")
    assert "🆕 New · #" in digest.text
    assert "a total disaster" in digest.text
    assert "▌Health care" in digest.text  # a speaker's digest is grouped by topic
    assert "Source: Bill Clinton Calls Health Law" in digest.text

    assert (await admin.say("/feeds remove 1")).text.startswith("Removed feed #1 (Health wire).")
    assert (await admin.say("/feeds remove 1")).text == "There is no feed #1."
    assert (await admin.say("/feeds add not-a-url")).text.startswith("Usage: /feeds")


async def test_feeds_refuse_private_addresses_by_default(fast_bot: RunningBot, admin: Person,
                                                         emulator: Emulator) -> None:
    emulator.articles["feed.xml"] = ("application/rss+xml", RSS.format(base=emulator.url).encode())
    reply = await admin.say(f"/feeds add {emulator.url}/articles/feed.xml")
    assert "points to a private or local address" in reply.text
    assert (await admin.say("/feeds")).text.startswith("No feeds yet.")


def test_console_subscribes_and_shows_the_digest(tmp_path: Path) -> None:
    out = io.StringIO()
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'unused.db'}", config_dir=DEFAULT_CONFIG_DIR)
    script = ("/subscribe claim 1 instant\n/edit 1 A reworded claim for the console.\n/digest_now\n"
              "/subscriptions\n")
    assert console.run_console(settings, stdin=io.StringIO(script), stdout=out) == 0
    output = out.getvalue()
    assert "✅ Subscribed to claim #1" in output
    assert "What changed: claim #1" in output
    assert "After: “A reworded claim for the console.”" in output
    assert "Delivered now: 1 message (1 digest complete)." in output
    assert "[:1] ✖ 1. claim #1" in output


async def test_in_groups_only_admins_change_subscriptions(fast_bot: RunningBot, user: Person,
                                                           emulator: Emulator) -> None:
    api = emulator.api
    member = Person(api, 5150, "Member")
    api.add_group(-1009, "Desk", admins=[user.user["id"]])
    refused = await member.in_group(-1009).say("/subscribe greenland")
    assert "only its admins" in refused.text
    assert "only its admins" in (await member.in_group(-1009).say("/timezone Europe/Berlin")).text
    listing = await member.in_group(-1009).say("/subscriptions")  # looking is fine
    assert "only its admins" not in listing.text
    done = await user.in_group(-1009).say("/subscribe greenland")
    assert "Subscribed to Greenland" in done.text
    assert "only its admins" in (await member.in_group(-1009).say("/unsubscribe greenland")).text
    listing = await user.in_group(-1009).say("/subscriptions")
    start = len(api.calls)
    remove = next(b["text"] for b in listing.buttons() if "Greenland" in b["text"])
    query_id = api.press(member.user, listing, button(listing, remove))
    await api.wait_until(lambda: api.callback_answers.get(query_id) is not None)
    assert "only its admins" in api.callback_answers[query_id]["text"]
    with Session(fast_bot.app.bot_data.services.claims.engine) as session:
        subs = session.exec(select(Subscription).where(Subscription.chat_id == -1009)).all()
    assert [s.status for s in subs] == ["active"]
    assert any(method == "getChatMember" for method, _ in api.calls[start:])
